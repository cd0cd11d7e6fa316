import { randomBytes } from 'node:crypto';
import { In, IsNull, LessThan, MoreThanOrEqual, type DataSource } from 'typeorm';
import { instantToWallClock, wallClockToInstant } from '@anchor/shared';
import { SQL, placeholders, type Sql } from '../../db/sql';
import { HOUR_MS, type Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { AppError, invalid, notFound } from '../../http/errors';
import { sniffImage, type PhotoStorage } from '../../storage/photo-storage';
import type { CustomerService } from '../customers';
import type { Member } from '../org';
import { Photo } from './photo.entity';

export class PhotoService {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly storage: PhotoStorage,
    private readonly customers: CustomerService,
  ) {}

  get maxBytes(): number {
    return this.policy.uploads.photoMaxMegabytes * 1024 * 1024;
  }

  async upload(caller: Member, bytes: Buffer): Promise<{ id: number; mimeType: string; bytes: number }> {
    if (bytes.length > this.maxBytes) throw new AppError(413, 'PAYLOAD_TOO_LARGE', `照片不能超过 ${this.policy.uploads.photoMaxMegabytes} MB`);
    const mimeType = sniffImage(bytes);
    if (!mimeType) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', '只能上传 JPEG、PNG 或 WebP 图片', { file: '照片不是 JPEG、PNG 或 WebP 图片' });
    const now = this.clock.now();
    await this.checkDailyQuota(caller, now);
    const storageKey = `photos/${now.toISOString().slice(0, 7)}/${randomBytes(12).toString('hex')}.${mimeType.split('/')[1]}`;
    await this.storage.put(storageKey, bytes);
    const result = await this.db.getRepository(Photo).insert({ storageKey, mimeType, bytes: bytes.length, uploadedById: caller.id, visitId: null, firstTouchId: null, customerId: null, createdAt: now });
    return { id: result.identifiers[0]!.id as number, mimeType, bytes: bytes.length };
  }

  /** Uploads per member per day (in the policy's time zone) are capped: a loop cannot fill the disk. */
  private async checkDailyQuota(caller: Member, now: Date): Promise<void> {
    const quota = this.policy.uploads.photoDailyQuota;
    const wall = instantToWallClock(now, this.policy.timeZone);
    const dayStart = wallClockToInstant(new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate())), this.policy.timeZone);
    const today = await this.db.getRepository(Photo).count({ where: { uploadedById: caller.id, createdAt: MoreThanOrEqual(dayStart) } });
    if (today >= quota) throw new AppError(429, 'QUOTA_EXCEEDED', `今天上传的照片已达上限（${quota} 张），请明天再传`, { file: `每天最多上传 ${quota} 张照片` });
  }

  /**
   * Deletes photos uploaded but never submitted with a visit or first touch (the rep closed the form),
   * after `uploads.unattachedPhotoHours`. The row goes first, only while still unattached, so a photo
   * attached meanwhile is kept, and of several servers sweeping only one removes each file.
   */
  async sweepUnattached(limit = 500): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - this.policy.uploads.unattachedPhotoHours * HOUR_MS);
    const stale = await this.db.getRepository(Photo).find({
      where: { visitId: IsNull(), firstTouchId: IsNull(), createdAt: LessThan(cutoff) },
      select: { id: true, storageKey: true },
      order: { id: 'ASC' },
      take: limit,
    });
    let removed = 0;
    for (const photo of stale) {
      const result = await this.db.getRepository(Photo).delete({ id: photo.id, visitId: IsNull(), firstTouchId: IsNull() });
      if ((result.affected ?? 0) !== 1) continue;
      await this.storage.delete(photo.storageKey);
      removed++;
    }
    return removed;
  }

  /** Attaches the caller's own, still unattached photos to a record; any other id is refused. */
  async attach(sql: Sql, caller: Member, ids: number[], target: { visitId?: number; firstTouchId?: number; customerId: number }, field: string): Promise<void> {
    if (ids.length === 0) return;
    const unique = [...new Set(ids)];
    const changed = await sql.exec(
      SQL`UPDATE photo SET visitId = ?, firstTouchId = ?, customerId = ?
       WHERE id IN (${placeholders(unique.length)}) AND uploadedById = ? AND visitId IS NULL AND firstTouchId IS NULL`,
      [target.visitId ?? null, target.firstTouchId ?? null, target.customerId, ...unique, caller.id],
    );
    if (changed !== unique.length) throw invalid({ [field]: '照片不存在、不是你上传的或已被使用' });
  }

  /** The bytes of a photo, for members whose scope covers its customer (or its uploader before it is attached). */
  async read(caller: Member, id: number): Promise<{ bytes: Buffer; mimeType: string }> {
    const photo = await this.db.getRepository(Photo).findOne({ where: { id } });
    if (!photo) throw notFound('照片');
    if (photo.customerId === null) {
      if (photo.uploadedById !== caller.id) throw notFound('照片');
    } else {
      await this.customers.findInScope(caller, photo.customerId).catch(() => {
        throw notFound('照片');
      });
    }
    const bytes = await this.storage.get(photo.storageKey);
    if (!bytes) throw notFound('照片');
    return { bytes, mimeType: photo.mimeType };
  }

  async idsOfVisits(visitIds: number[]): Promise<Map<number, number[]>> {
    const map = new Map<number, number[]>();
    if (visitIds.length === 0) return map;
    const rows = await this.db.getRepository(Photo).find({ where: { visitId: In(visitIds) }, select: { id: true, visitId: true }, order: { id: 'ASC' } });
    for (const r of rows) map.set(r.visitId!, [...(map.get(r.visitId!) ?? []), r.id]);
    return map;
  }
}
