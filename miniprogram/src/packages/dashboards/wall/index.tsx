import { useEffect, useMemo, useRef, useState } from 'react'
import { Text, View } from '@tarojs/components'
import { useRouter } from '@tarojs/taro'
import type { BehaviourDashboard, CheckinsDashboard, PenetrationDashboard, PipelineDashboard, WordCloudDashboard } from '@anchor/shared'
import { api, errorMessage } from '../../../api/client'
import { loadOptions, useTeamTimeZone } from '../../../api/options'
import { getSession } from '../../../api/session'
import { requireSession } from '../../../utils/return-to'
import { formatInstant, todayLocal } from '../../../utils/time'
import { Chart } from '../chart'
import { getBoard, pct, periodOf, type DashFilter } from '../api'
import './index.css'

/** How often the wall asks again until the policy's value (dashboards.wall.refreshSeconds, via /options) arrives. */
export const WALL_REFRESH_SECONDS = 60

interface WallData {
  pipeline: PipelineDashboard
  behaviour: BehaviourDashboard
  penetration: PenetrationDashboard
  checkins: CheckinsDashboard
  words: WordCloudDashboard
  region: string | null
  at: Date
}

async function loadWall(teamId: number | undefined): Promise<WallData> {
  const today = todayLocal()
  const month: DashFilter = { ...periodOf('month', today), teamId }
  const [pipeline, behaviour, penetration, checkins, words, me] = await Promise.all([
    getBoard<PipelineDashboard>('pipeline', month),
    getBoard<BehaviourDashboard>('behaviour', month),
    getBoard<PenetrationDashboard>('penetration', { from: `${today.slice(0, 8)}01`, to: today, teamId }),
    getBoard<CheckinsDashboard>('checkins', { from: today, to: today, teamId }),
    getBoard<WordCloudDashboard>('word-cloud', month),
    api.get<{ region: { name: string } | null }>('/me'),
  ])
  return { pipeline, behaviour, penetration, checkins, words, region: me.region?.name ?? null, at: new Date() }
}

const STAGE_COLOURS = ['#69b1ff', '#4096ff', '#1677ff', '#ffa940', '#73d13d', '#389e0d']

/**
 * 大屏: the region's key figures for a 1 920×1 080 wall screen, dark, in type readable from three
 * metres, refreshing itself every dashboards.wall.refreshSeconds (policy; 60). Opened from the console's 仪表盘 (大屏模式) or by its link on
 * the TV's browser; without a session it asks for the login first and comes back here.
 */
export default function DashboardWall() {
  useTeamTimeZone()
  const teamId = Number(useRouter().params.teamId) || undefined
  const signedIn = useMemo(() => requireSession(), [])
  const [data, setData] = useState<WallData | null>(null)
  const [error, setError] = useState('')
  const [height, setHeight] = useState(() => (typeof window !== 'undefined' ? window.innerHeight : 1080))
  const [refreshSeconds, setRefreshSeconds] = useState(WALL_REFRESH_SECONDS)

  useEffect(() => {
    loadOptions().then(
      (o) => o.wallRefreshSeconds && setRefreshSeconds(o.wallRefreshSeconds),
      () => undefined, // the default interval serves until the options load
    )
  }, [])

  // The figures load once on opening; the timer only repeats that. Kept apart so the policy's interval
  // arriving (a moment after opening) restarts the timer without loading everything a second time.
  const reload = useRef<() => void>(() => undefined)
  useEffect(() => {
    if (!signedIn || process.env.TARO_ENV !== 'h5') return
    let alive = true
    const run = () =>
      loadWall(teamId).then(
        (d) => {
          if (!alive) return
          setData(d)
          setError('')
        },
        (e) => alive && setError(errorMessage(e)),
      )
    reload.current = () => void run()
    void run()
    const resize = () => setHeight(window.innerHeight)
    window.addEventListener('resize', resize)
    document.body.classList.add('wall-body')
    return () => {
      alive = false
      reload.current = () => undefined
      window.removeEventListener('resize', resize)
      document.body.classList.remove('wall-body')
    }
  }, [signedIn, teamId])

  useEffect(() => {
    if (!signedIn || process.env.TARO_ENV !== 'h5') return
    const timer = setInterval(() => reload.current(), refreshSeconds * 1000)
    return () => clearInterval(timer)
  }, [signedIn, refreshSeconds])

  if (process.env.TARO_ENV !== 'h5') return <View className='page state'>大屏请在电视或电脑的浏览器中打开网页版</View>
  if (!signedIn) return <View className='wall' />
  const member = getSession()?.member
  if (!data)
    return (
      <View className='wall wall--empty' id='wall'>
        <Text className='wall__wait' id={error ? 'wall-error' : 'wall-loading'}>{error || '加载中…'}</Text>
      </View>
    )

  const { pipeline, behaviour, penetration, checkins, words } = data
  const red = behaviour.rows.flatMap((r) => r.cells.filter((c) => c.status === 'red').map((c) => ({ name: r.name, objective: c.objective, ratio: c.ratio ?? 0 })))
  red.sort((a, b) => b.ratio - a.ratio)
  const thisMonth = penetration.months[penetration.months.length - 1]
  let done = 0
  let all = 0
  for (const r of checkins.rows)
    for (const c of r.cells) {
      done += c.onTime + c.late
      all += c.onTime + c.late + c.missing
    }
  const checkinRate = all ? done / all : null
  const scope = teamId ? behaviour.rows.find((r) => r.teamId === teamId)?.teamName ?? '团队' : member?.role === 'admin' ? '全公司' : data.region || '本大区'
  const chartHeight = Math.round(height * 0.34)
  const topTerms = words.terms.slice(0, 12)
  const maxTerm = Math.max(1, ...topTerms.map((t) => t.count))

  return (
    <View className='wall' id='wall'>
      <View className='wall__head'>
        <Text className='wall__title'>锚点 · {scope}销售行动大屏</Text>
        <Text className='wall__time' id='wall-updated'>
          {formatInstant(data.at.toISOString())} 更新 · 每 {refreshSeconds} 秒刷新{error ? ` · 刷新失败：${error}` : ''}
        </Text>
      </View>
      <View className='wall__grid'>
        <View className='wall__panel' id='wall-pipeline'>
          <Text className='wall__label'>客户管道（共 {pipeline.total} 位）</Text>
          <Chart
            id='wall-chart-pipeline'
            height={chartHeight}
            option={{
              // redrawn every minute: no sweep each time
              animation: false,
              color: STAGE_COLOURS,
              series: [
                {
                  type: 'pie',
                  radius: ['42%', '70%'],
                  label: { show: true, color: '#e6edf7', fontSize: Math.round(height / 45), formatter: '{b} {c}' },
                  labelLine: { lineStyle: { color: '#8b98ad' } },
                  data: pipeline.stages.map((s) => ({ name: s.label, value: s.customers })),
                },
              ],
            }}
          />
        </View>

        <View className='wall__panel wall__panel--figure' id='wall-overdue'>
          <Text className='wall__label'>逾期未跟进客户</Text>
          <Text className={`wall__big ${pipeline.overdue ? 'wall__big--bad' : 'wall__big--good'}`} id='wall-overdue-count'>{pipeline.overdue}</Text>
          <Text className='wall__note'>最后跟进超过 {pipeline.overdueRule.days} 天，签约/交付除外</Text>
        </View>

        <View className='wall__panel wall__panel--figure' id='wall-checkins'>
          <Text className='wall__label'>今日打卡完成</Text>
          <Text className={`wall__big ${checkinRate === null ? 'wall__big--none' : checkinRate < 0.8 ? 'wall__big--warn' : 'wall__big--good'}`} id='wall-checkin-rate'>{checkinRate === null ? '暂无' : pct(checkinRate, 0)}</Text>
          <Text className='wall__note'>{all ? `已打卡 ${done} / 应打卡 ${all}` : '今天还没有应打卡的记录'}</Text>
        </View>

        <View className='wall__panel' id='wall-red'>
          <Text className='wall__label'>跟进偏慢（热力图红格 {red.length} 个）</Text>
          {red.length === 0 ? (
            <Text className='wall__note wall__note--big'>本月没有红格</Text>
          ) : (
            <View className='wall__list'>
              {red.slice(0, 4).map((r) => (
                <View key={`${r.name}${r.objective}`} className='wall__row'>
                  <Text className='wall__row-name'>{r.name} · {r.objective}</Text>
                  <Text className='wall__row-num wall__bad'>{r.ratio.toFixed(2)} 倍</Text>
                </View>
              ))}
              {red.length > 4 ? <Text className='wall__note'>另有 {red.length - 4} 个红格（仪表盘中查看）</Text> : null}
            </View>
          )}
        </View>

        <View className='wall__panel' id='wall-penetration'>
          <Text className='wall__label'>动作穿透率（{thisMonth ? `${Number(thisMonth.slice(5))} 月` : '本月'}）</Text>
          <View className='wall__list'>
            {penetration.actions.map((a) => {
              const m = a.months[a.months.length - 1]
              return (
                <View key={a.id} className='wall__row'>
                  <Text className='wall__row-name'>{a.label}</Text>
                  <Text className={`wall__row-num ${m && m.rate !== null && m.rate < penetration.markAt ? 'wall__warn' : 'wall__good'}`}>
                    {m && m.due ? pct(m.rate) : '—'}
                  </Text>
                </View>
              )
            })}
          </View>
          <Text className='wall__note'>按时完成 ÷ 应完成；目标 ≥ {pct(penetration.markAt, 0)}</Text>
        </View>

        <View className='wall__panel' id='wall-terms'>
          <Text className='wall__label'>客户最常提的需求（本月）</Text>
          {topTerms.length === 0 ? (
            <Text className='wall__note wall__note--big'>本月还没有痛点记录</Text>
          ) : (
            <View className='wall__terms'>
              {topTerms.map((t) => (
                <Text key={t.term} className='wall__term' style={{ fontSize: `${(1.4 + (t.count / maxTerm) * 1.5).toFixed(2)}vw`, opacity: 0.55 + (t.count / maxTerm) * 0.45 }}>
                  {t.term}
                </Text>
              ))}
            </View>
          )}
        </View>
      </View>
    </View>
  )
}
