import { PassThrough } from 'node:stream';
import { excel } from '../../excel';
import { ANY, ANY_LABEL, formatPercentBp, percentToBp, rebateRuleInputSchema, validate, yuanToFen, type RebateRuleInput, type RebateRuleView, type RuleProblem } from '@anchor/shared';
import type { Policy } from '../../config/policy';
import type { FileUploadOptions } from '../../http/upload';
import { headerMatcher, readImportSheet, type XlsxCell } from '../customers';
import type { Member } from '../org';
import { problemFields, type RebateRules } from './rebate-rules.service';
import { rebateError } from './rebates.errors';

/**
 * The rule table as an .xlsx: export of a version (it re-imports as is), and import with a preview that
 * names each bad row and column, then a commit that saves the whole sheet as a new version or nothing.
 * Amounts in yuan (金额上限 blank: no upper bound), rates in % (3.5 or 3.5%), 不限 or blank for an open key part,
 * documents separated by 、 or commas.
 */

type Key = keyof RebateRuleInput;
interface ColumnDef {
  key: Key;
  header: string;
  aliases: string[];
  width: number;
}

export const REBATE_COLUMNS: ColumnDef[] = [
  { key: 'grade', header: '客户等级', aliases: ['等级', '客户分级'], width: 10 },
  { key: 'customerType', header: '客户类型', aliases: ['所属行业', '行业', '客户行业'], width: 14 },
  { key: 'productModel', header: '产品型号', aliases: ['型号', '产品'], width: 16 },
  { key: 'deliveryCycle', header: '交付周期', aliases: ['交货周期', '账期'], width: 10 },
  { key: 'minFen', header: '金额下限（元）', aliases: ['金额下限', '订单金额下限', '起始金额'], width: 16 },
  { key: 'maxFen', header: '金额上限（元）', aliases: ['金额上限', '订单金额上限', '截止金额'], width: 16 },
  { key: 'rateMinBp', header: '返点下限（%）', aliases: ['返点下限', '最低返点', '返点比例下限'], width: 14 },
  { key: 'rateMaxBp', header: '返点上限（%）', aliases: ['返点上限', '最高返点', '返点比例上限'], width: 14 },
  { key: 'documents', header: '所需单据', aliases: ['单据', '所需资料', '资料'], width: 30 },
  { key: 'payoutDelayDays', header: '打款周期（工作日）', aliases: ['打款周期', '打款天数', '打款工作日'], width: 18 },
];
// built on first use: the customers module may still be loading when this file is (an import cycle through the platform)
let matcher: ((text: string) => ColumnDef | undefined) | null = null;
const columnOf = (text: string) => (matcher ??= headerMatcher(REBATE_COLUMNS))(text);
const headerOf = (key: Key) => REBATE_COLUMNS.find((c) => c.key === key)!.header;
const REQUIRED: Key[] = ['minFen', 'rateMinBp', 'rateMaxBp', 'payoutDelayDays'];

const cellText = (value: XlsxCell | undefined): string => (value === undefined ? '' : value instanceof Date ? value.toISOString().slice(0, 10) : String(value).normalize('NFKC').trim());

export interface RebateImportReport {
  total: number;
  valid: number;
  invalidRows: number;
  errors: RuleProblem[];
  ignoredColumns: string[];
  rules: Array<RebateRuleInput & { row: number }>;
}

export class RebateSheet {
  constructor(
    private readonly policy: Policy,
    private readonly rules: RebateRules,
  ) {}

  get upload(): FileUploadOptions {
    return { what: 'Excel 文件', maxBytes: this.policy.import.maxFileMegabytes * 1024 * 1024 };
  }

  /** A version's table (or an empty one: the template), with a second sheet of the choices each column takes. */
  export(rules: readonly RebateRuleView[]): PassThrough {
    const out = new PassThrough();
    const workbook = new (excel().stream.xlsx.WorkbookWriter)({ stream: out, useSharedStrings: false, useStyles: true });
    const sheet = workbook.addWorksheet('返点政策');
    sheet.columns = REBATE_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width }));
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(1).commit();
    const yuan = (fen: number) => fen / 100;
    const percent = (bp: number) => Number(formatPercentBp(bp).replace('%', ''));
    for (const r of rules) {
      sheet.addRow({
        grade: r.grade || ANY_LABEL, customerType: r.customerType || ANY_LABEL, productModel: r.productModel || ANY_LABEL, deliveryCycle: r.deliveryCycle || ANY_LABEL,
        minFen: yuan(r.minFen), maxFen: r.maxFen === null ? '' : yuan(r.maxFen), rateMinBp: percent(r.rateMinBp), rateMaxBp: percent(r.rateMaxBp),
        documents: r.documents.join('、'), payoutDelayDays: r.payoutDelayDays,
      }).commit();
    }
    sheet.commit();
    const choices = this.rules.choices();
    const help = workbook.addWorksheet('填写说明');
    help.columns = [{ header: '填写说明', key: 'text', width: 100 }];
    for (const text of [
      `客户等级：${choices.grades.join('、')}，或「${ANY_LABEL}」（留空同）。`,
      `客户类型（客户的所属行业）：${choices.customerTypes.join('、')}，或「${ANY_LABEL}」。`,
      `产品型号：${choices.productModels.join('、')}（与合同的产品型号是同一张表），或「${ANY_LABEL}」。交付周期：${choices.deliveryCycles.join('、')}，或「${ANY_LABEL}」。`,
      '金额下限、金额上限：订单金额（元），含下限、不含上限；金额上限留空表示不设上限。同一组客户等级、客户类型、产品型号、交付周期的各行金额区间须首尾相接，不能重叠，也不能留空档。',
      '返点下限、返点上限：百分比，如 3 或 3.5%。',
      `所需单据：${choices.documentTypes.join('、')}，多项用顿号或逗号分隔。打款周期：审核通过后的工作日数（按打卡日历，节假日不计）。`,
      '导入后整张表保存为一个新版本，自选定的生效日期起使用；任何一行有问题，整个文件都不会导入。',
    ]) help.addRow({ text }).commit();
    help.commit();
    workbook.commit().catch((error: Error) => out.destroy(error));
    return out;
  }

  private readRows(file: Buffer) {
    const maxRows = 2000;
    const tooMany = `一个版本最多 ${maxRows} 条规则，请精简`;
    return readImportSheet(file, {
      columnOf, maxRows, maxInflatedBytes: this.policy.import.maxInflatedMegabytes * 1024 * 1024,
      refuse: (message, fields) => rebateError('REBATE_IMPORT_INVALID', { message, ...(fields ? { fields } : {}) }),
      missingHeaders: (seen) => {
        const missing = REQUIRED.filter((k) => !seen.has(k)).map(headerOf);
        return missing.length
          ? { message: `表头缺少：${missing.join('、')}（第一行须为表头，可先导出当前规则表作为模板）`, fields: { headers: `可识别的表头：${REBATE_COLUMNS.map((c) => c.header).join('、')}` } }
          : null;
      },
      tooManyRows: tooMany,
      empty: `表格是空的：第一行须为表头（${REBATE_COLUMNS.map((c) => c.header).join('、')}）`,
    });
  }

  /** Every problem of every row (cell values, then the table's bands per key), writing nothing. */
  async preview(file: Buffer): Promise<RebateImportReport> {
    const { ignored, rows } = await this.readRows(file);
    const errors: RuleProblem[] = [];
    const parsed: Array<RebateRuleInput & { row: number }> = [];
    for (const { row, cells } of rows) {
      const rowErrors: RuleProblem[] = [];
      const text = (key: Key) => cellText(cells.get(key));
      const keyPart = (key: Key) => (text(key) === ANY_LABEL ? ANY : text(key));
      const amount = (key: 'minFen' | 'maxFen'): number | null | undefined => {
        const cell = cells.get(key);
        if (cell === undefined) return key === 'maxFen' ? null : (rowErrors.push({ row, column: headerOf(key), message: `请填写${headerOf(key)}` }), undefined);
        const fen = typeof cell === 'number' || typeof cell === 'string' ? yuanToFen(String(cell)) : null;
        if (fen === null) rowErrors.push({ row, column: headerOf(key), message: `${headerOf(key)}「${cellText(cell).slice(0, 20)}」不是有效金额（元，最多两位小数）` });
        return fen ?? undefined;
      };
      const rate = (key: 'rateMinBp' | 'rateMaxBp'): number | undefined => {
        const cell = cells.get(key);
        if (cell === undefined) return void rowErrors.push({ row, column: headerOf(key), message: `请填写${headerOf(key)}` });
        const bp = percentToBp(cellText(cell));
        if (bp === null) rowErrors.push({ row, column: headerOf(key), message: `${headerOf(key)}「${cellText(cell).slice(0, 20)}」不是 0–100 之间的百分比（如 3 或 3.5%）` });
        return bp ?? undefined;
      };
      const days = (): number | undefined => {
        const t = text('payoutDelayDays');
        if (!t) return void rowErrors.push({ row, column: headerOf('payoutDelayDays'), message: `请填写${headerOf('payoutDelayDays')}` });
        if (!/^\d{1,3}$/.test(t)) return void rowErrors.push({ row, column: headerOf('payoutDelayDays'), message: `${headerOf('payoutDelayDays')}「${t.slice(0, 20)}」须为 0–365 的整数` });
        return Number(t);
      };
      const candidate = {
        grade: keyPart('grade'), customerType: keyPart('customerType'), productModel: keyPart('productModel'), deliveryCycle: keyPart('deliveryCycle'),
        minFen: amount('minFen'), maxFen: amount('maxFen'), rateMinBp: rate('rateMinBp'), rateMaxBp: rate('rateMaxBp'),
        documents: text('documents') ? text('documents').split(/[、,，;；/\s]+/).filter(Boolean) : [], payoutDelayDays: days(),
      };
      if (rowErrors.length === 0) {
        const checked = validate(rebateRuleInputSchema, candidate);
        if (!checked.ok) for (const [field, message] of Object.entries(checked.fields)) rowErrors.push({ row, column: headerOf(field.split('.')[0] as Key) ?? null, message });
        else parsed.push({ ...checked.data, row });
      }
      errors.push(...rowErrors);
    }
    // the table's own checks (lists, bands per key) over the rows that read, numbered as in the sheet
    if (errors.length === 0) errors.push(...this.rules.check(parsed, parsed.map((p) => p.row)));
    const bad = new Set(errors.map((e) => e.row));
    return { total: rows.length, valid: parsed.filter((p) => !bad.has(p.row)).length, invalidRows: bad.size, errors: errors.sort((a, b) => a.row - b.row), ignoredColumns: ignored, rules: parsed };
  }

  /** The whole sheet as a new version from `effectiveFrom`, or nothing (any bad row refuses the file, naming the rows). */
  async commit(caller: Member, file: Buffer, effectiveFrom: string, note: string) {
    const report = await this.preview(file);
    if (report.errors.length) {
      throw rebateError('REBATE_IMPORT_INVALID', { message: `导入失败：${report.invalidRows} 行有问题，未导入任何规则`, fields: problemFields(report.errors) });
    }
    if (report.rules.length === 0) throw rebateError('REBATE_IMPORT_INVALID', { message: '表格里没有规则行' });
    return this.rules.saveVersion(caller, { effectiveFrom, note, rules: report.rules.map(({ row: _row, ...rule }) => rule) }, report.rules.map((r) => r.row));
  }
}
