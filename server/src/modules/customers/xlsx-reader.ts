import { StringDecoder } from 'node:string_decoder';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

/**
 * The first worksheet of an .xlsx as rows of cell values, read with limits a hostile file cannot
 * talk its way past: unzipped bytes are counted as they stream (declared sizes are not trusted;
 * yauzl also checks each entry against its declared size), and no cell may hold more text or
 * formatting runs than Excel itself can save. It depends on nothing of the app, so it can run in a
 * worker thread (xlsx-worker.ts).
 */

export type XlsxCell = string | number | boolean | Date;

export interface XlsxRow {
  /** the Excel row number (1 = the first row) */
  row: number;
  /** index = Excel column number (1 = A), as exceljs's row.values */
  values: (XlsxCell | undefined)[];
}

export interface XlsxSheet {
  rows: XlsxRow[];
  /** more non-blank rows followed than `maxRows` + 1 */
  truncated: boolean;
}

export interface XlsxLimits {
  maxInflatedBytes: number;
  /** data rows the caller will take; reading stops after one more (the header is extra) */
  maxRows: number;
}

/** A file refused for what it is, with the status and the Chinese message the user sees. */
export class XlsxRefusal extends Error {
  constructor(
    readonly status: 413 | 415 | 422,
    message: string,
  ) {
    super(message);
    this.name = 'XlsxRefusal';
  }
}

/** Excel's own limits: 32 767 characters in a cell, 16 384 columns, 1 048 576 rows. */
export const MAX_CELL_CHARACTERS = 32767;
const MAX_RUNS_PER_CELL = 32767;
const MAX_COLUMN = 16384;
const MAX_ROW = 1048576;
/** A 20 000-row customer sheet has at most ~300 000 distinct texts; millions are not one. */
const MAX_SHARED_STRINGS = 1_000_000;
/** An .xlsx has a dozen parts; thousands of entries are not a spreadsheet. */
const MAX_ENTRIES = 2000;

const corrupt = () => new XlsxRefusal(415, '无法读取该 Excel 文件，文件可能已损坏或不是 .xlsx 格式');
const tooComplex = (what: string) => new XlsxRefusal(422, `Excel 文件中${what}，超出 Excel 本身能保存的范围，请检查文件后重新导出`);

// ---------------------------------------------------------------- unzip

function openZip(file: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(file, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false, decodeStrings: true }, (error, zip) => {
      if (error || !zip) reject(corrupt());
      else resolve(zip);
    });
  });
}

function listEntries(zip: ZipFile): Promise<Map<string, Entry>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, Entry>();
    zip.on('entry', (entry: Entry) => {
      if (entries.size >= MAX_ENTRIES) return reject(tooComplex(`的部件超过 ${MAX_ENTRIES} 个`));
      entries.set(entry.fileName.replace(/\\/g, '/').replace(/^\//, ''), entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', () => reject(corrupt()));
    zip.readEntry();
  });
}

/** Unzips the parts it is asked for, counting every inflated byte against one budget. */
class Inflater {
  private inflated = 0;

  constructor(
    private readonly zip: ZipFile,
    private readonly entries: Map<string, Entry>,
    private readonly maxBytes: number,
  ) {}

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /**
   * Unzips one part, handing its text to `onText` chunk by chunk as it inflates, so a parser can
   * refuse a hostile part before the rest of it is inflated. False if the part is absent.
   */
  async stream(name: string, onText: (text: string) => void): Promise<boolean> {
    const entry = this.entries.get(name);
    if (!entry) return false;
    if (entry.isEncrypted()) throw new XlsxRefusal(415, 'Excel 文件已加密，请取消密码保护后再导入');
    // The declared size can lie low (yauzl then stops at it) but a large one is refused at once.
    if (entry.uncompressedSize > this.maxBytes - this.inflated) throw this.tooLarge();
    const decoder = new StringDecoder('utf8');
    await new Promise<void>((resolve, reject) => {
      this.zip.openReadStream(entry, (error, stream) => {
        if (error || !stream) return reject(corrupt());
        let failed = false;
        const fail = (reason: unknown) => {
          if (failed) return;
          failed = true;
          stream.destroy();
          reject(reason);
        };
        stream.on('data', (chunk: Buffer) => {
          if (failed) return;
          this.inflated += chunk.length;
          if (this.inflated > this.maxBytes) return fail(this.tooLarge());
          try {
            onText(decoder.write(chunk));
          } catch (reason) {
            fail(reason);
          }
        });
        stream.once('error', () => fail(corrupt()));
        stream.once('end', () => {
          if (failed) return;
          try {
            onText(decoder.end());
            resolve();
          } catch (reason) {
            fail(reason);
          }
        });
      });
    });
    return true;
  }

  async text(name: string): Promise<string | null> {
    const parts: string[] = [];
    return (await this.stream(name, (text) => parts.push(text))) ? parts.join('') : null;
  }

  private tooLarge(): XlsxRefusal {
    const mb = Math.round(this.maxBytes / 1024 / 1024);
    return new XlsxRefusal(413, `Excel 文件解压后超过 ${mb} MB，不像是一份客户表格，已拒绝（请删除无关的工作表、图片后再导入）`);
  }
}

// ---------------------------------------------------------------- XML

type Attributes = Record<string, string>;
interface XmlHandler {
  open(name: string, attributes: Attributes, selfClosing: boolean): void;
  close(name: string): void;
  text(text: string): void;
}

// One token at a time, anchored (each scanner uses its own sticky copy): an element tag, a declaration or comment, CDATA, or text.
const TOKEN = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|([^<]+)/y;
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/**
 * A small XML scanner for the parts an .xlsx holds: no DTD (refused), no custom entities. It takes
 * the text in chunks as it unzips; a token cut by a chunk's end waits for the next chunk.
 */
class XmlScanner {
  private pending = '';
  private readonly token = new RegExp(TOKEN.source, 'y');

  constructor(private readonly handler: XmlHandler) {}

  push(text: string): void {
    this.pending += text;
    this.scan(false);
  }

  end(): void {
    this.scan(true);
    if (this.pending) throw corrupt();
  }

  private scan(final: boolean): void {
    const xml = this.pending;
    const token = this.token;
    token.lastIndex = 0;
    let consumed = 0;
    while (token.lastIndex < xml.length) {
      const at = token.lastIndex;
      const m = token.exec(xml);
      if (!m) {
        if (final) throw corrupt(); // a '<' that starts nothing XML knows (a DOCTYPE included)
        break; // or a tag the next chunk completes
      }
      if (m[6] !== undefined && token.lastIndex === xml.length && !final) break; // text may go on
      if (m[2] !== undefined) {
        const name = localName(m[2]);
        if (m[1]) this.handler.close(name);
        else {
          const attributes: Attributes = {};
          if (m[3]) for (const a of m[3].matchAll(ATTRIBUTE)) attributes[localName(a[1]!)] = decodeEntities(a[2] ?? a[3] ?? '');
          this.handler.open(name, attributes, m[4] === '/');
          if (m[4] === '/') this.handler.close(name);
        }
      } else if (m[5] !== undefined) this.handler.text(m[5]);
      else if (m[6] !== undefined) this.handler.text(decodeEntities(m[6]));
      if (token.lastIndex === at) throw corrupt();
      consumed = token.lastIndex;
    }
    this.pending = xml.slice(consumed);
  }
}

function scanXml(xml: string, handler: XmlHandler): void {
  const scanner = new XmlScanner(handler);
  scanner.push(xml);
  scanner.end();
}

/** Scans a part as it unzips; false if the part is absent. */
async function scanPart(unzip: Inflater, name: string, handler: XmlHandler): Promise<boolean> {
  const scanner = new XmlScanner(handler);
  const found = await unzip.stream(name, (text) => scanner.push(text));
  if (found) scanner.end();
  return found;
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|lt|gt|amp|quot|apos);/g, (_, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref]!;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (code > 0x10ffff) throw corrupt();
    return String.fromCodePoint(code);
  });
}

/** OOXML writes characters XML cannot carry as _xHHHH_ (_x005F_ is the underscore itself). */
const decodeOoxmlEscapes = (text: string) => (text.includes('_x') ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text);

/** Collects the text of a shared string or inline string: its <t>, or its runs' <t>, never the phonetic <rPh>. */
class RichText {
  private parts: string[] = [];
  private length = 0;
  private runs = 0;
  private inT = false;
  private inPhonetic = false;

  open(name: string): void {
    if (name === 'rPh') this.inPhonetic = true;
    else if (name === 't' && !this.inPhonetic) this.inT = true;
    else if (name === 'r' && ++this.runs > MAX_RUNS_PER_CELL) throw tooComplex(`有单元格的格式片段超过 ${MAX_RUNS_PER_CELL} 个`);
  }

  close(name: string): void {
    if (name === 'rPh') this.inPhonetic = false;
    else if (name === 't') this.inT = false;
  }

  text(text: string): void {
    if (!this.inT) return;
    this.length += text.length;
    if (this.length > MAX_CELL_CHARACTERS) throw tooComplex(`有单元格超过 ${MAX_CELL_CHARACTERS} 个字符`);
    this.parts.push(text);
  }

  take(): string {
    const value = decodeOoxmlEscapes(this.parts.join(''));
    this.parts = [];
    this.length = 0;
    this.runs = 0;
    return value;
  }
}

async function parseSharedStrings(unzip: Inflater, part: string, maxCount: number): Promise<string[]> {
  const strings: string[] = [];
  const rich = new RichText();
  let inSi = false;
  await scanPart(unzip, part, {
    open(name) {
      if (name === 'si') {
        inSi = true;
        if (strings.length >= maxCount) throw tooComplex(`的共享文本超过 ${maxCount} 条`);
      } else if (inSi) rich.open(name);
    },
    close(name) {
      if (name === 'si') {
        inSi = false;
        strings.push(rich.take());
      } else if (inSi) rich.close(name);
    },
    text(text) {
      if (inSi) rich.text(text);
    },
  });
  return strings;
}

// Built-in number formats that are dates or times: 14–22, 45–47, and the Chinese-locale 27–36, 50–58.
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);
/** exceljs's rule: date letters outside [colour/locale] blocks and quoted text. */
const isDateFormat = (code: string) => /[ymdhsb]/i.test(code.replace(/\[[^\]]*\]/g, '').replace(/"[^"]*"/g, ''));

/** Built-in number formats that show a percentage (0%, 0.00%). */
const BUILTIN_PERCENT_FORMATS = new Set([9, 10]);
const isPercentFormat = (code: string) => /%/.test(code.replace(/\[[^\]]*\]/g, '').replace(/"[^"]*"/g, '').replace(/\\./g, ''));

/** What a cell style's number format shows: a date, a percentage (35% is stored as 0.35), or a plain number. */
type StyleKind = 'date' | 'percent' | null;

/** For each cell style index (the s attribute), whether its number format shows a date or a percentage. */
function parseStyleKinds(xml: string | null): StyleKind[] {
  if (!xml) return [];
  const customFormats = new Map<number, string>();
  const kinds: StyleKind[] = [];
  let inCellXfs = false;
  scanXml(xml, {
    open(name, a) {
      if (name === 'numFmt') customFormats.set(Number(a.numFmtId), a.formatCode ?? '');
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) {
        const id = Number(a.numFmtId ?? 0);
        const custom = customFormats.get(id);
        const date = custom !== undefined ? isDateFormat(custom) : BUILTIN_DATE_FORMATS.has(id);
        const percent = custom !== undefined ? isPercentFormat(custom) : BUILTIN_PERCENT_FORMATS.has(id);
        kinds.push(date ? 'date' : percent ? 'percent' : null);
      }
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
    text() {},
  });
  return kinds;
}

/** Serial day → the wall clock it shows, in a Date's UTC fields (exceljs's arithmetic). */
function serialToDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 24 * 3600 * 1000));
}

function columnOf(ref: string | undefined, previous: number): number {
  if (!ref) return previous + 1;
  const letters = /^[A-Za-z]{1,3}/.exec(ref)?.[0];
  if (!letters) return previous + 1;
  let column = 0;
  for (const ch of letters.toUpperCase()) column = column * 26 + (ch.charCodeAt(0) - 64);
  return column;
}

const isBlank = (value: XlsxCell | undefined) => value === undefined || (typeof value === 'string' && value.trim() === '');

async function parseSheet(unzip: Inflater, part: string, shared: string[], styleKinds: StyleKind[], date1904: boolean, maxRows: number): Promise<XlsxSheet> {
  const rows: XlsxRow[] = [];
  let truncated = false;
  let rowNumber = 0;
  let values: (XlsxCell | undefined)[] = [];
  let column = 0;
  let cell: { type: string; style: number } | null = null;
  let raw: string[] = [];
  let rawLength = 0;
  let inV = false;
  let inInline = false;
  let inlineText: string | null = null;
  const rich = new RichText();

  const cellValue = (): XlsxCell | undefined => {
    const type = cell!.type;
    if (inlineText !== null) return inlineText;
    if (raw.length === 0) return undefined;
    const v = raw.join('');
    switch (type) {
      case 's': {
        const text = shared[Number(v)];
        if (text === undefined) throw corrupt();
        return text;
      }
      case 'str':
        return decodeOoxmlEscapes(v);
      case 'b':
        return v.trim() === '1' || v.trim() === 'true';
      case 'e':
        return undefined;
      case 'd': {
        const d = new Date(/Z|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
        return Number.isNaN(d.getTime()) ? v : d;
      }
      default: {
        const n = Number(v);
        if (v.trim() === '' || Number.isNaN(n)) return v;
        const kind = styleKinds[cell!.style];
        // A percentage reads as what the person sees (0.35 shown as 35% is the text 35%), not as 0.35.
        if (kind === 'percent') return `${Number((n * 100).toPrecision(12))}%`;
        return kind === 'date' ? serialToDate(n, date1904) : n;
      }
    }
  };

  // Parsing stops by throwing this once enough rows are in: nothing after them is needed.
  const done = new Error('enough rows');
  try {
    await scanPart(unzip, part, {
      open(name, a) {
        if (name === 'row') {
          rowNumber = a.r ? Number(a.r) : rowNumber + 1;
          if (!Number.isInteger(rowNumber) || rowNumber < 1 || rowNumber > MAX_ROW) throw corrupt();
          values = [];
          column = 0;
        } else if (name === 'c') {
          column = columnOf(a.r, column);
          if (column > MAX_COLUMN) throw tooComplex(`有超过 ${MAX_COLUMN} 列的行`);
          cell = { type: a.t ?? 'n', style: Number(a.s ?? 0) };
          raw = [];
          rawLength = 0;
          inlineText = null;
        } else if (cell) {
          if (name === 'v') inV = true;
          else if (name === 'is') inInline = true;
          else if (inInline) rich.open(name);
        }
      },
      close(name) {
        if (name === 'c' && cell) {
          const value = cellValue();
          if (value !== undefined) values[column] = value;
          cell = null;
        } else if (name === 'v') inV = false;
        else if (name === 'is') {
          inInline = false;
          inlineText = rich.take();
        } else if (inInline) rich.close(name);
        else if (name === 'row') {
          if (values.some((v) => !isBlank(v))) {
            if (rows.length > maxRows + 1) {
              truncated = true;
              throw done;
            }
            rows.push({ row: rowNumber, values });
          }
        }
      },
      text(text) {
        if (inV) {
          rawLength += text.length;
          if (rawLength > MAX_CELL_CHARACTERS) throw tooComplex(`有单元格超过 ${MAX_CELL_CHARACTERS} 个字符`);
          raw.push(text);
        } else if (inInline) rich.text(text);
      },
    });
  } catch (error) {
    if (error !== done) throw error;
  }
  return { rows, truncated };
}

// ---------------------------------------------------------------- the workbook

/** Resolves a relationship target against the folder of the part that names it. */
function resolvePart(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = base.split('/').slice(0, -1);
  for (const piece of target.split('/')) {
    if (piece === '..') parts.pop();
    else if (piece && piece !== '.') parts.push(piece);
  }
  return parts.join('/');
}

function parseRelationships(xml: string | null, base: string): { id: string; type: string; target: string }[] {
  const rels: { id: string; type: string; target: string }[] = [];
  if (!xml) return rels;
  scanXml(xml, {
    open(name, a) {
      if (name === 'Relationship' && a.Target && a.TargetMode !== 'External') rels.push({ id: a.Id ?? '', type: a.Type ?? '', target: resolvePart(base, a.Target) });
    },
    close() {},
    text() {},
  });
  return rels;
}

const relsOf = (part: string) => {
  const slash = part.lastIndexOf('/');
  return `${part.slice(0, slash + 1)}_rels/${part.slice(slash + 1)}.rels`;
};

export async function readFirstSheet(file: Buffer, limits: XlsxLimits): Promise<XlsxSheet> {
  const zip = await openZip(file);
  try {
    const entries = await listEntries(zip);
    const unzip = new Inflater(zip, entries, limits.maxInflatedBytes);

    const rootRels = parseRelationships(await unzip.text('_rels/.rels'), '');
    const workbookPart = rootRels.find((r) => r.type.endsWith('/officeDocument'))?.target ?? 'xl/workbook.xml';
    const workbookXml = await unzip.text(workbookPart);
    if (workbookXml === null) throw corrupt();
    let firstSheetRel: string | null = null;
    let date1904 = false;
    scanXml(workbookXml, {
      open(name, a) {
        if (name === 'sheet' && firstSheetRel === null) firstSheetRel = a.id ?? '';
        else if (name === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
      },
      close() {},
      text() {},
    });
    if (firstSheetRel === null) return { rows: [], truncated: false };

    const rels = parseRelationships(await unzip.text(relsOf(workbookPart)), workbookPart);
    const sheetPart = rels.find((r) => r.id === firstSheetRel)?.target;
    if (!sheetPart || !unzip.has(sheetPart)) throw corrupt();
    const sharedPart = rels.find((r) => r.type.endsWith('/sharedStrings'))?.target;
    const stylesPart = rels.find((r) => r.type.endsWith('/styles'))?.target;

    const shared = sharedPart ? await parseSharedStrings(unzip, sharedPart, MAX_SHARED_STRINGS) : [];
    const styleKinds = parseStyleKinds(stylesPart ? await unzip.text(stylesPart) : null);
    return await parseSheet(unzip, sheetPart, shared, styleKinds, date1904, limits.maxRows);
  } finally {
    zip.close();
  }
}

/**
 * Header matching for every import sheet (customers, grading inputs, the rebate table): a column is known by
 * its header or an alias, compared after NFKC, without spaces, required marks (*), colons, % and a note in
 * brackets — 「金额下限（元）」, 「竞品渗透率 (%)」 and 「客户名称*」 read as the column they name.
 */
export function headerMatcher<C extends { header: string; aliases: readonly string[] }>(columns: readonly C[]): (text: string) => C | undefined {
  const normalize = (text: string) => text.normalize('NFKC').replace(/\([^)]*\)/g, '').replace(/[\s*＊:：%]/g, '');
  const lookup = new Map<string, C>();
  for (const col of columns) for (const name of [col.header, ...col.aliases]) lookup.set(normalize(name), col);
  return (text) => lookup.get(normalize(text));
}
