import { useEffect, useState } from 'react'
import { Button, Input, Picker, Switch, Text, Textarea, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { CONTRACT_LIMITS, ROLE_LABELS, can, formatYuan, instalmentProblems, validate, yuanToFen, makeContractSchemas, type ContractView } from '@anchor/shared'
import { errorMessage, isApiError } from '../../../api/client'
import { contractsApi, type ContractDraft } from '../../../api/contracts'
import { loadOptions } from '../../../api/options'
import { getSession } from '../../../api/session'
import { Field, PickerBox, SelectField } from '../../../components/field'
import { NotFound, PageLoading } from '../../../components/load-state'
import { addDaysLocal } from '../../../utils/time'
import { backOr, replaceWith } from '../../../utils/nav'
import '../index.css'

interface LineRow {
  model: string
  quantity: string
}
interface InstalmentRow {
  dueDate: string
  amount: string
}
interface Form {
  amount: string
  lines: LineRow[]
  instalments: InstalmentRow[]
  keyTerms: string
  needsMarketing: boolean
}

const yuan = (fen: number) => (fen / 100).toFixed(2)

function fromContract(c: ContractView): Form {
  return {
    amount: yuan(c.amountFen),
    lines: c.lines.map((l) => ({ model: l.model, quantity: String(l.quantity) })),
    instalments: c.instalments.map((p) => ({ dueDate: p.dueDate, amount: yuan(p.amountFen) })),
    keyTerms: c.keyTerms,
    needsMarketing: c.needsMarketing,
  }
}

const blank = (): Form => ({ amount: '', lines: [{ model: '', quantity: '1' }], instalments: [{ dueDate: addDaysLocal(30), amount: '' }], keyTerms: '', needsMarketing: false })

/** The form as the API takes it; amounts typed in yuan become fen (text that is no amount stays NaN and the schema names it). */
function toDraft(form: Form, scanIds: number[]): ContractDraft {
  const fen = (text: string) => (text.trim() ? (yuanToFen(text) ?? Number.NaN) : Number.NaN)
  return {
    amountFen: fen(form.amount),
    lines: form.lines.map((l) => ({ model: l.model, quantity: Number(l.quantity) })),
    instalments: form.instalments.map((p, i) => ({ seq: i + 1, dueDate: p.dueDate, amountFen: fen(p.amount) })),
    keyTerms: form.keyTerms,
    needsMarketing: form.needsMarketing,
    scanIds,
  }
}

/** A PDF or image of the signed contract: a file input on H5, the chat file picker on weapp. */
async function pickScan(): Promise<{ path: string; name: string } | null> {
  if (process.env.TARO_ENV === 'h5') {
    return new Promise((resolve) => {
      const input = document.createElement('input')
      input.type = 'file'
      input.accept = 'application/pdf,image/jpeg,image/png'
      input.onchange = () => {
        const file = input.files?.[0]
        resolve(file ? { path: URL.createObjectURL(file), name: file.name } : null)
      }
      input.click()
    })
  }
  const res = await Taro.chooseMessageFile({ count: 1, type: 'all', extension: ['pdf', 'jpg', 'jpeg', 'png'] })
  const f = res.tempFiles[0]
  return f ? { path: f.path, name: f.name } : null
}

/**
 * 新建合同 / 修改合同: amount, product lines, the instalments (their sum is checked against the amount as
 * one types), key terms, 需市场支持, the scanned contract. Saved as a draft, or saved and submitted at once.
 */
export default function ContractEdit() {
  const role = getSession()?.member.role
  if (!can(role, 'contracts.submit')) {
    return <NotFound id='contract-edit-forbidden' message={`你的岗位（${role ? ROLE_LABELS[role] : '未登录'}）不能起草合同`} onBack={() => void backOr('contracts')} />
  }
  return <ContractForm />
}

function ContractForm() {
  const params = useRouter().params
  const id = Number(params.id) || 0
  const customerId = Number(params.customerId) || 0
  const [models, setModels] = useState<string[] | null>(null)
  const [existing, setExisting] = useState<ContractView | null>(null)
  const [form, setForm] = useState<Form>(blank)
  const [scans, setScans] = useState<Array<{ id: number; name: string; kept: boolean }>>([])
  const [fields, setFields] = useState<Record<string, string>>({})
  const [error, setError] = useState('')
  const [loadError, setLoadError] = useState('')
  const [busy, setBusy] = useState(false)

  const load = () => {
    setLoadError('')
    Promise.all([loadOptions(), id ? contractsApi.get(id) : Promise.resolve(null)])
      .then(([options, c]) => {
        setModels(options.productModels ?? ['其他'])
        if (c) {
          setExisting(c)
          setForm(fromContract(c))
          setScans(c.scans.map((s, i) => ({ id: s.id, name: `扫描件 ${i + 1}`, kept: true })))
        }
      })
      .catch((e: unknown) => setLoadError(errorMessage(e)))
  }
  useEffect(load, [id])

  if (!models) return <PageLoading errorId='contract-edit-error' error={loadError} onRetry={load} />
  if (existing && !existing.can.edit) {
    return <NotFound id='contract-not-editable' message={`合同${existing.stateLabel}，不能修改`} onBack={() => void backOr('contract', { id })} />
  }

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }))
  const setLine = (i: number, patch: Partial<LineRow>) => set('lines', form.lines.map((l, j) => (j === i ? { ...l, ...patch } : l)))
  const setInstalment = (i: number, patch: Partial<InstalmentRow>) => set('instalments', form.instalments.map((p, j) => (j === i ? { ...p, ...patch } : p)))

  const draft = toDraft(form, scans.map((s) => s.id))
  const amountOk = Number.isSafeInteger(draft.amountFen)
  const sum = draft.instalments.reduce((n, p) => n + (Number.isSafeInteger(p.amountFen) ? p.amountFen : 0), 0)
  const live = amountOk && draft.instalments.every((p) => Number.isSafeInteger(p.amountFen)) ? instalmentProblems(draft.amountFen, draft.instalments).instalments : ''

  const addScan = async () => {
    setError('')
    const file = await pickScan()
    if (!file) return
    try {
      const stored = await contractsApi.uploadScan(file.path)
      setScans((list) => [...list, { id: stored.id, name: file.name, kept: false }])
    } catch (e) {
      setError(`合同扫描件：${errorMessage(e)}`)
    }
  }

  const save = async (submit: boolean) => {
    const schemas = makeContractSchemas(models)
    const checked = validate(schemas.update, draft)
    if (!checked.ok) {
      setFields(checked.fields)
      setError('请检查标红的内容')
      return
    }
    setFields({})
    setError('')
    setBusy(true)
    try {
      let saved = existing ? await contractsApi.update(existing.id, draft) : await contractsApi.create(customerId, draft)
      if (submit) saved = await contractsApi.submit(saved.id)
      void Taro.showToast({ title: submit ? '已提交审批' : '草稿已保存', icon: 'success' })
      void replaceWith('contract', { id: saved.id })
    } catch (e) {
      if (isApiError(e)) setFields(e.fields)
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const fieldError = (prefix: string) => Object.entries(fields).find(([k]) => k === prefix || k.startsWith(`${prefix}.`))?.[1]

  return (
    <View className='page contract-edit'>
      <Text className='contracts__title'>{existing ? `修改合同 ${existing.number}` : '新建合同'}</Text>
      {existing?.state === 'rejected' && existing.rejectReason ? (
        <Text className='contract__reject' id='contract-reject-reason'>
          驳回理由：{existing.rejectReason}
        </Text>
      ) : null}
      {existing ? <Text className='muted contract-edit__customer'>客户：{existing.customer.name}</Text> : null}

      <Field name='amount' label='合同金额（元）' required error={fields.amountFen}>
        <Input id='contract-amount' className='input' type='digit' value={form.amount} placeholder='例如 120000.00' onInput={(e) => set('amount', e.detail.value)} />
      </Field>

      <View className='card contract-edit__group' id='contract-lines'>
        <Text className='contract-edit__group-title'>产品明细</Text>
        {form.lines.map((line, i) => (
          <View key={i} className='row contract-edit__row'>
            <View className='contract-edit__model'>
              <SelectField name={`line-${i}-model`} options={models} value={line.model} placeholder='选择产品型号' error={fieldError(`lines.${i}.model`)} onChange={(v) => setLine(i, { model: v })} />
            </View>
            <Field name={`line-${i}-quantity`} error={fieldError(`lines.${i}.quantity`)} className='contract-edit__qty'>
              <Input id={`line-${i}-quantity-input`} className='input' type='number' value={line.quantity} placeholder='数量' onInput={(e) => setLine(i, { quantity: e.detail.value })} />
            </Field>
            {form.lines.length > 1 ? (
              <Button className='btn btn--small' onClick={() => set('lines', form.lines.filter((_, j) => j !== i))}>
                删除
              </Button>
            ) : null}
          </View>
        ))}
        {fields.lines ? <Text className='field__message'>{fields.lines}</Text> : null}
        {form.lines.length < CONTRACT_LIMITS.maxLines ? (
          <Button id='add-line' className='btn btn--small' onClick={() => set('lines', [...form.lines, { model: '', quantity: '1' }])}>
            + 添加产品
          </Button>
        ) : null}
      </View>

      <View className='card contract-edit__group' id='contract-instalments'>
        <Text className='contract-edit__group-title'>回款计划</Text>
        {form.instalments.map((p, i) => (
          <View key={i} className='row contract-edit__row'>
            <Text className='contract-edit__seq'>第 {i + 1} 期</Text>
            <Picker mode='date' value={p.dueDate} onChange={(e) => setInstalment(i, { dueDate: e.detail.value })}>
              <View id={`instalment-${i}-date`}>
                <PickerBox value={p.dueDate} placeholder='到期日' />
              </View>
            </Picker>
            <Input id={`instalment-${i}-amount`} className='input contract-edit__money' type='digit' value={p.amount} placeholder='金额（元）' onInput={(e) => setInstalment(i, { amount: e.detail.value })} />
            {form.instalments.length > 1 ? (
              <Button className='btn btn--small' onClick={() => set('instalments', form.instalments.filter((_, j) => j !== i))}>
                删除
              </Button>
            ) : null}
          </View>
        ))}
        <Text id='instalments-sum' className={`contract-edit__sum ${live || fields.instalments ? 'state--error' : 'muted'}`}>
          {live || fields.instalments || `合计 ${formatYuan(sum)}${amountOk ? ` · 合同金额 ${formatYuan(draft.amountFen)}` : ''}`}
        </Text>
        {Object.entries(fields)
          .filter(([k]) => k.startsWith('instalments.'))
          .map(([k, message]) => (
            <Text key={k} className='field__message'>
              {message}
            </Text>
          ))}
        {form.instalments.length < CONTRACT_LIMITS.maxInstalments ? (
          <Button id='add-instalment' className='btn btn--small' onClick={() => set('instalments', [...form.instalments, { dueDate: addDaysLocal(30 * (form.instalments.length + 1)), amount: '' }])}>
            + 添加一期
          </Button>
        ) : null}
      </View>

      <Field name='keyTerms' label='关键条款' required error={fields.keyTerms} count={{ length: form.keyTerms.length, max: CONTRACT_LIMITS.keyTermsMax }}>
        <Textarea id='contract-key-terms' className='textarea' maxlength={CONTRACT_LIMITS.keyTermsMax} value={form.keyTerms} placeholder='付款方式、交付、质保、违约责任等' onInput={(e) => set('keyTerms', e.detail.value)} />
      </Field>

      <View className='row row--between card contract-edit__switch'>
        <Text>需市场支持（提交后通知市场负责人）</Text>
        <Switch id='contract-needs-marketing' checked={form.needsMarketing} color='#fa2c19' onChange={(e) => set('needsMarketing', !!e.detail.value)} />
      </View>

      <View className='card contract-edit__group' id='contract-scans'>
        <Text className='contract-edit__group-title'>合同扫描件（PDF、JPEG、PNG）</Text>
        {scans.map((s) => (
          <Text key={s.id} className='muted contract-edit__scan'>
            {s.name}
          </Text>
        ))}
        {fields.scanIds ? <Text className='field__message'>{fields.scanIds}</Text> : null}
        <Button id='add-scan' className='btn btn--small' onClick={() => void addScan()}>
          上传扫描件
        </Button>
      </View>

      {error ? (
        <Text className='message-error' id='contract-error'>
          {error}
        </Text>
      ) : null}
      <View className='row contract-edit__actions'>
        <Button id='contract-save' className='btn' disabled={busy} onClick={() => void save(false)}>
          保存草稿
        </Button>
        <Button id='contract-submit' className='btn btn--primary' disabled={busy} onClick={() => void save(true)}>
          {busy ? '处理中…' : existing?.state === 'rejected' ? '保存并重新提交' : '保存并提交审批'}
        </Button>
      </View>
    </View>
  )
}
