import { networkInterfaces } from 'node:os';
import { createConnection } from 'node:net';
import { createTestDatabase, databaseEnv } from '../support/database';
import { api } from '../support/http';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

/** Demo mode is a demo: it seeds its own database, answers only this machine, and its logins stay in it. */
jest.setTimeout(240_000); // each start is a real `npm start` (tsx, migrations, seed)

let dbUrl: string;
let drop: () => Promise<void>;
const running: SpawnedServer[] = [];

beforeAll(async () => {
  const created = await createTestDatabase(2);
  dbUrl = created.url;
  drop = created.drop;
  // a real team's database: a member the demo seed did not create
  await created.db.query("INSERT INTO member (name, phone, role, createdAt, updatedAt) VALUES ('真实销售', '13711112222', 'rep', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
  await created.db.destroy();
});
afterAll(async () => {
  for (const server of running) await server.stop();
  await drop();
});

async function start(env: Record<string, string>): Promise<SpawnedServer> {
  const server = await spawnServer({ ...databaseEnv(dbUrl), ...env });
  running.push(server);
  return server;
}

function refusesConnection(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(2000, () => (socket.destroy(), resolve(true)));
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });
}

it('ANCHOR_DEMO=1 on a database the demo seed did not create refuses to start, naming ANCHOR_DEMO=force', async () => {
  const error = (await spawnServer({ ...databaseEnv(dbUrl), ANCHOR_DEMO: '1' }).then(
    (server) => (running.push(server), null),
    (e: { code?: number; output?: string }) => e,
  ))!;
  expect(error).not.toBeNull();
  expect(error.code).toBe(1);
  expect(error.output).toContain('ANCHOR_DEMO=force');
  expect(error.output).toContain('不是演示数据创建的');
});

it('with ANCHOR_DEMO=force it starts, but dev-login still accepts only seeded demo members', async () => {
  const server = await start({ ANCHOR_DEMO: 'force' });
  const real = await api(server.url, 'POST', '/api/v1/auth/dev-login', { json: { phone: '13711112222' } });
  expect(real.status).toBe(422);
  expect(real.body.error.fields.phone).toContain('演示成员');
  await server.stop();
});

describe('a demo database', () => {
  let demoDb: { url: string; drop: () => Promise<void> };
  let demoSql: <T>(sql: string) => Promise<T[]>;
  beforeAll(async () => {
    const created = await createTestDatabase(2);
    demoDb = created;
    demoSql = (sql) => created.db.query(sql);
  });
  afterAll(async () => {
    await demoDb.drop();
  });

  it('listens on 127.0.0.1 only, issues dev sessions marked as such, and a production server refuses them', async () => {
    const demo = await spawnServer({ ...databaseEnv(demoDb.url), ANCHOR_DEMO: '1' });
    running.push(demo);
    expect(demo.output()).toContain('127.0.0.1:');
    const port = Number(new URL(demo.url).port);
    const outside = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    expect(await refusesConnection('127.0.0.1', port)).toBe(false);
    if (outside) expect(await refusesConnection(outside.address, port)).toBe(true);

    const login = await api(demo.url, 'POST', '/api/v1/auth/dev-login', { json: { phone: '13800000101' } });
    expect(login.status).toBe(200);
    expect(login.headers.get('cache-control')).toBe('no-store');
    const token = login.body.token as string;
    expect((await api(demo.url, 'GET', '/api/v1/auth/me', { token })).status).toBe(200);
    await demo.stop();

    const rows: { via: string }[] = await demoSql('SELECT via FROM session');
    expect(rows.map((r) => r.via)).toEqual(['dev']);

    // the same database served for real: the dev session is dead, and dev-login is gone
    const production = await spawnServer({ ...databaseEnv(demoDb.url), ANCHOR_DEMO: '0', HOST: '127.0.0.1' });
    running.push(production);
    expect((await api(production.url, 'GET', '/api/v1/auth/me', { token })).status).toBe(401);
    expect((await api(production.url, 'POST', '/api/v1/auth/dev-login', { json: { phone: '13800000101' } })).status).toBe(404);
    await production.stop();
  });
});
