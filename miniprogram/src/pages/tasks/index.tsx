import { useRef, useState } from 'react'
import { Button, Text, Textarea, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro'
import { api, errorMessage, isApiError } from '../../api/client'
import { getSession } from '../../api/session'
import type { Page } from '../../api/types'
import { goTo } from '../../utils/nav'
import { formatInstant } from '../../utils/time'
import { ErrorRetry } from '../../components/load-state'
import { useTeamTimeZone } from '../../api/options'
import { refreshTaskCount } from '../../api/task-count'
import { loadTaskPools, sessionTaskPools, type MyTaskPool } from '../../api/task-pools'
import './index.css'

/** A task as GET /tasks answers it (server/src/modules/tasks/task.service.ts TaskView). */
export interface TaskItem {
  id: number
  kind: string
  kindLabel: string
  state: 'open' | 'done' | 'approved' | 'rejected' | 'cancelled'
  title: string
  lines: string[]
  dueAt: string
  overdue: boolean
  completedAt: string | null
  completedById: number | null
  assigneeId: number | null
  assigneePool: string | null
  /** the pool's name (policy taskPools), e.g. 财务 */
  assigneePoolLabel?: string | null
  comment: string | null
  talkRequestedAt: string | null
  actions: Array<'confirm' | 'approve' | 'reject' | 'comment' | 'request_talk' | 'reassign'>
  history?: Array<{ action: string; by: { id: number; name: string } | null; via: string | null; comment: string | null; to: { id: number; name: string } | null; at: string }>
}

type As = 'mine' | 'pool'
type Act = 'confirm' | 'approve' | 'reject' | 'request_talk'

const REASON_MAX = 200

const BUTTONS: Array<{ action: Act; label: string; primary?: boolean }> = [
  { action: 'approve', label: '同意', primary: true },
  { action: 'confirm', label: '确认', primary: true },
  { action: 'request_talk', label: '需要沟通' },
  { action: 'reject', label: '驳回' },
]
const OUTCOME: Record<TaskItem['state'], string> = { open: '待处理', done: '已处理', approved: '已同意', rejected: '已驳回', cancelled: '已取消' }
const ACTION_TEXT: Record<string, string> = { confirm: '确认', approve: '同意', reject: '驳回', comment: '评论', request_talk: '需要沟通', reassign: '转交', escalate: '升级' }
const VIA_TEXT: Record<string, string> = { app: '应用', wecom: '企业微信', dingtalk: '钉钉' }

/** What the card says once the task is settled, or a talk was asked for. */
function outcomeText(t: TaskItem, note: string | undefined): string {
  if (note) return note
  if (t.state !== 'open') return `${OUTCOME[t.state]}${t.comment ? `：${t.comment}` : ''}`
  if (t.talkRequestedAt) return '已请求沟通'
  return ''
}

export default function Tasks() {
  useTeamTimeZone()
  const router = useRouter()
  const focusId = Number(router.params.id) || 0
  const member = getSession()?.member ?? null
  // the pools I act in (from /me, kept with the session): the 池 tab names them
  const [pools, setPools] = useState<MyTaskPool[]>(sessionTaskPools() ?? [])
  const hasPool = pools.length > 0
  const [as, setAs] = useState<As>('mine')
  const first = useRef(true)
  const [items, setItems] = useState<TaskItem[]>([])
  const [focus, setFocus] = useState<TaskItem | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState<number | null>(null)
  const [rejecting, setRejecting] = useState<number | null>(null)
  const [reasons, setReasons] = useState<Record<number, string>>({})
  const [cardErrors, setCardErrors] = useState<Record<number, string>>({})
  const [notes, setNotes] = useState<Record<number, string>>({})

  const load = async (view: As = as) => {
    setLoading(true)
    setError('')
    try {
      const mine = await loadTaskPools()
      setPools(mine)
      const one = focusId ? await api.get<TaskItem>(`/tasks/${focusId}`) : null
      // a link to a task waiting in one of my pools opens on that tab, first time only
      if (one && first.current && one.assigneeId === null && mine.some((p) => p.id === one.assigneePool)) view = 'pool'
      first.current = false
      setAs(view)
      const page = await api.get<Page<TaskItem>>('/tasks', { as: view, status: 'open', pageSize: 100 })
      setFocus(one)
      void refreshTaskCount()
      setItems(page.items.filter((t) => t.id !== focusId))
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }

  useDidShow(() => {
    if (!member) {
      void goTo('login')
      return
    }
    void load()
  })

  usePullDownRefresh(() => {
    void load().finally(() => Taro.stopPullDownRefresh())
  })

  const replace = (updated: TaskItem) => {
    setItems((list) => list.map((t) => (t.id === updated.id ? { ...t, ...updated } : t)))
    setFocus((f) => (f && f.id === updated.id ? { ...f, ...updated, history: f.history } : f))
  }

  const act = async (task: TaskItem, action: Act) => {
    const comment = (reasons[task.id] ?? '').trim()
    if (action === 'reject') {
      if (!comment) return setCardErrors((e) => ({ ...e, [task.id]: '请填写驳回理由' }))
      if (comment.length > REASON_MAX) return setCardErrors((e) => ({ ...e, [task.id]: `驳回理由不能超过 ${REASON_MAX} 个字` }))
    }
    setBusy(task.id)
    setCardErrors((e) => ({ ...e, [task.id]: '' }))
    try {
      const updated = await api.post<TaskItem & { changed: boolean }>(`/tasks/${task.id}/actions`, action === 'reject' ? { action, comment } : { action })
      replace(updated)
      void refreshTaskCount()
      if (!updated.changed) setNotes((n) => ({ ...n, [task.id]: updated.state === 'open' ? '已请求过沟通' : `已由他人处理（${OUTCOME[updated.state]}）` }))
      setRejecting(null)
      if (focusId === task.id) void api.get<TaskItem>(`/tasks/${task.id}`).then(setFocus, () => undefined)
    } catch (e) {
      if (isApiError(e) && e.code === 'TASK_ALREADY_SETTLED') {
        setNotes((n) => ({ ...n, [task.id]: '该任务已由他人处理' }))
      } else if (isApiError(e) && e.fields.comment) {
        setCardErrors((errs) => ({ ...errs, [task.id]: `驳回理由：${e.fields.comment}` }))
      } else {
        setCardErrors((errs) => ({ ...errs, [task.id]: errorMessage(e) }))
      }
    } finally {
      setBusy(null)
    }
  }

  const pick = (view: As) => {
    setAs(view)
    void load(view)
  }

  const card = (t: TaskItem, withHistory: boolean) => {
    const outcome = outcomeText(t, notes[t.id])
    const buttons = BUTTONS.filter((b) => t.actions.includes(b.action))
    return (
      <View key={t.id} className='card task-card' id={`task-${t.id}`}>
        <Text className='task-card__label muted'>{t.kindLabel}</Text>
        <Text className='task-card__title'>{t.title}</Text>
        {t.assigneeId === null && t.assigneePoolLabel ? (
          <Text className='task-card__line muted' id={`task-${t.id}-pool`}>
            任务池：{t.assigneePoolLabel}
          </Text>
        ) : null}
        {t.lines.map((line, i) => (
          <Text key={i} className='task-card__line'>
            {line}
          </Text>
        ))}
        <Text className={`task-card__due ${t.overdue ? 'task-card__due--overdue' : 'muted'}`}>
          {t.overdue ? '已超时 · ' : ''}截止 {formatInstant(t.dueAt)}
        </Text>
        {outcome ? (
          <Text className='task-card__outcome' id={`task-${t.id}-outcome`}>
            {outcome}
          </Text>
        ) : null}
        {rejecting === t.id && t.actions.includes('reject') ? (
          <View className='task-card__reason'>
            <Textarea
              id={`task-${t.id}-reason`}
              className='textarea'
              placeholder='驳回理由（必填，200 字以内）'
              maxlength={REASON_MAX}
              value={reasons[t.id] ?? ''}
              onInput={(e) => setReasons((r) => ({ ...r, [t.id]: e.detail.value }))}
            />
            <View className='row task-card__actions'>
              <Button id={`task-${t.id}-reject-send`} className='btn btn--small btn--primary' disabled={busy !== null} onClick={() => void act(t, 'reject')}>
                确认驳回
              </Button>
              <Button className='btn btn--small' onClick={() => setRejecting(null)}>
                取消
              </Button>
            </View>
          </View>
        ) : buttons.length ? (
          <View className='row task-card__actions'>
            {buttons.map((b) => (
              <Button
                key={b.action}
                id={`task-${t.id}-${b.action}`}
                className={`btn btn--small ${b.primary ? 'btn--primary' : ''}`}
                disabled={busy !== null}
                onClick={() => (b.action === 'reject' ? setRejecting(t.id) : void act(t, b.action))}
              >
                {busy === t.id ? '处理中…' : b.label}
              </Button>
            ))}
          </View>
        ) : null}
        {cardErrors[t.id] ? (
          <Text className='message-error' id={`task-${t.id}-error`}>
            {cardErrors[t.id]}
          </Text>
        ) : null}
        {withHistory && t.history?.length ? (
          <View className='task-card__history' id={`task-${t.id}-history`}>
            {t.history.map((h, i) => (
              <Text key={i} className='task-card__history-item muted'>
                {formatInstant(h.at)} {h.by?.name ?? '系统'} {ACTION_TEXT[h.action] ?? h.action}
                {h.to ? ` → ${h.to.name}` : ''}
                {h.via ? `（${VIA_TEXT[h.via] ?? h.via}）` : ''}
                {h.comment ? `：${h.comment}` : ''}
              </Text>
            ))}
          </View>
        ) : null}
      </View>
    )
  }

  return (
    <View className='page tasks'>
      <View className='row tasks__tabs'>
        <View id='tasks-tab-mine' className={`chip tasks__tab ${as === 'mine' ? 'chip--on' : ''}`} onClick={() => pick('mine')}>
          待我处理
        </View>
        {hasPool ? (
          <View id='tasks-tab-pool' className={`chip tasks__tab ${as === 'pool' ? 'chip--on' : ''}`} onClick={() => pick('pool')}>
            任务池 · {pools.map((p) => p.label).join('、')}
          </View>
        ) : null}
      </View>
      {error ? <ErrorRetry id='tasks-error' message={error} onRetry={() => void load()} /> : null}
      {loading && !items.length && !focus ? <View className='state'>加载中…</View> : null}
      {focus ? card(focus, true) : null}
      {!error && !loading && !items.length && !focus ? (
        <View className='state' id='tasks-empty'>
          {as === 'pool' ? `任务池（${pools.map((p) => p.label).join('、')}）里没有待处理的任务` : '没有需要你处理的任务'}
        </View>
      ) : null}
      {items.map((t) => card(t, false))}
    </View>
  )
}
