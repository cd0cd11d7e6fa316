import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { In, IsNull, type DataSource } from 'typeorm';
import { MATERIAL_KIND_LABELS, can, type Material as MaterialView, type MaterialCreateInput, type MaterialKind, type MaterialTag as TagView, type MaterialUpdateInput } from '@anchor/shared';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { SQL, placeholders, withSqlTransaction, type Sql } from '../../db/sql';
import { invalid, notFound } from '../../http/errors';
import type { AttachmentService, Download } from '../attachments';
import type { CustomerService } from '../customers';
import type { Member } from '../org';
import type { TimelineService } from '../visits';
import { Material, MaterialTag, MaterialTagLink, MaterialUsage } from './material.entity';
import { materialError } from './materials.errors';

/** How long a play URL works; the key is this process's (a URL outlives neither a restart nor its minutes). */
const PLAY_URL_SECONDS = 30 * 60;
const PLAY_URL_KEY = process.env.MATERIAL_URL_KEY || randomBytes(32).toString('hex');

export type UsageAction = 'view' | 'download' | 'share';

/** Which sniffed content types each kind takes (the attachments module has typed the bytes already). */
const KIND_TYPES: Record<Exclude<MaterialKind, 'script'>, RegExp> = {
  video: /^video\/mp4$/,
  pdf: /^application\/pdf$/,
  image: /^image\/(jpeg|png|webp)$/,
  office: /^application\/vnd\.openxmlformats-officedocument\./,
};

export interface ListQuery {
  q?: string | undefined;
  tagId?: number | undefined;
  kind?: MaterialKind | undefined;
  /** managers only: include retired ones */
  retired?: 'hide' | 'include' | 'only' | undefined;
  page: number;
  pageSize: number;
}

/**
 * Materials, their tags (data, edited by marketing) and their use by reps. Marketing (and admins)
 * write; everyone with `materials.read` reads, reps never a retired one. Every view and download is
 * recorded (material_usage), indexed per member and per day for the dashboards.
 */
export class MaterialService {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly customers: CustomerService,
    readonly attachments: AttachmentService,
    private readonly timeline: TimelineService,
  ) {
    // a material's file: whoever may read materials, a retired one only those who manage them
    attachments.registerOwner('material', async (caller, attachment) => {
      if (!can(caller.role, 'materials.read') || attachment.ownerId === null) return false;
      const m = await db.getRepository(Material).findOne({ where: { id: attachment.ownerId }, select: { id: true, retiredAt: true } });
      return !!m && (m.retiredAt === null || can(caller.role, 'materials.manage'));
    });
  }

  get timelineService(): TimelineService {
    return this.timeline;
  }

  // ── tags ─────────────────────────────────────────────────────────────────────────────────────────
  async tags(caller: Member, includeRetired: boolean): Promise<TagView[]> {
    const all = can(caller.role, 'materials.manage') && includeRetired;
    const tags = await this.db.getRepository(MaterialTag).find({ where: all ? {} : { retiredAt: IsNull() }, order: { id: 'ASC' } });
    const counts = await this.db.query(
      SQL`SELECT l.tagId AS tagId, COUNT(*) AS n FROM material_tag_link l JOIN material m ON m.id = l.materialId WHERE m.retiredAt IS NULL GROUP BY l.tagId`,
    ) as Array<{ tagId: number; n: number | string }>;
    const count = new Map(counts.map((c) => [Number(c.tagId), Number(c.n)]));
    return tags.map((t) => ({ id: t.id, name: t.name, retiredAt: t.retiredAt?.toISOString() ?? null, materialCount: count.get(t.id) ?? 0 }));
  }

  async createTag(name: string): Promise<TagView> {
    await this.assertNameFree(name, null);
    const repo = this.db.getRepository(MaterialTag);
    const saved = await repo.save(repo.create({ name, retiredAt: null, createdAt: this.clock.now() })).catch(async (error) => {
      if (await repo.findOne({ where: { name } })) throw this.nameTaken(name);
      throw error;
    });
    return { id: saved.id, name: saved.name, retiredAt: null, materialCount: 0 };
  }

  /** Rename, retire (kept on the materials that have it, not offered for new ones) or bring back a tag. */
  async updateTag(id: number, input: { name?: string | undefined; retired?: boolean | undefined }): Promise<TagView> {
    const repo = this.db.getRepository(MaterialTag);
    const tag = await repo.findOne({ where: { id } });
    if (!tag) throw notFound('标签');
    if (input.name !== undefined && input.name !== tag.name) {
      await this.assertNameFree(input.name, id);
      tag.name = input.name;
    }
    if (input.retired !== undefined) tag.retiredAt = input.retired ? (tag.retiredAt ?? this.clock.now()) : null;
    await repo.save(tag);
    if (input.name !== undefined) await this.refreshSearchTextOfTag(id);
    return { id: tag.id, name: tag.name, retiredAt: tag.retiredAt?.toISOString() ?? null };
  }

  private async assertNameFree(name: string, except: number | null): Promise<void> {
    const other = await this.db.getRepository(MaterialTag).findOne({ where: { name } });
    if (other && other.id !== except) throw this.nameTaken(name);
  }

  private nameTaken(name: string) {
    return materialError('MATERIAL_TAG_TAKEN', { message: `标签「${name}」已存在`, fields: { name: `标签「${name}」已存在` } });
  }

  /** Every id must name a tag in use; the message names 标签 and the ids that are not. */
  private async activeTags(ids: number[]): Promise<MaterialTag[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const found = await this.db.getRepository(MaterialTag).find({ where: { id: In(unique), retiredAt: IsNull() } });
    const missing = unique.filter((id) => !found.some((t) => t.id === id));
    if (missing.length > 0) {
      const message = `标签不存在或已停用（编号 ${missing.join('、')}）`;
      throw materialError('MATERIAL_TAG_UNKNOWN', { message, fields: { tagIds: message } });
    }
    return unique.map((id) => found.find((t) => t.id === id)!);
  }

  /** Fit hints must come from the option lists in config (stages by code, industries, bottlenecks). */
  private checkHints(input: { stages?: string[] | undefined; industries?: string[] | undefined; bottlenecks?: string[] | undefined }): void {
    const fields: Record<string, string> = {};
    const codes = this.policy.stages.map((s) => s.code as string);
    const check = (key: 'stages' | 'industries' | 'bottlenecks', label: string, allowed: string[]) => {
      const bad = (input[key] ?? []).filter((v) => !allowed.includes(v));
      if (bad.length) fields[key] = `${label}不在可选项中：${bad.slice(0, 3).join('、')}`;
    };
    check('stages', '适用阶段', codes);
    check('industries', '适用行业', this.policy.options.industries);
    check('bottlenecks', '适用瓶颈', this.policy.options.bottlenecks);
    if (Object.keys(fields).length) throw invalid(fields);
  }

  // ── materials ────────────────────────────────────────────────────────────────────────────────────
  async create(caller: Member, input: MaterialCreateInput): Promise<MaterialView> {
    const tags = await this.activeTags(input.tagIds);
    this.checkHints(input);
    if (input.kind === 'script') {
      if (!input.scriptText?.trim()) throw materialError('MATERIAL_FILE_MISMATCH', { message: '话术类素材须填写话术内容', fields: { scriptText: '请填写话术内容' } });
      if (input.attachmentId !== null) throw materialError('MATERIAL_FILE_MISMATCH', { message: '话术类素材不带文件', fields: { attachmentId: '话术类素材不带文件' } });
    } else {
      if (input.attachmentId === null) throw materialError('MATERIAL_FILE_MISMATCH', { message: `请先上传${MATERIAL_KIND_LABELS[input.kind]}文件`, fields: { attachmentId: '请上传文件' } });
      const file = (await this.attachments.describe([input.attachmentId])).get(input.attachmentId);
      if (!file || file.purpose !== 'material' || file.uploadedById !== caller.id || file.ownerKind !== null) {
        throw invalid({ attachmentId: '文件不存在、不是你上传的或已被使用' });
      }
      if (!KIND_TYPES[input.kind].test(file.contentType)) {
        const message = `文件与素材类型「${MATERIAL_KIND_LABELS[input.kind]}」不符`;
        throw materialError('MATERIAL_FILE_MISMATCH', { message, fields: { attachmentId: message } });
      }
    }
    const now = this.clock.now();
    const id = await withSqlTransaction(this.db, async (sql) => {
      const materialId = await sql.insert('material', [
        {
          title: input.title, description: input.description, kind: input.kind, attachmentId: input.attachmentId, scriptText: input.kind === 'script' ? input.scriptText : null,
          stages: JSON.stringify(input.stages), industries: JSON.stringify(input.industries), bottlenecks: JSON.stringify(input.bottlenecks),
          searchText: searchTextOf(input.title, input.description, tags.map((t) => t.name), input.scriptText), createdById: caller.id, retiredAt: null, createdAt: now, updatedAt: now,
        },
      ]);
      if (tags.length) await sql.insert('material_tag_link', tags.map((t) => ({ materialId, tagId: t.id })));
      if (input.attachmentId !== null) await this.attachments.attach(sql, caller, 'material', [input.attachmentId], { kind: 'material', id: materialId, customerId: null }, 'attachmentId');
      return materialId;
    });
    return this.view(await this.load(id));
  }

  async update(id: number, input: MaterialUpdateInput): Promise<MaterialView> {
    const material = await this.load(id);
    const tags = input.tagIds ? await this.activeTags(input.tagIds) : null;
    this.checkHints(input);
    if (input.scriptText !== undefined && material.kind === 'script' && !input.scriptText?.trim()) {
      throw materialError('MATERIAL_FILE_MISMATCH', { message: '话术类素材须填写话术内容', fields: { scriptText: '请填写话术内容' } });
    }
    await withSqlTransaction(this.db, async (sql) => {
      if (tags) {
        await sql.exec(SQL`DELETE FROM material_tag_link WHERE materialId = ?`, [id]);
        if (tags.length) await sql.insert('material_tag_link', tags.map((t) => ({ materialId: id, tagId: t.id })));
      }
      const next = {
        title: input.title ?? material.title,
        description: input.description ?? material.description,
        scriptText: material.kind === 'script' && input.scriptText !== undefined ? input.scriptText : material.scriptText,
        stages: input.stages ?? material.stages,
        industries: input.industries ?? material.industries,
        bottlenecks: input.bottlenecks ?? material.bottlenecks,
      };
      const tagNames = tags ? tags.map((t) => t.name) : (await this.tagsOf([id])).get(id)?.map((t) => t.name) ?? [];
      await sql.exec(
        SQL`UPDATE material SET title = ?, description = ?, scriptText = ?, stages = ?, industries = ?, bottlenecks = ?, searchText = ?, updatedAt = ? WHERE id = ?`,
        [next.title, next.description, next.scriptText, JSON.stringify(next.stages), JSON.stringify(next.industries), JSON.stringify(next.bottlenecks),
          searchTextOf(next.title, next.description, tagNames, next.scriptText), this.clock.now(), id],
      );
    });
    return this.view(await this.load(id));
  }

  /** Hidden from reps from now on; kept, with its usage and shares, for history. Shares of it stop opening (410). */
  async retire(id: number, retired: boolean): Promise<MaterialView> {
    const material = await this.load(id);
    await this.db.getRepository(Material).update({ id }, { retiredAt: retired ? (material.retiredAt ?? this.clock.now()) : null });
    return this.view(await this.load(id));
  }

  async list(caller: Member, query: ListQuery) {
    const manages = can(caller.role, 'materials.manage');
    const retired = manages ? (query.retired ?? 'hide') : 'hide';
    const qb = this.db.getRepository(Material).createQueryBuilder('m');
    if (retired === 'hide') qb.andWhere('m.retiredAt IS NULL');
    if (retired === 'only') qb.andWhere('m.retiredAt IS NOT NULL');
    if (query.kind) qb.andWhere('m.kind = :kind', { kind: query.kind });
    if (query.tagId) qb.andWhere('m.id IN (SELECT l.materialId FROM material_tag_link l WHERE l.tagId = :tagId)', { tagId: query.tagId });
    const words = (query.q ?? '').trim().toLowerCase().split(/\s+/).filter(Boolean).slice(0, 5);
    words.forEach((w, i) => qb.andWhere(`m.searchText LIKE :w${i} ESCAPE '!'`, { [`w${i}`]: `%${w.replace(/[!%_]/g, (c) => `!${c}`)}%` }));
    qb.orderBy('m.id', 'DESC').skip((query.page - 1) * query.pageSize).take(query.pageSize);
    const [rows, total] = await qb.getManyAndCount();
    return { items: await this.views(rows), total, page: query.page, pageSize: query.pageSize };
  }

  /** One material (a rep: never a retired one); opening it is a view, for a customer when one is named. */
  async get(caller: Member, id: number, customerId: number | null): Promise<MaterialView> {
    const material = await this.visible(caller, id);
    if (customerId !== null) await this.customers.findInScope(caller, customerId);
    await this.record(material.id, caller.id, customerId, 'view');
    const view = await this.view(material);
    return material.attachmentId ? { ...view, playUrl: this.playUrl(caller, material) } : view;
  }

  /** The file (video seeks with Range). A request from the first byte counts as a download. */
  async file(caller: Member, id: number, range: string | undefined, customerId: number | null): Promise<Download> {
    const material = await this.visible(caller, id);
    if (material.attachmentId === null) throw notFound('素材文件');
    if (customerId !== null) await this.customers.findInScope(caller, customerId);
    const download = await this.attachments.download(caller, material.attachmentId, { purpose: 'material', what: '素材文件', range });
    if (!range || /^bytes=0-/.test(range.trim())) await this.record(material.id, caller.id, customerId, 'download');
    return download;
  }

  /**
   * A short-lived address of the file the app's player can load itself (a <video> sends no Authorization
   * header, and must ask for ranges to seek): signed for this member and material, minutes long.
   */
  playUrl(caller: Member, material: Material): string {
    const expires = Math.floor(this.clock.now().getTime() / 1000) + PLAY_URL_SECONDS;
    return `/api/v1/materials/${material.id}/stream?m=${caller.id}&e=${expires}&s=${this.sign(material.id, caller.id, expires)}`;
  }

  /** The file behind a play URL, if its signature holds and it has not expired (else absent, 404). */
  async stream(id: number, query: { m: number; e: number; s: string }, range: string | undefined): Promise<Download> {
    const expected = Buffer.from(this.sign(id, query.m, query.e));
    const given = Buffer.from(query.s);
    const valid = expected.length === given.length && timingSafeEqual(expected, given) && query.e * 1000 > this.clock.now().getTime();
    const material = valid ? await this.db.getRepository(Material).findOne({ where: { id } }) : null;
    if (!material || material.attachmentId === null || material.retiredAt !== null) throw notFound('素材文件');
    const download = await this.attachments.downloadOwned({ kind: 'material', id }, material.attachmentId, { what: '素材文件', range });
    // a document opened in the phone's viewer (or a browser tab) is a download; a video or image shown on the page is the view already counted
    if ((material.kind === 'pdf' || material.kind === 'office') && (!range || /^bytes=0-/.test(range.trim()))) await this.record(id, query.m, null, 'download');
    return download;
  }

  private sign(id: number, memberId: number, expires: number): string {
    return createHmac('sha256', PLAY_URL_KEY).update(`${id}.${memberId}.${expires}`).digest('base64url');
  }

  /** Materials fitting a customer: its stage, its industry, its last visit's bottleneck (most matches first). */
  async forCustomer(caller: Member, customerId: number): Promise<{ items: MaterialView[]; stage: string; industry: string; bottleneck: string | null }> {
    const customer = await this.customers.findInScope(caller, customerId);
    const bottleneck = await this.timeline.lastBottleneck(customerId);
    const live = await this.db.getRepository(Material).find({ where: { retiredAt: IsNull() }, order: { id: 'DESC' }, take: 2000 });
    const stageLabel = this.customers.stageLabel(customer.stage);
    const scored = live
      .map((m) => {
        const fits: string[] = [];
        if (m.stages.includes(customer.stage)) fits.push(`阶段：${stageLabel}`);
        if (m.industries.includes(customer.industry)) fits.push(`行业：${customer.industry}`);
        if (bottleneck && m.bottlenecks.includes(bottleneck)) fits.push(`瓶颈：${bottleneck}`);
        return { m, fits };
      })
      .filter((x) => x.fits.length > 0)
      .sort((a, b) => b.fits.length - a.fits.length || b.m.id - a.m.id)
      .slice(0, 20);
    const views = await this.views(scored.map((x) => x.m));
    return { items: views.map((v, i) => ({ ...v, fits: scored[i]!.fits })), stage: stageLabel, industry: customer.industry, bottleneck };
  }

  /**
   * The materials carrying the tag `tagName` that are in use now (neither the material nor the tag
   * retired), newest first, at most `max`: a support pack (grading strategies). Read in the caller's
   * transaction; an unknown tag is an empty pack.
   */
  async taggedNow(sql: Sql, tagName: string, max: number): Promise<Array<{ id: number; title: string; kind: string }>> {
    const rows = await sql.rows<{ id: number; title: string; kind: string }>(
      SQL`SELECT m.id AS id, m.title AS title, m.kind AS kind FROM material_tag t JOIN material_tag_link l ON l.tagId = t.id JOIN material m ON m.id = l.materialId
       WHERE t.name = ? AND t.retiredAt IS NULL AND m.retiredAt IS NULL ORDER BY m.id DESC LIMIT ?`,
      [tagName, max],
    );
    return rows.map((r) => ({ id: Number(r.id), title: r.title, kind: r.kind }));
  }

  async record(materialId: number, memberId: number, customerId: number | null, action: UsageAction): Promise<void> {
    await this.db.getRepository(MaterialUsage).insert({ materialId, memberId, customerId, action, at: this.clock.now() });
  }

  /** A material the caller may see: a retired one only for those who manage materials. */
  async visible(caller: Member, id: number): Promise<Material> {
    const material = await this.db.getRepository(Material).findOne({ where: { id } });
    if (!material || (material.retiredAt !== null && !can(caller.role, 'materials.manage'))) throw notFound('素材');
    return material;
  }

  async load(id: number): Promise<Material> {
    const material = await this.db.getRepository(Material).findOne({ where: { id } });
    if (!material) throw notFound('素材');
    return material;
  }

  private async tagsOf(ids: number[]): Promise<Map<number, Array<{ id: number; name: string }>>> {
    const map = new Map<number, Array<{ id: number; name: string }>>();
    if (ids.length === 0) return map;
    const rows = await this.db.query(
      SQL`SELECT l.materialId AS materialId, t.id AS id, t.name AS name FROM material_tag_link l JOIN material_tag t ON t.id = l.tagId WHERE l.materialId IN (${placeholders(ids.length)}) ORDER BY l.id`,
      ids,
    ) as Array<{ materialId: number; id: number; name: string }>;
    for (const r of rows) map.set(Number(r.materialId), [...(map.get(Number(r.materialId)) ?? []), { id: Number(r.id), name: r.name }]);
    return map;
  }

  private async refreshSearchTextOfTag(tagId: number): Promise<void> {
    const links = await this.db.getRepository(MaterialTagLink).find({ where: { tagId } });
    const ids = links.map((l) => l.materialId);
    if (ids.length === 0) return;
    const tags = await this.tagsOf(ids);
    for (const m of await this.db.getRepository(Material).find({ where: { id: In(ids) } })) {
      await this.db.getRepository(Material).update({ id: m.id }, { searchText: searchTextOf(m.title, m.description, (tags.get(m.id) ?? []).map((t) => t.name), m.scriptText) });
    }
  }

  view(material: Material): Promise<MaterialView> {
    return this.views([material]).then((v) => v[0]!);
  }

  async views(materials: Material[]): Promise<MaterialView[]> {
    const tags = await this.tagsOf(materials.map((m) => m.id));
    const files = await this.attachments.describe(materials.flatMap((m) => (m.attachmentId ? [m.attachmentId] : [])));
    return materials.map((m) => {
      const file = m.attachmentId ? files.get(m.attachmentId) : undefined;
      return {
        id: m.id, title: m.title, description: m.description, kind: m.kind as MaterialKind, kindLabel: MATERIAL_KIND_LABELS[m.kind as MaterialKind] ?? m.kind,
        attachmentId: m.attachmentId, contentType: file?.contentType ?? null, size: file?.size ?? null, scriptText: m.scriptText,
        tags: tags.get(m.id) ?? [], stages: m.stages, industries: m.industries, bottlenecks: m.bottlenecks,
        retiredAt: m.retiredAt?.toISOString() ?? null, createdAt: m.createdAt.toISOString(),
      };
    });
  }
}

/** What the text search reads: title, description, tag names and the script's opening, lower-cased. */
export function searchTextOf(title: string, description: string, tags: string[], script: string | null): string {
  return [title, description, ...tags, script ?? ''].join(' ').toLowerCase().slice(0, 800);
}
