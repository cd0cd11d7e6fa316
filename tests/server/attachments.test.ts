import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { Attachment } from '../../server/src/modules/attachments/attachment.entity';
import type { Purpose } from '../../server/src/modules/attachments';
import type { Member } from '../../server/src/modules/org';
import { AppError } from '../../server/src/http/errors';
import { createDataSource } from '../../server/src/db/data-source';
import { schemaOf } from '../../server/src/db/schema';
import { itMariaDbOnly, serverUrl } from '../support/database';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { completeVisit, submitVisit } from '../support/visit-fixture';
import { writeZip } from '../support/zip';

let h: Harness;
let org: OrgFixture;
let customerA: number;

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(12, 0), Buffer.from([0, 0, 0, 8]), Buffer.from('mdat')]);
const office = (folder: string, file: string) =>
  writeZip([
    { name: '[Content_Types].xml', data: Buffer.from('<?xml version="1.0"?><Types/>') },
    { name: `${folder}/${file}`, data: Buffer.from('<?xml version="1.0"?><x/>') },
  ]);
const DOCX = office('word', 'document.xml');
const XLSX = office('xl', 'workbook.xml');
const PPTX = office('ppt', 'presentation.xml');
/** A PNG with a body long enough to ask ranges of: byte i (past the header) is i mod 251. */
const LONG_PNG = Buffer.concat([PNG, Buffer.from(Array.from({ length: 4000 }, (_, i) => i % 251))]);

function form(bytes: Buffer, name: string, type: string): FormData {
  const f = new FormData();
  f.append('file', new Blob([bytes], { type }), name);
  return f;
}
/**
 * A material as the coming materials module's route will store it (that route is its own, with its right in the
 * permission matrix): through the service, on the real database and store; an error as the API would answer it.
 */
async function uploadAs(who: Member, purpose: Purpose, bytes: Buffer): Promise<{ status: number; body: any }> {
  try {
    return { status: 201, body: await h.services.attachments.upload(who, purpose, bytes) };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { status: error.status, body: { error: { code: error.code, message: error.message, fields: error.fields } } };
  }
}
/** Every file under a folder (the local store), recursively. */
function filesUnder(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => (statSync(path.join(dir, name)).isDirectory() ? filesUnder(path.join(dir, name)) : [path.join(dir, name)]));
}
const photo = (token: string, bytes: Buffer) => api(h.url, 'POST', '/api/v1/photos', { token, form: form(bytes, 'IMG.jpg', 'image/jpeg') });

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
  customerA = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '附件测试医院', industry: '公立医院' } })).body.id;
});
afterAll(() => h.close());

describe('the attachment model', () => {
  it('records purpose, uploader, size, sniffed type and checksum; the owner once a visit is submitted with it', async () => {
    const res = await photo(org.token(org.repA), PNG);
    expect(res.status).toBe(201);
    let row = await h.db.getRepository(Attachment).findOneByOrFail({ id: res.body.id });
    expect(row).toMatchObject({
      purpose: 'photo', ownerKind: null, ownerId: null, attachedAt: null, uploadedById: org.repA.id, size: PNG.length,
      contentType: 'image/png', sha256: createHash('sha256').update(PNG).digest('hex'),
    });
    expect(row.createdAt.toISOString()).toBe(h.clock.now().toISOString());

    const visit = await submitVisit(h, org.token(org.repA), { ...completeVisit(customerA), photoIds: [res.body.id] });
    expect(visit.status).toBe(201);
    row = await h.db.getRepository(Attachment).findOneByOrFail({ id: res.body.id });
    expect(row).toMatchObject({ ownerKind: 'visit', ownerId: visit.body.id, customerId: customerA });
    expect(row.attachedAt?.toISOString()).toBe(h.clock.now().toISOString());
  });

  it('a first touch\u2019s screenshot is an attachment owned by the first touch', async () => {
    const lead = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '首触附件医院', industry: '公立医院' } })).body.id;
    const shot = (await photo(org.token(org.repA), PNG)).body.id;
    const touch = await api(h.url, 'POST', `/api/v1/customers/${lead}/first-touch`, {
      token: org.token(org.repA), json: { method: '微信', verbatim: '客户说下周再谈', evidencePhotoId: shot }, headers: { 'idempotency-key': randomUUID() },
    });
    expect(touch.status).toBe(201);
    expect(await h.db.getRepository(Attachment).findOneByOrFail({ id: shot })).toMatchObject({ ownerKind: 'first_touch', ownerId: touch.body.id, customerId: lead });
  });
});

describe('types are sniffed from the bytes, per purpose', () => {
  it.each([
    ['PDF', PDF, 'application/pdf'],
    ['MP4', MP4, 'video/mp4'],
    ['DOCX', DOCX, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['XLSX', XLSX, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['PPTX', PPTX, 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
  ])('a material may be a %s, known by its bytes', async (_t, bytes, type) => {
    const res = await uploadAs(org.marketing, 'material', bytes);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.any(Number), contentType: type, size: bytes.length });
    expect((await h.db.getRepository(Attachment).findOneByOrFail({ id: res.body.id })).contentType).toBe(type);
  });

  it('a GIF (named .pdf or anything) is not a material: 415 naming the field, nothing stored', async () => {
    const before = await h.db.getRepository(Attachment).count();
    const res = await uploadAs(org.marketing, 'material', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'));
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(res.body.error.fields.file).toContain('资料不是 PDF、MP4');
    expect(await h.db.getRepository(Attachment).count()).toBe(before);
  });

  it('a zip that is not a Word, Excel or PowerPoint file is refused as a material', async () => {
    const zip = writeZip([{ name: 'readme.txt', data: Buffer.from('hello') }]);
    const res = await uploadAs(org.marketing, 'material', zip);
    expect(res.status).toBe(415);
    expect(res.body.error.fields.file).toContain('资料');
  });

  it('a text file claiming image/jpeg is refused as a photo, naming the field', async () => {
    const text = Buffer.from('这不是图片，只是一段文字');
    for (const res of [await uploadAs(org.repA, 'photo', text), await photo(org.token(org.repA), text)]) {
      expect(res.status).toBe(415);
      expect(res.body.error.fields).toEqual({ file: '照片不是 JPEG、PNG 或 WebP 图片' });
    }
    // and a PDF is no photo either
    expect((await uploadAs(org.repA, 'photo', PDF)).status).toBe(415);
  });

  it('who may upload depends on the purpose (the permission matrix): a rep uploads photos, not materials', async () => {
    const res = await uploadAs(org.repA, 'material', PDF);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('不能上传资料');
  });
});

describe('downloads stream and answer Range', () => {
  let id: number;
  beforeAll(async () => {
    id = (await photo(org.token(org.repA), LONG_PNG)).body.id;
  });
  const get = (range?: string) => api(h.url, 'GET', `/api/v1/photos/${id}`, { token: org.token(org.repA), headers: range ? { range } : {} });

  it('the whole file says it takes ranges', async () => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-length')).toBe(String(LONG_PNG.length));
    expect(Buffer.compare(res.body, LONG_PNG)).toBe(0);
  });

  it.each([
    ['bytes=100-199', 100, 199],
    ['bytes=4000-', 4000, LONG_PNG.length - 1],
    ['bytes=-10', LONG_PNG.length - 10, LONG_PNG.length - 1],
    ['bytes=4050-999999', 4050, LONG_PNG.length - 1],
  ])('%s answers 206 with just those bytes', async (range, start, end) => {
    const res = await get(range);
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${LONG_PNG.length}`);
    expect(res.headers.get('content-length')).toBe(String(end - start + 1));
    expect(Buffer.compare(res.body, LONG_PNG.subarray(start, end + 1))).toBe(0);
  });

  it('a range past the end answers 416 with the size', async () => {
    const res = await get(`bytes=${LONG_PNG.length}-`);
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${LONG_PNG.length}`);
    expect(res.body.error.code).toBe('RANGE_NOT_SATISFIABLE');
    expect(res.body.error.message).toContain('范围');
  });

  it.each([
    ['bytes=abc', 'not numbers'],
    ['bytes=5-2', 'last byte before the first'],
    ['bytes=0-1,4-5', 'several ranges (one answer, not multipart/byteranges)'],
    ['items=0-1', 'another unit'],
    ['bytes=', 'no range at all'],
    ['bytes=--1', 'two dashes'],
  ])('%s (%s) is ignored: the whole file, 200', async (range) => {
    const res = await get(range);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-range')).toBeNull();
    expect(res.headers.get('content-length')).toBe(String(LONG_PNG.length));
    expect(Buffer.compare(res.body, LONG_PNG)).toBe(0);
  });

  it.each([['bytes=-0'], [`bytes=${LONG_PNG.length + 1000}-${LONG_PNG.length + 2000}`], [`bytes=${LONG_PNG.length}-${LONG_PNG.length}`], [`bytes=${'9'.repeat(40)}-`]])(
    '%s asks for no byte of the file: 416 naming its size, no body bytes',
    async (range) => {
      const res = await get(range);
      expect(res.status).toBe(416);
      expect(res.headers.get('content-range')).toBe(`bytes */${LONG_PNG.length}`);
      expect(res.body.error).toMatchObject({ code: 'RANGE_NOT_SATISFIABLE', message: `请求的范围超出文件大小（${LONG_PNG.length} 字节）` });
    },
  );

  it('a suffix longer than the file is the whole file as a 206', async () => {
    const res = await get(`bytes=-${LONG_PNG.length * 3}`);
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 0-${LONG_PNG.length - 1}/${LONG_PNG.length}`);
    expect(Buffer.compare(res.body, LONG_PNG)).toBe(0);
  });

  it('the general attachment route answers ranges the same way', async () => {
    const res = await api(h.url, 'GET', `/api/v1/attachments/${id}`, { token: org.token(org.repA), headers: { range: 'bytes=0-7' } });
    expect(res.status).toBe(206);
    expect(Buffer.compare(res.body, LONG_PNG.subarray(0, 8))).toBe(0);
  });
});

describe('an upload whose Content-Length lies about its body', () => {
  /** A photo upload over a raw socket, declaring `declared` bytes of body; what comes back before the connection ends. */
  function rawUpload(declared: (actual: number) => number, options: { endAfterBody: boolean }): Promise<string> {
    const boundary = 'anchorboundary42';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`),
      LONG_PNG,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const { port } = new URL(h.url);
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port) });
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
      socket.on('close', () => resolve(answer));
      socket.on('error', () => undefined);
      socket.setTimeout(5000, () => socket.destroy());
      socket.write(
        `POST /api/v1/photos HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${org.token(org.repA)}\r\n` +
          `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${declared(body.length)}\r\nConnection: close\r\n\r\n`,
      );
      socket.write(body);
      if (options.endAfterBody) socket.end();
    });
  }
  const stored = async () => ({ rows: await h.db.getRepository(Attachment).count(), files: filesUnder(h.env.uploadDir) });

  it('shorter than the body: the bytes past it are no request, answered 400 in Chinese; nothing stored', async () => {
    const before = await stored();
    const answer = await rawUpload((n) => Math.floor(n / 2), { endAfterBody: false });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('application/json');
    expect(answer).toContain('请求格式不正确：无法解析该 HTTP 请求（请求体须与 Content-Length 一致）');
    expect(await stored()).toEqual(before);
  });

  it('longer than the body, the client then done sending: 400 in Chinese, nothing stored, and the server keeps serving', async () => {
    const before = await stored();
    const answer = await rawUpload((n) => n + 1000, { endAfterBody: true });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('请求格式不正确：无法解析该 HTTP 请求（请求体须与 Content-Length 一致）');
    expect(await stored()).toEqual(before);
    expect((await photo(org.token(org.repA), PNG)).status).toBe(201);
  });
});

describe('downloads only within scope', () => {
  it('an attached photo: members whose scope covers the customer; a range asked by an outsider is still 404', async () => {
    const id = (await photo(org.token(org.repA), LONG_PNG)).body.id;
    expect((await submitVisit(h, org.token(org.repA), { ...completeVisit(customerA), photoIds: [id] })).status).toBe(201);
    for (const insider of [org.repA, org.supervisor1, org.directorEast, org.admin]) {
      expect((await api(h.url, 'GET', `/api/v1/attachments/${id}`, { token: org.token(insider) })).status).toBe(200);
    }
    for (const outsider of [org.repB, org.supervisor2, org.directorWest]) {
      for (const path of [`/api/v1/attachments/${id}`, `/api/v1/photos/${id}`]) {
        const res = await api(h.url, 'GET', path, { token: org.token(outsider), headers: { range: 'bytes=0-3' } });
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
      }
    }
  });

  it('an unattached upload: only its uploader; a material is not served as a photo', async () => {
    const id = (await uploadAs(org.marketing, 'material', PDF)).body.id;
    const mine = await api(h.url, 'GET', `/api/v1/attachments/${id}`, { token: org.token(org.marketing) });
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-type')).toBe('application/pdf');
    expect(mine.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await api(h.url, 'GET', `/api/v1/attachments/${id}`, { token: org.token(org.admin) })).status).toBe(404);
    expect((await api(h.url, 'GET', `/api/v1/photos/${id}`, { token: org.token(org.marketing) })).status).toBe(404);
  });
});

describe('the migration moves photos into attachments', () => {
  // every migration before this one, then this one (later ones, e.g. foreign keys, would refuse the made-up ids)
  const stamp = (m: { name: string }) => Number(/(\d{13})$/.exec(m.name)![1]);
  const earlier = schemaOf().migrations.filter((m) => stamp(m) < 1764961000000);
  const upToThis = schemaOf().migrations.filter((m) => stamp(m) <= 1764961000000);

  /** Migrates to just before attachments, writes photo rows as the old code did, then migrates on. */
  async function migrateWithPhotos(options: DataSourceOptions): Promise<{ rows: Record<string, unknown>[]; nextId: number }> {
    const before = new DataSource({ ...options, migrations: earlier } as DataSourceOptions);
    await before.initialize();
    await before.runMigrations({ transaction: 'each' });
    const insert = 'INSERT INTO photo (id, storageKey, mimeType, bytes, uploadedById, visitId, firstTouchId, customerId, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';
    await before.query(insert, [3, 'photos/2026-10/a.png', 'image/png', 68, 7, 11, null, 5, '2026-10-01 08:00:00.000']);
    await before.query(insert, [4, 'photos/2026-10/b.jpeg', 'image/jpeg', 120, 7, null, 2, 5, '2026-10-02 08:00:00.000']);
    await before.query(insert, [9, 'photos/2026-11/c.webp', 'image/webp', 30, 8, null, null, null, '2026-11-19 08:00:00.000']);
    await before.destroy();
    const after = new DataSource({ ...options, migrations: upToThis } as DataSourceOptions);
    await after.initialize();
    try {
      await after.runMigrations({ transaction: 'each' });
      const rows = await after.query('SELECT id, ownerKind, ownerId, purpose, customerId, uploadedById, size, contentType, storageKey, attachedAt FROM attachment ORDER BY id');
      // the columns of this migration (the entity has later ones)
      await after.query("INSERT INTO attachment (purpose, uploadedById, size, contentType, sha256, storageKey) VALUES ('photo', 7, 1, 'image/png', NULL, 'photos/x.png')");
      const [next] = await after.query("SELECT id FROM attachment WHERE storageKey = 'photos/x.png'");
      return { rows: rows.map((r: Record<string, unknown>) => ({ ...r, attachedAt: r.attachedAt === null ? null : 'set' })), nextId: Number(next.id) };
    } finally {
      await after.destroy();
    }
  }

  const expected = [
    { id: 3, ownerKind: 'visit', ownerId: 11, purpose: 'photo', customerId: 5, uploadedById: 7, size: 68, contentType: 'image/png', storageKey: 'photos/2026-10/a.png', attachedAt: 'set' },
    { id: 4, ownerKind: 'first_touch', ownerId: 2, purpose: 'photo', customerId: 5, uploadedById: 7, size: 120, contentType: 'image/jpeg', storageKey: 'photos/2026-10/b.jpeg', attachedAt: 'set' },
    { id: 9, ownerKind: null, ownerId: null, purpose: 'photo', customerId: null, uploadedById: 8, size: 30, contentType: 'image/webp', storageKey: 'photos/2026-11/c.webp', attachedAt: null },
  ];

  itMariaDbOnly('the SQLite pass has no MariaDB; the next test covers SQLite', 'on MariaDB: same ids, owners and storage keys; new attachments number on after them', async () => {
    const base = new URL(serverUrl());
    const name = `anchor_t_mig_${process.pid}_${randomBytes(3).toString('hex')}`;
    const admin = await createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) });
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    try {
      base.pathname = `/${name}`;
      const { rows, nextId } = await migrateWithPhotos(createDataSource({ url: base.toString(), dataDir: '/nonexistent', poolSize: 2 }).options);
      expect(rows).toEqual(expected);
      expect(nextId).toBe(10);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    }
  });

  it('on the embedded SQLite: the same', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'anchor-mig-'));
    try {
      const { rows, nextId } = await migrateWithPhotos(createDataSource({ dataDir: dir }).options);
      expect(rows).toEqual(expected);
      expect(nextId).toBe(10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
