import { useRef, useState } from 'react'
import { Button, Text, Textarea, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { api, errorMessage, isApiError } from '../../api/client'
import type { Page } from '../../api/types'
import { formatInstant } from '../../utils/time'
import { goTo } from '../../utils/nav'
import { ErrorRetry } from '../../components/load-state'
import { useTeamTimeZone } from '../../api/options'
import { refreshTaskCount } from '../../api/task-count'
import { loadTaskPools, sessionTaskPools, type MyTaskPool } from '../../api/task-pools'
import { useTabLoad } from '../../api/use-tab-load'
import './index.css'

/** A task as GET /tasks answers it (server/src/modules/tasks/task.service.ts TaskView). */
export interface TaskItem {
  id: number
  kind: string
  kindLabel: string
  /** what it is about (a contract's approval step or 需市场支持 opens the contract) */
  subjectType?: string
  subjectId?: number | null
  state: 'open' | 'done' | 'approved' | 'rejected' | 'cancelled'
  title: string
  lines: string[]
  dueAt: string
  overdue: boolean
  completedAt: string | null
  completedById: number | null
  completedVia?: string | null
  completedBy?: { id: number; name: string } | null
  passedOn?: { to: { id: number; name: string } | null; via: string | null; at: string } | null
  assigneeId: number | null
  assigneePool: string | null
  /** the pool's name (policy taskPools), e.g. 财务 */
  assigneePoolLabel?: string | null
  comment: string | null
  talkRequestedAt: string | null
  actions: Array<'confirm' | 'approve' | 'reject' | 'comment' | 'request_talk' | 'reassign'>
  /** the kind's own words for a button (客户降级复核: confirm → 复核完成) */
  actionLabels?: Partial<Record<'confirm' | 'approve' | 'reject' | 'comment' | 'request_talk' | 'reassign', string>>
  history?: Array<{ action: string; by: { id: number; name: string } | null; via: string | null; comment: string | null; to: { id: number; name: string } | null; at: string }>
}

type As = 'mine' | 'pool' | 'handled'
type Act = TaskItem['actions'][number]
/** the actions that open a form on the card first (words, or whom to hand it to) */
type Form = 'reject' | 'comment' | 'reassign'

export const WORDS_MAX = 200

const BUTTONS: Array<{ action: Act; label: string; primary?: boolean }> = [
  { action: 'approve', label: '同意', primary: true },
  { action: 'confirm', label: '确认', primary: true },
  { action: 'request_talk', label: '需要沟通' },
  { action: 'reject', label: '驳回' },
  { action: 'comment', label: '评论' },
  { action: 'reassign', label: '转交' },
]
const FORMS: Record<Form, { field: string; placeholder: string; send: string }> = {
  reject: { field: '驳回理由', placeholder: '驳回理由（必填，200 字以内）', send: '确认驳回' },
  comment: { field: '评论', placeholder: '评论（必填，200 字以内）', send: '发送评论' },
  reassign: { field: '接手人', placeholder: '', send: '确认转交' },
}
const isForm = (a: Act): a is Form => a === 'reject' || a === 'comment' || a === 'reassign'

/** What a form's words are missing or exceed, naming the field; '' when they will do. */
export function wordsError(form: 'reject' | 'comment', words: string): string {
  const field = FORMS[form].field
  const text = words.trim()
  if (!text) return `请填写${field}`
  if (text.length > WORDS_MAX) return `${field}不能超过 ${WORDS_MAX} 个字（现 ${text.length} 字）`
  return ''
}

interface Colleague {
  id: number
  name: string
  role: string
}
const OUTCOME: Record<TaskItem['state'], string> = { open: '待处理', done: '已确认', approved: '已同意', rejected: '已驳回', cancelled: '已取消' }
const ACTION_TEXT: Record<string, string> = { confirm: '确认', approve: '同意', reject: '驳回', comment: '评论', request_talk: '需要沟通', reassign: '转交', escalate: '升级' }
const VIA_TEXT: Record<string, string> = { app: '应用', wecom: '企业微信', dingtalk: '钉钉' }

/** What the card says once the task is settled, or a talk was asked for. */
function outcomeText(t: TaskItem, note: string | undefined): string {
  if (note) return note
  if (t.state !== 'open') return `${OUTCOME[t.state]}${t.comment ? `：${t.comment}` : ''}`
  if (t.talkRequestedAt) return '已请求沟通'
  return ''
}

const viaText = (v: string | null | undefined) => (v ? VIA_TEXT[v] ?? v : '')

/** In 已处理: who settled it, when, from where. */
function settledLine(t: TaskItem): string {
  if (t.state === 'open') return ''
  return [t.completedBy?.name ?? '', formatInstant(t.completedAt), t.completedVia ? `通过${viaText(t.completedVia)}` : ''].filter(Boolean).join(' · ')
}

/** In 已处理: to whom I passed it on, when, from where. */
function passedLine(t: TaskItem): string {
  if (!t.passedOn) return ''
  return `我于 ${formatInstant(t.passedOn.at)} 转交给 ${t.passedOn.to?.name ?? ''}${t.passedOn.via ? `（${viaText(t.passedOn.via)}）` : ''}`
}

/** In 已处理: the outcome, or 已转交 for a task I passed on that is still open. */
function handledOutcome(t: TaskItem): string {
  if (t.state !== 'open') return outcomeText(t, undefined)
  return t.passedOn ? `已转交给 ${t.passedOn.to?.name ?? ''}（待对方处理）` : '待处理'
}

export default function Tasks() {
  useTeamTimeZone()
  const router = useRouter()
  const focusId = Number(router.params.id) || 0
  // the pools I act in (from /me, kept with the session): the 池 tab names them
  const [pools, setPools] = useState<MyTaskPool[]>(sessionTaskPools() ?? [])
  const hasPool = pools.length > 0
  const first = useRef(true)
  const [items, setItems] = useState<TaskItem[]>([])
  const [focus, setFocus] = useState<TaskItem | null>(null)
  const [busy, setBusy] = useState<number | null>(null)
  const [form, setForm] = useState<{ id: number; form: Form } | null>(null)
  const [words, setWords] = useState<Record<number, string>>({})
  const [colleagues, setColleagues] = useState<Colleague[] | null>(null)
  const [chosen, setChosen] = useState<number | null>(null)
  const [cardErrors, setCardErrors] = useState<Record<number, string>>({})
  const [notes, setNotes] = useState<Record<number, string>>({})
  const [said, setSaid] = useState<Record<number, string>>({})

  const { tab: as, pick, load, loading, error } = useTabLoad<As>('mine', async (view, stale) => {
    let shown = view
    const mine = await loadTaskPools()
    if (!stale()) setPools(mine)
    const one = focusId ? await api.get<TaskItem>(`/tasks/${focusId}`) : null
    // a link to a task waiting in one of my pools opens on that tab, first time only
    if (one && first.current && one.assigneeId === null && mine.some((p) => p.id === one.assigneePool)) shown = 'pool'
    first.current = false
    const page = await api.get<Page<TaskItem>>('/tasks', shown === 'handled' ? { as: 'handled', status: 'all', pageSize: 100 } : { as: shown, status: 'open', pageSize: 100 })
    if (stale()) return shown
    setFocus(one)
    void refreshTaskCount()
    setItems(page.items.filter((t) => t.id !== focusId))
    return shown
  })

  const replace = (updated: TaskItem) => {
    setItems((list) => list.map((t) => (t.id === updated.id ? { ...t, ...updated } : t)))
    setFocus((f) => (f && f.id === updated.id ? { ...f, ...updated, history: f.history } : f))
  }

  const fail = (id: number, message: string) => setCardErrors((e) => ({ ...e, [id]: message }))

  const openForm = async (task: TaskItem, which: Form) => {
    fail(task.id, '')
    setForm({ id: task.id, form: which })
    if (which !== 'reassign') return
    setColleagues(null)
    setChosen(null)
    try {
      setColleagues((await api.get<{ items: Colleague[] }>(`/tasks/${task.id}/handoff`)).items)
    } catch (e) {
      setForm(null)
      if (isApiError(e) && e.code === 'TASK_ALREADY_SETTLED') setNotes((n) => ({ ...n, [task.id]: '该任务已由他人处理，不能再转交' }))
      else fail(task.id, errorMessage(e))
    }
  }

  const act = async (task: TaskItem, action: Act) => {
    const text = (words[task.id] ?? '').trim()
    if (action === 'reject' || action === 'comment') {
      const wrong = wordsError(action, text)
      if (wrong) return fail(task.id, wrong)
    }
    if (action === 'reassign' && !chosen) return fail(task.id, '请选择接手人')
    const body = action === 'reject' || action === 'comment' ? { action, comment: text } : action === 'reassign' ? { action, toMemberId: chosen } : { action }
    setBusy(task.id)
    fail(task.id, '')
    try {
      const updated = await api.post<TaskItem & { changed: boolean }>(`/tasks/${task.id}/actions`, body)
      replace(updated)
      setForm(null)
      setWords((w) => ({ ...w, [task.id]: '' }))
      if (action === 'comment') {
        setSaid((c) => ({ ...c, [task.id]: text }))
        void Taro.showToast({ title: '评论已发送', icon: 'success' })
      } else if (action === 'reassign') {
        const to = colleagues?.find((c) => c.id === chosen)?.name ?? ''
        setNotes((n) => ({ ...n, [task.id]: `已转交给 ${to}` }))
        void Taro.showToast({ title: `已转交给 ${to}`, icon: 'none' })
      } else if (!updated.changed) {
        setNotes((n) => ({ ...n, [task.id]: updated.state === 'open' ? '已请求过沟通' : `已由他人处理（${OUTCOME[updated.state]}）` }))
      }
      void refreshTaskCount()
      if (focusId === task.id) void api.get<TaskItem>(`/tasks/${task.id}`).then(setFocus, () => undefined)
      // a hand-over takes it off my list; a comment or a decision stays on the card until the list is loaded again
      if (action === 'reassign') void load()
    } catch (e) {
      if (isApiError(e) && e.code === 'TASK_ALREADY_SETTLED') {
        setForm(null)
        setNotes((n) => ({ ...n, [task.id]: action === 'reassign' ? '该任务已由他人处理，不能再转交' : '该任务已由他人处理' }))
      } else if (isApiError(e) && e.fields.comment) {
        fail(task.id, `${FORMS[action === 'comment' ? 'comment' : 'reject'].field}：${e.fields.comment}`)
      } else if (isApiError(e) && e.fields.toMemberId) {
        fail(task.id, `接手人：${e.fields.toMemberId}`)
      } else {
        fail(task.id, errorMessage(e))
      }
    } finally {
      setBusy(null)
    }
  }

  const formView = (t: TaskItem, which: Form) => {
    const f = FORMS[which]
    // nobody to hand it to: nothing to send
    const nobody = which === 'reassign' && colleagues?.length === 0
    return (
      <View className='task-card__form' id={`task-${t.id}-${which}-form`}>
        {which === 'reassign' ? (
          <View className='task-card__pick'>
            <Text className='task-card__pick-title'>转交给（同岗位的同事）</Text>
            {colleagues === null ? <Text className='muted'>加载中…</Text> : null}
            {colleagues?.length === 0 ? (
              <Text className='muted' id={`task-${t.id}-nobody`}>
                没有可转交的同事
              </Text>
            ) : null}
            <View className='row task-card__people'>
              {(colleagues ?? []).map((c) => (
                <View key={c.id} id={`task-${t.id}-to-${c.id}`} className={`chip task-card__person ${chosen === c.id ? 'chip--on' : ''}`} onClick={() => (setChosen(c.id), fail(t.id, ''))}>
                  {c.name}
                </View>
              ))}
            </View>
          </View>
        ) : (
          <Textarea
            id={`task-${t.id}-${which === 'reject' ? 'reason' : 'comment-text'}`}
            className='textarea'
            placeholder={f.placeholder}
            maxlength={WORDS_MAX}
            value={words[t.id] ?? ''}
            onInput={(e) => {
              setWords((w) => ({ ...w, [t.id]: e.detail.value }))
              if (cardErrors[t.id]) fail(t.id, '')
            }}
          />
        )}
        <View className='row task-card__actions'>
          {nobody ? null : (
            <Button
              id={`task-${t.id}-${which === 'reject' ? 'reject' : which}-send`}
              className='btn btn--small btn--primary'
              disabled={busy !== null || (which === 'reassign' && colleagues === null)}
              onClick={() => void act(t, which)}
            >
              {busy === t.id ? '处理中…' : f.send}
            </Button>
          )}
          <Button id={`task-${t.id}-${which}-cancel`} className='btn btn--small' onClick={() => (setForm(null), fail(t.id, ''))}>
            {nobody ? '关闭' : '取消'}
          </Button>
        </View>
      </View>
    )
  }

  const card = (t: TaskItem, withHistory: boolean) => {
    const handled = as === 'handled' && t.id !== focusId
    const outcome = handled ? handledOutcome(t) : outcomeText(t, notes[t.id])
    // 需市场支持 is answered on the contract (text and materials), not settled by a bare button here
    const answersOnContract = t.kind === 'contract_marketing_support'
    const buttons = handled ? [] : BUTTONS.filter((b) => t.actions.includes(b.action) && !(answersOnContract && b.action === 'confirm'))
    const open = form && form.id === t.id && t.actions.includes(form.form) ? form.form : null
    const by = handled ? settledLine(t) : ''
    const passed = handled ? passedLine(t) : ''
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
        {t.subjectType === 'contract' && t.subjectId ? (
          <Text className='task-card__line task-card__link' id={`task-${t.id}-contract`} onClick={() => void goTo('contract', { id: t.subjectId! })}>
            {answersOnContract && t.state === 'open' ? '去合同页答复 ›' : '查看合同详情 ›'}
          </Text>
        ) : null}
        {t.state === 'open' && !handled ? (
          <Text className={`task-card__due ${t.overdue ? 'task-card__due--overdue' : 'muted'}`}>
            {t.overdue ? '已超时 · ' : ''}截止 {formatInstant(t.dueAt)}
          </Text>
        ) : null}
        {outcome ? (
          <Text className={`task-card__outcome task-card__outcome--${t.state}`} id={`task-${t.id}-outcome`}>
            {outcome}
          </Text>
        ) : null}
        {by ? (
          <Text className='task-card__by muted' id={`task-${t.id}-by`}>
            {by}
          </Text>
        ) : null}
        {passed ? (
          <Text className='task-card__by muted' id={`task-${t.id}-passed`}>
            {passed}
          </Text>
        ) : null}
        {said[t.id] ? (
          <Text className='task-card__said muted' id={`task-${t.id}-said`}>
            我的评论：{said[t.id]}
          </Text>
        ) : null}
        {open ? formView(t, open) : buttons.length ? (
          <View className='row task-card__actions'>
            {buttons.map((b) => (
              <Button
                key={b.action}
                id={`task-${t.id}-${b.action}`}
                className={`btn btn--small ${b.primary ? 'btn--primary' : ''}`}
                disabled={busy !== null}
                onClick={() => (isForm(b.action) ? void openForm(t, b.action) : void act(t, b.action))}
              >
                {busy === t.id ? '处理中…' : (t.actionLabels?.[b.action] ?? b.label)}
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
            <Text className='task-card__history-title'>处理记录</Text>
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

  const choose = (view: As) => {
    if (view === as) return
    setItems([])
    setForm(null)
    pick(view)
  }

  const empty = as === 'pool' ? `任务池（${pools.map((p) => p.label).join('、')}）里没有待处理的任务` : as === 'handled' ? '还没有处理过的任务' : '没有需要你处理的任务'
  return (
    <View className='page tasks'>
      <View className='row tasks__tabs'>
        <View id='tasks-tab-mine' className={`chip tasks__tab ${as === 'mine' ? 'chip--on' : ''}`} onClick={() => choose('mine')}>
          待我处理
        </View>
        {hasPool ? (
          <View id='tasks-tab-pool' className={`chip tasks__tab ${as === 'pool' ? 'chip--on' : ''}`} onClick={() => choose('pool')}>
            任务池 · {pools.map((p) => p.label).join('、')}
          </View>
        ) : null}
        <View id='tasks-tab-handled' className={`chip tasks__tab ${as === 'handled' ? 'chip--on' : ''}`} onClick={() => choose('handled')}>
          已处理
        </View>
      </View>
      {error ? <ErrorRetry id='tasks-error' message={error} onRetry={() => void load()} /> : null}
      {loading && !items.length && !focus ? <View className='state'>加载中…</View> : null}
      {focus ? card(focus, true) : null}
      {!error && !loading && !items.length && !focus ? (
        <View className='state' id='tasks-empty'>
          {empty}
        </View>
      ) : null}
      {items.map((t) => card(t, false))}
    </View>
  )
}
