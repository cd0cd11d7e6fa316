import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { In, IsNull, type DataSource } from 'typeorm';
import type { MaterialShare as ShareView } from '@anchor/shared';
import type { Clock } from '../../clock';
import type { Env } from '../../config/env';
import { SQL, withSqlTransaction } from '../../db/sql';
import { notFound } from '../../http/errors';
import { enqueueMessages } from '../../outbox/outbox';
import type { Download } from '../attachments';
import type { CustomerService } from '../customers';
import type { Member, OrgService } from '../org';
import type { TimelineEntry } from '../visits';
import { Material, MaterialShare, MaterialShareOpen } from './material.entity';
import type { MaterialService } from './material.service';
import { materialError } from './materials.errors';

/** The longest a page may claim a video was watched in one open (a day): anything larger is a broken player. */
const MAX_WATCHED_SECONDS = 24 * 3600;
const TOKEN = /^[A-Za-z0-9_-]{32}$/;

export interface OpenedShare {
  share: MaterialShare;
  material: Material;
  beaconKey: string;
}

/**
 * A rep shares one material (optionally to one customer) as a link and QR code. The page opens without a
 * login, shows only that material and records each open; the first open tells the rep once (outbox,
 * deduplicated by the share's firstOpenedAt); the rep can revoke the link (410 from then on).
 */
export class ShareService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly env: Env,
    private readonly materials: MaterialService,
    private readonly customers: CustomerService,
    private readonly org: OrgService,
  ) {
    materials.timelineService.registerSource((customerId: number, take: number) => this.timelineOf(customerId, take));
  }

  urlOf(token: string): string {
    return `${this.env.publicUrl}/api/v1/s/${token}`;
  }

  async create(caller: Member, materialId: number, customerId: number | null): Promise<ShareView> {
    const material = await this.materials.visible(caller, materialId);
    if (material.retiredAt !== null) throw notFound('素材');
    if (customerId !== null) await this.customers.findInScope(caller, customerId);
    const now = this.clock.now();
    const token = randomBytes(24).toString('base64url');
    const id = await withSqlTransaction(this.db, async (sql) => {
      const shareId = await sql.insert('material_share', [{ token, materialId, memberId: caller.id, customerId, openCount: 0, createdAt: now }]);
      await sql.insert('material_usage', [{ materialId, memberId: caller.id, customerId, action: 'share', at: now }]);
      return shareId;
    });
    return (await this.views([await this.db.getRepository(MaterialShare).findOneByOrFail({ id })]))[0]!;
  }

  /** The caller's shares (newest first), for one customer if named, each with how often it was opened. */
  async mine(caller: Member, customerId: number | null, page: number, pageSize: number) {
    if (customerId !== null) await this.customers.findInScope(caller, customerId);
    const [rows, total] = await this.db.getRepository(MaterialShare).findAndCount({
      where: { memberId: caller.id, ...(customerId !== null ? { customerId } : {}) },
      order: { id: 'DESC' }, skip: (page - 1) * pageSize, take: pageSize,
    });
    return { items: await this.views(rows), total, page, pageSize };
  }

  /** Only its rep revokes a link; anyone else's share looks absent. */
  async revoke(caller: Member, id: number): Promise<ShareView> {
    const share = await this.own(caller, id);
    if (!share.revokedAt) await this.db.getRepository(MaterialShare).update({ id, revokedAt: IsNull() }, { revokedAt: this.clock.now() });
    return (await this.views([await this.db.getRepository(MaterialShare).findOneByOrFail({ id })]))[0]!;
  }

  async qrPng(caller: Member, id: number): Promise<Buffer> {
    const share = await this.own(caller, id);
    return QRCode.toBuffer(this.urlOf(share.token), { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 360 });
  }

  private async own(caller: Member, id: number): Promise<MaterialShare> {
    const share = await this.db.getRepository(MaterialShare).findOne({ where: { id } });
    if (!share || share.memberId !== caller.id) throw notFound('分享');
    return share;
  }

  /** A live share by its token: unknown → 404, revoked (or its material retired) → 410. Nothing is recorded. */
  async live(token: string): Promise<{ share: MaterialShare; material: Material }> {
    const share = TOKEN.test(token) ? await this.db.getRepository(MaterialShare).findOne({ where: { token } }) : null;
    if (!share) throw notFound('分享');
    const material = await this.db.getRepository(Material).findOneByOrFail({ id: share.materialId });
    if (share.revokedAt || material.retiredAt) throw materialError('SHARE_REVOKED');
    return { share, material };
  }

  /**
   * An open of the page: one row, the share's counts, and on the very first open one message to the rep
   * (the conditional UPDATE lets exactly one concurrent first open win).
   */
  async open(token: string): Promise<OpenedShare> {
    const { share, material } = await this.live(token);
    const now = this.clock.now();
    const beaconKey = randomBytes(16).toString('hex');
    const customer = share.customerId && !share.firstOpenedAt ? await this.customers.summaryOf(share.customerId) : null;
    const who = customer ? (customer.contactName ? `${customer.contactName}（${customer.name}）` : customer.name) : '客户';
    await withSqlTransaction(this.db, async (sql) => {
      await sql.insert('material_share_open', [{ shareId: share.id, customerId: share.customerId, beaconKey, openedAt: now, watchedSeconds: null }]);
      await sql.exec(SQL`UPDATE material_share SET openCount = openCount + 1, lastOpenedAt = ? WHERE id = ?`, [now, share.id]);
      const first = await sql.exec(SQL`UPDATE material_share SET firstOpenedAt = ? WHERE id = ? AND firstOpenedAt IS NULL`, [now, share.id]);
      if (first === 1) await enqueueMessages(sql, [{ kind: 'material.share_opened', teamId: null, payload: { shareId: share.id, who } }], now);
    });
    return { share, material, beaconKey };
  }

  /** How long the video was watched in one open, as the page's player tells it (only ever grows). */
  async beacon(token: string, key: string, watchedSeconds: number): Promise<void> {
    const { share } = await this.live(token);
    const seconds = Math.min(Math.max(0, Math.round(watchedSeconds)), MAX_WATCHED_SECONDS);
    const changed = await withSqlTransaction(this.db, (sql) =>
      sql.exec(SQL`UPDATE material_share_open SET watchedSeconds = ? WHERE shareId = ? AND beaconKey = ? AND (watchedSeconds IS NULL OR watchedSeconds < ?)`, [seconds, share.id, key, seconds]),
    );
    if (changed === 0) {
      const known = await this.db.getRepository(MaterialShareOpen).count({ where: { shareId: share.id, beaconKey: key } });
      if (!known) throw notFound('打开记录');
    }
  }

  async file(token: string, range: string | undefined): Promise<Download> {
    const { material } = await this.live(token);
    if (material.attachmentId === null) throw notFound('素材文件');
    return this.materials.attachments.downloadOwned({ kind: 'material', id: material.id }, material.attachmentId, { what: '素材文件', range });
  }

  /** Opens of shares to this customer, for its timeline: who shared, which material, how long watched. */
  private async timelineOf(customerId: number, take: number): Promise<[TimelineEntry[], number]> {
    const rows = (await this.db.query(
      SQL`SELECT o.id AS id, o.openedAt AS openedAt, o.watchedSeconds AS watchedSeconds, s.id AS shareId, s.memberId AS memberId, m.id AS materialId, m.title AS title
       FROM material_share_open o JOIN material_share s ON s.id = o.shareId JOIN material m ON m.id = s.materialId
       WHERE o.customerId = ? ORDER BY o.openedAt DESC, o.id DESC LIMIT ?`,
      [customerId, take],
    )) as Array<{ id: number; openedAt: Date | string; watchedSeconds: number | null; shareId: number; memberId: number; materialId: number; title: string }>;
    const [{ n }] = (await this.db.query(SQL`SELECT COUNT(*) AS n FROM material_share_open WHERE customerId = ?`, [customerId])) as Array<{ n: number | string }>;
    const people = await this.org.membersByIds(rows.map((r) => Number(r.memberId)));
    const entries = rows.map((r): TimelineEntry => ({
      type: 'material_open', at: toDate(r.openedAt).toISOString(), id: Number(r.id), by: { id: Number(r.memberId), name: people.get(Number(r.memberId))?.name ?? '' },
      shareId: Number(r.shareId), materialId: Number(r.materialId), title: r.title, watchedSeconds: r.watchedSeconds === null ? null : Number(r.watchedSeconds),
    }));
    return [entries, Number(n)];
  }

  async views(shares: MaterialShare[]): Promise<ShareView[]> {
    const materials = new Map((await this.db.getRepository(Material).findBy({ id: In(shares.map((s) => s.materialId)) })).map((m) => [m.id, m]));
    const customerIds = [...new Set(shares.flatMap((s) => (s.customerId ? [s.customerId] : [])))];
    const customers = new Map<number, { id: number; name: string; contactName: string | null }>();
    for (const id of customerIds) {
      const c = await this.customers.summaryOf(id);
      if (c) customers.set(id, { id: c.id, name: c.name, contactName: c.contactName });
    }
    return shares.map((s) => {
      const title = materials.get(s.materialId)?.title ?? '';
      const customer = s.customerId ? (customers.get(s.customerId) ?? null) : null;
      return {
        id: s.id, token: s.token, url: this.urlOf(s.token), qrUrl: `/api/v1/material-shares/${s.id}/qr.png`, materialId: s.materialId, title, customer,
        createdAt: s.createdAt.toISOString(), revokedAt: s.revokedAt?.toISOString() ?? null, openCount: s.openCount,
        firstOpenedAt: s.firstOpenedAt?.toISOString() ?? null, lastOpenedAt: s.lastOpenedAt?.toISOString() ?? null,
        summary: openSummary(customer, title, s.openCount),
      };
    });
  }
}

/** 「王主任 打开了 《快装方案》 2 次」, 「王主任 尚未打开 《快装方案》」; without a customer 「《快装方案》 被打开了 2 次」. */
export function openSummary(customer: { name: string; contactName: string | null } | null, title: string, count: number): string {
  if (!customer) return count > 0 ? `《${title}》 被打开了 ${count} 次` : `尚无人打开 《${title}》`;
  const who = customer.contactName || customer.name;
  return count > 0 ? `${who} 打开了 《${title}》 ${count} 次` : `${who} 尚未打开 《${title}》`;
}

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`);
}


