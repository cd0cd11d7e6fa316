import { Customer } from '../../server/src/modules/customers/customer.entity';
import { CustomerStageChange } from '../../server/src/modules/customers/customer-history.entity';
import { DAY_MS } from '../../server/src/clock';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';

let h: Harness;
let org: OrgFixture;

const base = { name: '上海市第六人民医院', industry: '公立医院' };

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
});
afterAll(() => h.close());

const create = (token: string, json: unknown) => api(h.url, 'POST', '/api/v1/customers', { token, json });
const customerCount = () => h.db.getRepository(Customer).count();

describe('create', () => {
  it('stores a customer owned by the rep who creates it, in stage 线索 by default, with its first stage in history', async () => {
    const res = await create(org.token(org.repA), { ...base, name: '南京鼓楼医院', contactName: '王主任' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: '南京鼓楼医院', stage: 'lead', stageLabel: '线索', owner: { id: org.repA.id, name: '代表甲' }, contactName: '王主任' });
    const history = await api(h.url, 'GET', `/api/v1/customers/${res.body.id}/stage-history`, { token: org.token(org.repA) });
    expect(history.body.items).toEqual([expect.objectContaining({ from: null, to: 'lead', toLabel: '线索', changedBy: { id: org.repA.id, name: '代表甲' } })]);
  });

  it('refuses a duplicate name, also written with full-width characters and spaces', async () => {
    await create(org.token(org.repA), { ...base, name: '苏州大学附属第一医院' });
    const before = await customerCount();
    const res = await create(org.token(org.repB), { ...base, name: ' 苏州大学附属第一医院（ ）' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'DUPLICATE_CUSTOMER', fields: { name: expect.stringContaining('客户名称') } });
    expect(await customerCount()).toBe(before);
  });

  it('lets a supervisor create for a rep of the team but not for a rep of another team', async () => {
    const ok = await create(org.token(org.supervisor1), { ...base, name: '杭州市中医院', ownerId: org.repB.id });
    expect(ok.status).toBe(201);
    expect(ok.body.owner.id).toBe(org.repB.id);
    const refused = await create(org.token(org.supervisor1), { ...base, name: '杭州市儿童医院', ownerId: org.repC.id });
    expect(refused.status).toBe(422);
    expect(refused.body.error.fields.ownerId).toContain('负责人');
  });

  it('does not let a rep create a customer for someone else, nor finance create at all', async () => {
    const rep = await create(org.token(org.repA), { ...base, name: '无锡人民医院', ownerId: org.repB.id });
    expect(rep.status).toBe(422);
    const fin = await create(org.token(org.finance), { ...base, name: '无锡人民医院' });
    expect(fin.status).toBe(403);
    expect(fin.body.error.code).toBe('FORBIDDEN');
  });
});

describe('bad input changes nothing and is answered in Chinese, naming the field', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['missing name', { industry: '公立医院' }, 'name', /^请填写客户名称$/],
    ['missing industry', { name: '某医院' }, 'industry', /^请选择所属行业$/],
    ['empty name', { name: '   ', industry: '公立医院' }, 'name', /^请填写客户名称$/],
    ['over-long name', { name: '医'.repeat(101), industry: '公立医院' }, 'name', /客户名称不能超过 100 个字/],
    ['name of the wrong type', { name: 123, industry: '公立医院' }, 'name', /客户名称必须是文字/],
    ['unknown industry', { name: '某医院', industry: '火箭制造' }, 'industry', /所属行业不是有效选项/],
    ['unknown stage', { name: '某医院', industry: '公立医院', stage: 'won' }, 'stage', /当前阶段不是有效选项/],
    ['over-long notes', { name: '某医院', industry: '公立医院', notes: '字'.repeat(501) }, 'notes', /备注不能超过 500 个字/],
    ['percent out of range', { name: '某医院', industry: '公立医院', gradingInputs: { paymentOnTimeRate: 140 } }, 'gradingInputs.paymentOnTimeRate', /回款准时率不能大于 100/],
    ['unknown field', { name: '某医院', industry: '公立医院', secret: 1 }, '_', /不认识的字段/],
  ];
  it.each(cases)('%s → 422', async (_title, json, field, message) => {
    const before = await customerCount();
    const res = await create(org.token(org.repA), json);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.fields[field]).toMatch(message);
    expect(await customerCount()).toBe(before);
  });

  it('malformed JSON → 400 INVALID_JSON', async () => {
    const res = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), rawBody: '{"name": "x",', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'INVALID_JSON', message: '请求体不是合法的 JSON' });
  });

  it('a JSON array → 400, a body that is not JSON → 415', async () => {
    const arr = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: [1, 2] });
    expect(arr.status).toBe(400);
    const text = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), rawBody: 'name=x', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(text.body.error.message).toContain('JSON');
  });

  it('a 50 MB body → 413 without storing anything', async () => {
    const before = await customerCount();
    const huge = JSON.stringify({ name: '大', industry: '公立医院', notes: 'x'.repeat(50 * 1024 * 1024) });
    const res = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), rawBody: huge, headers: { 'content-type': 'application/json' } }).catch((e) => ({ status: 413, body: { error: { code: String(e) } } }));
    expect(res.status).toBe(413);
    expect(await customerCount()).toBe(before);
  });

  it('a bad id in the path → 404, not 500', async () => {
    for (const id of ['abc', '-1', '0', '99999999999999', '1.5']) {
      const res = await api(h.url, 'GET', `/api/v1/customers/${id}`, { token: org.token(org.admin) });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
  });

  it('an unknown list filter value → 422 naming the filter', async () => {
    const res = await api(h.url, 'GET', '/api/v1/customers?stage=won&pageSize=1000', { token: org.token(org.repA) });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.stage).toContain('当前阶段');
    expect(res.body.error.fields.pageSize).toContain('每页条数');
  });
});

describe('edit and stage history', () => {
  it('records who moved the stage, when, from and to; an edit without a stage change adds no history', async () => {
    const created = await create(org.token(org.repA), { ...base, name: '宁波市第一医院' });
    const id = created.body.id;
    h.clock.advance(60_000);
    const moved = await api(h.url, 'PATCH', `/api/v1/customers/${id}`, { token: org.token(org.repA), json: { stage: 'visit' } });
    expect(moved.status).toBe(200);
    expect(moved.body.stage).toBe('visit');
    h.clock.advance(60_000);
    const bySupervisor = await api(h.url, 'PATCH', `/api/v1/customers/${id}`, { token: org.token(org.supervisor1), json: { stage: 'proposal', contactName: '李院长' } });
    expect(bySupervisor.body).toMatchObject({ stage: 'proposal', contactName: '李院长' });
    await api(h.url, 'PATCH', `/api/v1/customers/${id}`, { token: org.token(org.repA), json: { address: '海曙区' } });
    const history = await api(h.url, 'GET', `/api/v1/customers/${id}/stage-history`, { token: org.token(org.repA) });
    expect(history.body.items.map((i: any) => [i.from, i.to, i.changedBy.name])).toEqual([
      ['visit', 'proposal', '一组主管'],
      ['lead', 'visit', '代表甲'],
      [null, 'lead', '代表甲'],
    ]);
    expect(new Date(history.body.items[0].changedAt).getTime()).toBe(h.clock.now().getTime());
  });

  it('refuses an empty edit and an unknown stage without changing the row', async () => {
    const created = await create(org.token(org.repA), { ...base, name: '温州医科大学附属医院' });
    const empty = await api(h.url, 'PATCH', `/api/v1/customers/${created.body.id}`, { token: org.token(org.repA), json: {} });
    expect(empty.status).toBe(422);
    const bad = await api(h.url, 'PATCH', `/api/v1/customers/${created.body.id}`, { token: org.token(org.repA), json: { stage: '成交', name: '新名字' } });
    expect(bad.status).toBe(422);
    const row = await h.db.getRepository(Customer).findOneByOrFail({ id: created.body.id });
    expect(row).toMatchObject({ name: '温州医科大学附属医院', stage: 'lead' });
    expect(await h.db.getRepository(CustomerStageChange).countBy({ customerId: created.body.id })).toBe(1);
  });
});

describe('search and filters', () => {
  beforeAll(async () => {
    const names = ['绍兴市人民医院', '嘉兴市第二人民医院', '合肥市口腔医院', '芜湖100%康复中心', '扬州_骨科医院'];
    for (const name of names) await create(org.token(org.repB), { ...base, name });
  });

  const names = async (token: string, query: string) => {
    const res = await api(h.url, 'GET', `/api/v1/customers?${query}`, { token });
    expect(res.status).toBe(200);
    return res.body.items.map((c: any) => c.name).sort();
  };

  it('finds customers by a Chinese fragment anywhere in the name', async () => {
    expect(await names(org.token(org.repB), `q=${encodeURIComponent('人民')}`)).toEqual(['嘉兴市第二人民医院', '绍兴市人民医院']);
    expect(await names(org.token(org.repB), `q=${encodeURIComponent('口腔')}`)).toEqual(['合肥市口腔医院']);
  });

  it('treats % and _ as plain characters', async () => {
    expect(await names(org.token(org.repB), `q=${encodeURIComponent('100%')}`)).toEqual(['芜湖100%康复中心']);
    expect(await names(org.token(org.repB), `q=${encodeURIComponent('_')}`)).toEqual(['扬州_骨科医院']);
  });

  it('filters by stage, owner and grade, and pages', async () => {
    const list = await api(h.url, 'GET', '/api/v1/customers?pageSize=2&page=1', { token: org.token(org.repB) });
    expect(list.body.items).toHaveLength(2);
    expect(list.body.total).toBeGreaterThanOrEqual(5);
    const id = list.body.items[0].id;
    await api(h.url, 'PATCH', `/api/v1/customers/${id}`, { token: org.token(org.repB), json: { stage: 'quote', grade: 'A+' } });
    const quote = await api(h.url, 'GET', '/api/v1/customers?stage=quote', { token: org.token(org.repB) });
    expect(quote.body.items.map((c: any) => c.id)).toEqual([id]);
    const graded = await api(h.url, 'GET', `/api/v1/customers?grade=${encodeURIComponent('A+')}`, { token: org.token(org.repB) });
    expect(graded.body.items.map((c: any) => c.id)).toEqual([id]);
    const byOwner = await api(h.url, 'GET', `/api/v1/customers?ownerId=${org.repB.id}&pageSize=100`, { token: org.token(org.supervisor1) });
    expect(byOwner.body.items.every((c: any) => c.owner.id === org.repB.id)).toBe(true);
    expect(byOwner.body.total).toBeGreaterThanOrEqual(6);
  });

  it('overdue = last follow-up older than the configured 3 days and stage not 签约/交付', async () => {
    const repo = h.db.getRepository(Customer);
    const now = h.clock.now().getTime();
    const make = async (name: string, stage: string, daysAgo: number | null) => {
      const res = await create(org.token(org.repC), { ...base, name, stage });
      await repo.update({ id: res.body.id }, { lastFollowUpAt: daysAgo === null ? null : new Date(now - daysAgo * DAY_MS) });
      return res.body.id as number;
    };
    const stale = await make('逾期客户甲', 'proposal', 3.5);
    await make('近期客户乙', 'proposal', 2.5);
    await make('已签约客户丙', 'signed', 10);
    const fresh = await make('新建未跟进丁', 'lead', null);
    const overdue = await api(h.url, 'GET', '/api/v1/customers?overdue=true', { token: org.token(org.repC) });
    expect(overdue.body.items.map((c: any) => c.id)).toEqual([stale]);
    expect(overdue.body.items[0].overdue).toBe(true);
    const notOverdue = await api(h.url, 'GET', '/api/v1/customers?overdue=false&pageSize=100', { token: org.token(org.repC) });
    expect(notOverdue.body.items.map((c: any) => c.id)).not.toContain(stale);
    expect(notOverdue.body.items.map((c: any) => c.id)).toContain(fresh);
    h.clock.advance(4 * DAY_MS);
    const later = await api(h.url, 'GET', '/api/v1/customers?overdue=true', { token: org.token(org.repC) });
    expect(later.body.items.map((c: any) => c.name).sort()).toEqual(['新建未跟进丁', '近期客户乙', '逾期客户甲']);
    h.clock.advance(-4 * DAY_MS);
  });
});

describe('reassign', () => {
  it('a supervisor moves a customer between reps of the team; the change is kept', async () => {
    const created = await create(org.token(org.repA), { ...base, name: '常州市第一人民医院' });
    const res = await api(h.url, 'POST', `/api/v1/customers/${created.body.id}/reassign`, { token: org.token(org.supervisor1), json: { ownerId: org.repB.id } });
    expect(res.status).toBe(200);
    expect(res.body.owner).toEqual({ id: org.repB.id, name: '代表乙' });
    const gone = await api(h.url, 'GET', `/api/v1/customers/${created.body.id}`, { token: org.token(org.repA) });
    expect(gone.status).toBe(404);
    const rows = await h.db.query('SELECT fromOwnerId, toOwnerId, changedById FROM customer_owner_change WHERE customerId = ?', [created.body.id]);
    expect(rows).toEqual([{ fromOwnerId: org.repA.id, toOwnerId: org.repB.id, changedById: org.supervisor1.id }]);
  });

  it('refuses a rep, and a target outside the supervisor team', async () => {
    const created = await create(org.token(org.repA), { ...base, name: '南通市第一人民医院' });
    const rep = await api(h.url, 'POST', `/api/v1/customers/${created.body.id}/reassign`, { token: org.token(org.repA), json: { ownerId: org.repB.id } });
    expect(rep.status).toBe(403);
    const other = await api(h.url, 'POST', `/api/v1/customers/${created.body.id}/reassign`, { token: org.token(org.supervisor1), json: { ownerId: org.repC.id } });
    expect(other.status).toBe(422);
    const row = await h.db.getRepository(Customer).findOneByOrFail({ id: created.body.id });
    expect(row.ownerId).toBe(org.repA.id);
  });
});
