import { useState } from 'react'
import { Button, Picker, Text, Textarea, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { CAMPAIGN_EXCEPTION_STATE_LABELS, CAMPAIGN_STATE_LABELS, ROLE_LABELS, can, type CampaignExceptionView, type CampaignRepFigures } from '@anchor/shared'
import { campaignsApi } from '../../../api/campaigns'
import { api, errorMessage } from '../../../api/client'
import { useTeamTimeZone } from '../../../api/options'
import { getSession } from '../../../api/session'
import { useRequest } from '../../../api/use-request'
import { DataTable, type DataColumn } from '../../../components/data-table'
import { NotFound, PageLoading } from '../../../components/load-state'
import { PhotoThumbs } from '../../../components/photo-thumbs'
import { StatusTag } from '../../../components/tag'
import { backOr, goTo } from '../../../utils/nav'
import { formatInstant } from '../../../utils/time'
import { Drill, type DrillQuery } from './drill'
import './index.css'

const STATE_TONE = { draft: 'plain', running: 'green', closed: 'orange' } as const
const pct = (r: number) => `${Math.round(r * 100)}%`

/** 专项看板: a manager's campaigns, and one campaign's progress per rep and team, overdue steps, exceptions, the goal. */
export default function CampaignBoardPage() {
  const role = getSession()?.member.role
  // the list and a board are one page: a campaign opens in place (a chat link opens it by `id`), so the
  // console's 专项看板 entry always lands on this page, never on a stacked copy of it
  const [id, setId] = useState(Number(useRouter().params.id) || 0)
  if (!can(role, 'campaigns.manage')) {
    return <NotFound id='board-forbidden' message={`你的岗位（${role ? ROLE_LABELS[role] : '未登录'}）不管理专项任务`} onBack={() => void backOr('me')} />
  }
  return id ? <Board id={id} onAll={() => setId(0)} /> : <CampaignList onOpen={setId} />
}

function CampaignList(props: { onOpen: (id: number) => void }) {
  const data = useRequest(() => campaignsApi.list(), [])
  if (!data.data) return <PageLoading errorId='campaign-list-error' error={data.error} onRetry={data.reload} />
  return (
    <View className='page board'>
      <View className='row row--between board__top'>
        <Text className='board__title'>专项任务</Text>
        <Button id='campaign-new' className='btn btn--small btn--primary' onClick={() => void goTo('campaignEdit')}>
          新建专项
        </Button>
      </View>
      {data.data.items.length === 0 ? <View className='state'>还没有专项任务，点「新建专项」把计划变成销售手机上的任务流</View> : null}
      <View id='campaign-list' className='board__list'>
        {data.data.items.map((c) => (
          <View key={c.id} id={`campaign-card-${c.id}`} className='card board__card' onClick={() => props.onOpen(c.id)}>
            <View className='row row--between'>
              <Text className='board__name'>{c.name}</Text>
              <StatusTag tone={STATE_TONE[c.state]}>{CAMPAIGN_STATE_LABELS[c.state]}</StatusTag>
            </View>
            <Text className='muted'>
              {c.startsOn} 至 {c.endsOn} · {c.owner.name} · 目标客户 {c.targetCount} 位
            </Text>
          </View>
        ))}
      </View>
    </View>
  )
}

function Board(props: { id: number; onAll: () => void }) {
  useTeamTimeZone()
  const exceptionParam = Number(useRouter().params.exception) || 0
  const data = useRequest(() => campaignsApi.board(props.id), [props.id])
  const [drill, setDrill] = useState<DrillQuery | null>(exceptionParam ? { state: 'exception', title: '待处理异常' } : null)
  const [busy, setBusy] = useState(false)
  if (!data.data) return <PageLoading errorId='board-error' error={data.error} onRetry={data.reload} />
  const b = data.data
  const me = getSession()?.member.id
  const mine = b.campaign.owner.id === me
  const steps = b.campaign.steps
  const act = async (what: 'launch' | 'close') => {
    if (what === 'close') {
      const ok = await Taro.showModal({ title: '结束专项', content: '结束后进度与达成将冻结，之后的拜访等记录不再计入。确定结束？' })
      if (!ok.confirm) return
    }
    setBusy(true)
    try {
      if (what === 'launch') await campaignsApi.launch(props.id)
      else await campaignsApi.close(props.id)
      data.reload()
    } catch (e) {
      void Taro.showToast({ title: errorMessage(e), icon: 'none' })
    } finally {
      setBusy(false)
    }
  }
  const cell = (n: number, query: DrillQuery) => (
    <Text className={n ? 'board__link' : 'muted'} onClick={n ? () => setDrill(query) : undefined}>
      {n}
    </Text>
  )
  const figureColumns = (who: (r: CampaignRepFigures | (Omit<CampaignRepFigures, 'teamId'>)) => Partial<DrillQuery>): DataColumn<CampaignRepFigures>[] => [
    { key: 'targets', title: '目标', width: '64PX', align: 'right', render: (r) => cell(r.targets, { ...who(r), title: `${r.name} · 全部目标` }) },
    ...steps.map((s, i) => ({
      key: `step${s.seq}`, title: `${s.seq}. ${s.title}`, width: 'minmax(96PX, 1fr)', align: 'right' as const,
      render: (r: CampaignRepFigures) => cell(r.done[i] ?? 0, { ...who(r), seq: s.seq, title: `${r.name} · 已完成「${s.title}」` }),
    })),
    { key: 'overdue', title: '逾期步骤', width: '80PX', align: 'right', render: (r) => (r.overdueSteps ? <Text className='board__late board__link' onClick={() => setDrill({ ...who(r), state: 'overdue', title: `${r.name} · 有逾期步骤` })}>{r.overdueSteps}</Text> : <Text className='muted'>0</Text>) },
    { key: 'exceptions', title: '待处理异常', width: '88PX', align: 'right', render: (r) => cell(r.openExceptions, { ...who(r), state: 'exception', title: `${r.name} · 待处理异常` }) },
    { key: 'converted', title: '达成', width: '64PX', align: 'right', render: (r) => cell(r.converted, { ...who(r), state: 'converted', title: `${r.name} · 推进到${b.goal.stageLabel}` }) },
  ]
  const repColumns: DataColumn<CampaignRepFigures>[] = [{ key: 'name', title: '销售', width: 'minmax(88PX, 1fr)', render: (r) => <Text>{r.name}</Text> }, ...figureColumns((r) => ({ repId: r.id }))]
  const teamColumns: DataColumn<CampaignRepFigures>[] = [{ key: 'name', title: '团队', width: 'minmax(88PX, 1fr)', render: (r) => <Text>{r.name}</Text> }, ...figureColumns((r) => ({ teamId: r.id }))]
  return (
    <View className='page board'>
      <View className='row row--between board__top'>
        <View>
          <Text id='board-all' className='board__link board__back' onClick={props.onAll}>
            ‹ 全部专项
          </Text>
          <Text className='board__title'>{b.campaign.name}</Text>
          <Text className='muted board__meta'>
            {b.campaign.startsOn} 至 {b.campaign.endsOn} · 负责人 {b.campaign.owner.name}
            {b.frozen ? ` · 已于 ${formatInstant(b.campaign.closedAt)} 结束，数字已冻结` : ` · 截至 ${formatInstant(b.asOf)}`}
          </Text>
        </View>
        <View className='row board__buttons'>
          <StatusTag tone={STATE_TONE[b.campaign.state]}>{CAMPAIGN_STATE_LABELS[b.campaign.state]}</StatusTag>
          {b.campaign.state === 'draft' ? (
            <Button id='board-launch' className='btn btn--small btn--primary' disabled={busy} onClick={() => void act('launch')}>
              启动
            </Button>
          ) : null}
          {b.campaign.state === 'running' ? (
            <Button id='board-close' className='btn btn--small' disabled={busy} onClick={() => void act('close')}>
              结束专项
            </Button>
          ) : null}
        </View>
      </View>
      <View id='board-figures' className='board__figures'>
        <Figure label={`推进到${b.goal.stageLabel}`} value={`${b.goal.reached} / ${b.goal.count}`} note={`目标达成 ${pct(b.goal.rate)}`} tone={b.goal.rate >= 1 ? 'good' : ''} />
        <Figure label='目标客户' value={String(b.totals.targets)} note={b.totals.dropped ? `另有 ${b.totals.dropped} 位已移出` : '在跟进'} />
        <Figure label='全部步骤完成' value={String(b.totals.completed)} note={b.totals.targets ? pct(b.totals.completed / b.totals.targets) : '—'} />
        <Figure label='逾期步骤' value={String(b.totals.overdueSteps)} note='未按期完成' tone={b.totals.overdueSteps ? 'bad' : ''} onClick={() => setDrill({ state: 'overdue', title: '有逾期步骤的目标客户' })} />
        <Figure label='待处理异常' value={String(b.totals.openExceptions)} note='销售上报' tone={b.totals.openExceptions ? 'bad' : ''} onClick={() => setDrill({ state: 'exception', title: '待处理异常' })} />
      </View>
      <Text className='board__section'>各步骤进度（点数字看客户与记录）</Text>
      <View className='board__funnel'>
        {steps.map((s, i) => (
          <View key={s.seq} className='board__funnel-step' onClick={() => setDrill({ seq: s.seq, state: 'at', title: `停在第 ${s.seq} 步「${s.title}」` })}>
            <Text className='board__funnel-title'>
              {s.seq}. {s.title}
            </Text>
            <Text className='muted'>{s.evidence} · 第 {s.dueDays} 天</Text>
            <Text className='board__funnel-value'>
              完成 {b.totals.done[i] ?? 0} · 停在此步 {b.totals.atStep[i] ?? 0}
            </Text>
          </View>
        ))}
      </View>
      <Text className='board__section'>按销售</Text>
      <View className='board__table'>
        <DataTable id='board-reps' columns={repColumns} rows={b.reps} rowKey={(r) => r.id} empty='没有目标客户' />
      </View>
      {b.teams.length > 1 ? (
        <>
          <Text className='board__section'>按团队</Text>
          <View className='board__table'>
            <DataTable id='board-teams' columns={teamColumns} rows={b.teams.map((t) => ({ ...t, teamId: t.id }))} rowKey={(r) => r.id} />
          </View>
        </>
      ) : null}
      {drill ? <Drill campaignId={props.id} steps={steps} query={drill} onClose={() => setDrill(null)} /> : null}
      <Text className='board__section'>异常上报</Text>
      <View id='board-exceptions' className='board__exceptions'>
        {b.exceptions.length === 0 ? <View className='state'>没有异常上报</View> : null}
        {b.exceptions.map((e) => (
          <ExceptionCard key={e.id} exception={e} canResolve={mine && !b.frozen} onDone={data.reload} />
        ))}
      </View>
    </View>
  )
}

function Figure(props: { label: string; value: string; note: string; tone?: 'good' | 'bad' | ''; onClick?: () => void }) {
  return (
    <View className={`board__figure ${props.tone ? `board__figure--${props.tone}` : ''}`} onClick={props.onClick}>
      <Text className='board__figure-label'>{props.label}</Text>
      <Text className='board__figure-value'>{props.value}</Text>
      <Text className='muted board__figure-note'>{props.note}</Text>
    </View>
  )
}

function ExceptionCard(props: { exception: CampaignExceptionView; canResolve: boolean; onDone: () => void }) {
  const e = props.exception
  const [text, setText] = useState('')
  const [members, setMembers] = useState<Array<{ id: number; name: string }> | null>(null)
  const [error, setError] = useState('')
  const resolve = async (action: 'answer' | 'reassign' | 'drop', toMemberId: number | null = null) => {
    setError('')
    try {
      await campaignsApi.resolve(e.id, { action, text: text.trim(), toMemberId })
      props.onDone()
    } catch (err) {
      setError(errorMessage(err))
    }
  }
  const loadMembers = async () => {
    const res = await api.get<{ items: Array<{ id: number; name: string; role: string }> }>('/members')
    setMembers(res.items.filter((m) => (m.role === 'rep' || m.role === 'supervisor') && m.id !== e.reportedBy.id))
  }
  return (
    <View id={`exception-${e.id}`} className='card board__exception'>
      <View className='row row--between'>
        <Text className='board__name'>
          {e.customer.name} · {e.reason}
        </Text>
        <StatusTag tone={e.state === 'open' ? 'red' : 'plain'}>{CAMPAIGN_EXCEPTION_STATE_LABELS[e.state]}</StatusTag>
      </View>
      <Text className='muted'>
        {e.reportedBy.name} · {formatInstant(e.createdAt)}
        {e.photoId ? ' · 附照片' : ''}
      </Text>
      {e.note ? <Text className='board__note'>{e.note}</Text> : null}
      {e.photoId ? <PhotoThumbs ids={[e.photoId]} /> : null}
      {e.answer ? <Text className='board__answer'>答复：{e.answer}</Text> : null}
      {e.state === 'open' && props.canResolve ? (
        <View className='board__resolve'>
          <Textarea id={`exception-${e.id}-text`} className='textarea board__textarea' maxlength={200} placeholder='答复或说明（答复时必填）' value={text} onInput={(ev) => setText(ev.detail.value)} />
          <View className='row board__buttons'>
            <Button id={`exception-${e.id}-answer`} className='btn btn--small btn--primary' onClick={() => void resolve('answer')}>
              答复
            </Button>
            {members ? (
              <Picker mode='selector' range={members.map((m) => m.name)} onChange={(ev) => void resolve('reassign', members[Number(ev.detail.value)]?.id ?? null)}>
                <View id={`exception-${e.id}-reassign-pick`} className='btn btn--small'>
                  选择接手人…
                </View>
              </Picker>
            ) : (
              <Button id={`exception-${e.id}-reassign`} className='btn btn--small' onClick={() => void loadMembers()}>
                改派
              </Button>
            )}
            <Button id={`exception-${e.id}-drop`} className='btn btn--small' onClick={() => void resolve('drop')}>
              移出专项
            </Button>
          </View>
          {error ? <Text className='message-error'>{error}</Text> : null}
        </View>
      ) : null}
    </View>
  )
}

