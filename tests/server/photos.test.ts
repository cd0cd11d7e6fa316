import { existsSync } from 'node:fs';
import path from 'node:path';
import { Attachment } from '../../server/src/modules/attachments/attachment.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { completeVisit, submitVisit } from '../support/visit-fixture';

let h: Harness;
let org: OrgFixture;
let customerA: number;

// The smallest real images of each type (1×1 pixel).
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60, 1), Buffer.from([0xff, 0xd9])]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x1a, 0, 0, 0]), Buffer.from('WEBPVP8L'), Buffer.alloc(14, 0)]);

function form(bytes: Buffer, name: string, type: string): FormData {
  const f = new FormData();
  f.append('file', new Blob([bytes], { type }), name);
  return f;
}
const upload = (token: string, bytes: Buffer, name = 'photo.jpg', type = 'image/jpeg') => api(h.url, 'POST', '/api/v1/photos', { token, form: form(bytes, name, type) });

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
  customerA = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '照片测试医院', industry: '公立医院' } })).body.id;
});
afterAll(() => h.close());

describe('photo upload', () => {
  it.each([
    ['PNG', PNG, 'image/png'],
    ['JPEG', JPEG, 'image/jpeg'],
    ['WebP', WEBP, 'image/webp'],
  ])('accepts a %s, typed by its bytes whatever the name says', async (_t, bytes, mime) => {
    const res = await upload(org.token(org.repA), bytes, 'IMG_0001.gif', 'application/octet-stream');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.any(Number), mimeType: mime, bytes: bytes.length });
  });

  it('refuses a script dressed as a JPEG, storing nothing', async () => {
    const before = await h.db.getRepository(Attachment).count();
    const res = await upload(org.token(org.repA), Buffer.from('<script>alert(1)</script>'), 'receipt.jpg', 'image/jpeg');
    expect(res.status).toBe(415);
    expect(res.body.error.message).toContain('JPEG、PNG 或 WebP');
    expect(await h.db.getRepository(Attachment).count()).toBe(before);
  });

  it('refuses a photo over 5 MB', async () => {
    const big = Buffer.concat([JPEG.subarray(0, 4), Buffer.alloc(5 * 1024 * 1024 + 1)]);
    const res = await upload(org.token(org.repA), big);
    expect(res.status).toBe(413);
    expect(res.body.error.message).toContain('5 MB');
  });

  it('refuses an upload without a file', async () => {
    const res = await api(h.url, 'POST', '/api/v1/photos', { token: org.token(org.repA), form: new FormData() });
    expect(res.status).toBe(422);
  });
});

describe('photos on a visit', () => {
  it('are served only to members whose scope covers the customer', async () => {
    const photo = (await upload(org.token(org.repA), PNG)).body.id;
    // before it is attached, only its uploader sees it
    expect((await api(h.url, 'GET', `/api/v1/photos/${photo}`, { token: org.token(org.repA) })).status).toBe(200);
    expect((await api(h.url, 'GET', `/api/v1/photos/${photo}`, { token: org.token(org.supervisor1) })).status).toBe(404);

    const visit = await submitVisit(h, org.token(org.repA), { ...completeVisit(customerA), photoIds: [photo] });
    expect(visit.status).toBe(201);
    expect(visit.body.photoIds).toEqual([photo]);
    const fromSupervisor = await api(h.url, 'GET', `/api/v1/photos/${photo}`, { token: org.token(org.supervisor1) });
    expect(fromSupervisor.status).toBe(200);
    expect(fromSupervisor.headers.get('content-type')).toBe('image/png');
    expect(Buffer.compare(fromSupervisor.body as Buffer, PNG)).toBe(0);
    for (const outsider of [org.repB, org.supervisor2, org.directorWest]) {
      expect((await api(h.url, 'GET', `/api/v1/photos/${photo}`, { token: org.token(outsider) })).status).toBe(404);
    }
    expect((await api(h.url, 'GET', `/api/v1/visits/${visit.body.id}`, { token: org.token(org.supervisor1) })).body.photoIds).toEqual([photo]);
    // the customer's timeline lists them with the visit, for the app to show
    const timeline = await api(h.url, 'GET', `/api/v1/customers/${customerA}/timeline`, { token: org.token(org.supervisor1) });
    expect(timeline.body.items.find((e: any) => e.type === 'visit' && e.id === visit.body.id).photoIds).toEqual([photo]);
  });

  it('a photo cannot be attached twice, nor someone else\u2019s; the visit is then refused whole', async () => {
    const used = (await upload(org.token(org.repA), JPEG)).body.id;
    expect((await submitVisit(h, org.token(org.repA), { ...completeVisit(customerA), photoIds: [used] })).status).toBe(201);
    const visitsBefore = await h.db.query('SELECT COUNT(*) AS n FROM visit');
    const twice = await submitVisit(h, org.token(org.repA), { ...completeVisit(customerA), photoIds: [used] });
    expect(twice.status).toBe(422);
    expect(twice.body.error.fields.photoIds).toContain('照片');
    const foreign = (await upload(org.token(org.repB), JPEG)).body.id;
    const notMine = await submitVisit(h, org.token(org.repA), { ...completeVisit(customerA), photoIds: [foreign] });
    expect(notMine.status).toBe(422);
    expect(await h.db.query('SELECT COUNT(*) AS n FROM visit')).toEqual(visitsBefore);
  });
});

describe('photos never submitted', () => {
  it('are deleted after the configured hours, files and all; attached and recent ones stay', async () => {
    const fileOf = async (id: number) => {
      const [row] = await h.db.query('SELECT storageKey FROM attachment WHERE id = ?', [id]);
      return row ? path.join(h.env.uploadDir, row.storageKey) : null;
    };
    const abandoned = (await upload(org.token(org.repA), PNG)).body.id;
    const attached = (await upload(org.token(org.repA), JPEG)).body.id;
    expect((await submitVisit(h, org.token(org.repA), { ...completeVisit(customerA), photoIds: [attached] })).status).toBe(201);
    const abandonedFile = (await fileOf(abandoned))!;
    const attachedFile = (await fileOf(attached))!;
    expect(existsSync(abandonedFile)).toBe(true);

    h.clock.advance((h.policy.uploads.unattachedPhotoHours - 1) * 3_600_000);
    const recent = (await upload(org.token(org.repA), WEBP)).body.id; // uploaded an hour before the sweep below runs
    expect(await h.services.photos.sweepUnattached()).toBe(0);
    h.clock.advance(2 * 3_600_000);
    const removed = await h.services.photos.sweepUnattached();
    h.clock.advance(-(h.policy.uploads.unattachedPhotoHours + 1) * 3_600_000);

    expect(removed).toBeGreaterThanOrEqual(1);
    expect(await fileOf(abandoned)).toBeNull();
    expect(existsSync(abandonedFile)).toBe(false);
    expect(existsSync(attachedFile)).toBe(true);
    expect(await fileOf(recent)).not.toBeNull();
    // the rep who comes back to the form is told, and the visit is refused whole
    const late = await submitVisit(h, org.token(org.repA), { ...completeVisit(customerA), photoIds: [abandoned] });
    expect(late.status).toBe(422);
    expect(late.body.error.fields.photoIds).toBe('照片不存在、不是你上传的或已被使用');
    expect(await h.services.photos.sweepUnattached()).toBe(0);
  });
});
