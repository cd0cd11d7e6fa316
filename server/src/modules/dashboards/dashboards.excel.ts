import { excel } from '../../excel';
import type { Member } from '../org';
import type { BoardPeriods, DashboardBoardService } from './board.service';
import type { DashboardFilter } from './dashboards.reach';
import type { DashboardService } from './dashboards.service';

type Cell = string | number | null;
interface Sheet {
  name: string;
  header: string[];
  rows: Cell[][];
}

const pct = (r: number | null) => (r === null ? null : Math.round(r * 1000) / 10);
/** As many rows as a drill-down page gives, enough for a region's overdue list in one file. */
const ALL = { page: 1, pageSize: 10_000 };

async function workbook(sheets: Sheet[]): Promise<Buffer> {
  const wb = new (excel().Workbook)();
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name);
    ws.addRow(s.header).font = { bold: true };
    for (const r of s.rows) ws.addRow(r);
    ws.columns.forEach((c) => (c.width = 14));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const HEAT_STATUS: Record<string, string> = { red: '偏慢', normal: '正常', too_few: '样本不足', none: '' };

/** Each dashboard's table as an .xlsx, over the same reach and period as the dashboard itself. */
export class DashboardExcel {
  constructor(
    private readonly dashboards: DashboardService,
    private readonly more: DashboardBoardService,
  ) {}

  async pipeline(caller: Member, filter: DashboardFilter): Promise<Buffer> {
    const p = await this.dashboards.pipeline(caller, filter);
    const overdue = await this.dashboards.pipelineCustomers(caller, { ...filter, overdue: true }, ALL);
    return workbook([
      { name: '阶段分布', header: ['阶段', '客户数', '其中逾期'], rows: [...p.stages.map((s) => [s.label, s.customers, s.overdue]), ['合计', p.total, p.overdue]] },
      { name: '逾期客户', header: ['客户', '阶段', '负责人', '最近跟进'], rows: overdue.items.map((c) => [c.name, c.stageLabel, c.ownerName, c.lastFollowUpAt]) },
    ]);
  }

  async behaviour(caller: Member, filter: DashboardFilter): Promise<Buffer> {
    const b = await this.dashboards.behaviour(caller, filter);
    return workbook([{
      name: '行为健康',
      header: ['成员', '团队', ...b.objectives.flatMap((o) => [`${o} 倍数`, `${o} 拜访数`, `${o} 平均跟进小时`, `${o} 状态`])],
      rows: b.rows.map((r) => [r.name, r.teamName, ...r.cells.flatMap((c) => [c.ratio, c.visits, c.avgHours, HEAT_STATUS[c.status] ?? ''])]),
    }]);
  }

  async visitQuality(caller: Member, filter: DashboardFilter): Promise<Buffer> {
    const q = await this.dashboards.visitQuality(caller, filter);
    return workbook([{
      name: '拜访质量',
      header: ['成员', '团队', '拜访数', '痛点摘要平均字数', '到期跟进', '按时跟进', '跟进按时率 %', '团队拜访数中位数', '假忙', '到期约定动作', '按时完成', '约定动作完成率 %', '真推进'],
      rows: q.rows.map((r) => [
        r.name, r.teamName, r.visits, r.avgPainChars, r.followUpsDue, r.followUpsOnTime, pct(r.followUpOnTimeRate), r.teamMedianVisits, r.fakeBusy ? '是' : '',
        r.agreedActionsDue, r.agreedActionsDone, pct(r.agreedActionCompletionRate), r.realPush ? '是' : '',
      ]),
    }]);
  }

  async penetration(caller: Member, filter: DashboardFilter): Promise<Buffer> {
    const p = await this.dashboards.penetration(caller, filter);
    return workbook([{
      name: '动作穿透率',
      header: ['关键动作', '月份', '应完成', '按时完成', '穿透率 %', '连续两月达标'],
      rows: p.actions.flatMap((a) => a.months.map((m) => [a.label, m.month, m.due, m.done, pct(m.rate), m.marked ? '是' : ''])),
    }]);
  }

  async checkins(caller: Member, filter: DashboardFilter): Promise<Buffer> {
    const c = await this.dashboards.checkins(caller, filter);
    return workbook([{
      name: '打卡完成率',
      header: ['成员', '团队', ...c.days],
      rows: c.rows.map((r) => [r.name, r.teamName, ...r.cells.map((x) => pct(x.completion))]),
    }]);
  }

  async wordCloud(caller: Member, filter: DashboardFilter): Promise<Buffer> {
    const w = await this.dashboards.wordCloud(caller, filter);
    return workbook([{ name: '客户需求词云', header: ['词', '提及次数'], rows: w.terms.map((t) => [t.term, t.count]) }]);
  }

  async counters(caller: Member, filter: DashboardFilter): Promise<Buffer> {
    const c = await this.dashboards.counters(caller, filter);
    const sheets: Sheet[] = [{ name: '业务计数', header: ['计数', '客户数'], rows: c.counters.map((x) => [x.label, x.customers]) }];
    for (const x of c.counters) {
      const list = await this.dashboards.counterCustomers(caller, { ...filter, counter: x.counter }, ALL);
      sheets.push({
        name: x.counter === 'second_quote' ? '二次报价客户' : '签约后询问交付',
        header: ['客户', '负责人', '时间', '依据'],
        rows: list.items.flatMap((i) => i.evidence.map((e) => [i.customerName, i.ownerName, e.at, e.reason === 'quote_again' ? '再次进入报价' : e.text])),
      });
    }
    return workbook(sheets);
  }

  async efficiency(caller: Member, filter: DashboardFilter): Promise<Buffer> {
    const e = await this.more.efficiency(caller, filter);
    return workbook([{
      name: '客户接触效率比',
      header: ['成员', '团队', '拜访数', '有效接触', '工作日', '销售工时', '每小时有效接触'],
      rows: [...e.rows.map((r) => [r.name, r.teamName, r.visits, r.effectiveContacts, r.workingDays, r.salesHours, r.perHour]), ['合计', null, e.total.visits, e.total.effectiveContacts, null, e.total.salesHours, e.total.perHour]],
    }]);
  }

  async trends(caller: Member, filter: DashboardFilter): Promise<Buffer> {
    const t = await this.more.trends(caller, filter);
    const header = ['', '', ...t.weeks.map((w) => `${w.from}~${w.to}`)];
    const line = (name: string, team: string | null, series: Array<{ rate: number | null }>): Cell[] => [name, team, ...series.map((x) => pct(x.rate))];
    return workbook([
      { name: '约定动作完成率', header: ['成员/团队', '团队', ...header.slice(2)], rows: [line('全部', null, t.total.agreedActions), ...t.teams.map((x) => line(x.teamName ?? '无团队', x.teamName, x.agreedActions)), ...t.reps.map((x) => line(x.name, x.teamName, x.agreedActions))] },
      { name: '打卡完成率', header: ['成员/团队', '团队', ...header.slice(2)], rows: [line('全部', null, t.total.checkins), ...t.teams.map((x) => line(x.teamName ?? '无团队', x.teamName, x.checkins)), ...t.reps.map((x) => line(x.name, x.teamName, x.checkins))] },
    ]);
  }

  async board(caller: Member, periods: BoardPeriods, filter: Pick<DashboardFilter, 'teamId' | 'repId'>): Promise<Buffer> {
    const b = await this.more.board(caller, periods, filter);
    const value = (unit: string, v: number | null) => (unit === 'rate' ? pct(v) : v);
    const first = b.rows[0]!;
    return workbook([{
      name: '董事会对比表',
      header: ['指标', `对比前 ${first.before.from}~${first.before.to}`, `对比后 ${first.after.from}~${first.after.to}`, '变化', '改善', '对比前（分子/分母）', '对比后（分子/分母）'],
      rows: b.rows.map((r) => [
        r.unit === 'rate' ? `${r.label} %` : `${r.label}（天）`, value(r.unit, r.before.value), value(r.unit, r.after.value), value(r.unit, r.change),
        r.improved === null ? '' : r.improved ? '是' : '否', `${r.before.numerator}/${r.before.denominator}`, `${r.after.numerator}/${r.after.denominator}`,
      ]),
    }]);
  }
}
