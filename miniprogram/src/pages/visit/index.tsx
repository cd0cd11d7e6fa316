import { useEffect, useRef, useState, type ReactNode } from 'react'
import { Button, Input, Picker, Switch, Text, Textarea, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import {
  ACTION_NOT_CLOSED_MESSAGE,
  OTHER_ACTION,
  VISIT_FIELD_LABELS,
  checkVisit,
  makeVisitSchema,
  parseVoiceNote,
} from '@anchor/shared'
import { errorMessage, isApiError } from '../../api/client'
import { loadOptions } from '../../api/options'
import type { Options, VisitBody } from '../../api/types'
import { enqueueVisit, sendVisit } from '../../api/visit-queue'
import { addDaysLocal, localParts, newIdempotencyKey, TEAM_TIME_ZONE, todayLocal } from '../../utils/time'
import './index.css'

interface Form {
  objective: string
  painPoint: string
  dialogueSummary: string
  bottleneck: string
  valuePoint: string
  agreedAction: string
  agreedActionNote: string
  nextFollowUpDate: string
  nextFollowUpTime: string
  nextFollowUpForm: string
  alert: boolean
  customerVerbatim: string
}

const EMPTY: Form = {
  objective: '',
  painPoint: '',
  dialogueSummary: '',
  bottleneck: '',
  valuePoint: '',
  agreedAction: '',
  agreedActionNote: '',
  nextFollowUpDate: '',
  nextFollowUpTime: '',
  nextFollowUpForm: '',
  alert: false,
  customerVerbatim: '',
}

/** Fields folded under 更多; an error in one of them unfolds it. */
const MORE_FIELDS = ['objective', 'dialogueSummary', 'bottleneck', 'valuePoint', 'alert', 'customerVerbatim']

type Errors = Record<string, string>

interface SpeechRecognitionLike {
  lang: string
  interimResults: boolean
  continuous: boolean
  start(): void
  stop(): void
  onresult: ((event: { results: ArrayLike<ArrayLike<{ transcript: string }>> }) => void) | null
  onerror: ((event: { error?: string }) => void) | null
  onend: (() => void) | null
}
type SpeechRecognitionCtor = new () => SpeechRecognitionLike

function speechRecognition(): SpeechRecognitionCtor | null {
  if (process.env.TARO_ENV !== 'h5' || typeof window === 'undefined') return null
  const w = window as unknown as { webkitSpeechRecognition?: SpeechRecognitionCtor; SpeechRecognition?: SpeechRecognitionCtor }
  return w.webkitSpeechRecognition ?? null
}

function Field(props: { name: string; label?: string; required?: boolean; error?: string; className?: string; children: ReactNode }) {
  return (
    <View id={`field-${props.name}`} className={`field ${props.className ?? ''} ${props.error ? 'field-error' : ''}`}>
      {props.label ? (
        <Text className='field__label'>
          {props.label}
          {props.required ? <Text className='field__required'> *</Text> : null}
        </Text>
      ) : null}
      {props.children}
      {props.error ? <Text className='field__message'>{props.error}</Text> : null}
    </View>
  )
}

function PickerBox(props: { value: string; placeholder: string }) {
  return <View className={`picker-box ${props.value ? '' : 'picker-box--empty'}`}>{props.value || props.placeholder}</View>
}

export default function VisitPage() {
  const router = useRouter()
  // Opened from the app (customerId) or by scanning a customer's mini-program code (scene c=<id>).
  const customerId = Number(router.params.customerId ?? /(?:^|&)c=(\d+)/.exec(decodeURIComponent(router.params.scene ?? ''))?.[1])
  const [options, setOptions] = useState<Options | null>(null)
  const [loadError, setLoadError] = useState('')
  const [form, setForm] = useState<Form>(EMPTY)
  const [errors, setErrors] = useState<Errors>({})
  const [formError, setFormError] = useState('')
  const [showMore, setShowMore] = useState(false)
  const [submitting, setSubmitting] = useState(false)
  const [voiceText, setVoiceText] = useState('')
  const [voiceResult, setVoiceResult] = useState('')
  const [recording, setRecording] = useState(false)
  const [canRecord, setCanRecord] = useState(false)
  const keyRef = useRef(newIdempotencyKey())
  const recognizer = useRef<SpeechRecognitionLike | null>(null)

  const fetchOptions = () => {
    setLoadError('')
    loadOptions()
      .then((o) => {
        setOptions(o)
        setForm((f) => ({
          ...f,
          objective: f.objective || o.visitObjectives[0] || '',
          bottleneck: f.bottleneck || o.bottlenecks[0] || '',
          agreedAction: f.agreedAction || o.agreedActions[0] || '',
          nextFollowUpForm: f.nextFollowUpForm || o.followUpForms[0] || '',
        }))
      })
      .catch((e) => setLoadError(errorMessage(e)))
  }

  useEffect(() => {
    fetchOptions()
    setCanRecord(!!speechRecognition())
    return () => recognizer.current?.stop()
  }, [])

  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    setForm((f) => ({ ...f, [key]: value }))
    setErrors((e) => {
      const next = { ...e }
      delete next[key]
      if (key === 'agreedAction') delete next.agreedActionNote
      // the date error also carries "必须晚于现在", which a new time can fix
      if (key === 'nextFollowUpDate' || key === 'nextFollowUpTime') {
        delete next.nextFollowUpDate
        delete next.nextFollowUpTime
      }
      return next
    })
  }

  const horizonDays = options?.limits?.nextFollowUpHorizonDays ?? 30

  // ─── voice ───────────────────────────────────────────────────────────────────────────────
  const parseVoice = () => {
    const text = voiceText.trim()
    if (!text) {
      setVoiceResult('请先输入或说出拜访内容')
      return
    }
    const note = parseVoiceNote(text, {
      now: new Date(),
      timeZone: TEAM_TIME_ZONE,
      ...(options ? { agreedActions: options.agreedActions, followUpForms: options.followUpForms } : {}),
    })
    const filled: string[] = []
    const patch: Partial<Form> = {}
    if (note.painPoint) {
      patch.painPoint = note.painPoint
      filled.push(VISIT_FIELD_LABELS.painPoint)
    }
    if (note.agreedAction && (!options || options.agreedActions.includes(note.agreedAction))) {
      patch.agreedAction = note.agreedAction
      filled.push(VISIT_FIELD_LABELS.agreedAction)
    }
    if (note.nextFollowUpAt) {
      const { date, time } = localParts(note.nextFollowUpAt)
      patch.nextFollowUpDate = date
      patch.nextFollowUpTime = time
      filled.push(`${VISIT_FIELD_LABELS.nextFollowUpDate} ${date} ${time}${note.hasTime ? '' : ' (未说时间, 默认)'}`)
    }
    if (note.form && (!options || options.followUpForms.includes(note.form))) {
      patch.nextFollowUpForm = note.form
      filled.push(VISIT_FIELD_LABELS.nextFollowUpForm)
    }
    if (!filled.length) {
      setVoiceResult('没有识别出可填写的内容, 请手动填写')
      return
    }
    setForm((f) => ({ ...f, ...patch }))
    setErrors((e) => {
      const next = { ...e }
      for (const key of Object.keys(patch)) delete next[key]
      return next
    })
    setVoiceResult(`已填入: ${filled.join('、')}。请核对后再提交`)
  }

  const toggleRecord = () => {
    if (recording) {
      recognizer.current?.stop()
      return
    }
    const Ctor = speechRecognition()
    if (!Ctor) return
    try {
      const rec = new Ctor()
      rec.lang = 'zh-CN'
      rec.interimResults = false
      rec.continuous = false
      rec.onresult = (event) => {
        let heard = ''
        for (let i = 0; i < event.results.length; i++) heard += event.results[i]![0]!.transcript
        if (heard) setVoiceText((t) => (t ? `${t}，${heard}` : heard))
      }
      rec.onerror = (event) => {
        setVoiceResult(event.error === 'not-allowed' ? '没有麦克风权限, 请在浏览器设置中允许' : '语音识别失败, 请重试或直接输入文字')
      }
      rec.onend = () => setRecording(false)
      recognizer.current = rec
      rec.start()
      setRecording(true)
      setVoiceResult('正在听…说完后点「停止」')
    } catch {
      setRecording(false)
      setVoiceResult('无法启动语音识别, 请直接输入文字')
    }
  }

  // ─── submit ──────────────────────────────────────────────────────────────────────────────
  const showErrors = (fields: Errors, message = ACTION_NOT_CLOSED_MESSAGE) => {
    setErrors(fields)
    setFormError(message)
    if (Object.keys(fields).some((k) => MORE_FIELDS.includes(k))) setShowMore(true)
    Taro.pageScrollTo({ scrollTop: 0, duration: 200 }).catch(() => undefined)
  }

  const backToCustomer = () => {
    const pages = Taro.getCurrentPages()
    if (pages.length > 1) void Taro.navigateBack()
    else void Taro.redirectTo({ url: `/pages/customer/index?id=${customerId}` })
  }

  const submit = async () => {
    if (!options || submitting) return
    const raw: Record<string, unknown> = {
      customerId,
      objective: form.objective || undefined,
      painPoint: form.painPoint,
      dialogueSummary: form.dialogueSummary,
      bottleneck: form.bottleneck || undefined,
      valuePoint: form.valuePoint,
      agreedAction: form.agreedAction || undefined,
      nextFollowUpDate: form.nextFollowUpDate || undefined,
      nextFollowUpTime: form.nextFollowUpTime || undefined,
      nextFollowUpForm: form.nextFollowUpForm || undefined,
      alert: form.alert,
    }
    if (form.agreedAction === OTHER_ACTION) raw.agreedActionNote = form.agreedActionNote
    if (form.customerVerbatim.trim()) raw.customerVerbatim = form.customerVerbatim

    const checked = checkVisit(makeVisitSchema(options), raw, { now: () => new Date(), timeZone: TEAM_TIME_ZONE, horizonDays })
    if (!checked.ok) {
      showErrors(checked.fields)
      return
    }
    const { photoIds, ...rest } = checked.data
    const body: VisitBody = { ...rest, ...(photoIds && photoIds.length ? { photoIds } : {}) }

    setErrors({})
    setFormError('')
    setSubmitting(true)
    const key = keyRef.current
    try {
      await sendVisit(key, body)
      void Taro.showToast({ title: '拜访已提交', icon: 'success' })
      setTimeout(backToCustomer, 600)
    } catch (e) {
      if (isApiError(e) && e.code === 'NETWORK') {
        enqueueVisit(key, body)
        void Taro.showToast({ title: '网络不可用, 已保存待同步', icon: 'none' })
        setTimeout(backToCustomer, 800)
        return
      }
      if (isApiError(e) && e.fields && Object.keys(e.fields).length) showErrors(e.fields, e.message || ACTION_NOT_CLOSED_MESSAGE)
      else setFormError(errorMessage(e))
    } finally {
      setSubmitting(false)
    }
  }

  // ─── render ──────────────────────────────────────────────────────────────────────────────
  if (!customerId) {
    return <View className='page state state--error'>缺少客户编号, 请从客户详情进入</View>
  }
  if (!options) {
    return (
      <View className='page'>
        {loadError ? (
          <View className='state state--error' id='visit-load-error'>
            <Text>{loadError}</Text>
            <View className='gap' />
            <Button className='btn btn--small' onClick={fetchOptions}>
              重试
            </Button>
          </View>
        ) : (
          <View className='state'>加载中…</View>
        )}
      </View>
    )
  }

  const today = todayLocal()
  const lastDay = addDaysLocal(horizonDays)
  const indexOf = (list: string[], value: string) => Math.max(0, list.indexOf(value))
  const L = VISIT_FIELD_LABELS

  return (
    <View className='page visit'>
      {formError ? (
        <Text id='visit-error' className='message-error'>
          {formError}
        </Text>
      ) : null}

      <View className='card visit__voice'>
        <Text className='field__label'>语音速记 (说一句, 自动填写)</Text>
        <Textarea
          id='voice-text'
          className='textarea textarea--short'
          maxlength={2000}
          placeholder='例: 王总说安装太慢, 下周二上午十点上门演示新方案'
          value={voiceText}
          onInput={(e) => setVoiceText(e.detail.value)}
        />
        <View className='row visit__voice-actions'>
          {canRecord ? (
            <Button id='voice-record' className={`btn btn--small ${recording ? 'btn--primary' : ''}`} onClick={toggleRecord}>
              {recording ? '停止' : '🎤 说话'}
            </Button>
          ) : null}
          {canRecord ? <View className='gap' /> : null}
          <Button id='voice-parse' className='btn btn--small' onClick={parseVoice}>
            识别
          </Button>
        </View>
        {voiceResult ? (
          <Text id='voice-result' className='muted visit__voice-result'>
            {voiceResult}
          </Text>
        ) : null}
      </View>

      <View className='card'>
        <Field name='painPoint' label={L.painPoint} required error={errors.painPoint}>
          <Textarea
            id='painPoint'
            className='textarea'
            maxlength={200}
            placeholder='客户最痛的问题是什么'
            value={form.painPoint}
            onInput={(e) => set('painPoint', e.detail.value)}
          />
        </Field>

        <Field name='agreedAction' label={L.agreedAction} required error={errors.agreedAction}>
          <Picker
            id='agreedAction'
            mode='selector'
            range={options.agreedActions}
            value={indexOf(options.agreedActions, form.agreedAction)}
            onChange={(e) => set('agreedAction', options.agreedActions[Number(e.detail.value)] ?? '')}
          >
            <PickerBox value={form.agreedAction} placeholder='请选择约定动作' />
          </Picker>
        </Field>

        {form.agreedAction === OTHER_ACTION ? (
          <Field name='agreedActionNote' label={L.agreedActionNote} required error={errors.agreedActionNote}>
            <Input
              id='agreedActionNote'
              className='input'
              maxlength={100}
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
            <Picker
              id='nextFollowUpDate'
              mode='date'
              start={today}
              end={lastDay}
              value={form.nextFollowUpDate || today}
              onChange={(e) => set('nextFollowUpDate', String(e.detail.value))}
            >
              <PickerBox value={form.nextFollowUpDate} placeholder='选择日期' />
            </Picker>
          </Field>
          <View className='gap' />
          <Field name='nextFollowUpTime' className='visit__next-time' error={errors.nextFollowUpTime}>
            <Picker
              id='nextFollowUpTime'
              mode='time'
              value={form.nextFollowUpTime || '10:00'}
              onChange={(e) => set('nextFollowUpTime', String(e.detail.value))}
            >
              <PickerBox value={form.nextFollowUpTime} placeholder='选择时间' />
            </Picker>
          </Field>
        </View>
        <Field name='nextFollowUpForm' error={errors.nextFollowUpForm}>
          <Picker
            id='nextFollowUpForm'
            mode='selector'
            range={options.followUpForms}
            value={indexOf(options.followUpForms, form.nextFollowUpForm)}
            onChange={(e) => set('nextFollowUpForm', options.followUpForms[Number(e.detail.value)] ?? '')}
          >
            <PickerBox value={form.nextFollowUpForm ? `${L.nextFollowUpForm}: ${form.nextFollowUpForm}` : ''} placeholder='选择跟进形式' />
          </Picker>
        </Field>
      </View>

      <View id='more-toggle' className='visit__more-toggle' onClick={() => setShowMore(!showMore)}>
        <Text>{showMore ? '收起 ▴' : '更多 ▾'}</Text>
        <Text className='muted'> 目标、关键对话、瓶颈、价值点 (对话摘要与价值点必填)</Text>
      </View>

      {showMore ? (
        <View className='card visit__more'>
          <Field name='objective' label={L.objective} required error={errors.objective}>
            <Picker
              id='objective'
              mode='selector'
              range={options.visitObjectives}
              value={indexOf(options.visitObjectives, form.objective)}
              onChange={(e) => set('objective', options.visitObjectives[Number(e.detail.value)] ?? '')}
            >
              <PickerBox value={form.objective} placeholder='请选择本次目标' />
            </Picker>
          </Field>

          <Field name='dialogueSummary' label={L.dialogueSummary} required error={errors.dialogueSummary}>
            <Textarea
              id='dialogueSummary'
              className='textarea'
              maxlength={300}
              placeholder='双方说了什么关键内容'
              value={form.dialogueSummary}
              onInput={(e) => set('dialogueSummary', e.detail.value)}
            />
          </Field>

          <Field name='bottleneck' label={L.bottleneck} required error={errors.bottleneck}>
            <Picker
              id='bottleneck'
              mode='selector'
              range={options.bottlenecks}
              value={indexOf(options.bottlenecks, form.bottleneck)}
              onChange={(e) => set('bottleneck', options.bottlenecks[Number(e.detail.value)] ?? '')}
            >
              <PickerBox value={form.bottleneck} placeholder='请选择' />
            </Picker>
          </Field>

          <Field name='valuePoint' label={L.valuePoint} required error={errors.valuePoint}>
            <Input
              id='valuePoint'
              className='input'
              maxlength={50}
              placeholder='我们给客户带来了什么'
              value={form.valuePoint}
              onInput={(e) => set('valuePoint', e.detail.value)}
            />
          </Field>

          <Field name='alert' label={L.alert} error={errors.alert}>
            <View className='row row--between visit__switch'>
              <Text className='muted'>客户有流失或投诉风险时打开</Text>
              <Switch id='alert' checked={form.alert} color='#fa2c19' onChange={(e) => set('alert', !!e.detail.value)} />
            </View>
          </Field>

          <Field name='customerVerbatim' label={L.customerVerbatim} error={errors.customerVerbatim}>
            <Textarea
              id='customerVerbatim'
              className='textarea textarea--short'
              maxlength={300}
              placeholder='选填: 客户的原话'
              value={form.customerVerbatim}
              onInput={(e) => set('customerVerbatim', e.detail.value)}
            />
          </Field>
        </View>
      ) : null}

      <Button
        id='submit-visit'
        className='btn btn--primary btn--block visit__submit'
       
        disabled={submitting}
        onClick={() => void submit()}
      >
        {submitting ? '提交中…' : '提交拜访'}
      </Button>
    </View>
  )
}
