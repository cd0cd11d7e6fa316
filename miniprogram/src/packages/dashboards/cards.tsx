import type { ReactNode } from 'react'
import { useState } from 'react'
import { Button, Picker, ScrollView, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import type { BehaviourDashboard, BoardDashboard, CheckinsDashboard, EfficiencyDashboard, TrendsDashboard, CountersDashboard, PenetrationDashboard, PipelineDashboard, VisitQualityDashboard, WordCloudDashboard } from '@anchor/shared'
import { api, errorMessage } from '../../api/client'
import { todayLocal } from '../../utils/time'
import { useRequest } from '../../api/use-request'
import { goTo } from '../../utils/nav'
import { useConsoleLayout } from '../../components/console-nav'
import { Chart } from './chart'
import { boardQuery, defaultBoardPeriods, exportXlsx, filterQuery, getBoard, hoursText, pct, penetrationFilter, perHourText, periodText, type BoardPeriods, type DashFilter } from './api'

/** Where a number leads: the drill-down list with the page's filters and what the number counts. */
export function drill(kind: string, title: string, f: DashFilter, extra: Record<string, string | number> = {}) {
  void goTo('dashboardDrill', { kind, title, from: f.from, to: f.to, teamId: f.teamId, repId: f.repId, ...extra })
}

/** 导出 Excel for one dashboard: the same filters, its table. */
function ExportButton(props: { board: string; query: Record<string, string | number | undefined>; file: string }) {
  const [busy, setBusy] = useState(false)
  const run = async () => {
    setBusy(true)
    try {
      await exportXlsx(props.board, props.query, props.file)
    } catch (e) {
      void Taro.showToast({ title: errorMessage(e), icon: 'none' })
    } finally {
      setBusy(false)
    }
  }
  return (
    <Button id={`export-${props.board}`} className='btn btn--small dash-card__export' disabled={busy} onClick={() => void run()}>
      {busy ? '导出中…' : '导出 Excel'}
    </Button>
  )
}

/** A dashboard's card: title, what it measures, 导出 Excel, then its chart or why there is none. */
function Card(props: { id: string; title: string; note?: string; board: string; file: string; filter: DashFilter; query?: Record<string, string | number | undefined>; wide?: boolean; children: ReactNode }) {
  return (
    <View className={`card dash-card ${props.wide ? 'dash-card--wide' : ''}`} id={props.id}>
      <View className='row row--between dash-card__head'>
        <Text className='dash-card__title'>{props.title}</Text>
        <ExportButton board={props.board} query={props.query ?? filterQuery(props.filter)} file={props.file} />
      </View>
      {props.note ? <Text className='muted dash-card__note'>{props.note}</Text> : null}
      {props.children}
    </View>
  )
}

/** Loading, failure (with 重试) or the chart. */
function Loaded<T>(props: { id: string; state: { data: T | null; error: string; loading: boolean; reload: () => void }; children: (data: T) => ReactNode }) {
  const { data, error, loading, reload } = props.state
  if (error)
    return (
      <View className='state state--error dash-card__state' id={`${props.id}-error`}>
        <Text>{error}</Text>
        <Button className='btn btn--small' onClick={reload}>重试</Button>
      </View>
    )
  if (!data) return <View className='state dash-card__state'>{loading ? '加载中…' : ''}</View>
  return <View className={loading ? 'dash-card__body dash-card__body--stale' : 'dash-card__body'}>{props.children(data)}</View>
}

export const Empty = (props: { id: string; children: ReactNode }) => (
  <View className='state dash-empty' id={props.id}>
    {props.children}
  </View>
)

const key = (f: DashFilter) => `${f.from}|${f.to}|${f.teamId ?? ''}|${f.repId ?? ''}`
const STAGE_COLOURS = ['#91caff', '#4096ff', '#1677ff', '#fa8c16', '#52c41a', '#237804']

// ── pipeline ────────────────────────────────────────────────────────────────────────────────────
export function PipelineCard(props: { filter: DashFilter }) {
  const f = props.filter
  const s = useRequest(() => getBoard<PipelineDashboard>('pipeline', f), [key(f)])
  return (
    <Card id='dash-pipeline' title='客户管道' board='pipeline' file='管道与逾期客户.xlsx' filter={f} note='当前各阶段客户数（快照，不随期间变化）；点阶段或数字看客户'>
      <Loaded id='dash-pipeline' state={s}>
        {(d) =>
          d.total === 0 ? (
            <Empty id='dash-pipeline-empty'>范围内还没有客户</Empty>
          ) : (
            <View className='dash-pipeline'>
              <View className='dash-overdue console-clickable' id='pipeline-overdue' onClick={() => drill('pipeline', '逾期客户', f, { overdue: 'true' })}>
                <Text className='dash-overdue__num'>{d.overdue}</Text>
                <Text className='dash-overdue__label'>
                  位客户逾期未跟进（超过 {d.overdueRule.days} 天，签约/交付除外）›
                </Text>
              </View>
              <View className='dash-pipeline__body'>
                <View className='dash-pipeline__chart'>
                  <Chart
                    id='chart-pipeline'
                    height={220}
                    option={{
                      color: STAGE_COLOURS,
                      tooltip: { trigger: 'item', formatter: '{b}：{c} 位（{d}%）' },
                      title: undefined,
                      // the numbers are in the list beside it: slice labels would crowd a small donut
                      series: [{ type: 'pie', radius: ['50%', '80%'], label: { show: false }, data: d.stages.map((st) => ({ name: st.label, value: st.customers })) }],
                    }}
                    onPick={(e) => {
                      const st = d.stages[e.dataIndex]
                      if (st) drill('pipeline', `${st.label}阶段的客户`, f, { stage: st.stage })
                    }}
                  />
                  <Text className='dash-pipeline__total'>共 {d.total} 位</Text>
                </View>
                <View className='dash-stages'>
                  {d.stages.map((st, i) => (
                    <View key={st.stage} className='row row--between dash-stage console-clickable' id={`pipeline-stage-${st.stage}`} onClick={() => drill('pipeline', `${st.label}阶段的客户`, f, { stage: st.stage })}>
                      <Text className='dash-stage__name'>
                        <Text className='dash-dot' style={{ background: STAGE_COLOURS[i] }} />
                        {st.label}
                      </Text>
                      <Text className='dash-stage__num'>
                        {st.customers} 位{st.overdue ? <Text className='dash-stage__overdue'> · 逾期 {st.overdue}</Text> : null} ›
                      </Text>
                    </View>
                  ))}
                </View>
              </View>
            </View>
          )
        }
      </Loaded>
    </Card>
  )
}

// ── behaviour-health heatmap ────────────────────────────────────────────────────────────────────
export function BehaviourCard(props: { filter: DashFilter }) {
  const f = props.filter
  const s = useRequest(() => getBoard<BehaviourDashboard>('behaviour', f), [key(f)])
  return (
    <Card id='dash-behaviour' title='行为健康热力图' board='behaviour' file='行为健康热力图.xlsx' filter={f} wide>
      <Loaded id='dash-behaviour' state={s}>
        {(d) => {
          const active = d.rows.filter((r) => r.cells.some((c) => c.visits > 0))
          const idle = d.rows.length - active.length
          const red = active.reduce((n, r) => n + r.cells.filter((c) => c.status === 'red').length, 0)
          return (
            <View>
              <Text className='muted dash-card__note'>
                格内 = 该成员此类拜访的平均跟进时长 ÷ 团队均值；高于 {d.redAbove} 标红（跟进偏慢），少于 {d.minVisits} 次拜访为「样本不足」。点格子看拜访。
              </Text>
              {active.length === 0 ? (
                <Empty id='dash-behaviour-empty'>{periodText(d)} 没有提交的拜访，热力图为空</Empty>
              ) : (
                <View>
                  <Text className={`dash-summary ${red ? 'dash-summary--bad' : ''}`} id='behaviour-red-count'>
                    {red ? `${red} 个红格：这些成员在这类拜访后跟进明显慢于团队` : '没有红格：各成员跟进速度与团队相当'}
                  </Text>
                  <ScrollView scrollX className='dash-scroll'>
                    <View className='heat' style={{ gridTemplateColumns: `minmax(56px, 1.2fr) repeat(${d.objectives.length}, minmax(52px, 1fr))` }}>
                      <Text className='heat__corner'>成员</Text>
                      {d.objectives.map((o) => (
                        <Text key={o} className='heat__head'>{o}</Text>
                      ))}
                      {active.map((r) => [
                        <Text key={`n${r.memberId}`} className='heat__name'>{r.name}</Text>,
                        ...r.cells.map((c) => (
                          <View
                            key={`${r.memberId}-${c.objective}`}
                            id={`heat-${r.memberId}-${d.objectives.indexOf(c.objective)}`}
                            className={`heat__cell heat__cell--${c.status} ${c.visits ? 'console-clickable' : ''}`}
                            onClick={() => {
                              if (c.visits) drill('visits', `${r.name} · ${c.objective}的拜访`, { ...f, repId: r.memberId }, { objective: c.objective })
                            }}
                          >
                            <Text className='heat__ratio'>{c.status === 'none' ? '—' : c.ratio === null ? '—' : c.ratio.toFixed(2)}</Text>
                            <Text className='heat__sub'>
                              {c.status === 'too_few' ? '样本不足' : c.visits ? `${c.visits} 次` : ''}
                              {c.status !== 'too_few' && c.visits ? <Text className='heat__sub-extra'> · {hoursText(c.avgHours)}</Text> : null}
                            </Text>
                          </View>
                        )),
                      ])}
                    </View>
                  </ScrollView>
                  {idle ? <Text className='muted dash-card__note'>另有 {idle} 位成员本期没有拜访，未列出</Text> : null}
                </View>
              )}
            </View>
          )
        }}
      </Loaded>
    </Card>
  )
}

// ── visit quality ───────────────────────────────────────────────────────────────────────────────
const NOT_YET: Record<string, string> = { agreedActionCompletionRate: '约定动作完成率', realPush: '「真推进」标记' }
/** A rate over its count, stacked so five columns fit a phone: '83%' above '5/6'; nothing due: '—'. */
function RateCell(props: { id?: string; rate: number | null; done: number; due: number; bad?: boolean; onPick?: () => void }) {
  if (!props.due) return <Text className='qtable__num'>—</Text>
  return (
    <View
      id={props.id}
      className={`qtable__num qtable__rate ${props.onPick ? 'console-clickable qtable__rate--tap' : ''} ${props.bad ? 'dash-bad' : ''}`}
      onClick={(e) => {
        if (!props.onPick) return
        e.stopPropagation()
        props.onPick()
      }}
    >
      <Text>{pct(props.rate, 0)}</Text>
      <Text className='ptable__sub'>{props.done}/{props.due}{props.onPick ? ' ›' : ''}</Text>
    </View>
  )
}
export function QualityCard(props: { filter: DashFilter }) {
  const f = props.filter
  const s = useRequest(() => getBoard<VisitQualityDashboard>('visit-quality', f), [key(f)])
  return (
    <Card id='dash-quality' title='拜访质量' board='visit-quality' file='拜访质量.xlsx' filter={f}>
      <Loaded id='dash-quality' state={s}>
        {(d) => {
          // a member with no visit in the period may still have agreed actions falling due in it
          const rows = d.rows.filter((r) => r.visits > 0 || r.agreedActionsDue > 0)
          return (
            <View>
              <Text className='muted dash-card__note'>
                「假忙」= 拜访数高于团队中位数且痛点摘要平均不足 {d.fakeBusyPainChars} 字；跟进按时 = 承诺的下次跟进 {d.followUpGraceHours} 小时内有记录；约定动作完成 = 到期的约定动作在跟进时间前标记完成，高于 {pct(d.realPushAbove, 0)} 标「真推进」。点一行看拜访，点完成率看约定动作。
              </Text>
              {rows.length === 0 ? (
                <Empty id='dash-quality-empty'>{periodText(d)} 没有提交的拜访</Empty>
              ) : (
                <View className='qtable'>
                  <View className='row qtable__head'>
                    <Text className='qtable__name'>成员</Text>
                    <Text className='qtable__num'>拜访</Text>
                    <Text className='qtable__num'>痛点字数</Text>
                    <Text className='qtable__num'>跟进按时</Text>
                    <Text className='qtable__num'>约定动作</Text>
                  </View>
                  {rows.map((r) => (
                    <View key={r.memberId} className='row qtable__row console-clickable' id={`quality-${r.memberId}`} onClick={() => drill('visits', `${r.name}的拜访`, { ...f, repId: r.memberId })}>
                      <View className='qtable__name'>
                        <Text className='qtable__who'>{r.name}</Text>
                        {r.fakeBusy ? <Text className='dash-flag dash-flag--bad'>假忙</Text> : null}
                        {r.realPush ? <Text className='dash-flag dash-flag--good' id={`realpush-${r.memberId}`}>真推进</Text> : null}
                      </View>
                      <Text className='qtable__num'>{r.visits}</Text>
                      <Text className={`qtable__num ${r.avgPainChars !== null && r.avgPainChars < d.fakeBusyPainChars ? 'dash-bad' : ''}`}>{r.avgPainChars ?? '—'}</Text>
                      <RateCell rate={r.followUpOnTimeRate} done={r.followUpsOnTime} due={r.followUpsDue} />
                      <RateCell
                        id={`agreed-${r.memberId}`}
                        rate={r.agreedActionCompletionRate}
                        done={r.agreedActionsDone}
                        due={r.agreedActionsDue}
                        bad={r.agreedActionCompletionRate !== null && r.agreedActionCompletionRate < d.realPushAbove}
                        onPick={() => drill('agreed-actions', `${r.name}的约定动作`, { ...f, repId: r.memberId })}
                      />
                    </View>
                  ))}
                </View>
              )}
              {d.notYetMeasured.length ? <Text className='muted dash-card__note'>{d.notYetMeasured.map((n) => NOT_YET[n] ?? n).join('、')}：待「约定动作完成」记录上线后显示</Text> : null}
            </View>
          )
        }}
      </Loaded>
    </Card>
  )
}

// ── contact efficiency ──────────────────────────────────────────────────────────────────────────
export function EfficiencyCard(props: { filter: DashFilter }) {
  const f = props.filter
  const s = useRequest(() => getBoard<EfficiencyDashboard>('efficiency', f), [key(f)])
  return (
    <Card id='dash-efficiency' title='接触效率' board='efficiency' file='客户接触效率比.xlsx' filter={f}>
      <Loaded id='dash-efficiency' state={s}>
        {(d) => {
          const rows = d.rows.filter((r) => r.workingDays > 0)
          const best = Math.max(0, ...rows.map((r) => r.perHour ?? 0))
          return (
            <View>
              <Text className='muted dash-card__note'>
                有效接触（有拜访目标、约定动作与下次跟进时间、客户反馈积极的拜访）÷ 销售工时（工作日 × {d.hoursPerDay} 小时）。点一行看有效接触。
              </Text>
              {rows.length === 0 ? (
                <Empty id='dash-efficiency-empty'>{periodText(d)} 没有工作日</Empty>
              ) : (
                <View>
                  <View className='dash-total console-clickable' id='efficiency-total' onClick={() => drill('efficiency', '有效接触', f, { effective: 'true' })}>
                    <Text className='dash-total__num'>{perHourText(d.total.perHour)}</Text>
                    <Text className='dash-total__label'>
                      {d.total.effectiveContacts} 次有效接触 ÷ {d.total.salesHours} 销售工时（共 {d.total.visits} 次拜访）›
                    </Text>
                  </View>
                  <View className='qtable'>
                    <View className='row qtable__head'>
                      <Text className='qtable__name'>成员</Text>
                      <Text className='qtable__num'>有效/拜访</Text>
                      <Text className='qtable__num'>工时</Text>
                      <Text className='qtable__num qtable__num--wide'>每小时</Text>
                    </View>
                    {rows.map((r) => (
                      <View key={r.memberId} className='row qtable__row console-clickable' id={`efficiency-${r.memberId}`} onClick={() => drill('efficiency', `${r.name}的有效接触`, { ...f, repId: r.memberId }, { effective: 'true' })}>
                        <Text className='qtable__name'>{r.name}</Text>
                        <Text className='qtable__num'>{r.effectiveContacts}/{r.visits}</Text>
                        <Text className='qtable__num'>{r.salesHours}</Text>
                        <View className='qtable__num qtable__num--wide qtable__bar'>
                          <View className='qtable__barfill' style={{ width: `${best && r.perHour ? Math.round((r.perHour / best) * 100) : 0}%` }} />
                          <Text className='qtable__barnum'>{r.perHour === null ? '—' : perHourText(r.perHour).replace(' 次/小时', '')}</Text>
                        </View>
                      </View>
                    ))}
                  </View>
                </View>
              )}
            </View>
          )
        }}
      </Loaded>
    </Card>
  )
}

// ── weekly trends ───────────────────────────────────────────────────────────────────────────────
const TREND_COLOURS = ['#1677ff', '#52c41a']
const asPct = (r: number | null) => (r === null ? null : Math.round(r * 1000) / 10)
export function TrendsCard(props: { filter: DashFilter }) {
  const f = props.filter
  const s = useRequest(() => getBoard<TrendsDashboard>('trends', f), [key(f)])
  return (
    <Card id='dash-trends' title='趋势' board='trends' file='约定动作与打卡趋势.xlsx' filter={f}>
      <Loaded id='dash-trends' state={s}>
        {(d) => {
          const aa = d.total.agreedActions
          const ck = d.total.checkins
          const any = aa.some((w) => w.due > 0) || ck.some((w) => w.rows > 0)
          const label = (w: { from: string; to: string }) => `${Number(w.from.slice(5, 7))}/${Number(w.from.slice(8))}`
          const last = d.weeks.length - 1
          return (
            <View>
              <Text className='muted dash-card__note'>按周（周一至周日）：约定动作按时完成率、打卡完成率。点约定动作的点看当周的约定动作。</Text>
              {!any ? (
                <Empty id='dash-trends-empty'>{periodText(d)} 没有到期的约定动作，也没有应打卡的记录</Empty>
              ) : (
                <View>
                  <View className='row dash-trend-now'>
                    <Text className='dash-trend-now__item'>最近一周（{label(d.weeks[last]!)} 起）</Text>
                    <Text className='dash-trend-now__item' id='trend-agreed-now'>
                      约定动作 <Text className='dash-trend-now__num'>{aa[last]?.due ? pct(aa[last]!.rate, 0) : '—'}</Text>
                    </Text>
                    <Text className='dash-trend-now__item' id='trend-checkins-now'>
                      打卡 <Text className='dash-trend-now__num'>{ck[last]?.rows ? pct(ck[last]!.rate, 0) : '—'}</Text>
                    </Text>
                  </View>
                  <Chart
                    id='chart-trends'
                    height={220}
                    option={{
                      color: TREND_COLOURS,
                      tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null || v === undefined ? '无' : `${v}%`) },
                      legend: { top: 0, textStyle: { fontSize: 12 } },
                      grid: { left: 40, right: 12, top: 36, bottom: 24 },
                      xAxis: { type: 'category', data: d.weeks.map(label) },
                      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
                      series: [
                        { name: '约定动作完成率', type: 'line', connectNulls: false, symbolSize: 8, data: aa.map((w) => asPct(w.rate)) },
                        { name: '打卡完成率', type: 'line', connectNulls: false, symbolSize: 8, data: ck.map((w) => asPct(w.rate)) },
                      ],
                    }}
                    onPick={(e) => {
                      const w = d.weeks[e.dataIndex]
                      if (w && e.seriesIndex === 0 && aa[e.dataIndex]?.due) drill('agreed-actions', `${label(w)} 当周的约定动作`, { ...f, from: w.from, to: w.to })
                    }}
                  />
                  <View className='row dash-weeks'>
                    <Text className='muted dash-weeks__label'>各周约定动作（完成/到期）</Text>
                    {d.weeks.map((w, i) =>
                      aa[i]?.due ? (
                        <Text key={w.week} id={`trend-week-${i}`} className='chip dash-weeks__chip console-clickable' onClick={() => drill('agreed-actions', `${label(w)} 当周的约定动作`, { ...f, from: w.from, to: w.to })}>
                          {label(w)} {aa[i]!.done}/{aa[i]!.due} ›
                        </Text>
                      ) : null,
                    )}
                  </View>
                </View>
              )}
            </View>
          )
        }}
      </Loaded>
    </Card>
  )
}

// ── before / after (board table) ────────────────────────────────────────────────────────────────
function boardValue(unit: 'rate' | 'days', v: number | null): string {
  if (v === null) return '—'
  return unit === 'days' ? `${v} 天` : pct(v)
}
/** after − before: '+25.9' with '个百分点' (rates) or '−3' with '天'; nothing to compare: '—'. */
function boardChangeText(unit: 'rate' | 'days', c: number | null): { num: string; unit: string } {
  if (c === null) return { num: '—', unit: '' }
  const sign = c > 0 ? '+' : c < 0 ? '−' : '±'
  const abs = Math.abs(c)
  return unit === 'days' ? { num: `${sign}${abs}`, unit: '天' } : { num: `${sign}${(abs * 100).toFixed(1).replace(/\.0$/, '')}`, unit: '个百分点' }
}
function PeriodPicker(props: { id: string; label: string; from: string; to: string; today: string; onChange: (from: string, to: string) => void }) {
  return (
    <View className='row board-period' id={props.id}>
      <Text className='board-period__label'>{props.label}</Text>
      <Picker id={`${props.id}-from`} mode='date' value={props.from} end={props.to} onChange={(e) => props.onChange(String(e.detail.value), props.to)}>
        <View className='chip dash-filter__chip'>{props.from} ▾</View>
      </Picker>
      <Text className='muted'>至</Text>
      <Picker id={`${props.id}-to`} mode='date' value={props.to} start={props.from} end={props.today} onChange={(e) => props.onChange(props.from, String(e.detail.value))}>
        <View className='chip dash-filter__chip'>{props.to} ▾</View>
      </Picker>
    </View>
  )
}
export function BoardCard(props: { filter: DashFilter }) {
  const f = props.filter
  const today = todayLocal()
  const [periods, setPeriods] = useState<BoardPeriods>(() => defaultBoardPeriods(today))
  const q = boardQuery(periods, f)
  const s = useRequest(() => api.get<BoardDashboard>('/dashboards/board', q), [JSON.stringify(q)])
  return (
    <Card id='dash-board' title='前后对比' board='board' file='董事会对比表.xlsx' filter={f} query={q} wide>
      <Text className='muted dash-card__note'>选两个区间对比（默认上月 vs 本月）；绿 = 变好，红 = 变差。点数字看该区间背后的记录。</Text>
      <View className='board-periods'>
        <PeriodPicker id='board-before' label='对比前' from={periods.beforeFrom} to={periods.beforeTo} today={today} onChange={(from, to) => setPeriods((p) => ({ ...p, beforeFrom: from, beforeTo: to }))} />
        <PeriodPicker id='board-after' label='对比后' from={periods.afterFrom} to={periods.afterTo} today={today} onChange={(from, to) => setPeriods((p) => ({ ...p, afterFrom: from, afterTo: to }))} />
      </View>
      <Loaded id='dash-board' state={s}>
        {(d) => (
          <View className='btable' id='board-table'>
            <View className='row btable__head'>
              <Text className='btable__name'>指标</Text>
              <Text className='btable__num'>对比前</Text>
              <Text className='btable__num'>对比后</Text>
              <Text className='btable__num'>变化</Text>
            </View>
            {d.rows.map((r) => {
              const side = (which: 'before' | 'after') => {
                const x = r[which]
                const open = () => drill('board', `${r.label} · ${periodText(x)}`, { ...f, from: x.from, to: x.to }, { metric: r.metric })
                return (
                  <View id={`board-${r.metric}-${which}`} className={`btable__num btable__cell ${x.denominator ? 'console-clickable btable__cell--tap' : ''}`} onClick={() => (x.denominator ? open() : undefined)}>
                    <Text className='btable__value'>{boardValue(r.unit, x.value)}</Text>
                    <Text className='ptable__sub'>{r.metric === 'new_rep_days' ? `${x.numerator}/${x.denominator} 人签单` : `${x.numerator}/${x.denominator}`}{x.denominator ? ' ›' : ''}</Text>
                  </View>
                )
              }
              const change = boardChangeText(r.unit, r.change)
              return (
                <View key={r.metric} className='row btable__row' id={`board-${r.metric}`}>
                  <View className='btable__name'>
                    <Text>{r.label}</Text>
                    <Text className='ptable__sub'>{r.better === 'up' ? '越高越好' : '越低越好'}</Text>
                  </View>
                  {side('before')}
                  {side('after')}
                  <View id={`board-${r.metric}-change`} className={`btable__num btable__change ${r.improved === true ? 'btable__change--better' : r.improved === false ? 'btable__change--worse' : ''}`}>
                    <Text className='btable__value'>{change.num}</Text>
                    {change.unit ? <Text className='btable__unit'>{change.unit}</Text> : null}
                  </View>
                </View>
              )
            })}
            <Text className='muted dash-card__note'>新人 = 对比区间开始前 {d.newRepDays} 天内入职的销售；首单天数为已签单新人的平均。</Text>
          </View>
        )}
      </Loaded>
    </Card>
  )
}

// ── action penetration ──────────────────────────────────────────────────────────────────────────
const LINE_COLOURS = ['#1677ff', '#fa8c16', '#52c41a', '#722ed1']
export function PenetrationCard(props: { filter: DashFilter }) {
  const f = penetrationFilter(props.filter)
  // the phone's width holds three months beside the action's name; the chart above shows all six
  const wide = useConsoleLayout()
  const s = useRequest(() => getBoard<PenetrationDashboard>('penetration', f), [key(f)])
  return (
    <Card id='dash-penetration' title='动作穿透率' board='penetration' file='动作穿透率.xlsx' filter={f}>
      <Loaded id='dash-penetration' state={s}>
        {(d) => {
          const anyDue = d.actions.some((a) => a.months.some((m) => m.due > 0))
          const cols = wide ? d.months.length : Math.min(3, d.months.length)
          const tableMonths = d.months.slice(-cols)
          return (
            <View>
              <Text className='muted dash-card__note'>关键动作按时完成数 ÷ 应完成数，按月；连续两个月 ≥ {pct(d.markAt, 0)} 标 ★。点数字看每一项。</Text>
              {!anyDue ? (
                <Empty id='dash-penetration-empty'>这几个月没有到期的关键动作</Empty>
              ) : (
                <View>
                  <Chart
                    id='chart-penetration'
                    height={200}
                    option={{
                      color: LINE_COLOURS,
                      tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null || v === undefined ? '无到期' : `${v}%`) },
                      legend: { top: 0, textStyle: { fontSize: 12 } },
                      grid: { left: 40, right: 12, top: 36, bottom: 24 },
                      xAxis: { type: 'category', data: d.months.map((m) => `${Number(m.slice(5))}月`) },
                      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
                      series: d.actions.map((a) => ({ name: a.label, type: 'line', connectNulls: false, symbolSize: 8, data: a.months.map((m) => (m.rate === null ? null : Math.round(m.rate * 1000) / 10)) })),
                    }}
                  />
                  <ScrollView scrollX className='dash-scroll'>
                    <View className='ptable' style={{ gridTemplateColumns: `minmax(96px, 1.6fr) repeat(${cols}, minmax(64px, 1fr))` }}>
                      <Text className='ptable__head'>关键动作</Text>
                      {tableMonths.map((m) => (
                        <Text key={m} className='ptable__head ptable__num'>{`${Number(m.slice(5))}月`}</Text>
                      ))}
                      {d.actions.map((a) => [
                        <Text key={a.id} className='ptable__name'>{a.label}</Text>,
                        ...a.months.slice(-cols).map((m) => (
                          <View
                            key={`${a.id}${m.month}`}
                            id={`pen-${a.id}-${m.month}`}
                            className={`ptable__num ${m.due ? 'console-clickable ptable__cell--due' : ''} ${m.rate !== null && m.rate < d.markAt ? 'dash-bad' : ''}`}
                            onClick={() => {
                              if (m.due) drill('penetration', `${a.label} · ${m.month}`, f, { action: a.id, month: m.month })
                            }}
                          >
                            <Text>{m.due ? `${m.marked ? '★' : ''}${pct(m.rate)}` : '—'}</Text>
                            {m.due ? <Text className='ptable__sub'>{m.done}/{m.due}</Text> : null}
                          </View>
                        )),
                      ])}
                    </View>
                  </ScrollView>
                </View>
              )}
              {d.notYetMeasured.map((n) => (
                <Text key={n.label} className='muted dash-card__note'>未计入：{n.label}（{n.reason}）</Text>
              ))}
            </View>
          )
        }}
      </Loaded>
    </Card>
  )
}

// ── check-in completion heatmap ─────────────────────────────────────────────────────────────────
function checkinTone(c: { completion: number | null }): string {
  if (c.completion === null) return 'none'
  if (c.completion >= 1) return 'full'
  if (c.completion >= 0.5) return 'part'
  return 'low'
}
export function CheckinsCard(props: { filter: DashFilter }) {
  const f = props.filter
  const s = useRequest(() => getBoard<CheckinsDashboard>('checkins', f), [key(f)])
  return (
    <Card id='dash-checkins' title='每日打卡完成' board='checkins' file='打卡完成率.xlsx' filter={f} wide>
      <Loaded id='dash-checkins' state={s}>
        {(d) => {
          const rows = d.rows.filter((r) => r.cells.some((c) => c.completion !== null))
          let done = 0
          let all = 0
          for (const r of rows) for (const c of r.cells) {
            done += c.onTime + c.late
            all += c.onTime + c.late + c.missing
          }
          return (
            <View>
              <Text className='muted dash-card__note'>每格 = 当天已打卡 ÷ 应打卡（早间、每次拜访后、晚间）；绿 = 全部完成，橙 = 过半，红 = 不足一半，空 = 休息日。点格子看当天打卡。</Text>
              {rows.length === 0 ? (
                <Empty id='dash-checkins-empty'>{periodText(d)} 没有应打卡的记录</Empty>
              ) : (
                <View>
                  <Text className='dash-summary' id='checkins-total'>本期完成 {pct(all ? done / all : null)}（{done}/{all}）</Text>
                  {d.days.length > 10 ? <Text className='muted dash-scroll-hint'>左右滑动查看全部 {d.days.length} 天</Text> : null}
                  <ScrollView scrollX className='dash-scroll'>
                    <View className='cheat' style={{ gridTemplateColumns: `64px repeat(${d.days.length}, minmax(26px, 1fr))` }}>
                      <Text className='cheat__corner'>成员</Text>
                      {d.days.map((day) => (
                        <Text key={day} className='cheat__head'>{Number(day.slice(8))}</Text>
                      ))}
                      {rows.map((r) => [
                        <Text key={`n${r.memberId}`} className='cheat__name'>{r.name}</Text>,
                        ...r.cells.map((c) => (
                          <View
                            key={`${r.memberId}${c.day}`}
                            id={`checkin-${r.memberId}-${c.day}`}
                            className={`cheat__cell cheat__cell--${checkinTone(c)} ${c.completion !== null ? 'console-clickable' : ''}`}
                            onClick={() => {
                              if (c.completion !== null) drill('checkins', `${r.name} · ${c.day} 的打卡`, { ...f, repId: r.memberId }, { day: c.day })
                            }}
                          >
                            <Text className='cheat__txt'>{c.completion === null ? '' : c.missing ? `缺${c.missing}` : ''}</Text>
                          </View>
                        )),
                      ])}
                    </View>
                  </ScrollView>
                </View>
              )}
            </View>
          )
        }}
      </Loaded>
    </Card>
  )
}

// ── word cloud ──────────────────────────────────────────────────────────────────────────────────
export function WordCloudCard(props: { filter: DashFilter; wide?: boolean }) {
  const f = props.filter
  const s = useRequest(() => getBoard<WordCloudDashboard>('word-cloud', f), [key(f)])
  return (
    <Card id='dash-words' title='客户需求词云' board='word-cloud' file='客户需求词云.xlsx' filter={f} wide={props.wide}>
      <Loaded id='dash-words' state={s}>
        {(d) => {
          const max = Math.max(1, ...d.terms.map((t) => t.count))
          const min = Math.min(max, ...d.terms.map((t) => t.count))
          // shown shuffled by a fixed rule (alternate big and small) so the biggest are not all in the first line
          const shown = d.terms.slice(0, 40)
          return (
            <View>
              <Text className='muted dash-card__note'>拜访痛点与早间打卡核心需求中的高频词（共 {d.texts} 条）；字越大提到越多，点词看原话。</Text>
              {shown.length === 0 ? (
                <Empty id='dash-words-empty'>{periodText(d)} 没有可分析的痛点或核心需求</Empty>
              ) : (
                <View className='cloud'>
                  {shown.map((t, i) => {
                    const w = max === min ? 1 : (t.count - min) / (max - min)
                    return (
                      <Text
                        key={t.term}
                        id={`term-${i}`}
                        className={`cloud__term cloud__term--${i % 5} console-clickable`}
                        style={{ fontSize: `${Math.round(13 + w * 17)}PX`, fontWeight: w > 0.6 ? 'bold' : 'normal' }}
                        onClick={() => drill('word-cloud', `提到「${t.term}」的记录`, f, { term: t.term })}
                      >
                        {t.term}
                        <Text className='cloud__count'>{t.count}</Text>
                      </Text>
                    )
                  })}
                </View>
              )}
            </View>
          )
        }}
      </Loaded>
    </Card>
  )
}

// ── business counters ───────────────────────────────────────────────────────────────────────────
const COUNTER_HINTS: Record<string, string> = {
  second_quote: '拜访中客户提出重新报价，或客户再次进入报价阶段',
  delivery_ask: '签约后 7 天内的拜访里客户问交货、发货、到货',
}
export function CountersCard(props: { filter: DashFilter }) {
  const f = props.filter
  const s = useRequest(() => getBoard<CountersDashboard>('counters', f), [key(f)])
  return (
    <Card id='dash-counters' title='业务计数' board='counters' file='业务计数.xlsx' filter={f}>
      <Loaded id='dash-counters' state={s}>
        {(d) => (
          <View className='counters'>
            {d.counters.map((c) => (
              <View key={c.counter} id={`counter-${c.counter}`} className={`counters__item ${c.customers ? 'console-clickable' : ''}`} onClick={() => (c.customers ? drill('counters', c.label, f, { counter: c.counter }) : undefined)}>
                <Text className='counters__num'>{c.customers}</Text>
                <Text className='counters__label'>{c.label}{c.customers ? ' ›' : ''}</Text>
                <Text className='muted counters__hint'>{c.customers ? COUNTER_HINTS[c.counter] : `${periodText(d)} 没有：${COUNTER_HINTS[c.counter]}`}</Text>
              </View>
            ))}
          </View>
        )}
      </Loaded>
    </Card>
  )
}
