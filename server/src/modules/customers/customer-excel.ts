import { PassThrough } from 'node:stream';
import type ExcelJS from 'exceljs';
import { excel } from '../../excel';
import type { DataSource } from 'typeorm';
import { customerNameKey, scopeOf as scopeRuleOf, validate, withoutInvisible, type CustomerCreateInput, type StageCode } from '@anchor/shared';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { isDuplicateKeyError, withTransaction } from '../../db/transaction';
import { customerError } from './customers.errors';
import type { FileUploadOptions } from '../../http/upload';
import type { Member } from '../org';
import type { OrgService } from '../org';
import { CUSTOMER_OWNER_ROLES, scopeIncludes, type Scope } from '../org';
import { instantToWallClock, stripXmlUnsafe, wallClockToInstant } from '@anchor/shared';
import { Customer } from './customer.entity';
import { readImportSheet } from './xlsx-import';
import { CustomerStageChange } from './customer-history.entity';
import { duplicateCustomer, type CustomerService } from './customer.service';
import { indexCustomers } from './customer-search';

type ColumnKey =
  | 'name' | 'industry' | 'stage' | 'owner' | 'ownerPhone' | 'grade' | 'province' | 'city' | 'address'
  | 'contactName' | 'contactPhone' | 'hospitalLevel' | 'departmentActivity' | 'lastFollowUpAt' | 'notes';

interface ColumnDef {
  key: ColumnKey;
  header: string;
  aliases: string[];
  required?: boolean;
  width: number;
}

/** The spreadsheet layout; an export re-imports as is. */
export const CUSTOMER_COLUMNS: ColumnDef[] = [
  { key: 'name', header: '客户名称', aliases: ['客户名', '医院名称', '名称', '客户'], required: true, width: 28 },
  { key: 'industry', header: '所属行业', aliases: ['行业'], required: true, width: 12 },
  { key: 'stage', header: '当前阶段', aliases: ['阶段', '销售阶段'], width: 10 },
  { key: 'owner', header: '负责人', aliases: ['负责销售', '所属销售', '销售'], width: 10 },
  { key: 'ownerPhone', header: '负责人手机', aliases: ['负责人电话', '负责人手机号'], width: 14 },
  { key: 'grade', header: '客户等级', aliases: ['等级', '客户分级'], width: 8 },
  { key: 'province', header: '省份', aliases: ['省'], width: 8 },
  { key: 'city', header: '城市', aliases: ['市'], width: 8 },
  { key: 'address', header: '地址', aliases: ['详细地址'], width: 30 },
  { key: 'contactName', header: '联系人', aliases: ['联系人姓名'], width: 10 },
  { key: 'contactPhone', header: '联系电话', aliases: ['电话', '手机', '联系人电话'], width: 14 },
  { key: 'hospitalLevel', header: '医院等级', aliases: ['医院级别'], width: 10 },
  { key: 'departmentActivity', header: '科室活跃度', aliases: ['活跃度'], width: 10 },
  { key: 'lastFollowUpAt', header: '最近跟进时间', aliases: ['最后跟进时间', '上次跟进时间', '最近跟进'], width: 18 },
  { key: 'notes', header: '备注', aliases: [], width: 30 },
];

const HEADER_LOOKUP = new Map<string, ColumnDef>();
for (const col of CUSTOMER_COLUMNS) for (const name of [col.header, ...col.aliases]) HEADER_LOOKUP.set(name, col);
const normalizeHeader = (text: string) => text.normalize('NFKC').replace(/[\s*＊:：]/g, '');

export interface ImportRowError {
  row: number;
  column: string | null;
  message: string;
}

export interface ImportReport {
  total: number;
  valid: number;
  invalidRows: number;
  errors: ImportRowError[];
  ignoredColumns: string[];
  /** the first rows as they will be stored, for the preview screen */
  sample: { row: number; name: string; industry: string; stage: string; owner: string }[];
}

interface ParsedRow {
  row: number;
  input: CustomerCreateInput;
  ownerId: number;
  lastFollowUpAt: Date | null;
}

/** 9999-12-31 23:59:59, the last wall clock a DATETIME column holds. */
const LAST_WALL_CLOCK_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('').trim();
    if ('text' in value && typeof value.text === 'string') return value.text.trim();
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('error' in value) return '';
    return '';
  }
  return String(value).trim();
}

export class CustomerExcel {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
    private readonly customers: CustomerService,
  ) {}

  /** What the import routes take (http/upload.ts). */
  get upload(): FileUploadOptions {
    return { what: 'Excel 文件', maxBytes: this.policy.import.maxFileMegabytes * 1024 * 1024 };
  }

  /**
   * Our own reader, in a worker thread (xlsx-reader.ts, through readImportSheet): it counts unzipped bytes as
   * they stream and bounds every cell, so a small file that unzips to gigabytes or holds a cell of millions of
   * runs is refused in well under a second, and the event loop keeps answering meanwhile.
   */
  private readSheet(file: Buffer) {
    const maxRows = this.policy.import.maxRows;
    return readImportSheet(file, {
      columnOf: (text) => HEADER_LOOKUP.get(normalizeHeader(text)), maxRows, maxInflatedBytes: this.policy.import.maxInflatedMegabytes * 1024 * 1024,
      refuse: (message, fields) => customerError('IMPORT_INVALID', { message, ...(fields ? { fields } : {}) }),
      missingHeaders: (seen) => {
        const missing = CUSTOMER_COLUMNS.filter((c) => c.required && !seen.has(c.key)).map((c) => c.header);
        return missing.length
          ? { message: `表头缺少必填列：${missing.join('、')}（第一行须为表头，可下载模板参考）`, fields: { headers: `缺少：${missing.join('、')}；可识别的表头：${CUSTOMER_COLUMNS.map((c) => c.header).join('、')}` } }
          : null;
      },
      tooManyRows: `一次最多导入 ${maxRows} 行，请拆分文件`,
      empty: '表格是空的：第一行须为表头（客户名称、所属行业 …）',
      yieldEvery: 2000,
    });
  }

  /** Every problem of every row, found without writing anything. */
  private async check(caller: Member, file: Buffer): Promise<{ report: ImportReport; parsed: ParsedRow[] }> {
    const { ignored, rows } = await this.readSheet(file);
    const scope = await this.org.scopeOf(caller, 'customers.import');
    const owners = await this.ownerLookup(caller, scope);
    const stageByText = new Map<string, StageCode>();
    for (const s of this.policy.stages) {
      stageByText.set(s.label, s.code);
      stageByText.set(s.code, s.code);
    }
    const errors: ImportRowError[] = [];
    const parsed: ParsedRow[] = [];
    const firstRowOfName = new Map<string, number>();
    const taken = await this.customers.nameTaken(rows.map((r) => cellText(r.cells.get('name') ?? '')).filter(Boolean));
    const now = this.clock.now();
    const header = (key: ColumnKey) => CUSTOMER_COLUMNS.find((c) => c.key === key)!.header;

    for (const [index, { row, cells }] of rows.entries()) {
      // 20 000 rows of validation take seconds on a busy server: let other requests (and /healthz) in.
      if (index % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
      const rowErrors: ImportRowError[] = [];
      const text = (key: ColumnKey) => cellText(cells.get(key) ?? '');
      const stageText = text('stage');
      const stage = stageText ? stageByText.get(stageText) : 'lead';
      if (stageText && !stage) rowErrors.push({ row, column: header('stage'), message: `当前阶段「${stageText}」不是有效阶段，可选：${this.policy.stages.map((s) => s.label).join('、')}` });

      const candidate: Record<string, unknown> = { name: text('name'), industry: text('industry'), stage: stage ?? 'lead' };
      for (const key of ['grade', 'province', 'city', 'address', 'contactName', 'contactPhone', 'hospitalLevel', 'departmentActivity', 'notes'] as const) {
        const value = text(key);
        if (value) candidate[key] = value;
      }
      const result = validate(this.customers.schemas.create, candidate);
      if (!result.ok) {
        for (const [field, message] of Object.entries(result.fields)) {
          const col = CUSTOMER_COLUMNS.find((c) => c.key === field);
          rowErrors.push({ row, column: col?.header ?? null, message });
        }
      }

      const owner = owners.resolve(text('ownerPhone'), text('owner'));
      if ('error' in owner) rowErrors.push({ row, column: header('owner'), message: owner.error });

      let lastFollowUpAt: Date | null = null;
      const followCell = cells.get('lastFollowUpAt');
      if (followCell !== undefined) {
        const parsedDate = this.followUpDate(followCell, now);
        if ('error' in parsedDate) rowErrors.push({ row, column: header('lastFollowUpAt'), message: parsedDate.error });
        else lastFollowUpAt = parsedDate.at;
      }

      const name = text('name');
      if (name) {
        const key = customerNameKey(name);
        const earlier = firstRowOfName.get(key);
        if (earlier !== undefined) rowErrors.push({ row, column: header('name'), message: `客户「${name}」与第 ${earlier} 行重复` });
        else {
          firstRowOfName.set(key, row);
          if (taken.has(key)) rowErrors.push({ row, column: header('name'), message: `客户「${withoutInvisible(name)}」已存在，请联系主管分配` });
        }
      }

      if (rowErrors.length) errors.push(...rowErrors);
      else if (result.ok && 'id' in owner) parsed.push({ row, input: result.data, ownerId: owner.id, lastFollowUpAt });
    }

    const labelOf = new Map(this.policy.stages.map((s) => [s.code, s.label]));
    return {
      parsed,
      report: {
        total: rows.length,
        valid: parsed.length,
        invalidRows: new Set(errors.map((e) => e.row)).size,
        errors,
        ignoredColumns: ignored,
        sample: parsed.slice(0, 20).map((p) => ({
          row: p.row,
          name: p.input.name,
          industry: p.input.industry,
          stage: labelOf.get(p.input.stage as StageCode) ?? p.input.stage,
          owner: owners.nameOf(p.ownerId),
        })),
      },
    };
  }

  /**
   * 最近跟进时间 as an instant, or why not. Bounded to [import.earliestFollowUpDate, now]: a year 0099,
   * 1900 or serial −30 000 000 is a typo, and MySQL's DATETIME cannot hold what JavaScript can.
   */
  private followUpDate(value: ExcelJS.CellValue, now: Date): { at: Date } | { error: string } {
    const wall = this.wallClockOf(value);
    if (!wall) return { error: '最近跟进时间不是有效日期（例如 2026-05-01 14:30）' };
    const earliest = this.policy.import.earliestFollowUpDate;
    if (wall.getTime() < Date.parse(`${earliest}T00:00:00Z`)) return { error: `最近跟进时间不能早于 ${earliest}` };
    // Past year 9999 the time zone arithmetic has nothing to stand on; it is in the future anyway.
    if (wall.getTime() > LAST_WALL_CLOCK_MS) return { error: '最近跟进时间不能晚于现在' };
    const at = wallClockToInstant(wall, this.policy.timeZone);
    if (Number.isNaN(at.getTime())) return { error: '最近跟进时间不是有效日期（例如 2026-05-01 14:30）' };
    if (at.getTime() > now.getTime()) return { error: '最近跟进时间不能晚于现在' };
    return { at };
  }

  /** The wall-clock reading of a date cell or of date text, carried in a Date's UTC fields. */
  private wallClockOf(value: ExcelJS.CellValue): Date | null {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
    const text = cellText(value);
    const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?$/.exec(text);
    if (!m) return null;
    const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1).map((x) => (x === undefined ? undefined : Number(x))) as number[];
    if (hour > 23 || minute > 59 || second > 59) return null;
    // setUTCFullYear, not Date.UTC: Date.UTC reads year 0099 as 1999.
    const wall = new Date(0);
    wall.setUTCFullYear(year!, month! - 1, day!);
    wall.setUTCHours(hour, minute, second, 0);
    if (wall.getUTCFullYear() !== year || wall.getUTCMonth() !== month! - 1 || wall.getUTCDate() !== day) return null;
    return wall;
  }

  /** Resolves the 负责人 columns (phone first, then name) among owners the caller may assign. */
  private async ownerLookup(caller: Member, scope: Scope) {
    const candidates = (await this.org.listMembers(caller)).filter((m) => CUSTOMER_OWNER_ROLES.includes(m.role) && scopeIncludes(scope, m.id) && (scopeRuleOf(caller.role, 'customers.import') !== 'own' || m.id === caller.id));
    const byPhone = new Map(candidates.map((m) => [m.phone, m]));
    const byName = new Map<string, Member[]>();
    for (const m of candidates) byName.set(m.name, [...(byName.get(m.name) ?? []), m]);
    const names = new Map(candidates.map((m) => [m.id, m.name]));
    const selfOwns = CUSTOMER_OWNER_ROLES.includes(caller.role);
    return {
      nameOf: (id: number) => names.get(id) ?? '',
      resolve(phone: string, name: string): { id: number } | { error: string } {
        if (phone) {
          const m = byPhone.get(phone);
          return m ? { id: m.id } : { error: `负责人手机「${phone}」不是你可指派的成员` };
        }
        if (name) {
          const found = byName.get(name) ?? [];
          if (found.length === 1) return { id: found[0]!.id };
          if (found.length > 1) return { error: `负责人「${name}」有重名，请填写负责人手机` };
          return { error: `负责人「${name}」不是你可指派的成员` };
        }
        return selfOwns ? { id: caller.id } : { error: '请填写负责人' };
      },
    };
  }

  async preview(caller: Member, file: Buffer): Promise<ImportReport> {
    return (await this.check(caller, file)).report;
  }

  /** All rows or none: any bad row refuses the whole file. */
  async commit(caller: Member, file: Buffer): Promise<{ imported: number }> {
    const { report, parsed } = await this.check(caller, file);
    if (report.errors.length) {
      const fields: Record<string, string> = {};
      for (const e of report.errors) fields[`第${e.row}行`] = fields[`第${e.row}行`] ? `${fields[`第${e.row}行`]}; ${e.message}` : e.message;
      throw customerError('IMPORT_INVALID', { message: `导入失败：${report.invalidRows} 行有问题，未导入任何数据`, fields });
    }
    if (parsed.length === 0) throw customerError('IMPORT_INVALID', { message: '表格里没有数据行' });
    const now = this.clock.now();
    try {
      await withTransaction(this.db, async (manager) => {
        for (let i = 0; i < parsed.length; i += 500) {
          const chunk = parsed.slice(i, i + 500);
          await manager
            .createQueryBuilder()
            .insert()
            .into(Customer)
            .values(chunk.map((p) => this.customers.newCustomer(p.input, p.ownerId, caller.id, now, p.lastFollowUpAt)))
            .updateEntity(false)
            .execute();
          const ids = await manager
            .getRepository(Customer)
            .createQueryBuilder('c')
            .select(['c.id', 'c.stage'])
            .where('c.nameKey IN (:...keys)', { keys: chunk.map((p) => customerNameKey(p.input.name)) })
            .getMany();
          await this.customers.startLeadClocks(manager, ids.filter((c) => c.stage === 'lead').map((c) => c.id), now);
          await indexCustomers(manager, ids.map((c) => c.id), { fresh: true });
          await manager
            .createQueryBuilder()
            .insert()
            .into(CustomerStageChange)
            .values(ids.map((c) => ({ customerId: c.id, fromStage: null, toStage: c.stage, changedById: caller.id, changedAt: now })))
            .updateEntity(false)
            .execute();
        }
      });
    } catch (error) {
      // Someone created one of these customers between the check and the insert.
      if (isDuplicateKeyError(error)) throw duplicateCustomer();
      throw error;
    }
    return { imported: parsed.length };
  }

  /** Streams the caller's customers (with the list filters) as .xlsx, in the import layout. */
  private startSheet() {
    const out = new PassThrough();
    const workbook = new (excel().stream.xlsx.WorkbookWriter)({ stream: out, useSharedStrings: false, useStyles: true });
    const sheet = workbook.addWorksheet('客户');
    sheet.columns = CUSTOMER_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width }));
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(1).commit();
    return { out, workbook, sheet };
  }

  /** The import layout with headers only. */
  template(): PassThrough {
    const { out, workbook, sheet } = this.startSheet();
    sheet.commit();
    workbook.commit().catch((error: Error) => out.destroy(error));
    return out;
  }

  async export(caller: Member, query: Parameters<CustomerService['filtered']>[1]): Promise<PassThrough> {
    const scope = await this.org.scopeOf(caller, 'customers.export');
    const { out, workbook, sheet } = this.startSheet();
    const tz = this.policy.timeZone;
    const write = async () => {
      let lastId = 0;
      for (;;) {
        const batch = await this.customers.filtered(scope, query).andWhere('c.id > :lastId', { lastId }).orderBy('c.id', 'ASC').take(1000).getMany();
        if (batch.length === 0) break;
        const owners = await this.org.membersByIds(batch.map((c) => c.ownerId));
        for (const c of batch) {
          const owner = owners.get(c.ownerId);
          // Every text goes in as a plain string cell (never a formula, whatever its first character)
          // and without characters XML cannot hold, so the file always opens.
          const t = (value: string | null | undefined) => stripXmlUnsafe(value ?? '');
          const row = sheet.addRow({
            name: t(c.name),
            industry: t(c.industry),
            stage: t(this.customers.stageLabel(c.stage)),
            owner: t(owner?.name),
            ownerPhone: t(owner?.phone),
            grade: t(c.grade),
            province: t(c.province),
            city: t(c.city),
            address: t(c.address),
            contactName: t(c.contactName),
            contactPhone: t(c.contactPhone),
            hospitalLevel: t(c.hospitalLevel),
            departmentActivity: t(c.departmentActivity),
            lastFollowUpAt: c.lastFollowUpAt ? instantToWallClock(c.lastFollowUpAt, tz) : '',
            notes: t(c.notes),
          });
          row.getCell('lastFollowUpAt').numFmt = 'yyyy-mm-dd hh:mm';
          row.commit();
        }
        lastId = batch[batch.length - 1]!.id;
      }
      sheet.commit();
      await workbook.commit();
    };
    write().catch((error) => out.destroy(error as Error));
    return out;
  }
}
