import { Button, Text, View } from '@tarojs/components'
import { agreedActionText } from '@anchor/shared'
import type { Todo } from '../api/types'
import { formatInstant } from '../utils/time'
import { StatusTag } from './tag'
import { ActionDone, type AgreedActionState } from './action-done'
import './todo-card.css'

/**
 * Whose eyes the card is for: the rep following their own next action, the person who confirms it
 * (a supervisor, or a director for a supervisor's visit), or a director reading an escalation.
 */
export type TodoCardView = 'rep' | 'confirm' | 'escalation'

/** 3 小时 20 分钟 / 2 天 5 小时: how long a to-do is past its confirm-by time. */
export function overdueText(minutes: number): string {
  if (minutes < 60) return `${Math.max(1, minutes)} 分钟`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return minutes % 60 ? `${hours} 小时 ${minutes % 60} 分钟` : `${hours} 小时`
  const days = Math.floor(hours / 24)
  return hours % 24 ? `${days} 天 ${hours % 24} 小时` : `${days} 天`
}

export function TodoCard(props: {
  todo: Todo
  view: TodoCardView
  busy?: 'confirm' | 'discuss' | null
  /** another card is busy: this one's buttons wait */
  locked?: boolean
  error?: string
  onConfirm?: () => void
  onDiscuss?: () => void
  onOpen?: () => void
  /** the rep's view: whether the agreed action is done, and 「标记完成」 while it is not */
  action?: AgreedActionState
  onActionChange?: (state: AgreedActionState) => void
}) {
  const { todo: t, view } = props
  const confirmed = t.status === 'confirmed' || !!t.confirmedAt
  const escalated = !!(t.escalated ?? t.escalatedAt)
  const a = t.snapshot?.actionItems
  const canConfirm = view === 'confirm' && !confirmed
  const state = confirmed ? '已确认' : t.overdue ? '待确认 · 逾期' : '待确认'
  return (
    <View className={`card todo-item ${confirmed ? 'todo-item--confirmed' : ''} ${escalated ? 'todo-item--escalated' : ''}`} data-id={t.id} id={`todo-${t.id}`}>
      <View className='row row--between' onClick={props.onOpen}>
        <Text className='todo-item__customer'>{t.snapshot?.customer?.name ?? '客户'}</Text>
        <View className='row todo-item__tags'>
          {escalated ? (
            <StatusTag tone='red' className='todo-item__escalated'>
              已升级
            </StatusTag>
          ) : null}
          <StatusTag className='todo-item__state' tone={confirmed ? 'green' : t.overdue ? 'red' : 'orange'}>
            {state}
          </StatusTag>
        </View>
      </View>
      {view !== 'rep' ? <Text className='todo-item__line todo-item__rep'>销售：{t.snapshot?.rep?.name ?? '—'}</Text> : null}
      {view === 'escalation' ? (
        <Text className='todo-item__line todo-item__assignee'>确认人：{t.assignee?.name ?? '—'}</Text>
      ) : null}
      {view === 'escalation' && !confirmed && (t.overdueMinutes ?? 0) > 0 ? (
        <Text className='todo-item__line todo-item__late state--error'>已超时 {overdueText(t.overdueMinutes ?? 0)}</Text>
      ) : null}
      <Text className='todo-item__line'>
        约定动作：<Text className='todo-item__action'>{agreedActionText(a?.agreedAction, a?.note) || '—'}</Text>
      </Text>
      {a?.nextFollowUpAt ? (
        <Text className='todo-item__line'>
          下次跟进：{formatInstant(a.nextFollowUpAt)}
          {a.nextFollowUpForm ? ` · ${a.nextFollowUpForm}` : ''}
        </Text>
      ) : null}
      {t.snapshot?.visit?.painPoint ? <Text className='todo-item__line muted'>痛点：{t.snapshot.visit.painPoint}</Text> : null}
      {view === 'rep' && t.reminderAt ? <Text className='todo-item__line muted todo-item__reminder'>提醒时间：{formatInstant(t.reminderAt)}</Text> : null}
      <Text className='todo-item__line muted'>
        确认期限：{formatInstant(t.dueAt)}
        {confirmed && t.confirmedAt ? ` · 确认于 ${formatInstant(t.confirmedAt)}` : ''}
      </Text>
      {!confirmed && t.discussRequestedAt ? (
        <Text className='todo-item__line todo-item__discuss'>
          {view === 'rep' ? '主管希望先和你沟通，请尽快联系' : '已请销售沟通'} · {formatInstant(t.discussRequestedAt)}
        </Text>
      ) : null}
      {view === 'rep' && props.action && t.visitId ? (
        <ActionDone visitId={t.visitId} done={props.action.actionDone} canComplete={props.action.canComplete} compact onChange={(s) => props.onActionChange?.(s)} />
      ) : null}
      {props.error ? <Text className='todo-item__line state--error'>{props.error}</Text> : null}
      {canConfirm ? (
        <View className='row todo-item__actions'>
          <Button className='btn btn--primary todo-item__confirm confirm-todo' id={`confirm-todo-${t.id}`} disabled={props.locked} onClick={props.onConfirm}>
            {props.busy === 'confirm' ? '确认中…' : '确认'}
          </Button>
          {!t.discussRequestedAt && props.onDiscuss ? (
            <Button className='btn todo-item__discuss-btn discuss-todo' id={`discuss-todo-${t.id}`} disabled={props.locked} onClick={props.onDiscuss}>
              {props.busy === 'discuss' ? '通知中…' : '需要沟通'}
            </Button>
          ) : null}
        </View>
      ) : null}
      {props.onOpen ? (
        <Text className='todo-item__open' id={`open-visit-${t.id}`} onClick={props.onOpen}>
          查看拜访详情 ›
        </Text>
      ) : null}
    </View>
  )
}
