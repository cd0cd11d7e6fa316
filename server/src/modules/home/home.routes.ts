import { homeSchema } from '@anchor/shared';
import { In, IsNull, Not, type DataSource } from 'typeorm';
import type { Clock } from '../../clock';
import { route, type AnyRoute } from '../../http/route';
import { Customer } from '../customers/customer.entity';
import type { Member } from '../org/member.entity';
import type { OrgService } from '../org/org.service';
import { Todo } from '../todos/todo.entity';
import { Visit } from '../visits/visit.entity';

/** How many of each list the home screen shows; the count is always the full number. */
const SHOWN = 20;

export interface HomeView {
  /** visits stage automation left for the caller (a customer moved to 拜访) */
  pendingVisits: { count: number; items: Array<{ visitId: number; customerId: number; customerName: string; since: string }> };
  /** the caller's leads still waiting for their first touch, soonest due first */
  leadsAwaitingFirstTouch: { count: number; items: Array<{ customerId: number; customerName: string; firstTouchDueAt: string; overdue: boolean }> };
  /** open to-dos by the caller's part in them */
  todos: { toConfirm: number; myOpen: number; escalated: number };
}

/** The caller's first screen in numbers: what is waiting for them today. */
export async function homeOf(db: DataSource, org: OrgService, clock: Clock, caller: Member): Promise<HomeView> {
  const now = clock.now();
  const [visits, visitCount] = await db.getRepository(Visit).findAndCount({
    where: { memberId: caller.id, submittedAt: IsNull() },
    order: { id: 'ASC' },
    take: SHOWN,
    select: { id: true, customerId: true, createdAt: true },
  });
  const leadWhere = { ownerId: caller.id, firstTouchDueAt: Not(IsNull()), firstTouchAt: IsNull() };
  const [leads, leadCount] = await db.getRepository(Customer).findAndCount({
    where: leadWhere,
    order: { firstTouchDueAt: 'ASC', id: 'ASC' },
    take: SHOWN,
    select: { id: true, name: true, firstTouchDueAt: true },
  });
  const names = visits.length
    ? new Map((await db.getRepository(Customer).find({ where: { id: In(visits.map((v) => v.customerId)) }, select: { id: true, name: true } })).map((c) => [c.id, c.name]))
    : new Map<number, string>();
  const todos = db.getRepository(Todo);
  const toConfirm = await todos.count({ where: { assigneeId: caller.id, confirmedAt: IsNull() } });
  const myOpen = await todos.count({ where: { repId: caller.id, confirmedAt: IsNull() } });
  let escalated = 0;
  if (caller.role === 'director' || caller.role === 'admin') {
    const scope = await org.scopeOf(caller);
    escalated = await todos.count({ where: { escalatedAt: Not(IsNull()), confirmedAt: IsNull(), ...(scope.kind === 'owners' ? { repId: In(scope.memberIds) } : {}) } });
  }
  return {
    pendingVisits: {
      count: visitCount,
      items: visits.map((v) => ({ visitId: v.id, customerId: v.customerId, customerName: names.get(v.customerId) ?? '', since: v.createdAt.toISOString() })),
    },
    leadsAwaitingFirstTouch: {
      count: leadCount,
      items: leads.map((c) => ({ customerId: c.id, customerName: c.name, firstTouchDueAt: c.firstTouchDueAt!.toISOString(), overdue: c.firstTouchDueAt!.getTime() < now.getTime() })),
    },
    todos: { toConfirm, myOpen, escalated },
  };
}

export function homeRoutes(db: DataSource, org: OrgService, clock: Clock): AnyRoute[] {
  return [
    route({
      method: 'get', path: '/home', tag: '首页', summary: '我的首页：待完成的拜访、待首次触达的线索及待办数量', access: 'member',
      response: homeSchema,
      handler: (ctx) => homeOf(db, org, clock, ctx.state.member),
    }),
  ];
}
