import { z } from 'zod';
import { uploadedFile } from '../../http/upload';
import { route, type AnyRoute, type MemberContext } from '../../http/route';
import type { GradingInputsSheet } from './grading-inputs';

const change = z.object({ before: z.number().nullable(), after: z.number().nullable() }).strict();
const reportSchema = z
  .object({
    total: z.number().int(),
    valid: z.number().int(),
    invalidRows: z.number().int(),
    unchanged: z.number().int(),
    errors: z.array(z.object({ row: z.number().int(), column: z.string().nullable(), message: z.string() }).strict()),
    ignoredColumns: z.array(z.string()),
    sample: z.array(z.object({ row: z.number().int(), customerId: z.number().int(), name: z.string(), inventoryConsumptionSpeed: change, competitorPenetration: change }).strict()),
  })
  .strict();

function sendXlsx(ctx: MemberContext, filename: string, body: NodeJS.ReadableStream) {
  ctx.set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  ctx.set('Content-Disposition', `attachment; filename="grading-inputs.xlsx"; filename*=UTF-8''${encodeURIComponent(filename)}`);
  ctx.body = body;
}

/** The grading input sheet: whoever may import customers, for the customers in that reach (customers.import). */
export function gradingInputRoutes(sheet: GradingInputsSheet): AnyRoute[] {
  return [
    route({
      method: 'get', path: '/grading/inputs/template.xlsx', tag: '客户分级', summary: '下载分级数据模板（客户编号、客户名称、库存消耗速度、竞品渗透率）', can: 'customers.import', produces: 'xlsx',
      handler: async (ctx) => sendXlsx(ctx, '分级数据模板.xlsx', sheet.template()),
    }),
    route({
      method: 'post', path: '/grading/inputs/preview', tag: '客户分级', summary: '分级数据导入预览：逐行检查（行号、列、原因），不写入任何数据', can: 'customers.import', upload: sheet.upload,
      response: reportSchema,
      errors: ['GRADING_IMPORT_INVALID'],
      handler: (ctx) => sheet.preview(ctx.state.member, uploadedFile(ctx, 'Excel 文件')),
    }),
    route({
      method: 'post', path: '/grading/inputs/commit', tag: '客户分级', summary: '确认导入分级数据：全部成功或全部不导入；导入的客户随即重新分级', can: 'customers.import', upload: sheet.upload, status: 201,
      response: z.object({ updated: z.number().int(), regraded: z.number().int(), gradeChanged: z.number().int() }).strict(),
      errors: ['GRADING_IMPORT_INVALID'],
      handler: (ctx) => sheet.commit(ctx.state.member, uploadedFile(ctx, 'Excel 文件')),
    }),
  ];
}
