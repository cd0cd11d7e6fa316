import { useEffect, useState } from 'react'
import Taro, { useRouter } from '@tarojs/taro'
import { Button, Image, Input, Picker, Text, View } from '@tarojs/components'
import {
  MANUAL_PAYMENT_METHODS, PAYMENT_METHOD_LABELS, PAY_ORDER_STATE_LABELS, RECEIVABLE_STATES, RECEIVABLE_STATE_LABELS, ROLE_LABELS, can, contractNumber, formatYuan, localDay,
  type ReceivableState,
} from '@anchor/shared'
import { errorMessage, isApiError, uploadFile } from '../../api/client'
import { authedImage } from '../../api/materials'
import { receivablesApi, type PayOrder, type Receivable, type ReceivableDetail } from '../../api/receivables'
import { getSession } from '../../api/session'
import { useRequest } from '../../api/use-request'
import { Field, PickerBox } from '../../components/field'
import { NotFound, PageLoading } from '../../components/load-state'
import { StatusTag, type Tone } from '../../components/tag'
import { backOr, goTo } from '../../utils/nav'
import './index.css'

const TONES: Record<ReceivableState, Tone> = { open: 'plain', partly_paid: 'orange', paid: 'green', overdue: 'red' }

/** 回款: the list in the caller's reach, or (`id`) one receivable with its payments, the pay QR and finance's record form. */
export default function Receivables() {
  const role = getSession()?.member.role
  const id = Number(useRouter().params.id) || 0
  if (!can(role, 'receivables.read')) {
    return <NotFound id='receivables-forbidden' message={`你的岗位（${role ? ROLE_LABELS[role] : '未登录'}）不查看回款`} onBack={() => void backOr('me')} />
  }
  return id ? <ReceivableView id={id} /> : <ReceivableList />
}

function ReceivableRow(props: { r: Receivable }) {
  const { r } = props
  return (
    <View className='card receivable-row' data-id={r.id} onClick={() => void goTo('receivables', { id: r.id })}>
      <View className='row row--between'>
        <Text className='receivable-row__name'>{r.customerName}</Text>
        <StatusTag tone={TONES[r.state]}>{RECEIVABLE_STATE_LABELS[r.state]}</StatusTag>
      </View>
      <View className='row row--between receivable-row__meta'>
        <Text className='muted'>第 {r.seq} 期 · 到期 {r.dueDate} · {r.ownerName}</Text>
        <Text className='receivable-row__amount'>{r.state === 'paid' ? formatYuan(r.amountFen) : `未回 ${formatYuan(r.remainingFen)}`}</Text>
      </View>
    </View>
  )
}

function ReceivableList() {
  const [state, setState] = useState<ReceivableState | undefined>(undefined)
  const data = useRequest(() => receivablesApi.list({ state, pageSize: 100 }), [state])
  return (
    <View className='page receivables'>
      <Text className='receivables__title'>回款</Text>
      <View className='row receivables__chips'>
        <View id='state-all' className={`chip ${state === undefined ? 'chip--on' : ''}`} onClick={() => setState(undefined)}>全部</View>
        {RECEIVABLE_STATES.map((s) => (
          <View key={s} id={`state-${s}`} className={`chip ${state === s ? 'chip--on' : ''}`} onClick={() => setState(s)}>
            {RECEIVABLE_STATE_LABELS[s]}
          </View>
        ))}
      </View>
      {!data.data ? (
        <PageLoading errorId='receivables-error' error={data.error} onRetry={data.reload} />
      ) : data.data.items.length === 0 ? (
        <Text className='muted receivables__empty'>没有{state ? RECEIVABLE_STATE_LABELS[state] : ''}的回款</Text>
      ) : (
        <View className='receivables__list'>
          <Text className='muted'>共 {data.data.total} 期，未回款合计 {formatYuan(data.data.items.reduce((s, r) => s + r.remainingFen, 0))}</Text>
          {data.data.items.map((r) => (
            <ReceivableRow key={r.id} r={r} />
          ))}
        </View>
      )}
    </View>
  )
}

function ReceivableView(props: { id: number }) {
  const role = getSession()?.member.role
  const data = useRequest(() => receivablesApi.get(props.id), [props.id])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const open = data.data?.orders.find((o) => o.state === 'open' && o.codeUrl)
  // while a pay QR is shown, look again every few seconds: the payment arrives by WeChat Pay's notification
  useEffect(() => {
    if (!open) return
    const timer = setInterval(() => data.reload(), 3000)
    return () => clearInterval(timer)
  }, [open?.id])

  if (!data.data) return <PageLoading errorId='receivable-error' error={data.error} onRetry={data.reload} />
  const r = data.data
  const pay = async () => {
    setBusy(true)
    setError('')
    try {
      await receivablesApi.payOrder(r.id)
      data.reload()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }
  const close = async (o: PayOrder) => {
    setBusy(true)
    try {
      await receivablesApi.closeOrder(o.id)
      data.reload()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='page receivable'>
      <View className='card'>
        <View className='row row--between'>
          <Text className='receivable__name'>{r.customerName}</Text>
          <StatusTag tone={TONES[r.state]}>{RECEIVABLE_STATE_LABELS[r.state]}</StatusTag>
        </View>
        <Text className='muted'>
          <Text id='receivable-contract' className='receivable__contract' onClick={() => void goTo('contract', { id: r.contractId })}>合同 {contractNumber(r.contractId)}</Text>
          {` · 第 ${r.seq} 期 · 到期 ${r.dueDate} · 负责人 ${r.ownerName}`}
        </Text>
        <View className='row receivable__figures'>
          <View className='receivable__figure'><Text className='muted'>应收</Text><Text id='receivable-amount'>{formatYuan(r.amountFen)}</Text></View>
          <View className='receivable__figure'><Text className='muted'>已回</Text><Text id='receivable-paid'>{formatYuan(r.paidFen)}</Text></View>
          <View className='receivable__figure'><Text className='muted'>未回</Text><Text id='receivable-remaining' className='receivable__remaining'>{formatYuan(r.remainingFen)}</Text></View>
        </View>
      </View>
      {r.remainingFen > 0 && can(role, 'payments.order') ? (
        <View className='card receivable__pay'>
          <Text className='receivable__section'>微信支付收款</Text>
          {open ? <PayQr order={open} onClose={() => void close(open)} busy={busy} /> : (
            <Button id='pay-order' className='btn btn--primary btn--block' loading={busy} disabled={busy} onClick={() => void pay()}>
              生成收款码（{formatYuan(r.remainingFen)}）
            </Button>
          )}
          {error ? <Text id='pay-error' className='field-error-text'>{error}</Text> : null}
        </View>
      ) : null}
      <View className='card'>
        <Text className='receivable__section'>回款记录</Text>
        {r.payments.length === 0 ? <Text className='muted'>还没有回款</Text> : null}
        {r.payments.map((p) => (
          <View key={p.id} className='row row--between receivable__payment'>
            <Text>{localDay(new Date(p.paidAt), 'Asia/Shanghai')} · {PAYMENT_METHOD_LABELS[p.method]}{p.byName ? ` · ${p.byName}` : ''}</Text>
            <Text className='receivable__payment-amount'>{formatYuan(p.amountFen)}</Text>
          </View>
        ))}
        {r.orders.filter((o) => o.state !== 'open').map((o) => (
          <Text key={o.id} className='muted receivable__order'>订单 {o.outTradeNo} · {formatYuan(o.amountFen)} · {PAY_ORDER_STATE_LABELS[o.state]}</Text>
        ))}
      </View>
      {r.remainingFen > 0 && can(role, 'receivables.record') ? <RecordForm r={r} onDone={data.reload} /> : null}
    </View>
  )
}

function PayQr(props: { order: PayOrder; busy: boolean; onClose: () => void }) {
  const [src, setSrc] = useState('')
  useEffect(() => {
    void authedImage(`/api/v1/pay-orders/${props.order.id}/qr.png`).then(setSrc).catch(() => setSrc(''))
  }, [props.order.id])
  return (
    <View className='pay-qr'>
      {src ? <Image id='pay-qr' className='pay-qr__image' src={src} mode='aspectFit' /> : <View className='pay-qr__image' />}
      <Text className='pay-qr__amount'>{formatYuan(props.order.amountFen)}</Text>
      <Text className='muted'>请客户用微信扫码支付 · {new Date(props.order.expiresAt).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit' })} 前有效</Text>
      <Text className='muted'>到账后此页自动更新</Text>
      <Button id='close-order' className='btn btn--small' disabled={props.busy} onClick={props.onClose}>关闭订单</Button>
    </View>
  )
}

/** A photo or PDF of the bank slip: the browser's file input on H5, an image or a chat file on weapp. */
async function pickVoucher(): Promise<string | null> {
  if (process.env.TARO_ENV === 'h5') {
    return new Promise((resolve) => {
      const input = document.createElement('input')
      input.type = 'file'
      input.accept = 'image/jpeg,image/png,image/webp,application/pdf'
      input.onchange = () => {
        const file = input.files?.[0]
        resolve(file ? URL.createObjectURL(file) : null)
      }
      input.click()
    })
  }
  const res = await Taro.chooseMessageFile({ count: 1, type: 'all', extension: ['jpg', 'jpeg', 'png', 'webp', 'pdf'] })
  return res.tempFiles[0]?.path ?? null
}

/** Finance's record of a bank transfer (or cash, a check …) with its voucher. */
function RecordForm(props: { r: ReceivableDetail; onDone: () => void }) {
  const methods = [...MANUAL_PAYMENT_METHODS]
  const [amount, setAmount] = useState('')
  const [method, setMethod] = useState<string>('bank_transfer')
  const [reference, setReference] = useState('')
  const [paidAt, setPaidAt] = useState(localDay(new Date(), 'Asia/Shanghai'))
  const [voucher, setVoucher] = useState<{ id: number; name: string } | null>(null)
  const [fields, setFields] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState('')
  const choose = async () => {
    const path = await pickVoucher()
    if (!path) return
    try {
      const stored = await uploadFile<{ id: number }>('/payment-vouchers', path)
      setVoucher({ id: stored.id, name: '已上传凭证' })
    } catch (e) {
      setFields({ ...fields, voucherAttachmentId: errorMessage(e) })
    }
  }
  const submit = async () => {
    const yuan = Number(amount)
    const local: Record<string, string> = {}
    if (!amount || !Number.isFinite(yuan) || yuan <= 0) local.amountFen = '请填写金额'
    if (!reference.trim()) local.reference = '请填写流水号'
    if (!voucher) local.voucherAttachmentId = '请上传回款凭证'
    setFields(local)
    if (Object.keys(local).length) return
    setBusy(true)
    try {
      await receivablesApi.record(props.r.id, { amountFen: Math.round(yuan * 100), method, reference: reference.trim(), paidAt, voucherAttachmentId: voucher!.id })
      setMessage('已登记')
      setAmount('')
      setReference('')
      setVoucher(null)
      props.onDone()
    } catch (e) {
      if (isApiError(e)) setFields(e.fields)
      setMessage(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='card record-form'>
      <Text className='receivable__section'>登记线下回款</Text>
      <Field name='amountFen' label='金额（元）' required error={fields.amountFen}>
        <Input id='record-amount' className='input' type='digit' value={amount} placeholder={`最多 ${(props.r.remainingFen / 100).toFixed(2)}`} onInput={(e) => setAmount(e.detail.value)} />
      </Field>
      <Field name='method' label='方式' required error={fields.method}>
        <Picker id='record-method' mode='selector' range={methods.map((m) => PAYMENT_METHOD_LABELS[m])} value={methods.indexOf(method as never)} onChange={(e) => setMethod(methods[Number(e.detail.value)]!)}>
          <PickerBox value={PAYMENT_METHOD_LABELS[method as keyof typeof PAYMENT_METHOD_LABELS]} placeholder='请选择…' />
        </Picker>
      </Field>
      <Field name='reference' label='流水号' required error={fields.reference}>
        <Input id='record-reference' className='input' value={reference} maxlength={64} placeholder='银行流水号或收据号' onInput={(e) => setReference(e.detail.value)} />
      </Field>
      <Field name='paidAt' label='到账日期' required error={fields.paidAt}>
        <Picker id='record-date' mode='date' value={paidAt} end={localDay(new Date(), 'Asia/Shanghai')} onChange={(e) => setPaidAt(e.detail.value)}>
          <PickerBox value={paidAt} placeholder='请选择…' />
        </Picker>
      </Field>
      <Field name='voucherAttachmentId' label='凭证' required error={fields.voucherAttachmentId}>
        <Button id='record-voucher' className='btn btn--small' onClick={() => void choose()}>{voucher ? '已上传，重新选择' : '上传凭证照片'}</Button>
      </Field>
      <Button id='record-submit' className='btn btn--primary btn--block' loading={busy} disabled={busy} onClick={() => void submit()}>登记</Button>
      {message ? <Text id='record-message' className='muted'>{message}</Text> : null}
    </View>
  )
}
