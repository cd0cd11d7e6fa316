import ExcelJS from 'exceljs';
import { Customer } from '../../server/src/modules/customers/customer.entity';
import { CustomerGrade } from '../../server/src/modules/grading/customer-grade.entity';
import type { Member } from '../../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api, xlsxForm } from '../support/http';
import { buildWorkbook, readWorkbook, type CellInput } from '../support/xlsx';

let h: Harness;
let org: OrgFixture;

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
});
afterAll(() => h.close());

const HEADER = ['客户编号', '客户名称', '库存消耗速度', '竞品渗透率'];
const sheet = (rows: CellInput[][]) => buildWorkbook([HEADER, ...rows], { sheetName: '分级数据' });
const send = (step: 'preview' | 'commit', who: Member, file: Buffer) => api(h.url, 'POST', `/api/v1/grading/inputs/${step}`, { token: org.token(who), form: xlsxForm(file, '分级数据.xlsx') });

let seq = 0;
/** A customer owned by `owner` (made by the admin), with these grading inputs. */
async function customer(owner: Member, inputs: Record<string, number> | null = null, extra: Record<string, unknown> = {}) {
  const name = `分级导入医院${++seq}号`;
  const res = await api(h.url, 'POST', '/api/v1/customers', {
    token: org.token(org.admin),
    json: { name, industry: '公立医院', ownerId: owner.id, ...(inputs ? { gradingInputs: inputs } : {}), ...extra },
  });
  expect(res.status).toBe(201);
  return { id: res.body.id as number, name };
}
const stored = async (id: number) => h.db.getRepository(Customer).findOneByOrFail({ id });
const runs = (id: number) => h.db.getRepository(CustomerGrade).find({ where: { customerId: id }, order: { id: 'ASC' } });

describe('the grading input sheet: template', () => {
  it('downloads as .xlsx with the four headers and a sheet that says how to fill it', async () => {
    const res = await api(h.url, 'GET', '/api/v1/grading/inputs/template.xlsx', { token: org.token(org.repA) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const book = await readWorkbook(res.body as Buffer);
    expect(book.sheetNames).toEqual(['分级数据', '填写说明']);
    expect(book.rows[0]).toEqual(HEADER);
    expect(book.rows).toHaveLength(1);
  });
});

describe('the grading input sheet: preview checks every row and writes nothing', () => {
  it('names the row and the column of each problem in Chinese: unknown, outside the reach, out of range, not a number, name not matching the id, repeated', async () => {
    const mine = await customer(org.repA, { inventoryConsumptionSpeed: 40, competitorPenetration: 60 });
    const mine2 = await customer(org.repA);
    const teammates = await customer(org.repB);
    const res = await send('preview', org.repA, await sheet([
      [null, mine.name, 80, 20], // row 2: fine
      [null, '并不存在的医院', 50, 50], // 3
      [null, teammates.name, 50, 50], // 4: repB's, outside a rep's own reach
      [null, mine2.name, 120, -1], // 5
      [null, mine2.name.replace('号', ' 号'), '很快', '三成'], // 6: same customer (spaces ignored) and two non-numbers
      [mine2.id, mine.name, 10, 10], // 7: the id is another customer than the name
      [999999, null, 10, 10], // 8
      ['abc', null, 10, 10], // 9
      [null, null, 10, 10], // 10: nobody named
    ]));
    expect(res.status).toBe(200);
    const byRow = (row: number) => (res.body.errors as { row: number; column: string; message: string }[]).filter((e) => e.row === row).map((e) => `${e.column}: ${e.message}`);
    expect(byRow(2)).toEqual([]);
    expect(byRow(3)).toEqual(['客户名称: 客户「并不存在的医院」不存在（按客户名称匹配，忽略空格、全角半角和大小写）']);
    expect(byRow(4)).toEqual([`客户名称: 客户「${teammates.name}」不在你可导入的客户范围内`]);
    expect(byRow(5)).toEqual(['库存消耗速度: 库存消耗速度须在 0–100 之间（填写的是 120）', '竞品渗透率: 竞品渗透率须在 0–100 之间（填写的是 -1）']);
    expect(byRow(6)).toEqual([
      `客户名称: 客户「${mine2.name}」与第 5 行重复`,
      '库存消耗速度: 库存消耗速度「很快」不是数字（填 0–100），或填「清空」清除',
      '竞品渗透率: 竞品渗透率「三成」不是数字（填 0–100，如 35 或 35%），或填「清空」清除',
    ]);
    expect(byRow(7)).toEqual([`客户名称: 客户编号 ${mine2.id} 是「${mine2.name}」，与客户名称「${mine.name}」不符`]);
    expect(byRow(8)).toEqual(['客户编号: 客户编号 999999 不存在']);
    expect(byRow(9)).toEqual(['客户编号: 客户编号「abc」不是有效编号（应为数字）']);
    expect(byRow(10)).toEqual(['客户名称: 请填写客户名称或客户编号']);
    expect(res.body).toMatchObject({ total: 9, valid: 1, invalidRows: 8 });
    expect(res.body.sample).toEqual([
      { row: 2, customerId: mine.id, name: mine.name, inventoryConsumptionSpeed: { before: 40, after: 80 }, competitorPenetration: { before: 60, after: 20 } },
    ]);
    // nothing written
    expect((await stored(mine.id)).gradingInputs).toEqual({ inventoryConsumptionSpeed: 40, competitorPenetration: 60 });
    expect(await runs(mine.id)).toEqual([]);

    // and the commit of the same file refuses it whole, naming the rows
    const refused = await send('commit', org.repA, await sheet([[null, mine.name, 80, 20], [null, '并不存在的医院', 50, 50]]));
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('GRADING_IMPORT_INVALID');
    expect(refused.body.error.message).toBe('导入失败：1 行有问题，未导入任何数据');
    expect(refused.body.error.fields).toEqual({ 第3行: '客户「并不存在的医院」不存在（按客户名称匹配，忽略空格、全角半角和大小写）' });
    expect((await stored(mine.id)).gradingInputs).toEqual({ inventoryConsumptionSpeed: 40, competitorPenetration: 60 });
    expect(await runs(mine.id)).toEqual([]);
  });

  it('refuses a sheet without a customer column or without any input column, naming what is missing', async () => {
    const noCustomer = await send('preview', org.repA, await buildWorkbook([['库存消耗速度', '竞品渗透率'], [50, 50]]));
    expect(noCustomer.status).toBe(422);
    expect(noCustomer.body.error.message).toContain('表头缺少：客户名称（或客户编号）');
    const noInputs = await send('preview', org.repA, await buildWorkbook([['客户名称', '备注'], ['某医院', 'x']]));
    expect(noInputs.status).toBe(422);
    expect(noInputs.body.error.message).toContain('库存消耗速度或竞品渗透率');
    const notExcel = await send('preview', org.repA, Buffer.from('客户名称,库存消耗速度\n'));
    expect(notExcel.status).toBe(415);
  });
});

describe('the grading input sheet: commit', () => {
  it('writes all rows, a blank cell keeps the input, 清空 removes it, 35% is 35; the customers are regraded at once with reason import', async () => {
    // 三级甲等 (100) + 高 (100): hospital 100; payment missing 50
    const a = await customer(org.repA, { inventoryConsumptionSpeed: 10, competitorPenetration: 90, paymentOnTimeRate: 95 }, { hospitalLevel: '三级甲等', departmentActivity: '高' });
    const b = await customer(org.repA, { inventoryConsumptionSpeed: 70, competitorPenetration: 20 });
    const c = await customer(org.repA);
    const res = await send('commit', org.repA, await sheet([
      [a.id, null, 100, '0%'], // by id only; 0% is 0
      [null, b.name, null, '清空'], // speed kept, penetration cleared
      [null, c.name, '６０', '35%'], // full-width digits; text percentage
    ]));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ updated: 3, regraded: 3, gradeChanged: expect.any(Number) });

    expect((await stored(a.id)).gradingInputs).toEqual({ inventoryConsumptionSpeed: 100, competitorPenetration: 0, paymentOnTimeRate: 95 });
    expect((await stored(b.id)).gradingInputs).toEqual({ inventoryConsumptionSpeed: 70 });
    expect((await stored(c.id)).gradingInputs).toEqual({ inventoryConsumptionSpeed: 60, competitorPenetration: 35 });

    // a: 0.30·50 (payment: the regrade passes none yet) + 0.25·100 + 0.25·100 + 0.20·100 = 85 → A+
    const [runA] = await runs(a.id);
    expect(runA).toMatchObject({ reason: 'import', score: 85, grade: 'A+', inventorySpeed: 100, competitorPenetration: 100 });
    expect((await stored(a.id)).grade).toBe('A+');
    // b: penetration cleared → missing, neutral
    const [runB] = await runs(b.id);
    expect(runB!.missing.split(',')).toEqual(['paymentHistory', 'hospitalLevelActivity', 'competitorPenetration']);
    expect(runB).toMatchObject({ reason: 'import', inventorySpeed: 70, competitorPenetration: 50 });
    const history = await api(h.url, 'GET', `/api/v1/customers/${c.id}/grades`, { token: org.token(org.repA) });
    expect(history.body.items[0]).toMatchObject({ reason: 'import', subScores: { inventorySpeed: 60, competitorPenetration: 65 } });
    expect(history.body.weights).toEqual({ paymentHistory: 0.3, inventorySpeed: 0.25, hospitalLevelActivity: 0.25, competitorPenetration: 0.2 });
  });

  it('reads a cell Excel shows as a percentage (35% stored as 0.35) as 35', async () => {
    const d = await customer(org.repA);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('分级数据');
    ws.addRow(['客户名称*', '竞品渗透率（%）']); // a note in brackets or a required mark is not part of the header
    ws.addRow([d.name, 0.35]);
    ws.getCell('B2').numFmt = '0%';
    const file = Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
    const preview = await send('preview', org.repA, file);
    expect(preview.body.sample[0].competitorPenetration).toEqual({ before: null, after: 35 });
    expect((await send('commit', org.repA, file)).status).toBe(201);
    expect((await stored(d.id)).gradingInputs).toEqual({ competitorPenetration: 35 });
  });

  it('whoever may import customers, within that reach: a supervisor their team, a rep their own; finance and marketing not at all', async () => {
    const ofA = await customer(org.repA);
    const ofB = await customer(org.repB);
    const ofC = await customer(org.repC); // team 2
    const file = await sheet([[null, ofA.name, 55, 45], [null, ofB.name, 55, 45]]);
    expect((await send('commit', org.supervisor1, file)).status).toBe(201);
    expect((await stored(ofB.id)).gradingInputs).toEqual({ inventoryConsumptionSpeed: 55, competitorPenetration: 45 });
    const otherTeam = await send('preview', org.supervisor1, await sheet([[null, ofC.name, 55, 45]]));
    expect(otherTeam.body.errors).toEqual([{ row: 2, column: '客户名称', message: `客户「${ofC.name}」不在你可导入的客户范围内` }]);
    expect((await send('commit', org.directorEast, await sheet([[null, ofC.name, 30, 30]]))).status).toBe(201);
    for (const who of [org.finance, org.marketing]) {
      const res = await send('preview', who, file);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
  });
});
