import { useState } from 'react'
import { Button, Text, Textarea, View } from '@tarojs/components'
import { useRouter } from '@tarojs/taro'
import { REBATE_STATES, REBATE_STATE_LABELS, ROLE_LABELS, can, rebateRequestsTitle, formatPercentBp, formatYuan, type RebateDecisionInput, type RebateRequestView, type RebateState } from '@anchor/shared'
import { errorMessage } from '../../../api/client'
import { rebatesApi, STATE_TONES } from '../../../api/rebates'
import { getSession } from '../../../api/session'
import { useRequest } from '../../../api/use-request'
import { useConsoleLayout } from '../../../components/console-nav'
import { DataTable } from '../../../components/data-table'
import { NotFound, PageLoading } from '../../../components/load-state'
import { StatusTag } from '../../../components/tag'
import { backOr, goTo } from '../../../utils/nav'
import { formatInstant } from '../../../utils/time'
import './index.css'

/**
 * 返点审核 (finance, web console): the requests by state with their counts; one opened beside the list
 * with its calculation, documents and history, and finance's actions: 通过, 驳回 (reason), 缺少单据 (which;
 * the rep is told in WeCom/DingTalk), 标记已打款. Directors and admins read the same queue.
 */
export default function RebateQueue() {
  const role = getSession()?.member.role
  if (!can(role, 'rebates.request.read')) {
    return <NotFound id='rebate-queue-forbidden' message={`你的岗位（${role ? ROLE_LABELS[role] : '未登录'}）不查看返点申请`} onBack={() => void backOr('me')} />
  }
  return <Queue />
}

function Queue() {
  const params = useRouter().params
  const [state, setState] = useState<RebateState | undefined>((params.state as RebateState) || (can(getSession()?.member.role, 'rebates.request.review') ? 'pending' : undefined))
  const [openId, setOpenId] = useState<number | null>(Number(params.id) || null)
  const [changed, setChanged] = useState(0)
  const wide = useConsoleLayout()
  const list = useRequest(() => rebatesApi.list({ state, pageSize: 100 }), [state, changed])
  // the document types finance may name (policy rebates.documentTypes)
  const table = useRequest(() => rebatesApi.table(), [])
  if (!list.data) return <PageLoading errorId='rebate-queue-error' error={list.error} onRetry={list.reload} />
  const page = list.data
  const all = REBATE_STATES.reduce((n, s) => n + page.counts[s], 0)
  return (
    <View className='page page--wide queue'>
      <View className='row row--between queue__head'>
        {/* finance reviews; a director or admin reads the requests of their reach */}
        <Text className='queue__title' id='queue-title'>{can(getSession()?.member.role, 'rebates.request.review') ? '返点审核' : rebateRequestsTitle(getSession()?.member.role)}</Text>
        {can(getSession()?.member.role, 'rebates.policy.read') ? (
          <Button id='queue-rules' className='btn btn--small' onClick={() => void goTo('rebateRules')}>返点政策</Button>
        ) : null}
      </View>
      <View className='row queue__tabs' id='queue-tabs'>
        <View className={`chip ${state === undefined ? 'chip--on' : ''}`} onClick={() => setState(undefined)}>全部 {all}</View>
        {REBATE_STATES.map((s) => (
          <View key={s} id={`queue-tab-${s}`} className={`chip ${state === s ? 'chip--on' : ''}`} onClick={() => setState(s)}>
            {REBATE_STATE_LABELS[s]} {page.counts[s]}
          </View>
        ))}
      </View>
      <View className={`queue__body ${openId ? 'queue__body--split' : ''}`}>
        <View className='queue__list'>
          {!wide ? (
            <View id='queue-table'>
              {page.items.length === 0 ? <View className='state'>没有{state ? REBATE_STATE_LABELS[state] : ''}的返点申请</View> : null}
              {page.items.map((r) => (
                <View key={r.id} className={`card queue__card ${r.id === openId ? 'queue__row--open' : ''}`} data-id={r.id} onClick={() => setOpenId(r.id)}>
                  <View className='row row--between'>
                    <Text className='queue__customer'>#{r.id} {r.customer.name}</Text>
                    <StatusTag tone={STATE_TONES[r.state]}>{r.stateLabel}</StatusTag>
                  </View>
                  <Text className='muted'>{r.requester.name} · 订单 {formatYuan(r.amountFen)} · 返点 {formatPercentBp(r.rateBp)} {formatYuan(r.rebateFen)}</Text>
                </View>
              ))}
            </View>
          ) : (
          <DataTable<RebateRequestView>
            id='queue-table'
            rows={page.items}
            rowKey={(r) => r.id}
            rowClassName={(r) => (r.id === openId ? 'queue__row--open' : '')}
            onRowClick={(r) => setOpenId(r.id)}
            empty={<View className='state'>没有{state ? REBATE_STATE_LABELS[state] : ''}的返点申请</View>}
            columns={[
              { key: 'id', title: '编号', width: '64PX', render: (r) => `#${r.id}` },
              { key: 'customer', title: '客户', width: '2fr', render: (r) => r.customer.name },
              { key: 'rep', title: '申请人', render: (r) => r.requester.name },
              { key: 'amount', title: '订单金额', width: '1.4fr', align: 'right', render: (r) => formatYuan(r.amountFen) },
              { key: 'rebate', title: '返点', width: '1.7fr', align: 'right', render: (r) => `${formatPercentBp(r.rateBp)} · ${formatYuan(r.rebateFen)}` },
              { key: 'state', title: '状态', width: '1.2fr', render: (r) => <StatusTag tone={STATE_TONES[r.state]}>{r.stateLabel}</StatusTag> },
              { key: 'at', title: '更新', width: '1.2fr', render: (r) => formatInstant(r.updatedAt) },
            ]}
          />
          )}
        </View>
        {openId ? <Detail key={openId} id={openId} documentTypes={table.data?.choices.documentTypes ?? []} onChanged={() => setChanged((n) => n + 1)} /> : null}
      </View>
    </View>
  )
}

function Detail(props: { id: number; documentTypes: readonly string[]; onChanged: () => void }) {
  const data = useRequest(() => rebatesApi.get(props.id), [props.id])
  const [mode, setMode] = useState<'' | 'reject' | 'documents_missing'>('')
  const [reason, setReason] = useState('')
  const [docs, setDocs] = useState<string[]>([])
  const [message, setMessage] = useState('')
  const [busy, setBusy] = useState(false)
  const review = can(getSession()?.member.role, 'rebates.request.review')
  if (!data.data) return <View className='card queue__detail'><PageLoading errorId='queue-detail-error' error={data.error} onRetry={data.reload} /></View>
  const r = data.data
  const act = async (input: RebateDecisionInput) => {
    setBusy(true)
    setMessage('')
    try {
      const after = await rebatesApi.decide(r.id, input)
      setMessage(after.changed ? `已更新：${after.stateLabel}` : `该申请已是「${after.stateLabel}」`)
      setMode('')
      data.reload()
      props.onChanged()
    } catch (e) {
      setMessage(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }
  const allDocs = [...new Set([...r.documentsRequired, ...props.documentTypes])]
  return (
    <View className='card queue__detail' id='queue-detail'>
      <View className='row row--between'>
        <Text className='queue__subtitle'>#{r.id} {r.customer.name}</Text>
        <StatusTag tone={STATE_TONES[r.state]}>{r.stateLabel}</StatusTag>
      </View>
      <View className='queue__facts'>
        <Text>申请人：{r.requester.name}</Text>
        <Text>产品型号：{r.productModel} · 交付周期：{r.deliveryCycle}</Text>
        <Text>订单金额：{formatYuan(r.amountFen)}</Text>
        <Text className='queue__rebate'>申请返点：{formatPercentBp(r.rateBp)} · {formatYuan(r.rebateFen)}（合规 {formatPercentBp(r.rateMinBp)} – {formatPercentBp(r.rateMaxBp)}）</Text>
        <Text>所需单据：{r.documentsRequired.join('、') || '无'}</Text>
        <Text>预计打款：{r.expectedPayoutDate}</Text>
        <Text className='muted'>规则：第 {r.rule.version} 版 {r.rule.key}</Text>
        {r.reason ? <Text className='queue__reason'>说明：{r.reason}</Text> : null}
        {r.note ? <Text>备注：{r.note}</Text> : null}
      </View>
      {review && r.state === 'pending' ? (
        <View className='queue__actions'>
          <View className='row queue__buttons'>
            <Button id='queue-approve' className='btn btn--primary btn--small' disabled={busy} onClick={() => void act({ action: 'approve' })}>通过</Button>
            <Button id='queue-missing' className='btn btn--small' onClick={() => setMode('documents_missing')}>缺少单据</Button>
            <Button id='queue-reject' className='btn btn--small' onClick={() => setMode('reject')}>驳回</Button>
          </View>
          {mode === 'documents_missing' ? (
            <View className='row queue__docs'>
              {allDocs.map((d) => (
                <View key={d} className={`chip ${docs.includes(d) ? 'chip--on' : ''}`} onClick={() => setDocs(docs.includes(d) ? docs.filter((x) => x !== d) : [...docs, d])}>{d}</View>
              ))}
            </View>
          ) : null}
          {mode ? (
            <View>
              <Textarea id='queue-reason' className='textarea' value={reason} maxlength={200} placeholder={mode === 'reject' ? '驳回理由（必填）' : '补充说明（可选）'} onInput={(e) => setReason(e.detail.value)} />
              <Button id='queue-confirm' className='btn btn--primary btn--small' disabled={busy} onClick={() => void act(mode === 'reject' ? { action: 'reject', reason } : { action: 'documents_missing', documents: docs, reason })}>
                {mode === 'reject' ? '确认驳回' : '退回补资料'}
              </Button>
            </View>
          ) : null}
        </View>
      ) : null}
      {review && r.state === 'approved' ? (
        <Button id='queue-paid' className='btn btn--primary btn--small' disabled={busy} onClick={() => void act({ action: 'paid' })}>标记已打款</Button>
      ) : null}
      {message ? <Text className='queue__message' id='queue-message'>{message}</Text> : null}
      <Text className='queue__subtitle'>处理记录</Text>
      {r.history?.map((e, i) => (
        <Text key={i} className='queue__event'>
          {formatInstant(e.at)} {e.by?.name ?? ''}：{e.from ? `${REBATE_STATE_LABELS[e.from]} → ` : '提交 → '}{REBATE_STATE_LABELS[e.to]}
          {e.documents.length ? `（${e.documents.join('、')}）` : ''}{e.reason ? ` · ${e.reason}` : ''}
        </Text>
      ))}
    </View>
  )
}
