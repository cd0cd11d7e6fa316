import { useEffect, useRef, useState } from 'react'
import { Button, Image, Text, View } from '@tarojs/components'
import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import { API_BASE, api, errorMessage, isApiError } from '../../api/client'
import { can, lostReasonText } from '@anchor/shared'
import type { Customer, Page, TimelineEntry } from '../../api/types'
import { flushQueue, QUEUE_EVENT, QUEUE_SENT_EVENT, readQueue, type QueuedVisit } from '../../api/visit-queue'
import { getSession, getToken } from '../../api/session'
import { backOr, goTo } from '../../utils/nav'
import { formatInstant } from '../../utils/time'
import { StatusTag } from '../../components/tag'
import { ErrorRetry, NotFound } from '../../components/load-state'
import { PhotoThumbs } from '../../components/photo-thumbs'
import { SigninPanel } from '../../components/signin-panel'
import { CustomerMaterials } from '../../components/customer-materials'
import './index.css'
import { GradeSection } from './grade-section'
import { CloseSection } from './close-section'
import { SupportPackSection } from './support-pack-section'
import { customerOverdue, useTeamTimeZone } from '../../api/options'

const PAGE_SIZE = 20

/** A contact phone as a link that dials (tel: on H5, the system dialer in the mini-program). */
function PhoneLink(props: { phone: string }) {
  const dial = props.phone.replace(/[^0-9+]/g, '')
  if (process.env.TARO_ENV === 'h5') {
    return (
      <a className='customer__phone' id='contact-phone' href={`tel:${dial}`}>
        {props.phone}
      </a>
    )
  }
  return (
    <Text className='customer__phone' id='contact-phone' onClick={() => void Taro.makePhoneCall({ phoneNumber: dial }).catch(() => undefined)}>
      {props.phone}
    </Text>
  )
}

/** The customer's code (scanning it opens a visit form for this customer), fetched with the session's token. */
function CustomerQr(props: { id: number; name: string; onClose: () => void }) {
  const [src, setSrc] = useState('')
  const [failed, setFailed] = useState('')
  useEffect(() => {
    let alive = true
    const token = getToken()
    Taro.downloadFile({ url: `${API_BASE}/api/v1/customers/${props.id}/qr.png`, header: token ? { Authorization: `Bearer ${token}` } : {} })
      .then((res) => {
        if (!alive) return
        if (res.statusCode !== 200 || !res.tempFilePath) setFailed('二维码加载失败，请稍后重试')
        else setSrc(res.tempFilePath)
      })
      .catch(() => alive && setFailed('二维码加载失败，请检查网络后重试'))
    return () => {
      alive = false
    }
  }, [props.id])
  return (
    <View className='card customer__qr' id='customer-qr'>
      <Text className='customer__qr-name'>{props.name}</Text>
      {src ? <Image id='customer-qr-image' className='customer__qr-image' src={src} mode='aspectFit' /> : <View className='state'>{failed || '加载中…'}</View>}
      <Text className='muted customer__qr-hint'>扫码即可为该客户填写拜访记录</Text>
      <View className='row customer__qr-actions'>
        {process.env.TARO_ENV === 'h5' && src ? (
          <Button id='print-qr' className='btn btn--small' onClick={() => window.print()}>
            打印
          </Button>
        ) : null}
        {process.env.TARO_ENV !== 'h5' && src ? (
          <Button id='preview-qr' className='btn btn--small' onClick={() => void Taro.previewImage({ urls: [src] })}>
            查看大图（长按保存）
          </Button>
        ) : null}
        <View className='gap' />
        <Button id='close-qr' className='btn btn--small' onClick={props.onClose}>
          收起
        </Button>
      </View>
    </View>
  )
}

function describe(entry: TimelineEntry): { title: string; lines: string[] } {
  switch (entry.type) {
    case 'visit':
      return {
        title: `${entry.by.name} 拜访${entry.status === 'pending' ? '（未提交）' : ''}${entry.alert ? ' ⚠ 预警' : ''}`,
        lines: [
          entry.objective ? `目标：${entry.objective}` : '',
          entry.painPoint ? `痛点：${entry.painPoint}` : '',
          entry.customerFeedback ? `客户反馈：${entry.customerFeedback}` : '',
          entry.agreedAction ? `约定：${entry.agreedActionText || entry.agreedAction}` : '',
          entry.actionDone ? `约定动作已完成 · ${entry.actionDone.onTime ? '按时' : '逾期'}（${formatInstant(entry.actionDone.at)}）` : '',
          entry.nextFollowUpAt ? `下次跟进：${formatInstant(entry.nextFollowUpAt)}` : '',
          entry.offlineNote ?? '', // 离线保存于 …，上传于 … (server, policy gap)
        ].filter(Boolean),
      }
    case 'first_touch':
      return {
        title: `${entry.by.name} 首次触达（${entry.method}）${entry.onTime ? '' : ' · 超时'}`,
        lines: [entry.verbatim ? `客户反应：${entry.verbatim}` : ''].filter(Boolean),
      }
    case 'stage_change':
      if (entry.kind === 'closed_lost') {
        return {
          title: `关闭（丢单）：在「${entry.toLabel}」阶段`,
          lines: [`原因：${lostReasonText(entry.reason, entry.note)}`, entry.by.name ? `操作人：${entry.by.name}` : ''].filter(Boolean),
        }
      }
      if (entry.kind === 'reopened') {
        return {
          title: `重新打开（「${entry.toLabel}」阶段）`,
          lines: [entry.note ? `说明：${entry.note}` : '', entry.by.name ? `操作人：${entry.by.name}` : ''].filter(Boolean),
        }
      }
      return {
        title: `阶段变更：${entry.fromLabel ?? '新建'} → ${entry.toLabel}`,
        lines: [entry.by.name ? `操作人：${entry.by.name}` : ''].filter(Boolean),
      }
    case 'todo':
      return {
        title: `待办：${entry.agreedActionText || entry.agreedAction} · ${entry.status === 'confirmed' ? '已确认' : '待确认'}${entry.escalatedAt ? ' · 已升级' : ''}`,
        lines: [
          `截止：${formatInstant(entry.dueAt)}`,
          entry.confirmedAt ? `确认于：${formatInstant(entry.confirmedAt)}` : '',
        ].filter(Boolean),
      }
    case 'material_open':
      return {
        title: `客户打开了《${entry.title}》`,
        lines: [`${entry.by.name} 分享`, entry.watchedSeconds ? `观看 ${Math.floor(entry.watchedSeconds / 60)} 分 ${entry.watchedSeconds % 60} 秒` : ''].filter(Boolean),
      }
    default:
      return { title: '记录', lines: [] }
  }
}

export default function CustomerPage() {
  useTeamTimeZone()
  const router = useRouter()
  const id = Number(router.params.id)
  const [customer, setCustomer] = useState<Customer | null>(null)
  const [timeline, setTimeline] = useState<TimelineEntry[]>([])
  const [total, setTotal] = useState(0)
  const [page, setPage] = useState(1)
  const [loading, setLoading] = useState(true)
  const [loadingMore, setLoadingMore] = useState(false)
  const [error, setError] = useState('')
  const [pending, setPending] = useState<QueuedVisit[]>([])
  const [syncing, setSyncing] = useState(false)
  const [missing, setMissing] = useState(false)
  const [showQr, setShowQr] = useState(false)
  const role = getSession()?.member.role
  // finance and marketing read customers; who may edit them also visits them (shared/src/permissions.ts)
  const canEdit = can(role, 'customers.update')
  const canVisit = can(role, 'visits.create')
  const seq = useRef(0)

  const refreshPending = () => setPending(readQueue().filter((q) => q.body.customerId === id))

  const load = async () => {
    if (!id) {
      setMissing(true)
      setLoading(false)
      return
    }
    const mine = ++seq.current
    setLoading(true)
    setError('')
    try {
      const [c, t] = await Promise.all([
        api.get<Customer>(`/customers/${id}`),
        api.get<Page<TimelineEntry>>(`/customers/${id}/timeline`, { page: 1, pageSize: PAGE_SIZE }),
      ])
      if (mine !== seq.current) return
      setCustomer(c)
      setTimeline(t.items)
      setTotal(t.total)
      setPage(1)
      Taro.setNavigationBarTitle({ title: c.name }).catch(() => undefined)
    } catch (e) {
      if (mine !== seq.current) return
      // gone or out of reach: nothing to retry and nothing to do here but go back
      if (isApiError(e) && e.status === 404) setMissing(true)
      else setError(errorMessage(e))
    } finally {
      if (mine === seq.current) setLoading(false)
    }
  }

  const loadMore = async () => {
    setLoadingMore(true)
    try {
      const t = await api.get<Page<TimelineEntry>>(`/customers/${id}/timeline`, { page: page + 1, pageSize: PAGE_SIZE })
      setTimeline((prev) => [...prev, ...t.items])
      setTotal(t.total)
      setPage(page + 1)
    } catch (e) {
      void Taro.showToast({ title: errorMessage(e), icon: 'none' })
    } finally {
      setLoadingMore(false)
    }
  }

  const sync = async () => {
    setSyncing(true)
    try {
      await flushQueue() // each sent visit fires QUEUE_SENT_EVENT, which reloads the timeline
    } catch {
      // the queue keeps what did not go out
    } finally {
      setSyncing(false)
      refreshPending()
    }
  }

  useDidShow(() => {
    refreshPending()
    void load()
    void sync()
  })

  useEffect(() => {
    const onQueue = () => refreshPending()
    const onSent = (customerId: number) => {
      if (customerId === id) void load()
    }
    Taro.eventCenter.on(QUEUE_EVENT, onQueue)
    Taro.eventCenter.on(QUEUE_SENT_EVENT, onSent)
    return () => {
      Taro.eventCenter.off(QUEUE_EVENT, onQueue)
      Taro.eventCenter.off(QUEUE_SENT_EVENT, onSent)
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id])

  const newVisit = () => void goTo('visitNew', { customerId: id })

  if (missing) {
    return <NotFound id='customer-missing' message='客户不存在或你无权查看' className='customer' onBack={() => void backOr('customers')} />
  }

  return (
    <View className='page customer'>
      <View className='row row--between customer__nav no-print'>
        <Button id='back' className='btn btn--small' onClick={() => void backOr('customers')}>
          ‹ 返回
        </Button>
        {customer && canEdit ? (
          <View className='row'>
            <Button id='show-qr' className='btn btn--small' onClick={() => setShowQr(!showQr)}>
              二维码
            </Button>
            <View className='gap' />
            <Button id='edit-customer' className='btn btn--small' onClick={() => void goTo('customerEdit', { id })}>
              编辑
            </Button>
          </View>
        ) : null}
      </View>
      {loading && !customer ? <View className='state'>加载中…</View> : null}
      {error ? (
        <ErrorRetry id='customer-error' message={error} onRetry={() => void load()} />
      ) : null}

      {customer ? (
        <View className='card customer__profile'>
          <View className='row row--between'>
            <Text className='customer__name' id='customer-name'>
              {customer.name}
            </Text>
            {customer.closed ? <StatusTag tone='red'>已丢单</StatusTag> : customerOverdue(customer) ? <StatusTag tone='red'>逾期</StatusTag> : null}
          </View>
          <View className='customer__tags'>
            <StatusTag className='customer__stage'>{customer.stageLabel || customer.stage}</StatusTag>
            {customer.grade ? <StatusTag>{customer.grade} 级</StatusTag> : null}
            {customer.industry ? <StatusTag>{customer.industry}</StatusTag> : null}
          </View>
          <Text className='customer__line'>
            联系人：{customer.contactName || '—'}
            {customer.contactTitle ? `（${customer.contactTitle}）` : ''}
            {customer.contactPhone ? ' ' : ''}
            {customer.contactPhone ? <PhoneLink phone={customer.contactPhone} /> : null}
          </Text>
          {customer.city || customer.address ? (
            <Text className='customer__line'>地址：{[customer.city, customer.address].filter(Boolean).join(' ')}</Text>
          ) : null}
          <Text className='customer__line'>负责人：{customer.owner?.name ?? '—'}</Text>
          <Text className='customer__line muted'>
            最近跟进：{customer.lastFollowUpAt ? formatInstant(customer.lastFollowUpAt, true) : '尚未跟进'}
          </Text>
        </View>
      ) : null}

      {customer && customer.closed ? <CloseSection customer={customer} role={role} onChange={() => void load()} /> : null}

      {customer ? <GradeSection id={id} canRegrade={canEdit} onGraded={() => void load()} /> : null}
      {customer ? <SupportPackSection id={id} reloadKey={`${customer.grade ?? ''}|${customer.updatedAt}`} /> : null}

      {customer && showQr ? <CustomerQr id={id} name={customer.name} onClose={() => setShowQr(false)} /> : null}

      {customer && customer.firstTouchDueAt && !customer.firstTouchAt ? (
        <View className='card customer__first-touch'>
          <Text className={`customer__line ${new Date(customer.firstTouchDueAt).getTime() < Date.now() ? 'state--error' : ''}`}>
            新线索，请在 {formatInstant(customer.firstTouchDueAt, true)} 前完成首次触达
          </Text>
          {/* only the owner records it; a supervisor sees the deadline */}
          {customer.owner?.id === getSession()?.member.id ? (
            <Button
              id='first-touch'
              className='btn btn--block'
              onClick={() => void goTo('firstTouch', { customerId: id })}
            >
              记录首次触达
            </Button>
          ) : null}
        </View>
      ) : null}

      {customer && canVisit ? (
        <Button id='new-visit' className='btn btn--primary btn--block' onClick={newVisit}>
          新建拜访
        </Button>
      ) : null}

      {customer && (can(role, 'contracts.submit') || can(role, 'contracts.read')) ? (
        <View className='row customer__contracts'>
          {can(role, 'contracts.submit') && !customer.closed ? (
            <Button id='new-contract' className='btn btn--small' onClick={() => void goTo('contractEdit', { customerId: id })}>
              新建合同
            </Button>
          ) : null}
          <Button id='customer-contracts' className='btn btn--small' onClick={() => void goTo('contracts', { customerId: id })}>
            查看合同
          </Button>
        </View>
      ) : null}

      {customer && (canVisit || can(role, 'signins.read')) ? <SigninPanel customerId={id} /> : null}

      {customer ? <CustomerMaterials customerId={id} /> : null}

      {customer && !customer.closed ? <CloseSection customer={customer} role={role} onChange={() => void load()} /> : null}

      {pending.length ? (
        <View className='customer__section'>
          <View className='row row--between'>
            <Text className='customer__section-title'>待同步（{pending.length}）</Text>
            <Button id='sync-now' className='btn btn--small' disabled={syncing} onClick={() => void sync()}>
              {syncing ? '同步中…' : '立即同步'}
            </Button>
          </View>
          {pending.map((p) => (
            <View key={p.key} className={`card pending-sync ${p.error ? 'pending-sync--failed' : ''}`}>
              <StatusTag tone={p.error ? 'red' : 'orange'}>{p.error ? '同步失败' : '待同步'}</StatusTag>
              <Text className='muted'> 保存于 {formatInstant(p.queuedAt)}</Text>
              <Text className='timeline-item__line'>痛点：{p.body.painPoint}</Text>
              <Text className='timeline-item__line'>
                约定：{p.body.agreedAction} · 下次跟进 {p.body.nextFollowUpDate} {p.body.nextFollowUpTime} {p.body.nextFollowUpForm}
              </Text>
              {p.error ? <Text className='timeline-item__line state--error'>{p.error}</Text> : null}
            </View>
          ))}
        </View>
      ) : null}

      <View className='customer__section'>
        <Text className='customer__section-title'>跟进记录</Text>
        {!loading && !error && !timeline.length ? <View className='state'>暂无记录</View> : null}
        {timeline.map((entry) => {
          const { title, lines } = describe(entry)
          const visitId = entry.type === 'visit' && entry.status === 'submitted' ? entry.id : entry.type === 'todo' ? entry.visitId : null
          return (
            <View
              key={`${entry.type}-${entry.id}`}
              className={`card timeline-item timeline-item--${entry.type}${visitId ? ' timeline-item--link' : ''}`}
              onClick={visitId ? () => void goTo('visitDetail', { id: visitId, ...(entry.type === 'todo' ? { todo: entry.id } : {}) }) : undefined}
            >
              <View className='row row--between'>
                <Text className='timeline-item__title'>{title}</Text>
              </View>
              <Text className='muted timeline-item__at'>{formatInstant(entry.at, true)}</Text>
              {lines.map((line, i) => (
                <Text key={i} className='timeline-item__line'>
                  {line}
                </Text>
              ))}
              {(entry.type === 'visit' || entry.type === 'first_touch') && entry.photoIds?.length ? <PhotoThumbs ids={entry.photoIds} /> : null}
            </View>
          )
        })}
        {timeline.length < total ? (
          <Button id='timeline-more' className='btn btn--block' disabled={loadingMore} onClick={() => void loadMore()}>
            {loadingMore ? '加载中…' : '加载更多'}
          </Button>
        ) : null}
      </View>
    </View>
  )
}
