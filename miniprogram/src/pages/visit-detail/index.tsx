import { useEffect, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { VISIT_FIELD_LABELS as L, type Todo, type VisitDetail, type VisitDetailTodo } from '@anchor/shared'
import { api, errorMessage } from '../../api/client'
import { getSession } from '../../api/session'
import { useRequest } from '../../api/use-request'
// the same order as the customer page, so the shared chunk's CSS has one order (weapp build)
import { StatusTag } from '../../components/tag'
// before the sign-in chip: its photo picker's CSS comes before the sign-in panel's, as on the visit form
import { ActionDone } from '../../components/action-done'
import { SigninChip } from '../../components/signin-panel'
import { NotFound, PageLoading } from '../../components/load-state'
import { PhotoThumbs } from '../../components/photo-thumbs'
import { backOr, goTo } from '../../utils/nav'
import { requireSession } from '../../utils/return-to'
import { formatInstant } from '../../utils/time'
import './index.css'
import { useTeamTimeZone } from '../../api/options'

function Field(props: { id: string; label: string; value: string | null | undefined }) {
  return (
    <View className='visit-detail__field' id={`detail-${props.id}`}>
      <Text className='visit-detail__label'>{props.label}</Text>
      <Text className='visit-detail__value'>{props.value?.trim() ? props.value : '—'}</Text>
    </View>
  )
}

function todoState(todo: VisitDetailTodo): { text: string; tone: 'green' | 'red' | 'orange' } {
  if (todo.status === 'confirmed') return { text: '已确认', tone: 'green' }
  if (todo.escalatedAt) return { text: '已升级', tone: 'red' }
  if (todo.overdue) return { text: '待确认 · 逾期', tone: 'red' }
  return { text: '待确认', tone: 'orange' }
}

/**
 * One visit in full, opened from a to-do card, a timeline entry or a chat link. Whoever confirms its
 * to-do confirms (or asks to talk first) here.
 */
export default function VisitDetailPage() {
  useTeamTimeZone()
  const router = useRouter()
  const id = Number(router.params.id)
  const signedIn = useSignedIn()
  const { data: visit, error, status, reload, setData } = useRequest<VisitDetail | null>(
    () => (signedIn && id > 0 ? api.get<VisitDetail>(`/visits/${id}`) : Promise.resolve(null)),
    [id, signedIn],
  )
  const [busy, setBusy] = useState<'confirm' | 'discuss' | null>(null)
  const [actionError, setActionError] = useState('')

  const back = () => void (visit ? backOr('customer', { id: visit.customer.id }) : backOr('customers'))

  if (!signedIn) return <View className='page' />
  if (status === 404 || (!id && !visit)) {
    return <NotFound id='visit-detail-missing' message='拜访记录不存在，或你无权查看' backId='visit-detail-back' className='visit-detail' onBack={back} />
  }
  if (!visit) return <PageLoading errorId='visit-detail-error' error={error} onRetry={reload} />

  const act = async (kind: 'confirm' | 'discuss') => {
    if (!visit.todo) return
    setBusy(kind)
    setActionError('')
    try {
      const updated = await api.post<Todo>(`/todos/${visit.todo.id}/${kind}`, {})
      setData((prev) => (prev?.todo ? { ...prev, todo: { ...prev.todo, status: updated.status, confirmedAt: updated.confirmedAt, discussRequestedAt: updated.discussRequestedAt ?? null } } : prev))
      void Taro.showToast({ title: kind === 'confirm' ? '已确认' : '已通知销售沟通', icon: kind === 'confirm' ? 'success' : 'none' })
    } catch (e) {
      setActionError(errorMessage(e))
    } finally {
      setBusy(null)
    }
  }

  const todo = visit.todo
  const state = todo ? todoState(todo) : null
  const followUp = visit.nextFollowUpAt ? `${formatInstant(visit.nextFollowUpAt, true)}${visit.nextFollowUpForm ? ` · ${visit.nextFollowUpForm}` : ''}` : null

  return (
    <View className='page visit-detail'>
      <View className='card visit-detail__head'>
        <View className='row row--between'>
          <Text className='visit-detail__customer' id='visit-customer-name' onClick={() => void goTo('customer', { id: visit.customer.id })}>
            {visit.customer.name}
          </Text>
          {visit.alert ? (
            <StatusTag tone='red' className='visit-detail__alert'>
              预警
            </StatusTag>
          ) : null}
        </View>
        <Text className='visit-detail__meta muted'>
          {visit.rep.name} · {visit.submittedAt ? `拜访于 ${formatInstant(visit.submittedAt, true)}` : '待完成的拜访'}
        </Text>
        {visit.submittedAt && visit.signinChip ? (
          <SigninChip id='visit-detail-signin' signin={visit.signin ? { chip: visit.signin.chip, tooFar: visit.signin.tooFar, inaccurate: visit.signin.inaccurate } : null} />
        ) : null}
        {visit.offlineNote ? (
          <Text className='visit-detail__meta muted' id='visit-offline-note'>
            {visit.offlineNote}
          </Text>
        ) : null}
      </View>

      {todo && state ? (
        <View className='card visit-detail__todo' id='visit-todo'>
          <View className='row row--between'>
            <Text className='visit-detail__section-title'>主管确认</Text>
            <StatusTag tone={state.tone} className='visit-detail__todo-state'>
              {state.text}
            </StatusTag>
          </View>
          <Text className='visit-detail__meta'>确认人：{todo.assignee.name}</Text>
          <Text className='visit-detail__meta muted'>
            {todo.status === 'confirmed' && todo.confirmedAt
              ? `确认于 ${formatInstant(todo.confirmedAt, true)}`
              : `确认期限 ${formatInstant(todo.dueAt, true)}`}
          </Text>
          {todo.status === 'open' && todo.discussRequestedAt ? (
            <Text className='visit-detail__meta visit-detail__discuss'>
              {todo.canConfirm ? '已请销售沟通' : '主管希望先和你沟通，请尽快联系'} · {formatInstant(todo.discussRequestedAt)}
            </Text>
          ) : null}
          {actionError ? <Text className='visit-detail__meta state--error'>{actionError}</Text> : null}
          {todo.canConfirm && todo.status === 'open' ? (
            <View className='row visit-detail__actions'>
              <Button id='confirm-todo' className='btn btn--primary visit-detail__confirm' disabled={busy !== null} onClick={() => void act('confirm')}>
                {busy === 'confirm' ? '确认中…' : '确认'}
              </Button>
              {!todo.discussRequestedAt ? (
                <Button id='discuss-todo' className='btn visit-detail__discuss-btn' disabled={busy !== null} onClick={() => void act('discuss')}>
                  {busy === 'discuss' ? '通知中…' : '需要沟通'}
                </Button>
              ) : null}
            </View>
          ) : null}
        </View>
      ) : null}

      {visit.submittedAt && visit.agreedAction ? (
        <View className='card visit-detail__action' id='visit-action'>
          <Text className='visit-detail__section-title'>约定动作</Text>
          <Text className='visit-detail__meta'>
            {visit.agreedActionText}
            {followUp ? ` · 跟进 ${followUp}` : ''}
          </Text>
          {!visit.actionDone && !visit.canCompleteAction ? <Text className='visit-detail__meta muted' id='visit-action-open'>尚未标记完成</Text> : null}
          <ActionDone
            visitId={visit.id}
            done={visit.actionDone ?? null}
            canComplete={!!visit.canCompleteAction}
            onChange={(state) => setData((prev) => (prev ? { ...prev, actionDone: state.actionDone, canCompleteAction: state.canComplete } : prev))}
          />
        </View>
      ) : null}

      <View className='card visit-detail__anchors'>
        <Field id='objective' label={L.objective} value={visit.objective} />
        <Field id='painPoint' label={L.painPoint} value={visit.painPoint} />
        <Field id='dialogueSummary' label={L.dialogueSummary} value={visit.dialogueSummary} />
        <Field id='bottleneck' label={L.bottleneck} value={visit.bottleneck} />
        <Field id='valuePoint' label={L.valuePoint} value={visit.valuePoint} />
        <Field id='agreedAction' label={L.agreedAction} value={visit.agreedActionText} />
        <Field id='nextFollowUp' label='下次跟进' value={followUp} />
        <Field id='customerFeedback' label={L.customerFeedback} value={visit.customerFeedback ?? null} />
        <Field id='alert' label={L.alert} value={visit.alert ? '是（需要主管关注）' : '否'} />
        <Field id='customerVerbatim' label={L.customerVerbatim} value={visit.customerVerbatim ? `「${visit.customerVerbatim}」` : null} />
        {visit.photoIds.length ? (
          <View className='visit-detail__field' id='detail-photos'>
            <Text className='visit-detail__label'>{L.photoIds}（点击放大）</Text>
            <PhotoThumbs ids={visit.photoIds} />
          </View>
        ) : null}
      </View>

      <View className='row visit-detail__nav'>
        <Button id='visit-detail-back' className='btn' onClick={back}>
          返回
        </Button>
        <Button id='visit-detail-customer' className='btn' onClick={() => void goTo('customer', { id: visit.customer.id })}>
          查看客户
        </Button>
      </View>
    </View>
  )
}

/** Checked once per page: a link opened without a session goes to login and comes back after. */
function useSignedIn(): boolean {
  const [signedIn] = useState(() => !!getSession())
  useEffect(() => {
    if (!signedIn) requireSession()
  }, [signedIn])
  return signedIn
}
