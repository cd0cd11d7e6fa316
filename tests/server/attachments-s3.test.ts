import { readdirSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { Attachment } from '../../server/src/modules/attachments/attachment.entity';
import { readEnv } from '../../server/src/config/env';
import { loadPolicy } from '../../server/src/config/policy';
import { startHarness, type Harness } from '../support/harness';
import { databaseEnv } from '../support/database';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { startS3Server, type S3Server } from '../support/s3-server';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { completeVisit, submitVisit } from '../support/visit-fixture';

// Two servers on one database and one S3-compatible bucket: A in this process (its clock is the test's),
// B spawned as `npm start` runs it. Each must serve what the other stored.
let s3: S3Server;
let a: Harness;
let b: SpawnedServer;
let org: OrgFixture;
let customerA: number;

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
/** over A's presign threshold (1 KB below) */
const LARGE_PNG = Buffer.concat([PNG, Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 253))]);

function form(bytes: Buffer): FormData {
  const f = new FormData();
  f.append('file', new Blob([bytes], { type: 'image/png' }), 'IMG.png');
  return f;
}
const upload = (base: string, token: string, bytes: Buffer) => api(base, 'POST', '/api/v1/photos', { token, form: form(bytes) });
// completeVisit's follow-up date is fixed for the harness's default clock; on the real clock it is three days on
const visitNow = () => ({ ...completeVisit(customerA), nextFollowUpDate: new Date(a.clock.now().getTime() + 3 * 86_400_000).toISOString().slice(0, 10) });
const keyOf = async (id: number) => (await a.db.getRepository(Attachment).findOneByOrFail({ id })).storageKey;
async function read(stream: Readable | null): Promise<Buffer | null> {
  if (!stream) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  s3 = await startS3Server();
  const policy = loadPolicy();
  // the real clock: B runs on it, and sessions A issues must be valid there
  a = await startHarness({ now: new Date(), env: { STORAGE_URL: s3.storageUrl }, policy: { ...policy, uploads: { ...policy.uploads, presignAboveMegabytes: 1 / 1024 } } });
  org = await buildOrg(a);
  customerA = (await api(a.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '对象存储医院', industry: '公立医院' } })).body.id;
  // B has an upload folder of its own, empty: with object storage it must never need it
  b = await spawnServer({ ...databaseEnv(a.dbUrl), STORAGE_URL: s3.storageUrl, ANCHOR_BACKGROUND: 'off', ANCHOR_UPLOAD_DIR: `${a.env.uploadDir}-b` });
}, 90_000);
afterAll(async () => {
  await b?.stop();
  await a?.close();
  await s3?.close();
});

describe('STORAGE_URL', () => {
  it('chooses S3-compatible storage with a custom endpoint and path-style addressing; secrets may come from their own variables', () => {
    expect(a.env.storage).toMatchObject({ kind: 's3', endpoint: s3.endpoint, bucket: 'anchor', prefix: 'test/', forcePathStyle: true, region: 'cn-east-1' });
    const env = readEnv({ STORAGE_URL: 's3://oss-cn-hangzhou.aliyuncs.com/my-bucket?region=oss-cn-hangzhou', STORAGE_S3_ACCESS_KEY_ID: 'LTAI', STORAGE_S3_SECRET_ACCESS_KEY: 'secret' });
    expect(env.storage).toMatchObject({ kind: 's3', endpoint: 'https://oss-cn-hangzhou.aliyuncs.com', bucket: 'my-bucket', prefix: '', accessKeyId: 'LTAI', secretAccessKey: 'secret', forcePathStyle: false });
    expect(() => readEnv({ STORAGE_URL: 's3://host/bucket' })).toThrow('STORAGE_URL：缺少访问密钥');
    expect(() => readEnv({ STORAGE_URL: 'ftp://host/bucket' })).toThrow('STORAGE_URL：只支持 s3:// 地址');
  });
});

describe('two servers, one database, one bucket', () => {
  it('a photo uploaded through A downloads through B, and one uploaded through B through A; nothing lands on either disk', async () => {
    const viaA = await upload(a.url, org.token(org.repA), PNG);
    expect(viaA.status).toBe(201);
    const fromB = await api(b.url, 'GET', `/api/v1/photos/${viaA.body.id}`, { token: org.token(org.repA) });
    expect(fromB.status).toBe(200);
    expect(fromB.headers.get('content-type')).toBe('image/png');
    expect(Buffer.compare(fromB.body, PNG)).toBe(0);

    const viaB = await upload(b.url, org.token(org.repA), PNG);
    expect(viaB.status).toBe(201);
    const fromA = await api(a.url, 'GET', `/api/v1/photos/${viaB.body.id}`, { token: org.token(org.repA) });
    expect(fromA.status).toBe(200);
    expect(Buffer.compare(fromA.body, PNG)).toBe(0);

    // the object is in the bucket under the row's key; A's upload folder holds nothing
    expect(Buffer.compare((await read(await s3.storage.open(await keyOf(viaA.body.id))))!, PNG)).toBe(0);
    expect(readdirSync(a.env.uploadDir)).toEqual([]);
  });

  it('B answers a Range from the bucket, and keeps the scope: after the visit, the supervisor sees it and an outsider does not', async () => {
    const id = (await upload(a.url, org.token(org.repA), PNG)).body.id;
    expect((await submitVisit(a, org.token(org.repA), { ...visitNow(), photoIds: [id] })).status).toBe(201);
    const part = await api(b.url, 'GET', `/api/v1/photos/${id}`, { token: org.token(org.supervisor1), headers: { range: 'bytes=1-3' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1-3/${PNG.length}`);
    expect(part.body.toString('latin1')).toBe('PNG');
    expect((await api(b.url, 'GET', `/api/v1/photos/${id}`, { token: org.token(org.repB) })).status).toBe(404);
  });
});

describe('large objects go by presigned URL', () => {
  it('above the threshold the download is a 302 to a short-lived signed URL that serves the bytes; an outsider gets 404, no URL', async () => {
    const id = (await upload(a.url, org.token(org.repA), LARGE_PNG)).body.id;
    const res = await fetch(`${a.url}/api/v1/photos/${id}`, { headers: { authorization: `Bearer ${org.token(org.repA)}` }, redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const location = new URL(res.headers.get('location')!);
    expect(location.origin).toBe(s3.endpoint);
    expect(location.searchParams.get('X-Amz-Expires')).toBe(String(a.policy.uploads.presignedUrlSeconds));
    expect(location.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    const direct = await fetch(location);
    expect(direct.status).toBe(200);
    expect(direct.headers.get('content-type')).toBe('image/png');
    expect(Buffer.compare(Buffer.from(await direct.arrayBuffer()), LARGE_PNG)).toBe(0);
    const outsider = await fetch(`${a.url}/api/v1/photos/${id}`, { headers: { authorization: `Bearer ${org.token(org.supervisor1)}` }, redirect: 'manual' });
    expect(outsider.status).toBe(404);
    expect(outsider.headers.get('location')).toBeNull();
    // below the threshold (B's policy: 2 MB) the same object streams
    const fromB = await api(b.url, 'GET', `/api/v1/photos/${id}`, { token: org.token(org.repA) });
    expect(fromB.status).toBe(200);
    expect(Buffer.compare(fromB.body, LARGE_PNG)).toBe(0);
  });
});

describe('the sweep', () => {
  it('deletes unattached photos\u2019 rows and their objects in the bucket; attached ones stay', async () => {
    const abandoned = (await upload(a.url, org.token(org.repA), PNG)).body.id;
    const attached = (await upload(a.url, org.token(org.repA), PNG)).body.id;
    expect((await submitVisit(a, org.token(org.repA), { ...visitNow(), photoIds: [attached] })).status).toBe(201);
    const [abandonedKey, attachedKey] = [await keyOf(abandoned), await keyOf(attached)];
    expect(await read(await s3.storage.open(abandonedKey))).not.toBeNull();

    a.clock.advance((a.policy.uploads.unattachedPhotoHours + 1) * 3_600_000);
    try {
      expect(await a.services.photos.sweepUnattached()).toBeGreaterThanOrEqual(1);
    } finally {
      a.clock.advance(-(a.policy.uploads.unattachedPhotoHours + 1) * 3_600_000);
    }
    expect(await a.db.getRepository(Attachment).findOneBy({ id: abandoned })).toBeNull();
    expect(await s3.storage.open(abandonedKey)).toBeNull();
    expect(await read(await s3.storage.open(attachedKey))).not.toBeNull();
    expect((await api(b.url, 'GET', `/api/v1/photos/${abandoned}`, { token: org.token(org.repA) })).status).toBe(404);
  });
});

describe('object storage unreachable (last: it stops the store)', () => {
  it('an upload or a download answers 503 in Chinese, not 500, and stores no row', async () => {
    const id = (await upload(a.url, org.token(org.repA), PNG)).body.id;
    await s3.close();
    const before = await a.db.getRepository(Attachment).count();
    const up = await upload(a.url, org.token(org.repA), PNG);
    expect(up.status).toBe(503);
    expect(up.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: '文件存储暂时不可用，请稍后重试' });
    expect(await a.db.getRepository(Attachment).count()).toBe(before);
    const down = await api(b.url, 'GET', `/api/v1/photos/${id}`, { token: org.token(org.repA) });
    expect(down.status).toBe(503);
  });
});
