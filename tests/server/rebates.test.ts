import type { RebateRuleInput } from '@anchor/shared';
import { loadPolicy } from '../../server/src/config/policy';
import { withSqlTransaction } from '../../server/src/db/sql';
import type { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { api, xlsxForm } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { buildWorkbook, readWorkbook } from '../support/xlsx';

// The rebate calculator (SPEC §8) over real HTTP and a real database: finance's table and its checks,
// the calculator at the edges of its bands, versions by effective date, documents, and the request's
// states in the finance pool, each kept and messaged once. The clock: Friday 2026-11-20 10:00 Shanghai.
let h: Harness;
let org: OrgFixture;
const start = new Date('2026-11-20T02:00:00Z');
// the product models an admin lists in policy.yaml (options.productModels: the contracts' list too)
const MODELS = ['GX-200', 'GX-300', 'MX-3'];
const policy = { ...loadPolicy(), options: { ...loadPolicy().options, productModels: MODELS } };

beforeAll(async () => {
  h = await startHarness({ now: start, policy, env: { WECOM_CORP_ID: 'ww-rebate', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 'rebate-secret' } });
  org = await buildOrg(h);
  await h.db.query('UPDATE member SET wecomUserId = ? WHERE id = ?', ['rep-a-wecom', org.repA.id]);
});
afterAll(() => h.close());

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const as = (who: Member) => ({ token: org.token(who) });
let seq = 0;

async function customer(owner: Member, grade: string | null = 'A+', industry = '公立医院'): Promise<{ id: number; name: string }> {
  const name = `返点测试医院${++seq}号`;
  const res = await api(h.url, 'POST', '/api/v1/customers', { ...as(org.admin), json: { name, industry, ownerId: owner.id, grade } });
  expect(res.status).toBe(201);
  return { id: res.body.id, name };
}

const KEY = { grade: 'A+', customerType: '公立医院', productModel: 'GX-200', deliveryCycle: '30天' };
const ANY = { grade: '', customerType: '', productModel: '', deliveryCycle: '' };
const rule = (over: Partial<RebateRuleInput>): RebateRuleInput => ({ ...KEY, minFen: 0, maxFen: null, rateMinBp: 300, rateMaxBp: 500, documents: [], payoutDelayDays: 10, ...over });
/** ¥0–¥100,000 3–5 %, from ¥100,000 4–6 % for the key; anything else 1–2 % paid in 2 working days. */
const TABLE: RebateRuleInput[] = [
  rule({ minFen: 0, maxFen: 10_000_000, documents: ['合同扫描件', '发票'] }),
  rule({ minFen: 10_000_000, maxFen: null, rateMinBp: 400, rateMaxBp: 600, documents: ['合同扫描件', '发票', '签收单'] }),
  rule({ ...ANY, minFen: 0, maxFen: null, rateMinBp: 100, rateMaxBp: 200, payoutDelayDays: 2 }),
];
const save = (who: Member, effectiveFrom: string, rules: RebateRuleInput[], note = '') =>
  api(h.url, 'POST', '/api/v1/rebate-rules/versions', { ...as(who), json: { effectiveFrom, note, rules } });
const calculate = (who: Member, customerId: number, amountFen: number, extra: Record<string, unknown> = {}) =>
  api(h.url, 'POST', '/api/v1/rebates/calculate', { ...as(who), json: { customerId, productModel: 'GX-200', amountFen, deliveryCycle: '30天', ...extra } });
const versionCount = async () => Number((await h.db.query('SELECT COUNT(*) AS n FROM rebate_rule_version'))[0].n);

let v1: number;

describe('the rule table: saved as versions; overlapping or gapped bands refused, naming the rows', () => {
  it('refuses overlapping bands of one key, naming both rows and their bands, and writes nothing', async () => {
    const before = await versionCount();
    const res = await save(org.finance, '2026-11-20', [TABLE[0]!, rule({ minFen: 9_000_000, maxFen: null }), TABLE[2]!]);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('REBATE_TABLE_INVALID');
    expect(res.body.error.fields).toEqual({ 第2行: '第 1 行（¥0.00–¥100,000.00）与第 2 行（¥90,000.00 以上）的金额区间重叠（同一规则键 A+ · 公立医院 · GX-200 · 30天）' });
    expect(res.body.error.message).toContain('第 2 行');
    expect(await versionCount()).toBe(before);
  });

  it('refuses a gap between bands of one key, naming the rows and the amounts nobody covers', async () => {
    const res = await save(org.finance, '2026-11-20', [TABLE[0]!, rule({ minFen: 12_000_000, maxFen: null }), TABLE[2]!]);
    expect(res.status).toBe(422);
    expect(res.body.error.fields).toEqual({ 第2行: '第 1 行（¥0.00–¥100,000.00）与第 2 行（¥120,000.00 以上）之间有空档：¥100,000.00–¥120,000.00 没有规则（同一规则键 A+ · 公立医院 · GX-200 · 30天）' });
  });

  it('refuses values outside the policy lists, an upside-down band or range, and a past effective date', async () => {
    const res = await save(org.finance, '2026-11-20', [rule({ grade: 'S', productModel: 'GX-999', deliveryCycle: '45天', documents: ['收据'], minFen: 500, maxFen: 100, rateMinBp: 600, rateMaxBp: 500 })]);
    expect(res.status).toBe(422);
    expect(res.body.error.fields.第1行).toBe([
      '客户等级「S」不在可选范围内（A+、A、B、C，或留空表示不限）',
      '产品型号「GX-999」不在可选范围内（GX-200、GX-300、MX-3，或留空表示不限）',
      '交付周期「45天」不在可选范围内（现货、30天、60天、90天，或留空表示不限）',
      '单据「收据」不在可选范围内（合同扫描件、发票、出库单、签收单）',
      '金额上限须大于下限（¥5.00–¥1.00）',
      '返点上限不能小于下限',
    ].join('；'));
    const past = await save(org.finance, '2026-11-19', TABLE);
    expect(past.status).toBe(422);
    expect(past.body.error.fields.effectiveFrom).toBe('生效日期不能早于今天（2026-11-20）');
  });

  it('saves a good table as version 1 (finance or admin only), and the table reads back with its rows', async () => {
    expect((await save(org.repA, '2026-11-20', TABLE)).status).toBe(403);
    expect((await save(org.marketing, '2026-11-20', TABLE)).status).toBe(403);
    const res = await save(org.finance, '2026-11-20', TABLE, '2026 Q4');
    expect(res.status).toBe(201);
    v1 = res.body.id;
    expect(res.body).toMatchObject({ version: v1, effectiveFrom: '2026-11-20', note: '2026 Q4', ruleCount: 3, createdBy: { id: org.finance.id, name: '财务' } });
    const table = await api(h.url, 'GET', '/api/v1/rebate-rules', as(org.repA));
    expect(table.status).toBe(200);
    expect(table.body.inForceId).toBe(v1);
    expect(table.body.rules.map((r: { row: number; minFen: number; maxFen: number | null }) => [r.row, r.minFen, r.maxFen])).toEqual([[1, 0, 10_000_000], [2, 10_000_000, null], [3, 0, null]]);
    expect(table.body.choices.deliveryCycles).toEqual(['现货', '30天', '60天', '90天']);
    expect(table.body.choices.productModels).toEqual(MODELS);
    expect(table.body.problems).toEqual([]);
    expect((await api(h.url, 'GET', '/api/v1/rebate-rules', as(org.marketing))).status).toBe(403);
  });
});

describe('the calculator', () => {
  it('takes the band an amount falls in at both edges of ¥100,000 ([min, max)), with the range and the amount in fen', async () => {
    const c = await customer(org.repA);
    const below = await calculate(org.repA, c.id, 9_999_999);
    expect(below.status).toBe(200);
    expect(below.body).toMatchObject({ rateMinBp: 300, rateMaxBp: 500, rebateMinFen: 300_000, rebateMaxFen: 500_000, rule: { versionId: v1, version: v1, row: 1 } });
    const at = await calculate(org.repA, c.id, 10_000_000);
    expect(at.body).toMatchObject({ rateMinBp: 400, rateMaxBp: 600, rebateMinFen: 400_000, rebateMaxFen: 600_000, rule: { row: 2 } });
    expect(at.body.rule.key).toBe('A+ · 公立医院 · GX-200 · 30天（¥100,000.00 以上，自 2026-11-20 起）');
    const bottom = await calculate(org.repA, c.id, 1);
    expect(bottom.body).toMatchObject({ rule: { row: 1 }, rebateMinFen: 0, rebateMaxFen: 0 });
  });

  it('a key the specific rule does not name falls to the 不限 rule; the payout day counts working days (weekend skipped)', async () => {
    const c = await customer(org.repA, 'B');
    const res = await calculate(org.repA, c.id, 5_000_000);
    expect(res.body).toMatchObject({ rateMinBp: 100, rateMaxBp: 200, rule: { row: 3 }, payoutDelayDays: 2, calculatedOn: '2026-11-20', expectedPayoutDate: '2026-11-24' });
    // 10 working days from Friday 11-20: 11-23 … 11-27, 11-30 … 12-04
    const a = await customer(org.repA);
    expect((await calculate(org.repA, a.id, 5_000_000)).body.expectedPayoutDate).toBe('2026-12-04');
  });

  it('no rule for the key: 422 saying which key and amount have none', async () => {
    const only = await save(org.finance, '2026-11-20', [TABLE[0]!]);
    expect(only.status).toBe(201);
    const c = await customer(org.repA, 'B');
    const res = await calculate(org.repA, c.id, 5_000_000);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('REBATE_NO_RULE');
    expect(res.body.error.message).toBe(`没有适用的返点规则：客户等级 B · 客户类型 公立医院 · 产品型号 GX-200 · 交付周期 30天 · 订单金额 ¥50,000.00（第 ${only.body.id} 版返点政策），请联系财务`);
    // the table back as it was (same day: the later saved is in force)
    expect((await save(org.finance, '2026-11-20', TABLE)).status).toBe(201);
    expect((await calculate(org.repA, c.id, 5_000_000)).status).toBe(200);
  });

  it('a delivery cycle outside the policy list, or a customer outside the reach, is refused', async () => {
    const c = await customer(org.repA);
    const bad = await calculate(org.repA, c.id, 100, { deliveryCycle: '45天' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields.deliveryCycle).toContain('交付周期「45天」不在可选范围内');
    expect((await calculate(org.repB, c.id, 100)).status).toBe(404);
    expect((await calculate(org.supervisor1, c.id, 100)).status).toBe(200);
    expect((await calculate(org.supervisor2, c.id, 100)).status).toBe(404);
    expect((await calculate(org.finance, c.id, 100)).status).toBe(403);
  });

  it('a product model off the policy list is refused naming the field and the list; another spelling of a listed one reads as it', async () => {
    const c = await customer(org.repA);
    const off = await calculate(org.repA, c.id, 100, { productModel: 'GX-2000' });
    expect([off.status, off.body.error.fields]).toEqual([422, { productModel: '产品型号「GX-2000」不在可选范围内（GX-200、GX-300、MX-3）' }]);
    const spelled = await calculate(org.repA, c.id, 100, { productModel: ' ｇｘ-200 ' });
    expect(spelled.status).toBe(200);
    expect(spelled.body).toMatchObject({ productModel: 'GX-200', rule: { row: 1 } });
    // a request keeps the listed spelling
    const req = await api(h.url, 'POST', '/api/v1/rebate-requests', { ...as(org.repA), headers: { 'Idempotency-Key': 'spelled-1' }, json: { customerId: c.id, productModel: 'gx-200', amountFen: 100, deliveryCycle: '30天', rateBp: 300 } });
    expect([req.status, req.body.productModel]).toEqual([201, 'GX-200']);
    const refused = await api(h.url, 'POST', '/api/v1/rebate-requests', { ...as(org.repA), headers: { 'Idempotency-Key': 'off-list-1' }, json: { customerId: c.id, productModel: 'KX-10', amountFen: 100, deliveryCycle: '30天', rateBp: 300 } });
    expect([refused.status, refused.body.error.fields.productModel]).toEqual([422, '产品型号「KX-10」不在可选范围内（GX-200、GX-300、MX-3）']);
  });

  it('a version stored before models were a list keeps its rows, flagged by row; the calculator never takes an off-list row', async () => {
    // as a table saved with free-text models would be in the database: 「KX-10」 is no model of the list
    const old = await withSqlTransaction(h.db, async (sql) => {
      const id = await sql.insert('rebate_rule_version', [{ effectiveFrom: '2026-11-20', note: '旧版', ruleCount: 2, createdById: org.finance.id, createdAt: h.clock.now() }]);
      await sql.insert('rebate_rule', [['KX-10', 1, 900], ['', 2, 100]].map(([productModel, rowNo, rate]) => ({
        versionId: id, rowNo, grade: '', customerType: '', productModel, deliveryCycle: '', minFen: 0, maxFen: null, rateMinBp: rate, rateMaxBp: Number(rate) + 100, documents: '[]', payoutDelayDays: 2,
      })));
      return id;
    });
    const table = await api(h.url, 'GET', `/api/v1/rebate-rules?versionId=${old}`, as(org.finance));
    expect(table.body.rules.map((r: { productModel: string }) => r.productModel)).toEqual(['KX-10', '']);
    expect(table.body.problems).toEqual([{ row: 1, column: '产品型号', message: '产品型号「KX-10」不在可选范围内（GX-200、GX-300、MX-3，或留空表示不限）' }]);
    const c = await customer(org.repA);
    expect((await calculate(org.repA, c.id, 100, { productModel: 'KX-10' })).status).toBe(422);
    expect((await calculate(org.repA, c.id, 100)).body).toMatchObject({ rateMinBp: 100, rule: { versionId: old, row: 2 } });
    // the table back as it was (same day: the later saved is in force)
    expect((await save(org.finance, '2026-11-20', TABLE)).status).toBe(201);
  });

  it('documents still needed: what the rule requires minus what is filed for the customer', async () => {
    const c = await customer(org.repA);
    expect((await calculate(org.repA, c.id, 20_000_000)).body).toMatchObject({ documentsRequired: ['合同扫描件', '发票', '签收单'], documentsMissing: ['合同扫描件', '发票', '签收单'] });
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), '发票.png');
    const up = await api(h.url, 'POST', `/api/v1/customers/${c.id}/rebate-documents?documentType=${encodeURIComponent('发票')}`, { ...as(org.repA), form });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ customerId: c.id, documentType: '发票' });
    const after = await calculate(org.repA, c.id, 20_000_000);
    expect(after.body).toMatchObject({ documentsAttached: ['发票'], documentsMissing: ['合同扫描件', '签收单'] });
    // the file is the customer's: its owner and finance download it, a teammate does not
    expect((await api(h.url, 'GET', `/api/v1/attachments/${up.body.attachmentId}`, as(org.finance))).status).toBe(200);
    expect((await api(h.url, 'GET', `/api/v1/attachments/${up.body.attachmentId}`, as(org.repB))).status).toBe(404);
    const wrongType = new FormData();
    wrongType.append('file', new Blob([PNG], { type: 'image/png' }), 'x.png');
    const refused = await api(h.url, 'POST', `/api/v1/customers/${c.id}/rebate-documents?documentType=${encodeURIComponent('收据')}`, { ...as(org.repA), form: wrongType });
    expect(refused.status).toBe(422);
    expect(refused.body.error.fields.documentType).toContain('单据类型「收据」不在可选范围内');
  });
});

describe('versions by effective date', () => {
  it('a version saved for a later day leaves today\'s calculation alone and takes over on its day; a request keeps its version', async () => {
    const c = await customer(org.repA, 'C');
    const later = await save(org.finance, '2026-11-23', [...TABLE.slice(0, 2), rule({ ...ANY, rateMinBp: 150, rateMaxBp: 250, payoutDelayDays: 1 })]);
    expect(later.status).toBe(201);
    const today = await calculate(org.repA, c.id, 1_000_000);
    expect(today.body).toMatchObject({ rateMinBp: 100, rateMaxBp: 200 });
    expect(today.body.rule.versionId).not.toBe(later.body.id);
    const req = await api(h.url, 'POST', '/api/v1/rebate-requests', { ...as(org.repA), headers: { 'Idempotency-Key': `version-${seq}` }, json: { customerId: c.id, productModel: 'GX-200', amountFen: 1_000_000, deliveryCycle: '30天', rateBp: 200 } });
    expect(req.status).toBe(201);
    h.clock.set(new Date('2026-11-23T01:00:00Z')); // Monday 09:00
    try {
      const monday = await calculate(org.repA, c.id, 1_000_000);
      expect(monday.body).toMatchObject({ rateMinBp: 150, rateMaxBp: 250, rule: { versionId: later.body.id }, expectedPayoutDate: '2026-11-24' });
      const kept = await api(h.url, 'GET', `/api/v1/rebate-requests/${req.body.id}`, as(org.repA));
      expect(kept.body).toMatchObject({ rateMinBp: 100, rateMaxBp: 200, rule: { versionId: today.body.rule.versionId } });
      // the table of a day, and of a version
      expect((await api(h.url, 'GET', '/api/v1/rebate-rules?at=2026-11-22', as(org.finance))).body.version.id).toBe(today.body.rule.versionId);
      expect((await api(h.url, 'GET', '/api/v1/rebate-rules', as(org.finance))).body.version.id).toBe(later.body.id);
    } finally {
      h.clock.set(start);
    }
  });
});

describe('the rule cache with two servers', () => {
  it('a version saved on one server is what the other calculates with on its next calculation', async () => {
    const other = await startHarness({ sharedDatabaseUrl: h.dbUrl, now: start, policy });
    try {
      const c = await customer(org.repA, 'B');
      const on = (url: string) => api(url, 'POST', '/api/v1/rebates/calculate', { ...as(org.repA), json: { customerId: c.id, productModel: 'GX-200', amountFen: 1_000_000, deliveryCycle: '30天' } });
      const before = await on(other.url); // the other server has the table cached now
      expect(before.status).toBe(200);
      const saved = await save(org.finance, '2026-11-20', [...TABLE.slice(0, 2), rule({ ...ANY, rateMinBp: 120, rateMaxBp: 180, payoutDelayDays: 2 })]);
      expect(saved.status).toBe(201);
      const after = await on(other.url);
      expect(after.body).toMatchObject({ rateMinBp: 120, rateMaxBp: 180, rule: { versionId: saved.body.id } });
      expect((await save(org.finance, '2026-11-20', TABLE)).status).toBe(201);
      expect((await on(other.url)).body).toMatchObject({ rateMinBp: 100, rateMaxBp: 200 });
    } finally {
      await other.close();
    }
  });
});

const outbox = async (requestId: number) =>
  ((await h.db.query("SELECT payload FROM outbox_message WHERE kind = 'rebate.changed' ORDER BY id")) as Array<{ payload: string | Record<string, unknown> }>)
    .map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { requestId: number; eventId: number })
    .filter((p) => p.requestId === requestId);
const plan = async (payload: Record<string, unknown>) => withSqlTransaction(h.db, (sql) => h.services.messages.plan(sql, { id: 0, kind: 'rebate.changed', teamId: null, payload }));
const decide = (who: Member, id: number, json: Record<string, unknown>) => api(h.url, 'POST', `/api/v1/rebate-requests/${id}/decision`, { ...as(who), json });

describe('a rebate request in the finance pool', () => {
  const submit = (who: Member, customerId: number, key: string, over: Record<string, unknown> = {}) =>
    api(h.url, 'POST', '/api/v1/rebate-requests', { ...as(who), headers: { 'Idempotency-Key': key }, json: { customerId, productModel: 'GX-200', amountFen: 20_000_000, deliveryCycle: '30天', rateBp: 550, note: '年度大单', ...over } });

  it('refuses a rate outside the range; the same Idempotency-Key again answers the one request it made', async () => {
    const c = await customer(org.repA);
    const out = await submit(org.repA, c.id, 'rate-out-1', { rateBp: 650 });
    expect(out.status).toBe(422);
    expect(out.body.error.message).toBe('返点比例 6.5% 超出合规范围 4%–6%');
    const [first, again] = [await submit(org.repA, c.id, 'same-key-1'), await submit(org.repA, c.id, 'same-key-1')];
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(Number((await h.db.query('SELECT COUNT(*) AS n FROM rebate_request WHERE customerId = ?', [c.id]))[0].n)).toBe(1);
    expect(first.body).toMatchObject({ state: 'pending', stateLabel: '待财务审核', amountFen: 20_000_000, rateBp: 550, rebateFen: 1_100_000, documentsRequired: ['合同扫描件', '发票', '签收单'], round: 1 });
    // in the finance pool: a task any finance member can take
    const pool = await api(h.url, 'GET', '/api/v1/tasks?as=pool', as(org.finance));
    const task = pool.body.items.find((t: { id: number }) => t.id === first.body.taskId);
    expect(task).toMatchObject({ kind: 'rebate_request', kindLabel: '返点申请', assigneePool: 'finance', title: `${c.name} · ¥11,000.00` });
    expect(task.lines).toContain('返点：5.5% · ¥11,000.00');
  });

  it('documents missing → the rep is told once which; resubmit refused until filed; then approve, paid — each kept, each messaged once; replays change nothing', async () => {
    const c = await customer(org.repA);
    const created = await submit(org.repA, c.id, 'machine-1');
    const id = created.body.id as number;
    // finance names what is missing (an unknown type or none is refused)
    expect((await decide(org.finance, id, { action: 'documents_missing', documents: [] })).status).toBe(422);
    expect((await decide(org.finance, id, { action: 'documents_missing', documents: ['收据'] })).body.error.fields.documents).toContain('单据「收据」不在可选范围内');
    const missing = await decide(org.finance, id, { action: 'documents_missing', documents: ['发票', '签收单'], reason: '发票抬头不符' });
    expect(missing.status).toBe(200);
    expect(missing.body).toMatchObject({ state: 'documents_missing', documentsMissing: ['发票', '签收单'], documentsStillMissing: ['发票', '签收单'], changed: true, taskId: null });
    // a replay of the same decision changes nothing; another decision now is refused
    expect((await decide(org.finance, id, { action: 'documents_missing', documents: ['发票'] })).body).toMatchObject({ changed: false, documentsMissing: ['发票', '签收单'] });
    const late = await decide(org.finance, id, { action: 'approve' });
    expect([late.status, late.body.error.code, late.body.error.message]).toEqual([409, 'REBATE_STATE_CONFLICT', '该返点申请待补资料，不能再审核通过']);
    // the rep's message, once, naming the documents; the engine's own 「审批驳回」 is not sent for this kind
    const sent = await outbox(id);
    expect(sent).toHaveLength(1);
    const texts = await plan(sent[0]!);
    expect(texts[0]).toMatchObject({ channel: 'wecom_app', target: 'wecom_app:rep-a-wecom' });
    expect((texts[0]!.body as { text: { content: string } }).text.content).toContain(`【返点待补资料】客户「${c.name}」订单 ¥200,000.00 的返点 ¥11,000.00（5.5%）需补充单据：发票、签收单。`);
    expect(Number((await h.db.query("SELECT COUNT(*) AS n FROM outbox_message WHERE kind = 'approval.decided' AND payload LIKE ?", [`%"approvalId":${(await h.db.query('SELECT approvalId FROM rebate_request WHERE id = ?', [id]))[0].approvalId},%`]))[0].n)).toBe(0);

    // resubmitting before filing both is refused, naming what is still missing
    const early = await api(h.url, 'POST', `/api/v1/rebate-requests/${id}/resubmit`, as(org.repA));
    expect([early.status, early.body.error.message]).toEqual([422, '仍缺少单据：发票、签收单，请先上传再重新提交']);
    for (const type of ['发票', '签收单']) {
      const form = new FormData();
      form.append('file', new Blob([PNG], { type: 'image/png' }), `${type}.png`);
      expect((await api(h.url, 'POST', `/api/v1/customers/${c.id}/rebate-documents?documentType=${encodeURIComponent(type)}`, { ...as(org.repA), form })).status).toBe(201);
    }
    expect((await api(h.url, 'POST', `/api/v1/rebate-requests/${id}/resubmit`, as(org.repB))).status).toBe(404);
    const again = await api(h.url, 'POST', `/api/v1/rebate-requests/${id}/resubmit`, as(org.repA));
    expect(again.body).toMatchObject({ state: 'pending', round: 2, changed: true });
    expect(again.body.taskId).not.toBeNull();
    expect((await api(h.url, 'POST', `/api/v1/rebate-requests/${id}/resubmit`, as(org.repA))).body).toMatchObject({ changed: false, round: 2 });

    // approve from the finance pool's task (as the chat card's button does), then a replayed click
    const approve = await api(h.url, 'POST', `/api/v1/tasks/${again.body.taskId}/actions`, { ...as(org.finance), json: { action: 'approve', comment: '单据齐全' } });
    expect([approve.status, approve.body.changed]).toEqual([200, true]);
    const replay = await api(h.url, 'POST', `/api/v1/tasks/${again.body.taskId}/actions`, { ...as(org.finance), json: { action: 'approve' } });
    expect(replay.body.changed).toBe(false);
    expect((await decide(org.finance, id, { action: 'approve' })).body).toMatchObject({ state: 'approved', changed: false });
    const reject = await decide(org.finance, id, { action: 'reject', reason: '再想想' });
    expect([reject.status, reject.body.error.message]).toEqual([409, '该返点申请已通过，不能再驳回']);

    // paid, once
    expect((await decide(org.finance, id, { action: 'paid' })).body).toMatchObject({ state: 'paid', changed: true });
    expect((await decide(org.finance, id, { action: 'paid' })).body).toMatchObject({ state: 'paid', changed: false });
    expect((await decide(org.admin, id, { action: 'paid' })).status).toBe(403);

    const detail = await api(h.url, 'GET', `/api/v1/rebate-requests/${id}`, as(org.repA));
    expect(detail.body.history.map((e: { from: string | null; to: string; by: { name: string } }) => [e.from, e.to, e.by.name])).toEqual([
      [null, 'pending', '代表甲'],
      ['pending', 'documents_missing', '财务'],
      ['documents_missing', 'pending', '代表甲'],
      ['pending', 'approved', '财务'],
      ['approved', 'paid', '财务'],
    ]);
    // three changes the rep hears of, three messages: documents missing, approved, paid
    const all = await outbox(id);
    expect(all).toHaveLength(3);
    const words = await Promise.all(all.map(async (p) => ((await plan(p))[0]!.body as { text: { content: string } }).text.content.split('】')[0]));
    expect(words).toEqual(['【返点待补资料', '【返点已通过', '【返点已打款']);
  });

  it('reject needs a reason and ends it; marking a pending request paid is refused', async () => {
    const c = await customer(org.repA);
    const id = (await submit(org.repA, c.id, 'reject-1')).body.id;
    expect((await decide(org.finance, id, { action: 'paid' })).body.error.message).toBe('该返点申请待财务审核，不能再标记为已打款');
    expect((await decide(org.finance, id, { action: 'reject' })).body.error.fields.reason).toBe('请填写驳回理由');
    const res = await decide(org.finance, id, { action: 'reject', reason: '本季度已返点' });
    expect(res.body).toMatchObject({ state: 'rejected', reason: '本季度已返点', changed: true });
    const [p] = await outbox(id);
    expect(((await plan(p!))[0]!.body as { text: { content: string } }).text.content).toContain('被 财务 驳回，理由：本季度已返点');
  });

  it('is seen by the rep who asked, their supervisor and director, finance and admins — not a teammate, another team, another region or marketing', async () => {
    const c = await customer(org.repA);
    const made = await submit(org.repA, c.id, 'scope-key-1');
    expect(made.status).toBe(201);
    const id = made.body.id;
    const status = async (who: Member) => (await api(h.url, 'GET', `/api/v1/rebate-requests/${id}`, as(who))).status;
    expect(await Promise.all([org.repA, org.supervisor1, org.directorEast, org.finance, org.admin].map(status))).toEqual([200, 200, 200, 200, 200]);
    expect(await Promise.all([org.repB, org.supervisor2, org.directorWest].map(status))).toEqual([404, 404, 404]);
    expect(await status(org.marketing)).toBe(403);
    const mine = await api(h.url, 'GET', '/api/v1/rebate-requests?state=pending', as(org.repB));
    expect(mine.body.items.map((r: { id: number }) => r.id)).not.toContain(id);
    const queue = await api(h.url, 'GET', '/api/v1/rebate-requests?state=pending', as(org.finance));
    expect(queue.body.items.map((r: { id: number }) => r.id)).toContain(id);
    expect(queue.body.counts.pending).toBeGreaterThanOrEqual(1);
  });
});

describe('the rule table as .xlsx', () => {
  const HEADER = ['客户等级', '客户类型', '产品型号', '交付周期', '金额下限（元）', '金额上限（元）', '返点下限（%）', '返点上限（%）', '所需单据', '打款周期（工作日）'];
  const send = (step: 'preview' | 'commit', file: Buffer, query = '') =>
    api(h.url, 'POST', `/api/v1/rebate-rules/import/${step}${query}`, { ...as(org.finance), form: xlsxForm(file, '返点政策.xlsx') });

  it('exports the table in force, and the export re-imports as is', async () => {
    const res = await api(h.url, 'GET', '/api/v1/rebate-rules/export.xlsx', as(org.finance));
    expect(res.status).toBe(200);
    const book = await readWorkbook(res.body as Buffer);
    expect(book.sheetNames).toEqual(['返点政策', '填写说明']);
    expect(book.rows[0]).toEqual(HEADER);
    expect(book.rows[1]).toEqual(['A+', '公立医院', 'GX-200', '30天', 0, 100000, 3, 5, '合同扫描件、发票', 10]);
    expect(book.rows[3]).toEqual(['不限', '不限', '不限', '不限', 0, null, 1, 2, null, 2]);
    const preview = await send('preview', res.body as Buffer);
    expect(preview.body).toMatchObject({ total: 3, valid: 3, invalidRows: 0, errors: [] });
  });

  it('previews each bad row by row number and column, overlap and gap included, and the commit refuses the whole file', async () => {
    const file = await buildWorkbook([
      HEADER,
      ['A+', '公立医院', 'GX-300', '30天', 0, 50000, 3, 5, '发票', 10], // 2: fine
      ['A+', '公立医院', 'GX-300', '30天', 40000, null, 4, 6, '发票', 10], // 3: overlaps row 2
      ['A', '公立医院', 'GX-300', '30天', 0, 50000, 2, 4, '发票', 10], // 4
      ['A', '公立医院', 'GX-300', '30天', 60000, null, 3, 5, '发票', 10], // 5: gap after row 4
      ['S', '公立医院', 'GX-300', '30天', 0, null, 3, 5, '发票', 10], // 6: unknown grade
      ['B', '不限', '不限', '不限', '十万', null, '三成', 5, '', '两天'], // 7: three bad cells
    ]);
    const before = await versionCount();
    const res = await send('preview', file);
    expect(res.status).toBe(200);
    const rowCells = res.body.errors.filter((e: { row: number }) => e.row === 7).map((e: { column: string; message: string }) => `${e.column}: ${e.message}`);
    expect(rowCells).toEqual([
      '金额下限（元）: 金额下限（元）「十万」不是有效金额（元，最多两位小数）',
      '返点下限（%）: 返点下限（%）「三成」不是 0–100 之间的百分比（如 3 或 3.5%）',
      '打款周期（工作日）: 打款周期（工作日）「两天」须为 0–365 的整数',
    ]);
    expect(res.body).toMatchObject({ total: 6, invalidRows: 1 });
    // with row 7 fixed, the table's checks name the sheet's rows
    const fixed = await buildWorkbook([HEADER, ...[
      ['A+', '公立医院', 'GX-300', '30天', 0, 50000, 3, 5, '发票', 10],
      ['A+', '公立医院', 'GX-300', '30天', 40000, null, 4, 6, '发票', 10],
      ['A', '公立医院', 'GX-300', '30天', 0, 50000, 2, 4, '发票', 10],
      ['A', '公立医院', 'GX-300', '30天', 60000, null, 3, 5, '发票、签收单', 10],
      ['S', '公立医院', 'GX-300', '30天', 0, null, 3, 5, '发票', 10],
    ]]);
    const checked = await send('preview', fixed);
    expect(checked.body.errors.map((e: { row: number; message: string }) => `${e.row}: ${e.message}`)).toEqual([
      '3: 第 2 行（¥0.00–¥50,000.00）与第 3 行（¥40,000.00 以上）的金额区间重叠（同一规则键 A+ · 公立医院 · GX-300 · 30天）',
      '5: 第 4 行（¥0.00–¥50,000.00）与第 5 行（¥60,000.00 以上）之间有空档：¥50,000.00–¥60,000.00 没有规则（同一规则键 A · 公立医院 · GX-300 · 30天）',
      '6: 客户等级「S」不在可选范围内（A+、A、B、C，或留空表示不限）',
    ]);
    const refused = await send('commit', fixed, '?effectiveFrom=2026-11-20');
    expect([refused.status, refused.body.error.code, refused.body.error.message]).toEqual([422, 'REBATE_IMPORT_INVALID', '导入失败：3 行有问题，未导入任何规则']);
    expect(Object.keys(refused.body.error.fields)).toEqual(['第3行', '第5行', '第6行']);
    expect(await versionCount()).toBe(before);
  });

  it('a model off the policy list is named by row and column; a listed one in another spelling is saved as the list spells it', async () => {
    const file = await buildWorkbook([HEADER, ['A', '不限', 'gx-300 ', '现货', 0, null, 2, 3, '', 5], ['B', '不限', 'ZZ-1', '现货', 0, null, 2, 3, '', 5]]);
    const res = await send('preview', file);
    expect(res.body.errors).toEqual([{ row: 3, column: '产品型号', message: '产品型号「ZZ-1」不在可选范围内（GX-200、GX-300、MX-3，或留空表示不限）' }]);
    const good = await send('commit', await buildWorkbook([HEADER, ['A', '不限', 'gx-300 ', '现货', 0, null, 2, 3, '', 5]]), '?effectiveFrom=2026-12-02');
    expect(good.status).toBe(201);
    const table = await api(h.url, 'GET', `/api/v1/rebate-rules?versionId=${good.body.id}`, as(org.finance));
    expect(table.body.rules[0].productModel).toBe('GX-300');
  });

  it('refuses a sheet without the needed headers or not an .xlsx; a good one commits as a new version', async () => {
    const noHeader = await send('preview', await buildWorkbook([['客户等级', '备注'], ['A', 'x']]));
    expect([noHeader.status, noHeader.body.error.message]).toEqual([422, '表头缺少：金额下限（元）、返点下限（%）、返点上限（%）、打款周期（工作日）（第一行须为表头，可先导出当前规则表作为模板）']);
    expect((await send('preview', Buffer.from('客户等级,金额下限\n'))).status).toBe(415);
    const good = await buildWorkbook([HEADER, ['A', '不限', 'MX-3', '现货', 0, null, '2.5%', 3, '合同扫描件，发票', 5]]);
    const res = await send('commit', good, '?effectiveFrom=2026-12-01&note=' + encodeURIComponent('12 月政策'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ effectiveFrom: '2026-12-01', note: '12 月政策', ruleCount: 1 });
    const table = await api(h.url, 'GET', `/api/v1/rebate-rules?versionId=${res.body.id}`, as(org.finance));
    expect(table.body.rules).toEqual([{ id: expect.any(Number), row: 2, grade: 'A', customerType: '', productModel: 'MX-3', deliveryCycle: '现货', minFen: 0, maxFen: null, rateMinBp: 250, rateMaxBp: 300, documents: ['合同扫描件', '发票'], payoutDelayDays: 5 }]);
    expect((await send('commit', good, '?effectiveFrom=2026-12-01').then(() => api(h.url, 'POST', '/api/v1/rebate-rules/import/commit?effectiveFrom=2026-12-01', { ...as(org.repA), form: xlsxForm(good, 'x.xlsx') }))).status).toBe(403);
  });
});
