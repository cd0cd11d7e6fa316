import type { DataSource } from 'typeorm';
import { formatYuan } from '@anchor/shared';
import type { ApprovalDecision, TaskKindDefinition } from '../tasks';

export const CONTRACT_APPROVAL_KIND = 'contract';
export const CONTRACT_SUPPORT_KIND = 'contract_marketing_support';

/** What a contract approval step's card shows (frozen at submission; the engine adds step, steps, amountFen). */
export interface ContractApprovalSnapshot {
  contractId: number;
  number: string;
  customer: { id: number; name: string };
  owner: { id: number; name: string };
  amountFen: number;
  lines: string;
  instalments: string;
  keyTerms: string;
  needsMarketing: boolean;
}

/** What a 需市场支持 task carries: the customer's profile, its interaction history and the contract's key terms, as they were. */
export interface ContractSupportSnapshot {
  contractId: number;
  number: string;
  customer: {
    id: number; name: string; industry: string; stage: string; stageLabel: string; grade: string | null; hospitalLevel: string | null; departmentActivity: string | null;
    province: string | null; city: string | null; contactName: string | null; owner: string;
  };
  history: {
    visitCount: number;
    lastVisitAt: string | null;
    visits: Array<{ at: string; by: string; objective: string | null; painPoint: string | null; agreedAction: string }>;
    firstTouch: { at: string; by: string; method: string; verbatim: string; onTime: boolean } | null;
    grade: string | null;
  };
  terms: { amountFen: number; lines: string; instalments: string; keyTerms: string };
  requester: { id: number; name: string };
}

/** The hooks' way back to the module's services: one contracts service per data source (a test may run several apps). */
export interface ContractHooks {
  approved(decision: ApprovalDecision): Promise<void>;
  rejected(decision: ApprovalDecision): Promise<void>;
}
export const contractHooks = new WeakMap<DataSource, ContractHooks>();

const hooksOf = (decision: ApprovalDecision): ContractHooks => {
  const hooks = contractHooks.get(decision.manager.connection);
  if (!hooks) throw new Error('contracts module not built for this data source');
  return hooks;
};

/** 合同审批: each step of policy approvals.contract is a task of this kind (approve, reject with reason, comment, hand over). */
export const contractApprovalKind: TaskKindDefinition = {
  name: CONTRACT_APPROVAL_KIND,
  label: '合同审批',
  actions: ['approve', 'reject', 'comment', 'reassign'],
  dueHours: (policy) => policy.tasks.approvalStepHours,
  escalateTo: 'manager',
  render: (snapshot) => {
    const s = snapshot as Partial<ContractApprovalSnapshot> & { step?: number; steps?: number };
    return {
      title: `${s.number ?? ''} ${s.customer?.name ?? ''}`.trim(),
      lines: [
        `金额：${formatYuan(Number(s.amountFen ?? 0))}`,
        `客户：${s.customer?.name ?? ''}`,
        `申请人：${s.owner?.name ?? ''}`,
        `产品：${s.lines ?? ''}`,
        `回款：${s.instalments ?? ''}`,
        ...(s.step ? [`审批：第 ${s.step}/${s.steps ?? s.step} 步`] : []),
        ...(s.needsMarketing ? ['需市场支持：是'] : []),
      ],
    };
  },
  onApproved: (decision) => hooksOf(decision).approved(decision),
  onRejected: (decision) => hooksOf(decision).rejected(decision),
};

/** 需市场支持: the marketing lead answers in the contract (text + materials); 已答复 settles the task. */
export const contractSupportKind: TaskKindDefinition = {
  name: CONTRACT_SUPPORT_KIND,
  label: '需市场支持',
  actions: ['confirm', 'comment'],
  actionLabels: { confirm: '已答复' },
  dueHours: (policy) => policy.contracts.marketingSupportHours,
  escalateTo: 'admins',
  render: (snapshot) => {
    const s = snapshot as Partial<ContractSupportSnapshot>;
    const c = s.customer;
    return {
      title: `${s.number ?? ''} ${c?.name ?? ''}`.trim(),
      lines: [
        `客户：${c?.name ?? ''}（${c?.stageLabel ?? ''}${c?.grade ? ` · ${c.grade} 级` : ''}）`,
        `金额：${formatYuan(Number(s.terms?.amountFen ?? 0))}`,
        `申请人：${s.requester?.name ?? ''}`,
        `拜访：${s.history?.visitCount ?? 0} 次`,
        `条款：${(s.terms?.keyTerms ?? '').slice(0, 60)}`,
      ],
    };
  },
};
