import { useEffect, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import { useRouter } from '@tarojs/taro'
import { CHECKIN_STATE_LABELS, type CheckinState } from '@anchor/shared'
import { api, errorMessage } from '../../../api/client'
import { useTeamTimeZone } from '../../../api/options'
import { requireSession } from '../../../utils/return-to'
import { backOr, goTo } from '../../../utils/nav'
import { formatInstant } from '../../../utils/time'
import { StatusTag } from '../../../components/tag'
import { hoursText, periodText } from '../api'
import '../index.css'

/** One line of a drill-down list, whatever the list: what it is, what it says, where a tap leads. */
interface Line {
  key: string
  title: string
  badge?: { text: string; tone: 'red' | 'green' | 'orange' | 'plain' }
  lines: string[]
  open?: () => void
}

const PAGE_SIZE = 20
const KIND_LABEL: Record<string, string> = {
  pipeline: '客户', visits: '拜访', penetration: '关键动作', checkins: '打卡', 'word-cloud': '记录', counters: '客户',
  'agreed-actions': '约定动作', efficiency: '拜访', board: '记录',
}
const KIND_KEYS: Record<string, string[]> = {
  pipeline: ['stage', 'overdue'],
  visits: ['objective'],
  penetration: ['action', 'month'],
  checkins: ['day'],
  'word-cloud': ['term'],
  counters: ['counter'],
  'agreed-actions': [],
  efficiency: ['effective'],
  board: ['metric'],
}
const ENDPOINT: Record<string, string> = {
  pipeline: '/dashboards/pipeline/customers',
  visits: '/dashboards/visits',
  penetration: '/dashboards/penetration/records',
  checkins: '/dashboards/checkins/records',
  'word-cloud': '/dashboards/word-cloud/records',
  counters: '/dashboards/counters/customers',
  'agreed-actions': '/dashboards/agreed-actions',
  efficiency: '/dashboards/efficiency/visits',
  board: '/dashboards/board/records',
}

/** A board row's record: what «counted» means for its metric (in the numerator). */
const BOARD_BADGE: Record<string, [yes: string, no: string, yesTone: 'green' | 'red', noTone: 'green' | 'red' | 'plain']> = {
  lead_touch: ['48 小时内触达', '未按时触达', 'green', 'red'],
  record_completeness: ['完整', '未按时填写', 'green', 'red'],
  stage_misjudgment: ['误判', '判断成立', 'red', 'green'],
  new_rep_days: ['已签首单', '尚未签单', 'green', 'plain'],
}

type Items = { items: any[]; total?: number }

function toLines(kind: string, body: Items): Line[] {
  const openCustomer = (id: number | null | undefined) => (id ? () => void goTo('customer', { id }) : undefined)
  const openVisit = (id: number | null | undefined) => (id ? () => void goTo('visitDetail', { id }) : undefined)
  switch (kind) {
    case 'pipeline':
      return body.items.map((c) => ({
        key: `c${c.id}`,
        title: c.name,
        badge: c.overdue ? { text: '逾期', tone: 'red' } : undefined,
        lines: [`${c.stageLabel} · ${c.ownerName}`, c.lastFollowUpAt ? `最后跟进 ${formatInstant(c.lastFollowUpAt)}` : '从未跟进'],
        open: openCustomer(c.id),
      }))
    case 'visits':
      return body.items.map((v) => ({
        key: `v${v.id}`,
        title: v.customerName,
        badge: v.waiting ? { text: '待跟进', tone: 'orange' } : v.followUpOnTime === false ? { text: '跟进超时', tone: 'red' } : v.followUpOnTime ? { text: '按时跟进', tone: 'green' } : undefined,
        lines: [`${formatInstant(v.submittedAt)} · ${v.objective} · 跟进用时 ${hoursText(v.followUpHours)}`, `痛点（${v.painChars} 字）：${v.painPoint}`],
        open: openVisit(v.id),
      }))
    case 'penetration':
      return body.items.map((r, i) => ({
        key: `p${i}`,
        title: r.customerName ?? r.ownerName,
        badge: r.onTime ? { text: '按时', tone: 'green' } : { text: r.completedAt ? '超时完成' : '未完成', tone: 'red' },
        lines: [`${r.ownerName} · 触发 ${formatInstant(r.triggeredAt)} · 截止 ${formatInstant(r.dueAt)}`, r.completedAt ? `完成于 ${formatInstant(r.completedAt)}` : '尚未完成'],
        open: openCustomer(r.customerId),
      }))
    case 'checkins':
      return body.items.map((c) => ({
        key: `k${c.id}`,
        title: `${c.kind === 'morning' ? '早间打卡' : c.kind === 'evening' ? '晚间打卡' : '拜访后打卡'}${c.customerName ? ` · ${c.customerName}` : ''}`,
        badge: { text: CHECKIN_STATE_LABELS[c.status as CheckinState] ?? c.status, tone: c.status === 'on_time' ? 'green' : c.status === 'late' ? 'orange' : 'red' },
        lines: [c.checkedInAt ? `打卡于 ${formatInstant(c.checkedInAt)}` : '未打卡'],
        open: c.visitId ? openVisit(c.visitId) : openCustomer(c.customerId),
      }))
    case 'word-cloud':
      return body.items.map((r) => ({
        key: `${r.kind}${r.id}`,
        title: r.customerName ?? r.memberName,
        badge: { text: r.kind === 'visit' ? '拜访痛点' : '早间核心需求', tone: 'plain' },
        lines: [`${r.memberName}${r.at ? ` · ${formatInstant(r.at)}` : ''}`, r.text],
        open: r.kind === 'visit' ? openVisit(r.id) : openCustomer(r.customerId),
      }))
    case 'counters':
      return body.items.map((c) => ({
        key: `n${c.customerId}`,
        title: c.customerName,
        lines: [c.ownerName, ...c.evidence.map((e: any) => (e.reason === 'quote_again' ? `${formatInstant(e.at)} 再次进入报价` : `${formatInstant(e.at)} 拜访：${e.text ?? ''}`))],
        open: openCustomer(c.customerId),
      }))
    case 'agreed-actions':
      return body.items.map((a) => ({
        key: `a${a.visitId}`,
        title: a.customerName,
        badge: a.onTime ? { text: '按时完成', tone: 'green' } : { text: a.actionDoneAt ? '超时完成' : '未完成', tone: 'red' },
        lines: [`${a.memberName} · 约定跟进 ${formatInstant(a.nextFollowUpAt)}${a.actionDoneAt ? ` · 完成于 ${formatInstant(a.actionDoneAt)}` : ''}`, `约定动作：${a.agreedAction ?? '（未填写）'}`],
        open: openVisit(a.visitId),
      }))
    case 'efficiency':
      return body.items.map((v) => ({
        key: `e${v.id}`,
        title: v.customerName,
        badge: v.effective ? { text: '有效接触', tone: 'green' } : { text: '未计入', tone: 'plain' },
        lines: [
          `${v.memberName} · ${formatInstant(v.submittedAt)}${v.objective ? ` · ${v.objective}` : ''}`,
          `约定动作：${v.agreedAction ?? '—'}${v.nextFollowUpAt ? `（${formatInstant(v.nextFollowUpAt)} 跟进）` : ''} · 客户反馈：${v.customerFeedback ?? '—'}`,
        ],
        open: openVisit(v.id),
      }))
    case 'board': {
      const [yes, no, yesTone, noTone] = BOARD_BADGE[(body as { metric?: string }).metric ?? ''] ?? ['计入', '未计入', 'green', 'plain']
      return body.items.map((r) => ({
        key: `${r.kind}${r.id}`,
        title: r.name,
        badge: r.counted ? { text: yes, tone: yesTone } : { text: no, tone: noTone },
        lines: [r.kind === 'member' ? (r.at ? `首单签约 ${formatInstant(r.at)}` : '销售新人') : `${r.memberName}${r.at ? ` · ${formatInstant(r.at)}` : ''}`, r.detail],
        open: r.kind === 'visit' ? openVisit(r.id) : openCustomer(r.customerId),
      }))
    }
    default:
      return []
  }
}

/** The records behind one number of a dashboard; a tap opens the visit or the customer. */
export default function DashboardDrill() {
  useTeamTimeZone()
  const p = useRouter().params
  const kind = p.kind ?? ''
  const [signedIn] = useState(() => requireSession())
  const [lines, setLines] = useState<Line[]>([])
  const [total, setTotal] = useState<number | null>(null)
  const [page, setPage] = useState(1)
  const [error, setError] = useState('')
  const [loading, setLoading] = useState(true)
  const dec = (v: string | undefined) => (v ? decodeURIComponent(v) : undefined)
  const title = dec(p.title) ?? '明细'
  const query: Record<string, string | number | undefined> = { from: p.from, to: p.to, teamId: p.teamId, repId: p.repId }
  for (const k of KIND_KEYS[kind] ?? []) query[k] = dec(p[k])
  const paged = kind !== 'checkins'

  const load = (n: number) => {
    if (!ENDPOINT[kind]) return
    setLoading(true)
    setError('')
    api
      .get<Items>(ENDPOINT[kind]!, paged ? { ...query, page: n, pageSize: PAGE_SIZE } : query)
      .then((body) => {
        const more = toLines(kind, body)
        setLines((prev) => (n === 1 ? more : [...prev, ...more]))
        setTotal(body.total ?? body.items.length)
        setPage(n)
      })
      .catch((e) => setError(errorMessage(e)))
      .finally(() => setLoading(false))
  }
  useEffect(() => {
    if (signedIn) load(1)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  if (!ENDPOINT[kind]) return <View className='page state'>链接不完整，请从仪表盘重新打开</View>
  const period = p.from && p.to ? periodText({ from: p.from, to: p.to }) : ''
  return (
    <View className='page page--wide drill'>
      <View className='row row--between drill__head'>
        <Text className='drill__title' id='drill-title'>{title}</Text>
        <Button id='drill-back' className='btn btn--small drill__back' onClick={() => void backOr('dashboards')}>
          ‹ 仪表盘
        </Button>
      </View>
      <Text className='muted drill__sub' id='drill-count'>
        {total === null ? '加载中…' : `${total} 条${KIND_LABEL[kind]}`}
        {period && kind !== 'pipeline' && kind !== 'penetration' && kind !== 'board' ? ` · ${period}` : ''}
      </Text>
      {error ? (
        <View className='state state--error' id='drill-error'>
          <Text>{error}</Text>
          <Button className='btn btn--small' onClick={() => load(page)}>重试</Button>
        </View>
      ) : null}
      {total === 0 ? <View className='state' id='drill-empty'>没有符合条件的{KIND_LABEL[kind]}</View> : null}
      <View className='drill__list'>
        {lines.map((l) => (
          <View key={l.key} className={`card drill__item ${l.open ? 'console-clickable' : ''}`} onClick={l.open}>
            <View className='row row--between'>
              <Text className='drill__name'>{l.title}</Text>
              {l.badge ? <StatusTag tone={l.badge.tone}>{l.badge.text}</StatusTag> : null}
            </View>
            {l.lines.map((t, i) => (
              <Text key={i} className={i === 0 ? 'muted drill__line' : 'drill__line drill__text'}>{t}</Text>
            ))}
            {l.open ? <Text className='drill__go'>查看 ›</Text> : null}
          </View>
        ))}
      </View>
      {paged && total !== null && lines.length < total ? (
        <Button id='drill-more' className='btn btn--block' disabled={loading} onClick={() => load(page + 1)}>
          {loading ? '加载中…' : `再看 ${Math.min(PAGE_SIZE, total - lines.length)} 条`}
        </Button>
      ) : null}
    </View>
  )
}
