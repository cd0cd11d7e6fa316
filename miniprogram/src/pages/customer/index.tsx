import { useEffect, useRef, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import { api, errorMessage } from '../../api/client'
import type { Customer, Page, TimelineEntry } from '../../api/types'
import { flushQueue, QUEUE_EVENT, QUEUE_SENT_EVENT, readQueue, type QueuedVisit } from '../../api/visit-queue'
import { getSession } from '../../api/session'
import { formatInstant } from '../../utils/time'
import { StatusTag } from '../../components/tag'
import { ErrorRetry } from '../../components/load-state'
import { PhotoThumbs } from '../../components/photo-thumbs'
import './index.css'

const PAGE_SIZE = 20

function describe(entry: TimelineEntry): { title: string; lines: string[] } {
  switch (entry.type) {
    case 'visit':
      return {
        title: `${entry.by.name} 拜访${entry.status === 'pending' ? ' (未提交)' : ''}${entry.alert ? ' ⚠ 预警' : ''}`,
        lines: [
          entry.objective ? `目标: ${entry.objective}` : '',
          entry.painPoint ? `痛点: ${entry.painPoint}` : '',
          entry.agreedAction ? `约定: ${entry.agreedAction}` : '',
          entry.nextFollowUpAt ? `下次跟进: ${formatInstant(entry.nextFollowUpAt)}` : '',
          'offlineNote' in entry && typeof entry.offlineNote === 'string' ? entry.offlineNote : '', // 离线保存于 …，上传于 … (server, policy gap)
        ].filter(Boolean),
      }
    case 'first_touch':
      return {
        title: `${entry.by.name} 首次触达 (${entry.method})${entry.onTime ? '' : ' · 超时'}`,
        lines: [entry.verbatim ? `客户反应: ${entry.verbatim}` : ''].filter(Boolean),
      }
    case 'stage_change':
      return {
        title: `阶段变更: ${entry.fromLabel ?? '新建'} → ${entry.toLabel}`,
        lines: [entry.by.name ? `操作人: ${entry.by.name}` : ''].filter(Boolean),
      }
    case 'todo':
      return {
        title: `待办: ${entry.agreedAction} · ${entry.status === 'confirmed' ? '已确认' : '待确认'}${entry.escalatedAt ? ' · 已升级' : ''}`,
        lines: [
          `截止: ${formatInstant(entry.dueAt)}`,
          entry.confirmedAt ? `确认于: ${formatInstant(entry.confirmedAt)}` : '',
        ].filter(Boolean),
      }
    default:
      return { title: '记录', lines: [] }
  }
}

export default function CustomerPage() {
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
  const seq = useRef(0)

  const refreshPending = () => setPending(readQueue().filter((q) => q.body.customerId === id))

  const load = async () => {
    if (!id) {
      setError('缺少客户编号')
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
      if (mine === seq.current) setError(errorMessage(e))
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

  const newVisit = () => void Taro.navigateTo({ url: `/pages/visit/index?customerId=${id}` })

  return (
    <View className='page customer'>
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
            {customer.overdue ? <StatusTag tone='red'>逾期</StatusTag> : null}
          </View>
          <View className='customer__tags'>
            <StatusTag className='customer__stage'>{customer.stageLabel || customer.stage}</StatusTag>
            {customer.grade ? <StatusTag>{customer.grade} 级</StatusTag> : null}
            {customer.industry ? <StatusTag>{customer.industry}</StatusTag> : null}
          </View>
          <Text className='customer__line'>
            联系人: {customer.contactName || '—'}
            {customer.contactTitle ? ` (${customer.contactTitle})` : ''}
            {customer.contactPhone ? ` ${customer.contactPhone}` : ''}
          </Text>
          {customer.city || customer.address ? (
            <Text className='customer__line'>地址: {[customer.city, customer.address].filter(Boolean).join(' ')}</Text>
          ) : null}
          <Text className='customer__line'>负责人: {customer.owner?.name ?? '—'}</Text>
          <Text className='customer__line muted'>
            最近跟进: {customer.lastFollowUpAt ? formatInstant(customer.lastFollowUpAt, true) : '尚未跟进'}
          </Text>
        </View>
      ) : null}

      {customer && customer.firstTouchDueAt && !customer.firstTouchAt ? (
        <View className='card customer__first-touch'>
          <Text className={`customer__line ${new Date(customer.firstTouchDueAt).getTime() < Date.now() ? 'state--error' : ''}`}>
            新线索, 请在 {formatInstant(customer.firstTouchDueAt, true)} 前完成首次触达
          </Text>
          {/* only the owner records it; a supervisor sees the deadline */}
          {customer.owner?.id === getSession()?.member.id ? (
            <Button
              id='first-touch'
              className='btn btn--block'
              onClick={() => void Taro.navigateTo({ url: `/packages/lead/first-touch/index?customerId=${id}` })}
            >
              记录首次触达
            </Button>
          ) : null}
        </View>
      ) : null}

      {id ? (
        <Button id='new-visit' className='btn btn--primary btn--block' onClick={newVisit}>
          新建拜访
        </Button>
      ) : null}

      {pending.length ? (
        <View className='customer__section'>
          <View className='row row--between'>
            <Text className='customer__section-title'>待同步 ({pending.length})</Text>
            <Button id='sync-now' className='btn btn--small' disabled={syncing} onClick={() => void sync()}>
              {syncing ? '同步中…' : '立即同步'}
            </Button>
          </View>
          {pending.map((p) => (
            <View key={p.key} className={`card pending-sync ${p.error ? 'pending-sync--failed' : ''}`}>
              <StatusTag tone={p.error ? 'red' : 'orange'}>{p.error ? '同步失败' : '待同步'}</StatusTag>
              <Text className='muted'> 保存于 {formatInstant(p.queuedAt)}</Text>
              <Text className='timeline-item__line'>痛点: {p.body.painPoint}</Text>
              <Text className='timeline-item__line'>
                约定: {p.body.agreedAction} · 下次跟进 {p.body.nextFollowUpDate} {p.body.nextFollowUpTime} {p.body.nextFollowUpForm}
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
          return (
            <View key={`${entry.type}-${entry.id}`} className={`card timeline-item timeline-item--${entry.type}`}>
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
