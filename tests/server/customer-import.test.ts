import { In, Like } from 'typeorm';
import { Customer } from '../../server/src/modules/customers/customer.entity';
import { CustomerStageChange } from '../../server/src/modules/customers/customer-history.entity';
import { CUSTOMER_COLUMNS } from '../../server/src/modules/customers/customer-excel';
import { loadPolicy } from '../../server/src/config/policy';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api, xlsxForm, type ApiResponse } from '../support/http';
import { buildWorkbook, emptyWorkbook, readWorkbook, reorderParts, wallClock, type CellInput } from '../support/xlsx';

let h: Harness;
let org: OrgFixture;

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
});
afterAll(() => h.close());

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const STAGE_CODE: Record<string, string> = { 线索: 'lead', 拜访: 'visit', 方案: 'proposal', 报价: 'quote', 签约: 'signed', 交付: 'delivered' };
const INDUSTRIES = ['公立医院', '民营医院', '基层医疗机构', '医药流通', '第三方检验', '其他'];
const EXPORT_HEADERS = CUSTOMER_COLUMNS.map((c) => c.header);

const upload = (harness: Harness, step: 'preview' | 'commit', token: string, file: Buffer, name?: string) =>
  api(harness.url, 'POST', `/api/v1/customers/import/${step}`, { token, form: xlsxForm(file, name) });
const preview = (token: string, file: Buffer) => upload(h, 'preview', token, file);
const commit = (token: string, file: Buffer) => upload(h, 'commit', token, file);

const customerCount = () => h.db.getRepository(Customer).count();
const stageChangeCount = () => h.db.getRepository(CustomerStageChange).count();
/** What the database holds, so every refusal can prove it wrote nothing. */
const snapshot = async () => ({ customers: await customerCount(), stageChanges: await stageChangeCount() });

/** The errors of a preview grouped by Excel row: { 3: [{column, message}], … }. */
function errorsByRow(res: ApiResponse): Map<number, { column: string | null; message: string }[]> {
  const byRow = new Map<number, { column: string | null; message: string }[]>();
  for (const e of res.body.errors as { row: number; column: string | null; message: string }[]) {
    byRow.set(e.row, [...(byRow.get(e.row) ?? []), { column: e.column, message: e.message }]);
  }
  return byRow;
}

describe('a good file', () => {
  const HEADERS = ['客户名称', '所属行业', '当前阶段', '负责人', '负责人手机', '客户等级', '联系电话', '最近跟进时间', '客户来源'];
  const STAGES = ['线索', '拜访', '方案', '报价', '签约', '交付', ''];
  const GRADES = ['A+', 'A', 'B', 'C', ''];
  const names = Array.from({ length: 20 }, (_, i) => `导入测试医院${String(i + 1).padStart(2, '0')}号`);

  const followUps: Record<number, { cell: CellInput; expected: string }> = {
    0: { cell: wallClock(2026, 11, 1, 9, 30), expected: '2026-11-01T01:30:00.000Z' }, // a date cell, Beijing wall clock
    1: { cell: '2026-11-01 09:30', expected: '2026-11-01T01:30:00.000Z' }, // the same moment typed as text
    2: { cell: '2026/11/19', expected: '2026-11-18T16:00:00.000Z' }, // a date without a time = midnight in Shanghai
    3: { cell: wallClock(2026, 11, 20, 9, 30), expected: '2026-11-20T01:30:00.000Z' }, // 30 minutes before the harness "now"
    4: { cell: '2026年11月2日 14:05', expected: '2026-11-02T06:05:00.000Z' },
  };
  const ownerOf = (i: number) => (i % 3 === 0 ? org.repA : i % 3 === 1 ? org.repB : org.supervisor1);

  const file = () =>
    buildWorkbook([
      HEADERS,
      ...names.map((name, i) => [
        name,
        INDUSTRIES[i % INDUSTRIES.length],
        STAGES[i % STAGES.length],
        i % 3 === 0 ? '代表甲' : null, // by name
        i % 3 === 1 ? (i % 2 ? Number(org.repB.phone) : org.repB.phone) : null, // by phone, as a number cell and as text
        GRADES[i % GRADES.length],
        i % 2 ? 13800000000 + i : `021-6000${String(i).padStart(4, '0')}`,
        followUps[i]?.cell ?? null,
        '展会',
      ]),
    ]);

  it('preview reports every row valid, shows what will be stored, and writes nothing', async () => {
    const before = await snapshot();
    const res = await preview(org.token(org.supervisor1), await file());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 20, valid: 20, invalidRows: 0, errors: [], ignoredColumns: ['客户来源'] });
    expect(res.body.sample).toHaveLength(20);
    expect(res.body.sample.slice(0, 3)).toEqual([
      { row: 2, name: names[0], industry: '公立医院', stage: '线索', owner: '代表甲' },
      { row: 3, name: names[1], industry: '民营医院', stage: '拜访', owner: '代表乙' },
      { row: 4, name: names[2], industry: '基层医疗机构', stage: '方案', owner: '一组主管' },
    ]);
    expect(res.body.sample[6]).toMatchObject({ row: 8, stage: '线索' }); // empty stage → 线索
    expect(await snapshot()).toEqual(before);
  });

  it('commit imports every row with the right stage, owner, grade and follow-up time, each with one stage-history row', async () => {
    const before = await snapshot();
    const res = await commit(org.token(org.supervisor1), await file());
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ imported: 20 });
    expect(await snapshot()).toEqual({ customers: before.customers + 20, stageChanges: before.stageChanges + 20 });

    const rows = await h.db.getRepository(Customer).find({ where: { name: Like('导入测试医院%') }, order: { name: 'ASC' } });
    expect(rows.map((r) => r.name)).toEqual(names);
    rows.forEach((r, i) => {
      expect({ name: r.name, industry: r.industry, stage: r.stage, ownerId: r.ownerId, grade: r.grade, createdById: r.createdById }).toEqual({
        name: names[i],
        industry: INDUSTRIES[i % INDUSTRIES.length],
        stage: STAGE_CODE[STAGES[i % STAGES.length]!] ?? 'lead',
        ownerId: ownerOf(i).id,
        grade: GRADES[i % GRADES.length] || null,
        createdById: org.supervisor1.id,
      });
      expect(r.contactPhone).toBe(i % 2 ? String(13800000000 + i) : `021-6000${String(i).padStart(4, '0')}`);
      expect({ name: r.name, lastFollowUpAt: r.lastFollowUpAt?.toISOString() ?? null }).toEqual({ name: r.name, lastFollowUpAt: followUps[i]?.expected ?? null });
      expect(r.createdAt.toISOString()).toBe(h.clock.now().toISOString());
    });

    const history = await h.db.getRepository(CustomerStageChange).find({ where: { customerId: In(rows.map((r) => r.id)) } });
    expect(history).toHaveLength(20);
    for (const r of rows) {
      const own = history.filter((x) => x.customerId === r.id);
      expect(own.map((x) => ({ fromStage: x.fromStage, toStage: x.toStage, changedById: x.changedById }))).toEqual([
        { fromStage: null, toStage: r.stage, changedById: org.supervisor1.id },
      ]);
    }

    // The rep sees the imported customers as their own, through the ordinary API.
    const mine = await api(h.url, 'GET', `/api/v1/customers?q=${encodeURIComponent('导入测试医院')}&pageSize=100`, { token: org.token(org.repA) });
    expect(mine.body.items.map((c: any) => c.name).sort()).toEqual(names.filter((_, i) => i % 3 === 0));
  });

  it('committing the same file again is refused as duplicates and adds nothing', async () => {
    const before = await snapshot();
    const res = await commit(org.token(org.supervisor1), await file());
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('IMPORT_INVALID');
    expect(Object.keys(res.body.error.fields)).toHaveLength(20);
    expect(res.body.error.fields['第2行']).toContain('已存在');
    expect(await snapshot()).toEqual(before);
  });

  it('recognises header aliases with spaces, asterisks and full-width characters', async () => {
    const before = await snapshot();
    const res = await preview(org.token(org.repA), await buildWorkbook([['医院名称 *', '行业＊', '阶段：'], ['别名表头测试医院', '其他', '报价']]));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 1, valid: 1, errors: [], ignoredColumns: [] });
    expect(res.body.sample).toEqual([{ row: 2, name: '别名表头测试医院', industry: '其他', stage: '报价', owner: '代表甲' }]);
    expect(await snapshot()).toEqual(before);
  });
});

describe('a file with bad rows', () => {
  const HEADERS = ['客户名称', '所属行业', '当前阶段', '负责人', '客户等级', '联系电话', '最近跟进时间'];
  const existing = '北京协和医院';
  const rows: (CellInput[] | null)[] = [
    HEADERS,
    ['坏文件好行一', '公立医院', '线索', null, 'A', '13900001111', wallClock(2026, 11, 20, 9, 59)], // row 2: good (1 minute before now in Shanghai)
    ['坏文件行业错', '火箭制造', '拜访'], // row 3
    ['坏文件阶段错', '公立医院', '成交'], // row 4
    [null, '公立医院', '拜访', null, 'B'], // row 5: no name
    ['医'.repeat(101), '公立医院'], // row 6: 101 characters
    ['坏文件负责人错', '公立医院', null, '查无此人'], // row 7
    ['坏文件跟进在未来', '公立医院', null, null, null, null, wallClock(2026, 11, 20, 10, 30)], // row 8: 10:30 Beijing = 02:30Z, after now
    ['坏文件跟进在未来文字', '公立医院', null, null, null, null, '2026-11-21 09:00'], // row 9
    ['坏文件好行一', '民营医院'], // row 10: same name as row 2
    null, // row 11: a blank line, skipped without shifting the row numbers
    [' 北京　协和医院（ ）', '公立医院'], // row 12: already in the database, written differently
    ['坏文件日期不对', '公立医院', null, null, null, null, '2026-02-30'], // row 13
    ['坏文件等级错', '公立医院', null, null, 'S'], // row 14
    ['坏文件电话错', '公立医院', null, null, null, '请打总机'], // row 15
    ['坏文件好行二', '第三方检验', '交付', '代表甲'], // row 16: good
  ];
  const expected: Record<number, [string, RegExp][]> = {
    3: [['所属行业', /所属行业不是有效选项/]],
    4: [['当前阶段', /当前阶段「成交」不是有效阶段.*线索、拜访、方案、报价、签约、交付/]],
    5: [['客户名称', /请填写客户名称/]],
    6: [['客户名称', /客户名称不能超过 100 个字/]],
    7: [['负责人', /负责人「查无此人」不是你可指派的成员/]],
    8: [['最近跟进时间', /最近跟进时间不能晚于现在/]],
    9: [['最近跟进时间', /最近跟进时间不能晚于现在/]],
    10: [['客户名称', /客户「坏文件好行一」与第 2 行重复/]],
    12: [['客户名称', /已存在/]],
    13: [['最近跟进时间', /最近跟进时间不是有效日期/]],
    14: [['客户等级', /客户等级不是有效选项/]],
    15: [['联系电话', /联系电话格式不正确/]],
  };

  beforeAll(async () => {
    const res = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repB), json: { name: existing, industry: '公立医院' } });
    expect(res.status).toBe(201);
  });

  it('preview names every bad row by its Excel row number with a Chinese reason, and writes nothing', async () => {
    const before = await snapshot();
    const res = await preview(org.token(org.repA), await buildWorkbook(rows));
    expect(res.status).toBe(200);
    const badRows = Object.keys(expected).map(Number);
    expect(res.body).toMatchObject({ total: 14, valid: 2, invalidRows: badRows.length, ignoredColumns: [] });
    const byRow = errorsByRow(res);
    expect([...byRow.keys()].sort((a, b) => a - b)).toEqual(badRows);
    for (const [row, wanted] of Object.entries(expected)) {
      const got = byRow.get(Number(row)) ?? [];
      expect({ row, got: got.length }).toEqual({ row, got: wanted.length });
      wanted.forEach(([column, message], k) => {
        expect({ row, column: got[k]?.column }).toEqual({ row, column });
        expect(got[k]?.message).toMatch(message);
      });
    }
    expect(res.body.sample.map((s: any) => s.row)).toEqual([2, 16]);
    expect(await snapshot()).toEqual(before);
  });

  it('commit answers 422 IMPORT_INVALID naming each bad row, and imports nothing, not even the good rows', async () => {
    const before = await snapshot();
    const res = await commit(org.token(org.repA), await buildWorkbook(rows));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('IMPORT_INVALID');
    expect(res.body.error.message).toContain('未导入任何数据');
    expect(Object.keys(res.body.error.fields).sort()).toEqual(Object.keys(expected).map((r) => `第${r}行`).sort());
    expect(res.body.error.fields['第3行']).toContain('所属行业');
    expect(await snapshot()).toEqual(before);
    expect(await h.db.getRepository(Customer).countBy({ name: In(['坏文件好行一', '坏文件好行二']) })).toBe(0);
  });
});

describe('headers and empty files', () => {
  it('wrong headers → 422 naming the missing required columns, nothing written', async () => {
    const before = await snapshot();
    const file = await buildWorkbook([['名字', '类别'], ['某医院', '公立医院']]);
    for (const step of ['preview', 'commit'] as const) {
      const res = await upload(h, step, org.token(org.repA), file);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('IMPORT_INVALID');
      expect(res.body.error.message).toContain('客户名称');
      expect(res.body.error.message).toContain('所属行业');
    }
    const onlyName = await preview(org.token(org.repA), await buildWorkbook([['客户名称', '联系人'], ['某医院', '王主任']]));
    expect(onlyName.status).toBe(422);
    expect(onlyName.body.error.message).toMatch(/缺少必填列：所属行业/);
    expect(await snapshot()).toEqual(before);
  });

  it('a header given twice → 422 naming it', async () => {
    const res = await preview(org.token(org.repA), await buildWorkbook([['客户名称', '所属行业', '行业'], ['某医院', '公立医院', '其他']]));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'IMPORT_INVALID', message: expect.stringContaining('所属行业') });
  });

  it('the header row may follow blank lines', async () => {
    const res = await preview(org.token(org.repA), await buildWorkbook([null, null, ['客户名称', '所属行业'], ['表头在第三行的医院', '其他']]));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 1, valid: 1, errors: [] });
    expect(res.body.sample[0].row).toBe(4);
  });

  it('an empty workbook → 422, with or without a worksheet; headers without data rows cannot be committed', async () => {
    const before = await snapshot();
    for (const file of [await emptyWorkbook(false), await emptyWorkbook(true)]) {
      for (const step of ['preview', 'commit'] as const) {
        const res = await upload(h, step, org.token(org.repA), file);
        expect(res.status).toBe(422);
        expect(res.body.error.code).toBe('IMPORT_INVALID');
        expect(res.body.error.message).toContain('表头');
      }
    }
    const headersOnly = await buildWorkbook([['客户名称', '所属行业']]);
    const shown = await preview(org.token(org.repA), headersOnly);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ total: 0, valid: 0, invalidRows: 0, errors: [] });
    const refused = await commit(org.token(org.repA), headersOnly);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'IMPORT_INVALID', message: expect.stringContaining('没有数据行') });
    expect(await snapshot()).toEqual(before);
  });
});

describe('the order of the parts inside the .xlsx does not matter', () => {
  const rows = [['客户名称', '所属行业', '当前阶段', '最近跟进时间'], ['部件顺序测试医院', '其他', '拜访', wallClock(2026, 11, 1, 9, 30)]];
  const orders: [string, string[]][] = [
    ['workbook and shared strings first, styles after the sheet', ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml', 'xl/worksheets/sheet1.xml', 'xl/styles.xml']],
    ['shared strings before the sheet, workbook.xml last', ['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml', 'xl/worksheets/sheet1.xml', 'xl/styles.xml', 'xl/workbook.xml']],
  ];
  it.each(orders)('%s: read like the original, date cell included', async (_title, order) => {
    const file = await reorderParts(await buildWorkbook(rows), order);
    const res = await preview(org.token(org.repA), file);
    expect({ status: res.status, error: res.body.error?.message }).toEqual({ status: 200, error: undefined });
    expect(res.body).toMatchObject({ total: 1, valid: 1, errors: [] });
    expect(res.body.sample).toEqual([{ row: 2, name: '部件顺序测试医院', industry: '其他', stage: '拜访', owner: '代表甲' }]);
  });
});

describe('files that are not .xlsx are refused cleanly, never with a 500', () => {
  let good: Buffer;
  beforeAll(async () => {
    good = await buildWorkbook([['客户名称', '所属行业'], ...Array.from({ length: 200 }, (_, i) => [`损坏文件医院${i}`, '其他'])]);
  });

  const refuse = async (file: Buffer, status: number, code: string, message?: RegExp) => {
    const before = await snapshot();
    for (const step of ['preview', 'commit'] as const) {
      const res = await upload(h, step, org.token(org.repA), file);
      expect({ step, status: res.status, code: res.body?.error?.code }).toEqual({ step, status, code });
      if (message) expect(res.body.error.message).toMatch(message);
    }
    expect(await snapshot()).toEqual(before);
  };

  it('a text file → 415', () => refuse(Buffer.from('客户名称,所属行业\n某医院,公立医院\n'), 415, 'UNSUPPORTED_MEDIA_TYPE', /xlsx/));

  it('an old .xls (OLE header) → 415 telling the user to save as .xlsx', () =>
    refuse(Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(4096, 0)]), 415, 'UNSUPPORTED_MEDIA_TYPE', /\.xlsx/));

  it('a truncated .xlsx → 415', () => refuse(good.subarray(0, Math.floor(good.length / 2)), 415, 'UNSUPPORTED_MEDIA_TYPE', /xlsx/));

  it('a zip signature followed by garbage → 415', () =>
    refuse(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('这不是压缩包'.repeat(100))]), 415, 'UNSUPPORTED_MEDIA_TYPE'));

  it('a valid zip that is not a workbook → 415 or 422, not 500', async () => {
    // a docx-like zip: exceljs finds no workbook in it
    const JSZip = (await import('jszip')).default;
    const zip = new JSZip();
    zip.file('hello.txt', '你好');
    const file = Buffer.from(await zip.generateAsync({ type: 'uint8array' }));
    const res = await preview(org.token(org.repA), file);
    expect([415, 422]).toContain(res.status);
  });

  it('no file field → 422 naming the field; an empty file → 400 saying it is empty', async () => {
    const before = await snapshot();
    const form = new FormData();
    form.append('other', 'x');
    const noFile = await api(h.url, 'POST', '/api/v1/customers/import/preview', { token: org.token(org.repA), form });
    expect(noFile.status).toBe(422);
    expect(noFile.body.error.fields.file).toBe('请上传Excel 文件');
    const empty = await upload(h, 'commit', org.token(org.repA), Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain('空的');
    const notMultipart = await api(h.url, 'POST', '/api/v1/customers/import/commit', { token: org.token(org.repA), json: { file: 'x' } });
    expect(notMultipart.status).toBe(422);
    expect(await snapshot()).toEqual(before);
  });

  it('a file over the size limit → 413', async () => {
    const big = Buffer.concat([good, Buffer.alloc(11 * 1024 * 1024, 0x20)]);
    const res = await upload(h, 'preview', org.token(org.repA), big);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('finance may not import, and nobody without a session', async () => {
    const fin = await preview(org.token(org.finance), good);
    expect(fin.status).toBe(403);
    const anon = await api(h.url, 'POST', '/api/v1/customers/import/commit', { form: xlsxForm(good) });
    expect(anon.status).toBe(401);
  });
});

describe('10 000 rows', () => {
  const N = 10_000;
  const name = (i: number) => `批量导入客户${String(i).padStart(5, '0')}`;
  const bulk = (badIndustryEvery?: number) =>
    buildWorkbook([
      ['客户名称', '所属行业', '当前阶段', '负责人手机', '联系人', '最近跟进时间'],
      ...Array.from({ length: N }, (_, i) => [
        name(i),
        badIndustryEvery && (i + 1) % badIndustryEvery === 0 ? '航空航天' : INDUSTRIES[i % INDUSTRIES.length],
        ['线索', '拜访', '方案'][i % 3],
        i % 2 ? org.repB.phone : org.supervisor1.phone,
        `联系人${i}`,
        i % 10 === 0 ? wallClock(2026, 10, 1 + (i % 28), 8, 0) : null,
      ]),
    ]);

  it('preview of a file with a bad cell every 97th row reports exactly those rows; commit imports nothing', async () => {
    const before = await snapshot();
    const file = await bulk(97);
    const badRows = Array.from({ length: N }, (_, i) => i).filter((i) => (i + 1) % 97 === 0).map((i) => i + 2);
    expect(badRows).toHaveLength(103);

    const res = await preview(org.token(org.supervisor1), file);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: N, valid: N - 103, invalidRows: 103 });
    expect(res.body.errors.map((e: any) => e.row)).toEqual(badRows);
    expect(res.body.errors.every((e: any) => e.column === '所属行业' && /所属行业不是有效选项/.test(e.message))).toBe(true);
    expect(res.body.sample).toHaveLength(20);

    const refused = await commit(org.token(org.supervisor1), file);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('IMPORT_INVALID');
    expect(Object.keys(refused.body.error.fields)).toHaveLength(103);
    expect(refused.body.error.fields['第98行']).toContain('所属行业');
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  let firstBulkId = 0;

  it('commit of 10 000 good rows imports all of them, each with its stage history', async () => {
    const before = await snapshot();
    const [{ maxId }] = await h.db.query('SELECT COALESCE(MAX(id), 0) AS maxId FROM customer');
    firstBulkId = Number(maxId) + 1;
    const file = await bulk();
    const started = Date.now();
    const res = await commit(org.token(org.supervisor1), file);
    const ms = Date.now() - started;
    console.log(`customer import: commit of ${N} rows (${(file.length / 1024).toFixed(0)} KB) took ${ms} ms`);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ imported: N });
    expect(await snapshot()).toEqual({ customers: before.customers + N, stageChanges: before.stageChanges + N });

    const owners = await h.db.query('SELECT ownerId, COUNT(*) AS n FROM customer WHERE id >= ? GROUP BY ownerId ORDER BY ownerId', [firstBulkId]);
    expect(owners.map((o: any) => [o.ownerId, Number(o.n)]).sort()).toEqual([[org.repB.id, N / 2], [org.supervisor1.id, N / 2]].sort());
    const [one] = await h.db.query(
      `SELECT c.stage, c.contactName, c.lastFollowUpAt, COUNT(s.id) AS changes, MIN(s.toStage) AS toStage
         FROM customer c LEFT JOIN customer_stage_change s ON s.customerId = c.id WHERE c.id = ? GROUP BY c.id`,
      [firstBulkId + 9990],
    );
    expect({ ...one, changes: Number(one.changes), lastFollowUpAt: new Date(one.lastFollowUpAt).toISOString() }).toEqual({
      stage: 'lead', contactName: '联系人9990', changes: 1, toStage: 'lead', lastFollowUpAt: '2026-10-23T00:00:00.000Z',
    });
    const [orphans] = await h.db.query(
      'SELECT COUNT(*) AS n FROM customer c WHERE c.id >= ? AND (SELECT COUNT(*) FROM customer_stage_change s WHERE s.customerId = c.id AND s.fromStage IS NULL AND s.toStage = c.stage) <> 1',
      [firstBulkId],
    );
    expect(Number(orphans.n)).toBe(0);
  }, 120_000);

  it('stores every one of the 10 000 Chinese names exactly as written in the file', async () => {
    expect(firstBulkId).toBeGreaterThan(0);
    const stored: { id: number; name: string }[] = await h.db.query('SELECT id, name FROM customer WHERE id >= ? ORDER BY id', [firstBulkId]);
    const expected = new Set(Array.from({ length: N }, (_, i) => name(i)));
    const mangled = stored.filter((c) => !expected.has(c.name)).map((c) => c.name);
    // A name that is not one of the file's names was changed on the way in (e.g. '批量导入客��03139').
    expect(mangled).toEqual([]);
  });
});

describe('row limit', () => {
  let small: Harness;
  let smallOrg: OrgFixture;
  beforeAll(async () => {
    small = await startHarness({ policy: { ...loadPolicy(), import: { ...loadPolicy().import, maxRows: 50 } } });
    smallOrg = await buildOrg(small);
  });
  afterAll(() => small.close());

  const rows = (n: number, prefix: string) => buildWorkbook([['客户名称', '所属行业'], ...Array.from({ length: n }, (_, i) => [`${prefix}${i}`, '其他'])]);

  it('more rows than import.maxRows → 422 naming the limit, nothing written', async () => {
    const file = await rows(51, '超限医院');
    for (const step of ['preview', 'commit'] as const) {
      const res = await upload(small, step, smallOrg.token(smallOrg.repA), file);
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'IMPORT_INVALID', message: expect.stringContaining('50') });
    }
    expect(await small.db.getRepository(Customer).count()).toBe(0);
  });

  it('exactly import.maxRows rows (blank lines not counted) are accepted', async () => {
    const file = await buildWorkbook([['客户名称', '所属行业'], ...Array.from({ length: 50 }, (_, i) => [`限额医院${i}`, '其他']), null, ['', ' ']]);
    const res = await upload(small, 'commit', smallOrg.token(smallOrg.repA), file);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ imported: 50 });
    expect(await small.db.getRepository(Customer).count()).toBe(50);
  });
});

describe('scope on import', () => {
  const HEADERS = ['客户名称', '所属行业', '负责人', '负责人手机'];

  it('a rep may only import customers for themselves', async () => {
    const before = await snapshot();
    const file = await buildWorkbook([
      HEADERS,
      ['范围测试代表自己', '其他', '代表甲'],
      ['范围测试代表乙的', '其他', '代表乙'],
      ['范围测试乙的手机', '其他', null, org.repB.phone],
      ['范围测试主管的', '其他', '一组主管'],
    ]);
    const res = await preview(org.token(org.repA), file);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 4, valid: 1, invalidRows: 3 });
    const byRow = errorsByRow(res);
    expect(byRow.get(3)).toEqual([{ column: '负责人', message: expect.stringMatching(/负责人「代表乙」不是你可指派的成员/) }]);
    expect(byRow.get(4)).toEqual([{ column: '负责人', message: expect.stringContaining(org.repB.phone) }]);
    expect(byRow.get(5)).toEqual([{ column: '负责人', message: expect.stringContaining('一组主管') }]);
    const refused = await commit(org.token(org.repA), file);
    expect(refused.status).toBe(422);
    expect(Object.keys(refused.body.error.fields).sort()).toEqual(['第3行', '第4行', '第5行']);
    expect(await snapshot()).toEqual(before);
  });

  it("a supervisor may assign reps of their own team but not another team's", async () => {
    const before = await snapshot();
    const mixed = await buildWorkbook([
      HEADERS,
      ['范围测试一组甲', '其他', '代表甲'],
      ['范围测试一组乙', '其他', null, org.repB.phone],
      ['范围测试二组丙', '其他', '代表丙'],
      ['范围测试二组丙手机', '其他', null, org.repC.phone],
      ['范围测试西区戊', '其他', '代表戊'],
    ]);
    const res = await preview(org.token(org.supervisor1), mixed);
    expect(res.body).toMatchObject({ total: 5, valid: 2, invalidRows: 3 });
    expect([...errorsByRow(res).keys()]).toEqual([4, 5, 6]);
    expect((await commit(org.token(org.supervisor1), mixed)).status).toBe(422);
    expect(await snapshot()).toEqual(before);

    const ownTeam = await buildWorkbook([HEADERS, ['范围测试一组甲', '其他', '代表甲'], ['范围测试一组乙', '其他', null, org.repB.phone], ['范围测试主管本人', '其他']]);
    const ok = await commit(org.token(org.supervisor1), ownTeam);
    expect(ok.status).toBe(201);
    const stored = await h.db.getRepository(Customer).find({ where: { name: In(['范围测试一组甲', '范围测试一组乙', '范围测试主管本人']) }, order: { name: 'ASC' } });
    expect(Object.fromEntries(stored.map((c) => [c.name, c.ownerId]))).toEqual({
      范围测试一组甲: org.repA.id,
      范围测试一组乙: org.repB.id,
      范围测试主管本人: org.supervisor1.id,
    });
  });

  it('a director must name an owner in their region; an admin may name anyone', async () => {
    const before = await snapshot();
    const file = await buildWorkbook([HEADERS, ['范围测试总监无负责人', '其他'], ['范围测试总监给丙', '其他', '代表丙'], ['范围测试总监给戊', '其他', '代表戊']]);
    const res = await preview(org.token(org.directorEast), file);
    const byRow = errorsByRow(res);
    expect([...byRow.keys()]).toEqual([2, 4]);
    expect(byRow.get(2)![0]!.message).toContain('请填写负责人');
    expect(await snapshot()).toEqual(before);

    const admin = await preview(org.token(org.admin), await buildWorkbook([HEADERS, ['范围测试管理员给戊', '其他', '代表戊'], ['范围测试管理员给总监', '其他', '东区总监']]));
    expect(admin.body.valid).toBe(1);
    expect(errorsByRow(admin).get(3)![0]!.message).toContain('东区总监'); // a director owns no customers
  });
});

describe('export and template', () => {
  const exportAs = (token: string, query = '') => api(h.url, 'GET', `/api/v1/customers/export.xlsx${query}`, { token });

  it('exports only the caller’s customers in the import layout, and the file re-imports as duplicates', async () => {
    const res = await exportAs(org.token(org.repA));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain(XLSX_TYPE);
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const { rows } = await readWorkbook(res.body);
    expect(rows[0]).toEqual(EXPORT_HEADERS);

    const data = rows.slice(1);
    const mine = await h.db.getRepository(Customer).find({ where: { ownerId: org.repA.id }, order: { id: 'ASC' } });
    expect(mine.length).toBeGreaterThan(5);
    const col = (header: string) => EXPORT_HEADERS.indexOf(header);
    expect(data.map((r) => r[col('客户名称')])).toEqual(mine.map((c) => c.name));
    expect(new Set(data.map((r) => r[col('负责人')]))).toEqual(new Set(['代表甲']));
    expect(new Set(data.map((r) => String(r[col('负责人手机')])))).toEqual(new Set([org.repA.phone]));
    const first = data.find((r) => r[col('客户名称')] === '导入测试医院01号')!;
    expect(first[col('当前阶段')]).toBe('线索');
    expect(first[col('客户等级')]).toBe('A+');
    // Beijing wall clock in the cell, as the user typed it
    expect(first[col('最近跟进时间')]).toEqual(wallClock(2026, 11, 1, 9, 30));

    const before = await snapshot();
    const again = await preview(org.token(org.repA), res.body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ total: mine.length, valid: 0, invalidRows: mine.length, ignoredColumns: [] });
    // every row is refused for one reason only: it already exists
    expect(again.body.errors).toHaveLength(mine.length);
    expect(again.body.errors.every((e: any) => e.column === '客户名称' && e.message.includes('已存在'))).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it('an exported file, renamed, imports back with the same stage, grade and follow-up time', async () => {
    const res = await exportAs(org.token(org.repA), `?q=${encodeURIComponent('导入测试医院')}`);
    const { rows } = await readWorkbook(res.body);
    const renamed = rows.map((r, i) => (i === 0 ? r : [`复制-${r[0]}`, ...r.slice(1)]));
    const ok = await commit(org.token(org.repA), await buildWorkbook(renamed));
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual({ imported: rows.length - 1 });
    const repo = h.db.getRepository(Customer);
    const originals = await repo.find({ where: { name: Like('导入测试医院%'), ownerId: org.repA.id } });
    for (const o of originals) {
      const copy = await repo.findOneByOrFail({ name: `复制-${o.name}` });
      expect({ name: o.name, stage: copy.stage, grade: copy.grade, industry: copy.industry, contactPhone: copy.contactPhone, lastFollowUpAt: copy.lastFollowUpAt?.toISOString() ?? null }).toEqual({
        name: o.name, stage: o.stage, grade: o.grade, industry: o.industry, contactPhone: o.contactPhone, lastFollowUpAt: o.lastFollowUpAt?.toISOString() ?? null,
      });
    }
  });

  it('applies the list filters; a supervisor exports the whole team', async () => {
    const visit = await exportAs(org.token(org.supervisor1), '?stage=visit');
    const { rows } = await readWorkbook(visit.body);
    const stageCol = EXPORT_HEADERS.indexOf('当前阶段');
    expect(rows.length).toBeGreaterThan(1);
    expect(new Set(rows.slice(1).map((r) => r[stageCol]))).toEqual(new Set(['拜访']));
    const team = new Set([org.supervisor1.id, org.repA.id, org.repB.id]);
    const expected = await h.db.getRepository(Customer).countBy({ stage: 'visit', ownerId: In([...team]) });
    expect(rows.length - 1).toBe(expected);

    const byOwner = await readWorkbook((await exportAs(org.token(org.supervisor1), `?ownerId=${org.repB.id}&q=${encodeURIComponent('导入测试')}`)).body);
    expect(byOwner.rows.slice(1).map((r) => r[0]).sort()).toEqual(['导入测试医院02号', '导入测试医院05号', '导入测试医院08号', '导入测试医院11号', '导入测试医院14号', '导入测试医院17号', '导入测试医院20号']);

    const badFilter = await exportAs(org.token(org.repA), '?stage=won');
    expect(badFilter.status).toBe(422);
  });

  it('a large export (thousands of rows) re-imports as duplicates only: no row is misread', async () => {
    const res = await exportAs(org.token(org.supervisor1), '?stage=proposal');
    expect(res.status).toBe(200);
    const { rows } = await readWorkbook(res.body);
    const total = rows.length - 1;
    expect(total).toBeGreaterThan(3000);
    const before = await snapshot();
    const again = await preview(org.token(org.supervisor1), res.body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ total, valid: 0, invalidRows: total });
    const other = (again.body.errors as any[]).filter((e) => !(e.column === '客户名称' && e.message.includes('已存在')));
    // Only "already exists": any other error means a cell of our own export was read back differently.
    expect(other.slice(0, 5)).toEqual([]);
    expect(await snapshot()).toEqual(before);
  }, 60_000);

  it('the template has only the header row, in the import layout', async () => {
    const res = await api(h.url, 'GET', '/api/v1/customers/import/template.xlsx', { token: org.token(org.repA) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain(XLSX_TYPE);
    const { rows } = await readWorkbook(res.body);
    expect(rows).toEqual([EXPORT_HEADERS]);
    const filled = await preview(org.token(org.repA), res.body);
    expect(filled.body).toMatchObject({ total: 0, valid: 0, errors: [] });
  });
});
