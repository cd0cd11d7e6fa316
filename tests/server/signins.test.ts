import { randomUUID } from 'node:crypto';
import { wgs84ToGcj02 } from '@anchor/shared';
import type { Member } from '../../server/src/modules/org/member.entity';
import { Todo } from '../../server/src/modules/tasks/todo.view';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { completeVisit, submitVisit } from '../support/visit-fixture';

// On-site sign-in (外勤签到): the server measures a rep's point against the customer's location, flags
// what is too far or too vague, proposes a location from the first good sign-ins for the supervisor to
// confirm, refuses impossible input with the field named, and lets a visit link the day's sign-in.
let h: Harness;
let org: OrgFixture;
let seq = 0;

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
});
afterAll(() => h.close());

// 人民广场 (GCJ-02): the customer's door
const DOOR = { lat: 31.2304, lng: 121.4737 };
const R = 6371000;
/** A point `meters` due north of the door (haversine along a meridian is exactly R·Δφ). */
const north = (meters: number) => ({ lat: DOOR.lat + (meters / R) * (180 / Math.PI), lng: DOOR.lng });

const newCustomer = async (owner = org.repA): Promise<number> => {
  const res = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.admin), json: { name: `签到测试医院${++seq}号`, industry: '公立医院', ownerId: owner.id, stage: 'proposal' } });
  expect(res.status).toBe(201);
  return res.body.id;
};
const signIn = (customerId: number, body: unknown, who = org.repA, key = randomUUID()) =>
  api(h.url, 'POST', `/api/v1/customers/${customerId}/signins`, { token: org.token(who), json: body, headers: { 'idempotency-key': key } });
const setLocation = (customerId: number, body: unknown, who = org.supervisor1) => api(h.url, 'PUT', `/api/v1/customers/${customerId}/location`, { token: org.token(who), json: body });
const location = (customerId: number, who = org.repA) => api(h.url, 'GET', `/api/v1/customers/${customerId}/location`, { token: org.token(who) });
const signinCount = async () => Number(((await h.db.query('SELECT COUNT(*) AS n FROM signin')) as { n: number }[])[0]!.n);

describe('distance and flags', () => {
  let customerId: number;
  beforeAll(async () => {
    customerId = await newCustomer();
    expect((await setLocation(customerId, DOOR)).status).toBe(200);
  });

  it('at the door: 0 m, no flag, 已签到 · 0 m, on the rep\'s local day', async () => {
    const res = await signIn(customerId, { ...DOOR, accuracy: 25 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ distance: 0, tooFar: false, inaccurate: false, coordSystem: 'gcj02', chip: '已签到 · 0 m', member: { id: org.repA.id } });
    // 02:00 UTC is 10:00 in Shanghai, the same day
    expect(res.body.day).toBe('2026-11-20');
  });

  it('exactly 500 m away is not flagged; 501 m is (距离客户 501 m)', async () => {
    const at500 = await signIn(customerId, { ...north(500), accuracy: 20 });
    expect(at500.body).toMatchObject({ distance: 500, tooFar: false, chip: '已签到 · 500 m' });
    const at501 = await signIn(customerId, { ...north(501), accuracy: 20 });
    expect(at501.body).toMatchObject({ distance: 501, tooFar: true, chip: '距离客户 501 m' });
    const far = await signIn(customerId, { ...north(3200), accuracy: 20 });
    expect(far.body).toMatchObject({ distance: 3200, tooFar: true, chip: '距离客户 3.2 km' });
  });

  it('accuracy worse than the distance (500 m) is flagged, 500 m itself is not', async () => {
    expect((await signIn(customerId, { ...DOOR, accuracy: 500 })).body.inaccurate).toBe(false);
    expect((await signIn(customerId, { ...DOOR, accuracy: 500.5 })).body).toMatchObject({ inaccurate: true, tooFar: false });
  });

  it('a browser\'s WGS-84 point is stored as WGS-84 and measured after conversion to GCJ-02', async () => {
    const gps = { lat: 31.1774276, lng: 121.5272106 };
    const other = await newCustomer();
    await setLocation(other, { ...gps, coordSystem: 'wgs84' });
    const loc = await location(other);
    // stored converted: the published reference value for this point
    expect(loc.body).toMatchObject({ status: 'set', coordSystem: 'gcj02' });
    expect(loc.body.lat).toBeCloseTo(31.17530398, 6);
    expect(loc.body.lng).toBeCloseTo(121.53154186, 6);
    const fromBrowser = await signIn(other, { ...gps, accuracy: 10, coordSystem: 'wgs84' });
    expect(fromBrowser.body).toMatchObject({ coordSystem: 'wgs84', lat: gps.lat, lng: gps.lng, distance: 0, tooFar: false });
    // the same numbers read as GCJ-02 would be the GPS offset (hundreds of metres) away
    const misread = await signIn(other, { ...gps, accuracy: 10, coordSystem: 'gcj02' });
    expect(misread.body.distance).toBeGreaterThan(300);
    expect(wgs84ToGcj02(gps).lat).toBeCloseTo(loc.body.lat, 9);
  });

  it('a retried sign-in (same Idempotency-Key) stores one row and answers the same', async () => {
    const key = randomUUID();
    const before = await signinCount();
    const first = await signIn(customerId, { ...DOOR, accuracy: 15 }, org.repA, key);
    const again = await signIn(customerId, { ...DOOR, accuracy: 15 }, org.repA, key);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(await signinCount()).toBe(before + 1);
  });

  it('the day is the policy time zone\'s: 17:00 UTC is already tomorrow in Shanghai', async () => {
    const saved = h.clock.now();
    h.clock.set(new Date('2026-11-20T17:00:00Z'));
    try {
      expect((await signIn(customerId, { ...DOOR, accuracy: 15 })).body.day).toBe('2026-11-21');
    } finally {
      h.clock.set(saved);
    }
  });
});

describe('impossible or lying input is refused with the field named, and nothing is written', () => {
  let customerId: number;
  beforeAll(async () => {
    customerId = await newCustomer();
  });
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['latitude above 90', { lat: 91, lng: 121, accuracy: 10 }, 'lat', /纬度.*不能大于 90/],
    ['latitude below -90', { lat: -90.0001, lng: 121, accuracy: 10 }, 'lat', /纬度.*不能小于 -90/],
    ['longitude beyond 180', { lat: 31, lng: 180.5, accuracy: 10 }, 'lng', /经度.*不能大于 180/],
    ['longitude below -180', { lat: 31, lng: -181, accuracy: 10 }, 'lng', /经度.*不能小于 -180/],
    ['coordinates as text', { lat: '31.2304', lng: '121.4737', accuracy: 10 }, 'lat', /纬度.*数字/],
    ['NaN (JSON sends null)', { lat: null, lng: 121, accuracy: 10 }, 'lat', /纬度/],
    ['a huge number', { lat: 1e308, lng: 121, accuracy: 10 }, 'lat', /纬度/],
    ['accuracy 0', { lat: 31, lng: 121, accuracy: 0 }, 'accuracy', /定位精度.*大于 0/],
    ['negative accuracy', { lat: 31, lng: 121, accuracy: -5 }, 'accuracy', /定位精度.*大于 0/],
    ['absurd accuracy', { lat: 31, lng: 121, accuracy: 1e9 }, 'accuracy', /定位精度.*不能大于 10000/],
    ['accuracy as text', { lat: 31, lng: 121, accuracy: '10' }, 'accuracy', /定位精度.*数字/],
    ['missing accuracy', { lat: 31, lng: 121 }, 'accuracy', /定位精度/],
    ['an unknown coordinate system', { lat: 31, lng: 121, accuracy: 10, coordSystem: 'bd09' }, 'coordSystem', /坐标系.*gcj02/],
    ['a field the server sets itself', { lat: 31, lng: 121, accuracy: 10, distance: 0 }, '', /distance/],
  ];
  it.each(cases)('%s → 422 VALIDATION_FAILED', async (_what, body, field, message) => {
    const before = await signinCount();
    const res = await signIn(customerId, body);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    if (field) expect(res.body.error.fields[field]).toMatch(message);
    else expect(JSON.stringify(res.body.error)).toMatch(message);
    expect(await signinCount()).toBe(before);
  });

  it('a body that is not an object, or not JSON at all → 4xx, nothing written', async () => {
    const before = await signinCount();
    const arr = await signIn(customerId, [31, 121]);
    expect(arr.status).toBe(400);
    const text = await api(h.url, 'POST', `/api/v1/customers/${customerId}/signins`, { token: org.token(org.repA), rawBody: 'lat=31', headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() } });
    expect(text.status).toBe(400);
    expect(await signinCount()).toBe(before);
  });

  it('a customer location with impossible coordinates → 422 naming the field; the location is unchanged', async () => {
    const res = await setLocation(customerId, { lat: 200, lng: 121 });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.lat).toMatch(/纬度/);
    expect((await location(customerId)).body.status).toBe('none');
  });
});

describe('scope', () => {
  it("a rep signs in only at their own customers: a teammate's answers 404 and writes nothing", async () => {
    const theirs = await newCustomer(org.repB);
    const before = await signinCount();
    const res = await signIn(theirs, { ...DOOR, accuracy: 10 }, org.repA);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('客户不存在');
    expect(await signinCount()).toBe(before);
    expect((await api(h.url, 'GET', `/api/v1/customers/${theirs}/signins`, { token: org.token(org.repA) })).status).toBe(404);
  });

  it('finance and marketing do not sign in (403, the right named)', async () => {
    const mine = await newCustomer();
    const res = await signIn(mine, { ...DOOR, accuracy: 10 }, org.finance);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/外勤签到/);
  });

  it('a rep may not set a location (403); another team\'s supervisor sees no such customer (404)', async () => {
    const mine = await newCustomer();
    expect((await setLocation(mine, DOOR, org.repA)).status).toBe(403);
    expect((await setLocation(mine, DOOR, org.supervisor2)).status).toBe(404);
    expect((await location(mine)).body).toMatchObject({ status: 'none', canManage: false });
    expect((await location(mine, org.supervisor1)).body.canManage).toBe(true);
  });

  it("the list: the customer's sign-ins, newest first; mine=true&day=today for the visit form", async () => {
    const mine = await newCustomer();
    await setLocation(mine, DOOR);
    await signIn(mine, { ...north(120), accuracy: 10 }, org.repA);
    await signIn(mine, { ...DOOR, accuracy: 10 }, org.supervisor1);
    const all = await api(h.url, 'GET', `/api/v1/customers/${mine}/signins`, { token: org.token(org.repA) });
    expect(all.body.total).toBe(2);
    expect(all.body.items[0].member.id).toBe(org.supervisor1.id);
    const today = await api(h.url, 'GET', `/api/v1/customers/${mine}/signins?mine=true&day=today`, { token: org.token(org.repA) });
    expect(today.body.items.map((s: { chip: string }) => s.chip)).toEqual(['已签到 · 120 m']);
    const bad = await api(h.url, 'GET', `/api/v1/customers/${mine}/signins?day=yesterday`, { token: org.token(org.repA) });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields.day).toMatch(/日期/);
  });
});

describe('a location proposed from the first good sign-ins, confirmed by the supervisor', () => {
  it('after 3 sign-ins within 100 m accuracy the median is proposed; the supervisor confirms; earlier sign-ins are measured', async () => {
    const customerId = await newCustomer();
    const first = await signIn(customerId, { ...north(40), accuracy: 30 });
    expect(first.body).toMatchObject({ distance: null, chip: '已签到 · 客户位置待定' });
    // a vague one does not count towards the proposal
    await signIn(customerId, { ...north(2000), accuracy: 800 });
    await signIn(customerId, { ...north(0), accuracy: 50 });
    expect((await location(customerId)).body.status).toBe('none');
    await signIn(customerId, { ...north(10), accuracy: 100 });
    const proposed = await location(customerId, org.supervisor1);
    expect(proposed.body).toMatchObject({ status: 'proposed', source: 'signins', sampleCount: 3, canManage: true });
    // the median of 40, 0 and 10 m north: 10 m north
    expect(proposed.body.lat).toBeCloseTo(north(10).lat, 9);
    // until confirmed it measures nothing
    expect((await signIn(customerId, { ...DOOR, accuracy: 10 })).body.distance).toBeNull();

    // a rep may not confirm it; the supervisor does, once
    expect((await api(h.url, 'POST', `/api/v1/customers/${customerId}/location/confirm`, { token: org.token(org.repA) })).status).toBe(403);
    const confirmed = await api(h.url, 'POST', `/api/v1/customers/${customerId}/location/confirm`, { token: org.token(org.supervisor1) });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'set', source: 'signins', setBy: { id: org.supervisor1.id } });
    const again = await api(h.url, 'POST', `/api/v1/customers/${customerId}/location/confirm`, { token: org.token(org.admin) });
    expect(again.body.setBy.id).toBe(org.supervisor1.id);

    const list = await api(h.url, 'GET', `/api/v1/customers/${customerId}/signins?pageSize=100`, { token: org.token(org.repA) });
    const chips = list.body.items.map((s: { chip: string }) => s.chip).reverse();
    expect(chips).toEqual(['已签到 · 30 m', '距离客户 2.0 km', '已签到 · 10 m', '已签到 · 0 m', '已签到 · 10 m']);
    expect(list.body.items.find((s: { accuracy: number }) => s.accuracy === 800).inaccurate).toBe(true);
  });

  it('confirming where nothing is proposed → 409 NO_LOCATION_PROPOSAL', async () => {
    const customerId = await newCustomer();
    const res = await api(h.url, 'POST', `/api/v1/customers/${customerId}/location/confirm`, { token: org.token(org.supervisor1) });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'NO_LOCATION_PROPOSAL', message: '该客户还没有待确认的建议位置' });
  });

  it('a location entered by the supervisor replaces a proposal', async () => {
    const customerId = await newCustomer();
    for (const m of [0, 5, 10]) await signIn(customerId, { ...north(m), accuracy: 20 });
    expect((await location(customerId)).body.status).toBe('proposed');
    const set = await setLocation(customerId, north(1000));
    expect(set.body).toMatchObject({ status: 'set', source: 'set', sampleCount: null });
    expect((await signIn(customerId, { ...DOOR, accuracy: 20 })).body).toMatchObject({ distance: 1000, chip: '距离客户 1.0 km' });
  });
});

describe('位置待确认: the supervisor finds the customers waiting and confirms from the list', () => {
  const proposals = (who: Member) => api(h.url, 'GET', '/api/v1/signins/location-proposals', { token: org.token(who) });
  const ids = (res: { body: { items: Array<{ customerId: number }> } }) => res.body.items.map((p) => p.customerId);
  it('lists the waiting ones in reach (team for a supervisor, all for an admin), on the home screen too; a confirmed one leaves', async () => {
    const mine = await newCustomer(org.repA);
    const other = await newCustomer(org.repC); // team 2
    for (const m of [0, 5, 10]) await signIn(mine, { ...north(m), accuracy: 20 }, org.repA);
    for (const m of [0, 5, 10]) await signIn(other, { ...north(m), accuracy: 20 }, org.repC);
    const s1 = await proposals(org.supervisor1);
    expect(s1.status).toBe(200);
    expect(ids(s1)).toContain(mine);
    expect(ids(s1)).not.toContain(other);
    const row = s1.body.items.find((p: { customerId: number }) => p.customerId === mine);
    expect(row).toMatchObject({ customerName: expect.stringContaining('签到测试医院'), owner: { id: org.repA.id, name: org.repA.name }, sampleCount: 3 });
    expect(row.lat).toBeCloseTo(north(5).lat, 9);
    expect(s1.body.count).toBe(s1.body.items.length);
    expect(ids(await proposals(org.supervisor2))).toEqual(expect.arrayContaining([other]));
    expect(ids(await proposals(org.admin))).toEqual(expect.arrayContaining([mine, other]));
    // the home screen carries the same list for whoever confirms, nothing for the others
    const home = await api(h.url, 'GET', '/api/v1/home', { token: org.token(org.supervisor1) });
    expect(home.body.locationProposals.items.map((p: { customerId: number }) => p.customerId)).toContain(mine);
    for (const who of [org.repA, org.directorEast, org.finance, org.marketing]) {
      expect((await api(h.url, 'GET', '/api/v1/home', { token: org.token(who) })).body.locationProposals).toBeNull();
      expect((await proposals(who)).status).toBe(403);
    }
    // one tap from the list: confirmed, and it leaves the list
    expect((await api(h.url, 'POST', `/api/v1/customers/${mine}/location/confirm`, { token: org.token(org.supervisor1) })).status).toBe(200);
    expect(ids(await proposals(org.supervisor1))).not.toContain(mine);
    expect((await signIn(mine, { ...north(5), accuracy: 20 }, org.repA)).body).toMatchObject({ distance: 0, chip: '已签到 · 0 m' });
  });
});

describe('a visit links the day\'s sign-in', () => {
  const visitCount = async () => Number(((await h.db.query('SELECT COUNT(*) AS n FROM visit')) as { n: number }[])[0]!.n);

  it('the visit, its detail and the supervisor\'s card snapshot show 已签到 · 120 m', async () => {
    const customerId = await newCustomer();
    await setLocation(customerId, DOOR);
    const signin = (await signIn(customerId, { ...north(120), accuracy: 15 })).body;
    const res = await submitVisit(h, org.token(org.repA), { ...completeVisit(customerId), signinId: signin.id });
    expect(res.status).toBe(201);
    expect(res.body.signin).toMatchObject({ id: signin.id, distance: 120, chip: '已签到 · 120 m' });
    const detail = await api(h.url, 'GET', `/api/v1/visits/${res.body.id}`, { token: org.token(org.supervisor1) });
    expect(detail.body).toMatchObject({ signinChip: '已签到 · 120 m', signin: { id: signin.id, distance: 120, tooFar: false } });
    const todo = await h.db.getRepository(Todo).findOneByOrFail({ visitId: res.body.id });
    expect(todo.snapshot.visit.signin).toBe('已签到 · 120 m');
  });

  it('a visit without a sign-in reads 未签到', async () => {
    const customerId = await newCustomer();
    const res = await submitVisit(h, org.token(org.repA), completeVisit(customerId));
    const detail = await api(h.url, 'GET', `/api/v1/visits/${res.body.id}`, { token: org.token(org.repA) });
    expect(detail.body).toMatchObject({ signinChip: '未签到', signin: null });
    expect((await h.db.getRepository(Todo).findOneByOrFail({ visitId: res.body.id })).snapshot.visit.signin).toBe('未签到');
  });

  it("another rep's sign-in, one at another customer, yesterday's, or one already linked → 422 naming 签到; no visit stored", async () => {
    const customerId = await newCustomer();
    const other = await newCustomer();
    const theirs = await newCustomer(org.repB);
    const mine = (await signIn(customerId, { ...DOOR, accuracy: 15 })).body.id;
    const elsewhere = (await signIn(other, { ...DOOR, accuracy: 15 })).body.id;
    const repBs = (await signIn(theirs, { ...DOOR, accuracy: 15 }, org.repB)).body.id;
    const saved = h.clock.now();
    h.clock.set(new Date(saved.getTime() - 24 * 3600_000));
    const yesterday = (await signIn(customerId, { ...DOOR, accuracy: 15 })).body.id;
    h.clock.set(saved);
    const missing = 2147480000;
    for (const signinId of [repBs, elsewhere, yesterday, missing]) {
      const before = await visitCount();
      const res = await submitVisit(h, org.token(org.repA), { ...completeVisit(customerId), signinId });
      expect([signinId, res.status, res.body.error?.code]).toEqual([signinId, 422, 'SIGNIN_NOT_LINKABLE']);
      expect(res.body.error.fields.signinId).toMatch(/签到/);
      expect(await visitCount()).toBe(before);
    }
    expect((await submitVisit(h, org.token(org.repA), { ...completeVisit(customerId), signinId: mine })).status).toBe(201);
    const twice = await submitVisit(h, org.token(org.repA), { ...completeVisit(customerId), signinId: mine });
    expect(twice.body.error.code).toBe('SIGNIN_NOT_LINKABLE');
    const bad = await submitVisit(h, org.token(org.repA), { ...completeVisit(customerId), signinId: 'abc' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields.signinId).toMatch(/签到/);
  });
});
