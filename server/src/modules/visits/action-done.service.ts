import { In, type DataSource } from 'typeorm';
import { actionDoneOnTime, formatLocalDateTime, type ActionDoneInput, type ActionDoneView } from '@anchor/shared';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { withSqlTransaction } from '../../db/sql';
import { forbidden, notFound } from '../../http/errors';
import type { CustomerService } from '../customers';
import type { Member, OrgService } from '../org';
import { scopeIncludes } from '../org';
import type { PhotoService } from './photo.service';
import { Visit } from './visit.entity';
import { visitError } from './visits.errors';

/** One visit's agreed action as the rep's next-action screen (待办) and the visit detail show it. */
export interface AgreedActionState {
  visitId: number;
  nextFollowUpAt: string | null;
  actionDone: ActionDoneView | null;
  /** the caller may mark it done now */
  canComplete: boolean;
}

/**
 * 标记完成 of a visit's agreed action (issue 14: an agreed action is complete when its rep marks it done,
 * optionally with evidence, by its follow-up time). Who may: the visit's rep, or the supervisor whose
 * team holds the rep (`visits.actions.complete`). Anyone else who may read the visit is refused (403);
 * whoever may not read it gets the 404 of a visit that does not exist. Once only: a second mark (also
 * the loser of two at once) is refused naming when and by whom, and changes nothing.
 */
export class ActionDoneService {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
    private readonly customers: CustomerService,
    private readonly photos: PhotoService,
  ) {}

  /** May `caller` mark this visit's action done (leaving aside whether it already is)? */
  async mayComplete(caller: Member, visit: Pick<Visit, 'memberId'>): Promise<boolean> {
    return scopeIncludes(await this.org.scopeOf(caller, 'visits.actions.complete'), visit.memberId);
  }

  private async readable(caller: Member, visit: Pick<Visit, 'memberId' | 'customerId'>, ownerId: number | undefined): Promise<boolean> {
    if (visit.memberId === caller.id) return true;
    return ownerId !== undefined && scopeIncludes(await this.org.scopeOf(caller, 'visits.read'), ownerId);
  }

  async complete(caller: Member, visitId: number, input: ActionDoneInput): Promise<AgreedActionState> {
    const visit = await this.db.getRepository(Visit).findOne({ where: { id: visitId } });
    if (!visit) throw notFound('拜访记录');
    const customer = await this.customers.summaryOf(visit.customerId);
    if (!customer || !(await this.readable(caller, visit, customer.ownerId))) throw notFound('拜访记录');
    if (!(await this.mayComplete(caller, visit))) throw forbidden('只有拜访的销售本人或其主管可以标记约定动作完成');
    if (!visit.submittedAt || !visit.nextFollowUpAt) throw visitError('NO_AGREED_ACTION');
    if (visit.actionDoneAt) throw await this.alreadyDone(visit.id);

    const now = this.clock.now();
    const onTime = actionDoneOnTime(now, visit.nextFollowUpAt);
    const done = await withSqlTransaction(this.db, async (sql) => {
      // The conditional update decides a race: the second of two marks changes nothing.
      const changed = await sql.exec(
        'UPDATE visit SET actionDoneAt = ?, actionDoneById = ?, actionDoneNote = ?, actionDoneOnTime = ? WHERE id = ? AND actionDoneAt IS NULL AND submittedAt IS NOT NULL',
        [now, caller.id, input.note || null, onTime, visit.id],
      );
      if (changed !== 1) return false;
      if (input.photoIds.length) await this.photos.attachEvidence(sql, caller, input.photoIds, { visitId: visit.id, customerId: visit.customerId }, 'photoIds');
      return true;
    });
    if (!done) throw await this.alreadyDone(visit.id);
    return (await this.states(caller, [visit.id]))[0]!;
  }

  /** 「该约定动作已于 12-03 09:10 由 王小明 标记完成，不能重复标记」 */
  private async alreadyDone(visitId: number) {
    const visit = await this.db.getRepository(Visit).findOneOrFail({ where: { id: visitId } });
    const by = visit.actionDoneById ? (await this.org.membersByIds([visit.actionDoneById])).get(visit.actionDoneById)?.name : null;
    const when = visit.actionDoneAt ? formatLocalDateTime(visit.actionDoneAt, this.policy.timeZone) : '';
    return visitError('AGREED_ACTION_DONE', { message: `该约定动作已于 ${when}${by ? ` 由 ${by}` : ''} 标记完成，不能重复标记` });
  }

  /**
   * The agreed actions of these visits as the caller may see them (visits out of reach are left out):
   * done or not, and whether the caller may mark them done.
   */
  async states(caller: Member, visitIds: number[]): Promise<AgreedActionState[]> {
    const ids = [...new Set(visitIds)];
    if (!ids.length) return [];
    const visits = await this.db.getRepository(Visit).find({ where: { id: In(ids) } });
    const owners = await this.customers.ownersOf(visits.map((v) => v.customerId));
    const readScope = await this.org.scopeOf(caller, 'visits.read');
    const completeScope = await this.org.scopeOf(caller, 'visits.actions.complete');
    const visible = visits.filter((v) => v.memberId === caller.id || (owners.has(v.customerId) && scopeIncludes(readScope, owners.get(v.customerId)!)));
    const people = await this.org.membersByIds(visible.flatMap((v) => (v.actionDoneById ? [v.actionDoneById] : [])));
    const photos = await this.photos.idsOfActions(visible.filter((v) => v.actionDoneAt).map((v) => v.id));
    const byId = new Map(visible.map((v) => [v.id, v]));
    return ids.flatMap((id) => {
      const v = byId.get(id);
      if (!v) return [];
      return [{
        visitId: v.id,
        nextFollowUpAt: v.nextFollowUpAt?.toISOString() ?? null,
        actionDone: actionDoneView(v, people, photos.get(v.id) ?? []),
        canComplete: !v.actionDoneAt && !!v.submittedAt && !!v.nextFollowUpAt && scopeIncludes(completeScope, v.memberId),
      }];
    });
  }
}

export function actionDoneView(v: Visit, people: Map<number, Pick<Member, 'name'>>, photoIds: number[]): ActionDoneView | null {
  if (!v.actionDoneAt) return null;
  const byId = v.actionDoneById ?? 0;
  return {
    at: v.actionDoneAt.toISOString(),
    by: { id: byId, name: people.get(byId)?.name ?? '' },
    onTime: v.actionDoneOnTime === null ? (v.nextFollowUpAt ? actionDoneOnTime(v.actionDoneAt, v.nextFollowUpAt) : false) : !!v.actionDoneOnTime,
    note: v.actionDoneNote,
    photoIds,
  };
}
