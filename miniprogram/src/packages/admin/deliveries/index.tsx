import { useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { api, errorMessage } from '../../../api/client'
import { useRequest } from '../../../api/use-request'
import { useConsoleLayout } from '../../../components/console-nav'
import { DataTable, type DataColumn } from '../../../components/data-table'
import { PageLoading } from '../../../components/load-state'
import { StatusTag, type Tone } from '../../../components/tag'
import { formatInstant } from '../../../utils/time'
import './index.css'
import { useTeamTimeZone } from '../../../api/options'

type Status = 'dead' | 'failed' | 'unknown' | 'pending' | 'skipped'

interface DeliveryRow {
  id: number
  channel: string
  target: string
  targetName: string | null
  status: Status | 'sent'
  attempts: number
  lastError: string | null
  nextAttemptAt: string
  createdAt: string
  pendingSince: string | null
}
interface TargetRow {
  target: string
  targetName: string | null
  channel: string
  pendingCount: number
  oldestPendingAgeSeconds: number
  blockedUntil: string | null
  nextAttemptAt: string | null
  lastError: string | null
}
interface ChannelHealth {
  channel: string
  healthy: boolean
  reason: string | null
  since: string | null
  pendingCount: number
}

const CHANNEL_LABELS: Record<string, string> = {
  wecom_app: '企业微信应用消息',
  wecom_card_update: '企业微信卡片更新',
  wecom_robot: '企业微信群机器人',
  dingtalk_robot: '钉钉群机器人',
  wechat_subscribe: '微信订阅消息',
  wecom: '企业微信',
  dingtalk: '钉钉',
  wechat: '微信',
}
const channelLabel = (c: string) => CHANNEL_LABELS[c] ?? c
const TABS: Array<{ status: Status; label: string; hint: string }> = [
  { status: 'dead', label: '死信', hint: '多次重试仍失败、已移出队列的消息：确认渠道恢复后重新发送' },
  { status: 'failed', label: '发送失败', hint: '被平台明确拒绝的消息（如机器人 key 无效）：修正设置后重新发送' },
  { status: 'unknown', label: '结果未知', hint: '群机器人没有回应的消息，可能已发到群里：先在群里确认没有这条，再重新发送' },
  { status: 'pending', label: '排队中', hint: '等待发送或等待重试的消息' },
  { status: 'skipped', label: '已跳过', hint: '轮到发送时已不再需要的消息（如待办已确认的卡片），原因见右侧' },
]
const STATUS_TAGS: Record<DeliveryRow['status'], { label: string; tone: Tone }> = {
  dead: { label: '死信', tone: 'red' },
  failed: { label: '发送失败', tone: 'red' },
  unknown: { label: '结果未知', tone: 'orange' },
  pending: { label: '排队中', tone: 'orange' },
  skipped: { label: '已跳过', tone: 'plain' },
  sent: { label: '已发送', tone: 'green' },
}

/** The member or team name the server found, else 'wecom_app:chen.s1' → 'chen.s1'; a robot names its team, never its key. */
function targetLabel(row: { target: string; targetName: string | null }): string {
  if (row.targetName) return row.targetName
  const target = row.target
  const team = /:team:(\d+)$/.exec(target)
  if (team) return `团队 #${team[1]}`
  return target.replace(/^[a-z_]+:/, '')
}

/** 90 → 1 分钟; 7260 → 2 小时 1 分. */
export function ageText(seconds: number): string {
  if (seconds < 60) return `${seconds} 秒`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} 分钟`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} 小时${minutes % 60 ? ` ${minutes % 60} 分` : ''}`
  return `${Math.floor(hours / 24)} 天 ${hours % 24} 小时`
}

/** The other helper's GET /admin/channel-health: banners when it answers, nothing when it is absent (404) or fails. */
async function loadHealth(): Promise<ChannelHealth[]> {
  try {
    const answer = await api.get<ChannelHealth[] | { items: ChannelHealth[] }>('/admin/channel-health')
    return Array.isArray(answer) ? answer : (answer?.items ?? [])
  } catch {
    return []
  }
}

interface Loaded {
  deliveries: { items: DeliveryRow[]; total: number }
  targets: TargetRow[]
  health: ChannelHealth[]
}

/**
 * Admin: 消息投递 — deliveries that were dead-lettered, refused or are still queued, each with its reason
 * and a 重新发送 button (the same message body, so WeCom still recognises a card that did arrive);
 * 全部重发 per channel after an outage; and how long each person's or group's queue has waited.
 */
export default function Deliveries() {
  useTeamTimeZone()
  const [status, setStatus] = useState<Status>('dead')
  const [busy, setBusy] = useState('')
  const [notice, setNotice] = useState('')
  const [error, setError] = useState('')
  const wide = useConsoleLayout()
  const data = useRequest<Loaded>(async () => {
    const [deliveries, targets, health] = await Promise.all([
      api.get<{ items: DeliveryRow[]; total: number }>('/admin/deliveries', { status, pageSize: 100 }),
      api.get<{ items: TargetRow[] }>('/admin/delivery-targets'),
      loadHealth(),
    ])
    return { deliveries, targets: targets.items, health }
  }, [status])

  const act = async (key: string, work: () => Promise<string>) => {
    setBusy(key)
    setError('')
    setNotice('')
    try {
      setNotice(await work())
      data.reload()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy('')
    }
  }
  const resendOne = (row: DeliveryRow) =>
    act(`one-${row.id}`, async () => {
      await api.post(`/admin/deliveries/${row.id}/resend`)
      return `已重新排队：${channelLabel(row.channel)} → ${targetLabel(row)}`
    })
  const resendChannel = async (channel: string, count: number) => {
    const tab = TABS.find((t) => t.status === status)!
    const answer = await Taro.showModal({ title: '全部重发', content: `把「${channelLabel(channel)}」的全部${tab.label}消息（当前列表 ${count} 条）重新排队发送？`, confirmText: '重发' }).catch(() => ({ confirm: true }))
    if (!answer.confirm) return
    await act(`channel-${channel}`, async () => {
      const res = await api.post<{ resent: number; skippedSettled?: number }>('/admin/deliveries/resend', { channel, status })
      const skipped = res.skippedSettled ? `；${res.skippedSettled} 张卡片的待办已确认，不再发送` : ''
      return `已重新排队 ${res.resent} 条「${channelLabel(channel)}」消息${skipped}`
    })
  }

  if (!data.data) return <PageLoading errorId='deliveries-error' error={data.error} onRetry={data.reload} />
  const { deliveries, targets, health } = data.data
  const rows = deliveries.items
  const canResend = status === 'dead' || status === 'failed' || status === 'unknown'
  // a robot post of unknown outcome may be in its group: only one by one, after looking
  const canResendAll = status === 'dead' || status === 'failed'
  const channels = [...new Set(rows.map((r) => r.channel))]
  const tab = TABS.find((t) => t.status === status)!

  const columns: DataColumn<DeliveryRow>[] = [
    { key: 'channel', title: '渠道', width: 'minmax(120px, 1fr)', render: (r) => <Text>{channelLabel(r.channel)}</Text> },
    { key: 'target', title: '接收方', width: 'minmax(100px, 1fr)', render: (r) => <Text className='deliveries__target'>{targetLabel(r)}</Text> },
    { key: 'status', title: '状态', width: '96PX', render: (r) => <StatusTag tone={STATUS_TAGS[r.status].tone}>{STATUS_TAGS[r.status].label}</StatusTag> },
    { key: 'reason', title: '原因', width: 'minmax(160px, 2fr)', render: (r) => <Text className='deliveries__reason'>{r.lastError || '—'}</Text> },
    { key: 'attempts', title: '尝试', width: '64PX', align: 'right', render: (r) => <Text>{r.attempts}</Text> },
    { key: 'time', title: '入队时间', width: '120PX', align: 'right', render: (r) => <Text>{formatInstant(r.pendingSince ?? r.createdAt)}</Text> },
    ...(canResend
      ? [{
          key: 'action', title: '操作', width: '120PX',
          render: (r: DeliveryRow) => (
            <Button className='btn btn--small deliveries__resend' disabled={!!busy} onClick={() => void resendOne(r)}>
              {busy === `one-${r.id}` ? '重发中…' : '重新发送'}
            </Button>
          ),
        }]
      : []),
  ]

  return (
    <View className='page deliveries'>
      {health.filter((h) => !h.healthy).map((h) => (
        <View key={h.channel} className='deliveries__banner' id={`health-${h.channel}`}>
          <Text className='deliveries__banner-title'>{channelLabel(h.channel)} 暂不可用</Text>
          <Text className='deliveries__banner-text'>
            {h.reason || '原因未知'}
            {h.since ? `（自 ${formatInstant(h.since)} 起）` : ''}，{h.pendingCount} 条消息排队等待，恢复后按顺序发出
          </Text>
        </View>
      ))}

      <Text className='deliveries__title'>消息投递</Text>
      <View className='row deliveries__tabs'>
        {TABS.map((t) => (
          <View key={t.status} id={`tab-${t.status}`} className={`chip ${status === t.status ? 'chip--on' : ''}`} onClick={() => setStatus(t.status)}>
            {t.label}
          </View>
        ))}
      </View>
      <Text className='muted deliveries__hint'>{tab.hint}（共 {deliveries.total} 条）</Text>

      {notice ? <Text id='deliveries-notice' className='deliveries__notice'>{notice}</Text> : null}
      {error ? <Text id='deliveries-action-error' className='message-error'>{error}</Text> : null}

      {canResendAll && channels.length ? (
        <View className='row deliveries__bulk'>
          {channels.map((c) => (
            <Button key={c} id={`resend-all-${c}`} className='btn btn--small' disabled={!!busy} onClick={() => void resendChannel(c, rows.filter((r) => r.channel === c).length)}>
              {busy === `channel-${c}` ? '重发中…' : `全部重发 · ${channelLabel(c)}`}
            </Button>
          ))}
        </View>
      ) : null}

      {wide ? (
        <DataTable id='delivery-list' columns={columns} rows={rows} rowKey={(r) => r.id} rowClassName={(r) => `delivery-row delivery-row--${r.status}`} empty={<Text className='muted'>没有{tab.label}的消息</Text>} />
      ) : (
        <View id='delivery-list'>
          {rows.length === 0 ? <View className='state'>没有{tab.label}的消息</View> : null}
          {rows.map((r) => (
            <View key={r.id} className={`card delivery-row delivery-row--${r.status}`} data-id={r.id}>
              <View className='row row--between'>
                <Text className='deliveries__card-title'>{channelLabel(r.channel)} → {targetLabel(r)}</Text>
                <StatusTag tone={STATUS_TAGS[r.status].tone}>{STATUS_TAGS[r.status].label}</StatusTag>
              </View>
              <Text className='deliveries__reason deliveries__line'>{r.lastError ? `原因：${r.lastError}` : '尚未失败'}</Text>
              <Text className='muted deliveries__line'>尝试 {r.attempts} 次 · 入队 {formatInstant(r.pendingSince ?? r.createdAt)}</Text>
              {canResend ? (
                <Button className='btn btn--small deliveries__resend' disabled={!!busy} onClick={() => void resendOne(r)}>
                  {busy === `one-${r.id}` ? '重发中…' : '重新发送'}
                </Button>
              ) : null}
            </View>
          ))}
        </View>
      )}

      <Text className='deliveries__subtitle'>各接收方的排队情况</Text>
      {targets.length === 0 ? (
        <View className='state' id='targets-empty'>所有消息都已发出，没有排队</View>
      ) : (
        <View id='delivery-targets'>
          {targets.map((t) => (
            <View key={t.target} className='card deliveries__queue target-row' data-target={t.target}>
              <View className='row row--between'>
                <Text className='deliveries__card-title'>{channelLabel(t.channel)} → {targetLabel(t)}</Text>
                <Text className='deliveries__age'>最久等待 {ageText(t.oldestPendingAgeSeconds)}</Text>
              </View>
              <Text className='muted deliveries__line'>
                排队 {t.pendingCount} 条{t.blockedUntil ? ` · 暂停至 ${formatInstant(t.blockedUntil)}` : ''}{t.nextAttemptAt ? ` · 下次尝试 ${formatInstant(t.nextAttemptAt)}` : ''}
              </Text>
              {t.lastError ? <Text className='deliveries__reason deliveries__line'>最近错误：{t.lastError}</Text> : null}
            </View>
          ))}
        </View>
      )}
    </View>
  )
}
