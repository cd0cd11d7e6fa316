import { useEffect, useRef, useState } from 'react'
import { Button, Input, Switch, Text, Textarea, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import {
  ACTION_NOT_CLOSED_MESSAGE,
  DEFAULT_ANCHOR_RULES,
  DEFAULT_CUSTOMER_FEEDBACK,
  MAX_VISIT_PHOTOS,
  OTHER_ACTION,
  VISIT_FIELD_LABELS,
  VISIT_TEXT_MAX,
  checkVisit,
  makeVisitSchema,
  textLength,
  type VisitBody,
  type VisitTextAnchor,
} from '@anchor/shared'
import { api, errorMessage, isApiError, isServiceUnavailable, SERVICE_UNAVAILABLE_MESSAGE } from '../../api/client'
import { useRequest } from '../../api/use-request'
import { loadOptions } from '../../api/options'
import { askReminderConsent } from '../../api/subscribe'
import type { Customer, Options } from '../../api/types'
import { enqueueVisit, retryQueueLater, sendVisit } from '../../api/visit-queue'
import { DatePickerBox, TimePickerBox } from '../../components/date-time-pickers'
import { Field, SelectField } from '../../components/field'
import { PhotoPicker } from '../../components/photo-picker'
import { PlaySuggestions } from '../../components/play-suggestions'
import { backOr } from '../../utils/nav'
import { newIdempotencyKey, teamTimeZone } from '../../utils/time'
import { EMPTY_VISIT, MORE_FIELDS, toRawVisit, type VisitForm } from './visit-form'
import { VoicePanel } from './voice-panel'
import { PageLoading } from '../../components/load-state'
import { PrivacySheet } from '../../components/privacy-sheet'
import { VisitSignin } from '../../components/signin-panel'
import './index.css'

type Errors = Record<string, string>

/** The customer id from the app (customerId) or from a scanned customer code (scene c=<id>). */
function customerIdOf(params: Record<string, string | undefined>): number {
  return Number(params.customerId ?? /(?:^|&)c=(\d+)/.exec(decodeURIComponent(params.scene ?? ''))?.[1])
}

export default function VisitPage() {
  const router = useRouter()
  const customerId = customerIdOf(router.params)
  const [options, setOptions] = useState<Options | null>(null)
  const [loadError, setLoadError] = useState('')
  const [form, setForm] = useState<VisitForm>(EMPTY_VISIT)
  const [errors, setErrors] = useState<Errors>({})
  const [formError, setFormError] = useState('')
  const [showMore, setShowMore] = useState(false)
  const [submitting, setSubmitting] = useState(false)
  const [photoIds, setPhotoIds] = useState<number[]>([])
  const [photosBusy, setPhotosBusy] = useState(false)
  // today's sign-in at this customer, linked to the visit (外勤签到)
  const [signinId, setSigninId] = useState<number | null>(null)
  // 赢单打法: the play whose value point the rep copied (and for which bottleneck); sent with the visit only then
  const [copied, setCopied] = useState<{ key: string; bottleneck: string } | null>(null)
  const keyRef = useRef(newIdempotencyKey())
  // the form names whose visit it is: a rep who scanned a code sees which customer the code was for
  const customer = useRequest(() => api.get<Customer>(`/customers/${customerId}`), [customerId])
  useEffect(() => {
    if (customer.data) void Taro.setNavigationBarTitle({ title: `拜访 · ${customer.data.name}` }).catch(() => undefined)
  }, [customer.data])

  const fetchOptions = () => {
    setLoadError('')
    loadOptions()
      .then(setOptions)
      .catch((e) => setLoadError(errorMessage(e)))
  }

  useEffect(fetchOptions, [])

  const clearErrors = (keys: string[]) =>
    setErrors((e) => {
      const next = { ...e }
      for (const key of keys) delete next[key]
      if (keys.includes('agreedAction')) delete next.agreedActionNote
      // the date error also carries "必须晚于现在", which a new time can fix
      if (keys.includes('nextFollowUpDate') || keys.includes('nextFollowUpTime')) {
        delete next.nextFollowUpDate
        delete next.nextFollowUpTime
      }
      return next
    })

  const set = <K extends keyof VisitForm>(key: K, value: VisitForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }))
    clearErrors([key])
  }

  const fill = (patch: Partial<VisitForm>) => {
    setForm((f) => ({ ...f, ...patch }))
    clearErrors(Object.keys(patch))
  }

  const horizonDays = options?.limits?.nextFollowUpHorizonDays ?? 30

  const showErrors = (fields: Errors, message = ACTION_NOT_CLOSED_MESSAGE) => {
    setErrors(fields)
    setFormError(message)
    if (Object.keys(fields).some((k) => MORE_FIELDS.includes(k))) setShowMore(true)
    Taro.pageScrollTo({ scrollTop: 0, duration: 200 }).catch(() => undefined)
  }

  const backToCustomer = () => void backOr('customer', { id: customerId })

  const submit = async () => {
    if (!options || submitting) return
    if (photosBusy) {
      setFormError('照片还在上传，请稍候再提交')
      return
    }
    const playKey = copied && copied.bottleneck === form.bottleneck ? copied.key : null
    const checked = checkVisit(makeVisitSchema(options), { ...toRawVisit(form, customerId, photoIds), ...(signinId ? { signinId } : {}), ...(playKey ? { playKey } : {}) }, {
      now: () => new Date(),
      timeZone: teamTimeZone(),
      horizonDays,
    })
    if (!checked.ok) {
      showErrors(checked.fields)
      return
    }
    const { photoIds: checkedPhotos, ...rest } = checked.data
    // savedAt: the moment the rep pressed save, kept if the visit waits offline and goes later
    const body: VisitBody = { ...rest, ...(checkedPhotos && checkedPhotos.length ? { photoIds: checkedPhotos } : {}), savedAt: new Date().toISOString() }

    setErrors({})
    setFormError('')
    setSubmitting(true)
    // Still inside the tap: WeChat only opens the consent dialog from a user gesture.
    await askReminderConsent(options.reminderTemplateId)
    const key = keyRef.current
    try {
      await sendVisit(key, body)
      void Taro.showToast({ title: '拜访已提交', icon: 'success' })
      setTimeout(backToCustomer, 600)
    } catch (e) {
      if (isApiError(e) && e.code === 'NETWORK') {
        enqueueVisit(key, body)
        void Taro.showToast({ title: '网络不可用，已保存待同步', icon: 'none' })
        setTimeout(backToCustomer, 800)
        return
      }
      // The server is up but its database is not: the visit waits here, as offline, and goes by itself later.
      if (isServiceUnavailable(e)) {
        enqueueVisit(key, body)
        retryQueueLater(e.retryAfter)
        void Taro.showToast({ title: `${SERVICE_UNAVAILABLE_MESSAGE}，已保存待同步`, icon: 'none', duration: 3000 })
        setTimeout(backToCustomer, 1500)
        return
      }
      if (isApiError(e) && e.fields && Object.keys(e.fields).length) showErrors(e.fields, e.message || ACTION_NOT_CLOSED_MESSAGE)
      else setFormError(errorMessage(e))
    } finally {
      setSubmitting(false)
    }
  }

  if (!customerId) {
    return <View className='page state state--error'>缺少客户编号，请从客户详情进入</View>
  }
  if (!options) return <PageLoading errorId='visit-load-error' error={loadError} onRetry={fetchOptions} />

  const L = VISIT_FIELD_LABELS
  // the same rules the server applies, from policy through GET /options
  const anchors = options.anchors ?? DEFAULT_ANCHOR_RULES
  const count = (field: VisitTextAnchor) => ({ length: textLength(form[field]), max: VISIT_TEXT_MAX[field], min: anchors.minLength[field] })

  return (
    <View className='page visit'>
      <PrivacySheet />
      <View className='row visit__head'>
        <Button id='visit-back' className='btn btn--small' onClick={backToCustomer}>
          ‹ 返回
        </Button>
        <Text className='visit__customer' id='visit-customer-name'>
          {customer.data?.name ?? (customer.loading ? '' : '客户')}
        </Text>
      </View>
      {formError ? (
        <Text id='visit-error' className='message-error'>
          {formError}
        </Text>
      ) : null}

      <View className='card'>
        <VisitSignin customerId={customerId} value={signinId} onChange={(id) => (setSigninId(id), clearErrors(['signinId']))} error={errors.signinId} />
      </View>

      <VoicePanel options={options} onFill={fill} />

      <View className='card'>
        <SelectField
          name='objective'
          label={L.objective}
          required
          error={errors.objective}
          options={options.visitObjectives}
          value={form.objective}
          onChange={(v) => set('objective', v)}
        />

        <Field name='painPoint' label={L.painPoint} required error={errors.painPoint} count={count('painPoint')}>
          <Textarea
            id='painPoint'
            className='textarea textarea--short'
            maxlength={VISIT_TEXT_MAX.painPoint}
            placeholder='客户最痛的问题是什么'
            value={form.painPoint}
            onInput={(e) => set('painPoint', e.detail.value)}
          />
        </Field>

        <Field name='dialogueSummary' label={L.dialogueSummary} required error={errors.dialogueSummary} count={count('dialogueSummary')}>
          <Textarea
            id='dialogueSummary'
            className='textarea'
            maxlength={VISIT_TEXT_MAX.dialogueSummary}
            placeholder='双方说了什么关键内容'
            value={form.dialogueSummary}
            onInput={(e) => set('dialogueSummary', e.detail.value)}
          />
        </Field>

        <SelectField
          name='bottleneck'
          label={L.bottleneck}
          required
          error={errors.bottleneck}
          options={options.bottlenecks}
          value={form.bottleneck}
          onChange={(v) => set('bottleneck', v)}
        />
        {/* what worked before for this bottleneck: shown, copied only by the rep's tap, never filled in */}
        <PlaySuggestions
          bottleneck={form.bottleneck}
          objective={form.objective}
          customerId={customerId}
          copiedKey={copied && copied.bottleneck === form.bottleneck ? copied.key : null}
          onCopy={(play) => {
            set('valuePoint', play.valuePoint.slice(0, VISIT_TEXT_MAX.valuePoint))
            setCopied({ key: play.key, bottleneck: play.bottleneck })
          }}
        />

        <Field name='valuePoint' label={L.valuePoint} required error={errors.valuePoint} count={count('valuePoint')}>
          <Input
            id='valuePoint'
            className='input'
            maxlength={VISIT_TEXT_MAX.valuePoint}
            placeholder='我们给客户带来了什么'
            value={form.valuePoint}
            onInput={(e) => set('valuePoint', e.detail.value)}
          />
        </Field>

        {/* optional, one tap (tap again to clear): nothing is chosen for the rep */}
        <Field name='customerFeedback' label={`${L.customerFeedback}（选填）`} error={errors.customerFeedback}>
          <View className='row visit__feedback' id='customerFeedback'>
            {(options.customerFeedback ?? DEFAULT_CUSTOMER_FEEDBACK).map((choice) => (
              <View
                key={choice}
                id={`feedback-${choice}`}
                className={`chip visit__feedback-chip ${form.customerFeedback === choice ? 'chip--on' : ''}`}
                onClick={() => set('customerFeedback', form.customerFeedback === choice ? '' : choice)}
              >
                {choice}
              </View>
            ))}
          </View>
        </Field>
      </View>

      <View className='card'>
        <SelectField
          name='agreedAction'
          label={L.agreedAction}
          required
          error={errors.agreedAction}
          options={options.agreedActions}
          value={form.agreedAction}
          onChange={(v) => set('agreedAction', v)}
        />

        {form.agreedAction === OTHER_ACTION ? (
          <Field
            name='agreedActionNote'
            label={L.agreedActionNote}
            required
            error={errors.agreedActionNote}
            count={{ length: textLength(form.agreedActionNote), max: VISIT_TEXT_MAX.agreedActionNote }}
          >
            <Input
              id='agreedActionNote'
              className='input'
              maxlength={VISIT_TEXT_MAX.agreedActionNote}
              placeholder='约定了什么'
              value={form.agreedActionNote}
              onInput={(e) => set('agreedActionNote', e.detail.value)}
            />
          </Field>
        ) : null}

        <Text className='field__label'>
          下次跟进<Text className='field__required'> *</Text>
        </Text>
        <View className='row visit__next'>
          <Field name='nextFollowUpDate' className='visit__next-date' error={errors.nextFollowUpDate}>
            <DatePickerBox id='nextFollowUpDate' value={form.nextFollowUpDate} horizonDays={horizonDays} onChange={(v) => set('nextFollowUpDate', v)} />
          </Field>
          <View className='gap' />
          <Field name='nextFollowUpTime' className='visit__next-time' error={errors.nextFollowUpTime}>
            <TimePickerBox id='nextFollowUpTime' value={form.nextFollowUpTime} onChange={(v) => set('nextFollowUpTime', v)} />
          </Field>
        </View>
        <SelectField
          name='nextFollowUpForm'
          error={errors.nextFollowUpForm}
          options={options.followUpForms}
          value={form.nextFollowUpForm}
          placeholder='请选择跟进形式'
          display={(v) => `${L.nextFollowUpForm}：${v}`}
          onChange={(v) => set('nextFollowUpForm', v)}
        />

        <Field name='photoIds' label={`${L.photoIds}（选填）`} error={errors.photoIds}>
          <PhotoPicker
            id='visit-photo'
            max={MAX_VISIT_PHOTOS}
            onChange={(ids, busy) => {
              setPhotoIds(ids)
              setPhotosBusy(busy)
            }}
          />
        </Field>
      </View>

      <View id='more-toggle' className='visit__more-toggle' onClick={() => setShowMore(!showMore)}>
        <Text className='visit__more-label'>{showMore ? '收起 ▴' : '更多 ▾'}</Text>
        <Text className='muted'> 预警标记、客户原话（选填）</Text>
      </View>

      {showMore ? (
        <View className='card visit__more'>
          <Field name='alert' label={L.alert} error={errors.alert}>
            <View className='row row--between visit__switch'>
              <Text className='muted'>客户有流失或投诉风险时打开</Text>
              <Switch id='alert' checked={form.alert} color='#fa2c19' onChange={(e) => set('alert', !!e.detail.value)} />
            </View>
          </Field>

          <Field
            name='customerVerbatim'
            label={L.customerVerbatim}
            error={errors.customerVerbatim}
            count={{ length: textLength(form.customerVerbatim), max: VISIT_TEXT_MAX.customerVerbatim }}
          >
            <Textarea
              id='customerVerbatim'
              className='textarea textarea--short'
              maxlength={VISIT_TEXT_MAX.customerVerbatim}
              placeholder='选填：客户的原话'
              value={form.customerVerbatim}
              onInput={(e) => set('customerVerbatim', e.detail.value)}
            />
          </Field>
        </View>
      ) : null}

      <Button id='submit-visit' className='btn btn--primary btn--block visit__submit' disabled={submitting} onClick={() => void submit()}>
        {submitting ? '提交中…' : '提交拜访'}
      </Button>
    </View>
  )
}
