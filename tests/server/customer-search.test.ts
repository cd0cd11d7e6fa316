import { Customer } from '../../server/src/modules/customers/customer.entity';
import { indexCustomers, SEARCH_GRAM_TABLE } from '../../server/src/modules/customers/customer-search';
import { withTransaction } from '../../server/src/db/transaction';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api, xlsxForm } from '../support/http';
import { buildWorkbook } from '../support/xlsx';
import type { Member } from '../../server/src/modules/org/member.entity';

/**
 * Search as a rep types it: name, contact or phone fragments, however they are written, and only
 * within what the caller may see. Org (tests/support/org-fixture.ts): east = team1 (supervisor1,
 * repA, repB) + team2 (supervisor2, repC) under directorEast; west = team3 (supervisor3, repE).
 */

let h: Harness;
let org: OrgFixture;

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
});
afterAll(() => h.close());

const create = async (owner: Member, fields: Record<string, unknown>) => {
  const res = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(owner), json: { industry: '公立医院', ...fields } });
  expect(res.status).toBe(201);
  return res.body as { id: number; name: string };
};

const search = async (member: Member, q: string, extra = '&pageSize=100') => {
  const res = await api(h.url, 'GET', `/api/v1/customers?q=${encodeURIComponent(q)}${extra}`, { token: org.token(member) });
  expect(res.status).toBe(200);
  return res.body as { items: { id: number; name: string }[]; total: number; totalCapped: boolean; page: number };
};
const names = async (member: Member, q: string) => (await search(member, q)).items.map((c) => c.name).sort();

describe('finds a customer by each field', () => {
  beforeAll(async () => {
    await create(org.repA, { name: '宁波市鄞州第二医院', contactName: '欧阳娜娜', contactPhone: '13957468823' });
    await create(org.repA, { name: '宁波大学附属人民医院', contactName: '陈国栋', contactPhone: '0574-8703 5511' });
    await create(org.repA, { name: 'ABC 国际诊所', contactName: 'Mary Wong', contactPhone: '+86 (139) 1234-0077' });
  });

  it('name: any fragment, not only the start', async () => {
    expect(await names(org.repA, '鄞州')).toEqual(['宁波市鄞州第二医院']);
    expect(await names(org.repA, '第二医院')).toEqual(['宁波市鄞州第二医院']);
    expect(await names(org.repA, '附属人民')).toEqual(['宁波大学附属人民医院']);
    expect(await names(org.repA, '宁波')).toEqual(['宁波大学附属人民医院', '宁波市鄞州第二医院']);
  });

  it('contact name, whole or part', async () => {
    expect(await names(org.repA, '欧阳娜娜')).toEqual(['宁波市鄞州第二医院']);
    expect(await names(org.repA, '国栋')).toEqual(['宁波大学附属人民医院']);
    expect(await names(org.repA, 'mary')).toEqual(['ABC 国际诊所']);
  });

  it('contact phone: whole, last four, middle digits, and written with spaces or dashes', async () => {
    expect(await names(org.repA, '13957468823')).toEqual(['宁波市鄞州第二医院']);
    expect(await names(org.repA, '8823')).toEqual(['宁波市鄞州第二医院']);
    expect(await names(org.repA, '5746')).toEqual(['宁波市鄞州第二医院']);
    expect(await names(org.repA, '139 5746 8823')).toEqual(['宁波市鄞州第二医院']);
    expect(await names(org.repA, '139-5746-8823')).toEqual(['宁波市鄞州第二医院']);
    // stored with an area code, a space and a dash; typed as the digits
    expect(await names(org.repA, '05748703')).toEqual(['宁波大学附属人民医院']);
    expect(await names(org.repA, '5511')).toEqual(['宁波大学附属人民医院']);
    // stored as "+86 (139) 1234-0077"
    expect(await names(org.repA, '13912340077')).toEqual(['ABC 国际诊所']);
    expect(await names(org.repA, '(139) 1234')).toEqual(['ABC 国际诊所']);
  });

  it('a single character, and one or two digits', async () => {
    expect(await names(org.repA, '鄞')).toEqual(['宁波市鄞州第二医院']);
    expect(await names(org.repA, '77')).toEqual(['ABC 国际诊所']);
    expect(await names(org.repA, '0')).toEqual(['ABC 国际诊所', '宁波大学附属人民医院']);
    // the company-wide scope narrows short queries by the gram prefix range, not a scan
    expect(await names(org.admin, '鄞')).toEqual(['宁波市鄞州第二医院']);
    expect(await names(org.admin, '鄞州')).toEqual(['宁波市鄞州第二医院']);
    expect(await names(org.admin, '栋')).toEqual(['宁波大学附属人民医院']);
  });

  it('finds nothing for a fragment no field holds, and nothing across two fields', async () => {
    expect(await names(org.repA, '鄞州人民')).toEqual([]);
    // the end of a name and the start of its contact do not make a word together
    expect(await names(org.repA, '医院欧阳')).toEqual([]);
    expect(await names(org.repA, '99999')).toEqual([]);
  });
});

describe('ignores spaces, full/half width, case and invisible characters', () => {
  beforeAll(async () => {
    await create(org.repB, { name: '杭州ＸＹＺ口腔医院（滨江院区）', contactName: '李 建 国', contactPhone: '138 0013 8000' });
  });

  it.each([
    ['full-width letters typed half-width, any case', 'xyz口腔'],
    ['half-width brackets for full-width ones', '(滨江院区)'],
    ['full-width letters typed full-width', 'ＸＹＺ'],
    ['spaces typed inside the name', '杭州 XYZ 口腔'],
    ['a full-width space', '口腔\u3000医院'],
    ['contact typed without the spaces it was stored with', '李建国'],
    ['phone digits typed without the stored spaces', '0013800'],
    ['phone digits typed full-width', '１３８００１３'],
    ['phone digits with a zero-width space', '138\u200B0013'],
  ])('%s', async (_title, q) => {
    expect(await names(org.repB, q)).toEqual(['杭州ＸＹＺ口腔医院（滨江院区）']);
  });

  it('a query of only spaces or invisible characters filters nothing', async () => {
    const all = await api(h.url, 'GET', '/api/v1/customers?pageSize=100', { token: org.token(org.repB) });
    const blank = await search(org.repB, ' \u200B\u3000');
    expect(blank.total).toBe(all.body.total);
  });

  it('% and _ are plain characters', async () => {
    await create(org.repB, { name: '温岭100%康复中心' });
    await create(org.repB, { name: '临海_骨科医院' });
    expect(await names(org.repB, '100%')).toEqual(['温岭100%康复中心']);
    expect(await names(org.repB, '_')).toEqual(['临海_骨科医院']);
  });
});

describe('scope: a search finds only what the caller may see', () => {
  const phones = { repA: '13611110001', repC: '13622220002', repE: '13633330003' };
  beforeAll(async () => {
    await create(org.repA, { name: '范围测试甲医院', contactPhone: phones.repA, contactName: '范测甲' });
    await create(org.repC, { name: '范围测试丙医院', contactPhone: phones.repC, contactName: '范测丙' });
    await create(org.repE, { name: '范围测试戊医院', contactPhone: phones.repE, contactName: '范测戊' });
  });

  const cases: [string, keyof OrgFixture, string[]][] = [
    ['rep A', 'repA', ['范围测试甲医院']],
    ['rep C (other team)', 'repC', ['范围测试丙医院']],
    ['supervisor 1 (team 1)', 'supervisor1', ['范围测试甲医院']],
    ['supervisor 2 (team 2)', 'supervisor2', ['范围测试丙医院']],
    ['director east (teams 1 and 2)', 'directorEast', ['范围测试丙医院', '范围测试甲医院']],
    ['director west (team 3)', 'directorWest', ['范围测试戊医院']],
    ['admin', 'admin', ['范围测试丙医院', '范围测试戊医院', '范围测试甲医院']],
    ['finance', 'finance', ['范围测试丙医院', '范围测试戊医院', '范围测试甲医院']],
  ];
  it.each(cases)('%s, by name, contact and phone', async (_title, key, expected) => {
    const member = org[key] as Member;
    expect(await names(member, '范围测试')).toEqual(expected);
    expect(await names(member, '范测')).toEqual(expected);
    expect(await names(member, '1362222')).toEqual(expected.includes('范围测试丙医院') ? ['范围测试丙医院'] : []);
  });

  it("a rep cannot find another team's customer by its phone, whole or in part", async () => {
    for (const q of [phones.repC, phones.repC.slice(-4), phones.repE.slice(3, 7), '范测丙']) {
      const res = await search(org.repA, q);
      expect(res).toMatchObject({ items: [], total: 0, totalCapped: false });
    }
  });
});

describe('the index follows every change', () => {
  it('after an edit, the old name, contact and phone no longer find the customer; the new ones do', async () => {
    const c = await create(org.repA, { name: '舟山旧名医院', contactName: '旧联系人', contactPhone: '13700007001' });
    const res = await api(h.url, 'PATCH', `/api/v1/customers/${c.id}`, { token: org.token(org.repA), json: { name: '舟山新名医院', contactName: '新联系人', contactPhone: '13700007999' } });
    expect(res.status).toBe(200);
    for (const q of ['旧名', '旧联系', '7001']) expect(await names(org.repA, q)).toEqual([]);
    for (const q of ['新名', '新联系', '7999', '舟山']) expect(await names(org.repA, q)).toEqual(['舟山新名医院']);
    // an edit of something else leaves the index as it was
    await api(h.url, 'PATCH', `/api/v1/customers/${c.id}`, { token: org.token(org.repA), json: { notes: '改了备注' } });
    expect(await names(org.repA, '新名')).toEqual(['舟山新名医院']);
    // clearing the phone removes it
    await api(h.url, 'PATCH', `/api/v1/customers/${c.id}`, { token: org.token(org.repA), json: { contactPhone: '' } });
    expect(await names(org.repA, '7999')).toEqual([]);
  });

  it('after a reassignment, the old owner no longer finds it and the new owner does, by any field', async () => {
    const c = await create(org.repA, { name: '丽水改派医院', contactName: '改派联系人', contactPhone: '13700008123' });
    const res = await api(h.url, 'POST', `/api/v1/customers/${c.id}/reassign`, { token: org.token(org.directorEast), json: { ownerId: org.repC.id } });
    expect(res.status).toBe(200);
    for (const q of ['丽水改派', '改派联系人', '8123']) {
      expect(await names(org.repA, q)).toEqual([]);
      expect(await names(org.supervisor1, q)).toEqual([]);
      expect(await names(org.repC, q)).toEqual(['丽水改派医院']);
      expect(await names(org.supervisor2, q)).toEqual(['丽水改派医院']);
    }
  });

  it('imported customers are found by contact and phone at once', async () => {
    const file = await buildWorkbook([
      ['客户名称', '所属行业', '负责人手机', '联系人', '联系电话'],
      ['衢州导入检索医院', '公立医院', org.repB.phone, '导入联系人', '13700009321'],
      ['衢州导入检索二院', '公立医院', org.repB.phone, '另一联系人', '0570 888 6655'],
    ]);
    const res = await api(h.url, 'POST', '/api/v1/customers/import/commit', { token: org.token(org.supervisor1), form: xlsxForm(file) });
    expect(res.status).toBe(201);
    expect(await names(org.repB, '导入联系')).toEqual(['衢州导入检索医院']);
    expect(await names(org.repB, '9321')).toEqual(['衢州导入检索医院']);
    expect(await names(org.repB, '8886655')).toEqual(['衢州导入检索二院']);
    expect(await names(org.repA, '9321')).toEqual([]);
  });

  it('a failed create (duplicate) leaves no grams behind', async () => {
    const before = (await h.db.query(`SELECT COUNT(*) AS n FROM ${SEARCH_GRAM_TABLE}`))[0].n;
    const dup = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '丽水改派医院', industry: '公立医院', contactName: '不会留下' } });
    expect(dup.status).toBe(409);
    expect((await h.db.query(`SELECT COUNT(*) AS n FROM ${SEARCH_GRAM_TABLE}`))[0].n).toBe(before);
    expect(await names(org.admin, '不会留下')).toEqual([]);
  });
});

describe('broad queries', () => {
  beforeAll(async () => {
    // 1 050 customers of rep E, written as an import would, indexed by the same code.
    const now = h.clock.now();
    const rows = Array.from({ length: 1050 }, (_, i) => ({
      name: `封顶测试医院${String(i).padStart(4, '0')}`, nameKey: `封顶测试医院${String(i).padStart(4, '0')}`, industry: '公立医院', stage: 'visit' as const,
      stageChangedAt: now, ownerId: org.repE.id, createdById: org.repE.id, createdAt: now, updatedAt: now,
      lastFollowUpAt: new Date(now.getTime() - i * 60_000),
    }));
    await withTransaction(h.db, async (m) => {
      await m.createQueryBuilder().insert().into(Customer).values(rows).updateEntity(false).execute();
      const ids = (await m.getRepository(Customer).find({ where: { ownerId: org.repE.id }, select: { id: true } })).map((c) => c.id);
      await indexCustomers(m, ids);
    });
  });

  it('answer at most 1000 matches and say so; the list still pages, most recent first', async () => {
    const first = await search(org.repE, '封顶', '&pageSize=20');
    expect(first).toMatchObject({ total: 1000, totalCapped: true });
    expect(first.items).toHaveLength(20);
    const times = first.items.map((c: any) => c.lastFollowUpAt);
    expect([...times].sort().reverse()).toEqual(times);
    const last = await search(org.repE, '封顶', '&pageSize=20&page=50');
    expect(last.items).toHaveLength(20);
    const after = await search(org.repE, '封顶', '&pageSize=20&page=51');
    expect(after.items).toHaveLength(0);
  });

  it('a precise query among them is exact and not capped', async () => {
    expect(await search(org.repE, '封顶测试医院1049')).toMatchObject({ total: 1, totalCapped: false, items: [{ name: '封顶测试医院1049' }] });
    expect(await search(org.repE, '医院104')).toMatchObject({ total: 10, totalCapped: false });
  });

  it('other reps are not slowed or shown any of them', async () => {
    expect(await search(org.repA, '封顶')).toMatchObject({ total: 0, totalCapped: false });
  });

  it('a list without a search is counted exactly', async () => {
    const res = await api(h.url, 'GET', '/api/v1/customers?pageSize=1', { token: org.token(org.repE) });
    expect(res.body.total).toBeGreaterThan(1000);
    expect(res.body.totalCapped).toBe(false);
  });
});

describe('names: duplicates and invisible characters', () => {
  const createAs = (member: Member, json: Record<string, unknown>) => api(h.url, 'POST', '/api/v1/customers', { token: org.token(member), json: { industry: '公立医院', ...json } });

  it.each([
    ['zero-width space', '\u200B'],
    ['zero-width non-joiner and joiner', '\u200C\u200D'],
    ['word joiner', '\u2060'],
    ['soft hyphen', '\u00AD'],
    ['BOM', '\uFEFF'],
    ['all of them with spaces', ' \u200B\u00AD \uFEFF\u2060 '],
  ])('a name of only %s is empty (422 naming 客户名称)', async (_title, name) => {
    const res = await createAs(org.repA, { name });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.name).toBe('请填写客户名称');
  });

  it('a name of only punctuation is refused, naming 客户名称', async () => {
    const res = await createAs(org.repA, { name: '（）——' });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.name).toContain('客户名称');
  });

  it('invisible characters are dropped from a stored name', async () => {
    const res = await createAs(org.repA, { name: '温州\u200B眼视光\u00AD医院\uFEFF' });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('温州眼视光医院');
  });

  it.each([
    ['zero-width characters inside', '温\u200D州眼视\u2060光医院'],
    ['a soft hyphen and a BOM', '\uFEFF温州眼视\u00AD光医院'],
    ['full-width brackets and spaces around', ' 温州眼视光医院（　） '],
  ])('the duplicate check sees through %s', async (_title, name) => {
    const res = await createAs(org.repA, { name });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'DUPLICATE_CUSTOMER', message: '客户已存在，请联系主管分配' });
  });

  it('a refused duplicate reads the same whether the existing customer is in the caller\'s scope or not, naming no owner or team', async () => {
    await createAs(org.repE, { name: '台州恩泽医院' }); // west, out of repA's and supervisor1's scope
    await createAs(org.repA, { name: '台州医院' }); // repA's own
    const outOfScope = await createAs(org.repA, { name: '台州恩泽医院' });
    const inScope = await createAs(org.repA, { name: '台州医院' });
    const bySupervisor = await createAs(org.supervisor1, { name: '台州恩泽医院', ownerId: org.repB.id });
    for (const res of [outOfScope, inScope, bySupervisor]) {
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ error: { code: 'DUPLICATE_CUSTOMER', message: '客户已存在，请联系主管分配', fields: { name: '客户名称已存在，请联系主管分配' } } });
    }
    expect(JSON.stringify(outOfScope.body)).toBe(JSON.stringify(inScope.body));
    for (const leak of [org.repE.name, org.supervisor3.name, org.directorWest.name, '成都三组', '西南']) expect(JSON.stringify(outOfScope.body)).not.toContain(leak);

    // renaming onto an existing name is refused the same way
    const mine = await createAs(org.repA, { name: '台州第三医院' });
    const rename = await api(h.url, 'PATCH', `/api/v1/customers/${mine.body.id}`, { token: org.token(org.repA), json: { name: '台州\u200B恩泽医院' } });
    expect(rename.status).toBe(409);
    expect(rename.body).toEqual(outOfScope.body);
  });

  it('an import row duplicating an out-of-scope customer says the same, naming no owner', async () => {
    const file = await buildWorkbook([
      ['客户名称', '所属行业'],
      ['台州恩泽\u200B医院', '公立医院'],
    ]);
    const res = await api(h.url, 'POST', '/api/v1/customers/import/preview', { token: org.token(org.repA), form: xlsxForm(file) });
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([{ row: 2, column: '客户名称', message: '客户「台州恩泽医院」已存在，请联系主管分配' }]);
  });
});
