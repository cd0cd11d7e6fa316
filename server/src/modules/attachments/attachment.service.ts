import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { In, IsNull, LessThan, MoreThanOrEqual, type DataSource } from 'typeorm';
import { ROLE_LABELS, actionLabel, can, instantToWallClock, wallClockToInstant } from '@anchor/shared';
import { HOUR_MS, type Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { SQL, placeholders, type Sql } from '../../db/sql';
import { forbidden, httpError, invalid, notFound } from '../../http/errors';
import { attachmentError } from './attachments.errors';
import type { Logger } from '../../logger';
import type { Member } from '../org';
import { Attachment } from './attachment.entity';
import { kindList, PURPOSE_NAMES, PURPOSES, type Purpose } from './attachment.purposes';
import type { ByteRange, ObjectStorage } from './storage/object-storage';
import { CONTENT_TYPES, EXTENSIONS, sniff } from './sniff';

export interface StoredAttachment {
  id: number;
  contentType: string;
  size: number;
  sha256: string;
}

/** Whether a member may see an attachment of one owner kind; the owner's module answers. */
export type OwnerScope = (caller: Member, attachment: Attachment) => Promise<boolean>;

/** How a download is answered: the bytes through this server, or a redirect to the object store. */
export type Download =
  | { kind: 'redirect'; url: string }
  | { kind: 'stream'; body: Readable; contentType: string; size: number; range: ByteRange | null }
  | { kind: 'unsatisfiable'; size: number };

const MB = 1024 * 1024;

/** What one checksum pass did: checksums written, files found missing, and whether more may wait. */
export interface ChecksumPass {
  filled: number;
  missing: number;
  left: boolean;
}


export class AttachmentService {
  private readonly owners = new Map<string, OwnerScope>();
  /** set when a checksum pass found no moved-over photo left: later sweeps skip the query */
  private checksumsDone = false;

  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    readonly storage: ObjectStorage,
    private readonly logger?: Logger,
  ) {}

  /** The store refused or could not be reached (object storage down, disk full): a 503, not a 500, and a log line. */
  private readonly storageDown = (error: unknown): never => {
    this.logger?.error({ err: error, storage: this.storage.kind }, 'attachment storage unavailable: answered 503');
    throw Object.assign(httpError('SERVICE_UNAVAILABLE', { message: '文件存储暂时不可用，请稍后重试' }), { cause: error });
  };

  /** The module owning `kind` tells who may see its attachments (e.g. whose scope covers the customer). */
  registerOwner(kind: string, canSee: OwnerScope): void {
    this.owners.set(kind, canSee);
  }

  maxBytes(purpose: Purpose): number {
    return PURPOSES[purpose].maxMegabytes(this.policy) * MB;
  }

  /** The largest upload any purpose takes: what a route accepting several purposes lets through. */
  get largestMaxBytes(): number {
    return Math.max(...PURPOSE_NAMES.map((p) => this.maxBytes(p)));
  }

  /**
   * Stores a file for a purpose, typed by its bytes. The object is written before its row, and removed
   * again if the row cannot be: no row ever names a missing object, and none is left without a row for long.
   */
  async upload(caller: Member, purpose: Purpose, bytes: Buffer): Promise<StoredAttachment> {
    const spec = PURPOSES[purpose];
    if (!can(caller.role, spec.action)) throw forbidden(`你的岗位（${ROLE_LABELS[caller.role] ?? caller.role}）不能上传${spec.label}（${actionLabel(spec.action)}）`);
    if (bytes.length > this.maxBytes(purpose)) {
      const message = `${spec.label}不能超过 ${spec.maxMegabytes(this.policy)} MB`;
      throw httpError('PAYLOAD_TOO_LARGE', { message, fields: { file: message } });
    }
    const kind = sniff(bytes);
    if (!kind || !(spec.kinds as readonly string[]).includes(kind)) {
      const types = kindList(spec.kinds);
      throw httpError('UNSUPPORTED_MEDIA_TYPE', { message: `只能上传 ${types} ${spec.noun}`, fields: { file: `${spec.label}不是 ${types} ${spec.noun}` } });
    }
    const now = this.clock.now();
    if ('dailyQuota' in spec) await this.checkDailyQuota(caller, purpose, spec.dailyQuota(this.policy), now);
    const contentType = CONTENT_TYPES[kind];
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const storageKey = `${spec.folder}/${now.toISOString().slice(0, 7)}/${randomBytes(12).toString('hex')}.${EXTENSIONS[kind]}`;
    await this.storage.put(storageKey, bytes, contentType).catch(this.storageDown);
    try {
      const result = await this.db.getRepository(Attachment).insert({
        ownerKind: null, ownerId: null, purpose, customerId: null, uploadedById: caller.id, size: bytes.length, contentType, sha256, storageKey, createdAt: now, attachedAt: null,
      });
      return { id: result.identifiers[0]!.id as number, contentType, size: bytes.length, sha256 };
    } catch (error) {
      await this.storage.delete(storageKey).catch(() => undefined);
      throw error;
    }
  }

  /** Uploads per member per day (in the policy's time zone) are capped: a loop cannot fill the store. */
  private async checkDailyQuota(caller: Member, purpose: Purpose, quota: number, now: Date): Promise<void> {
    const wall = instantToWallClock(now, this.policy.timeZone);
    const dayStart = wallClockToInstant(new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate())), this.policy.timeZone);
    const today = await this.db.getRepository(Attachment).count({ where: { uploadedById: caller.id, purpose, createdAt: MoreThanOrEqual(dayStart) } });
    const label = PURPOSES[purpose].label;
    if (today >= quota) throw attachmentError('QUOTA_EXCEEDED', { message: `今天上传的${label}已达上限（${quota} 张），请明天再传`, fields: { file: `每天最多上传 ${quota} 张${label}` } });
  }

  /**
   * Attaches the caller's own, still unattached uploads of a purpose to their owner, inside the owner's
   * transaction; any other id (someone else's, already used, swept, another purpose) refuses the whole save.
   */
  async attach(
    sql: Sql,
    caller: Member,
    purpose: Purpose,
    ids: number[],
    owner: { kind: string; id: number; customerId: number | null },
    field: string,
  ): Promise<void> {
    if (ids.length === 0) return;
    const unique = [...new Set(ids)];
    const changed = await sql.exec(
      SQL`UPDATE attachment SET ownerKind = ?, ownerId = ?, customerId = ?, attachedAt = ?
       WHERE id IN (${placeholders(unique.length)}) AND uploadedById = ? AND purpose = ? AND ownerId IS NULL`,
      [owner.kind, owner.id, owner.customerId, this.clock.now(), ...unique, caller.id, purpose],
    );
    if (changed !== unique.length) throw invalid({ [field]: `${PURPOSES[purpose].label}不存在、不是你上传的或已被使用` });
  }

  /** The attachment, if this member may see it: its uploader before it is attached, then whom its owner's module lets. */
  async findVisible(caller: Member, id: number, purpose?: Purpose): Promise<Attachment | null> {
    const attachment = await this.db.getRepository(Attachment).findOne({ where: { id } });
    if (!attachment || (purpose && attachment.purpose !== purpose)) return null;
    if (attachment.ownerKind === null) return attachment.uploadedById === caller.id ? attachment : null;
    const canSee = this.owners.get(attachment.ownerKind);
    return canSee && (await canSee(caller, attachment)) ? attachment : null;
  }

  /**
   * A download, only after the scope check: a presigned redirect for a large object in object storage,
   * else a stream of the bytes, or of the one range asked for (`Range: bytes=…`). A range that starts
   * past the end is unsatisfiable (416); a header this does not understand is ignored (the whole file).
   */
  async download(caller: Member, id: number, options: { purpose?: Purpose; what: string; range?: string | undefined }): Promise<Download> {
    const attachment = await this.findVisible(caller, id, options.purpose);
    if (!attachment) throw notFound(options.what);
    const storage = this.storage;
    if (storage.presignedUrl && attachment.size > this.policy.uploads.presignAboveMegabytes * MB) {
      const url = await storage.presignedUrl(attachment.storageKey, { expiresSeconds: this.policy.uploads.presignedUrlSeconds, contentType: attachment.contentType });
      return { kind: 'redirect', url };
    }
    const range = parseRange(options.range, attachment.size);
    if (range === 'unsatisfiable') return { kind: 'unsatisfiable', size: attachment.size };
    const body = await storage.open(attachment.storageKey, range ?? undefined).catch(this.storageDown);
    if (!body) throw notFound(options.what);
    // The store failing mid-body (a cut connection) aborts the answer; the app's error handler takes it
    // for a client gone, so it is logged here. A client hanging up destroys the body as a premature close.
    body.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') this.logger?.warn({ err: error, storage: storage.kind, attachmentId: id }, 'attachment download broken off by the store');
    });
    return { kind: 'stream', body, contentType: attachment.contentType, size: attachment.size, range };
  }

  /**
   * A download the owner's module has already allowed (a material behind a valid share link, opened
   * without a session): the attachment must belong to that owner, else it is absent.
   */
  async downloadOwned(owner: { kind: string; id: number }, id: number, options: { what: string; range?: string | undefined }): Promise<Download> {
    const attachment = await this.db.getRepository(Attachment).findOne({ where: { id, ownerKind: owner.kind, ownerId: owner.id } });
    if (!attachment) throw notFound(options.what);
    const range = parseRange(options.range, attachment.size);
    if (range === 'unsatisfiable') return { kind: 'unsatisfiable', size: attachment.size };
    const body = await this.storage.open(attachment.storageKey, range ?? undefined).catch(this.storageDown);
    if (!body) throw notFound(options.what);
    return { kind: 'stream', body, contentType: attachment.contentType, size: attachment.size, range };
  }

  /** Type and size of attachments, by id (a module showing its records' files). */
  async describe(ids: number[]): Promise<Map<number, { contentType: string; size: number; uploadedById: number; ownerKind: string | null; purpose: string }>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.getRepository(Attachment).find({ where: { id: In([...new Set(ids)]) }, select: { id: true, contentType: true, size: true, uploadedById: true, ownerKind: true, purpose: true } });
    return new Map(rows.map((r) => [r.id, { contentType: r.contentType, size: r.size, uploadedById: r.uploadedById, ownerKind: r.ownerKind, purpose: r.purpose }]));
  }

  /**
   * Deletes uploads never attached (the form was closed) after their purpose's hours. The row goes
   * first, only while still unattached, so one attached meanwhile is kept, and of several servers
   * sweeping only one removes each object.
   */
  async sweepUnattached(purpose: Purpose, limit = 500): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - PURPOSES[purpose].unattachedHours(this.policy) * HOUR_MS);
    const repo = this.db.getRepository(Attachment);
    const stale = await repo.find({
      where: { purpose, ownerId: IsNull(), createdAt: LessThan(cutoff) },
      select: { id: true, storageKey: true },
      order: { id: 'ASC' },
      take: limit,
    });
    let removed = 0;
    for (const attachment of stale) {
      const result = await repo.delete({ id: attachment.id, ownerId: IsNull() });
      if ((result.affected ?? 0) !== 1) continue;
      await this.storage.delete(attachment.storageKey);
      removed++;
    }
    return removed;
  }

  /**
   * The module's one recurring sweep (`attachments.sweep`): every purpose's unattached uploads after its
   * own hours, then a batch of checksums for photos moved over from before attachments.
   */
  async sweep(limit = 500): Promise<{ removed: Partial<Record<Purpose, number>>; checksums: ChecksumPass }> {
    const removed: Partial<Record<Purpose, number>> = {};
    for (const purpose of PURPOSE_NAMES) {
      const n = await this.sweepUnattached(purpose, limit);
      if (n) removed[purpose] = n;
    }
    return { removed, checksums: await this.fillMissingChecksums() };
  }

  /**
   * Photos moved over from the old table have no checksum: this reads up to `uploads.checksumBatch` of
   * them back from the store (streamed, never whole in memory) and writes theirs, only where still empty,
   * so two servers or a rerun change nothing. An object not in the store is marked `missingAt` and not
   * tried again; the store failing stops the batch, and the rest waits for the next sweep.
   */
  async fillMissingChecksums(limit = this.policy.uploads.checksumBatch): Promise<ChecksumPass> {
    // every upload since attachments has its checksum: once a pass finds none left, none can appear
    if (this.checksumsDone) return { filled: 0, missing: 0, left: false };
    const repo = this.db.getRepository(Attachment);
    const pending = await repo.find({
      where: { sha256: IsNull(), missingAt: IsNull() },
      select: { id: true, storageKey: true },
      order: { id: 'ASC' },
      take: limit,
    });
    const pass: ChecksumPass = { filled: 0, missing: 0, left: false };
    for (const attachment of pending) {
      let sha256: string | null;
      try {
        sha256 = await this.hashOf(attachment.storageKey);
      } catch (error) {
        this.logger?.warn({ err: error, storage: this.storage.kind, attachmentId: attachment.id }, 'checksum pass stopped: storage unavailable');
        pass.left = true;
        return pass;
      }
      if (sha256 === null) {
        await repo.update({ id: attachment.id, sha256: IsNull(), missingAt: IsNull() }, { missingAt: this.clock.now() });
        this.logger?.warn({ attachmentId: attachment.id, storageKey: attachment.storageKey }, 'attachment file missing from storage');
        pass.missing++;
      } else {
        await repo.update({ id: attachment.id, sha256: IsNull() }, { sha256 });
        pass.filled++;
      }
    }
    pass.left = pending.length === limit;
    if (pending.length === 0) this.checksumsDone = true;
    return pass;
  }

  /** The hex SHA-256 of an object's bytes, read as a stream; null when the object is not there. */
  private async hashOf(key: string): Promise<string | null> {
    const body = await this.storage.open(key);
    if (!body) return null;
    const hash = createHash('sha256');
    for await (const chunk of body) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  /** The ids attached to each of these owners of one kind, in upload order. */
  async idsOf(ownerKind: string, ownerIds: number[], purpose?: Purpose): Promise<Map<number, number[]>> {
    const map = new Map<number, number[]>();
    if (ownerIds.length === 0) return map;
    const rows = await this.db.getRepository(Attachment).find({
      where: { ownerKind, ownerId: In(ownerIds), ...(purpose ? { purpose } : {}) },
      select: { id: true, ownerId: true },
      order: { id: 'ASC' },
    });
    for (const r of rows) map.set(r.ownerId!, [...(map.get(r.ownerId!) ?? []), r.id]);
    return map;
  }
}

/**
 * One `bytes=` range against a size: `a-b`, `a-` or the last `-n` bytes. Several ranges, other units or
 * nonsense give null (the whole file, as RFC 9110 allows); a first byte at or past the end is unsatisfiable.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}
