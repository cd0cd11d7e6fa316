import type { DataSource } from 'typeorm';
import type { CampaignExceptionInput, CampaignExceptionView, CampaignResolveInput } from '@anchor/shared';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { SQL, sqlDate, type Sql } from '../../db/sql';
import { transaction } from '../../db/transaction';
import { invalid, notFound } from '../../http/errors';
import { enqueueMessages } from '../../outbox/outbox';
import type { AttachmentService } from '../attachments';
import type { CustomerService } from '../customers';
import { scopeIncludes, type Member, type OrgService } from '../org';
import type { TaskService } from '../tasks';
import { CAMPAIGN_EXCEPTION_KIND, type CampaignExceptionSnapshot } from './campaign.kinds';
import { loadExceptions } from './campaign.progress';
import { readCampaign, type CampaignService } from './campaign.service';
import { campaignError } from './campaigns.errors';

interface TargetRow {
  id: number;
  campaignId: number;
  customerId: number;
  ownerId: number;
  droppedAt: Date | null;
  customerName: string;
}

async function readTarget(sql: Sql, id: number): Promise<TargetRow | null> {
  const [r] = await sql.rows<Record<string, unknown>>(
    SQL`SELECT t.id AS id, t.campaignId AS campaignId, t.customerId AS customerId, t.ownerId AS ownerId, t.droppedAt AS droppedAt, c.name AS customerName
      FROM campaign_target t JOIN customer c ON c.id = t.customerId WHERE t.id = ?`,
    [id],
  );
  return r
    ? { id: Number(r.id), campaignId: Number(r.campaignId), customerId: Number(r.customerId), ownerId: Number(r.ownerId), droppedAt: sqlDate(r.droppedAt as string | null), customerName: String(r.customerName) }
    : null;
}

/**
 * Exception reports (异常上报): the rep holding a target reports a blocker (a reason from policy, words, an
 * optional photo); it becomes a 专项异常 task of the campaign's owner (button card through the outbox, same
 * transaction). The owner answers it, reassigns the target to another rep in reach (the customer's owner
 * changes, and the target follows), or drops the target from the campaign; the rep is told.
 */
export class CampaignExceptions {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
    private readonly campaigns: CampaignService,
    private readonly tasks: TaskService,
    private readonly customers: CustomerService,
    private readonly attachments: AttachmentService,
  ) {
    // the photo of a report: seen by whoever may see the campaign's exception (its reporter, the campaign's managers) or the customer
    attachments.registerOwner('campaign_exception', async (caller, attachment) => {
      if (attachment.uploadedById === caller.id) return true;
      return attachment.customerId !== null && (await customers.findInScope(caller, attachment.customerId).then(() => true, () => false));
    });
  }

  async report(caller: Member, targetId: number, input: CampaignExceptionInput): Promise<CampaignExceptionView> {
    const now = this.clock.now();
    const reasons = this.policy.campaigns.exceptionReasons;
    const id = await transaction(this.db, async ({ sql, manager }) => {
      const target = await readTarget(sql, targetId);
      // the rep holding the target, or their supervisor (campaigns.participate: team); anyone else: no such target
      const scope = await this.org.scopeOf(caller, 'campaigns.participate');
      if (!target || !scopeIncludes(scope, target.ownerId)) throw notFound('目标客户');
      const campaign = (await readCampaign(sql, target.campaignId))!;
      if (!campaign.launchedAt || campaign.closedAt) throw campaignError('CAMPAIGN_STATE_CONFLICT', { message: campaign.closedAt ? '专项任务已结束，不能再上报异常' : '专项任务尚未启动' });
      if (target.droppedAt) throw campaignError('CAMPAIGN_STATE_CONFLICT', { message: '该客户已移出专项' });
      if (!reasons.includes(input.reason)) throw invalid({ reason: `原因「${input.reason}」不在可选范围内（${reasons.join('、')}）` });
      if (input.reason === '其他' && !input.note) throw invalid({ note: '选择「其他」时请填写说明' });
      const open = (await loadExceptions(sql, campaign.id)).find((e) => e.targetId === targetId && e.state === 'open');
      if (open) throw campaignError('CAMPAIGN_EXCEPTION_OPEN', { message: `该客户已有待处理的异常上报（${open.reason}），请等待处理` });
      const exceptionId = await sql.insert('campaign_exception', [{
        campaignId: campaign.id, targetId, reportedById: caller.id, reason: input.reason, note: input.note, photoId: input.photoId, taskId: null,
        resolution: null, answer: null, resolvedById: null, resolvedAt: null, createdAt: now,
      }]);
      if (input.photoId) await this.attachments.attach(sql, caller, 'photo', [input.photoId], { kind: 'campaign_exception', id: exceptionId, customerId: target.customerId }, 'photoId');
      const snapshot: CampaignExceptionSnapshot = {
        campaignId: campaign.id, campaignName: campaign.name, exceptionId, customer: { id: target.customerId, name: target.customerName },
        rep: { id: caller.id, name: caller.name }, reason: input.reason, note: input.note, hasPhoto: input.photoId !== null,
      };
      const task = await this.tasks.create(manager, {
        kind: CAMPAIGN_EXCEPTION_KIND, subjectType: 'campaign_exception', subjectId: exceptionId, customerId: target.customerId, requesterId: caller.id,
        assigneeId: campaign.ownerId, snapshot: snapshot as unknown as Record<string, unknown>,
      });
      await sql.exec(SQL`UPDATE campaign_exception SET taskId = ? WHERE id = ?`, [task.id, exceptionId]);
      return exceptionId;
    });
    return this.view(id);
  }

  private async view(id: number): Promise<CampaignExceptionView> {
    return transaction(this.db, async ({ sql }) => {
      const [row] = await sql.rows<{ campaignId: number }>(SQL`SELECT campaignId FROM campaign_exception WHERE id = ?`, [id]);
      return (await loadExceptions(sql, Number(row!.campaignId))).find((e) => e.id === id)!;
    });
  }

  /**
   * The owner's answer: `answer` (words), `reassign` (the target and its customer to another rep in the
   * owner's reach), or `drop` (out of the campaign: no longer counted). Once: a second resolution is refused.
   * The task is settled with it (unless already settled from the chat card), the rep is told.
   */
  async resolve(caller: Member, exceptionId: number, input: CampaignResolveInput): Promise<CampaignExceptionView> {
    const [row] = await sqlOfRead(this.db, exceptionId);
    if (!row) throw notFound('异常上报');
    const campaign = (await transaction(this.db, ({ sql }) => readCampaign(sql, row.campaignId)))!;
    // only the campaign's owner answers (the task is theirs)
    if (campaign.ownerId !== caller.id) throw notFound('异常上报');
    if (row.resolution) throw campaignError('CAMPAIGN_EXCEPTION_SETTLED', { message: '该异常已处理，不能再次处理' });
    if (input.action === 'answer' && !input.text) throw invalid({ text: '请填写答复内容' });
    if (input.action === 'reassign') {
      if (!input.toMemberId) throw invalid({ toMemberId: '请选择接手的销售' });
      if (input.toMemberId === row.ownerId) throw invalid({ toMemberId: '接手人与当前负责人相同' });
      if (campaign.closedAt) throw campaignError('CAMPAIGN_STATE_CONFLICT', { message: '专项任务已结束，不能再改派' });
      // the customer changes owner (in the owner's reach, refused otherwise); the hook moves the target along
      const to = await this.org.findActiveMember(input.toMemberId);
      const scope = await this.campaigns.manageScope(caller);
      if (!to || !['rep', 'supervisor'].includes(to.role) || !scopeIncludes(scope, to.id)) throw invalid({ toMemberId: '接手人须为你管理范围内的在职销售' });
      await this.customers.reassign(caller, row.customerId, to.id);
    }
    const now = this.clock.now();
    await transaction(this.db, async ({ sql, manager }) => {
      const resolution = input.action === 'answer' ? 'answered' : input.action === 'reassign' ? 'reassigned' : 'dropped';
      const changed = await sql.exec(
        SQL`UPDATE campaign_exception SET resolution = ?, answer = ?, resolvedById = ?, resolvedAt = ? WHERE id = ? AND resolution IS NULL`,
        [resolution, input.text || null, caller.id, now, exceptionId],
      );
      if (changed !== 1) throw campaignError('CAMPAIGN_EXCEPTION_SETTLED', { message: '该异常已处理，不能再次处理' });
      if (input.action === 'drop') await sql.exec(SQL`UPDATE campaign_target SET droppedAt = ? WHERE id = ? AND droppedAt IS NULL`, [now, row.targetId]);
      if (row.taskId && !(await this.tasks.isSettled(row.taskId, manager))) {
        const words = { answered: input.text, reassigned: `已改派${input.text ? `：${input.text}` : ''}`, dropped: `已移出专项${input.text ? `：${input.text}` : ''}` }[resolution];
        await this.tasks.act(caller.id, row.taskId, 'confirm', 'app', { comment: words.slice(0, 200) || null }, manager);
      }
      await enqueueMessages(sql, [{
        kind: 'campaign.exception_resolved', teamId: null,
        payload: { campaignId: campaign.id, campaignName: campaign.name, memberId: row.reportedById, customerName: row.customerName, reason: row.reason, resolution, text: input.text },
      }], now);
    });
    return this.view(exceptionId);
  }
}

async function sqlOfRead(db: DataSource, id: number) {
  return transaction(db, async ({ sql }) => {
    const rows = await sql.rows<Record<string, unknown>>(
      SQL`SELECT e.id AS id, e.campaignId AS campaignId, e.targetId AS targetId, e.reportedById AS reportedById, e.reason AS reason, e.resolution AS resolution,
          e.taskId AS taskId, t.customerId AS customerId, t.ownerId AS ownerId, c.name AS customerName
        FROM campaign_exception e JOIN campaign_target t ON t.id = e.targetId JOIN customer c ON c.id = t.customerId WHERE e.id = ?`,
      [id],
    );
    return rows.map((r) => ({
      id: Number(r.id), campaignId: Number(r.campaignId), targetId: Number(r.targetId), reportedById: Number(r.reportedById), reason: String(r.reason),
      resolution: (r.resolution as string | null) ?? null, taskId: r.taskId === null ? null : Number(r.taskId), customerId: Number(r.customerId), ownerId: Number(r.ownerId), customerName: String(r.customerName),
    }));
  });
}
