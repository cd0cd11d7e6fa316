/**
 * The app's pages and the parameters each one reads: one table for the mini-program (navigation,
 * app.config) and the server (links in chat cards, QR codes, subscribe messages). A link built from
 * here opens a page that exists and passes what that page reads.
 */
export const PAGES = {
  /** Login, then the role's first screen. */
  login: { path: 'pages/index/index', params: ['invite'] },
  customers: { path: 'pages/customers/index', params: [] },
  customer: { path: 'pages/customer/index', params: ['id'] },
  /** New visit for a customer; a scanned customer code passes `scene` c=<id> instead. */
  visitNew: { path: 'pages/visit/index', params: ['customerId'] },
  /** One visit; `todo` names the to-do the link was about (confirm from there). */
  visitDetail: { path: 'pages/visit-detail/index', params: ['id', 'todo'] },
  todos: { path: 'pages/todos/index', params: [] },
  me: { path: 'pages/me/index', params: [] },
  /** Tasks and approvals (mine, my role's pool); `id` opens one with its history and buttons (a chat card's 驳回 links here). */
  tasks: { path: 'pages/tasks/index', params: ['id'] },
  customerEdit: { path: 'pages/customer-edit/index', params: ['id'] },
  firstTouch: { path: 'packages/lead/first-touch/index', params: ['customerId'] },
  /** Excel import with a preview of bad rows (web console). */
  customerImport: { path: 'packages/import/index', params: [] },
  /** Admin: failed, dead-lettered and queued chat deliveries, re-send, each target's queue age. */
  deliveries: { path: 'packages/admin/deliveries/index', params: [] },
  /** Daily three check-ins (morning, after each visit, evening); `visit` opens the one after that visit. */
  checkins: { path: 'packages/checkins/index', params: ['visit'] },
  /** Material center: browse and search by tag and text; `customerId` shares for that customer. */
  materials: { path: 'packages/materials/index', params: ['customerId', 'tag'] },
  /** One material: play, open, share (link and QR) — for a customer when `customerId` is given. */
  material: { path: 'packages/materials/detail/index', params: ['id', 'customerId'] },
  /** Marketing: upload and edit materials, the tag list, usage per material and per rep. */
  materialsManage: { path: 'packages/materials/manage/index', params: [] },
  /** Dashboards (仪表盘) in business language, with the period, team and rep filters of the link. */
  dashboards: { path: 'packages/dashboards/index', params: ['from', 'to', 'teamId', 'repId'] },
  /** The records behind one number of a dashboard: `kind` says which list, the rest are its filters. */
  dashboardDrill: {
    path: 'packages/dashboards/drill/index',
    params: ['kind', 'title', 'from', 'to', 'teamId', 'repId', 'stage', 'overdue', 'objective', 'action', 'month', 'day', 'term', 'counter', 'metric', 'effective'],
  },
  /** Rebate calculator and my rebate requests (rep, phone first); `id` opens one request, `customerId` preselects the customer. */
  rebates: { path: 'packages/rebates/index', params: ['id', 'customerId'] },
  /** Finance: the rebate rule table (versions, edit, xlsx import/export) — web console. */
  rebateRules: { path: 'packages/rebates/rules/index', params: ['versionId'] },
  /** Finance: the rebate request queue (approve, reject, documents missing, paid); `id` opens one. */
  rebateQueue: { path: 'packages/rebates/queue/index', params: ['id', 'state'] },
  /** The region's key figures on a 1 920×1 080 wall screen (H5), refreshing itself; `teamId` narrows it to a team. */
  dashboardWall: { path: 'packages/dashboards/wall/index', params: ['teamId'] },
  /** Receivables (回款): the list in the caller's reach; `id` opens one with its payments, pay QR and finance's record form. */
  receivables: { path: 'packages/receivables/index', params: ['id', 'state'] },
  /** Contracts in reach, by state (合同); `customerId` narrows to one customer. */
  contracts: { path: 'packages/contracts/index', params: ['state', 'customerId'] },
  /** One contract: its terms, scans, approval progress (each step: who, state, when, reason) and marketing's answer. */
  contract: { path: 'packages/contracts/detail/index', params: ['id'] },
  /** Draft or edit a contract (新建合同 from a customer page passes `customerId`; editing passes `id`). */
  contractEdit: { path: 'packages/contracts/edit/index', params: ['id', 'customerId'] },
  /** Directors and admins: the winning plays per bottleneck (赢单打法), hide one, new reps with and without a play. */
  plays: { path: 'packages/plays/index', params: ['regionId', 'bottleneck'] },
  /** Campaign task flows (专项任务): the rep's targets with the next step, script and materials, exception reports; `id` opens one campaign. */
  campaigns: { path: 'packages/campaigns/index', params: ['id'] },
  /** A manager's campaigns and one campaign's board (progress per rep and team, overdue steps, exceptions); `id` opens one. */
  campaignBoard: { path: 'packages/campaigns/board/index', params: ['id', 'exception'] },
  /** Create a campaign: targets by filter or xlsx list, script pack and materials, ordered progress steps (web console). */
  campaignEdit: { path: 'packages/campaigns/edit/index', params: [] },
} as const;

/** Pages in the tab bar: reached with switchTab, which takes no parameters. */
export const TAB_PAGES = ['customers', 'todos', 'me'] as const satisfies readonly PageName[];

export function isTabPage(page: PageName): boolean {
  return (TAB_PAGES as readonly PageName[]).includes(page);
}

export type PageName = keyof typeof PAGES;
export type PageParams<P extends PageName> = Partial<Record<(typeof PAGES)[P]['params'][number], string | number>>;

function query<P extends PageName>(page: P, params: PageParams<P>): string {
  const allowed: readonly string[] = PAGES[page].params;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params) as Array<[string, string | number | undefined]>) {
    if (value === undefined || value === null || value === '') continue;
    if (!allowed.includes(key)) throw new Error(`page ${page} does not read the parameter ${key}`);
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** For Taro.navigateTo / redirectTo: `/pages/customer/index?id=3`. */
export function pageUrl<P extends PageName>(page: P, params: PageParams<P> = {}): string {
  return `/${PAGES[page].path}${query(page, params)}`;
}

/** For a mini-program message's `page` field (no leading slash). */
export function weappPage<P extends PageName>(page: P, params: PageParams<P> = {}): string {
  return `${PAGES[page].path}${query(page, params)}`;
}

/** A browser link into the H5 app served at `<publicUrl>/app/` (hash router). */
export function h5Link<P extends PageName>(publicUrl: string, page: P, params: PageParams<P> = {}): string {
  return `${publicUrl.replace(/\/+$/, '')}/app/#/${PAGES[page].path}${query(page, params)}`;
}
