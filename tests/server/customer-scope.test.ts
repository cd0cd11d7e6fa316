import ExcelJS from 'exceljs';
import { Customer } from '../../server/src/modules/customers/customer.entity';
import { Member } from '../../server/src/modules/org/member.entity';
import { DAY_MS } from '../../server/src/clock';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api, xlsxForm, type ApiResponse } from '../support/http';

/**
 * The permission model as a matrix: every actor against every customer, on every customer endpoint.
 * The expectations below are written out by hand from the product's rules, not computed by its code.
 */

let h: Harness;
let org: OrgFixture;

type MemberKey =
  | 'admin' | 'finance' | 'marketing' | 'directorEast' | 'directorWest'
  | 'supervisor1' | 'supervisor2' | 'supervisor3' | 'repA' | 'repB' | 'repC' | 'repE';
type ActorKey = 'repA' | 'repB' | 'supervisor1' | 'supervisor2' | 'directorEast' | 'directorWest' | 'admin' | 'finance' | 'marketing';
type OwnerKey = 'repA' | 'repB' | 'repC' | 'repE' | 'supervisor1' | 'supervisor3';

const ACTORS: ActorKey[] = ['repA', 'repB', 'supervisor1', 'supervisor2', 'directorEast', 'directorWest', 'admin', 'finance', 'marketing'];
const OWNERS: OwnerKey[] = ['repA', 'repB', 'repC', 'repE', 'supervisor1', 'supervisor3'];
const ALL_MEMBERS: MemberKey[] = ['admin', 'finance', 'marketing', 'directorEast', 'directorWest', 'supervisor1', 'supervisor2', 'supervisor3', 'repA', 'repB', 'repC', 'repE'];

/**
 * Who sees whose customer. Org: east = team1 (supervisor1, repA, repB) + team2 (supervisor2, repC) under directorEast;
 * west = team3 (supervisor3, repE) under directorWest. Columns are the customer owners, in OWNERS order.
 */
const SEES: Record<ActorKey, string> = {
  //             repA repB repC repE sup1 sup3
  repA:         ' x    .    .    .    .    .  ',
  repB:         ' .    x    .    .    .    .  ',
  supervisor1:  ' x    x    .    .    x    .  ',
  supervisor2:  ' .    .    x    .    .    .  ',
  directorEast: ' x    x    x    .    x    .  ',
  directorWest: ' .    .    .    x    .    x  ',
  admin:        ' x    x    x    x    x    x  ',
  finance:      ' x    x    x    x    x    x  ',
  marketing:    ' x    x    x    x    x    x  ',
};
const sees = (actor: ActorKey, owner: OwnerKey): boolean => {
  const marks = SEES[actor].trim().split(/\s+/);
  if (marks.length !== OWNERS.length) throw new Error(`bad SEES row for ${actor}`);
  return marks[OWNERS.indexOf(owner)] === 'x';
};

/** Members each actor may see in GET /members (the owner pickers). */
const MEMBERS_SEEN: Record<ActorKey, MemberKey[]> = {
  repA: ['repA'],
  repB: ['repB'],
  supervisor1: ['supervisor1', 'repA', 'repB'],
  supervisor2: ['supervisor2', 'repC'],
  directorEast: ['directorEast', 'supervisor1', 'supervisor2', 'repA', 'repB', 'repC'],
  directorWest: ['directorWest', 'supervisor3', 'repE'],
  admin: ALL_MEMBERS,
  finance: ALL_MEMBERS,
  marketing: ALL_MEMBERS,
};

const READ_ONLY: ActorKey[] = ['finance', 'marketing'];
const REASSIGNERS: ActorKey[] = ['supervisor1', 'supervisor2', 'directorEast', 'directorWest', 'admin'];

/**
 * Reassign target per actor: an in-scope rep or supervisor; the second one is used when the customer already
 * belongs to the first. Actors who may not reassign still name a plausible target: they must get 403 anyway.
 */
const REASSIGN_TO: Record<ActorKey, [MemberKey, MemberKey]> = {
  repA: ['repB', 'repB'],
  repB: ['repA', 'repA'],
  supervisor1: ['repA', 'repB'],
  supervisor2: ['supervisor2', 'repC'],
  directorEast: ['repC', 'repA'],
  directorWest: ['supervisor3', 'repE'],
  admin: ['repE', 'repA'],
  finance: ['repA', 'repB'],
  marketing: ['repA', 'repB'],
};
const reassignTarget = (actor: ActorKey, owner: OwnerKey): MemberKey => {
  const [usual, alternative] = REASSIGN_TO[actor];
  return usual === owner ? alternative : usual;
};

const customerName = (owner: OwnerKey) => `范围矩阵医院-${owner}`;
const customerIds = {} as Record<OwnerKey, number>;
let absentId: number;
let deactivated: Member;

const member = (key: MemberKey): Member => org[key];
const tokenOf = (key: MemberKey) => org.token(member(key));
const path = (id: number, suffix = '') => `/api/v1/customers/${id}${suffix}`;
const customerRow = (id: number) => h.db.getRepository(Customer).findOneByOrFail({ id });

/** Same request against an id that does not exist: an out-of-scope customer must be answered identically. */
async function expectLooksAbsent(res: ApiResponse, sameRequestOnAbsent: (id: number) => Promise<ApiResponse>) {
  const absent = await sameRequestOnAbsent(absentId);
  expect(absent.status).toBe(404);
  expect(absent.body.error.code).toBe('NOT_FOUND');
  expect(res.status).toBe(404);
  expect(res.body).toEqual(absent.body);
}

async function xlsxBook(rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('客户');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
  for (const owner of OWNERS) {
    const res = await api(h.url, 'POST', '/api/v1/customers', {
      token: tokenOf('admin'),
      json: { name: customerName(owner), industry: '公立医院', ownerId: member(owner).id },
    });
    expect(res.status).toBe(201);
    expect(res.body.owner.id).toBe(member(owner).id);
    customerIds[owner] = res.body.id;
  }
  absentId = Math.max(...Object.values(customerIds)) + 100_000;
  // A former rep of team 1: still counted in the team, but no longer anyone's to see or pick.
  deactivated = await h.services.org.createMember({ name: '离职代表', phone: '13700000001', role: 'rep', teamId: org.teamIds.team1, regionId: org.regionIds.east, managerId: org.supervisor1.id });
  await h.db.getRepository(Member).update({ id: deactivated.id }, { deactivatedAt: h.clock.now() });
});
afterAll(() => h.close());

const pairs: [ActorKey, OwnerKey, boolean][] = ACTORS.flatMap((actor) => OWNERS.map((owner): [ActorKey, OwnerKey, boolean] => [actor, owner, sees(actor, owner)]));

describe('the expectation table itself', () => {
  it('has one row per actor and one column per owner, and admin/finance/marketing see everything', () => {
    for (const actor of ACTORS) expect(SEES[actor].trim().split(/\s+/)).toHaveLength(OWNERS.length);
    for (const actor of ['admin', 'finance', 'marketing'] as const) expect(OWNERS.every((o) => sees(actor, o))).toBe(true);
  });
});

describe('reading', () => {
  it.each(ACTORS)('GET /customers as %s lists exactly the customers in scope', async (actor) => {
    const res = await api(h.url, 'GET', '/api/v1/customers?pageSize=100', { token: tokenOf(actor) });
    expect(res.status).toBe(200);
    const expected = OWNERS.filter((o) => sees(actor, o)).map((o) => customerIds[o]).sort((a, b) => a - b);
    expect(res.body.items.map((c: { id: number }) => c.id).sort((a: number, b: number) => a - b)).toEqual(expected);
    expect(res.body.total).toBe(expected.length);
  });

  it.each(ACTORS)('GET /customers?ownerId=… as %s cannot reach past the scope', async (actor) => {
    for (const owner of OWNERS) {
      const res = await api(h.url, 'GET', `/api/v1/customers?ownerId=${member(owner).id}&pageSize=100`, { token: tokenOf(actor) });
      expect(res.status).toBe(200);
      expect(res.body.items.map((c: { id: number }) => c.id)).toEqual(sees(actor, owner) ? [customerIds[owner]] : []);
    }
  });

  it.each(pairs)('GET /customers/:id as %s, customer of %s (visible: %s)', async (actor, owner, visible) => {
    const get = (id: number) => api(h.url, 'GET', path(id), { token: tokenOf(actor) });
    const res = await get(customerIds[owner]);
    if (visible) {
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: customerIds[owner], name: customerName(owner), owner: { id: member(owner).id } });
    } else {
      await expectLooksAbsent(res, get);
    }
  });

  it.each(pairs)('GET /customers/:id/stage-history as %s, customer of %s (visible: %s)', async (actor, owner, visible) => {
    const history = (id: number) => api(h.url, 'GET', path(id, '/stage-history'), { token: tokenOf(actor) });
    const res = await history(customerIds[owner]);
    if (visible) {
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([expect.objectContaining({ from: null, to: 'lead', changedBy: { id: org.admin.id, name: '管理员' } })]);
    } else {
      await expectLooksAbsent(res, history);
    }
  });

  it.each(ACTORS)('GET /customers/export.xlsx as %s holds exactly the customers in scope', async (actor) => {
    const res = await api(h.url, 'GET', '/api/v1/customers/export.xlsx', { token: tokenOf(actor) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    const sheet = wb.worksheets[0]!;
    expect(sheet.getRow(1).getCell(1).value).toBe('客户名称');
    const names: string[] = [];
    for (let r = 2; r <= sheet.rowCount; r++) {
      const value = sheet.getRow(r).getCell(1).value;
      if (value !== null && value !== undefined && value !== '') names.push(String(value));
    }
    expect(names.sort()).toEqual(OWNERS.filter((o) => sees(actor, o)).map(customerName).sort());
  });

  it.each(ACTORS)('GET /members as %s lists exactly the members in scope', async (actor) => {
    const res = await api(h.url, 'GET', '/api/v1/members', { token: tokenOf(actor) });
    expect(res.status).toBe(200);
    const ids = res.body.items.map((m: { id: number }) => m.id).sort((a: number, b: number) => a - b);
    expect(ids).toEqual(MEMBERS_SEEN[actor].map((k) => member(k).id).sort((a, b) => a - b));
    expect(ids).not.toContain(deactivated.id);
  });
});

describe('editing', () => {
  it.each(pairs)('PATCH /customers/:id as %s, customer of %s (visible: %s)', async (actor, owner, visible) => {
    const id = customerIds[owner];
    const notes = `${actor} 改了 ${owner} 的备注`;
    const patch = (target: number) => api(h.url, 'PATCH', path(target), { token: tokenOf(actor), json: { notes } });
    const before = await customerRow(id);
    const res = await patch(id);
    if (READ_ONLY.includes(actor)) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    } else if (visible) {
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, notes, owner: { id: member(owner).id } });
    } else {
      await expectLooksAbsent(res, patch);
    }
    const after = await customerRow(id);
    expect(after.notes).toBe(res.status === 200 ? notes : before.notes);
  });

  it.each(pairs)('POST /customers/:id/reassign as %s, customer of %s (visible: %s)', async (actor, owner, visible) => {
    const id = customerIds[owner];
    const target = reassignTarget(actor, owner);
    const reassign = (customer: number) => api(h.url, 'POST', path(customer, '/reassign'), { token: tokenOf(actor), json: { ownerId: member(target).id } });
    const res = await reassign(id);
    try {
      if (!REASSIGNERS.includes(actor)) {
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('FORBIDDEN');
        expect((await customerRow(id)).ownerId).toBe(member(owner).id);
      } else if (visible) {
        expect(res.status).toBe(200);
        expect(res.body.owner.id).toBe(member(target).id);
        expect((await customerRow(id)).ownerId).toBe(member(target).id);
      } else {
        await expectLooksAbsent(res, reassign);
        expect((await customerRow(id)).ownerId).toBe(member(owner).id);
      }
    } finally {
      // Put the matrix back the way it was for the next case.
      await h.db.getRepository(Customer).update({ id }, { ownerId: member(owner).id });
    }
  });

  const badTargets: [ActorKey, OwnerKey, MemberKey | 'nobody' | 'deactivated', string][] = [
    ['supervisor1', 'repA', 'repC', 'a rep of another team'],
    ['supervisor1', 'repA', 'supervisor2', 'a supervisor of another team'],
    ['supervisor1', 'repA', 'directorEast', 'their own director'],
    ['supervisor2', 'repC', 'repA', 'a rep of another team'],
    ['directorEast', 'repA', 'repE', 'a rep of the other region'],
    ['directorEast', 'repA', 'directorEast', 'a director (themselves): in scope but not an owner role'],
    ['directorWest', 'repE', 'supervisor1', 'a supervisor of the other region'],
    ['admin', 'repA', 'finance', 'finance: not an owner role'],
    ['admin', 'repA', 'marketing', 'marketing: not an owner role'],
    ['admin', 'repA', 'admin', 'an admin (themselves): not an owner role'],
    ['admin', 'repA', 'directorWest', 'a director: not an owner role'],
    ['admin', 'repA', 'nobody', 'a member id that does not exist'],
    ['supervisor1', 'repA', 'deactivated', 'a deactivated rep of the team'],
  ];
  it.each(badTargets)('reassign as %s of the customer of %s to %s → 422 on ownerId (%s)', async (actor, owner, targetKey) => {
    const id = customerIds[owner];
    const target = targetKey === 'nobody' ? 9_999_999 : targetKey === 'deactivated' ? deactivated.id : member(targetKey).id;
    const res = await api(h.url, 'POST', path(id, '/reassign'), { token: tokenOf(actor), json: { ownerId: target } });
    try {
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.fields.ownerId).toEqual(expect.any(String));
      expect((await customerRow(id)).ownerId).toBe(member(owner).id);
    } finally {
      await h.db.getRepository(Customer).update({ id }, { ownerId: member(owner).id });
    }
  });

  it('an out-of-scope customer with an out-of-scope target is still just absent (404, not 422)', async () => {
    const reassign = (customer: number) => api(h.url, 'POST', path(customer, '/reassign'), { token: tokenOf('supervisor1'), json: { ownerId: org.repC.id } });
    await expectLooksAbsent(await reassign(customerIds.repC), reassign);
    expect((await customerRow(customerIds.repC)).ownerId).toBe(org.repC.id);
  });
});

describe('finance and marketing read everything but change nothing', () => {
  const writes: [string, (token: string) => Promise<ApiResponse>][] = [
    ['POST /customers', (token) => api(h.url, 'POST', '/api/v1/customers', { token, json: { name: '只读角色新建的医院', industry: '公立医院', ownerId: org.repA.id } })],
    ['PATCH /customers/:id', (token) => api(h.url, 'PATCH', path(customerIds.repA), { token, json: { notes: '只读角色的修改' } })],
    ['POST /customers/:id/reassign', (token) => api(h.url, 'POST', path(customerIds.repA, '/reassign'), { token, json: { ownerId: org.repB.id } })],
    ['GET /customers/import/template.xlsx', (token) => api(h.url, 'GET', '/api/v1/customers/import/template.xlsx', { token })],
    ['POST /customers/import/preview', async (token) => api(h.url, 'POST', '/api/v1/customers/import/preview', { token, form: xlsxForm(await xlsxBook([['客户名称', '所属行业', '负责人手机'], ['只读角色导入的医院', '公立医院', org.repA.phone]])) })],
    ['POST /customers/import/commit', async (token) => api(h.url, 'POST', '/api/v1/customers/import/commit', { token, form: xlsxForm(await xlsxBook([['客户名称', '所属行业', '负责人手机'], ['只读角色导入的医院', '公立医院', org.repA.phone]])) })],
  ];
  const cases = (['finance', 'marketing'] as const).flatMap((actor) => writes.map(([name, call]): [ActorKey, string, typeof call] => [actor, name, call]));

  it.each(cases)('%s: %s → 403 FORBIDDEN, nothing stored', async (actor, _name, call) => {
    const count = await h.db.getRepository(Customer).count();
    const row = await customerRow(customerIds.repA);
    const res = await call(tokenOf(actor));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect(await h.db.getRepository(Customer).count()).toBe(count);
    expect(await customerRow(customerIds.repA)).toEqual(row);
  });

  it.each(['repA', 'supervisor1', 'directorEast', 'admin'] as const)('the import template is open to the editor %s', async (actor) => {
    const res = await api(h.url, 'GET', '/api/v1/customers/import/template.xlsx', { token: tokenOf(actor) });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    expect(wb.worksheets[0]!.getRow(1).getCell(1).value).toBe('客户名称');
  });
});

describe('import owners are limited to the caller scope (preview writes nothing)', () => {
  const cases: [ActorKey, MemberKey | 'deactivated', boolean][] = [
    ['repA', 'repA', true],
    ['repA', 'repB', false],
    ['supervisor1', 'repB', true],
    ['supervisor1', 'supervisor1', true],
    ['supervisor1', 'repC', false],
    ['supervisor1', 'deactivated', false],
    ['supervisor2', 'repA', false],
    ['directorEast', 'repC', true],
    ['directorEast', 'repE', false],
    ['directorEast', 'directorEast', false],
    ['directorWest', 'repE', true],
    ['directorWest', 'repA', false],
    ['admin', 'repE', true],
    ['admin', 'finance', false],
  ];
  it.each(cases)('%s importing a row owned by %s → accepted: %s', async (actor, ownerKey, accepted) => {
    const phone = ownerKey === 'deactivated' ? deactivated.phone : member(ownerKey).phone;
    const file = await xlsxBook([['客户名称', '所属行业', '负责人手机'], [`导入范围医院-${actor}-${ownerKey}`, '公立医院', phone]]);
    const count = await h.db.getRepository(Customer).count();
    const res = await api(h.url, 'POST', '/api/v1/customers/import/preview', { token: tokenOf(actor), form: xlsxForm(file) });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(1);
    expect(res.body.valid).toBe(accepted ? 1 : 0);
    if (!accepted) expect(res.body.errors).toEqual([expect.objectContaining({ row: 2, column: '负责人' })]);
    expect(await h.db.getRepository(Customer).count()).toBe(count);
  });
});

describe('without a live session every customer endpoint answers 401', () => {
  const sessions: Record<string, () => Promise<string | undefined>> = {
    'no token': async () => undefined,
    'a bogus token': async () => 'not-a-real-session-token',
    'an over-long token': async () => 'x'.repeat(500),
    'a logged-out session': async () => {
      const { token } = await h.services.auth.issueSession(org.supervisor1, 'wechat');
      expect((await api(h.url, 'GET', '/api/v1/customers', { token })).status).toBe(200);
      const out = await api(h.url, 'POST', '/api/v1/auth/logout', { token });
      expect(out.status).toBe(200);
      return token;
    },
    'an expired session': async () => {
      const ttl = h.policy.limits.sessionTtlDays * DAY_MS;
      h.clock.advance(-(ttl + 60_000));
      try {
        return (await h.services.auth.issueSession(org.supervisor1, 'wechat')).token;
      } finally {
        h.clock.advance(ttl + 60_000);
      }
    },
    'a session of a deactivated member': async () => (await h.services.auth.issueSession(deactivated, 'wechat')).token,
  };
  const endpoints: [string, string, (token?: string) => Promise<ApiResponse>][] = [
    ['GET', '/customers', (token) => api(h.url, 'GET', '/api/v1/customers', { token })],
    ['POST', '/customers', (token) => api(h.url, 'POST', '/api/v1/customers', { token, json: { name: '未登录新建的医院', industry: '公立医院' } })],
    ['GET', '/customers/export.xlsx', (token) => api(h.url, 'GET', '/api/v1/customers/export.xlsx', { token })],
    ['GET', '/customers/import/template.xlsx', (token) => api(h.url, 'GET', '/api/v1/customers/import/template.xlsx', { token })],
    ['POST', '/customers/import/preview', async (token) => api(h.url, 'POST', '/api/v1/customers/import/preview', { token, form: xlsxForm(await xlsxBook([['客户名称', '所属行业'], ['未登录导入的医院', '公立医院']])) })],
    ['POST', '/customers/import/commit', async (token) => api(h.url, 'POST', '/api/v1/customers/import/commit', { token, form: xlsxForm(await xlsxBook([['客户名称', '所属行业'], ['未登录导入的医院', '公立医院']])) })],
    ['GET', '/customers/:id', (token) => api(h.url, 'GET', path(customerIds.repA), { token })],
    ['PATCH', '/customers/:id', (token) => api(h.url, 'PATCH', path(customerIds.repA), { token, json: { notes: '未登录的修改' } })],
    ['POST', '/customers/:id/reassign', (token) => api(h.url, 'POST', path(customerIds.repA, '/reassign'), { token, json: { ownerId: org.repB.id } })],
    ['GET', '/customers/:id/stage-history', (token) => api(h.url, 'GET', path(customerIds.repA, '/stage-history'), { token })],
    ['GET', '/members', (token) => api(h.url, 'GET', '/api/v1/members', { token })],
  ];
  const cases = Object.keys(sessions).flatMap((kind) => endpoints.map(([method, p, call]): [string, string, string, typeof call] => [method, p, kind, call]));

  it('a live session of the same member still works (control for the cases below)', async () => {
    const ttl = h.policy.limits.sessionTtlDays * DAY_MS;
    h.clock.advance(-(ttl - 60_000));
    let token: string;
    try {
      token = (await h.services.auth.issueSession(org.supervisor1, 'wechat')).token;
    } finally {
      h.clock.advance(ttl - 60_000);
    }
    const res = await api(h.url, 'GET', path(customerIds.repA), { token });
    expect(res.status).toBe(200);
  });

  it.each(cases)('%s %s with %s → 401 UNAUTHENTICATED', async (_method, _path, kind, call) => {
    const count = await h.db.getRepository(Customer).count();
    const row = await customerRow(customerIds.repA);
    const res = await call(await sessions[kind]!());
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    expect(await h.db.getRepository(Customer).count()).toBe(count);
    expect(await customerRow(customerIds.repA)).toEqual(row);
  });
});
