import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { todoOfNewVisit } from '../support/visit-fixture';

// A row must not outlive its parent, on MariaDB and on the embedded SQLite alike: the database itself
// refuses a visit, to-do, photo, session or history row that points at nothing, and a parent's delete
// either takes its describing rows with it or is refused while business records hang on it.
let h: Harness;
let org: OrgFixture;
let customerId: number;
const MISSING = 987654;

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
  const created = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '外键测试医院', industry: '公立医院', stage: 'proposal' } });
  customerId = created.body.id;
});
afterAll(() => h.close());

// a datetime both drivers take as a bound parameter
const now = () => '2026-11-20 02:00:00.000';
const count = async (table: string) => Number(((await h.db.query(`SELECT COUNT(*) AS n FROM ${table}`)) as { n: number }[])[0]!.n);

describe('a child row for a missing parent is refused', () => {
  it.each<[string, () => [string, unknown[]]]>([
    ['a visit of a missing customer', () => ['INSERT INTO visit (customerId, memberId, alert, createdAt) VALUES (?, ?, 0, ?)', [MISSING, org.repA.id, now()]]],
    ['a visit by a missing member', () => ['INSERT INTO visit (customerId, memberId, alert, createdAt) VALUES (?, ?, 0, ?)', [customerId, MISSING, now()]]],
    [
      'a to-do of a missing customer',
      () => [
        "INSERT INTO task (kind, subjectType, subjectId, customerId, requesterId, assigneeId, snapshot, dueAt, escalationTarget, createdAt) VALUES ('visit_next_action', 'visit', 1, ?, ?, ?, '{}', ?, 'manager', ?)",
        [MISSING, org.repA.id, org.supervisor1.id, now(), now()],
      ],
    ],
    ['a photo uploaded by a missing member', () => ["INSERT INTO attachment (purpose, uploadedById, size, contentType, sha256, storageKey, createdAt) VALUES ('photo', ?, 1, 'image/jpeg', '', 'k', ?)", [MISSING, now()]]],
    ['a session of a missing member', () => ["INSERT INTO session (tokenHash, memberId, via, createdAt, expiresAt) VALUES ('fk-test', ?, 'wechat', ?, ?)", [MISSING, now(), now()]]],
    [
      'a stage change of a missing customer',
      () => ["INSERT INTO customer_stage_change (customerId, fromStage, toStage, changedById, changedAt) VALUES (?, 'lead', 'visit', ?, ?)", [MISSING, org.repA.id, now()]],
    ],
    ['a customer owned by a missing member', () => ["INSERT INTO customer (name, nameKey, industry, stage, stageChangedAt, ownerId, createdById, createdAt, updatedAt) VALUES ('无主医院', 'wuzhu', '公立医院', 'lead', ?, ?, ?, ?, ?)", [now(), MISSING, org.repA.id, now(), now()]]],
    ['a sign-in at a missing customer', () => ["INSERT INTO signin (customerId, memberId, lat, lng, coordSystem, accuracy, localDay, createdAt) VALUES (?, ?, 31.2, 121.4, 'gcj02', 10, '2026-11-20', ?)", [MISSING, org.repA.id, now()]]],
    ['a sign-in by a missing member', () => ["INSERT INTO signin (customerId, memberId, lat, lng, coordSystem, accuracy, localDay, createdAt) VALUES (?, ?, 31.2, 121.4, 'gcj02', 10, '2026-11-20', ?)", [customerId, MISSING, now()]]],
    ['a location of a missing customer', () => ["INSERT INTO customer_location (customerId, lat, lng, source, proposedAt) VALUES (?, 31.2, 121.4, 'set', ?)", [MISSING, now()]]],
  ])('%s', async (_what, statement) => {
    const [query, params] = statement();
    const table = /INSERT INTO (\w+)/.exec(query)![1]!;
    const before = await count(table);
    await expect(h.db.query(query, params)).rejects.toThrow(/foreign key/i);
    expect(await count(table)).toBe(before);
  });
});

describe('deleting a parent', () => {
  it('is refused while a visit and its to-do hang on the customer; the rows stay', async () => {
    const todo = await todoOfNewVisit(h, org.token(org.repA), customerId);
    await expect(h.db.query('DELETE FROM customer WHERE id = ?', [customerId])).rejects.toThrow(/foreign key/i);
    expect(await h.db.query('SELECT id FROM visit WHERE id = ?', [todo.visitId])).toHaveLength(1);
    expect(await h.db.query('SELECT id FROM task WHERE id = ?', [todo.id])).toHaveLength(1);
  });

  it('takes a task\'s history with it (the history only describes the task)', async () => {
    const todo = await todoOfNewVisit(h, org.token(org.repA), customerId);
    await h.services.tasks.act(org.supervisor1.id, todo.id, 'comment', 'app', { comment: '外键测试', toMemberId: null });
    expect(await h.db.query('SELECT id FROM task_action WHERE taskId = ?', [todo.id])).not.toHaveLength(0);
    await h.db.query('DELETE FROM task WHERE id = ?', [todo.id]);
    expect(await h.db.query('SELECT id FROM task_action WHERE taskId = ?', [todo.id])).toHaveLength(0);
  });

  it('takes its sessions with it (a member nothing else refers to)', async () => {
    const member = await h.services.org.createMember({ name: '临时成员', phone: '13912340000', role: 'rep', teamId: org.teamIds.team1, regionId: org.regionIds.east, managerId: org.supervisor1.id });
    await h.services.auth.issueSession(member, 'wechat');
    expect(await h.db.query('SELECT id FROM session WHERE memberId = ?', [member.id])).toHaveLength(1);
    await h.db.query('DELETE FROM member WHERE id = ?', [member.id]);
    expect(await h.db.query('SELECT id FROM session WHERE memberId = ?', [member.id])).toHaveLength(0);
  });
});
