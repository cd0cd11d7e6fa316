import { useEffect, useRef, useState } from 'react'
import { Button, Text, Textarea, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { makeFirstTouchSchema, validate } from '@anchor/shared'
import { api, errorMessage, isApiError } from '../../../api/client'
import { loadOptions, useTeamTimeZone } from '../../../api/options'
import type { Customer, Options } from '../../../api/types'
import { Field, SelectField } from '../../../components/field'
import { PhotoPicker } from '../../../components/photo-picker'
import { formatInstant, newIdempotencyKey } from '../../../utils/time'
import { PageLoading } from '../../../components/load-state'
import { PrivacySheet } from '../../../components/privacy-sheet'
import './index.css'

/** 首次触达: how the rep reached a new lead, what the customer said, and proof (a screenshot or the chat text). */
export default function FirstTouchPage() {
  useTeamTimeZone()
  const router = useRouter()
  const customerId = Number(router.params.customerId)
  const [options, setOptions] = useState<Options | null>(null)
  const [customer, setCustomer] = useState<Customer | null>(null)
  const [loadError, setLoadError] = useState('')
  const [method, setMethod] = useState('')
  const [verbatim, setVerbatim] = useState('')
  const [evidenceText, setEvidenceText] = useState('')
  const [photoIds, setPhotoIds] = useState<number[]>([])
  const [photosBusy, setPhotosBusy] = useState(false)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState('')
  const [submitting, setSubmitting] = useState(false)
  const keyRef = useRef(newIdempotencyKey())

  const load = () => {
    setLoadError('')
    Promise.all([loadOptions(), api.get<Customer>(`/customers/${customerId}`)])
      .then(([o, c]) => {
        setOptions(o)
        setCustomer(c)
        setMethod((m) => m || o.firstTouchMethods[0] || '')
      })
      .catch((e) => setLoadError(errorMessage(e)))
  }
  useEffect(load, [customerId])

  const clear = (...keys: string[]) =>
    setErrors((e) => {
      const next = { ...e }
      for (const key of keys) delete next[key]
      return next
    })

  // the banner goes once every highlighted field is fixed
  useEffect(() => {
    if (!Object.keys(errors).length) setFormError('')
  }, [errors])

  const submit = async () => {
    if (!options || submitting) return
    if (photosBusy) {
      setFormError('截图还在上传，请稍候再提交')
      return
    }
    const raw = {
      method: method || undefined,
      verbatim,
      ...(evidenceText.trim() ? { evidenceText } : {}),
      ...(photoIds[0] ? { evidencePhotoId: photoIds[0] } : {}),
    }
    const checked = validate(makeFirstTouchSchema(options), raw)
    if (!checked.ok) {
      setErrors(checked.fields)
      setFormError('请补全首次触达记录')
      return
    }
    setErrors({})
    setFormError('')
    setSubmitting(true)
    try {
      await api.post(`/customers/${customerId}/first-touch`, checked.data, { 'Idempotency-Key': keyRef.current })
      void Taro.showToast({ title: '首次触达已记录', icon: 'success' })
      setTimeout(() => {
        if (Taro.getCurrentPages().length > 1) void Taro.navigateBack()
        else void Taro.redirectTo({ url: `/pages/customer/index?id=${customerId}` })
      }, 600)
    } catch (e) {
      if (isApiError(e) && Object.keys(e.fields).length) setErrors(e.fields)
      setFormError(errorMessage(e))
    } finally {
      setSubmitting(false)
    }
  }

  if (!customerId) return <View className='page state state--error'>缺少客户编号，请从客户详情进入</View>
  if (!options || !customer) return <PageLoading errorId='first-touch-load-error' error={loadError} onRetry={load} />

  const dueAt = customer.firstTouchDueAt ? new Date(customer.firstTouchDueAt) : null
  const late = !!dueAt && dueAt.getTime() < Date.now()

  return (
    <View className='page first-touch'>
      <PrivacySheet />
      {formError ? (
        <Text id='first-touch-error' className='message-error'>
          {formError}
        </Text>
      ) : null}
      <View className='card'>
        <Text className='first-touch__name'>{customer.name}</Text>
        {customer.firstTouchAt ? (
          <Text className='muted first-touch__due'>已于 {formatInstant(customer.firstTouchAt, true)} 完成首次触达</Text>
        ) : dueAt ? (
          <Text className={`muted first-touch__due ${late ? 'first-touch__due--late' : ''}`}>
            {late ? '已超时' : '请在此前完成'}: {formatInstant(customer.firstTouchDueAt!, true)}
          </Text>
        ) : null}

        <SelectField
          name='method'
          label='触达方式'
          required
          error={errors.method}
          options={options.firstTouchMethods}
          value={method}
          placeholder='电话、微信还是上门'
          onChange={(v) => {
            setMethod(v)
            clear('method')
          }}
        />

        <Field name='verbatim' label='客户原话反应' required error={errors.verbatim}>
          <Textarea
            id='verbatim'
            className='textarea'
            maxlength={300}
            placeholder='客户听完后怎么说的，尽量用原话'
            value={verbatim}
            onInput={(e) => {
              setVerbatim(e.detail.value)
              clear('verbatim')
            }}
          />
        </Field>

        <Field name='evidencePhotoId' label='凭证截图' error={errors.evidencePhotoId}>
          <PhotoPicker
            id='evidence-photo'
            max={1}
            addLabel='上传截图'
            onChange={(ids, busy) => {
              setPhotoIds(ids)
              setPhotosBusy(busy)
              if (ids.length) clear('evidenceText', 'evidencePhotoId')
            }}
          />
        </Field>

        <Field name='evidenceText' label='或粘贴聊天记录' error={errors.evidenceText}>
          <Textarea
            id='evidenceText'
            className='textarea textarea--short'
            maxlength={1000}
            placeholder='没有截图时，粘贴聊天记录作为凭证'
            value={evidenceText}
            onInput={(e) => {
              setEvidenceText(e.detail.value)
              clear('evidenceText')
            }}
          />
        </Field>
      </View>

      <Button id='submit-first-touch' className='btn btn--primary btn--block first-touch__submit' disabled={submitting || !!customer.firstTouchAt} onClick={() => void submit()}>
        {submitting ? '提交中…' : '提交首次触达'}
      </Button>
    </View>
  )
}
