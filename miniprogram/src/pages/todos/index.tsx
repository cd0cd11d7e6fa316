import { useState } from 'react'
import { Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { can, type Role } from '@anchor/shared'
import { api, errorMessage } from '../../api/client'
import { getSession } from '../../api/session'
import type { Page, Todo } from '../../api/types'
import { goTo } from '../../utils/nav'
import { TodoCard, type TodoCardView } from '../../components/todo-card'
import type { AgreedActionState } from '../../components/action-done'
import { ErrorRetry } from '../../components/load-state'
import { useTodoBadge } from '../../api/todo-badge'
import './index.css'
import { useTeamTimeZone } from '../../api/options'
import { refreshTaskCount, useTaskCount } from '../../api/task-count'
import { useTabLoad } from '../../api/use-tab-load'

type Filter = 'open' | 'confirmed' | 'all'
const FILTERS: Array<{ value: Filter; label: string }> = [
  { value: 'open', label: '待确认' },
  { value: 'confirmed', label: '已确认' },
  { value: 'all', label: '全部' },
]

/** One list on the screen: which to-dos, seen as whom. */
interface Section {
  key: string
  as: 'rep' | 'assignee' | 'escalated'
  view: TodoCardView
  title: string
  empty: string
}

/**
 * What 待办 holds for each role, from the permission matrix (shared/src/permissions.ts): who follows
 * their own next actions (a rep) sees those; who confirms cards (a supervisor) sees them; who also
 * follows escalations (a director, an admin) sees what they confirm and the region's escalations;
 * nothing for the rest (finance, marketing).
 */
export function sectionsFor(role: Role | undefined): { intro: string; sections: Section[] } {
  if (can(role, 'todos.follow')) {
    return { intro: '我约定的下一步动作及确认状态', sections: [{ key: 'mine', as: 'rep', view: 'rep', title: '', empty: '暂无待办' }] }
  }
  if (can(role, 'todos.confirm') && can(role, 'todos.escalations.read')) {
    return {
      intro: '需要你确认的事项，以及区域内超时未确认的升级事项',
      sections: [
        // what the director acts on first; the region's escalations to read and follow up below
        { key: 'confirm', as: 'assignee', view: 'confirm', title: '待我确认', empty: '没有需要你确认的事项' },
        { key: 'escalated', as: 'escalated', view: 'escalation', title: '区域升级', empty: '区域内没有升级事项' },
      ],
    }
  }
  if (can(role, 'todos.confirm')) {
    return { intro: '下属拜访约定的下一步，请逐条确认', sections: [{ key: 'confirm', as: 'assignee', view: 'confirm', title: '', empty: '没有需要确认的事项' }] }
  }
  return { intro: '你的岗位没有待办事项，可在「客户」中查看客户资料', sections: [] }
}

export default function Todos() {
  useTeamTimeZone()
  useTodoBadge()
  const member = getSession()?.member ?? null
  const { intro, sections } = sectionsFor(member?.role)
  const [lists, setLists] = useState<Record<string, Todo[]>>({})
  const [busy, setBusy] = useState<{ id: number; what: 'confirm' | 'discuss' } | null>(null)
  const [cardErrors, setCardErrors] = useState<Record<number, string>>({})
  // the rep's agreed actions behind the cards (标记完成), by visit
  const [actions, setActions] = useState<Record<number, AgreedActionState>>({})
  const openTasks = useTaskCount()

  const { tab: filter, pick: pickFilter, load, loading, error } = useTabLoad<Filter>(
    can(member?.role, 'todos.follow') ? 'all' : 'open',
    async (status, stale) => {
      if (!sections.length) return
      const pages = await Promise.all(sections.map((s) => api.get<Page<Todo>>('/todos', { as: s.as, status, pageSize: 100 })))
      if (stale()) return
      setLists(Object.fromEntries(sections.map((s, i) => [s.key, pages[i]!.items])))
      const visitIds = [...new Set(sections.flatMap((s, i) => (s.view === 'rep' ? pages[i]!.items.flatMap((t) => (t.visitId ? [t.visitId] : [])) : [])))]
      if (!visitIds.length) return
      // a card still shows without it: the agreed action's state is one more look-up
      const states = await api.get<{ items: AgreedActionState[] }>('/agreed-actions', { visitIds: visitIds.join(',') }).catch(() => null)
      if (states && !stale()) setActions(Object.fromEntries(states.items.map((a) => [a.visitId, a])))
    },
    () => void refreshTaskCount(),
  )

  const replace = (updated: Todo) =>
    setLists((all) => Object.fromEntries(Object.entries(all).map(([key, list]) => [key, list.map((t) => (t.id === updated.id ? { ...t, ...updated } : t))])))

  const act = async (todo: Todo, what: 'confirm' | 'discuss') => {
    setBusy({ id: todo.id, what })
    setCardErrors((e) => ({ ...e, [todo.id]: '' }))
    try {
      const updated = await api.post<Todo>(`/todos/${todo.id}/${what}`, {})
      replace({ ...todo, ...updated, ...(what === 'confirm' ? { status: 'confirmed', confirmedAt: updated?.confirmedAt ?? new Date().toISOString() } : {}) })
      void Taro.showToast({ title: what === 'confirm' ? '已确认' : '已通知销售沟通', icon: what === 'confirm' ? 'success' : 'none' })
    } catch (e) {
      setCardErrors((errs) => ({ ...errs, [todo.id]: errorMessage(e) }))
    } finally {
      setBusy(null)
    }
  }

  return (
    <View className='page todos'>
      <Text className='todos__intro muted' id='todos-intro'>
        {intro}
      </Text>
      {/* approvals and other tasks besides the visit next actions below */}
      {openTasks ? (
        <Text id='todos-tasks-link' className='todos__tasks-link' onClick={() => void goTo('tasks')}>
          审批任务（{openTasks}）›
        </Text>
      ) : null}
      {sections.length ? (
        <View className='row todos__filters'>
          {FILTERS.map((f) => (
            <View key={f.value} id={`todo-filter-${f.value}`} className={`chip todos__filter ${filter === f.value ? 'chip--on' : ''}`} onClick={() => pickFilter(f.value)}>
              {f.label}
            </View>
          ))}
        </View>
      ) : null}

      {error ? <ErrorRetry id='todos-error' message={error} onRetry={() => void load()} /> : null}
      {loading ? <View className='state'>加载中…</View> : null}

      {!loading && !error
        ? sections.map((s) => {
            const items = lists[s.key] ?? []
            return (
              <View key={s.key} className={`todos__section todos__section--${s.key}`} id={`todos-${s.key}`}>
                {s.title ? <Text className='todos__section-title'>{s.title}{items.length ? `（${items.length}）` : ''}</Text> : null}
                {!items.length ? (
                  <View className='state' id={sections.length === 1 ? 'todos-empty' : `todos-${s.key}-empty`}>
                    {filter === 'open' ? s.empty : '暂无待办'}
                  </View>
                ) : null}
                {items.map((t) => (
                  <TodoCard
                    key={`${s.key}-${t.id}`}
                    todo={t}
                    view={s.view}
                    busy={busy?.id === t.id ? busy.what : null}
                    locked={busy !== null}
                    error={cardErrors[t.id]}
                    onConfirm={() => void act(t, 'confirm')}
                    onDiscuss={() => void act(t, 'discuss')}
                    onOpen={t.visitId ? () => void goTo('visitDetail', { id: t.visitId!, todo: t.id }) : undefined}
                    action={t.visitId ? actions[t.visitId] : undefined}
                    onActionChange={(state) => setActions((all) => ({ ...all, [state.visitId]: state }))}
                  />
                ))}
              </View>
            )
          })
        : null}
    </View>
  )
}
