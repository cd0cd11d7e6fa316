import { PassThrough } from 'node:stream';
import { excel } from '../../excel';
import type { DataSource } from 'typeorm';
import { customerNameKey, withoutInvisible } from '@anchor/shared';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { withSqlTransaction, type Sql } from '../../db/sql';
import type { FileUploadOptions } from '../../http/upload';
import { customersForInputSheet, headerMatcher, readImportSheet, setGradingInputsStatement, type GradingInputs, type XlsxCell } from '../customers';
import { scopeIncludes, type Member, type OrgService } from '../org';
import { gradingError } from './grading.errors';
import { regradeCustomers, type PaymentRates } from './grading-regrade-ids';
import type { GradeStrategies } from './grading.strategies';

/**
 * The grading input sheet (README "Customer grading"): inputs that come from other systems — 库存消耗速度
 * and 竞品渗透率 — for many customers at once, matched by 客户编号 or 客户名称, checked row by row
 * (preview), then written all or nothing and the customers named regraded (reason `import`), in one
 * transaction. A blank cell leaves that input as it is; 「清空」 removes it (it then grades as missing).
 * Who may: whoever may import customers (`customers.import`), for the customers in that reach.
 */

type Key = 'id' | 'name' | 'inventoryConsumptionSpeed' | 'competitorPenetration';
type InputKey = 'inventoryConsumptionSpeed' | 'competitorPenetration';
interface ColumnDef {
  key: Key;
  header: string;
  aliases: string[];
  width: number;
}

export const GRADING_INPUT_COLUMNS: ColumnDef[] = [
  { key: 'id', header: '客户编号', aliases: ['客户ID', '客户id', 'ID', 'id', '编号'], width: 10 },
  { key: 'name', header: '客户名称', aliases: ['客户名', '医院名称', '名称', '客户'], width: 28 },
  { key: 'inventoryConsumptionSpeed', header: '库存消耗速度', aliases: ['库存消耗'], width: 16 },
  { key: 'competitorPenetration', header: '竞品渗透率', aliases: ['竞品渗透'], width: 14 },
];
const INPUT_KEYS: InputKey[] = ['inventoryConsumptionSpeed', 'competitorPenetration'];
const headerOf = (key: Key) => GRADING_INPUT_COLUMNS.find((c) => c.key === key)!.header;
// 库存消耗速度（0–100）, 竞品渗透率 (%) and 客户名称* all read as the column they name: a note in brackets is not part of it
// built on first use: the customers module may still be loading when this file is (an import cycle through the platform)
let matcher: ((text: string) => ColumnDef | undefined) | null = null;
const headerOfText = (text: string) => (matcher ??= headerMatcher(GRADING_INPUT_COLUMNS))(text);

/** What a cell saying 「清空」 does: the input is removed (graded as missing, neutral). */
export const CLEAR_WORD = '清空';


/** Before → after of one input; `after` equals `before` when the cell was blank. */
interface Change {
  before: number | null;
  after: number | null;
}

export interface GradingInputsReport {
  total: number;
  valid: number;
  invalidRows: number;
  /** valid rows that change nothing (every input cell blank or the same value) */
  unchanged: number;
  errors: { row: number; column: string | null; message: string }[];
  ignoredColumns: string[];
  sample: { row: number; customerId: number; name: string; inventoryConsumptionSpeed: Change; competitorPenetration: Change }[];
}

interface ParsedRow {
  row: number;
  customerId: number;
  name: string;
  /** per input: a number to set, null to clear, undefined to keep */
  set: Partial<Record<InputKey, number | null>>;
  current: GradingInputs | null;
}

const cellText = (value: XlsxCell | undefined): string => (value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value).trim());

/** A 0–100 value from a cell, 「清空」, or why not. `percent`: 35% and 35 mean the same. */
function valueOf(cell: XlsxCell, label: string, percent: boolean): { value: number | null } | { error: string } {
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) return { error: `${label}不是数字` };
    return cell < 0 || cell > 100 ? { error: `${label}须在 0–100 之间（填写的是 ${cell}）` } : { value: cell };
  }
  if (typeof cell !== 'string') return { error: `${label}不是数字（填写的是${cell instanceof Date ? '日期' : '逻辑值 TRUE/FALSE'}，应填 0–100）` };
  const text = cell.normalize('NFKC').trim();
  if (text === CLEAR_WORD) return { value: null };
  const m = /^([+-]?\d+(?:\.\d+)?)\s*(%?)$/.exec(text.replace(/,/g, ''));
  if (!m || (m[2] && !percent)) return { error: `${label}「${cell.slice(0, 20)}」不是数字${percent ? '（填 0–100，如 35 或 35%）' : '（填 0–100）'}，或填「${CLEAR_WORD}」清除` };
  const n = Number(m[1]);
  return n < 0 || n > 100 ? { error: `${label}须在 0–100 之间（填写的是 ${text}）` } : { value: n };
}

export class GradingInputsSheet {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
    private readonly strategies: GradeStrategies,
    private readonly paymentRates: PaymentRates,
  ) {}

  /** What the upload routes take (http/upload.ts): the customer import's size limit. */
  get upload(): FileUploadOptions {
    return { what: 'Excel 文件', maxBytes: this.policy.import.maxFileMegabytes * 1024 * 1024 };
  }

  /** The layout with its headers, and a second sheet that says how to fill it. */
  template(): PassThrough {
    const out = new PassThrough();
    const workbook = new (excel().stream.xlsx.WorkbookWriter)({ stream: out, useSharedStrings: false, useStyles: true });
    const sheet = workbook.addWorksheet('分级数据');
    sheet.columns = GRADING_INPUT_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width }));
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(1).commit();
    sheet.commit();
    const help = workbook.addWorksheet('填写说明');
    help.columns = [{ header: '填写说明', key: 'text', width: 90 }];
    for (const text of [
      '客户编号（可选）或客户名称：按客户编号匹配；没有编号时按客户名称匹配（忽略空格、全角半角和大小写）。',
      '库存消耗速度：0–100 的指数，越高越好。',
      '竞品渗透率：0–100（百分比，35 与 35% 相同），越低越好。',
      `空白单元格：该项保持不变。填「${CLEAR_WORD}」：清除该项（分级时按缺失、中性分计）。`,
      '只能导入你可导入客户范围内的客户；任何一行有问题，整个文件都不会导入。导入后这些客户立即重新分级。',
    ]) help.addRow({ text }).commit();
    help.commit();
    workbook.commit().catch((error: Error) => out.destroy(error));
    return out;
  }

  private readSheet(file: Buffer) {
    const maxRows = this.policy.import.maxRows;
    return readImportSheet(file, {
      columnOf: headerOfText, maxRows, maxInflatedBytes: this.policy.import.maxInflatedMegabytes * 1024 * 1024,
      refuse: (message, fields) => gradingError('GRADING_IMPORT_INVALID', { message, ...(fields ? { fields } : {}) }),
      missingHeaders: (seen) => {
        const problems: string[] = [];
        if (!seen.has('id') && !seen.has('name')) problems.push('客户名称（或客户编号）');
        if (!INPUT_KEYS.some((k) => seen.has(k))) problems.push('库存消耗速度或竞品渗透率');
        return problems.length
          ? { message: `表头缺少：${problems.join('；')}（第一行须为表头，可下载模板参考）`, fields: { headers: `可识别的表头：${GRADING_INPUT_COLUMNS.map((c) => c.header).join('、')}` } }
          : null;
      },
      tooManyRows: `一次最多导入 ${maxRows} 行，请拆分文件`,
      empty: '表格是空的：第一行须为表头（客户名称、库存消耗速度、竞品渗透率）',
    });
  }

  /** Every problem of every row, found without writing anything. */
  private async check(caller: Member, file: Buffer): Promise<{ report: GradingInputsReport; parsed: ParsedRow[] }> {
    const { ignored, rows } = await this.readSheet(file);
    const scope = await this.org.scopeOf(caller, 'customers.import');
    const ids: number[] = [];
    const keys: string[] = [];
    const idText = (cells: Map<Key, XlsxCell>) => cellText(cells.get('id')).normalize('NFKC');
    for (const { cells } of rows) {
      const id = idText(cells);
      if (/^\d{1,9}$/.test(id)) ids.push(Number(id));
      const name = cellText(cells.get('name'));
      if (name) keys.push(customerNameKey(name));
    }
    const [byId, byKey] = await withSqlTransaction(this.db, async (sql) => [
      new Map((await customersForInputSheet(sql, 'id', [...new Set(ids)])).map((c) => [c.id, c])),
      new Map((await customersForInputSheet(sql, 'nameKey', [...new Set(keys)].filter(Boolean))).map((c) => [c.nameKey, c])),
    ]);

    const errors: GradingInputsReport['errors'] = [];
    const parsed: ParsedRow[] = [];
    const firstRowOf = new Map<number, number>();
    let unchanged = 0;
    for (const [index, { row, cells }] of rows.entries()) {
      if (index % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
      const rowErrors: GradingInputsReport['errors'] = [];
      const name = cellText(cells.get('name'));
      const id = idText(cells);
      let customer = null as (typeof byId extends Map<number, infer C> ? C : never) | null;
      if (id) {
        const found = /^\d{1,9}$/.test(id) ? byId.get(Number(id)) : undefined;
        if (!/^\d{1,9}$/.test(id)) rowErrors.push({ row, column: headerOf('id'), message: `客户编号「${id.slice(0, 20)}」不是有效编号（应为数字）` });
        else if (!found) rowErrors.push({ row, column: headerOf('id'), message: `客户编号 ${id} 不存在` });
        else if (!scopeIncludes(scope, found.ownerId)) rowErrors.push({ row, column: headerOf('id'), message: `客户编号 ${id} 不在你可导入的客户范围内` });
        else if (name && customerNameKey(name) !== found.nameKey) rowErrors.push({ row, column: headerOf('name'), message: `客户编号 ${id} 是「${found.name}」，与客户名称「${withoutInvisible(name)}」不符` });
        else customer = found;
      } else if (name) {
        const found = byKey.get(customerNameKey(name));
        if (!found) rowErrors.push({ row, column: headerOf('name'), message: `客户「${withoutInvisible(name)}」不存在（按客户名称匹配，忽略空格、全角半角和大小写）` });
        else if (!scopeIncludes(scope, found.ownerId)) rowErrors.push({ row, column: headerOf('name'), message: `客户「${withoutInvisible(name)}」不在你可导入的客户范围内` });
        else customer = found;
      } else {
        rowErrors.push({ row, column: headerOf('name'), message: '请填写客户名称或客户编号' });
      }
      if (customer) {
        const earlier = firstRowOf.get(customer.id);
        if (earlier !== undefined) rowErrors.push({ row, column: headerOf(id ? 'id' : 'name'), message: `客户「${customer.name}」与第 ${earlier} 行重复` });
        else firstRowOf.set(customer.id, row);
      }
      const set: ParsedRow['set'] = {};
      for (const key of INPUT_KEYS) {
        const cell = cells.get(key);
        if (cell === undefined) continue;
        const v = valueOf(cell, headerOf(key), key === 'competitorPenetration');
        if ('error' in v) rowErrors.push({ row, column: headerOf(key), message: v.error });
        else set[key] = v.value;
      }
      if (rowErrors.length) {
        errors.push(...rowErrors);
        continue;
      }
      const current = customer!.gradingInputs;
      if (INPUT_KEYS.every((k) => set[k] === undefined || set[k] === (current?.[k] ?? null))) unchanged++;
      parsed.push({ row, customerId: customer!.id, name: customer!.name, set, current });
    }
    const change = (p: ParsedRow, key: InputKey): Change => {
      const before = p.current?.[key] ?? null;
      return { before, after: p.set[key] === undefined ? before : p.set[key]! };
    };
    return {
      parsed,
      report: {
        total: rows.length,
        valid: parsed.length,
        invalidRows: new Set(errors.map((e) => e.row)).size,
        unchanged,
        errors,
        ignoredColumns: ignored,
        sample: parsed.slice(0, 50).map((p) => ({
          row: p.row,
          customerId: p.customerId,
          name: p.name,
          inventoryConsumptionSpeed: change(p, 'inventoryConsumptionSpeed'),
          competitorPenetration: change(p, 'competitorPenetration'),
        })),
      },
    };
  }

  async preview(caller: Member, file: Buffer): Promise<GradingInputsReport> {
    return (await this.check(caller, file)).report;
  }

  /**
   * All rows or none: any bad row refuses the whole file. The inputs are merged with what each customer
   * holds when the transaction reads it (a blank cell keeps the value of that moment), written with
   * one statement per 500 customers, and those customers regraded (reason `import`) in the same transaction.
   */
  async commit(caller: Member, file: Buffer): Promise<{ updated: number; regraded: number; gradeChanged: number }> {
    const { report, parsed } = await this.check(caller, file);
    if (report.errors.length) {
      const fields: Record<string, string> = {};
      for (const e of report.errors) fields[`第${e.row}行`] = fields[`第${e.row}行`] ? `${fields[`第${e.row}行`]}; ${e.message}` : e.message;
      throw gradingError('GRADING_IMPORT_INVALID', { message: `导入失败：${report.invalidRows} 行有问题，未导入任何数据`, fields });
    }
    if (parsed.length === 0) throw gradingError('GRADING_IMPORT_INVALID', { message: '表格里没有数据行' });
    const now = this.clock.now();
    return withSqlTransaction(this.db, async (sql: Sql) => {
      const ids = parsed.map((p) => p.customerId);
      const fresh = new Map((await customersForInputSheet(sql, 'id', ids)).map((c) => [c.id, c.gradingInputs]));
      const writes = parsed.map((p) => {
        const inputs: GradingInputs = { ...(fresh.get(p.customerId) ?? {}) };
        for (const key of INPUT_KEYS) {
          const v = p.set[key];
          if (v === null) delete inputs[key];
          else if (v !== undefined) inputs[key] = v;
        }
        return { id: p.customerId, inputs: Object.keys(inputs).length ? inputs : null };
      });
      for (let i = 0; i < writes.length; i += 500) await sql.batch([setGradingInputsStatement(writes.slice(i, i + 500), now)]);
      const { graded, changed } = await regradeCustomers(sql, ids, 'import', now, this.policy, this.strategies, this.paymentRates);
      return { updated: writes.length, regraded: graded, gradeChanged: changed.length };
    });
  }
}
