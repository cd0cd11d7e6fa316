import { randomUUID } from 'node:crypto';
import { HOUR_MS } from '../../server/src/clock';
import { Todo } from '../../server/src/modules/tasks/todo.view';
import { Visit } from '../../server/src/modules/visits/visit.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { completeVisit, submitVisit } from '../support/visit-fixture';

// A visit saved offline keeps the time the rep pressed save (bounded: not after receipt, not older
// than policy limits.offlineVisitMaxAgeDays) beside the time the server received it.
let h: Harness;
let org: OrgFixture;
let customer: number;
const MINUTE = 60_000;
const DAY = 24 * HOUR_MS;

beforeAll(async () => {
  h = await startHarness({ now: new Date('2026-11-20T02:00:00Z') }); // 10:00 in Shanghai
  org = await buildOrg(h);
  customer = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '南京市鼓楼医院', industry: '公立医院', stage: 'proposal' } })).body.id;
});
afterAll(() => h.close());

const ago = (ms: number) => new Date(h.clock.now().getTime() - ms).toISOString();
const token = () => org.token(org.repA);
const timelineVisit = async (id: number) => {
  const res = await api(h.url, 'GET', `/api/v1/customers/${customer}/timeline?pageSize=100`, { token: token() });
  return res.body.items.find((e: { type: string; id: number }) => e.type === 'visit' && e.id === id);
};

describe('a visit saved offline', () => {
  it('keeps when it was saved beside when it arrived; the 48 h clock runs from arrival; the timeline shows both', async () => {
    const savedAt = ago(3 * HOUR_MS); // 07:00 Shanghai, uploaded at 10:00
    const res = await submitVisit(h, token(), { ...completeVisit(customer), savedAt });
    expect(res.status).toBe(201);
    const now = h.clock.now();
    expect(res.body).toMatchObject({ savedAt, submittedAt: now.toISOString() });
    const stored = await h.db.getRepository(Visit).findOneByOrFail({ id: res.body.id });
    expect(stored.savedAt?.toISOString()).toBe(savedAt);
    expect(stored.submittedAt?.toISOString()).toBe(now.toISOString());
    const todo = await h.db.getRepository(Todo).findOneByOrFail({ visitId: res.body.id });
    expect(todo.dueAt.toISOString()).toBe(new Date(now.getTime() + 48 * HOUR_MS).toISOString());

    const entry = await timelineVisit(res.body.id);
    expect(entry).toMatchObject({ savedAt, at: now.toISOString(), offlineNote: '离线保存于 11-20 07:00，上传于 11-20 10:00' });
    expect((await api(h.url, 'GET', `/api/v1/visits/${res.body.id}`, { token: token() })).body.savedAt).toBe(savedAt);
  });

  it('a few minutes between save and upload (policy: 5) shows one time only', async () => {
    const res = await submitVisit(h, token(), { ...completeVisit(customer), savedAt: ago(4 * MINUTE) });
    expect(res.status).toBe(201);
    expect(await timelineVisit(res.body.id)).toMatchObject({ savedAt: ago(4 * MINUTE), offlineNote: null });
  });

  it('a visit sent online without savedAt is saved on receipt', async () => {
    const res = await submitVisit(h, token(), completeVisit(customer));
    expect(res.body.savedAt).toBe(h.clock.now().toISOString());
  });

  it('a phone clock ahead of the server is clamped to the receipt', async () => {
    const res = await submitVisit(h, token(), { ...completeVisit(customer), savedAt: new Date(h.clock.now().getTime() + 2 * HOUR_MS).toISOString() });
    expect(res.status).toBe(201);
    expect(res.body.savedAt).toBe(h.clock.now().toISOString());
  });

  it('older than 7 days is refused with VISIT_TOO_OLD in Chinese, and nothing is stored', async () => {
    const before = await h.db.getRepository(Visit).count();
    const res = await submitVisit(h, token(), { ...completeVisit(customer), savedAt: ago(7 * DAY + MINUTE) });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VISIT_TOO_OLD');
    expect(res.body.error.message).toBe('这条拜访离线保存于 2026-11-13 09:59，已超过 7 天，无法上传；请重新填写');
    expect(res.body.error.fields).toEqual({ savedAt: '离线保存已超过 7 天' });
    expect(await h.db.getRepository(Visit).count()).toBe(before);
    // exactly 7 days is still accepted
    expect((await submitVisit(h, token(), { ...completeVisit(customer), savedAt: ago(7 * DAY) })).status).toBe(201);
  });

  it('a follow-up that was in the future when saved is judged as of the save, not the upload', async () => {
    // saved 3 days ago (Tuesday) promising Wednesday 10:00; uploaded Friday
    const res = await submitVisit(h, token(), { ...completeVisit(customer), savedAt: ago(3 * DAY), nextFollowUpDate: '2026-11-18', nextFollowUpTime: '10:00' });
    expect(res.status).toBe(201);
    expect(res.body.nextFollowUpAt).toBe('2026-11-18T02:00:00.000Z');
    // the same promise made today (no offline save) is in the past
    const online = await submitVisit(h, token(), { ...completeVisit(customer), nextFollowUpDate: '2026-11-18', nextFollowUpTime: '10:00' });
    expect(online.status).toBe(422);
    expect(online.body.error.fields.nextFollowUpDate).toBe('下次跟进时间必须晚于现在');
  });

  it('a malformed savedAt is refused, naming the field', async () => {
    const res = await submitVisit(h, token(), { ...completeVisit(customer), savedAt: '昨天晚上' });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.savedAt).toMatch(/^离线保存时间/);
  });

  it('a replay days later keeps the first answer instead of meeting today\u2019s age check', async () => {
    const key = randomUUID();
    const body = { ...completeVisit(customer), savedAt: ago(6 * DAY) };
    const first = await submitVisit(h, token(), body, key);
    expect(first.status).toBe(201);
    h.clock.advance(2 * DAY); // now 8 days after the save
    try {
      const before = await h.db.getRepository(Visit).count();
      const replay = await submitVisit(h, token(), body, key);
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect(await h.db.getRepository(Visit).count()).toBe(before);
      // a new key with the same old save is refused
      expect((await submitVisit(h, token(), body)).body.error.code).toBe('VISIT_TOO_OLD');
    } finally {
      h.clock.advance(-2 * DAY);
    }
  });
});
