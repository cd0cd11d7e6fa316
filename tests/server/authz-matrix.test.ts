import { randomUUID } from 'node:crypto';
import { ROLES, ROLE_LABELS, can, scopeOf, type Action, type Role, type ScopeRule } from '@anchor/shared';
import type { AnyRoute } from '../../server/src/http/route';
import type { Member } from '../../server/src/modules/org/member.entity';
import { Play } from '../../server/src/modules/plays/play.entity';
import { Delivery } from '../../server/src/outbox/delivery.entity';
import { startHarness, type Harness } from '../support/harness';
import { api, xlsxForm } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { completeVisit, submitVisit } from '../support/visit-fixture';
import { buildWorkbook } from '../support/xlsx';
import { withTransaction } from '../../server/src/db/transaction';
import { WechatPaySimulator } from '../simulators/wechatpay-sim';

/**
 * The authorization tests, generated: every route of the app's route table × every role, against the
 * permission matrix (shared/src/permissions.ts). A role without the route's action gets 403 FORBIDDEN;
 * a role with it gets through (2xx on a record in its reach); on a record outside its reach (a rep: a
 * teammate's; a supervisor: another team's in the region; a director: another region's) the answer is
 * the one the code gives today; a role whose reach is everything gets through there too. Without a
 * session, every non-public route answers 401. A route without a sample here fails the test, so a new
 * route cannot slip through untested.
 */

let h: Harness;
let org: OrgFixture;
let paySim: WechatPaySimulator;

/** The member of each role who calls: all in team 1 / region east where they have one. */
const caller = (role: Role): Member =>
  ({ rep: org.repA, supervisor: org.supervisor1, director: org.directorEast, finance: org.finance, marketing: org.marketing, admin: org.admin })[role];
/** Whose records lie just outside a reach: a teammate (own), another team of the region (team), another region (region). */
const outsider = (rule: ScopeRule): Member | null => ({ own: org.repB, team: org.repC, region: org.repE } as Partial<Record<ScopeRule, Member>>)[rule] ?? null;
const outsideTeam = (rule: ScopeRule): number | null => ({ team: org.teamIds.team2, region: org.teamIds.team3 } as Partial<Record<ScopeRule, number>>)[rule] ?? null;

/** Whose records a request is about: inside the caller's reach (repA, team 1) or just outside it. */
interface Target {
  who: Member;
  owner: Member;
  teamId: number;
}
interface Req {
  path: string;
  json?: unknown;
  form?: FormData;
  headers?: Record<string, string>;
  /** a session of its own (logout ends the one it is called with) */
  token?: string;
}
interface Sample {
  request(t: Target): Promise<Req> | Req;
  /** how the code answers a record outside the caller's reach (routes on a record must say) */
  outside?: number;
  /** only the record's owner may do this: anyone else with the right, in reach, gets this answer */
  ownerOnly?: number;
  /** open to every member (access: 'member', no action): said here too, so a route losing its `can` is caught */
  member?: true;
}

// ── records, made once per owner (reads) or fresh per call (writes that change them) ────────────────
let seq = 0;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const photoForm = () => {
  const f = new FormData();
  f.append('file', new Blob([PNG], { type: 'image/png' }), 'photo.png');
  return f;
};
const cached = new Map<string, Promise<unknown>>();
const once = <T>(key: string, make: () => Promise<T>): Promise<T> => {
  if (!cached.has(key)) cached.set(key, make());
  return cached.get(key) as Promise<T>;
};
async function must<T = any>(res: Promise<{ status: number; body: T }>, what: string): Promise<T> {
  const r = await res;
  if (r.status >= 300) throw new Error(`fixture ${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
/** A new customer (a lead) owned by `owner`, made by the admin. */
const newCustomer = async (owner: Member): Promise<number> =>
  (await must(api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.admin), json: { name: `权限矩阵医院${++seq}号`, industry: '公立医院', ownerId: owner.id } }), 'customer')).id;
const customerOf = (owner: Member) => once(`customer:${owner.id}`, () => newCustomer(owner));
/** A visit by `owner` at their customer, with a photo attached, and the to-do it created. */
const visitOf = (owner: Member) =>
  once(`visit:${owner.id}`, async () => {
    const customerId = await customerOf(owner);
    const photo = await must(api(h.url, 'POST', '/api/v1/photos', { token: org.token(owner), form: photoForm() }), 'photo');
    const visit = await must(submitVisit(h, org.token(owner), { ...completeVisit(customerId), photoIds: [photo.id] }), 'visit');
    const todo = (await h.services.todos.list(owner, { as: 'rep', status: 'all', page: 1, pageSize: 100 })).items.find((t) => t.visitId === visit.id);
    return { customerId, visitId: visit.id as number, photoId: photo.id as number, todoId: todo!.id };
  });
/** A fresh visit by `owner` (its agreed action can be marked done once). */
const freshVisit = async (owner: Member): Promise<number> => (await must(submitVisit(h, org.token(owner), completeVisit(await newCustomer(owner))), 'visit')).id;
/** A fresh customer of `owner`, closed as lost by the admin (a manager may reopen it). */
const closedCustomer = async (owner: Member): Promise<number> => {
  const id = await newCustomer(owner);
  await h.services.customers.close(org.admin, id, { reason: '价格' });
  return id;
};
const newInvite = async (teamId: number) => (await h.services.org.createInvite(org.admin, { teamId })).code;
const importFile = async (owner: Member) =>
  xlsxForm(await buildWorkbook([['客户名称', '所属行业', '负责人手机'], [`权限导入医院${++seq}号`, '公立医院', owner.phone]]));
/** A grading input sheet naming `owner`'s customer. */
const gradingInputsFile = async (owner: Member) =>
  xlsxForm(await buildWorkbook([['客户编号', '库存消耗速度', '竞品渗透率'], [await customerOf(owner), 60, 30]]));
const idem = () => ({ 'idempotency-key': randomUUID() });
/** A mined play in `owner`'s region (written as the mining job writes it), by its key. */
const playIn = async (owner: Member) => {
  const playKey = (++seq).toString(16).padStart(16, '0');
  await h.db.getRepository(Play).insert({
    regionId: owner.regionId!, playKey, bottleneck: '集采降价压力', objective: '推进方案', valuePoint: `权限打法${seq}`, variants: [], topAction: null, actions: [],
    visits: 10, advanced: 5, segments: [], hiddenBy: null, computedAt: h.clock.now(),
  });
  return playKey;
};

const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');
const pdfForm = () => {
  const f = new FormData();
  f.append('file', new Blob([PDF], { type: 'application/pdf' }), 'material.pdf');
  return f;
};
/** A material (a script, no file) and one with a file, made by marketing through the service. */
const newMaterial = async (withFile = false) => {
  const file = withFile ? await h.services.attachments.upload(org.marketing, 'material', PDF) : null;
  return (await h.services.materials.create(org.marketing, {
    kind: file ? 'pdf' : 'script', title: `权限素材${++seq}`, description: '', attachmentId: file?.id ?? null, scriptText: file ? null : '话术',
    tagIds: [], stages: [], industries: [], bottlenecks: [],
  })).id;
};
const materialOf = () => once('material', () => newMaterial(true));
/** A contract of `owner`'s customer, drafted by the owner through the service; `submitted` with 需市场支持 (marketing sees only those). */
const contractTerms = (needsMarketing: boolean) => ({
  amountFen: 1_000_000, lines: [{ model: '其他', quantity: 1 }], instalments: [{ seq: 1, dueDate: '2026-12-31', amountFen: 1_000_000 }], keyTerms: '权限矩阵合同', needsMarketing, scanIds: [],
});
const newContract = async (owner: Member, submitted: boolean): Promise<number> => {
  const c = await h.services.contracts.create(owner, { customerId: await customerOf(owner), ...contractTerms(submitted) });
  if (submitted) await h.services.contracts.submit(owner, c.id);
  return c.id;
};
const contractOf = (owner: Member) => once(`contract:${owner.id}`, () => newContract(owner, true));
const draftOf = (owner: Member) => once(`draft:${owner.id}`, () => newContract(owner, false));

const tagOf = () => once('tag', async () => (await h.services.materials.createTag(`权限标签${++seq}`)).id);
/** A receivable of `owner`'s customer, as the contracts module makes them (fresh: a payment settles it). */
const newReceivable = async (owner: Member): Promise<number> => {
  const customerId = await newCustomer(owner);
  const [id] = await withTransaction(h.db, (manager) => h.services.receivables.createForContract(manager, { contractId: 900_000 + ++seq, customerId, ownerId: owner.id, instalments: [{ seq: 1, dueDate: '2026-12-31', amountFen: 100_00 }] }));
  return id!;
};
const receivableOf = (owner: Member) => once(`receivable:${owner.id}`, () => newReceivable(owner));
/** An open pay order on a fresh receivable of `owner` (made by finance, who reaches all). */
const payOrderOf = async (owner: Member): Promise<number> => (await h.services.payments.createOrder(org.finance, await newReceivable(owner))).id;
const voucher = () => h.services.attachments.upload(org.finance, 'payment_voucher', PNG);

/** Campaigns: made by a manager who reaches the owner (the caller when it manages the inside record, else the owner's supervisor). */
const supervisorOf = (owner: Member): Member => [org.supervisor1, org.supervisor2, org.supervisor3].find((s) => s.id === owner.managerId)!;
const creatorFor = (who: Member, owner: Member): Member => (['supervisor', 'director'].includes(who.role) && owner.id === org.repA.id ? who : supervisorOf(owner));
const campaignPlan = (customerIds: number[], launch: boolean) => ({
  name: `权限专项${++seq}`, startsOn: '2026-11-20', endsOn: '2026-12-31', goalStage: 'proposal' as const, goalCount: 1, filter: null, customerIds,
  scriptMaterialId: null, materialIds: [], steps: [{ title: '拜访', kind: 'visit' as const, objective: '推进方案', dueDays: 3 }], launch,
});
/** A fresh campaign over a fresh customer of `owner`, by the manager `creatorFor` names; with its one target. */
const newCampaign = async (who: Member, owner: Member, launch = true): Promise<{ id: number; targetId: number }> => {
  const creator = creatorFor(who, owner);
  const c = await h.services.campaigns.create(creator, campaignPlan([await newCustomer(owner)], launch));
  const { items } = await h.services.campaigns.targets(creator, c.id, {});
  return { id: c.id, targetId: items[0]!.id };
};
/** A fresh open exception on such a campaign, reported by the target's owner. */
const newCampaignException = async (who: Member, owner: Member): Promise<number> => {
  const c = await newCampaign(who, owner);
  return (await h.services.campaignExceptions.report(owner, c.targetId, { reason: '客户拒绝', note: '', photoId: null })).id;
};

/** The rebate table every rebate sample calculates with: one 不限 rule, 1–2 %, paid in 2 working days. */
const REBATE_RULE = { grade: '', customerType: '', productModel: '', deliveryCycle: '', minFen: 0, maxFen: null, rateMinBp: 100, rateMaxBp: 200, documents: [], payoutDelayDays: 2 };
const rebateTable = () => once('rebate-table', () => h.services.rebateRules.saveVersion(org.finance, { effectiveFrom: '2026-11-20', note: '', rules: [REBATE_RULE] }));
const rebateInput = async (owner: Member) => ({ customerId: await customerOf(owner), productModel: h.policy.options.productModels[0]!, amountFen: 1_000_000, deliveryCycle: '30天' });
/** A fresh rebate request by `owner` for their customer, pending in the finance pool. */
const newRebateRequest = async (owner: Member): Promise<number> => {
  await rebateTable();
  return (await h.services.rebateRequests.create(owner, { ...(await rebateInput(owner)), rateBp: 150, note: '' }, randomUUID())).request.id;
};
const rebateRequestOf = (owner: Member) => once(`rebate:${owner.id}`, () => newRebateRequest(owner));
/** A fresh request sent back for 发票, with 发票 since filed: ready to resubmit. */
const rebateToResubmit = async (owner: Member): Promise<number> => {
  const id = await newRebateRequest(owner);
  await h.services.rebateRequests.decide(org.finance, id, { action: 'documents_missing', documents: ['发票'] });
  await h.services.rebateRequests.uploadDocument(owner, await customerOf(owner), '发票', PNG);
  return id;
};
const rebateSheet = async () =>
  xlsxForm(await buildWorkbook([['客户等级', '金额下限（元）', '返点下限（%）', '返点上限（%）', '打款周期（工作日）'], ['不限', 0, 1, 2, 3]]));
/** A share of the material by `owner` (only its rep revokes it or reads its QR code). */
const shareOf = async (owner: Member) => (await h.services.materialShares.create(owner, await materialOf(), null)).id;

/**
 * The dashboards: a route with a rep (the drill-downs) is asked about the target's owner, the others about
 * the target's team; either outside the caller's reach answers 404 (团队不存在 / 成员不存在).
 */
function dashboardSamples(): Record<string, Sample> {
  const byTeam = (path: string): Sample => ({ request: ({ teamId }) => ({ path: `${path}${path.includes('?') ? '&' : '?'}teamId=${teamId}` }), outside: 404 });
  const byRep = (path: string): Sample => ({ request: ({ owner }) => ({ path: `${path}${path.includes('?') ? '&' : '?'}repId=${owner.id}` }), outside: 404 });
  const samples: Record<string, Sample> = {};
  for (const board of ['pipeline', 'behaviour', 'visit-quality', 'penetration', 'checkins', 'word-cloud', 'counters', 'efficiency', 'trends']) {
    samples[`GET /dashboards/${board}`] = byTeam(`/dashboards/${board}`);
    samples[`GET /dashboards/${board}/export.xlsx`] = byTeam(`/dashboards/${board}/export.xlsx`);
  }
  samples['GET /dashboards/pipeline/customers'] = byTeam('/dashboards/pipeline/customers?overdue=true');
  samples['GET /dashboards/visits'] = byRep('/dashboards/visits');
  samples['GET /dashboards/penetration/records'] = byRep('/dashboards/penetration/records?action=lead_touch&month=2026-11');
  samples['GET /dashboards/checkins/records'] = byRep('/dashboards/checkins/records?day=2026-11-19');
  samples['GET /dashboards/word-cloud/records'] = byTeam(`/dashboards/word-cloud/records?term=${encodeURIComponent('安装')}`);
  samples['GET /dashboards/counters/customers'] = byRep('/dashboards/counters/customers?counter=second_quote');
  samples['GET /dashboards/efficiency/visits'] = byRep('/dashboards/efficiency/visits');
  samples['GET /dashboards/agreed-actions'] = byRep('/dashboards/agreed-actions');
  const periods = 'beforeFrom=2026-09-01&beforeTo=2026-09-30&afterFrom=2026-11-01&afterTo=2026-11-19';
  samples['GET /dashboards/board'] = byTeam(`/dashboards/board?${periods}`);
  samples['GET /dashboards/board/export.xlsx'] = byTeam(`/dashboards/board/export.xlsx?${periods}`);
  samples['GET /dashboards/board/records'] = byRep('/dashboards/board/records?metric=stage_misjudgment');
  return samples;
}

/** One sample request per route of the table, keyed `METHOD /path` as the route table spells it. */
const SAMPLES: Record<string, Sample | 'public'> = {
  // org: login is public (tests/server/auth.test.ts); the rest needs a session
  'POST /auth/wechat/login': 'public',
  'POST /auth/wecom/login': 'public',
  'POST /auth/dev-login': 'public',
  'POST /auth/logout': { member: true, request: async ({ who }) => ({ path: '/auth/logout', token: (await h.services.auth.issueSession(who, 'wechat')).token }) },
  'GET /auth/me': { member: true, request: () => ({ path: '/auth/me' }) },
  'GET /members': { member: true, request: () => ({ path: '/members' }) },
  // the join date (入职日期): an admin's edit
  'PATCH /members/:id': { request: () => ({ path: `/members/${org.repB.id}`, json: { joinedAt: '2026-09-01' } }) },
  'DELETE /members/:id/sessions': {
    request: async () => ({ path: `/members/${(await h.services.org.createMember({ name: `临时成员${++seq}`, phone: `137${String(10000000 + seq).slice(-8)}`, role: 'rep' })).id}/sessions` }),
  },
  'GET /teams/:id/channels': { request: ({ teamId }) => ({ path: `/teams/${teamId}/channels` }) },
  'PUT /teams/:id/channels': { request: ({ teamId }) => ({ path: `/teams/${teamId}/channels`, json: { wecomRobotKey: null } }) },
  'POST /invites': { request: ({ teamId }) => ({ path: '/invites', json: { teamId } }), outside: 404 },
  'DELETE /invites/:code': { request: async ({ teamId }) => ({ path: `/invites/${await newInvite(teamId)}` }), outside: 404 },
  'GET /invites/:code/qr.png': { request: async ({ teamId }) => ({ path: `/invites/${await newInvite(teamId)}/qr.png` }), outside: 404 },
  'GET /me': { member: true, request: () => ({ path: '/me' }) },
  'POST /me/subscribe-consent': { member: true, request: () => ({ path: '/me/subscribe-consent', json: { templateId: 'authz-template' } }) },
  'GET /home': { member: true, request: () => ({ path: '/home' }) },

  // daily check-ins: one's own customers and visits (another's answers 404, as for a record that does not exist)
  'GET /checkins/today': { request: () => ({ path: '/checkins/today' }) },
  // the harness clock is 10:00 local: the morning window's last minute (a fresh customer: once per caller)
  'POST /checkins': { request: async ({ owner }) => ({ path: '/checkins', json: { kind: 'morning', customerId: await newCustomer(owner), coreNeed: '权限矩阵核心需求' } }), ownerOnly: 404, outside: 404 },
  'POST /checkins/follow-up': {
    request: async ({ owner }) => ({
      path: '/checkins/follow-up',
      json: { customerId: (await visitOf(owner)).customerId, agreedAction: '发送方案', nextFollowUpDate: '2026-11-25', nextFollowUpTime: '10:00', nextFollowUpForm: '电话' },
    }),
    ownerOnly: 404,
    outside: 404,
  },
  'GET /signins/location-proposals': { request: () => ({ path: '/signins/location-proposals' }) },
  'GET /admin/policy-warnings': { request: () => ({ path: '/admin/policy-warnings' }) },
  'GET /checkins/team': { request: ({ teamId }) => ({ path: `/checkins/team?teamId=${teamId}` }), outside: 404 },
  'GET /options': { member: true, request: () => ({ path: '/options' }) },

  // customers
  'GET /customers': { request: () => ({ path: '/customers' }) },
  'POST /customers': {
    // a rep names no owner (they own it); the others name the owner, who must be in their reach
    request: ({ who, owner }) => ({ path: '/customers', json: { name: `权限新建医院${++seq}号`, industry: '公立医院', ...(who.id === owner.id ? {} : { ownerId: owner.id }) } }),
    outside: 422,
  },
  'GET /customers/export.xlsx': { request: () => ({ path: '/customers/export.xlsx' }) },
  'GET /customers/import/template.xlsx': { request: () => ({ path: '/customers/import/template.xlsx' }) },
  'POST /customers/import/preview': { request: async ({ owner }) => ({ path: '/customers/import/preview', form: await importFile(owner) }) },
  'POST /customers/import/commit': { request: async ({ owner }) => ({ path: '/customers/import/commit', form: await importFile(owner) }), outside: 422 },
  'GET /customers/:id': { request: async ({ owner }) => ({ path: `/customers/${await customerOf(owner)}` }), outside: 404 },
  'PATCH /customers/:id': { request: async ({ owner }) => ({ path: `/customers/${await customerOf(owner)}`, json: { notes: '权限矩阵测试' } }), outside: 404 },
  'POST /customers/:id/reassign': {
    // a fresh customer each time: moving the shared one would move it out of the rep's reach
    request: async ({ owner }) => ({ path: `/customers/${await newCustomer(owner)}/reassign`, json: { ownerId: org.repB.id } }),
    outside: 404,
  },
  // 关闭/丢单: whoever works the customer closes it (fresh each time); a manager reopens it
  'POST /customers/:id/close': { request: async ({ owner }) => ({ path: `/customers/${await newCustomer(owner)}/close`, json: { reason: '价格' } }), outside: 404 },
  'POST /customers/:id/reopen': { request: async ({ owner }) => ({ path: `/customers/${await closedCustomer(owner)}/reopen`, json: {} }), outside: 404 },
  'GET /customers/:id/stage-history': { request: async ({ owner }) => ({ path: `/customers/${await customerOf(owner)}/stage-history` }), outside: 404 },
  'POST /customers/:id/grade': { request: async ({ owner }) => ({ path: `/customers/${await customerOf(owner)}/grade` }), outside: 404 },
  'GET /customers/:id/grades': { request: async ({ owner }) => ({ path: `/customers/${await customerOf(owner)}/grades` }), outside: 404 },
  'GET /customers/:id/support-packs': { request: async ({ owner }) => ({ path: `/customers/${await customerOf(owner)}/support-packs` }), outside: 404 },
  // the grading input sheet: customers.import in its reach (a customer outside it is a row error: the commit refuses, 422)
  'GET /grading/inputs/template.xlsx': { request: () => ({ path: '/grading/inputs/template.xlsx' }) },
  'POST /grading/inputs/preview': { request: async ({ owner }) => ({ path: '/grading/inputs/preview', form: await gradingInputsFile(owner) }) },
  'POST /grading/inputs/commit': { request: async ({ owner }) => ({ path: '/grading/inputs/commit', form: await gradingInputsFile(owner) }), outside: 422 },
  'GET /customers/:id/qr.png': { request: async ({ owner }) => ({ path: `/customers/${await customerOf(owner)}/qr.png` }), outside: 404 },
  'GET /customers/:id/timeline': { request: async ({ owner }) => ({ path: `/customers/${await customerOf(owner)}/timeline` }), outside: 404 },

  // visits
  'POST /photos': { request: () => ({ path: '/photos', form: photoForm() }) },
  'GET /photos/:id': { request: async ({ owner }) => ({ path: `/photos/${(await visitOf(owner)).photoId}` }), outside: 404 },
  // any attachment, for every member: what they may see is decided by its owner's scope (else 404)
  'GET /attachments/:id': { request: async ({ owner }) => ({ path: `/attachments/${(await visitOf(owner)).photoId}` }), member: true },
  'POST /visits': { request: async ({ owner }) => ({ path: '/visits', json: completeVisit(await customerOf(owner)), headers: idem() }), outside: 404 },
  'GET /visits/pending': { member: true, request: () => ({ path: '/visits/pending' }) },
  'GET /visits/:id': { request: async ({ owner }) => ({ path: `/visits/${(await visitOf(owner)).visitId}` }), outside: 404 },
  // 标记完成: the visit's rep or the supervisor of their team, once per visit (a fresh one each call)
  'POST /visits/:id/action-done': { request: async ({ owner }) => ({ path: `/visits/${await freshVisit(owner)}/action-done`, json: { note: '权限矩阵测试' } }), outside: 404 },
  'GET /agreed-actions': { request: async ({ owner }) => ({ path: `/agreed-actions?visitIds=${(await visitOf(owner)).visitId}` }) },
  'POST /customers/:id/first-touch': {
    request: async ({ owner }) => ({ path: `/customers/${await newCustomer(owner)}/first-touch`, json: { method: '电话', verbatim: '客户说下周再谈', evidenceText: '通话记录：下周再谈' }, headers: idem() }),
    outside: 404,
    // a lead's first touch is its owner's (visits.test.ts): a supervisor who reaches the lead is refused
    ownerOnly: 403,
  },

  // on-site sign-in: at a customer in reach; its location is the supervisor's or admin's to set or confirm
  'POST /customers/:id/signins': {
    request: async ({ owner }) => ({ path: `/customers/${await customerOf(owner)}/signins`, json: { lat: 31.2304, lng: 121.4737, accuracy: 30 }, headers: idem() }),
    outside: 404,
  },
  'GET /customers/:id/signins': { request: async ({ owner }) => ({ path: `/customers/${await customerOf(owner)}/signins` }), outside: 404 },
  'GET /customers/:id/location': { request: async ({ owner }) => ({ path: `/customers/${await customerOf(owner)}/location` }), outside: 404 },
  'PUT /customers/:id/location': { request: async ({ owner }) => ({ path: `/customers/${await customerOf(owner)}/location`, json: { lat: 31.2304, lng: 121.4737 } }), outside: 404 },
  'POST /customers/:id/location/confirm': {
    // a fresh customer with a location proposed from its sign-ins, each time
    request: async ({ owner }) => {
      const customerId = await newCustomer(owner);
      await h.db.query("INSERT INTO customer_location (customerId, lat, lng, source, sampleCount, proposedAt) VALUES (?, 31.2304, 121.4737, 'signins', 3, '2026-11-20 02:00:00.000')", [customerId]);
      return { path: `/customers/${customerId}/location/confirm` };
    },
    outside: 404,
  },

  // to-dos: every member may ask; the to-do itself decides (its rep, its assignee, escalations in reach)
  'GET /todos': { member: true, request: () => ({ path: '/todos' }) },
  'GET /todos/:id': { member: true, request: async () => ({ path: `/todos/${(await visitOf(org.repA)).todoId}` }) },
  'POST /todos/:id/confirm': { member: true, request: async () => ({ path: `/todos/${(await visitOf(org.repA)).todoId}/confirm`, json: {} }) },
  'POST /todos/:id/discuss': { member: true, request: async () => ({ path: `/todos/${(await visitOf(org.repA)).todoId}/discuss` }) },

  // tasks: every member may ask; the task decides (its assignee or pool, its requester, escalations in reach)
  'GET /tasks': { member: true, request: () => ({ path: '/tasks' }) },
  'GET /tasks/:id': { member: true, request: async () => ({ path: `/tasks/${(await visitOf(org.repA)).todoId}` }) },
  'GET /tasks/:id/handoff': { member: true, request: async () => ({ path: `/tasks/${(await visitOf(org.repA)).todoId}/handoff` }) },
  'POST /tasks/:id/actions': { member: true, request: async () => ({ path: `/tasks/${(await visitOf(org.repA)).todoId}/actions`, json: { action: 'comment', comment: '权限矩阵测试' } }) },
  'GET /task-pools': { request: () => ({ path: '/task-pools' }) },
  'PUT /task-pools/:id/members': { request: () => ({ path: '/task-pools/marketing_lead/members', json: { memberIds: [] } }) },

  // receivables and WeChat Pay: reps their own, managers their reach, finance all; the notification is WeChat Pay's (public, signed)
  'GET /receivables': { request: () => ({ path: '/receivables' }) },
  'GET /receivables/:id': { request: async ({ owner }) => ({ path: `/receivables/${await receivableOf(owner)}` }), outside: 404 },
  'POST /receivables/:id/payments': {
    request: async ({ owner }) => ({ path: `/receivables/${await newReceivable(owner)}/payments`, json: { amountFen: 10_00, method: 'bank_transfer', reference: `AUTHZ-${++seq}`, paidAt: '2026-11-19', voucherAttachmentId: (await voucher()).id } }),
    outside: 404,
  },
  'POST /payment-vouchers': { request: () => ({ path: '/payment-vouchers', form: photoForm() }) },
  'POST /receivables/:id/pay-orders': { request: async ({ owner }) => ({ path: `/receivables/${await newReceivable(owner)}/pay-orders` }), outside: 404 },
  'POST /pay-orders/:id/close': { request: async ({ owner }) => ({ path: `/pay-orders/${await payOrderOf(owner)}/close` }), outside: 404 },
  'GET /pay-orders/:id/qr.png': { request: async ({ owner }) => ({ path: `/pay-orders/${await payOrderOf(owner)}/qr.png` }), outside: 404 },
  'POST /channels/wechatpay/notify': 'public',

  // materials: marketing (and admins) write; whoever reads materials browses and shares; the share page is public
  'POST /attachments': { request: () => ({ path: '/attachments?purpose=material', form: pdfForm() }) },
  'GET /material-tags': { request: () => ({ path: '/material-tags' }) },
  'POST /material-tags': { request: () => ({ path: '/material-tags', json: { name: `权限标签${++seq}` } }) },
  'PATCH /material-tags/:id': { request: async () => ({ path: `/material-tags/${await tagOf()}`, json: { name: `权限标签改${++seq}` } }) },
  'GET /materials': { request: () => ({ path: '/materials' }) },
  'POST /materials': { request: () => ({ path: '/materials', json: { kind: 'script', title: `权限话术${++seq}`, scriptText: '您好' } }) },
  'GET /materials/:id': { request: async () => ({ path: `/materials/${await materialOf()}` }) },
  'PATCH /materials/:id': { request: async () => ({ path: `/materials/${await materialOf()}`, json: { description: '权限矩阵测试' } }) },
  'POST /materials/:id/retire': { request: async () => ({ path: `/materials/${await newMaterial()}/retire`, json: { retired: true } }) },
  'GET /materials/:id/file': { request: async () => ({ path: `/materials/${await materialOf()}/file` }) },
  'GET /customers/:id/materials': { request: async ({ owner }) => ({ path: `/customers/${await customerOf(owner)}/materials` }) },
  'POST /materials/:id/shares': { request: async ({ owner }) => ({ path: `/materials/${await materialOf()}/shares`, json: { customerId: await customerOf(owner) } }) },
  'GET /material-shares': { request: () => ({ path: '/material-shares' }) },
  'POST /material-shares/:id/revoke': { request: async ({ owner }) => ({ path: `/material-shares/${await shareOf(owner)}/revoke` }), ownerOnly: 404 },
  'GET /material-shares/:id/qr.png': { request: async ({ owner }) => ({ path: `/material-shares/${await shareOf(owner)}/qr.png` }), ownerOnly: 404 },
  'GET /material-usage': { request: () => ({ path: '/material-usage' }) },
  'GET /s/:token': 'public',
  'GET /s/:token/file': 'public',
  'POST /s/:token/beacon': 'public',
  'GET /share-page.js': 'public',
  'GET /materials/:id/stream': 'public',

  // contracts: rep own, supervisor team (drafting and submitting); reading also director region, finance and admin all,
  // marketing the contracts that asked it for support (every sample contract does); marketing answers those
  'GET /contracts': { request: () => ({ path: '/contracts' }) },
  'POST /contracts': { request: async ({ owner }) => ({ path: '/contracts', json: { customerId: await customerOf(owner), ...contractTerms(false) } }), outside: 404 },
  'GET /contracts/:id': { request: async ({ owner }) => ({ path: `/contracts/${await contractOf(owner)}` }), outside: 404 },
  'PUT /contracts/:id': { request: async ({ owner }) => ({ path: `/contracts/${await draftOf(owner)}`, json: contractTerms(false) }), outside: 404 },
  'POST /contracts/:id/submit': { request: async ({ owner }) => ({ path: `/contracts/${await newContract(owner, false)}/submit` }), outside: 404 },
  'POST /contract-scans': { request: () => ({ path: '/contract-scans', form: pdfForm() }) },
  'POST /contracts/:id/marketing-support/answer': {
    request: async ({ owner }) => ({ path: `/contracts/${await newContract(owner, true)}/marketing-support/answer`, json: { text: '权限矩阵答复' } }),
    outside: 404,
  },
  // rebates: finance and admins keep the table, everyone who sells reads it; reps and supervisors calculate and
  // request for customers in reach; requests are read in the usual reach; finance decides
  'GET /rebate-rules': { request: () => ({ path: '/rebate-rules' }) },
  'POST /rebate-rules/versions': { request: () => ({ path: '/rebate-rules/versions', json: { effectiveFrom: '2026-11-20', rules: [REBATE_RULE] } }) },
  'GET /rebate-rules/export.xlsx': { request: () => ({ path: '/rebate-rules/export.xlsx' }) },
  'POST /rebate-rules/import/preview': { request: async () => ({ path: '/rebate-rules/import/preview', form: await rebateSheet() }) },
  'POST /rebate-rules/import/commit': { request: async () => ({ path: '/rebate-rules/import/commit?effectiveFrom=2026-11-20', form: await rebateSheet() }) },
  'POST /rebates/calculate': { request: async ({ owner }) => (await rebateTable(), { path: '/rebates/calculate', json: await rebateInput(owner) }), outside: 404 },
  'POST /rebate-requests': {
    request: async ({ owner }) => (await rebateTable(), { path: '/rebate-requests', json: { ...(await rebateInput(owner)), rateBp: 150 }, headers: idem() }),
    outside: 404,
  },
  'GET /rebate-requests': { request: () => ({ path: '/rebate-requests' }) },
  'GET /rebate-requests/:id': { request: async ({ owner }) => ({ path: `/rebate-requests/${await rebateRequestOf(owner)}` }), outside: 404 },
  'POST /rebate-requests/:id/decision': { request: async ({ owner }) => ({ path: `/rebate-requests/${await newRebateRequest(owner)}/decision`, json: { action: 'approve' } }), outside: 404 },
  'POST /rebate-requests/:id/resubmit': { request: async ({ owner }) => ({ path: `/rebate-requests/${await rebateToResubmit(owner)}/resubmit` }), outside: 404 },
  'GET /customers/:id/rebate-documents': { request: async ({ owner }) => ({ path: `/customers/${await customerOf(owner)}/rebate-documents` }), outside: 404 },
  'POST /customers/:id/rebate-documents': { request: async ({ owner }) => ({ path: `/customers/${await customerOf(owner)}/rebate-documents?documentType=${encodeURIComponent('发票')}`, form: photoForm() }), outside: 404 },

  // winning plays: suggestions for whoever fills visits (the customer in reach); the table and hiding for directors (their region) and admins
  'GET /plays/suggestions': { request: async ({ owner }) => ({ path: `/plays/suggestions?bottleneck=${encodeURIComponent('集采降价压力')}&customerId=${await customerOf(owner)}` }), outside: 404 },
  'GET /plays': { request: () => ({ path: '/plays' }) },
  'POST /plays/:key/hide': { request: async ({ owner }) => ({ path: `/plays/${await playIn(owner)}/hide?regionId=${owner.regionId}` }), outside: 404 },
  'POST /plays/:key/unhide': { request: async ({ owner }) => ({ path: `/plays/${await playIn(owner)}/unhide?regionId=${owner.regionId}` }), outside: 404 },
  // campaigns: managers (a supervisor's team, a director's region) plan, launch, read the board and answer exceptions;
  // the rep holding a target (or their supervisor) reports one
  'GET /campaigns': { request: () => ({ path: '/campaigns' }) },
  'POST /campaigns': { request: async ({ owner }) => ({ path: '/campaigns', json: campaignPlan([await customerOf(owner)], false) }), outside: 422 },
  'POST /campaigns/targets/preview': { request: () => ({ path: '/campaigns/targets/preview', json: { filter: { stages: ['lead'] } } }) },
  'POST /campaigns/targets/xlsx': { request: async () => ({ path: '/campaigns/targets/xlsx', form: xlsxForm(await buildWorkbook([['客户名称'], ['权限名单医院']])) }) },
  'GET /campaigns/mine': { request: () => ({ path: '/campaigns/mine' }) },
  'GET /campaigns/:id': { request: async ({ who, owner }) => ({ path: `/campaigns/${(await newCampaign(who, owner, false)).id}` }), outside: 404 },
  'POST /campaigns/:id/launch': { request: async ({ who, owner }) => ({ path: `/campaigns/${(await newCampaign(who, owner, false)).id}/launch` }), outside: 404 },
  'POST /campaigns/:id/close': { request: async ({ who, owner }) => ({ path: `/campaigns/${(await newCampaign(who, owner)).id}/close` }), outside: 404 },
  'GET /campaigns/:id/board': { request: async ({ who, owner }) => ({ path: `/campaigns/${(await newCampaign(who, owner)).id}/board` }), outside: 404 },
  'GET /campaigns/:id/targets': { request: async ({ who, owner }) => ({ path: `/campaigns/${(await newCampaign(who, owner)).id}/targets` }), outside: 404 },
  'POST /campaign-targets/:id/exceptions': { request: async ({ who, owner }) => ({ path: `/campaign-targets/${(await newCampaign(who, owner)).targetId}/exceptions`, json: { reason: '客户拒绝' } }), outside: 404 },
  'POST /campaign-exceptions/:id/resolve': { request: async ({ who, owner }) => ({ path: `/campaign-exceptions/${await newCampaignException(who, owner)}/resolve`, json: { action: 'answer', text: '已了解' } }), outside: 404 },

  // dashboards: each with the team filter (out of reach: 404 团队不存在) or the rep its drill-down is about
  ...dashboardSamples(),

  // deliveries (admin)
  'GET /admin/channel-health': { request: () => ({ path: '/admin/channel-health' }) },
  'GET /admin/deliveries': { request: () => ({ path: '/admin/deliveries' }) },
  'POST /admin/deliveries/:id/resend': {
    request: async () => {
      const failed = await h.db.getRepository(Delivery).save({
        outboxId: 0, channel: 'wecom_robot', target: `wecom_robot:authz-matrix-${++seq}`, body: {}, status: 'failed', attempts: 1, nextAttemptAt: h.clock.now(),
        sentAt: null, attemptStartedAt: null, lastError: '权限矩阵测试', responseCode: null, subject: null, pendingSince: null,
      });
      return { path: `/admin/deliveries/${failed.id}/resend` };
    },
  },
  'POST /admin/deliveries/resend': { request: () => ({ path: '/admin/deliveries/resend', json: { channel: 'wecom_robot', status: 'dead' } }) },
  'GET /admin/delivery-targets': { request: () => ({ path: '/admin/delivery-targets' }) },
};

const keyOf = (r: AnyRoute) => `${r.method.toUpperCase()} ${r.path}`;
const onRecord = (r: AnyRoute) => r.path.includes('/:');

async function call(r: AnyRoute, req: Req, token: string | undefined) {
  const auth = req.token ?? token;
  return api(h.url, r.method.toUpperCase(), `/api/v1${req.path}`, {
    ...(auth ? { token: auth } : {}),
    ...(req.json !== undefined ? { json: req.json } : {}),
    ...(req.form ? { form: req.form } : {}),
    headers: req.headers ?? {},
  });
}
const got = (res: { status: number; body: any }) => `${res.status}${res.body?.error ? ` ${res.body.error.code}` : ''}`;

beforeAll(async () => {
  paySim = await new WechatPaySimulator().start();
  h = await startHarness({ env: paySim.env() });
  // WeChat Pay checks request timestamps against its own clock: the harness's
  paySim.now = () => h.clock.now().getTime();
  org = await buildOrg(h);
});
afterAll(async () => {
  await h.close();
  await paySim.stop();
});

describe('the permission matrix over the route table', () => {
  it('every route has a sample request (a new route must get one here), and every sample a route', () => {
    const keys = h.routes.map(keyOf);
    expect(keys.filter((k) => !(k in SAMPLES))).toEqual([]);
    expect(Object.keys(SAMPLES).filter((k) => !keys.includes(k))).toEqual([]);
    // public exactly where the table says so, open to every member exactly where the samples say so
    expect(h.routes.filter((r) => r.access === 'member').map(keyOf).sort()).toEqual(
      Object.keys(SAMPLES).filter((k) => typeof SAMPLES[k] === 'object' && (SAMPLES[k] as Sample).member).sort(),
    );
    expect(h.routes.filter((r) => r.access === 'public').map(keyOf).sort()).toEqual(Object.keys(SAMPLES).filter((k) => SAMPLES[k] === 'public').sort());
  });

  it('a route on a record whose right reaches less than everything says how a record outside the reach answers', () => {
    const missing = h.routes
      .filter((r) => r.can && onRecord(r) && ROLES.some((role) => !['all', 'none'].includes(scopeOf(role, r.can!))))
      .filter((r) => typeof SAMPLES[keyOf(r)] === 'object' && (SAMPLES[keyOf(r)] as Sample).outside === undefined)
      .map(keyOf);
    expect(missing).toEqual([]);
  });

  it('without a session every non-public route answers 401', async () => {
    const wrong: string[] = [];
    for (const r of h.routes.filter((x) => x.access !== 'public')) {
      const sample = SAMPLES[keyOf(r)];
      if (typeof sample !== 'object') continue;
      const res = await call(r, { ...(await sample.request({ who: org.repA, owner: org.repA, teamId: org.teamIds.team1 })), token: undefined }, undefined);
      if (res.status !== 401 || res.body.error?.code !== 'UNAUTHENTICATED') wrong.push(`${keyOf(r)}: ${got(res)}`);
    }
    expect(wrong).toEqual([]);
  });

  it.each(ROLES.map((role) => [ROLE_LABELS[role], role] as const))('%s (%s): each route answers as the matrix says, inside and outside the reach', async (_label, role) => {
    const who = caller(role);
    const token = org.token(who);
    const wrong: string[] = [];
    for (const r of h.routes.filter((x) => x.access !== 'public')) {
      const sample = SAMPLES[keyOf(r)];
      if (typeof sample !== 'object') {
        wrong.push(`${keyOf(r)}: no sample`);
        continue;
      }
      const inside: Target = { who, owner: org.repA, teamId: org.teamIds.team1 };
      const res = await call(r, await sample.request(inside), token);
      const label = `${keyOf(r)} as ${role}`;
      if (r.can && !can(role, r.can)) {
        if (res.status !== 403 || res.body.error?.code !== 'FORBIDDEN') wrong.push(`${label}: expected 403 FORBIDDEN (no ${r.can}), got ${got(res)}`);
        continue;
      }
      if (!r.can) {
        // what every member may do: never refused for the role (the record itself may still say 404)
        if (res.status === 401 || res.status === 403) wrong.push(`${label}: a member route refused the role: ${got(res)}`);
        continue;
      }
      const works = (status: number, owner: Member) => (sample.ownerOnly && owner.id !== who.id ? status === sample.ownerOnly : status >= 200 && status < 300);
      const working = (owner: Member) => (sample.ownerOnly && owner.id !== who.id ? `${sample.ownerOnly} (only the owner)` : '2xx');
      if (!works(res.status, inside.owner)) wrong.push(`${label}: expected ${working(inside.owner)} inside the reach (${r.can}: ${scopeOf(role, r.can)}), got ${got(res)}`);
      const rule = scopeOf(role, r.can as Action);
      if (sample.outside === undefined) continue;
      if (rule === 'all') {
        // reaching everything: another region's record works as well
        const far = await call(r, await sample.request({ who, owner: org.repE, teamId: org.teamIds.team3 }), token);
        if (!works(far.status, org.repE)) wrong.push(`${label}: expected ${working(org.repE)} on another region's record (${r.can}: all), got ${got(far)}`);
      } else {
        const owner = outsider(rule)!;
        const out = await call(r, await sample.request({ who, owner, teamId: outsideTeam(rule) ?? org.teamIds.team3 }), token);
        if (out.status !== sample.outside) wrong.push(`${label}: expected ${sample.outside} on ${owner.name}'s record (${r.can}: ${rule}), got ${got(out)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
