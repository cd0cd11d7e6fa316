import ExcelJS from 'exceljs';
import { Customer } from '../../server/src/modules/customers/customer.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api, xlsxForm } from '../support/http';
import { completeVisit, submitVisit } from '../support/visit-fixture';
import { buildWorkbook, readWorkbook } from '../support/xlsx';

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
