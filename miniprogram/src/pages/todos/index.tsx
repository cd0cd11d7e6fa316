import { useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro'
import { api, errorMessage } from '../../api/client'
import { getSession, isManager } from '../../api/session'
import type { Todo } from '../../api/types'
import { formatInstant } from '../../utils/time'
import { StatusTag } from '../../components/tag'
import { ErrorRetry } from '../../components/load-state'
import { useTodoBadge } from '../../api/todo-badge'
import './index.css'

type Filter = 'open' | 'confirmed' | 'all'
const FILTERS: Array<{ value: Filter; label: string }> = [
  { value: 'open', label: '待确认' },
  { value: 'confirmed', label: '已确认' },
  { value: 'all', label: '全部' },
]

export default function Todos() {
  useTodoBadge()
  const member = getSession()?.member ?? null
  // A director sees what was escalated in the region; a supervisor confirms; a rep follows their actions.
  const director = member?.role === 'director'
  const manager = isManager(member) && !director
  const [filter, setFilter] = useState<Filter>(manager ? 'open' : 'all')
  const [items, setItems] = useState<Todo[]>([])
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState('')
  const [confirming, setConfirming] = useState<number | null>(null)
  const [discussing, setDiscussing] = useState<number | null>(null)
  const [confirmErrors, setConfirmErrors] = useState<Record<number, string>>({})

  const load = async (status: Filter = filter) => {
    setLoading(true)
    setError('')
    try {
      const res = await api.get<{ items: Todo[] }>('/todos', { as: director ? 'escalated' : manager ? 'assignee' : 'rep', status })
      setItems(res.items)
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }

  useDidShow(() => {
    if (!member) {
      void Taro.reLaunch({ url: '/pages/index/index' })
      return
    }
    void load()
  })

  usePullDownRefresh(() => {
    void load().finally(() => Taro.stopPullDownRefresh())
  })

  const confirm = async (todo: Todo) => {
    setConfirming(todo.id)
    setConfirmErrors((e) => ({ ...e, [todo.id]: '' }))
    try {
      const updated = await api.post<Partial<Todo> | null>(`/todos/${todo.id}/confirm`, {})
      setItems((list) =>
        list.map((t) =>
          t.id === todo.id ? { ...t, ...(updated ?? {}), status: 'confirmed', confirmedAt: updated?.confirmedAt ?? new Date().toISOString() } : t,
        ),
      )
      void Taro.showToast({ title: '已确认', icon: 'success' })
    } catch (e) {
      setConfirmErrors((errs) => ({ ...errs, [todo.id]: errorMessage(e) }))
    } finally {
      setConfirming(null)
    }
  }

  // 需要沟通: the rep is told (once) to talk to the supervisor; the card stays to be confirmed.
  const discuss = async (todo: Todo) => {
    setDiscussing(todo.id)
    setConfirmErrors((e) => ({ ...e, [todo.id]: '' }))
    try {
      const updated = await api.post<Partial<Todo>>(`/todos/${todo.id}/discuss`, {})
      setItems((list) => list.map((t) => (t.id === todo.id ? { ...t, ...updated } : t)))
      void Taro.showToast({ title: '已通知销售沟通', icon: 'none' })
    } catch (e) {
      setConfirmErrors((errs) => ({ ...errs, [todo.id]: errorMessage(e) }))
    } finally {
      setDiscussing(null)
    }
  }

  const pickFilter = (value: Filter) => {
    setFilter(value)
    void load(value)
  }

  return (
    <View className='page todos'>
      <Text className='todos__intro muted'>
        {manager ? '下属拜访约定的下一步, 请确认' : '我约定的下一步动作及主管确认状态'}
      </Text>
      <View className='row todos__filters'>
        {FILTERS.map((f) => (
          <View
            key={f.value}
            id={`todo-filter-${f.value}`}
            className={`chip todos__filter ${filter === f.value ? 'chip--on' : ''}`}
            onClick={() => pickFilter(f.value)}
          >
            {f.label}
          </View>
        ))}
      </View>

      {error ? (
        <ErrorRetry id='todos-error' message={error} onRetry={() => void load()} />
      ) : null}
      {loading ? <View className='state'>加载中…</View> : null}
      {!loading && !error && !items.length ? (
        <View className='state' id='todos-empty'>
          {filter === 'open' ? '没有待确认的事项' : '暂无待办'}
        </View>
      ) : null}

      {!loading &&
        items.map((t) => {
          const confirmed = t.status === 'confirmed' || !!t.confirmedAt
          const a = t.snapshot?.actionItems
          return (
            <View key={t.id} className={`card todo-item ${confirmed ? 'todo-item--confirmed' : ''}`} data-id={t.id}>
              <View className='row row--between'>
                <Text className='todo-item__customer'>{t.snapshot?.customer?.name ?? '客户'}</Text>
                <StatusTag className='todo-item__state' tone={confirmed ? 'green' : t.overdue ? 'red' : 'orange'}>
                  {confirmed ? '已确认' : t.overdue ? '待确认 · 逾期' : '待确认'}
                </StatusTag>
              </View>
              {manager ? <Text className='todo-item__line muted'>销售: {t.snapshot?.rep?.name ?? '—'}</Text> : null}
              <Text className='todo-item__line'>
                约定动作: <Text className='todo-item__action'>{a?.agreedAction ?? '—'}</Text>
              </Text>
              {a?.nextFollowUpAt ? (
                <Text className='todo-item__line'>
                  下次跟进: {formatInstant(a.nextFollowUpAt)}
                  {a.nextFollowUpForm ? ` · ${a.nextFollowUpForm}` : ''}
                </Text>
              ) : null}
              {t.snapshot?.visit?.painPoint ? <Text className='todo-item__line muted'>痛点: {t.snapshot.visit.painPoint}</Text> : null}
              {!manager && t.reminderAt ? (
                <Text className='todo-item__line muted todo-item__reminder'>提醒时间: {formatInstant(t.reminderAt)}</Text>
              ) : null}
              <Text className='todo-item__line muted'>
                确认期限: {formatInstant(t.dueAt)}
                {confirmed && t.confirmedAt ? ` · 确认于 ${formatInstant(t.confirmedAt)}` : ''}
              </Text>
              {!confirmed && t.discussRequestedAt ? (
                <Text className='todo-item__line todo-item__discuss'>
                  {manager ? '已请销售沟通' : '主管希望先和你沟通, 请尽快联系'} · {formatInstant(t.discussRequestedAt)}
                </Text>
              ) : null}
              {confirmErrors[t.id] ? <Text className='todo-item__line state--error'>{confirmErrors[t.id]}</Text> : null}
              {manager && !confirmed ? (
                <View className='row todo-item__actions'>
                  <Button
                    className='btn btn--primary todo-item__confirm confirm-todo'
                    id={`confirm-todo-${t.id}`}
                    disabled={confirming !== null}
                    onClick={() => void confirm(t)}
                  >
                    {confirming === t.id ? '确认中…' : '确认'}
                  </Button>
                  {!t.discussRequestedAt ? (
                    <Button
                      className='btn todo-item__discuss-btn discuss-todo'
                      id={`discuss-todo-${t.id}`}
                      disabled={discussing !== null}
                      onClick={() => void discuss(t)}
                    >
                      {discussing === t.id ? '通知中…' : '需要沟通'}
                    </Button>
                  ) : null}
                </View>
              ) : null}
              {manager && confirmed ? <Text className='todo-item__done'>已确认</Text> : null}
            </View>
          )
        })}
    </View>
  )
}
