import { can, homeSchema, type CheckinSummary, type LocationProposals } from '@anchor/shared';
import type { Clock } from '../../clock';
import { route, type AnyRoute } from '../../http/route';
import type { CheckinService } from '../checkins';
import type { CustomerService } from '../customers';
import type { SigninService } from '../signins';
import type { Member, OrgService } from '../org';
import type { TodoService } from '../tasks';
import type { VisitService } from '../visits';

/** How many of each list the home screen shows; the count is always the full number. */
const SHOWN = 20;

export interface HomeView {
  /** visits stage automation left for the caller (a customer moved to 拜访) */
  pendingVisits: { count: number; items: Array<{ visitId: number; customerId: number; customerName: string; since: string }> };
  /** the caller's leads still waiting for their first touch, soonest due first */
  leadsAwaitingFirstTouch: { count: number; items: Array<{ customerId: number; customerName: string; firstTouchDueAt: string; overdue: boolean }> };
  /** open to-dos by the caller's part in them */
  todos: { toConfirm: number; myOpen: number; escalated: number };
  /** the caller's daily check-ins today (null for roles that do not check in) */
  checkins: CheckinSummary | null;
  /** 位置待确认: customers whose location the caller confirms (null for roles that do not) */
  locationProposals: LocationProposals | null;
}

/** What the home screen needs from the modules that own the data, each through its service. */
export interface HomeSources {
  org: OrgService;
  customers: CustomerService;
  visits: VisitService;
  todos: TodoService;
  checkins: CheckinService;
  signins: SigninService;
  clock: Clock;
}

/** The caller's first screen in numbers: what is waiting for them today. */
export async function homeOf(src: HomeSources, caller: Member): Promise<HomeView> {
  const now = src.clock.now();
  const [visits, visitCount] = await src.visits.waitingFor(caller.id, SHOWN);
  const [leads, leadCount] = await src.customers.leadsAwaitingFirstTouch(caller.id, SHOWN);
  const names = await src.customers.namesOf(visits.map((v) => v.customerId));
  const escalatedScope = can(caller.role, 'todos.escalations.read') ? await src.org.scopeOf(caller, 'todos.escalations.read') : null;
  const todos = await src.todos.homeCounts(caller.id, escalatedScope);
  return {
    pendingVisits: {
      count: visitCount,
      items: visits.map((v) => ({ visitId: v.id, customerId: v.customerId, customerName: names.get(v.customerId) ?? '', since: v.createdAt.toISOString() })),
    },
    leadsAwaitingFirstTouch: {
      count: leadCount,
      items: leads.map((c) => ({ customerId: c.id, customerName: c.name, firstTouchDueAt: c.firstTouchDueAt!.toISOString(), overdue: c.firstTouchDueAt!.getTime() < now.getTime() })),
    },
    todos,
    checkins: await src.checkins.summary(caller),
    locationProposals: await src.signins.proposals(caller, SHOWN),
  };
}

export function homeRoutes(src: HomeSources): AnyRoute[] {
  return [
    route({
      method: 'get', path: '/home', tag: '首页', summary: '我的首页：待完成的拜访、待首次触达的线索及待办数量', access: 'member',
      response: homeSchema,
      handler: (ctx) => homeOf(src, ctx.state.member),
    }),
  ];
}
