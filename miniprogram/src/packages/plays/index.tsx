import { useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import { useRouter } from '@tarojs/taro'
import { ROLE_LABELS, can, percentOf, type PlayRate, type PlaysTable, type PlayView } from '@anchor/shared'
import { api, errorMessage } from '../../api/client'
import { getSession } from '../../api/session'
import { useRequest } from '../../api/use-request'
import { useConsoleLayout } from '../../components/console-nav'
import { DataTable } from '../../components/data-table'
import { NotFound, PageLoading } from '../../components/load-state'
import { StatusTag } from '../../components/tag'
import { backOr } from '../../utils/nav'
import { formatInstant } from '../../utils/time'
import './index.css'

/**
 * 赢单打法 (directors and admins): per bottleneck, the value points that moved customers forward in the
 * region — support count, success rate, the agreed action they came with, the hospital levels and
 * industries where they worked — with 隐藏 (never suggested again) and whether plays help new reps.
 */
export default function PlaysPage() {
  const role = getSession()?.member.role
  if (!can(role, 'plays.manage')) {
    return <NotFound id='plays-forbidden' message={`你的岗位（${role ? ROLE_LABELS[role] : '未登录'}）不管理赢单打法`} onBack={() => void backOr('me')} />
  }
  return <Plays />
}

const rateText = (r: PlayRate) => (r.rate === null ? '暂无拜访' : `${percentOf(r.advanced, r.visits)} %（${r.advanced} / ${r.visits} 次拜访）`)

function Plays() {
  const params = useRouter().params
  const [regionId, setRegionId] = useState<number | undefined>(Number(params.regionId) || undefined)
  const [bottleneck, setBottleneck] = useState<string | undefined>(params.bottleneck ? decodeURIComponent(params.bottleneck) : undefined)
  const [changed, setChanged] = useState(0)
  const [message, setMessage] = useState('')
  const [busy, setBusy] = useState('')
  const wide = useConsoleLayout()
  const table = useRequest(() => api.get<PlaysTable>('/plays', regionId ? { regionId } : {}), [regionId, changed])
  if (!table.data) return <PageLoading errorId='plays-error' error={table.error} onRetry={table.reload} />
  const t = table.data
  const current = t.bottlenecks.find((b) => b.bottleneck === bottleneck) ?? t.bottlenecks.find((b) => b.plays.length) ?? t.bottlenecks[0]
  const plays = current?.plays ?? []
  const toggle = async (play: PlayView) => {
    setBusy(play.key)
    setMessage('')
    try {
      const after = await api.post<PlayView>(`/plays/${play.key}/${play.hidden ? 'unhide' : 'hide'}${regionId ? `?regionId=${regionId}` : ''}`)
      setMessage(after.hidden ? `已隐藏「${after.valuePoint}」：不再推荐给代表，重新计算后仍隐藏` : `已恢复推荐「${after.valuePoint}」`)
      setChanged((n) => n + 1)
    } catch (e) {
      setMessage(errorMessage(e))
    } finally {
      setBusy('')
    }
  }
  const segments = (p: PlayView) => p.segments.filter((s) => s.kind === 'hospitalLevel').map((s) => `${s.value} ${percentOf(s.advanced, s.visits)}%`).join('、') || '—'
  const action = (p: PlayView) => (
    <Button id={`play-toggle-${p.key}`} className='btn btn--small' disabled={busy === p.key} onClick={() => void toggle(p)}>
      {p.hidden ? '取消隐藏' : '隐藏'}
    </Button>
  )
  return (
    <View className='page page--wide plays-page'>
      <View className='row row--between plays-page__head'>
        <Text className='plays-page__title'>赢单打法</Text>
        <Text className='muted'>{t.computedAt ? `近 ${t.windowDays} 天 · 计算于 ${formatInstant(t.computedAt)}` : '尚未计算'}</Text>
      </View>
      {t.regions.length > 1 ? (
        <View className='row plays-page__chips' id='plays-regions'>
          {t.regions.map((r) => (
            <View key={r.id} className={`chip ${r.id === t.regionId ? 'chip--on' : ''}`} onClick={() => setRegionId(r.id)}>{r.name}</View>
          ))}
        </View>
      ) : null}
      <View className='card plays-page__effect' id='plays-effect'>
        <Text className='plays-page__subtitle'>新人（入职不满 {t.effectiveness.newRepDays} 天）拜访后推进率</Text>
        <View className='plays-page__rates'>
          <View className='plays-page__rate'>
            <Text className='muted'>参考了打法</Text>
            <Text className='plays-page__figure' id='plays-effect-used'>{rateText(t.effectiveness.used)}</Text>
          </View>
          <View className='plays-page__rate'>
            <Text className='muted'>未参考打法</Text>
            <Text className='plays-page__figure' id='plays-effect-not-used'>{rateText(t.effectiveness.notUsed)}</Text>
          </View>
        </View>
      </View>
      <View className='row plays-page__chips' id='plays-bottlenecks'>
        {t.bottlenecks.map((b) => (
          <View key={b.bottleneck} className={`chip ${b.bottleneck === current?.bottleneck ? 'chip--on' : ''}`} onClick={() => setBottleneck(b.bottleneck)}>
            {b.bottleneck} {b.plays.length}
          </View>
        ))}
      </View>
      {message ? <Text className='plays-page__message' id='plays-message'>{message}</Text> : null}
      {wide ? (
        <DataTable<PlayView>
          id='plays-table'
          rows={plays}
          rowKey={(p) => p.key}
          rowClassName={(p) => (p.hidden ? 'plays-page__row--hidden' : '')}
          empty={<View className='state'>该瓶颈近 {t.windowDays} 天还没有成功 {t.minSupport} 次以上的打法</View>}
          columns={[
            {
              key: 'value', title: '价值点', width: '2.6fr',
              render: (p) => (
                <View>
                  <Text className='plays-page__value'>{p.valuePoint}</Text>
                  {p.variants.length ? <Text className='muted plays-page__variants'>同义：{p.variants.join('；')}</Text> : null}
                </View>
              ),
            },
            { key: 'objective', title: '拜访目标', width: '1.2fr', render: (p) => p.objective },
            { key: 'action', title: '常配合动作', width: '1.2fr', render: (p) => p.topAction ?? '—' },
            { key: 'advanced', title: '推进次数', width: '1fr', align: 'right', render: (p) => p.advanced },
            { key: 'visits', title: '使用次数', width: '1fr', align: 'right', render: (p) => p.visits },
            { key: 'rate', title: '成功率', width: '1fr', align: 'right', render: (p) => `${percentOf(p.advanced, p.visits)} %` },
            { key: 'segments', title: '医院等级', width: '2fr', render: segments },
            { key: 'state', title: '状态', width: '1fr', render: (p) => (p.hidden ? <StatusTag tone='orange'>已隐藏</StatusTag> : <StatusTag tone='green'>推荐中</StatusTag>) },
            { key: 'op', title: '操作', width: '1.1fr', render: action },
          ]}
        />
      ) : (
        <View id='plays-table'>
          {plays.length === 0 ? <View className='state'>该瓶颈近 {t.windowDays} 天还没有成功 {t.minSupport} 次以上的打法</View> : null}
          {plays.map((p) => (
            <View key={p.key} className={`card plays-page__card ${p.hidden ? 'plays-page__row--hidden' : ''}`} data-id={p.key}>
              <View className='row row--between'>
                <Text className='plays-page__value'>{p.valuePoint}</Text>
                {p.hidden ? <StatusTag tone='orange'>已隐藏</StatusTag> : null}
              </View>
              <Text className='muted'>{p.objective} · {p.label}</Text>
              {p.topAction ? <Text className='muted'>常配合：{p.topAction}</Text> : null}
              {action(p)}
            </View>
          ))}
        </View>
      )}
    </View>
  )
}
