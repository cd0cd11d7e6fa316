import { useEffect, useMemo, useState } from 'react'
import { Button, Picker, Text, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { ROLE_LABELS, pageUrl, type BehaviourDashboard } from '@anchor/shared'
import { useTeamTimeZone } from '../../api/options'
import { getSession } from '../../api/session'
import { todayLocal } from '../../utils/time'
import { requireSession } from '../../utils/return-to'
import { PERIOD_LABELS, dashboardAccess, filtersShown, getBoard, periodKeyOf, periodOf, periodText, type DashFilter, type PeriodKey } from './api'
import { BehaviourCard, BoardCard, CheckinsCard, CountersCard, EfficiencyCard, PenetrationCard, PipelineCard, QualityCard, TrendsCard, WordCloudCard } from './cards'
import './index.css'

interface ScopeMember {
  id: number
  name: string
  teamId: number | null
}
interface Scope {
  teams: { id: number; name: string }[]
  members: ScopeMember[]
}

/** The teams and members within the viewer's reach: the heatmap's rows (active members in reach). */
async function loadScope(f: DashFilter): Promise<Scope> {
  const d = await getBoard<BehaviourDashboard>('behaviour', { from: f.to, to: f.to })
  const teams = new Map<number, string>()
  for (const r of d.rows) if (r.teamId !== null && r.teamName) teams.set(r.teamId, r.teamName)
  return { teams: [...teams].map(([id, name]) => ({ id, name })), members: d.rows.map((r) => ({ id: r.memberId, name: r.name, teamId: r.teamId })) }
}

function Chooser(props: { id: string; allLabel: string; choices: { id: number; name: string }[]; value: number | undefined; onChange: (id: number | undefined) => void }) {
  const names = [props.allLabel, ...props.choices.map((c) => c.name)]
  const index = props.value ? props.choices.findIndex((c) => c.id === props.value) + 1 : 0
  return (
    <Picker id={props.id} mode='selector' range={names} value={Math.max(0, index)} onChange={(e) => props.onChange(props.choices[Number(e.detail.value) - 1]?.id)}>
      <View className={`chip dash-filter__chip ${props.value ? 'chip--on' : ''}`}>{names[Math.max(0, index)]} ▾</View>
    </Picker>
  )
}

/**
 * 仪表盘: each dashboard a card with its chart and the numbers in words; every number opens the
 * records behind it. Filters: period (本周/本月/上月/自定义), and within the viewer's reach a team and a rep.
 */
export default function Dashboards() {
  useTeamTimeZone()
  const router = useRouter()
  const signedIn = useMemo(() => requireSession(), [])
  const member = getSession()?.member
  const role = member?.role
  const access = dashboardAccess(role)
  const shown = filtersShown(role)
  const today = todayLocal()
  const p = router.params
  const [filter, setFilter] = useState<DashFilter>(() => {
    const month = periodOf('month', today)
    return {
      from: p.from && /^\d{4}-\d{2}-\d{2}$/.test(p.from) ? p.from : month.from,
      to: p.to && /^\d{4}-\d{2}-\d{2}$/.test(p.to) ? p.to : month.to,
      teamId: Number(p.teamId) || undefined,
      repId: Number(p.repId) || undefined,
    }
  })
  const [custom, setCustom] = useState(false)
  const period: PeriodKey = custom ? 'custom' : periodKeyOf(filter, today)
  const [scope, setScope] = useState<Scope | null>(null)
  useEffect(() => {
    if (signedIn && access.full && (shown.team || shown.rep)) loadScope(filter).then(setScope, () => setScope(null))
    // the reach does not change with the period
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  if (!signedIn || !member) return <View className='page state'>请先登录</View>
  if (!access.full && !access.demand) return <View className='page state' id='dash-forbidden'>你的岗位（{ROLE_LABELS[member.role]}）没有可查看的仪表盘</View>

  const setPeriod = (key: PeriodKey) => {
    if (key === 'custom') return setCustom(true)
    setCustom(false)
    setFilter((f) => ({ ...f, ...periodOf(key, today) }))
  }
  const teamMembers = (scope?.members ?? []).filter((m) => !filter.teamId || m.teamId === filter.teamId)
  const openWall = () => {
    const url = pageUrl('dashboardWall', { teamId: filter.teamId })
    if (process.env.TARO_ENV === 'h5') window.open(`${window.location.pathname}#${url}`, '_blank')
    else void Taro.navigateTo({ url })
  }

  return (
    <View className='page page--wide dash'>
      <View className='row row--between dash__head'>
        <View>
          <Text className='dash__title'>仪表盘</Text>
          <Text className='muted dash__scope' id='dash-scope'>
            {role === 'rep' ? '我的数据（与团队均值对比）' : role === 'supervisor' ? '本团队' : role === 'director' ? '本大区' : '全部'} · {periodText(filter)}
          </Text>
        </View>
        {process.env.TARO_ENV === 'h5' && access.full && (role === 'director' || role === 'admin') ? (
          <Button id='open-wall' className='btn btn--small dash__wall-btn' onClick={openWall}>
            大屏模式
          </Button>
        ) : null}
      </View>

      <View className='card dash-filter' id='dash-filter'>
        <View className='row dash-filter__line'>
          {(['week', 'month', 'lastMonth', 'custom'] as const).map((k) => (
            <View key={k} id={`period-${k}`} className={`chip dash-filter__chip ${period === k ? 'chip--on' : ''}`} onClick={() => setPeriod(k)}>
              {PERIOD_LABELS[k]}
            </View>
          ))}
        </View>
        {period === 'custom' ? (
          <View className='row dash-filter__line'>
            <Picker id='period-from' mode='date' value={filter.from} end={filter.to} onChange={(e) => setFilter((f) => ({ ...f, from: String(e.detail.value) }))}>
              <View className='chip dash-filter__chip'>从 {filter.from} ▾</View>
            </Picker>
            <Picker id='period-to' mode='date' value={filter.to} start={filter.from} end={today} onChange={(e) => setFilter((f) => ({ ...f, to: String(e.detail.value) }))}>
              <View className='chip dash-filter__chip'>到 {filter.to} ▾</View>
            </Picker>
          </View>
        ) : null}
        {scope && (shown.team || shown.rep) ? (
          <View className='row dash-filter__line'>
            {shown.team && scope.teams.length > 1 ? (
              <Chooser id='filter-team' allLabel='全部团队' choices={scope.teams} value={filter.teamId} onChange={(teamId) => setFilter((f) => ({ ...f, teamId, repId: undefined }))} />
            ) : null}
            {shown.rep ? <Chooser id='filter-rep' allLabel='全部成员' choices={teamMembers} value={filter.repId} onChange={(repId) => setFilter((f) => ({ ...f, repId }))} /> : null}
          </View>
        ) : null}
      </View>

      {access.full ? (
        <View className='dash__grid'>
          <PipelineCard filter={filter} />
          <PenetrationCard filter={filter} />
          <BehaviourCard filter={filter} />
          <QualityCard filter={filter} />
          <EfficiencyCard filter={filter} />
          <TrendsCard filter={filter} />
          {access.demand ? <CountersCard filter={filter} /> : null}
          {/* the board route answers a supervisor for their team too; a rep compares nothing */}
          {role === 'director' || role === 'admin' || role === 'supervisor' ? <BoardCard filter={filter} /> : null}
          <CheckinsCard filter={filter} />
          {access.demand ? <WordCloudCard filter={filter} wide /> : null}
        </View>
      ) : (
        <View className='dash__grid'>
          <WordCloudCard filter={filter} />
          <CountersCard filter={filter} />
        </View>
      )}
    </View>
  )
}
