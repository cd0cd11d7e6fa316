import { useState } from 'react'
import { Button, Text, Textarea, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { ROLE_LABELS, can, type CampaignDetail, type CampaignTargetView } from '@anchor/shared'
import { campaignsApi } from '../../api/campaigns'
import { errorMessage } from '../../api/client'
import { useTeamTimeZone } from '../../api/options'
import { getSession } from '../../api/session'
import { useRequest } from '../../api/use-request'
import { NotFound, PageLoading } from '../../components/load-state'
import { PhotoPicker } from '../../components/photo-picker'
import { StatusTag } from '../../components/tag'
import { backOr, goTo } from '../../utils/nav'
import { formatInstant } from '../../utils/time'
import { lastMinute } from './due'
import './index.css'

/** 专项任务: the rep's task flow — each running campaign's targets with the next step, script and materials a tap away, and 上报异常. */
export default function Campaigns() {
  const role = getSession()?.member.role
  if (!can(role, 'campaigns.participate')) {
    return <NotFound id='campaigns-forbidden' message={`你的岗位（${role ? ROLE_LABELS[role] : '未登录'}）不参与专项任务`} onBack={() => void backOr('me')} />
  }
  return <Flow />
}

function Flow() {
  useTeamTimeZone()
  const focus = Number(useRouter().params.id) || 0
  const data = useRequest(() => campaignsApi.mine(), [])
  const [reporting, setReporting] = useState<{ campaign: CampaignDetail; target: CampaignTargetView } | null>(null)
  if (!data.data) return <PageLoading errorId='campaigns-error' error={data.error} onRetry={data.reload} />
  const flow = data.data
  const campaigns = [...flow.campaigns].sort((a, b) => Number(b.campaign.id === focus) - Number(a.campaign.id === focus))
  return (
    <View className='page campaigns'>
      <Text className='campaigns__title'>专项任务</Text>
      {campaigns.length === 0 ? (
        <View id='campaigns-empty' className='state'>
          {/* a supervisor holds no targets: the team's are on the board, not "nothing running" */}
          <Text>{can(getSession()?.member.role, 'campaigns.manage') ? '你名下没有专项目标客户；团队的专项进度在专项看板' : '目前没有进行中的专项任务'}</Text>
          {can(getSession()?.member.role, 'campaigns.manage') ? (
            <Button id='campaigns-to-board' className='btn btn--block' onClick={() => void goTo('campaignBoard')}>打开专项看板</Button>
          ) : null}
        </View>
      ) : null}
      {campaigns.map(({ campaign, targets }) => {
        const done = targets.filter((t) => t.state === 'done').length
        const overdue = targets.filter((t) => t.steps.some((s) => s.overdue)).length
        return (
          <View key={campaign.id} id={`campaign-${campaign.id}`} className='card campaign'>
            <View className='row row--between'>
              <Text className='campaign__name'>{campaign.name}</Text>
              {overdue ? <StatusTag tone='red'>{overdue} 位逾期</StatusTag> : null}
            </View>
            <Text className='muted campaign__meta'>
              {campaign.startsOn} 至 {campaign.endsOn} · 负责人 {campaign.owner.name} · 我的目标客户 {targets.length} 位，已完成 {done} 位
            </Text>
            <View className='row campaign__kit'>
              {campaign.script ? (
                <View id={`campaign-${campaign.id}-script`} className='chip chip--on' onClick={() => void goTo('material', { id: campaign.script!.id })}>
                  话术：{campaign.script.title}
                </View>
              ) : null}
              {campaign.materials.map((m) => (
                <View key={m.id} className='chip' onClick={() => void goTo('material', { id: m.id })}>
                  {m.title}
                </View>
              ))}
            </View>
            <View className='campaign__steps muted'>
              {campaign.steps.map((s) => (
                <Text key={s.seq} className='campaign__step'>
                  {s.seq}. {s.title}（第 {s.dueDays} 天）
                </Text>
              ))}
            </View>
            <View className='campaign__targets'>
              {targets.map((t) => (
                <TargetRow key={t.id} campaign={campaign} target={t} onReport={() => setReporting({ campaign, target: t })} />
              ))}
            </View>
          </View>
        )
      })}
      {reporting ? (
        <ReportSheet
          reasons={flow.reasons}
          target={reporting.target}
          onClose={() => setReporting(null)}
          onDone={() => {
            setReporting(null)
            data.reload()
          }}
        />
      ) : null}
    </View>
  )
}

function TargetRow(props: { campaign: CampaignDetail; target: CampaignTargetView; onReport: () => void }) {
  const { campaign, target: t } = props
  const next = t.nextStep ? campaign.steps[t.nextStep - 1] : null
  const nextState = t.nextStep ? t.steps[t.nextStep - 1] : null
  const overdue = t.steps.filter((s) => s.overdue).length
  return (
    <View id={`target-${t.id}`} className={`target ${overdue ? 'target--overdue' : ''}`} data-customer={t.customer.id}>
      <View className='row row--between'>
        <Text className='target__name' onClick={() => void goTo('customer', { id: t.customer.id })}>
          {t.customer.name}
        </Text>
        <View className='target__dots'>
          {t.steps.map((s) => (
            <Text key={s.seq} className={`target__dot ${s.done ? 'target__dot--done' : s.overdue ? 'target__dot--late' : ''}`}>
              {s.seq}
            </Text>
          ))}
        </View>
      </View>
      {next && nextState ? (
        <Text className='target__next'>
          下一步：{next.title}（{next.evidence}）{nextState.dueAt ? ` · ${formatInstant(lastMinute(nextState.dueAt))} 前` : ''}
          {nextState.overdue ? <Text className='target__late'> 已逾期</Text> : null}
        </Text>
      ) : (
        <Text className='target__next target__next--done'>全部步骤已完成 ✓</Text>
      )}
      {t.openException ? <Text className='target__exception'>异常已上报（{t.openException.reason}），等待 {campaign.owner.name} 处理</Text> : null}
      {t.state === 'open' ? (
        <View className='row target__actions'>
          <Button className='btn btn--small btn--primary' onClick={() => void goTo('visitNew', { customerId: t.customer.id })}>
            记拜访
          </Button>
          <Button className='btn btn--small' onClick={() => void goTo('materials', { customerId: t.customer.id })}>
            发素材
          </Button>
          {!t.openException ? (
            <Button id={`target-${t.id}-report`} className='btn btn--small' onClick={props.onReport}>
              上报异常
            </Button>
          ) : null}
        </View>
      ) : null}
    </View>
  )
}

function ReportSheet(props: { reasons: string[]; target: CampaignTargetView; onClose: () => void; onDone: () => void }) {
  const [reason, setReason] = useState('')
  const [note, setNote] = useState('')
  const [photo, setPhoto] = useState<{ ids: number[]; busy: boolean }>({ ids: [], busy: false })
  const [error, setError] = useState<{ message: string; fields: Record<string, string> }>({ message: '', fields: {} })
  const [sending, setSending] = useState(false)
  const submit = async () => {
    if (!reason) return setError({ message: '', fields: { reason: '请选择原因' } })
    setSending(true)
    try {
      await campaignsApi.report(props.target.id, { reason, note: note.trim(), photoId: photo.ids[0] ?? null })
      void Taro.showToast({ title: '已上报给专项负责人', icon: 'none' })
      props.onDone()
    } catch (e) {
      const fields = (e as { fields?: Record<string, string> }).fields ?? {}
      setError({ message: errorMessage(e), fields })
    } finally {
      setSending(false)
    }
  }
  return (
    <View className='report-mask' onClick={props.onClose}>
      <View id='report-sheet' className='report-sheet' onClick={(e) => e.stopPropagation()}>
        <Text className='report-sheet__title'>上报异常 · {props.target.customer.name}</Text>
        <View className='row report-sheet__chips'>
          {props.reasons.map((r) => (
            <View key={r} id={`reason-${r}`} className={`chip ${reason === r ? 'chip--on' : ''}`} onClick={() => setReason(r)}>
              {r}
            </View>
          ))}
        </View>
        {error.fields.reason ? <Text className='message-error'>{error.fields.reason}</Text> : null}
        <Textarea id='report-note' className='textarea' maxlength={200} placeholder={reason === '其他' ? '请写明情况（必填）' : '补充说明（可选）'} value={note} onInput={(e) => setNote(e.detail.value)} />
        {error.fields.note ? <Text className='message-error'>{error.fields.note}</Text> : null}
        <PhotoPicker id='report-photo' max={1} addLabel='附照片（可选）' onChange={(ids, busy) => setPhoto({ ids, busy })} />
        {error.message && !Object.keys(error.fields).length ? <Text className='message-error'>{error.message}</Text> : null}
        <View className='row report-sheet__actions'>
          <Button className='btn' onClick={props.onClose}>
            取消
          </Button>
          <Button id='report-submit' className='btn btn--primary' disabled={sending || photo.busy} onClick={() => void submit()}>
            {sending ? '上报中…' : '上报'}
          </Button>
        </View>
      </View>
    </View>
  )
}
