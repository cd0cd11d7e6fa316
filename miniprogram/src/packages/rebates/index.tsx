import { useEffect, useRef, useState } from 'react'
import { Button, Input, Text, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import {
  REBATE_STATE_LABELS, ROLE_LABELS, can, formatPercentBp, formatYuan, percentToBp, rebateRequestsTitle, scopeOf, yuanToFen,
  type RebateCalculation, type RebateRequestView,
} from '@anchor/shared'
import { api, errorMessage } from '../../api/client'
import { rebatesApi, STATE_TONES } from '../../api/rebates'
import { getSession } from '../../api/session'
import type { Customer, Page } from '../../api/types'
import { useRequest } from '../../api/use-request'
import { NotFound, PageLoading } from '../../components/load-state'
import { StatusTag } from '../../components/tag'
import { backOr } from '../../utils/nav'
import { formatInstant } from '../../utils/time'
import './index.css'

/**
 * 返点计算器 (rep, phone first): choose a customer, pick the model (policy options.productModels, the list
 * contracts use), type the amount in yuan and pick the delivery cycle, and see at once the compliant range
 * and its amount, the documents still needed (upload them here), the expected payout day and the rule
 * behind it; submit at a rate within the range. Below, the requests in the caller's reach, titled for it
 * (a rep's own: 我的返点申请; a supervisor's team: 本组返点申请); one sent back for documents is completed and
 * resubmitted from here.
 */
export default function Rebates() {
  const role = getSession()?.member.role
  if (!can(role, 'rebates.request.create')) {
    return <NotFound id='rebates-forbidden' message={`你的岗位（${role ? ROLE_LABELS[role] : '未登录'}）不申请返点`} onBack={() => void backOr('me')} />
  }
  return <Calculator />
}

function Calculator() {
  const params = useRouter().params
  const table = useRequest(() => rebatesApi.table(), [])
  const [customer, setCustomer] = useState<{ id: number; name: string } | null>(null)
  const [q, setQ] = useState('')
  const [matches, setMatches] = useState<Customer[]>([])
  const [model, setModel] = useState('')
  const [amount, setAmount] = useState('')
  const [cycle, setCycle] = useState('')
  const [calc, setCalc] = useState<RebateCalculation | null>(null)
  const [calcError, setCalcError] = useState('')
  const [rate, setRate] = useState('')
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState('')
  const [openId, setOpenId] = useState<number | null>(Number(params.id) || null)
  const requests = useRequest(() => rebatesApi.list({ pageSize: 50 }), [done])
  const asked = useRef(0)

  // a customer named in the link (from its page)
  useEffect(() => {
    const id = Number(params.customerId)
    if (id) void api.get<Customer>(`/customers/${id}`).then((c) => setCustomer({ id: c.id, name: c.name }), () => undefined)
  }, [params.customerId])

  // customers matching what is typed (own reach), as the rep types
  useEffect(() => {
    const text = q.trim()
    if (!text || customer?.name === text) return setMatches([])
    const timer = setTimeout(() => {
      void api.get<Page<Customer>>('/customers', { q: text, pageSize: 6 }).then((p) => setMatches(p.items), () => setMatches([]))
    }, 250)
    return () => clearTimeout(timer)
  }, [q, customer])

  const amountFen = yuanToFen(amount)
  // the calculation, at once whenever all four are there (the last answer wins)
  useEffect(() => {
    if (amount || model) setDone('')
    if (!customer || !model.trim() || !amountFen || !cycle) {
      setCalc(null)
      setCalcError(amount && !amountFen ? '订单金额须为金额（元），最多两位小数' : '')
      return
    }
    const mine = ++asked.current
    const timer = setTimeout(() => {
      rebatesApi.calculate({ customerId: customer.id, productModel: model.trim(), amountFen, deliveryCycle: cycle }).then(
        (result) => {
          if (mine !== asked.current) return
          setCalc(result)
          setCalcError('')
          setRate((r) => (percentToBp(r) !== null && percentToBp(r)! >= result.rateMinBp && percentToBp(r)! <= result.rateMaxBp ? r : formatPercentBp(result.rateMaxBp).replace('%', '')))
        },
        (e: unknown) => {
          if (mine !== asked.current) return
          setCalc(null)
          setCalcError(errorMessage(e))
        },
      )
    }, 200)
    return () => clearTimeout(timer)
  }, [customer, model, amountFen, cycle, amount])

  if (!table.data) return <PageLoading errorId='rebates-error' error={table.error} onRetry={table.reload} />
  const cycles = table.data.choices.deliveryCycles
  const models = table.data.choices.productModels ?? []
  const role = getSession()?.member.role
  // a list beyond the caller's own names who asked on each request
  const showRequester = scopeOf(role, 'rebates.request.read') !== 'own'
  const rateBp = percentToBp(rate)
  const rateOk = !!calc && rateBp !== null && rateBp >= calc.rateMinBp && rateBp <= calc.rateMaxBp

  const recalc = () => setCustomer((c) => (c ? { ...c } : c))
  const upload = async (documentType: string) => {
    if (!customer) return
    try {
      const picked = await Taro.chooseImage({ count: 1, sizeType: ['compressed'] })
      const path = picked.tempFilePaths[0]
      if (!path) return
      await rebatesApi.uploadDocument(customer.id, documentType, path)
      void Taro.showToast({ title: `已上传${documentType}`, icon: 'success' })
      recalc()
    } catch (e) {
      if ((e as { errMsg?: string }).errMsg?.includes('cancel')) return
      void Taro.showToast({ title: errorMessage(e), icon: 'none' })
    }
  }

  const submit = async () => {
    if (!calc || !customer || rateBp === null || !amountFen) return
    setBusy(true)
    try {
      const made = await rebatesApi.submit({ customerId: customer.id, productModel: model.trim(), amountFen, deliveryCycle: cycle, rateBp, note: '' })
      // the form clears for the next order (the customer stays): a second tap cannot submit it twice
      setAmount('')
      setModel('')
      setDone(`已提交：${made.customer.name} 返点 ${formatYuan(made.rebateFen)}，等待财务审核`)
      setOpenId(made.id)
    } catch (e) {
      setCalcError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <View className='page rebates'>
      <Text className='rebates__title'>返点计算器</Text>
      <View className='card rebates__form'>
        <Text className='field__label'>客户 *</Text>
        {customer ? (
          <View className='row row--between rebates__chosen'>
            <Text id='rebate-customer-name' className='rebates__customer'>{customer.name}</Text>
            <Text className='rebates__link' onClick={() => { setCustomer(null); setQ('') }}>更换</Text>
          </View>
        ) : (
          <View>
            <Input id='rebate-customer-q' className='input' value={q} placeholder='输入客户名称搜索' onInput={(e) => setQ(e.detail.value)} />
            {matches.map((c) => (
              <View key={c.id} className='rebates__match' data-id={c.id} onClick={() => { setCustomer({ id: c.id, name: c.name }); setQ(c.name); setMatches([]) }}>
                <Text>{c.name}</Text>
                <Text className='muted'>{c.grade ?? '未分级'} · {c.industry}</Text>
              </View>
            ))}
          </View>
        )}
        <Text className='field__label'>产品型号 *</Text>
        <View className='row rebates__chips' id='rebate-models'>
          {models.map((m, i) => (
            <View key={m} id={`rebate-model-${i}`} className={`chip ${model === m ? 'chip--on' : ''}`} onClick={() => setModel(m)}>
              {m}
            </View>
          ))}
        </View>
        <Text className='field__label'>订单金额（元） *</Text>
        <Input id='rebate-amount' className='input' type='digit' value={amount} placeholder='如 120000' onInput={(e) => setAmount(e.detail.value)} />
        {amountFen ? <Text className='muted rebates__amount'>{formatYuan(amountFen)}</Text> : null}
        <Text className='field__label'>交付周期 *</Text>
        <View className='row rebates__chips'>
          {cycles.map((c, i) => (
            <View key={c} id={`rebate-cycle-${i}`} className={`chip ${cycle === c ? 'chip--on' : ''}`} onClick={() => setCycle(c)}>
              {c}
            </View>
          ))}
        </View>
      </View>

      {calcError ? <View className='state state--error' id='rebate-error'>{calcError}</View> : null}
      {done ? <View className='state rebates__done' id='rebate-done'>{done}</View> : null}

      {calc ? (
        <View className='card rebates__result' id='rebate-result'>
          <View className='rebates__figure'>
            <Text className='muted'>合规返点</Text>
            <Text className='rebates__big' id='rebate-range'>{formatPercentBp(calc.rateMinBp)} – {formatPercentBp(calc.rateMaxBp)}</Text>
            <Text className='rebates__money' id='rebate-money'>{formatYuan(calc.rebateMinFen)} – {formatYuan(calc.rebateMaxFen)}</Text>
          </View>
          <View className='rebates__line'>
            <Text className='muted'>仍需单据</Text>
            <View className='row rebates__docs' id='rebate-docs'>
              {calc.documentsRequired.length === 0 ? <Text>无需单据</Text> : null}
              {calc.documentsRequired.map((d) =>
                calc.documentsMissing.includes(d) ? (
                  <View key={d} className='rebates__doc rebates__doc--missing' onClick={() => void upload(d)}>
                    <Text>{d}</Text>
                    <Text className='rebates__doc-action'>上传</Text>
                  </View>
                ) : (
                  <View key={d} className='rebates__doc rebates__doc--ok'>
                    <Text>{d} ✓</Text>
                  </View>
                ),
              )}
            </View>
          </View>
          <View className='rebates__line'>
            <Text className='muted'>预计打款</Text>
            <Text id='rebate-payout'>{calc.expectedPayoutDate}（审核通过后 {calc.payoutDelayDays} 个工作日）</Text>
          </View>
          <View className='rebates__line'>
            <Text className='muted'>依据</Text>
            <Text id='rebate-rule' className='rebates__rule'>第 {calc.rule.version} 版 · 第 {calc.rule.row} 行 · {calc.rule.key}</Text>
          </View>
          <View className='rebates__line'>
            <Text className='field__label'>申请返点比例（%）</Text>
            <Input id='rebate-rate' className='input' type='digit' value={rate} onInput={(e) => setRate(e.detail.value)} />
            {rateBp !== null && amountFen ? <Text className='muted'>返点金额 {formatYuan(Math.round((amountFen * rateBp) / 10000))}</Text> : null}
            {rate && !rateOk ? <Text className='field__message'>须在 {formatPercentBp(calc.rateMinBp)} – {formatPercentBp(calc.rateMaxBp)} 之间</Text> : null}
          </View>
          <Button id='rebate-submit' className='btn btn--primary btn--block' disabled={busy || !rateOk} onClick={() => void submit()}>
            {busy ? '提交中…' : '提交返点申请'}
          </Button>
        </View>
      ) : null}

      <Text className='rebates__subtitle' id='rebate-requests-title'>{rebateRequestsTitle(role)}</Text>
      <View id='rebate-requests'>
        {requests.data?.items.length === 0 ? <View className='state'>还没有返点申请</View> : null}
        {requests.data?.items.map((r) => (
          <RequestCard key={r.id} r={r} showRequester={showRequester} open={openId === r.id} onToggle={() => setOpenId(openId === r.id ? null : r.id)} onChanged={() => setDone(`申请 #${r.id} 已更新`)} />
        ))}
      </View>
    </View>
  )
}

/** One request: state, customer, amounts; opened, its history and, when sent back, the documents to add and 重新提交. */
function RequestCard(props: { r: RebateRequestView; showRequester: boolean; open: boolean; onToggle: () => void; onChanged: () => void }) {
  const { r } = props
  const detail = useRequest(() => (props.open ? rebatesApi.get(r.id) : Promise.resolve(null)), [props.open, r.id, r.updatedAt])
  const [error, setError] = useState('')
  const d = detail.data
  const upload = async (documentType: string) => {
    try {
      const picked = await Taro.chooseImage({ count: 1, sizeType: ['compressed'] })
      const path = picked.tempFilePaths[0]
      if (!path) return
      await rebatesApi.uploadDocument(r.customer.id, documentType, path)
      detail.reload()
    } catch (e) {
      if (!(e as { errMsg?: string }).errMsg?.includes('cancel')) setError(errorMessage(e))
    }
  }
  const resubmit = async () => {
    try {
      await rebatesApi.resubmit(r.id)
      props.onChanged()
    } catch (e) {
      setError(errorMessage(e))
    }
  }
  return (
    <View className='card rebates__request' data-id={r.id}>
      <View className='row row--between' onClick={props.onToggle}>
        <Text className='rebates__customer'>{r.customer.name}</Text>
        <StatusTag tone={STATE_TONES[r.state]}>{r.stateLabel}</StatusTag>
      </View>
      <Text className='muted'>
        {props.showRequester ? `${r.requester.name} · ` : ''}{r.productModel} · 订单 {formatYuan(r.amountFen)} · 返点 {formatPercentBp(r.rateBp)} {formatYuan(r.rebateFen)}
      </Text>
      {props.open && d ? (
        <View className='rebates__detail'>
          {d.reason ? <Text className='rebates__reason'>财务说明：{d.reason}</Text> : null}
          {d.state === 'documents_missing' ? (
            <View>
              <View className='row rebates__docs'>
                {d.documentsMissing.map((doc) =>
                  d.documentsStillMissing.includes(doc) ? (
                    <View key={doc} className='rebates__doc rebates__doc--missing' onClick={() => void upload(doc)}>
                      <Text>{doc}</Text>
                      <Text className='rebates__doc-action'>上传</Text>
                    </View>
                  ) : (
                    <View key={doc} className='rebates__doc rebates__doc--ok'>
                      <Text>{doc} ✓</Text>
                    </View>
                  ),
                )}
              </View>
              <Button className='btn btn--primary btn--block rebates__resubmit' disabled={d.documentsStillMissing.length > 0} onClick={() => void resubmit()}>
                {d.documentsStillMissing.length ? `还缺 ${d.documentsStillMissing.length} 份单据` : '重新提交'}
              </Button>
            </View>
          ) : null}
          <Text className='muted'>预计打款 {d.expectedPayoutDate} · 规则 第 {d.rule.version} 版 {d.rule.key}</Text>
          {d.history?.map((e, i) => (
            <Text key={i} className='rebates__event'>
              {formatInstant(e.at)} {e.by?.name ?? ''}：{e.from ? `${REBATE_STATE_LABELS[e.from]} → ` : '提交 → '}{REBATE_STATE_LABELS[e.to]}
              {e.documents.length ? `（${e.documents.join('、')}）` : ''}
            </Text>
          ))}
          {error ? <Text className='field__message'>{error}</Text> : null}
        </View>
      ) : null}
    </View>
  )
}
