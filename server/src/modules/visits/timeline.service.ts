import { IsNull, Not, type DataSource } from 'typeorm';
import { agreedActionText, offlineSavedNote } from '@anchor/shared';
import type { Policy } from '../../config/policy';
import type { CustomerService } from '../customers';
import type { Member } from '../org';
import type { OrgService } from '../org';
import type { TodoService } from '../tasks';
import { FirstTouch } from './first-touch.entity';
import { Visit } from './visit.entity';
import type { PhotoService } from './photo.service';
import { actionDoneView } from './action-done.service';

export type TimelineEntry =
  | {
      type: 'visit'; at: string; id: number; by: { id: number; name: string }; status: 'pending' | 'submitted'; objective: string | null; painPoint: string | null; agreedAction: string | null;
      agreedActionNote: string | null; agreedActionText: string; nextFollowUpAt: string | null; alert: boolean; photoIds: number[]; savedAt: string | null; offlineNote: string | null;
      customerFeedback: string | null; actionDone: { at: string; onTime: boolean; by: { id: number; name: string } } | null;
    }
  | { type: 'first_touch'; at: string; id: number; by: { id: number; name: string }; method: string; verbatim: string; onTime: boolean; photoIds: number[] }
  | { type: 'stage_change'; at: string; id: number; by: { id: number; name: string }; from: string | null; fromLabel: string | null; to: string; toLabel: string; kind: 'stage' | 'closed_lost' | 'reopened'; reason: string | null; note: string | null }
  | { type: 'todo'; at: string; id: number; visitId: number | null; status: 'open' | 'confirmed'; agreedAction: string; agreedActionNote: string | null; agreedActionText: string; dueAt: string; confirmedAt: string | null; escalatedAt: string | null }
  | { type: 'material_open'; at: string; id: number; by: { id: number; name: string }; shareId: number; materialId: number; title: string; watchedSeconds: number | null };

/** Another module's entries for a customer's timeline (newest first, at most `take`), and how many it has in all. */
export type TimelineSource = (customerId: number, take: number) => Promise<[TimelineEntry[], number]>;

/**
 * One customer's history, newest first: visits, first touch, stage changes and to-dos. Each source
 * gives at most the rows the requested page can need, then they are merged.
 */
export class TimelineService {
  private readonly sources: TimelineSource[] = [];

  constructor(
    private readonly db: DataSource,
    private readonly org: OrgService,
    private readonly customers: CustomerService,
    private readonly policy: Policy | undefined,
    private readonly todos: TodoService,
    private readonly photos: PhotoService,
  ) {}

  /** A module listed after this one adds its entries (e.g. materials: a customer opened a shared material). */
  registerSource(source: TimelineSource): void {
    this.sources.push(source);
  }

  async forCustomer(caller: Member, customerId: number, page: number, pageSize: number) {
    await this.customers.findInScope(caller, customerId);
    const need = page * pageSize;
    const [visits, visitCount] = await this.db.getRepository(Visit).findAndCount({ where: { customerId }, order: { id: 'DESC' }, take: need });
    const [touches, touchCount] = await this.db.getRepository(FirstTouch).findAndCount({ where: { customerId }, take: need });
    const [stages, stageCount] = await this.customers.stageChangesOf(customerId, need);
    const [todos, todoCount] = await this.todos.ofCustomer(customerId, need);
    const others = await Promise.all(this.sources.map((source) => source(customerId, need)));
    const people = await this.org.membersByIds([
      ...visits.map((v) => v.memberId), ...visits.flatMap((v) => (v.actionDoneById ? [v.actionDoneById] : [])), ...touches.map((t) => t.memberId), ...stages.map((s) => s.changedById),
    ]);
    const who = (id: number) => ({ id, name: people.get(id)?.name ?? '' });
    const photos = await this.photosOf(visits.map((v) => v.id), touches.map((t) => t.id));
    const doneOf = (v: Visit) => {
      const done = actionDoneView(v, people, []);
      return done ? { at: done.at, onTime: done.onTime, by: done.by } : null;
    };

    const entries: TimelineEntry[] = [
      ...visits.map((v): TimelineEntry => ({
        type: 'visit', at: (v.submittedAt ?? v.createdAt).toISOString(), id: v.id, by: who(v.memberId), status: v.submittedAt ? 'submitted' : 'pending',
        objective: v.objective, painPoint: v.painPoint, agreedAction: v.agreedAction, agreedActionNote: v.agreedActionNote,
        agreedActionText: agreedActionText(v.agreedAction, v.agreedActionNote), nextFollowUpAt: v.nextFollowUpAt?.toISOString() ?? null, alert: !!v.alert,
        photoIds: photos.get(`visit:${v.id}`) ?? [],
        ...this.savedTimes(v),
        customerFeedback: v.customerFeedback ?? null,
        actionDone: doneOf(v),
      })),
      ...touches.map((t): TimelineEntry => ({
        type: 'first_touch', at: t.touchedAt.toISOString(), id: t.id, by: who(t.memberId), method: t.method, verbatim: t.verbatim, onTime: t.touchedAt.getTime() <= t.dueAt.getTime(),
        photoIds: photos.get(`first_touch:${t.id}`) ?? [],
      })),
      ...stages.map((s): TimelineEntry => ({
        type: 'stage_change', at: s.changedAt.toISOString(), id: s.id, by: who(s.changedById), from: s.fromStage,
        fromLabel: s.fromStage ? this.customers.stageLabel(s.fromStage) : null, to: s.toStage, toLabel: this.customers.stageLabel(s.toStage),
        kind: s.kind ?? 'stage', reason: s.reason ?? null, note: s.note ?? null,
      })),
      ...todos.map((t): TimelineEntry => ({
        type: 'todo', at: t.createdAt.toISOString(), id: t.id, visitId: t.visitId, status: t.confirmedAt ? 'confirmed' : 'open', agreedAction: t.snapshot.actionItems.agreedAction,
        agreedActionNote: t.snapshot.actionItems.note, agreedActionText: agreedActionText(t.snapshot.actionItems.agreedAction, t.snapshot.actionItems.note),
        dueAt: t.dueAt.toISOString(), confirmedAt: t.confirmedAt?.toISOString() ?? null, escalatedAt: t.escalatedAt?.toISOString() ?? null,
      })),
      ...others.flatMap(([items]) => items),
    ];
    // Newest first; at the same instant a visit reads before the to-do it created.
    const order = { todo: 0, visit: 1, first_touch: 2, stage_change: 3, material_open: 4 } as const;
    entries.sort((a, b) => b.at.localeCompare(a.at) || order[a.type] - order[b.type] || b.id - a.id);
    return { items: entries.slice((page - 1) * pageSize, need), total: visitCount + touchCount + stageCount + todoCount + others.reduce((n, [, count]) => n + count, 0), page, pageSize };
  }

  /** The bottleneck the customer's latest submitted visit named (materials fitting it are suggested). */
  async lastBottleneck(customerId: number): Promise<string | null> {
    const [last] = await this.db.getRepository(Visit).find({ where: { customerId, submittedAt: Not(IsNull()) }, order: { submittedAt: 'DESC', id: 'DESC' }, take: 1, select: { id: true, bottleneck: true } });
    return last?.bottleneck ?? null;
  }

  /** A visit saved offline: when it was saved and, past the policy's gap, 「离线保存于 …，上传于 …」. */
  private savedTimes(v: Visit): { savedAt: string | null; offlineNote: string | null } {
    const minutes = this.policy?.limits.offlineTimeShownAfterMinutes ?? 5;
    const note = v.submittedAt ? offlineSavedNote(v.savedAt, v.submittedAt, minutes, this.policy?.timeZone ?? 'Asia/Shanghai') : null;
    return { savedAt: v.savedAt?.toISOString() ?? null, offlineNote: note };
  }

  /** The photos of these visits and first touches, keyed `visit:<id>` / `first_touch:<id>`, in upload order. */
  private async photosOf(visitIds: number[], touchIds: number[]): Promise<Map<string, number[]>> {
    const [ofVisits, ofTouches] = await Promise.all([this.photos.idsOfVisits(visitIds), this.photos.idsOfFirstTouches(touchIds)]);
    const map = new Map<string, number[]>();
    for (const [id, ids] of ofVisits) map.set(`visit:${id}`, ids);
    for (const [id, ids] of ofTouches) map.set(`first_touch:${id}`, ids);
    return map;
  }
}
