import { useState } from 'react'
import { Button, Text, Textarea, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { CONTRACT_LIMITS, formatYuan, type ContractView } from '@anchor/shared'
import { API_BASE, errorMessage } from '../../../api/client'
import { CONTRACT_STATE_TONES, contractsApi } from '../../../api/contracts'
import { materialsApi } from '../../../api/materials'
import { useTeamTimeZone } from '../../../api/options'
import { getSession, getToken } from '../../../api/session'
import { useRequest } from '../../../api/use-request'
import { NotFound, PageLoading } from '../../../components/load-state'
import { StatusTag } from '../../../components/tag'
import { backOr, goTo } from '../../../utils/nav'
import { formatInstant } from '../../../utils/time'
import '../index.css'

const STEP_TEXT = { waiting: '未开始', open: '待审批', approved: '已同意', rejected: '已驳回' } as const
const STEP_TONE = { waiting: 'plain', open: 'orange', approved: 'green', rejected: 'red' } as const
const RULE_TEXT = { supervisor: '直属主管', director: '区域总监', pool: '任务池' } as const

/** A scan behind the session, fetched with the bearer: a new tab on H5, the document viewer on weapp. */
async function openScan(id: number): Promise<void> {
  const res = await Taro.downloadFile({ url: `${API_BASE}/api/v1/attachments/${id}`, header: { Authorization: `Bearer ${getToken() ?? ''}` } }).catch(() => null)
  if (!res || res.statusCode !== 200) return void Taro.showToast({ title: '文件下载失败', icon: 'none' })
  if (process.env.TARO_ENV === 'h5') window.open(res.tempFilePath, '_blank', 'noopener')
  else await Taro.openDocument({ filePath: res.tempFilePath, showMenu: true }).catch(() => Taro.previewImage({ urls: [res.tempFilePath] }))
}

/** One contract: terms, scans, the approval progress of each chain (who, state, when, reason) and marketing's answer. */
export default function ContractDetail() {
  useTeamTimeZone()
  const id = Number(useRouter().params.id) || 0
  const data = useRequest(() => contractsApi.get(id), [id])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  if (data.status === 404) return <NotFound id='contract-missing' message='合同不存在或不在你的查看范围' onBack={() => void backOr('contracts')} />
  if (!data.data) return <PageLoading errorId='contract-error' error={data.error} onRetry={data.reload} />
  const c = data.data

  const submit = async () => {
    setBusy(true)
    setError('')
    try {
      data.setData(await contractsApi.submit(c.id))
      void Taro.showToast({ title: '已提交审批', icon: 'success' })
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <View className='page contract'>
      <View className='row row--between contract__head'>
        <View>
          <Text className='contracts__title' id='contract-number'>
            {c.number}
          </Text>
          <Text className='muted contract__customer' onClick={() => void goTo('customer', { id: c.customer.id })}>
            {c.customer.name} · {c.owner.name}
          </Text>
        </View>
        <StatusTag tone={CONTRACT_STATE_TONES[c.state]}>
          <Text id='contract-state'>{c.stateLabel}</Text>
        </StatusTag>
      </View>
      <Text className='contract__amount' id='contract-amount'>
        {formatYuan(c.amountFen)}
      </Text>
      {c.state === 'rejected' && c.rejectReason ? (
        <Text className='contract__reject' id='contract-reject-reason'>
          驳回理由：{c.rejectReason}
        </Text>
      ) : null}
      {c.waitingAt ? <Text className='muted'>当前：{c.waitingAt}</Text> : null}

      {c.can.edit || c.can.submit ? (
        <View className='row contract__actions'>
          {c.can.edit ? (
            <Button id='contract-edit' className='btn btn--small' onClick={() => void goTo('contractEdit', { id: c.id })}>
              修改
            </Button>
          ) : null}
          {c.can.submit ? (
            <Button id='contract-submit-now' className='btn btn--small btn--primary' disabled={busy} onClick={() => void submit()}>
              {c.state === 'rejected' ? '重新提交审批' : '提交审批'}
            </Button>
          ) : null}
        </View>
      ) : null}
      {error ? <Text className='message-error'>{error}</Text> : null}

      <View className='contract__columns'>
        <View className='contract__column'>
          <View className='card'>
            <Text className='contract-edit__group-title'>产品明细</Text>
            {c.lines.map((l, i) => (
              <View key={i} className='row row--between contract__line'>
                <Text>{l.model}</Text>
                <Text>× {l.quantity}</Text>
              </View>
            ))}
          </View>
          <View className='card' id='contract-instalments-view'>
            <Text className='contract-edit__group-title'>回款计划</Text>
            {c.instalments.map((p) => (
              <View key={p.seq} className='row row--between contract__line'>
                <Text>
                  第 {p.seq} 期 · {p.dueDate}
                </Text>
                <Text>{formatYuan(p.amountFen)}</Text>
              </View>
            ))}
          </View>
          <View className='card'>
            <Text className='contract-edit__group-title'>关键条款</Text>
            <Text className='contract__terms'>{c.keyTerms}</Text>
            {c.needsMarketing ? <Text className='muted'>需市场支持：是</Text> : null}
          </View>
          <View className='card'>
            <Text className='contract-edit__group-title'>合同扫描件</Text>
            {c.scans.length === 0 ? <Text className='muted'>未上传</Text> : null}
            {c.scans.map((s, i) => (
              <Text key={s.id} className='link contract__scan' onClick={() => void openScan(s.id)}>
                扫描件 {i + 1}（{s.contentType === 'application/pdf' ? 'PDF' : '图片'}，{Math.ceil(s.size / 1024)} KB）
              </Text>
            ))}
          </View>
        </View>
        <View className='contract__column'>
          <Approvals c={c} />
          <Support c={c} onAnswered={(v) => data.setData(v)} />
        </View>
      </View>
    </View>
  )
}

function Approvals({ c }: { c: ContractView }) {
  return (
    <View className='card' id='contract-approvals'>
      <Text className='contract-edit__group-title'>审批进度</Text>
      {c.approvals.length === 0 ? <Text className='muted'>尚未提交审批</Text> : null}
      {c.approvals.map((a, n) => (
        <View key={a.id} className={`contract__chain ${n > 0 ? 'contract__chain--old' : ''}`}>
          <Text className='muted contract__chain-title'>
            {n === 0 ? '本次审批' : '此前的审批'} · 提交于 {formatInstant(a.startedAt)}
          </Text>
          {a.steps.map((s) => (
            <View key={s.index} className='contract__step' id={`approval-${a.id}-step-${s.index}`}>
              <View className='row row--between'>
                <Text>
                  {s.index + 1}. {RULE_TEXT[s.rule]} · {s.assignee}
                </Text>
                <StatusTag tone={STEP_TONE[s.state]}>{STEP_TEXT[s.state]}</StatusTag>
              </View>
              {s.decidedAt ? (
                <Text className='muted contract__step-line'>
                  {s.decidedBy?.name ?? ''} · {formatInstant(s.decidedAt)}
                </Text>
              ) : null}
              {s.reason ? <Text className='contract__reject'>理由：{s.reason}</Text> : null}
              {s.comments.map((m, i) => (
                <Text key={i} className='muted contract__step-line'>
                  评论 · {m.by?.name ?? ''}：{m.comment}
                </Text>
              ))}
              {s.state === 'open' && s.taskId && getSession()?.member.role !== 'marketing' ? (
                <Text className='link contract__step-line' onClick={() => void goTo('tasks', { id: s.taskId! })}>
                  打开审批任务
                </Text>
              ) : null}
            </View>
          ))}
        </View>
      ))}
    </View>
  )
}

function Support({ c, onAnswered }: { c: ContractView; onAnswered: (v: ContractView) => void }) {
  const [text, setText] = useState('')
  const [picked, setPicked] = useState<number[]>([])
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const materials = useRequest(async () => (c.can.answerSupport ? (await materialsApi.list({ pageSize: 50 })).items : []), [c.can.answerSupport])
  if (!c.support) return null
  const s = c.support
  const send = async () => {
    if (!text.trim()) return setError('请填写答复内容')
    setBusy(true)
    setError('')
    try {
      onAnswered(await contractsApi.answer(c.id, text.trim(), picked))
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='card' id='contract-support'>
      <Text className='contract-edit__group-title'>市场支持</Text>
      {s.answer ? (
        <View id='contract-support-answer'>
          <Text className='contract__terms'>{s.answer.text}</Text>
          <Text className='muted contract__step-line'>
            {s.answer.by?.name ?? ''} · {formatInstant(s.answer.at)}
          </Text>
          {s.answer.materials.map((m) => (
            <Text key={m.id} className='link contract__step-line' onClick={() => void goTo('material', { id: m.id, customerId: c.customer.id })}>
              素材：{m.title}
            </Text>
          ))}
        </View>
      ) : (
        <Text className='muted' id='contract-support-waiting'>
          已通知市场负责人（{formatInstant(s.createdAt)}），等待答复
        </Text>
      )}
      {c.can.answerSupport ? (
        <View className='contract__answer'>
          <Textarea id='support-text' className='textarea' maxlength={CONTRACT_LIMITS.supportAnswerMax} value={text} placeholder='答复内容（案例、话术、演示建议…）' onInput={(e) => setText(e.detail.value)} />
          <Text className='muted'>从素材中心选择素材：</Text>
          <View className='row contract__chips'>
            {(materials.data ?? []).map((m) => (
              <View key={m.id} className={`chip ${picked.includes(m.id) ? 'chip--on' : ''}`} onClick={() => setPicked((p) => (p.includes(m.id) ? p.filter((x) => x !== m.id) : [...p, m.id]))}>
                {m.title}
              </View>
            ))}
          </View>
          {error ? <Text className='message-error'>{error}</Text> : null}
          <Button id='support-send' className='btn btn--primary btn--small' disabled={busy} onClick={() => void send()}>
            发送答复
          </Button>
        </View>
      ) : null}
    </View>
  )
}
