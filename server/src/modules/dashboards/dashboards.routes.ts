import { z } from 'zod';
import {
  BOARD_METRICS, DASHBOARD_COUNTERS, STAGE_CODES, agreedActionRecordsSchema, boardDashboardSchema, boardRecordsSchema, efficiencyDashboardSchema, efficiencyVisitsSchema, trendsDashboardSchema, behaviourDashboardSchema, checkinRecordsSchema, checkinsDashboardSchema, counterCustomersSchema, countersDashboardSchema, dashboardVisitsSchema, dbId, isoDate,
  labelled, penetrationDashboardSchema, penetrationRecordsSchema, pipelineCustomersSchema, pipelineDashboardSchema, visitQualityDashboardSchema, wordCloudDashboardSchema, wordCloudRecordsSchema, type Action,
} from '@anchor/shared';
import { route, type AnyRoute, type MemberContext } from '../../http/route';
import { SingleFlight } from '../../http/single-flight';
import type { Member } from '../org';
import type { DashboardBoardService } from './board.service';
import type { DashboardExcel } from './dashboards.excel';
import type { DashboardFilter } from './dashboards.reach';
import type { DashboardService } from './dashboards.service';

// Every dashboard and drill-down takes the same filters: a period of local days (default this month;
// penetration: the last policy-many months) and, within the caller's reach, a team or a rep.
const filterFields = {
  from: isoDate('开始日期').optional(),
  to: isoDate('结束日期').optional(),
  teamId: dbId('团队', { coerce: true }).optional(),
  repId: dbId('成员', { coerce: true }).optional(),
};
const pageFields = {
  page: labelled(z.coerce.number().int().min(1).max(100000), '页码').default(1),
  pageSize: labelled(z.coerce.number().int().min(1).max(100), '每页条数').default(20),
};
const filterQuery = z.object(filterFields).strict();
const flag = (label: string) => labelled(z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'), label);
const boardQuery = z
  .object({
    beforeFrom: isoDate('对比前开始日期'), beforeTo: isoDate('对比前结束日期'), afterFrom: isoDate('对比后开始日期'), afterTo: isoDate('对比后结束日期'),
    teamId: filterFields.teamId, repId: filterFields.repId,
  })
  .strict();
const periodsOf = (q: z.output<typeof boardQuery>) => ({ before: { from: q.beforeFrom, to: q.beforeTo }, after: { from: q.afterFrom, to: q.afterTo } });
const month = labelled(z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '格式应为 YYYY-MM'), '月份');

function sendXlsx(ctx: MemberContext, filename: string, body: Buffer) {
  ctx.set('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  ctx.set('Content-Disposition', `attachment; filename="dashboard.xlsx"; filename*=UTF-8''${encodeURIComponent(filename)}`);
  ctx.body = body;
}

const pick = ({ from, to, teamId, repId }: DashboardFilter): DashboardFilter => ({ from, to, teamId, repId });
const page = (q: { page: number; pageSize: number }) => ({ page: q.page, pageSize: q.pageSize });

/**
 * The same member asking the same dashboard with the same query while it is being computed (a wall screen
 * and a phone, a double tap, several tabs) shares that computation: one member's reach and filters decide
 * the answer, so the key is the member, the path and the query.
 */
function coalesced(routes: AnyRoute[]): AnyRoute[] {
  const flights = new SingleFlight();
  return routes.map((r) => {
    if (r.method !== 'get' || r.produces === 'xlsx') return r;
    const handler = r.handler;
    return {
      ...r,
      handler: (ctx: MemberContext, input: { body: unknown; query: unknown }) =>
        flights.run(`${ctx.state.member.id}|${r.path}|${JSON.stringify(input.query)}`, () => handler(ctx, input)),
    } as AnyRoute;
  });
}

export function dashboardRoutes(d: DashboardService, more: DashboardBoardService, excel: DashboardExcel): AnyRoute[] {
  return coalesced(dashboardRouteTable(d, more, excel));
}

function dashboardRouteTable(d: DashboardService, more: DashboardBoardService, excel: DashboardExcel): AnyRoute[] {
  const TAG = '仪表盘';
  /** A dashboard: its numbers (JSON) and its table as .xlsx, one right for both. */
  const board = (path: string, can: Action, summary: string, file: string, response: z.ZodType, numbers: (m: Member, f: DashboardFilter) => Promise<unknown>, xlsx: (m: Member, f: DashboardFilter) => Promise<Buffer>): AnyRoute[] => [
    route({ method: 'get', path: `/dashboards/${path}`, tag: TAG, summary, can, query: filterQuery, response, handler: (ctx, { query }) => numbers(ctx.state.member, pick(query)) }),
    route({
      method: 'get', path: `/dashboards/${path}/export.xlsx`, tag: TAG, summary: `导出：${summary}（.xlsx）`, can, query: filterQuery, produces: 'xlsx',
      handler: async (ctx, { query }) => sendXlsx(ctx, file, await xlsx(ctx.state.member, pick(query))),
    }),
  ];
  return [
    ...board('pipeline', 'dashboards.read', '管道：各阶段客户数与逾期客户数（当前快照，逾期按统一规则）', '管道与逾期客户.xlsx', pipelineDashboardSchema, (m, f) => d.pipeline(m, f), (m, f) => excel.pipeline(m, f)),
    route({
      method: 'get', path: '/dashboards/pipeline/customers', tag: TAG, summary: '管道下钻：某阶段或逾期的客户', can: 'dashboards.read',
      query: z.object({ ...filterFields, ...pageFields, stage: labelled(z.enum(STAGE_CODES), '阶段').optional(), overdue: flag('逾期').optional() }).strict(),
      response: pipelineCustomersSchema,
      handler: (ctx, { query }) => d.pipelineCustomers(ctx.state.member, { ...pick(query), stage: query.stage, overdue: query.overdue }, page(query)),
    }),
    ...board('behaviour', 'dashboards.read', '行为健康热力图：成员 × 拜访目标，平均跟进时长 ÷ 团队均值', '行为健康热力图.xlsx', behaviourDashboardSchema, (m, f) => d.behaviour(m, f), (m, f) => excel.behaviour(m, f)),
    ...board('visit-quality', 'dashboards.read', '拜访质量：痛点摘要平均字数、跟进按时率、假忙标记', '拜访质量.xlsx', visitQualityDashboardSchema, (m, f) => d.visitQuality(m, f), (m, f) => excel.visitQuality(m, f)),
    route({
      method: 'get', path: '/dashboards/visits', tag: TAG, summary: '下钻：统计区间内某成员（或团队）的拜访（可按拜访目标），含跟进时长与是否按时', can: 'dashboards.read',
      query: z.object({ ...filterFields, ...pageFields, objective: labelled(z.string().min(1).max(20), '拜访目标').optional() }).strict(),
      response: dashboardVisitsSchema,
      handler: (ctx, { query }) => d.visits(ctx.state.member, { ...pick(query), objective: query.objective }, page(query)),
    }),
    ...board('penetration', 'dashboards.read', '动作穿透率：关键动作按时完成数 ÷ 应完成数，按月', '动作穿透率.xlsx', penetrationDashboardSchema, (m, f) => d.penetration(m, f), (m, f) => excel.penetration(m, f)),
    route({
      method: 'get', path: '/dashboards/penetration/records', tag: TAG, summary: '动作穿透率下钻：某关键动作某月应完成的每一项', can: 'dashboards.read',
      query: z.object({ ...filterFields, ...pageFields, action: labelled(z.string().min(1).max(40), '关键动作'), month }).strict(),
      response: penetrationRecordsSchema,
      handler: (ctx, { query }) => d.penetrationRecords(ctx.state.member, { ...pick(query), action: query.action, month: query.month }, page(query)),
    }),
    ...board('checkins', 'dashboards.read', '打卡完成热力图：成员 × 日期', '打卡完成率.xlsx', checkinsDashboardSchema, (m, f) => d.checkins(m, f), (m, f) => excel.checkins(m, f)),
    route({
      method: 'get', path: '/dashboards/checkins/records', tag: TAG, summary: '打卡下钻：某成员某天的打卡记录', can: 'dashboards.read',
      query: z.object({ ...filterFields, day: isoDate('日期') }).strict(),
      response: checkinRecordsSchema,
      handler: (ctx, { query }) => d.checkinRecords(ctx.state.member, { ...pick(query), day: query.day }),
    }),
    ...board('word-cloud', 'dashboards.demand.read', '客户需求词云：拜访痛点与早间打卡核心需求的高频词', '客户需求词云.xlsx', wordCloudDashboardSchema, (m, f) => d.wordCloud(m, f), (m, f) => excel.wordCloud(m, f)),
    route({
      method: 'get', path: '/dashboards/word-cloud/records', tag: TAG, summary: '词云下钻：提到该词的拜访与早间打卡', can: 'dashboards.demand.read',
      query: z.object({ ...filterFields, ...pageFields, term: labelled(z.string().trim().min(1).max(20), '词') }).strict(),
      response: wordCloudRecordsSchema,
      handler: (ctx, { query }) => d.wordCloudRecords(ctx.state.member, { ...pick(query), term: query.term }, page(query)),
    }),
    ...board('counters', 'dashboards.demand.read', '业务计数：要求二次报价的客户、签约后询问交付的客户', '业务计数.xlsx', countersDashboardSchema, (m, f) => d.counters(m, f), (m, f) => excel.counters(m, f)),
    route({
      method: 'get', path: '/dashboards/counters/customers', tag: TAG, summary: '业务计数下钻：计入该计数的客户及依据', can: 'dashboards.demand.read',
      query: z.object({ ...filterFields, ...pageFields, counter: labelled(z.enum(DASHBOARD_COUNTERS), '计数') }).strict(),
      response: counterCustomersSchema,
      handler: (ctx, { query }) => d.counterCustomers(ctx.state.member, { ...pick(query), counter: query.counter }, page(query)),
    }),
    ...board('efficiency', 'dashboards.read', '客户接触效率比：有效接触 ÷ 销售工时（工作日历）', '客户接触效率比.xlsx', efficiencyDashboardSchema, (m, f) => more.efficiency(m, f), (m, f) => excel.efficiency(m, f)),
    route({
      method: 'get', path: '/dashboards/efficiency/visits', tag: TAG, summary: '接触效率下钻：统计区间内的拜访及是否为有效接触（effective=true 只列有效接触）', can: 'dashboards.read',
      query: z.object({ ...filterFields, ...pageFields, effective: flag('只看有效接触').optional() }).strict(),
      response: efficiencyVisitsSchema,
      handler: (ctx, { query }) => more.efficiencyVisits(ctx.state.member, { ...pick(query), effective: query.effective }, page(query)),
    }),
    ...board('trends', 'dashboards.read', '趋势：约定动作完成率与打卡完成率，按周（团队、成员）', '约定动作与打卡趋势.xlsx', trendsDashboardSchema, (m, f) => more.trends(m, f), (m, f) => excel.trends(m, f)),
    route({
      method: 'get', path: '/dashboards/agreed-actions', tag: TAG, summary: '约定动作下钻：统计区间内到期的约定动作（按跟进时间）及是否按时完成', can: 'dashboards.read',
      query: z.object({ ...filterFields, ...pageFields }).strict(),
      response: agreedActionRecordsSchema,
      handler: (ctx, { query }) => more.agreedActions(ctx.state.member, pick(query), page(query)),
    }),
    route({
      method: 'get', path: '/dashboards/board', tag: TAG, summary: '董事会对比表：两个区间（前 / 后）的线索触达率、拜访记录完整率、阶段误判率、新人首单天数', can: 'dashboards.read',
      query: boardQuery, response: boardDashboardSchema,
      handler: (ctx, { query }) => more.board(ctx.state.member, periodsOf(query), { teamId: query.teamId, repId: query.repId }),
    }),
    route({
      method: 'get', path: '/dashboards/board/export.xlsx', tag: TAG, summary: '导出：董事会对比表（.xlsx）', can: 'dashboards.read', query: boardQuery, produces: 'xlsx',
      handler: async (ctx, { query }) => sendXlsx(ctx, '董事会对比表.xlsx', await excel.board(ctx.state.member, periodsOf(query), { teamId: query.teamId, repId: query.repId })),
    }),
    route({
      method: 'get', path: '/dashboards/board/records', tag: TAG, summary: '董事会对比表下钻：某一行某一区间背后的记录', can: 'dashboards.read',
      query: z.object({ ...filterFields, ...pageFields, metric: labelled(z.enum(BOARD_METRICS), '指标') }).strict(),
      response: boardRecordsSchema,
      handler: (ctx, { query }) => more.boardRecords(ctx.state.member, { ...pick(query), metric: query.metric }, page(query)),
    }),
  ];
}
