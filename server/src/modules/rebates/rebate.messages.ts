import { REBATE_STATE_LABELS, formatPercentBp, formatYuan, type RebateState } from '@anchor/shared';
import { SQL } from '../../db/sql';
import type { MessagePlanner } from '../module';
import type { TaskKindDefinition } from '../tasks';
import { rebateApprovalHooks, REBATE_REQUEST_KIND } from './rebate-request.service';

interface RequestRow {
  id: number;
  customerId: number;
  requesterId: number;
  amountFen: number | string;
  rebateFen: number | string;
  rateBp: number;
  expectedPayoutDate: string;
}
interface EventRow {
  toState: RebateState;
  byId: number | null;
  reason: string | null;
  documents: string;
}

/**
 * A request's state change tells its rep, once (the event and this message are written together): a WeCom
 * app text; sent back for documents, also the team's group robots (WeCom and DingTalk), since the rep must act.
 */
export const rebateMessages: Record<string, MessagePlanner> = {
  'rebate.changed': async (sql, { payload }, kit) => {
    const [request] = await sql.rows<RequestRow>(SQL`SELECT id, customerId, requesterId, amountFen, rebateFen, rateBp, expectedPayoutDate FROM rebate_request WHERE id = ?`, [payload.requestId]);
    const [event] = await sql.rows<EventRow>(SQL`SELECT toState, byId, reason, documents FROM rebate_request_event WHERE id = ?`, [payload.eventId]);
    if (!request || !event) return [];
    const rep = await kit.member(sql, request.requesterId);
    const by = (await kit.person(sql, event.byId))?.name ?? '财务';
    const [customer] = await sql.rows<{ name: string }>(SQL`SELECT name FROM customer WHERE id = ?`, [request.customerId]);
    const what = `客户「${customer?.name ?? ''}」订单 ${formatYuan(Number(request.amountFen))} 的返点 ${formatYuan(Number(request.rebateFen))}（${formatPercentBp(request.rateBp)}）`;
    const documents = JSON.parse(event.documents || '[]') as string[];
    const url = kit.link('rebates', { id: request.id });
    const text: Record<RebateState, string> = {
      pending: `【返点申请】${what}已提交财务审核`,
      documents_missing: `【返点待补资料】${what}需补充单据：${documents.join('、')}。${event.reason ? `说明：${event.reason}。` : ''}请上传后重新提交（${by}）`,
      approved: `【返点已通过】${what}已由 ${by} 审核通过，预计 ${request.expectedPayoutDate} 打款`,
      rejected: `【返点被驳回】${what}被 ${by} 驳回，理由：${event.reason ?? ''}`,
      paid: `【返点已打款】${what}已由 ${by} 标记为已打款`,
    };
    const out = [];
    if (rep?.wecomUserId && kit.agentid) out.push(kit.wecomText(rep.wecomUserId, kit.agentid, `${text[event.toState]}\n${url}`));
    if (event.toState === 'documents_missing' && rep) {
      out.push(...kit.robots(rep.teamId, await kit.team(sql, rep.teamId), {
        title: `返点待补资料：${rep.name}`,
        lines: [`${REBATE_STATE_LABELS.documents_missing} · 客户「${customer?.name ?? ''}」`, `需补充：${documents.join('、')}`],
        url,
        button: '去上传',
      }));
    }
    return out;
  },
};

interface RebateSnapshot {
  customerName?: string;
  requesterName?: string;
  productModel?: string;
  deliveryCycle?: string;
  orderFen?: number;
  rateBp?: number;
  rebateFen?: number;
  missing?: string[];
}

/** The finance pool's task for a request (policy approvals.rebate_request): approve from the card, or open it to reject or send back for documents. */
export const rebateRequestKind: TaskKindDefinition = {
  name: REBATE_REQUEST_KIND,
  label: '返点申请',
  actions: ['approve', 'reject', 'comment'],
  dueHours: (policy) => policy.tasks.approvalStepHours,
  escalateTo: 'admins',
  quietDecision: true,
  render: (snapshot) => {
    const s = snapshot as RebateSnapshot;
    return {
      title: `${s.customerName ?? ''} · ${formatYuan(Number(s.rebateFen ?? 0))}`,
      lines: [
        `申请人：${s.requesterName ?? ''}`,
        `产品型号：${s.productModel ?? ''}`,
        `订单金额：${formatYuan(Number(s.orderFen ?? 0))}`,
        `返点：${formatPercentBp(Number(s.rateBp ?? 0))} · ${formatYuan(Number(s.rebateFen ?? 0))}`,
        `交付周期：${s.deliveryCycle ?? ''}`,
        `待补单据：${s.missing?.length ? s.missing.join('、') : '无'}`,
      ],
    };
  },
  onApproved: rebateApprovalHooks.onApproved,
  onRejected: rebateApprovalHooks.onRejected,
};
