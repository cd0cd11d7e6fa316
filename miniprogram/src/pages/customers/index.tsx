import { useEffect, useRef, useState } from 'react'
import { Button, Input, Picker, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro'
import { CHECKIN_STATE_LABELS, DEFAULT_STAGE_LABELS, ROLE_LABELS, STAGE_CODES, can } from '@anchor/shared'
import { api, errorMessage } from '../../api/client'
import { customerOverdue, loadOptions, useTeamTimeZone } from '../../api/options'
import { getSession } from '../../api/session'
import { useTodoBadge } from '../../api/todo-badge'
import type { Customer, Home, Page, StageOption } from '../../api/types'
import { goTo } from '../../utils/nav'
import { formatInstant } from '../../utils/time'
import { StatusTag } from '../../components/tag'
import { ErrorRetry } from '../../components/load-state'
import { useConsoleLayout } from '../../components/console-nav'
import { CustomerTable } from './customer-table'
import { LocationProposalsCard } from './location-proposals'
import './index.css'

const PAGE_SIZE = 20
const DEFAULT_STAGES: StageOption[] = STAGE_CODES.map((code) => ({ code, label: DEFAULT_STAGE_LABELS[code] }))

/** Finance and marketing read customers; these roles also create them. */

/**
 * The top of the home screen: visits waiting (a customer moved to 拜访) and leads waiting for their
 * first touch, each with its count; a tap opens the customer.
 */
function HomeSummary(props: { home: Home }) {
  const { pendingVisits, leadsAwaitingFirstTouch, todos, checkins } = props.home
  if (!pendingVisits.count && !leadsAwaitingFirstTouch.count && !todos.toConfirm && !todos.escalated && !checkins) return null
  return (
    <View className='card home-summary' id='home-summary'>
      {checkins ? (
        <View className='row row--between home-summary__item home-checkins' id='home-checkins' onClick={() => void goTo('checkins')}>
          <Text className='home-summary__name'>今日打卡{checkins.workingDay ? '' : '（休息日）'}</Text>
          <Text className='muted home-summary__when'>
            早间 {CHECKIN_STATE_LABELS[checkins.morning]} · 拜访后 {checkins.visits.onTime + checkins.visits.late}/{checkins.visits.total} · 晚间 {CHECKIN_STATE_LABELS[checkins.evening]}
          </Text>
        </View>
      ) : null}
      <View className='row home-summary__counts'>
        {pendingVisits.count ? <Text className='home-summary__count' id='home-pending-visits'>待拜访 {pendingVisits.count}</Text> : null}
        {leadsAwaitingFirstTouch.count ? <Text className='home-summary__count' id='home-leads'>待首次触达 {leadsAwaitingFirstTouch.count}</Text> : null}
        {todos.toConfirm ? (
          <Text className='home-summary__count home-summary__link' id='home-to-confirm' onClick={() => void goTo('todos')}>
            待确认 {todos.toConfirm}
          </Text>
        ) : null}
        {todos.escalated ? (
          <Text className='home-summary__count home-summary__link state--error' id='home-escalated' onClick={() => void goTo('todos')}>
            已升级 {todos.escalated}
          </Text>
        ) : null}
      </View>
      {pendingVisits.items.slice(0, 5).map((v) => (
        <View key={`v${v.visitId}`} className='row row--between home-summary__item home-pending-visit' onClick={() => void goTo('customer', { id: v.customerId })}>
          <Text className='home-summary__name'>{v.customerName}</Text>
          <Text className='muted home-summary__when'>待拜访 · {formatInstant(v.since)} 起</Text>
        </View>
      ))}
      {leadsAwaitingFirstTouch.items.slice(0, 5).map((l) => (
        <View key={`l${l.customerId}`} className='row row--between home-summary__item home-lead' onClick={() => void goTo('customer', { id: l.customerId })}>
          <Text className='home-summary__name'>{l.customerName}</Text>
          <Text className={`muted home-summary__when ${l.overdue ? 'state--error' : ''}`}>首次触达 {l.overdue ? '已超时' : `${formatInstant(l.firstTouchDueAt)} 前`}</Text>
        </View>
      ))}
    </View>
  )
}

/** A filter as a chip: 全部… or one choice, picked from a list. */
function FilterChip(props: { id: string; allLabel: string; choices: { value: string; label: string }[]; value: string; onChange: (value: string) => void }) {
  const names = [props.allLabel, ...props.choices.map((c) => c.label)]
  const index = props.value ? props.choices.findIndex((c) => c.value === props.value) + 1 : 0
  return (
    <Picker
      id={props.id}
      mode='selector'
      range={names}
      value={index}
      onChange={(e) => {
        const i = Number(e.detail.value)
        props.onChange(i > 0 ? props.choices[i - 1]!.value : '')
      }}
    >
      <View className={`chip ${props.value ? 'chip--on' : ''}`}>{names[index]} ▾</View>
    </Picker>
  )
}

export default function Customers() {
  useTeamTimeZone()
  const session = getSession()
  useTodoBadge()
  const consoleLayout = useConsoleLayout()
  const [q, setQ] = useState('')
  const [query, setQuery] = useState('') // debounced
  const [stages, setStages] = useState<StageOption[]>(DEFAULT_STAGES)
  const [stage, setStage] = useState('')
  const [grades, setGrades] = useState<string[]>([])
  const [grade, setGrade] = useState('')
  const [overdue, setOverdue] = useState(false)
  const [items, setItems] = useState<Customer[]>([])
  const [total, setTotal] = useState(0)
  const [totalCapped, setTotalCapped] = useState(false) // a broad search stops counting at 1000
  const [page, setPage] = useState(1)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState('')
  const seq = useRef(0)
  const [home, setHome] = useState<Home | null>(null)
  const loadHome = () => {
    api.get<Home>('/home').then(setHome, () => undefined)
  }

  useEffect(() => {
    const timer = setTimeout(() => setQuery(q.trim()), 300)
    return () => clearTimeout(timer)
  }, [q])

  const load = async (nextPage: number) => {
    const mine = ++seq.current
    setLoading(true)
    setError('')
    try {
      const res = await api.get<Page<Customer>>('/customers', {
        q: query || undefined,
        stage: stage || undefined,
        grade: grade || undefined,
        overdue: overdue ? 'true' : undefined,
        page: nextPage,
        pageSize: PAGE_SIZE,
      })
      if (mine !== seq.current) return
      setItems((prev) => (nextPage === 1 ? res.items : [...prev, ...res.items]))
      setTotal(res.total)
      setTotalCapped(Boolean(res.totalCapped))
      setPage(nextPage)
    } catch (e) {
      if (mine === seq.current) setError(errorMessage(e))
    } finally {
      if (mine === seq.current) setLoading(false)
    }
  }

  useEffect(() => {
    void load(1)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query, stage, grade, overdue])

  useEffect(() => {
    loadOptions()
      .then((o) => {
        if (o.stages?.length) setStages(o.stages)
        if (o.grades?.length) setGrades(o.grades)
      })
      .catch(() => undefined)
  }, [])

  const firstShow = useRef(true)
  useDidShow(() => {
    if (!getSession()) {
      void Taro.reLaunch({ url: '/pages/index/index' })
      return
    }
    loadHome()
    if (firstShow.current) {
      firstShow.current = false
      return
    }
    void load(1)
  })

  usePullDownRefresh(() => {
    loadHome()
    void load(1).finally(() => Taro.stopPullDownRefresh())
  })

  return (
    <View className='page customers'>
      <View className='row row--between customers__head'>
        <Text className='customers__me'>
          {session ? `${session.member.name} · ${ROLE_LABELS[session.member.role] ?? session.member.role}` : ''}
        </Text>
        {/* a supervisor's or director's first look: the team's dashboards, one tap from the home screen */}
        {session && session.member.role !== 'rep' && can(session.member.role, 'dashboards.read') ? (
          <Text id='home-dashboards' className='customers__dash-link console-clickable' onClick={() => void goTo('dashboards')}>
            仪表盘 ›
          </Text>
        ) : null}
      </View>

      {home ? <HomeSummary home={home} /> : null}
      {home?.locationProposals ? <LocationProposalsCard proposals={home.locationProposals} onConfirmed={loadHome} /> : null}
      {session && can(session.member.role, 'customers.create') ? (
        <View className='row customers__new'>
          <Button id='new-customer' className='btn customers__new-btn' onClick={() => void goTo('customerEdit')}>
            ＋ 新建客户
          </Button>
          {process.env.TARO_ENV === 'h5' ? (
            <Button id='import-entry' className='btn customers__new-btn' onClick={() => void goTo('customerImport')}>
              Excel 导入 / 导出
            </Button>
          ) : null}
        </View>
      ) : null}

      <Input
        id='search'
        className='input'
        type='text'
        placeholder='搜索客户名称、联系人、电话'
        value={q}
        onInput={(e) => setQ(e.detail.value)}
        confirmType='search'
      />

      <View className='row customers__filters'>
        <FilterChip id='stage-filter' allLabel='全部阶段' choices={stages.map((s) => ({ value: s.code, label: s.label }))} value={stage} onChange={setStage} />
        <View className='gap' />
        {grades.length ? (
          <FilterChip id='grade-filter' allLabel='全部等级' choices={grades.map((g) => ({ value: g, label: `${g} 级` }))} value={grade} onChange={setGrade} />
        ) : null}
        {grades.length ? <View className='gap' /> : null}
        <View id='overdue-toggle' className={`chip ${overdue ? 'chip--on' : ''}`} onClick={() => setOverdue(!overdue)}>
          {overdue ? '✓ ' : ''}逾期
        </View>
        <Text className='muted customers__total'>{loading && !items.length ? '' : `共 ${totalCapped ? `${total}+` : total} 家`}</Text>
      </View>

      {error ? (
        <ErrorRetry id='customers-error' message={error} onRetry={() => void load(1)} />
      ) : null}

      {consoleLayout && items.length ? <CustomerTable items={items} /> : null}
      {!consoleLayout && items.map((c) => (
        <View
          key={c.id}
          className={`card customer-item ${customerOverdue(c) ? 'customer-item--overdue' : ''}`}
          data-id={c.id}
          onClick={() => void goTo('customer', { id: c.id })}
        >
          <View className='row row--between'>
            <Text className='customer-item__name'>{c.name}</Text>
            {c.closed ? <StatusTag className='customer-item__closed'>已丢单</StatusTag> : customerOverdue(c) ? <StatusTag tone='red' className='customer-item__overdue'>逾期</StatusTag> : null}
          </View>
          <View className='row customer-item__meta'>
            <StatusTag className='customer-item__stage'>{c.stageLabel || c.stage}</StatusTag>
            {c.grade ? <StatusTag>{c.grade} 级</StatusTag> : null}
            <Text className='muted customer-item__owner'>负责人：{c.owner?.name ?? '—'}</Text>
          </View>
          <Text className='muted customer-item__last'>
            {[c.industry, c.city, c.contactName].filter(Boolean).join(' · ')}
            {c.lastFollowUpAt ? `  最近跟进 ${formatInstant(c.lastFollowUpAt)}` : '  尚未跟进'}
          </Text>
        </View>
      ))}

      {loading ? <View className='state'>加载中…</View> : null}
      {!loading && !error && !items.length ? (
        <View className='state' id='customers-empty'>
          {query || stage || grade || overdue ? '没有符合条件的客户' : '还没有客户'}
        </View>
      ) : null}
      {!loading && items.length < total ? (
        <Button id='load-more' className='btn btn--block' onClick={() => void load(page + 1)}>
          加载更多
        </Button>
      ) : null}
    </View>
  )
}
