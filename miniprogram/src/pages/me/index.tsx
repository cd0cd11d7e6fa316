import { useEffect, useRef, useState } from 'react'
import { Button, Image, Text, View } from '@tarojs/components'
import Taro, { useDidShow } from '@tarojs/taro'
import { can, type InviteView, type MeView } from '@anchor/shared'
import { api, errorMessage } from '../../api/client'
import { logout } from '../../api/logout'
import { refreshTodoBadge } from '../../api/todo-badge'
import { useRequest } from '../../api/use-request'
import { PageLoading } from '../../components/load-state'
import { formatInstant } from '../../utils/time'
import { goTo } from '../../utils/nav'
import { createTeamInvite, inviteQrSource } from './invite-qr'
import { TaskPoolsCard } from './task-pools-card'
import './index.css'
import { useTeamTimeZone } from '../../api/options'

/** GET /me, which also refreshes the 待办 badge (this is a tab page). */
async function loadMe(): Promise<MeView> {
  const me = await refreshTodoBadge()
  if (!me) throw new Error('offline')
  return me
}

/** The supervisor's team invite: a QR code a new rep scans to join (first WeChat login). */
function InviteCard(props: { teamId: number; teamName: string }) {
  const [invite, setInvite] = useState<InviteView | null>(null)
  const [qr, setQr] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  const create = async () => {
    setBusy(true)
    setError('')
    try {
      const created = await createTeamInvite(props.teamId)
      setInvite(created)
      setQr(await inviteQrSource(created.code))
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <View className='card me__invite' id='invite-card'>
      <Text className='me__section-title'>邀请成员加入「{props.teamName}」</Text>
      <Text className='muted me__line'>新成员用微信扫码登录后即加入本团队。</Text>
      {error ? (
        <Text id='invite-error' className='message-error'>
          {error}
        </Text>
      ) : null}
      {qr ? <Image id='invite-qr' className='me__qr' src={qr} mode='aspectFit' showMenuByLongpress /> : null}
      {invite ? (
        <View>
          <Text id='invite-code' className='me__line'>邀请码：{invite.code}</Text>
          <Text className='muted me__line'>有效期至 {formatInstant(invite.expiresAt)}</Text>
          <Text className='muted me__line me__url' userSelect>
            {invite.url}
          </Text>
        </View>
      ) : null}
      <Button id='invite-create' className='btn btn--block me__invite-btn' disabled={busy} onClick={() => void create()}>
        {busy ? '生成中…' : invite ? '换一个二维码' : '生成邀请二维码'}
      </Button>
    </View>
  )
}

/**
 * What only an admin can fill in config/policy.yaml before it bites (next year's holidays: without them
 * reps are chased on Spring Festival), with the key path and what to put there.
 */
function PolicyWarnings() {
  const [items, setItems] = useState<Array<{ key: string; message: string }>>([])
  useEffect(() => {
    api.get<{ items: Array<{ key: string; message: string }> }>('/admin/policy-warnings').then((r) => setItems(r.items), () => undefined)
  }, [])
  if (!items.length) return null
  return (
    <View className='card me__warnings' id='policy-warnings'>
      <Text className='me__section-title'>配置待补（config/policy.yaml）</Text>
      {items.map((w, i) => (
        <View key={i} className='me__warning' data-key={w.key}>
          <Text className='me__warning-key'>{w.key}</Text>
          <Text className='me__line me__warning-text'>{w.message}</Text>
        </View>
      ))}
    </View>
  )
}

export default function Me() {
  useTeamTimeZone()
  const me = useRequest(loadMe, [])
  // the first show is the load above; coming back to the tab loads again (count, team changes)
  const shown = useRef(false)
  useDidShow(() => {
    if (shown.current) me.reload()
    shown.current = true
  })
  const [leaving, setLeaving] = useState(false)

  const signOut = async () => {
    const answer = await Taro.showModal({ title: '退出登录', content: '确定退出当前账号吗？', confirmText: '退出', confirmColor: '#fa2c19' }).catch(() => ({ confirm: true }))
    if (!answer.confirm) return
    setLeaving(true)
    await logout()
  }

  if (!me.data) return <PageLoading errorId='me-error' error={me.error ? '加载失败，请检查网络后重试' : ''} onRetry={me.reload} />
  const m = me.data
  const place = [m.region?.name, m.team?.name].filter(Boolean).join(' · ')
  return (
    <View className='page me'>
      <View className='card me__profile'>
        <Text id='me-name' className='me__name'>{m.name}</Text>
        <Text id='me-role' className='me__role'>{m.roleLabel}</Text>
        <View className='me__rows'>
          <View className='row row--between me__row'>
            <Text className='muted'>团队</Text>
            <Text id='me-team'>{place || '未加入团队'}</Text>
          </View>
          {m.manager ? (
            <View className='row row--between me__row'>
              <Text className='muted'>直属上级</Text>
              <Text id='me-manager'>{m.manager.name}</Text>
            </View>
          ) : null}
          <View className='row row--between me__row'>
            <Text className='muted'>手机号</Text>
            <Text id='me-phone'>{m.phone}</Text>
          </View>
          <View className='row row--between me__row'>
            <Text className='muted'>待办</Text>
            <Text id='me-todos'>{m.openTodos} 项未完成</Text>
          </View>
        </View>
      </View>

      {can(m.role, 'checkins.calendar.read') ? <PolicyWarnings /> : null}

      {m.canInvite && m.team ? <InviteCard teamId={m.team.id} teamName={m.team.name} /> : null}

      {can(m.role, 'dashboards.read') || can(m.role, 'dashboards.demand.read') ? (
        <Button id='dashboards-entry' className='btn btn--block btn--primary me__admin-entry' onClick={() => void goTo('dashboards')}>
          {can(m.role, 'dashboards.read') ? (m.role === 'rep' ? '我的仪表盘' : '仪表盘') : '客户需求与业务计数'}
        </Button>
      ) : null}

      <Button id='tasks-entry' className='btn btn--block me__admin-entry' onClick={() => void goTo('tasks')}>
        审批任务
      </Button>

      {can(m.role, 'plays.manage') ? (
        <Button id='plays-entry' className='btn btn--block me__admin-entry' onClick={() => void goTo('plays')}>
          赢单打法
        </Button>
      ) : null}

      {can(m.role, 'contracts.read') ? (
        <Button id='contracts-entry' className='btn btn--block me__admin-entry' onClick={() => void goTo('contracts')}>
          合同
        </Button>
      ) : null}

      {can(m.role, 'checkins.create') || can(m.role, 'checkins.team.read') ? (
        <Button id='checkins-entry' className='btn btn--block me__admin-entry' onClick={() => void goTo('checkins')}>
          {can(m.role, 'checkins.create') ? '每日打卡' : '团队打卡'}
        </Button>
      ) : null}

      {can(m.role, 'campaigns.participate') ? (
        <Button id='campaigns-entry' className='btn btn--block me__admin-entry' onClick={() => void goTo('campaigns')}>
          我的专项任务
        </Button>
      ) : null}
      {can(m.role, 'campaigns.manage') ? (
        <Button id='campaign-board-entry' className='btn btn--block me__admin-entry' onClick={() => void goTo('campaignBoard')}>
          专项看板
        </Button>
      ) : null}

      {can(m.role, 'materials.read') ? (
        <Button id='materials-entry' className='btn btn--block me__admin-entry' onClick={() => void goTo('materials')}>
          营销素材
        </Button>
      ) : null}

      {can(m.role, 'receivables.read') ? (
        <Button id='receivables-entry' className='btn btn--block me__admin-entry' onClick={() => void goTo('receivables')}>
          回款
        </Button>
      ) : null}
      {can(m.role, 'rebates.request.create') ? (
        <Button id='rebates-entry' className='btn btn--block me__admin-entry' onClick={() => void goTo('rebates')}>
          返点计算与申请
        </Button>
      ) : null}
      {can(m.role, 'rebates.request.read') && !can(m.role, 'rebates.request.create') ? (
        <Button id='rebate-queue-entry' className='btn btn--block me__admin-entry' onClick={() => void goTo('rebateQueue')}>
          {can(m.role, 'rebates.request.review') ? '返点审核' : '返点申请'}
        </Button>
      ) : null}
      {can(m.role, 'rebates.policy.manage') ? (
        <Button id='rebate-rules-entry' className='btn btn--block me__admin-entry' onClick={() => void goTo('rebateRules')}>
          返点政策
        </Button>
      ) : null}

      {can(m.role, 'deliveries.manage') ? (
        <Button id='deliveries-entry' className='btn btn--block me__admin-entry' onClick={() => void goTo('deliveries')}>
          消息投递（失败、死信与排队）
        </Button>
      ) : null}

      {can(m.role, 'tasks.pools.manage') ? <TaskPoolsCard /> : null}

      <Button id='logout' className='btn btn--block me__logout' disabled={leaving} onClick={() => void signOut()}>
        {leaving ? '正在退出…' : '退出登录'}
      </Button>
    </View>
  )
}
