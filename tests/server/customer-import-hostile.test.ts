import ExcelJS from 'exceljs';
import { Customer } from '../../server/src/modules/customers/customer.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api, xlsxForm } from '../support/http';
import { completeVisit, submitVisit } from '../support/visit-fixture';
import { buildWorkbook, readWorkbook } from '../support/xlsx';
import { writeZip, zipParts } from '../support/zip';

let h: Harness;
let org: OrgFixture;

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
});
afterAll(() => h.close());

const HEADERS = ['客户名称', '所属行业', '最近跟进时间'];
const upload = (step: 'preview' | 'commit', token: string, file: Buffer) =>
  api(h.url, 'POST', `/api/v1/customers/import/${step}`, { token, form: xlsxForm(file) });

/** A date cell whose value is an Excel serial number (days since 1899-12-30), as a user's broken sheet holds it. */
async function serialDateWorkbook(name: string, serial: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('客户');
  sheet.addRow(HEADERS);
  sheet.addRow([name, '公立医院', serial]);
  sheet.getCell('C2').numFmt = 'yyyy-mm-dd hh:mm';
  return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

/** A Date cell in a year Date.UTC cannot express directly (0–99 map to 1900–1999). */
function wallClockInYear(year: number, month = 1, day = 1): Date {
  const d = new Date(Date.UTC(2000, month - 1, day));
  d.setUTCFullYear(year);
  return d;
}

/** What every member who can see the customer opens: the list, the customer's page and the export. */
async function everyReaderAnswers(token: string, q: string): Promise<void> {
  const list = await api(h.url, 'GET', `/api/v1/customers?q=${encodeURIComponent(q)}`, { token });
  expect(list.status).toBe(200);
  for (const item of list.body.items as { id: number }[]) {
    const page = await api(h.url, 'GET', `/api/v1/customers/${item.id}`, { token });
    expect(page.status).toBe(200);
  }
  const exported = await api(h.url, 'GET', `/api/v1/customers/export.xlsx?q=${encodeURIComponent(q)}`, { token });
  expect(exported.status).toBe(200);
  await readWorkbook(exported.body);
}

describe('a follow-up date far in the past or future is a row error, never stored', () => {
  const cases: { title: string; name: string; file: () => Promise<Buffer> }[] = [
    { title: 'serial −30 000 000 (a year before the calendar)', name: '日期测试甲医院', file: () => serialDateWorkbook('日期测试甲医院', -30_000_000) },
    { title: 'serial 1 (1900-01-01)', name: '日期测试乙医院', file: () => serialDateWorkbook('日期测试乙医院', 1) },
    { title: 'a date cell in year 0099', name: '日期测试丙医院', file: () => buildWorkbook([HEADERS, ['日期测试丙医院', '公立医院', wallClockInYear(99)]]) },
    { title: 'text 0099-01-01', name: '日期测试丁医院', file: () => buildWorkbook([HEADERS, ['日期测试丁医院', '公立医院', '0099-01-01']]) },
    { title: 'a date cell in year 9999', name: '日期测试戊医院', file: () => buildWorkbook([HEADERS, ['日期测试戊医院', '公立医院', wallClockInYear(9999, 12, 31)]]) },
    { title: 'serial 99 999 999 (year 275 000)', name: '日期测试己医院', file: () => serialDateWorkbook('日期测试己医院', 99_999_999) },
    { title: 'text 1899-12-31', name: '日期测试庚医院', file: () => buildWorkbook([HEADERS, ['日期测试庚医院', '公立医院', '1899-12-31 08:00']]) },
  ];

  it.each(cases)('$title: preview names the row and column, commit refuses, the customer pages still answer', async ({ name, file }) => {
    const token = org.token(org.repA);
    const before = await h.db.getRepository(Customer).count();
    const bytes = await file();
    const preview = await upload('preview', token, bytes);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ total: 1, valid: 0, invalidRows: 1 });
    expect(preview.body.errors).toEqual([{ row: 2, column: '最近跟进时间', message: expect.stringMatching(/最近跟进时间/) }]);

    const commit = await upload('commit', token, bytes);
    expect(commit.status).toBe(422);
    expect(commit.body.error.code).toBe('IMPORT_INVALID');
    expect(await h.db.getRepository(Customer).count()).toBe(before);
    await everyReaderAnswers(token, name);
  });

  it('the earliest accepted date comes from policy import.earliestFollowUpDate; a date on it is stored as written', async () => {
    const earliest = h.policy.import.earliestFollowUpDate; // 'YYYY-MM-DD', Beijing wall clock
    const [y, m, d] = earliest.split('-').map(Number) as [number, number, number];
    const dayBefore = new Date(Date.UTC(y, m - 1, d - 1));
    const refused = await upload('preview', org.token(org.repA), await buildWorkbook([HEADERS, ['日期边界前医院', '公立医院', dayBefore]]));
    expect(refused.body.errors).toEqual([{ row: 2, column: '最近跟进时间', message: expect.stringContaining(earliest) }]);

    const token = org.token(org.repA);
    const ok = await upload('commit', token, await buildWorkbook([HEADERS, ['日期边界医院', '公立医院', earliest]]));
    expect(ok.status).toBe(201);
    const stored = await h.db.getRepository(Customer).findOneByOrFail({ name: '日期边界医院' });
    expect(stored.lastFollowUpAt!.toISOString()).toBe(new Date(Date.UTC(y, m - 1, d) - 8 * 3600_000).toISOString());
    await everyReaderAnswers(token, '日期边界医院');
  });
});

describe('a stored date out of range (written before these checks) does not break the pages that read it', () => {
  it.each([
    ['the zero date', '0000-00-00 00:00:00'],
    ['year 0001', '0001-01-01 00:00:00'],
    ['year 9999', '9999-12-31 23:59:59'],
  ])('%s: list, page, export and a visit on the customer answer', async (_title, value) => {
    const name = `存量坏日期${value.slice(0, 4)}医院`;
    const token = org.token(org.repA);
    const created = await api(h.url, 'POST', '/api/v1/customers', { token, json: { name, industry: '公立医院', stage: 'visit' } });
    expect(created.status).toBe(201);
    await h.db.query(`SET SESSION sql_mode = ''`).catch(() => undefined);
    await h.db.query('UPDATE customer SET lastFollowUpAt = ? WHERE id = ?', [value, created.body.id]);
    await everyReaderAnswers(token, name);
    // A visit reads the customer's last follow-up with raw SQL before it moves it to now.
    const visit = await submitVisit(h, token, completeVisit(created.body.id));
    expect(visit.status).toBe(201);
    await everyReaderAnswers(token, name);
  });
});

describe('a workbook whose XML is huge inside a small file is refused fast, while /healthz keeps answering', () => {
  const MB = 1024 * 1024;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** A real workbook with one part swapped for `data`, its headers claiming `declaredSize`. */
  async function withPart(name: string, make: (original: string) => Buffer, declaredSize?: number): Promise<Buffer> {
    const parts = await zipParts(await buildWorkbook([HEADERS, ['炸弹测试医院', '公立医院', '2026-11-01']]));
    return writeZip(parts.map((p) => (p.name === name ? { name, data: make(p.data.toString('utf8')), declaredSize } : p)));
  }
  /** The sheet with `filler` bytes of whitespace inside <sheetData>: valid XML, deflates ~1000:1. */
  const paddedSheet = (filler: number) => (xml: string) => {
    const at = xml.indexOf('</sheetData>');
    return Buffer.concat([Buffer.from(xml.slice(0, at)), Buffer.alloc(filler, 0x20), Buffer.from(xml.slice(at))]);
  };
  /** Shared strings whose one entry is `runs` rich-text runs of one character each. */
  const manyRuns = (runs: number) => () =>
    Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4"><si><t>客户名称</t></si><si><t>所属行业</t></si><si><t>最近跟进时间</t></si><si>${'<r><rPr><b/></rPr><t>医</t></r>'.repeat(runs)}</si></sst>`);
  const longCell = (chars: number) => () =>
    Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>客户名称</t></si><si><t>所属行业</t></si><si><t>最近跟进时间</t></si><si><t>${'医'.repeat(chars)}</t></si></sst>`);

  /** Runs the import while asking /healthz every 25 ms; reports the refusal and the slowest health answer. */
  async function importWhileWatchingHealth(file: Buffer) {
    let importing = true;
    const healthMs: number[] = [];
    const watcher = (async () => {
      while (importing) {
        const t = performance.now();
        const res = await fetch(`${h.url}/healthz`);
        expect(res.status).toBe(200);
        await res.json();
        healthMs.push(performance.now() - t);
        await sleep(25);
      }
    })();
    const t = performance.now();
    const res = await upload('preview', org.token(org.repA), file);
    const importMs = performance.now() - t;
    importing = false;
    await watcher;
    return { res, importMs, worstHealthMs: Math.max(...healthMs), healthChecks: healthMs.length };
  }

  const cases: { title: string; file: () => Promise<Buffer>; status: number; code: string; message: RegExp }[] = [
    { title: 'a sheet that unzips to 64 MB (the cap is 50)', file: () => withPart('xl/worksheets/sheet1.xml', paddedSheet(64 * MB)), status: 413, code: 'PAYLOAD_TOO_LARGE', message: /解压后超过 50 MB/ },
    { title: 'a 64 MB sheet whose zip headers claim 2 KB', file: () => withPart('xl/worksheets/sheet1.xml', paddedSheet(64 * MB), 2048), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: /损坏/ },
    { title: 'a 40 MB sheet whose zip headers claim 2 KB (under the cap, still a lie)', file: () => withPart('xl/worksheets/sheet1.xml', paddedSheet(40 * MB), 2048), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: /损坏/ },
    { title: 'one cell of 1 500 000 rich-text runs', file: () => withPart('xl/sharedStrings.xml', manyRuns(1_500_000)), status: 422, code: 'IMPORT_INVALID', message: /格式片段超过 32767/ },
    { title: 'one cell of 40 000 characters (Excel holds 32 767)', file: () => withPart('xl/sharedStrings.xml', longCell(40_000)), status: 422, code: 'IMPORT_INVALID', message: /超过 32767 个字符/ },
  ];

  it.each(cases)('$title → $status, quickly, nothing stored, /healthz answering throughout', async ({ file, status, code, message }) => {
    const bytes = await file();
    expect(bytes.length).toBeLessThan(2 * MB);
    const before = await h.db.getRepository(Customer).count();
    const { res, importMs, worstHealthMs, healthChecks } = await importWhileWatchingHealth(bytes);
    console.log(`hostile import (${(bytes.length / 1024).toFixed(0)} KB): refused in ${importMs.toFixed(0)} ms; /healthz ×${healthChecks}, slowest ${worstHealthMs.toFixed(0)} ms`);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(message);
    // Within a second on an idle machine; the bound leaves room for a CI box shared by many jobs.
    expect(importMs).toBeLessThan(3000);
    expect(worstHealthMs).toBeLessThan(1000);
    expect(await h.db.getRepository(Customer).count()).toBe(before);
  });

  it('a large honest workbook is read off the event loop too: /healthz answers while 20 000 rows are checked', async () => {
    const rows = [HEADERS, ...Array.from({ length: 20_000 }, (_, i) => [`健康检查测试医院${i}`, '公立医院', '2026-11-01 09:30'])];
    const { res, importMs, worstHealthMs, healthChecks } = await importWhileWatchingHealth(await buildWorkbook(rows));
    console.log(`20 000-row preview: ${importMs.toFixed(0)} ms; /healthz ×${healthChecks}, slowest ${worstHealthMs.toFixed(0)} ms`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 20_000, valid: 20_000 });
    // Row checks run on the event loop in slices of 500; read on it whole (exceljs), the sheet stalled it
    // for seconds. The bound is loose: on a CPU shared by many jobs the whole process waits its turn.
    expect(worstHealthMs).toBeLessThan(5000);
  }, 120_000);
});

describe('text a spreadsheet cannot hold or would run', () => {
  const exportSheet = async (token: string, q: string) => {
    const res = await api(h.url, 'GET', `/api/v1/customers/export.xlsx?q=${encodeURIComponent(q)}`, { token });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ExcelJS.Buffer); // throws if the XML holds a character it cannot
    return { sheet: wb.worksheets[0]!, raw: res.body as Buffer };
  };

  it.each([
    ['客户名称', 'name', '坏字符\uFFFF医院'],
    ['客户名称', 'name', '坏字符\uFFFE医院'],
    ['备注', 'notes', '响铃\u0007'],
    ['地址', 'address', '空\u0000字符'],
  ])('%s with an XML-unsafe character is refused on input, naming the field', async (label, field, value) => {
    const body: Record<string, string> = { name: '字符测试医院', industry: '公立医院', [field]: value };
    const res = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: body });
    expect(res.status).toBe(422);
    expect(res.body.error.fields[field]).toBe(`${label}含有无法保存的字符（控制字符或 U+FFFE、U+FFFF），请删除后重试`);
  });

  it('a cell holding an escaped control character (_x0007_) is a row error naming its column', async () => {
    const parts = await zipParts(await buildWorkbook([HEADERS, ['转义字符医院_x0007_', '公立医院']]));
    const file = writeZip(parts);
    const res = await upload('preview', org.token(org.repA), file);
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([{ row: 2, column: '客户名称', message: expect.stringContaining('无法保存的字符') }]);
  });

  it('characters stored before the refusal existed are dropped on export, so export.xlsx always opens', async () => {
    const token = org.token(org.repA);
    const created = await api(h.url, 'POST', '/api/v1/customers', { token, json: { name: '存量字符医院', industry: '公立医院', notes: '正常备注' } });
    expect(created.status).toBe(201);
    await h.db.query('UPDATE customer SET notes = ?, address = ? WHERE id = ?', ['备\uFFFF注\uFFFE', '地\u0001址', created.body.id]);
    const { sheet } = await exportSheet(token, '存量字符医院');
    expect(sheet.getRow(2).getCell(1).value).toBe('存量字符医院');
    expect(sheet.getRow(2).getCell(9).value).toBe('地址');
    expect(sheet.getRow(2).getCell(15).value).toBe('备注');
  });

  it('formula-looking text (=, +, -, @ first) is exported as a string cell, never a formula', async () => {
    const token = org.token(org.repA);
    const texts = ['=1+1公式医院', '+86公式医院', '-负号公式医院', '@SUM公式医院'];
    for (const name of texts) {
      const res = await api(h.url, 'POST', '/api/v1/customers', { token, json: { name, industry: '公立医院', notes: '=HYPERLINK("http://example.com","点我")' } });
      expect(res.status).toBe(201);
    }
    const { sheet, raw } = await exportSheet(token, '公式医院');
    const cells: { value: unknown; type: number; formula: unknown }[] = [];
    sheet.eachRow((row, number) => {
      if (number === 1) return;
      for (const col of [1, 15]) {
        const cell = row.getCell(col);
        cells.push({ value: cell.value, type: cell.type, formula: cell.formula });
      }
    });
    expect(cells).toHaveLength(8);
    for (const cell of cells) {
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.formula).toBeUndefined();
    }
    expect(cells.filter((_, i) => i % 2 === 0).map((c) => c.value).sort()).toEqual([...texts].sort());
    // No <f> element anywhere in the sheet's XML: nothing a spreadsheet would evaluate.
    const sheetXml = (await zipParts(raw)).find((p) => p.name === 'xl/worksheets/sheet1.xml')!.data.toString('utf8');
    expect(sheetXml).not.toMatch(/<f[\s>]/);
  });
});
