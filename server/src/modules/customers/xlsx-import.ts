import { httpError } from '../../http/errors';
import { readFirstSheetOffThread } from './xlsx-off-thread';
import { XlsxRefusal, type XlsxCell, type XlsxSheet } from './xlsx-reader';

const XLSX_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

export interface ImportColumn<K extends string> {
  key: K;
  header: string;
}

export interface ImportSheetOptions<K extends string, C extends ImportColumn<K>> {
  /** the column a header cell names (headerMatcher), or undefined: the cell is listed as ignored */
  columnOf: (text: string) => C | undefined;
  maxRows: number;
  maxInflatedBytes: number;
  /** the module's own 422 for a sheet it refuses (GRADING_IMPORT_INVALID, REBATE_IMPORT_INVALID …) */
  refuse: (message: string, fields?: Record<string, string>) => Error;
  /** what the header row lacks, given the keys it names: the refusal's message and fields, or null when enough */
  missingHeaders: (seen: ReadonlySet<K>) => { message: string; fields?: Record<string, string> } | null;
  /** the refusal when the sheet holds more than maxRows rows */
  tooManyRows: string;
  /** the refusal when the sheet has no header row */
  empty: string;
  /** let other requests run every this many rows (a 10 000-row customer import) */
  yieldEvery?: number;
}

export interface ImportSheet<K extends string, C> {
  headers: Map<number, C>;
  /** header cells no column takes */
  ignored: string[];
  /** the data rows (the sheet's row numbers), their non-blank cells by column; blank rows skipped */
  rows: Array<{ row: number; cells: Map<K, XlsxCell> }>;
}

const blank = (value: XlsxCell | undefined) => value === undefined || (!(value instanceof Date) && String(value).trim() === '');

/**
 * The first sheet of an uploaded .xlsx read as an import: not an .xlsx (or an old .xls) 415, too big 413
 * (the hardened reader in a worker thread: unzipped bytes and cells bounded), else the module's 422; the first
 * non-blank row is the header (each cell matched to a column, a column named twice refused, what is missing
 * named), then every non-blank row's cells by column. The grading input sheet and the rebate rule table read
 * their files through it, as does the customer import.
 */
export async function readImportSheet<C extends ImportColumn<string>>(file: Buffer, o: ImportSheetOptions<C['key'], C>): Promise<ImportSheet<C['key'], C>> {
  type K = C['key'];
  if (file.subarray(0, 4).equals(OLE_MAGIC)) throw httpError('UNSUPPORTED_MEDIA_TYPE', { message: '这是旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入' });
  if (!file.subarray(0, 4).equals(XLSX_MAGIC)) throw httpError('UNSUPPORTED_MEDIA_TYPE', { message: '文件不是 Excel（.xlsx）格式' });
  let sheet: XlsxSheet;
  try {
    sheet = await readFirstSheetOffThread(file, { maxInflatedBytes: o.maxInflatedBytes, maxRows: o.maxRows });
  } catch (error) {
    if (!(error instanceof XlsxRefusal)) throw error;
    if (error.status === 413) throw httpError('PAYLOAD_TOO_LARGE', { message: error.message });
    if (error.status === 415) throw httpError('UNSUPPORTED_MEDIA_TYPE', { message: error.message });
    throw o.refuse(error.message);
  }
  const headers = new Map<number, C>();
  const ignored: string[] = [];
  const rows: ImportSheet<K, C>['rows'] = [];
  let sawHeader = false;
  for (const [index, { row, values }] of sheet.rows.entries()) {
    if (o.yieldEvery && index % o.yieldEvery === o.yieldEvery - 1) await new Promise((resolve) => setImmediate(resolve));
    if (values.every((v) => blank(v))) continue;
    if (!sawHeader) {
      sawHeader = true;
      const seen = new Set<K>();
      values.forEach((value, index) => {
        if (blank(value)) return;
        const text = value instanceof Date ? value.toISOString() : String(value).trim();
        const col = o.columnOf(text);
        if (!col) return void ignored.push(text);
        if (seen.has(col.key)) throw o.refuse(`表头「${col.header}」出现了两次`);
        seen.add(col.key);
        headers.set(index, col);
      });
      const missing = o.missingHeaders(seen);
      if (missing) throw o.refuse(missing.message, missing.fields);
      continue;
    }
    const cells = new Map<K, XlsxCell>();
    for (const [index, col] of headers) {
      const value = values[index];
      if (!blank(value)) cells.set(col.key, value!);
    }
    if (cells.size === 0) continue;
    rows.push({ row, cells });
    if (rows.length > o.maxRows) throw o.refuse(o.tooManyRows);
  }
  if (sheet.truncated) throw o.refuse(o.tooManyRows);
  if (!sawHeader) throw o.refuse(o.empty);
  return { headers, ignored, rows };
}
