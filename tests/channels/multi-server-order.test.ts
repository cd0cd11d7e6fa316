import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withSqlTransaction } from '../../server/src/db/sql';
import { enqueueMessages } from '../../server/src/outbox/outbox';
import type { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { databaseEnv } from '../support/database';
import { WecomSimulator } from '../simulators/wecom-sim';

// Two servers working off one backlog (after an outage or a deploy) must deliver each person's messages
// in the order the domain produced them (outbox id order). Before, each server expanded its own 200-row
// batch side by side: delivery ids interleaved and a batch could commit before an earlier one, so a
// person got messages 1…30, 101, 31, 32, 102….
const PEOPLE = 40;
const PER_PERSON = 25; // within WeCom's 30 per member per minute: the whole backlog goes in one window
jest.setTimeout(240_000);

let h: Harness;
let org: OrgFixture;
let wecom: WecomSimulator;
let dir: string;
const servers: SpawnedServer[] = [];

beforeAll(async () => {
  wecom = await new WecomSimulator().start();
  const env = { WECOM_CORP_ID: wecom.corpId, WECOM_AGENT_ID: '1000002', WECOM_SECRET: wecom.secret, WECOM_API_BASE: wecom.url };
  h = await startHarness({ env });
  org = await buildOrg(h);
  dir = mkdtempSync(path.join(tmpdir(), 'anchor-order-'));
  // both servers look at the outbox every second, on the second: their passes coincide
  const policyFile = path.join(dir, 'policy.yaml');
  writeFileSync(policyFile, readFileSync(path.resolve(__dirname, '../../config/policy.yaml'), 'utf8').replace(/pollSeconds: \d+/, 'pollSeconds: 1'));
  const serverEnv = { ...env, ...databaseEnv(h.dbUrl), ANCHOR_POLICY: policyFile, ANCHOR_UPLOAD_DIR: dir };
  servers.push(...(await Promise.all([spawnServer(serverEnv), spawnServer(serverEnv)])));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await h.close();
  await wecom.stop();
  rmSync(dir, { recursive: true, force: true });
});

it(`two servers draining a backlog of ${PEOPLE * PER_PERSON} messages deliver each person's in outbox order: zero inversions`, async () => {
  const people: Member[] = [];
  for (let p = 0; p < PEOPLE; p++) {
    people.push(await h.services.org.createMember({ name: `顺序主管${p}`, phone: `1376543${String(1000 + p)}`, role: 'supervisor', teamId: org.teamIds.team1, wecomUserId: `order.p${p}` }));
  }
  const customers: { id: number; name: string }[] = [];
  for (let i = 0; i < PER_PERSON; i++) {
    const name = `顺序测试医院${String(i).padStart(2, '0')}`;
    const res = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name, industry: '公立医院', stage: 'lead' } });
    expect(res.status).toBe(201);
    customers.push({ id: res.body.id, name });
  }
  // The backlog, written at once (as an outage leaves it): round i gives every person their i-th message,
  // so each person's messages are spread over the whole outbox and over every expansion batch.
  const messages = customers.flatMap((c) =>
    people.map((p) => ({ kind: 'lead.first_touch_overdue' as const, teamId: null, payload: { customerId: c.id, ownerId: org.repA.id, supervisorId: p.id } })),
  );
  await withSqlTransaction(h.db, (sql) => enqueueMessages(sql, messages, new Date()));

  const total = PEOPLE * PER_PERSON;
  const received = () => people.reduce((n, p) => n + wecom.deliveredMessages(p.wecomUserId!).length, 0);
  const deadline = Date.now() + 180_000;
  while (received() < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));

  let inversions = 0;
  const invertedPeople: string[] = [];
  for (const p of people) {
    const order = wecom.deliveredMessages(p.wecomUserId!).map((m) => customers.findIndex((c) => String(m.body.text?.content ?? '').includes(c.name)));
    // every message once, none lost
    expect([...order].sort((a, b) => a - b)).toEqual(customers.map((_, i) => i));
    const here = order.filter((v, i) => i > 0 && v < order[i - 1]!).length;
    if (here) invertedPeople.push(`${p.wecomUserId}: ${order.join(',')}`);
    inversions += here;
  }
  expect(invertedPeople).toEqual([]);
  expect(inversions).toBe(0);
  expect(wecom.droppedMessages()).toEqual([]);
  // no pass failed on either server (a lock wait that timed out would show here)
  const logs = servers.map((s) => s.output());
  expect(logs.every((l) => !/outbox pass failed/.test(l))).toBe(true);
});
