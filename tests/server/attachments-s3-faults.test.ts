import { createHash } from 'node:crypto';
import http from 'node:http';
import type { Readable } from 'node:stream';
import { Attachment } from '../../server/src/modules/attachments/attachment.entity';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { startS3Server, type S3Server } from '../support/s3-server';
import { startS3FaultProxy, type S3FaultProxy } from '../support/s3-fault-proxy';

// Object storage misbehaving as it does in the field, through a fault-injecting HTTP proxy in front of a
// real S3-compatible server (no SDK mocks): throttling on upload and download, a body cut off half-way.
let s3: S3Server;
let proxy: S3FaultProxy;
let h: Harness;
let org: OrgFixture;

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
/** 200 KB: streamed through the server (below the presign threshold), long enough to cut in the middle */
const BIG_PNG = Buffer.concat([PNG, Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) % 256))]);
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function upload(bytes: Buffer) {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/png' }), 'IMG.png');
  return api(h.url, 'POST', '/api/v1/photos', { token: org.token(org.repA), form });
}
const download = (id: number) => api(h.url, 'GET', `/api/v1/photos/${id}`, { token: org.token(org.repA) });
const rows = () => h.db.getRepository(Attachment).count();
const puts = () => proxy.requests.filter((r) => r.method === 'PUT').length;
const gets = () => proxy.requests.filter((r) => r.method === 'GET').length;
async function read(stream: Readable | null): Promise<Buffer | null> {
  if (!stream) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  s3 = await startS3Server();
  proxy = await startS3FaultProxy(s3.endpoint);
  const viaProxy = s3.storageUrl.replace(new URL(s3.endpoint).host, new URL(proxy.endpoint).host);
  h = await startHarness({ now: new Date(), env: { STORAGE_URL: viaProxy } });
  org = await buildOrg(h);
}, 60_000);
afterEach(() => proxy.heal());
afterAll(async () => {
  await h?.close();
  await proxy?.close();
  await s3?.close();
});

describe('the store throttles an upload', () => {
  it.each([
    [503, 'SlowDown'],
    [429, 'TooManyRequests'],
  ])('%s %s every time: the user gets a Chinese 503 with Retry-After after the SDK\u2019s three tries; no row written', async (status, code) => {
    const [rowsBefore, putsBefore] = [await rows(), puts()];
    proxy.fail({ method: 'PUT', status, code });
    const res = await upload(PNG);
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: '文件存储暂时不可用，请稍后重试' });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(puts() - putsBefore).toBe(3); // the SDK's standard retries: three attempts, then it gives up
    expect(await rows()).toBe(rowsBefore);
  }, 30_000);

  it('once: the SDK\u2019s retry stores it, and the user sees a plain 201', async () => {
    const putsBefore = puts();
    proxy.fail({ method: 'PUT', status: 503, code: 'SlowDown', times: 1 });
    const res = await upload(PNG);
    expect(res.status).toBe(201);
    expect(puts() - putsBefore).toBe(2);
    const row = await h.db.getRepository(Attachment).findOneByOrFail({ id: res.body.id });
    expect(Buffer.compare((await read(await s3.storage.open(row.storageKey)))!, PNG)).toBe(0);
  }, 30_000);
});

describe('the store throttles a download', () => {
  it('503 SlowDown every time: a Chinese 503 with Retry-After, not a 500; served again once the store recovers', async () => {
    const id = (await upload(PNG)).body.id;
    proxy.fail({ method: 'GET', status: 503, code: 'SlowDown' });
    const res = await download(id);
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: '文件存储暂时不可用，请稍后重试' });
    expect(res.headers.get('retry-after')).not.toBeNull();
    proxy.heal();
    const again = await download(id);
    expect(again.status).toBe(200);
    expect(Buffer.compare(again.body, PNG)).toBe(0);
  }, 30_000);
});

describe('the store cuts a download off half-way', () => {
  /** The raw answer: status, declared length, bytes received and whether the connection ended early. */
  function rawGet(id: number): Promise<{ status: number; length: number; received: number; aborted: boolean }> {
    return new Promise((resolve, reject) => {
      const req = http.get(`${h.url}/api/v1/photos/${id}`, { headers: { authorization: `Bearer ${org.token(org.repA)}` } }, (res) => {
        let received = 0;
        let aborted = false;
        res.on('data', (chunk: Buffer) => (received += chunk.length));
        res.on('aborted', () => (aborted = true));
        res.on('error', () => (aborted = true));
        res.on('close', () => resolve({ status: res.statusCode!, length: Number(res.headers['content-length']), received, aborted: aborted || !res.complete }));
      });
      req.on('error', reject);
      req.setTimeout(10_000, () => req.destroy(new Error('the server never finished nor aborted the answer')));
    });
  }

  it('the answer is aborted, not completed with the wrong length; the server keeps serving', async () => {
    const id = (await upload(BIG_PNG)).body.id;
    proxy.fail({ method: 'GET', cutHalfway: true, times: 1 });
    const cut = await rawGet(id);
    expect(cut.status).toBe(200);
    expect(cut.length).toBe(BIG_PNG.length);
    expect(cut.aborted).toBe(true);
    expect(cut.received).toBeLessThan(BIG_PNG.length);

    // fetch sees the same: the body fails rather than ending short
    proxy.fail({ method: 'GET', cutHalfway: true, times: 1 });
    const res = await fetch(`${h.url}/api/v1/photos/${id}`, { headers: { authorization: `Bearer ${org.token(org.repA)}` } });
    await expect(res.arrayBuffer()).rejects.toThrow();

    const whole = await download(id);
    expect(whole.status).toBe(200);
    expect(Buffer.compare(whole.body, BIG_PNG)).toBe(0);
    expect((await api(h.url, 'GET', '/healthz')).status).toBe(200);
  }, 30_000);
});

describe('checksums of moved-over photos in object storage', () => {
  it('are read back from the bucket; a missing object is recorded; the store throttling stops the batch without marking anything', async () => {
    const bodies = [Buffer.concat([PNG, Buffer.from('one')]), Buffer.concat([PNG, Buffer.from('two')])];
    const ids: number[] = [];
    for (const b of bodies) ids.push((await upload(b)).body.id);
    const gone = (await upload(Buffer.concat([PNG, Buffer.from('gone')]))).body.id;
    const repo = h.db.getRepository(Attachment);
    await s3.storage.delete((await repo.findOneByOrFail({ id: gone })).storageKey);
    // every other row has its checksum; these three are as the migration left them
    await h.db.query("UPDATE attachment SET sha256 = 'x' WHERE sha256 IS NULL");
    await h.db.query('UPDATE attachment SET sha256 = NULL WHERE id IN (?, ?, ?)', [...ids, gone]);

    proxy.fail({ method: 'GET', status: 503, code: 'SlowDown' });
    const getsBefore = gets();
    expect(await h.services.attachments.fillMissingChecksums()).toEqual({ filled: 0, missing: 0, left: true });
    expect(gets() - getsBefore).toBe(3); // one object tried (with the SDK's retries), then the batch stops
    expect((await repo.findOneByOrFail({ id: gone })).missingAt).toBeNull();
    proxy.heal();

    expect(await h.services.attachments.fillMissingChecksums()).toEqual({ filled: 2, missing: 1, left: false });
    for (const [i, id] of ids.entries()) expect((await repo.findOneByOrFail({ id })).sha256).toBe(sha(bodies[i]!));
    expect((await repo.findOneByOrFail({ id: gone })).missingAt).not.toBeNull();
    expect(await h.services.attachments.fillMissingChecksums()).toEqual({ filled: 0, missing: 0, left: false });
  }, 30_000);
});
