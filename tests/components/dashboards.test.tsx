import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { BehaviourCard, BoardCard, CountersCard, QualityCard } from '../../miniprogram/src/packages/dashboards/cards';
import { periodKeyOf, periodOf, penetrationFilter, pct, hoursText } from '../../miniprogram/src/packages/dashboards/api';
import { saveSession } from '../../miniprogram/src/api/session';
import { fakeNetwork } from './support/taro';

const supervisor = { id: 5, name: '陈主管', phone: '13800000011', role: 'supervisor' as const, teamId: 1, regionId: 1, managerId: 2 };
const cell = (objective: string, visits: number, ratio: number | null, status: string) => ({ objective, visits, avgHours: visits ? 50 : null, teamAvgHours: 40, ratio, status });
const behaviour = {
  from: '2026-11-01', to: '2026-11-20', objectives: ['建立联系', '推进方案'], redAbove: 1.3, minVisits: 3,
  rows: [
    { memberId: 7, name: '王小明', teamId: 1, teamName: '上海一组', cells: [cell('建立联系', 4, 1.41, 'red'), cell('推进方案', 2, 0.8, 'too_few')] },
    { memberId: 8, name: '李娜', teamId: 1, teamName: '上海一组', cells: [cell('建立联系', 3, 0.9, 'normal'), cell('推进方案', 0, null, 'none')] },
    { memberId: 5, name: '陈主管', teamId: 1, teamName: '上海一组', cells: [cell('建立联系', 0, null, 'none'), cell('推进方案', 0, null, 'none')] },
  ],
};
const filter = { from: '2026-11-01', to: '2026-11-20' };

function answer(routes: Record<string, unknown>) {
  const asked: string[] = [];
  fakeNetwork.handler = (req) => {
    const url = req.url.replace(/^.*\/api\/v1/, '');
    asked.push(url);
    const path = url.split('?')[0]!;
    return path in routes ? { statusCode: 200, data: routes[path] } : { statusCode: 404, data: { error: { message: '未配置' } } };
  };
  return asked;
}

beforeEach(() => {
  fakeNetwork.reset();
  saveSession({ token: 't', expiresAt: null, member: supervisor });
});

describe('仪表盘 cards', () => {
  it('the heatmap: red above the policy, 样本不足 uncoloured, idle members left out and said so; a cell opens its visits', async () => {
    const asked = answer({ '/dashboards/behaviour': behaviour });
    render(<BehaviourCard filter={filter} />);
    await waitFor(() => expect(document.querySelector('#heat-7-0')).not.toBeNull());
    expect(asked[0]).toBe('/dashboards/behaviour?from=2026-11-01&to=2026-11-20');
    expect(document.querySelector('#heat-7-0')!.className).toContain('heat__cell--red');
    expect(document.querySelector('#heat-7-0')!.textContent).toContain('1.41');
    expect(document.querySelector('#heat-7-1')!.className).toContain('heat__cell--too_few');
    expect(document.querySelector('#heat-7-1')!.textContent).toContain('样本不足');
    expect(document.querySelector('#heat-8-1')!.className).toContain('heat__cell--none');
    expect(document.querySelector('#behaviour-red-count')!.textContent).toContain('1 个红格');
    expect(document.querySelector('#heat-5-0')).toBeNull();
    expect(screen.getByText('另有 1 位成员本期没有拜访，未列出')).toBeTruthy();

    fireEvent.click(document.querySelector('#heat-7-0')!);
    const url = fakeNetwork.navigations[0]!;
    expect(url.startsWith('/packages/dashboards/drill/index?')).toBe(true);
    const q = new URLSearchParams(url.split('?')[1]);
    expect(Object.fromEntries(q)).toEqual({ kind: 'visits', title: '王小明 · 建立联系的拜访', from: '2026-11-01', to: '2026-11-20', repId: '7', objective: '建立联系' });
    // an empty cell leads nowhere
    fireEvent.click(document.querySelector('#heat-8-1')!);
    expect(fakeNetwork.navigations).toHaveLength(1);
  });

  it('an empty period says why', async () => {
    answer({ '/dashboards/behaviour': { ...behaviour, rows: behaviour.rows.map((r) => ({ ...r, cells: r.cells.map((c) => ({ ...c, visits: 0, status: 'none', ratio: null })) })) } });
    render(<BehaviourCard filter={filter} />);
    expect((await screen.findByText('11-01 至 11-20 没有提交的拜访，热力图为空', { exact: false })).textContent).toBeTruthy();
  });

  it('a counter of nought is not a link and says what it would count', async () => {
    answer({ '/dashboards/counters': { ...filter, counters: [{ counter: 'second_quote', label: '本期要求二次报价的客户', customers: 0 }, { counter: 'delivery_ask', label: '签约后不久即询问交付的客户', customers: 2 }] } });
    render(<CountersCard filter={filter} />);
    await waitFor(() => expect(document.querySelector('#counter-second_quote')).not.toBeNull());
    expect(document.querySelector('#counter-second_quote')!.textContent).toContain('没有：拜访中客户提出重新报价');
    fireEvent.click(document.querySelector('#counter-second_quote')!);
    expect(fakeNetwork.navigations).toHaveLength(0);
    fireEvent.click(document.querySelector('#counter-delivery_ask')!);
    expect(fakeNetwork.navigations[0]).toContain('kind=counters');
    expect(fakeNetwork.navigations[0]).toContain('counter=delivery_ask');
  });
});

describe('仪表盘: the later numbers', () => {
  const qrow = (memberId: number, name: string, visits: number, due: number, done: number, realPush: boolean) => ({
    memberId, name, teamId: 1, teamName: '上海一组', visits, avgPainChars: 20, followUpsDue: 2, followUpsOnTime: 1, followUpOnTimeRate: 0.5, teamMedianVisits: 3, fakeBusy: false,
    agreedActionsDue: due, agreedActionsDone: done, agreedActionCompletionRate: due ? done / due : null, realPush,
  });
  it('quality: the agreed-action completion (done/due) opens the agreed actions, not the row\'s visits; 真推进 beside the name', async () => {
    answer({ '/dashboards/visit-quality': { ...filter, fakeBusyPainChars: 15, followUpGraceHours: 12, realPushAbove: 0.92, notYetMeasured: [], rows: [qrow(7, '王小明', 4, 4, 4, true), qrow(8, '李娜', 0, 3, 1, false), qrow(9, '张三', 0, 0, 0, false)] } });
    render(<QualityCard filter={filter} />);
    await waitFor(() => expect(document.querySelector('#agreed-7')).not.toBeNull());
    expect(document.querySelector('#agreed-7')!.textContent).toContain('100%');
    expect(document.querySelector('#agreed-7')!.textContent).toContain('4/4');
    expect(document.querySelector('#realpush-7')!.textContent).toBe('真推进');
    // no visit this period but agreed actions falling due: still a row, the rate marked as below the bar
    expect(document.querySelector('#agreed-8')!.className).toContain('dash-bad');
    expect(document.querySelector('#realpush-8')).toBeNull();
    expect(document.querySelector('#quality-9')).toBeNull();
    fireEvent.click(document.querySelector('#agreed-8')!);
    expect(fakeNetwork.navigations).toHaveLength(1);
    expect(Object.fromEntries(new URLSearchParams(fakeNetwork.navigations[0]!.split('?')[1]))).toEqual({ kind: 'agreed-actions', title: '李娜的约定动作', from: '2026-11-01', to: '2026-11-20', repId: '8' });
  });

  it('the board table: four rows, change green when better and red when worse, each side drilling to its records', async () => {
    const side = (from: string, to: string, value: number | null, numerator: number, denominator: number) => ({ from, to, value, numerator, denominator, drillDown: '' });
    const row = (metric: string, label: string, unit: string, better: string, b: number | null, a: number | null, change: number | null, improved: boolean | null) => ({
      metric, label, unit, better, before: side('2026-10-01', '2026-10-31', b, 3, b === null ? 0 : 4), after: side('2026-11-01', '2026-11-20', a, 2, a === null ? 0 : 4), change, improved,
    });
    const asked = answer({
      '/dashboards/board': {
        newRepDays: 90,
        rows: [
          row('lead_touch', '线索 48 小时内触达率', 'rate', 'up', 0.75, 0.5, -0.25, false),
          row('record_completeness', '拜访记录完整率', 'rate', 'up', 0.5, 0.75, 0.25, true),
          row('stage_misjudgment', '阶段误判率', 'rate', 'down', 0.5, 0.25, -0.25, true),
          row('new_rep_days', '新人首单天数', 'days', 'down', null, 30, null, null),
        ],
      },
    });
    render(<BoardCard filter={filter} />);
    await waitFor(() => expect(document.querySelectorAll('#board-table .btable__row')).toHaveLength(4));
    expect(asked[0]).toMatch(/^\/dashboards\/board\?beforeFrom=\d{4}-\d{2}-01&beforeTo=/);
    expect(document.querySelector('#board-lead_touch-change')!.className).toContain('btable__change--worse');
    expect(document.querySelector('#board-lead_touch-change')!.textContent).toBe('−25个百分点');
    expect(document.querySelector('#board-stage_misjudgment-change')!.className).toContain('btable__change--better');
    expect(document.querySelector('#board-new_rep_days-change')!.className).not.toMatch(/better|worse/);
    expect(document.querySelector('#board-new_rep_days-after')!.textContent).toContain('30 天');
    // a side with nothing behind it leads nowhere
    fireEvent.click(document.querySelector('#board-new_rep_days-before')!);
    expect(fakeNetwork.navigations).toHaveLength(0);
    fireEvent.click(document.querySelector('#board-record_completeness-after')!);
    const q = Object.fromEntries(new URLSearchParams(fakeNetwork.navigations[0]!.split('?')[1]));
    expect(q).toMatchObject({ kind: 'board', metric: 'record_completeness', from: '2026-11-01', to: '2026-11-20' });
  });
});

describe('仪表盘 periods', () => {
  it('本周 from Monday, 本月 from the 1st, 上月 whole; a preset is recognised, anything else is 自定义', () => {
    expect(periodOf('week', '2026-11-20')).toEqual({ from: '2026-11-16', to: '2026-11-20' }); // a Friday
    expect(periodOf('week', '2026-11-22')).toEqual({ from: '2026-11-16', to: '2026-11-22' }); // a Sunday
    expect(periodOf('month', '2026-11-20')).toEqual({ from: '2026-11-01', to: '2026-11-20' });
    expect(periodOf('lastMonth', '2026-03-05')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(periodOf('lastMonth', '2026-01-10')).toEqual({ from: '2025-12-01', to: '2025-12-31' });
    expect(periodKeyOf({ from: '2026-11-01', to: '2026-11-20' }, '2026-11-20')).toBe('month');
    expect(periodKeyOf({ from: '2026-11-02', to: '2026-11-20' }, '2026-11-20')).toBe('custom');
    // penetration: the six months up to the period's end
    expect(penetrationFilter({ from: '2026-11-16', to: '2026-11-20', teamId: 2 })).toEqual({ from: '2026-06-01', to: '2026-11-20', teamId: 2 });
    expect(pct(0.8456)).toBe('84.6%');
    expect(pct(1)).toBe('100%');
    expect(pct(null)).toBe('—');
    expect(hoursText(30)).toBe('30 小时');
    expect(hoursText(76)).toBe('3.2 天');
  });
});
