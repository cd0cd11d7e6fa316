import { useEffect, useState } from 'react'
import { Button, Input, Text, Textarea, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { CUSTOMER_FIELD_LABELS as L, CUSTOMER_OWNER_ROLES, ROLE_LABELS, can, type Role } from '@anchor/shared'
import { api, errorMessage, isApiError, request } from '../../api/client'
import { loadOptions } from '../../api/options'
import { getSession } from '../../api/session'
import type { Customer, Options } from '../../api/types'
import { useRequest } from '../../api/use-request'
import { backOr, replaceWith } from '../../utils/nav'
import { Field, SelectField } from '../../components/field'
import { NotFound, PageLoading } from '../../components/load-state'
import './index.css'

interface MemberRow {
  id: number
  name: string
  role: Role
}

type Form = Record<'name' | 'industry' | 'stage' | 'grade' | 'contactName' | 'contactPhone' | 'city' | 'address' | 'notes', string>
const EMPTY: Form = { name: '', industry: '', stage: 'lead', grade: '', contactName: '', contactPhone: '', city: '', address: '', notes: '' }
const UNGRADED = '未分级'

function formOf(c: Customer): Form {
  const text = (v: unknown) => (typeof v === 'string' ? v : '')
  return {
    name: c.name, industry: text(c.industry), stage: c.stage, grade: text(c.grade), contactName: text(c.contactName), contactPhone: text(c.contactPhone),
    city: text(c.city), address: text(c.address), notes: text(c.notes),
  }
}

/** Create a customer (no id) or edit one: its details, its stage, and — for supervisors and up — its owner. */
export default function CustomerEdit() {
  const id = Number(useRouter().params.id) || 0
  const me = getSession()?.member ?? null
  const loaded = useRequest(async () => {
    const [options, customer, members] = await Promise.all([
      loadOptions(),
      id ? api.get<Customer>(`/customers/${id}`) : Promise.resolve(null),
      // who may reassign picks an owner (the permission matrix, shared/src/permissions.ts)
      me && can(me.role, 'customers.assign') ? api.get<{ items: MemberRow[] }>('/members').then((r) => r.items.filter((m) => CUSTOMER_OWNER_ROLES.includes(m.role))) : Promise.resolve([] as MemberRow[]),
    ])
    return { options, customer, members }
  }, [id])
  const [form, setForm] = useState<Form>(EMPTY)
  const [ownerId, setOwnerId] = useState(0)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [saving, setSaving] = useState(false)
  const [message, setMessage] = useState('')

  useEffect(() => {
    const c = loaded.data?.customer
    if (c) {
      setForm(formOf(c))
      setOwnerId(c.owner?.id ?? 0)
    }
    Taro.setNavigationBarTitle({ title: c ? `编辑 ${c.name}` : '新建客户' }).catch(() => undefined)
  }, [loaded.data])

  if (!loaded.data) {
    if (loaded.status === 404) {
      return <NotFound id='customer-missing' message='客户不存在或你无权查看' onBack={() => void backOr('customers')} />
    }
    return <PageLoading errorId='customer-edit-error' error={loaded.error} onRetry={loaded.reload} />
  }
  const { options, customer, members } = loaded.data as { options: Options & { grades: string[] }; customer: Customer | null; members: MemberRow[] }
  const stageLabel = (code: string) => options.stages.find((s) => s.code === code)?.label ?? code
  // who creates customers but owns none (a director, an admin) names the owner
  const needsOwner = !customer && !!me && can(me.role, 'customers.create') && !CUSTOMER_OWNER_ROLES.includes(me.role)
  const set = (key: keyof Form) => (value: string) => {
    setForm((f) => ({ ...f, [key]: value }))
    // a corrected field stops showing its old message
    if (errors[key]) setErrors((e) => ({ ...e, [key]: '' }))
  }
  const memberLabel = (m: MemberRow) => `${m.name}（${ROLE_LABELS[m.role]} · ${m.id}）`

  const save = async () => {
    const fieldErrors: Record<string, string> = {}
    if (!form.name.trim()) fieldErrors.name = `请填写${L.name}`
    if (!form.industry) fieldErrors.industry = `请选择${L.industry}`
    if (needsOwner && !ownerId) fieldErrors.ownerId = `请选择${L.ownerId}`
    setErrors(fieldErrors)
    setMessage('')
    if (Object.keys(fieldErrors).length) return
    const body: Record<string, unknown> = {
      name: form.name.trim(), industry: form.industry, stage: form.stage, grade: form.grade || null, contactName: form.contactName.trim() || null,
      contactPhone: form.contactPhone.trim() || null, city: form.city.trim() || null, address: form.address.trim() || null, notes: form.notes.trim() || null,
    }
    setSaving(true)
    try {
      if (customer) {
        await request<Customer>(`/customers/${customer.id}`, { method: 'PATCH', body })
        if (ownerId && ownerId !== customer.owner?.id) await api.post<Customer>(`/customers/${customer.id}/reassign`, { ownerId })
        void Taro.showToast({ title: '已保存', icon: 'success' })
        await backOr('customer', { id: customer.id })
      } else {
        const created = await api.post<Customer>('/customers', { ...body, ...(ownerId ? { ownerId } : {}) })
        void Taro.showToast({ title: '已创建', icon: 'success' })
        await replaceWith('customer', { id: created.id })
      }
    } catch (e) {
      setMessage(errorMessage(e))
      if (isApiError(e)) setErrors(e.fields)
    } finally {
      setSaving(false)
    }
  }

  const text = (key: keyof Form, placeholder: string, type: 'text' | 'number' = 'text') => (
    <Field name={key} label={L[key as keyof typeof L] ?? key} required={key === 'name'} error={errors[key]}>
      <Input id={key} className='input' type={type} value={form[key]} placeholder={placeholder} maxlength={key === 'address' ? 200 : 100} onInput={(e) => set(key)(e.detail.value)} />
    </Field>
  )

  return (
    <View className='page customer-edit'>
      <Text className='customer-edit__title' id='customer-edit-title'>
        {customer ? `编辑：${customer.name}` : '新建客户'}
      </Text>
      <View className='card'>
        {text('name', '医院或公司全称')}
        <SelectField name='industry' label={L.industry} required error={errors.industry} options={options.industries} value={form.industry} placeholder='请选择' onChange={set('industry')} />
        <SelectField
          name='stage'
          label={L.stage}
          required
          error={errors.stage}
          options={options.stages.map((s) => s.label)}
          value={stageLabel(form.stage)}
          placeholder='请选择'
          onChange={(label) => set('stage')(options.stages.find((s) => s.label === label)?.code ?? form.stage)}
        />
        {customer && form.stage === 'visit' && customer.stage !== 'visit' ? (
          <Text className='muted customer-edit__hint' id='visit-hint'>
            移入「{stageLabel('visit')}」后，负责人会立即收到待拜访提醒
          </Text>
        ) : null}
        {options.grades?.length ? (
          <SelectField
            name='grade'
            label={L.grade}
            error={errors.grade}
            options={[UNGRADED, ...options.grades.map((g) => `${g} 级`)]}
            value={form.grade ? `${form.grade} 级` : ''}
            placeholder={UNGRADED}
            onChange={(label) => set('grade')(label === UNGRADED ? '' : label.replace(/ 级$/, ''))}
          />
        ) : null}
        {text('contactName', '如：王主任')}
        {text('contactPhone', '手机或座机')}
        {text('city', '如：杭州市')}
        {text('address', '街道门牌')}
        <Field name='notes' label={L.notes} error={errors.notes}>
          <Textarea id='notes' className='textarea' value={form.notes} maxlength={500} placeholder='选填' onInput={(e) => set('notes')(e.detail.value)} />
        </Field>
      </View>

      {members.length && (needsOwner || customer) ? (
        <View className='card customer-edit__section' id='owner-section'>
          <SelectField
            name='ownerId'
            label={customer ? '改派负责人' : L.ownerId}
            required={needsOwner}
            error={errors.ownerId}
            options={members.map(memberLabel)}
            value={members.find((m) => m.id === ownerId) ? memberLabel(members.find((m) => m.id === ownerId)!) : ''}
            placeholder='请选择负责人'
            onChange={(label) => {
              setOwnerId(members.find((m) => memberLabel(m) === label)?.id ?? 0)
              setErrors((e) => ({ ...e, ownerId: '' }))
            }}
          />
        </View>
      ) : null}

      {message ? (
        <Text className='state--error' id='save-error'>
          {message}
        </Text>
      ) : null}
      <View className='row customer-edit__actions'>
        <Button id='cancel' className='btn' onClick={() => void (customer ? backOr('customer', { id: customer.id }) : backOr('customers'))}>
          取消
        </Button>
        <Button id='save-customer' className='btn btn--primary' disabled={saving} onClick={() => void save()}>
          {saving ? '保存中…' : customer ? '保存' : '创建客户'}
        </Button>
      </View>
    </View>
  )
}
