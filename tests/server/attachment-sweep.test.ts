import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Attachment } from '../../server/src/modules/attachments/attachment.entity';
import { AttachmentService } from '../../server/src/modules/attachments/attachment.service';
import { AttachmentSweep1764973100000 } from '../../server/src/modules/attachments/attachment-sweep.migration';
import { sqlDate, withSqlTransaction } from '../../server/src/db/sql';
import { sqlTime } from '../support/database';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';

// The attachments module owns one recurring sweep (`attachments.sweep`) over every purpose, each after its
// own policy hours; its second step checksums photos moved over from before attachments.
let h: Harness;
let org: OrgFixture;
let customerId: number;

const HOUR = 3_600_000;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function uploadPhoto(bytes = PNG): Promise<number> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/png' }), 'a.png');
  const res = await api(h.url, 'POST', '/api/v1/photos', { token: org.token(org.repA), form });
  expect(res.status).toBe(201);
  return res.body.id;
}
const uploadMaterial = async (bytes = PDF) => (await h.services.attachments.upload(org.marketing, 'material', bytes)).id;
const rowOf = (id: number) => h.db.getRepository(Attachment).findOneBy({ id });
const fileOf = async (id: number) => path.join(h.env.uploadDir, (await h.db.getRepository(Attachment).findOneByOrFail({ id })).storageKey);
type JobRow = { id: number; kind: string; status: string; dueAt: Date | string; attempts: number; lastError: string | null; subject: string };
const jobRows = async (recurring: string): Promise<JobRow[]> => h.db.query('SELECT id, kind, status, dueAt, attempts, lastError, subject FROM job WHERE recurring = ?', [recurring]);

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
  customerId = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '清扫测试医院', industry: '公立医院' } })).body.id;
  await h.services.jobs.seedRecurring();
});
afterAll(() => h.close());

describe('checksums of photos moved over from before attachments', () => {
  // Rows lose their checksum here after start-up, which cannot happen in production (every upload has one,
  // and a server, once a pass finds none left, stops looking): each direct pass is a server just started.
  const justStarted = () => new AttachmentService(h.db, h.policy, h.clock, h.services.attachments.storage);

  it('run by the recurring sweep (the first run in this file): the job succeeds, the missing file does not make it fail or retry', async () => {
    const id = await uploadPhoto(Buffer.concat([PNG, Buffer.from('sweep')]));
    const gone = await uploadPhoto(Buffer.concat([PNG, Buffer.from('sweep gone')]));
    rmSync(await fileOf(gone));
    await h.db.query('UPDATE attachment SET sha256 = NULL WHERE id IN (?, ?)', [id, gone]);
    await withSqlTransaction(h.db, (sql) => h.services.photos.attach(sql, org.repA, [id, gone], { visitId: 99, customerId }, 'photoIds')); // attached: the sweep keeps them
    h.clock.advance(2 * h.policy.recurring['attachments.sweep'].everyMinutes * 60_000);
    await h.services.jobs.runDue();
    expect((await rowOf(id))!.sha256).toBe(sha(Buffer.concat([PNG, Buffer.from('sweep')])));
    expect((await rowOf(gone))!.missingAt).not.toBeNull();
    const [sweep] = await jobRows('attachments.sweep');
    expect(sweep).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
  });
  it('are computed from the stored bytes in bounded batches; a missing file is recorded once; then there is nothing to do', async () => {
    const bodies = [0, 1, 2].map((i) => Buffer.concat([PNG, Buffer.from(`photo ${i}`)]));
    const ids = [];
    for (const b of bodies) ids.push(await uploadPhoto(b));
    const gone = await uploadPhoto(Buffer.concat([PNG, Buffer.from('gone')]));
    rmSync(await fileOf(gone));
    // as the migration left them: no checksum
    const all = [...ids, gone];
    await h.db.query(`UPDATE attachment SET sha256 = NULL WHERE id IN (${all.map(() => '?').join(', ')})`, all);
    await h.db.query('UPDATE attachment SET sha256 = ? WHERE sha256 IS NULL AND id NOT IN (' + all.map(() => '?').join(', ') + ')', ['0'.repeat(64), ...all]);

    expect(await justStarted().fillMissingChecksums(2)).toEqual({ filled: 2, missing: 0, left: true });
    expect((await rowOf(ids[0]!))!.sha256).toBe(sha(bodies[0]!));
    expect((await rowOf(ids[2]!))!.sha256).toBeNull();

    const second = await justStarted().fillMissingChecksums(2);
    expect(second).toEqual({ filled: 1, missing: 1, left: true });
    for (const [i, id] of ids.entries()) expect((await rowOf(id))!.sha256).toBe(sha(bodies[i]!));
    const missing = (await rowOf(gone))!;
    expect(missing.sha256).toBeNull();
    expect(missing.missingAt?.toISOString()).toBe(h.clock.now().toISOString());

    // idempotent: nothing left, however often it runs (two servers at once included)
    expect(await Promise.all([justStarted().fillMissingChecksums(2), justStarted().fillMissingChecksums(2)])).toEqual([
      { filled: 0, missing: 0, left: false },
      { filled: 0, missing: 0, left: false },
    ]);
    expect((await rowOf(gone))!.missingAt?.toISOString()).toBe(missing.missingAt?.toISOString());

    // a server whose pass found none left stops looking (no query on every later sweep)
    const done = justStarted();
    expect(await done.fillMissingChecksums(2)).toEqual({ filled: 0, missing: 0, left: false });
    await h.db.query('UPDATE attachment SET sha256 = NULL WHERE id = ?', [ids[0]]);
    expect(await done.fillMissingChecksums(2)).toEqual({ filled: 0, missing: 0, left: false });
    expect((await rowOf(ids[0]!))!.sha256).toBeNull();
    expect(await justStarted().fillMissingChecksums(2)).toEqual({ filled: 1, missing: 0, left: false });
  });

});

describe('one sweep for every purpose', () => {
  it('is one recurring row, attachments.sweep; the photo-only kind is gone', async () => {
    expect(await jobRows('attachments.sweep')).toHaveLength(1);
    expect(await jobRows('photos.sweep_unattached')).toHaveLength(0);
    expect(h.policy.uploads.unattachedMaterialHours).toBeGreaterThan(h.policy.uploads.unattachedPhotoHours);
  });

  it('deletes an unattached photo after uploads.unattachedPhotoHours and an unattached material after uploads.unattachedMaterialHours; attached ones stay', async () => {
    const photo = await uploadPhoto();
    const material = await uploadMaterial();
    const kept = await uploadMaterial(Buffer.concat([PDF, Buffer.from('% kept\n')]));
    await withSqlTransaction(h.db, (sql) => h.services.attachments.attach(sql, org.marketing, 'material', [kept], { kind: 'material', id: 1, customerId: null }, 'fileId'));
    const [photoFile, materialFile, keptFile] = [await fileOf(photo), await fileOf(material), await fileOf(kept)];
    expect([photoFile, materialFile, keptFile].map(existsSync)).toEqual([true, true, true]);

    const start = h.clock.now().getTime();
    h.clock.set(new Date(start + (h.policy.uploads.unattachedPhotoHours + 1) * HOUR));
    await h.services.jobs.runDue();
    expect(await rowOf(photo)).toBeNull();
    expect(existsSync(photoFile)).toBe(false);
    expect(await rowOf(material)).not.toBeNull(); // a material waits for its own, longer, hours
    expect(existsSync(materialFile)).toBe(true);

    h.clock.set(new Date(start + (h.policy.uploads.unattachedMaterialHours + 1) * HOUR));
    await h.services.jobs.runDue();
    expect(await rowOf(material)).toBeNull();
    expect(existsSync(materialFile)).toBe(false);
    expect(await rowOf(kept)).toMatchObject({ ownerKind: 'material', ownerId: 1 });
    expect(existsSync(keptFile)).toBe(true);

    const [sweep] = await jobRows('attachments.sweep');
    expect(sweep).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    expect(sqlDate(sweep!.dueAt)).toEqual(new Date(h.clock.now().getTime() + h.policy.recurring['attachments.sweep'].everyMinutes * 60_000));
  });

  it('a material attached after its hours ran out, before the sweep came, is kept', async () => {
    const material = await uploadMaterial();
    h.clock.advance((h.policy.uploads.unattachedMaterialHours + 1) * HOUR);
    // attached by its owner just now, after it became old enough
    await withSqlTransaction(h.db, (sql) => h.services.attachments.attach(sql, org.marketing, 'material', [material], { kind: 'material', id: 2, customerId: null }, 'fileId'));
    expect(await h.services.attachments.sweepUnattached('material')).toBe(0);
    expect(await rowOf(material)).toMatchObject({ ownerKind: 'material' });
    expect(existsSync(await fileOf(material))).toBe(true);
  });
});

describe('a deployment that had the photo-only sweep', () => {
  const migration = new AttachmentSweep1764973100000();
  async function migrate(step: 'up' | 'down'): Promise<void> {
    const q = h.db.createQueryRunner();
    try {
      await migration[step](q);
    } finally {
      await q.release();
    }
  }

  it('keeps its scheduled row: renamed with its id and due time, and a restart seeds no second one', async () => {
    const [current] = await jobRows('attachments.sweep');
    const due = new Date(h.clock.now().getTime() + 17 * 60_000);
    await h.db.query('UPDATE job SET dueAt = ? WHERE id = ?', [sqlTime(due), current!.id]);
    await migrate('down'); // as the database was before this version
    expect(await jobRows('attachments.sweep')).toHaveLength(0);
    const [old] = await jobRows('photos.sweep_unattached');
    expect(old).toMatchObject({ id: current!.id, kind: 'photos.sweep_unattached', subject: 'recurring:photos.sweep_unattached' });

    await migrate('up');
    await h.services.jobs.seedRecurring(); // the restart
    await h.services.jobs.seedRecurring(); // and another server's
    const rows = await jobRows('attachments.sweep');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: current!.id, kind: 'attachments.sweep', subject: 'recurring:attachments.sweep', status: 'pending' });
    expect(sqlDate(rows[0]!.dueAt)).toEqual(due);
    expect(await jobRows('photos.sweep_unattached')).toHaveLength(0);
  });

  it('adding attachment.missingAt keeps the table\u2019s rows and foreign keys (SQLite rebuilds the table for it)', async () => {
    const before = await h.db.getRepository(Attachment).count();
    await migrate('down');
    await migrate('up');
    expect(await h.db.getRepository(Attachment).count()).toBe(before);
    await expect(
      h.db.query("INSERT INTO attachment (purpose, uploadedById, size, contentType, sha256, storageKey, customerId) VALUES ('photo', ?, 1, 'image/png', NULL, 'photos/fk.png', 999999)", [org.repA.id]),
    ).rejects.toThrow(/foreign key/i);
  });

  it('a server on the new version that seeded first: the old row is dropped, not run twice', async () => {
    await migrate('down');
    await h.services.jobs.seedRecurring(); // seeds attachments.sweep next to the old row
    expect((await jobRows('photos.sweep_unattached')).length + (await jobRows('attachments.sweep')).length).toBe(2);
    await migrate('up');
    expect(await jobRows('photos.sweep_unattached')).toHaveLength(0);
    expect(await jobRows('attachments.sweep')).toHaveLength(1);
  });
});

