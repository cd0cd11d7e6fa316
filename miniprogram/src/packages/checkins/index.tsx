import { useEffect, useRef, useState } from 'react'
import { Button, Text, Textarea, View } from '@tarojs/components'
import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import { CHECKIN_STATE_LABELS, ROLE_LABELS, CHECKIN_TEXT_MAX, EVENING_TOP, can, type CheckinState, type CheckinTeam, type CheckinToday, type FollowUpState } from '@anchor/shared'
import { api, errorMessage, isApiError } from '../../api/client'
import { loadOptions, useTeamTimeZone } from '../../api/options'
import { getSession } from '../../api/session'
import { askReminderConsent } from '../../api/subscribe'
import type { Options } from '../../api/types'
import { Field, SelectField } from '../../components/field'
import { DatePickerBox, TimePickerBox } from '../../components/date-time-pickers'
import { NotFound, PageLoading } from '../../components/load-state'
import { StatusTag, type Tone } from '../../components/tag'
import { formatInstant } from '../../utils/time'
import { backOr } from '../../utils/nav'
import './index.css'

const TONES: Record<CheckinState, Tone> = { on_time: 'green', late: 'orange', missing: 'red', open: 'plain', not_open: 'plain', off: 'plain' }
/** A retried submit that had already landed (a bad network) answers 409: the page shows the stored check-in. */
const alreadyDone = (e: unknown) => isApiError(e) && e.code === 'CHECKIN_DONE'
const hm = (iso: string) => formatInstant(iso).slice(-5)

function StateTag(props: { state: CheckinState; id?: string }) {
  return (
    <View id={props.id} className='checkins__state'>
      <StatusTag tone={TONES[props.state]}>{CHECKIN_STATE_LABELS[props.state]}</StatusTag>
    </View>
  )
}

/** 补设跟进: the agreed action and the next follow-up of one customer, set on the spot from the evening card. */
function FollowUpFix(props: { customer: FollowUpState; options: Options; onDone: () => void }) {
  const [action, setAction] = useState(props.options.agreedActions[0] ?? '')
  const [date, setDate] = useState('')
  const [time, setTime] = useState('10:00')
  const [form, setForm] = useState(props.options.followUpForms[0] ?? '')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const save = async () => {
    setBusy(true)
    try {
      await api.post('/checkins/follow-up', { customerId: props.customer.customerId, agreedAction: action, nextFollowUpDate: date, nextFollowUpTime: time, nextFollowUpForm: form })
      void Taro.showToast({ title: '已设定跟进', icon: 'success' })
      props.onDone()
    } catch (e) {
      setErrors(isApiError(e) && Object.keys(e.fields).length ? e.fields : { customerId: errorMessage(e) })
    } finally {
      setBusy(false)
    }
  }
  return (
    <View className='checkins__fix' id={`fix-${props.customer.customerId}`}>
      {errors.customerId ? <Text className='message-error'>{errors.customerId}</Text> : null}
      <SelectField name='agreedAction' label='约定动作' required error={errors.agreedAction} options={props.options.agreedActions} value={action} placeholder='选择约定动作' onChange={setAction} />
      <Field name='nextFollowUpDate' label='下次跟进' required error={errors.nextFollowUpDate ?? errors.nextFollowUpTime}>
        <View className='row checkins__when'>
          <DatePickerBox id={`fix-date-${props.customer.customerId}`} value={date} horizonDays={props.options.limits?.nextFollowUpHorizonDays ?? 90} onChange={setDate} />
          <TimePickerBox id={`fix-time-${props.customer.customerId}`} value={time} onChange={setTime} />
        </View>
      </Field>
      <SelectField name='nextFollowUpForm' label='跟进形式' required error={errors.nextFollowUpForm} options={props.options.followUpForms} value={form} placeholder='选择跟进形式' onChange={setForm} />
      <Button id={`fix-save-${props.customer.customerId}`} className='btn btn--primary btn--small' disabled={busy} onClick={() => void save()}>
        {busy ? '保存中…' : '保存跟进（同时设提醒）'}
      </Button>
    </View>
  )
}

/** One visit's check-in: what the visit recorded, confirmed in one tap or corrected (two). */
function VisitCheckin(props: { line: CheckinToday['visits'][number]; highlighted: boolean; today?: string; onDone: () => void }) {
  const { line } = props
  const [editing, setEditing] = useState(false)
  const [words, setWords] = useState(line.prefill.customerWords)
  const [action, setAction] = useState(line.prefill.promisedAction)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const done = line.checkin && line.checkin.status !== 'missing'
  const send = async (corrected: boolean) => {
    setBusy(true)
    setError('')
    try {
      await api.post('/checkins', { kind: 'visit', visitId: line.visitId, ...(corrected ? { customerWords: words, promisedAction: action } : {}) })
      void Taro.showToast({ title: '已打卡', icon: 'success' })
      props.onDone()
    } catch (e) {
      if (alreadyDone(e)) props.onDone()
      else setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }
  const answers = (line.checkin?.answers ?? {}) as { customerWords?: string; promisedAction?: string }
  return (
    <View className={`checkins__visit ${props.highlighted ? 'checkins__visit--on' : ''}`} id={`visit-checkin-${line.visitId}`}>
      <View className='row row--between'>
        <Text className='checkins__customer'>{line.customerName}</Text>
        <StateTag state={line.state} />
      </View>
      <Text className='muted checkins__hint'>
        {/* a visit from an earlier day (opened from its reminder) names its date */}
        拜访于 {props.today && formatInstant(line.submittedAt, true).startsWith(props.today) ? hm(line.submittedAt) : formatInstant(line.submittedAt)}，{hm(line.closes)} 前打卡为按时
      </Text>
      {done ? (
        <View className='checkins__answers'>
          <Text className='checkins__label'>客户原话</Text>
          <Text className='checkins__value'>{answers.customerWords}</Text>
          <Text className='checkins__label'>承诺的动作</Text>
          <Text className='checkins__value'>{answers.promisedAction}</Text>
        </View>
      ) : editing ? (
        <View>
          <Field name='customerWords' label='客户原话'>
            <Textarea id={`words-${line.visitId}`} className='textarea textarea--short' maxlength={CHECKIN_TEXT_MAX.customerWords} value={words} onInput={(e) => setWords(e.detail.value)} />
          </Field>
          <Field name='promisedAction' label='承诺的动作'>
            <Textarea id={`action-${line.visitId}`} className='textarea textarea--short' maxlength={CHECKIN_TEXT_MAX.promisedAction} value={action} onInput={(e) => setAction(e.detail.value)} />
          </Field>
          <Button id={`visit-save-${line.visitId}`} className='btn btn--primary btn--block' disabled={busy} onClick={() => void send(true)}>
            提交修改并打卡
          </Button>
        </View>
      ) : (
        <View>
          <View className='checkins__answers'>
            <Text className='checkins__label'>客户原话</Text>
            <Text className='checkins__value'>{line.prefill.customerWords || '（拜访未记录原话）'}</Text>
            <Text className='checkins__label'>承诺的动作</Text>
            <Text className='checkins__value'>{line.prefill.promisedAction}</Text>
          </View>
          <View className='row checkins__buttons'>
            <Button id={`visit-confirm-${line.visitId}`} className='btn btn--primary' disabled={busy} onClick={() => void send(false)}>
              无误，打卡
            </Button>
            <Button id={`visit-edit-${line.visitId}`} className='btn' onClick={() => setEditing(true)}>
              修改
            </Button>
          </View>
        </View>
      )}
      {error ? <Text className='message-error'>{error}</Text> : null}
    </View>
  )
}

function TeamDay(props: { team: CheckinTeam; onTeam?: (teamId: number) => void }) {
  const { team } = props
  const teams = team.teams ?? []
  return (
    <View className='card checkins__team' id='checkins-team'>
      {props.onTeam && teams.length > 1 ? (
        <View className='row checkins__teams' id='checkins-teams'>
          {teams.map((t) => (
            <View key={t.id} className={`chip ${t.id === team.teamId ? 'chip--on' : ''}`} data-team={t.id} onClick={() => props.onTeam!(t.id)}>
              {t.name}
            </View>
          ))}
        </View>
      ) : null}
      <View className='row row--between checkins__team-top'>
        <Text className='checkins__title checkins__title--keep'>{team.teamName && props.onTeam ? `${team.teamName} · 今日打卡` : '团队今日打卡'}</Text>
        <Text className='muted checkins__team-totals' id='team-totals'>
          已打卡 {team.totals.done} · 迟到 {team.totals.late} · 缺卡 {team.totals.missing} · 待打卡 {team.totals.open}
        </Text>
      </View>
      <View className='checkins__team-head row'>
        <Text className='checkins__team-name'>成员</Text>
        <Text className='checkins__team-cell'>早间</Text>
        <Text className='checkins__team-cell'>拜访后</Text>
        <Text className='checkins__team-cell'>晚间</Text>
      </View>
      {team.members.length === 0 ? <Text className='muted checkins__hint' id='team-empty'>这个团队还没有需要打卡的成员（销售代表、主管）</Text> : null}
      {team.members.map((m) => (
        <View key={m.memberId} className='row checkins__team-row' id={`team-member-${m.memberId}`}>
          <Text className='checkins__team-name'>{m.name}</Text>
          <View className='checkins__team-cell'><StateTag state={m.morning} /></View>
          <Text className='checkins__team-cell'>
            {m.visits.total ? `${m.visits.onTime + m.visits.late}/${m.visits.total}${m.visits.late ? ` 迟${m.visits.late}` : ''}${m.visits.missing ? ` 缺${m.visits.missing}` : ''}` : '—'}
          </Text>
          <View className='checkins__team-cell'><StateTag state={m.evening} /></View>
        </View>
      ))}
    </View>
  )
}

/**
 * 团队打卡 for a manager who does not check in (director, admin): the day of one team in reach, the
 * others a tap away. (Asking them for their own check-ins only answered 「不能每日打卡」.)
 */
function TeamOnlyPage() {
  useTeamTimeZone()
  const [team, setTeam] = useState<CheckinTeam | null>(null)
  const [error, setError] = useState('')
  const load = (teamId?: number) => {
    setError('')
    api.get<CheckinTeam>('/checkins/team', teamId ? { teamId } : {}).then(setTeam, (e) => setError(errorMessage(e)))
  }
  useEffect(() => load(), [])
  useDidShow(() => {
    if (team) load(team.teamId ?? undefined)
  })
  if (!team) return <PageLoading errorId='checkins-load-error' error={error} onRetry={() => load()} />
  return (
    <View className='page checkins'>
      <View className='row row--between checkins__head'>
        <Text className='checkins__day' id='checkins-day'>{team.day} {team.workingDay ? '' : '· 休息日（不催打卡）'}</Text>
      </View>
      {error ? <Text className='message-error'>{error}</Text> : null}
      <TeamDay team={team} onTeam={(id) => load(id)} />
    </View>
  )
}

/** 每日打卡 (or, for a manager who does not check in, the team's day). */
export default function CheckinsPage() {
  const role = getSession()?.member.role
  if (!can(role, 'checkins.create') && can(role, 'checkins.team.read')) return <TeamOnlyPage />
  if (!can(role, 'checkins.create')) {
    return <NotFound id='checkins-forbidden' message={`你的岗位（${role ? ROLE_LABELS[role] : '未登录'}）不需要打卡`} onBack={() => void backOr('me')} />
  }
  return <OwnCheckinsPage />
}

/** 每日打卡: the morning one, one after each visit, the evening one; a supervisor also sees the team's day. */
function OwnCheckinsPage() {
  useTeamTimeZone()
  const router = useRouter()
  const visitParam = Number(router.params.visit) || 0
  const role = getSession()?.member.role
  const [day, setDay] = useState<CheckinToday | null>(null)
  const [team, setTeam] = useState<CheckinTeam | null>(null)
  const [options, setOptions] = useState<Options | null>(null)
  const [loadError, setLoadError] = useState('')
  const [customerId, setCustomerId] = useState(0)
  const [coreNeed, setCoreNeed] = useState('')
  const [morningError, setMorningError] = useState<Record<string, string>>({})
  const [picked, setPicked] = useState<number[]>([])
  const [fixing, setFixing] = useState(0)
  const [eveningError, setEveningError] = useState('')
  const [busy, setBusy] = useState(false)

  const load = () => {
    setLoadError('')
    // a reminder's link names its visit: listed even when it was submitted yesterday
    Promise.all([api.get<CheckinToday>('/checkins/today', visitParam ? { visit: visitParam } : {}), loadOptions()])
      .then(([d, o]) => {
        setDay(d)
        setOptions(o)
        setCustomerId((c) => c || d.evening.candidates[0]?.customerId || 0)
        setPicked((p) => (p.length ? p : d.evening.candidates.filter((c) => c.hasAction && c.hasReminder).slice(0, EVENING_TOP).map((c) => c.customerId)))
      })
      .catch((e) => setLoadError(errorMessage(e)))
    if (can(role, 'checkins.team.read')) api.get<CheckinTeam>('/checkins/team').then(setTeam, () => undefined)
  }
  useEffect(load, [])
  useDidShow(() => {
    if (day) load()
  })
  // Opened from a reminder about one visit: bring that visit into view, once (it may be the fourth of the day).
  const scrolled = useRef(false)
  useEffect(() => {
    if (!day || !visitParam || scrolled.current || !day.visits.some((v) => v.visitId === visitParam)) return
    scrolled.current = true
    setTimeout(() => void Taro.pageScrollTo({ selector: `#visit-checkin-${visitParam}`, offsetTop: -24, duration: 200 }).catch(() => undefined), 100)
  }, [day])

  if (!day || !options) return <PageLoading errorId='checkins-load-error' error={loadError} onRetry={load} />

  const submitMorning = async () => {
    setBusy(true)
    setMorningError({})
    // Still inside the tap (WeChat opens its dialog only from one): 「允许」 lets the next missed window's
    // reminder come as a subscribe message instead of a WeCom text.
    await askReminderConsent(options.checkinTemplateId)
    try {
      await api.post('/checkins', { kind: 'morning', ...(customerId ? { customerId } : {}), coreNeed })
      void Taro.showToast({ title: '早间打卡完成', icon: 'success' })
      load()
    } catch (e) {
      if (alreadyDone(e)) return load()
      setMorningError(isApiError(e) && Object.keys(e.fields).length ? e.fields : { form: errorMessage(e) })
    } finally {
      setBusy(false)
    }
  }
  const submitEvening = async () => {
    setBusy(true)
    setEveningError('')
    await askReminderConsent(options.checkinTemplateId)
    try {
      await api.post('/checkins', { kind: 'evening', customerIds: picked })
      void Taro.showToast({ title: '晚间打卡完成', icon: 'success' })
      load()
    } catch (e) {
      if (alreadyDone(e)) return load()
      setEveningError(isApiError(e) && Object.keys(e.fields).length ? Object.values(e.fields).join('；') : errorMessage(e))
    } finally {
      setBusy(false)
    }
  }
  const toggle = (id: number) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : p.length >= EVENING_TOP ? p : [...p, id]))
  const candidates = day.evening.candidates
  const names = candidates.map((c) => c.customerName)
  const morningDone = day.morning.checkin && day.morning.checkin.status !== 'missing'
  const eveningDone = day.evening.checkin && day.evening.checkin.status !== 'missing'
  const chosen = candidates.filter((c) => picked.includes(c.customerId))
  const ready = chosen.length === Math.min(EVENING_TOP, candidates.length) && chosen.every((c) => c.hasAction && c.hasReminder)
  const morningAnswers = (day.morning.checkin?.answers ?? {}) as { customerName?: string; coreNeed?: string }
  const eveningAnswers = (day.evening.checkin?.answers ?? {}) as { customers?: Array<{ customerId: number; customerName: string; agreedAction: string | null }> }

  return (
    <View className='page checkins'>
      <View className='row row--between checkins__head'>
        <Text className='checkins__day' id='checkins-day'>{day.day} {day.workingDay ? '' : '· 休息日（不催打卡）'}</Text>
      </View>
      <View className='checkins__grid'>
        {can(role, 'checkins.create') ? (
          <>
            <View className='card checkins__card' id='checkin-morning'>
              <View className='row row--between'>
                <Text className='checkins__title'>早间打卡</Text>
                <StateTag state={day.morning.state} id='morning-state' />
              </View>
              <Text className='muted checkins__hint'>{hm(day.morning.opens)}–{hm(day.morning.closes)}：今天的重点客户和它的一个核心需求</Text>
              {morningDone ? (
                <View className='checkins__answers'>
                  <Text className='checkins__label'>重点客户</Text>
                  <Text className='checkins__value'>{morningAnswers.customerName ?? '（名下暂无客户）'}</Text>
                  <Text className='checkins__label'>核心需求</Text>
                  <Text className='checkins__value'>{morningAnswers.coreNeed}</Text>
                </View>
              ) : day.morning.state === 'not_open' || day.morning.state === 'off' ? null : (
                <View>
                  {morningError.form ? <Text className='message-error' id='morning-error'>{morningError.form}</Text> : null}
                  {candidates.length === 0 ? <Text className='muted checkins__hint'>你名下还没有客户：写下今天最重要的一件事即可</Text> : null}
                  {candidates.length === 0 ? null : <SelectField
                    name='customerId'
                    label='重点客户'
                    required
                    error={morningError.customerId}
                    options={names}
                    value={candidates.find((c) => c.customerId === customerId)?.customerName ?? ''}
                    placeholder='选择今天的重点客户'
                    onChange={(name) => setCustomerId(candidates.find((c) => c.customerName === name)?.customerId ?? 0)}
                  />}
                  <Field name='coreNeed' label='核心需求' required error={morningError.coreNeed}>
                    <Textarea id='core-need' className='textarea textarea--short' maxlength={CHECKIN_TEXT_MAX.coreNeed} placeholder={candidates.length ? '这个客户今天最需要解决的一件事' : '今天最重要的一件事'} value={coreNeed} onInput={(e) => setCoreNeed(e.detail.value)} />
                  </Field>
                  <Button id='submit-morning' className='btn btn--primary btn--block' disabled={busy} onClick={() => void submitMorning()}>
                    {day.morning.state === 'missing' ? '补打卡（记为迟到）' : '早间打卡'}
                  </Button>
                </View>
              )}
            </View>

            <View className='card checkins__card' id='checkin-visits'>
              <View className='row row--between'>
                <Text className='checkins__title'>拜访后打卡</Text>
                <Text className='muted'>{day.visits.length ? `${day.visits.filter((v) => v.checkin && v.checkin.status !== 'missing').length}/${day.visits.length}` : '今天还没有拜访'}</Text>
              </View>
              <Text className='muted checkins__hint'>每次拜访后确认客户原话和承诺的动作（已按拜访记录预填）</Text>
              {day.visits.map((v) => (
                <VisitCheckin key={v.visitId} line={v} highlighted={v.visitId === visitParam} today={day.day} onDone={load} />
              ))}
            </View>

            <View className='card checkins__card' id='checkin-evening'>
              <View className='row row--between'>
                <Text className='checkins__title'>晚间打卡</Text>
                <StateTag state={day.evening.state} id='evening-state' />
              </View>
              <Text className='muted checkins__hint'>
                {hm(day.evening.opens)}–{hm(day.evening.closes)}：下个工作日（{day.evening.tomorrow.slice(5)}）的 {EVENING_TOP} 位重点客户，每位都要有约定动作和跟进提醒
              </Text>
              {eveningDone ? (
                <View className='checkins__answers'>
                  {(eveningAnswers.customers ?? []).map((c) => (
                    <Text key={c.customerId} className='checkins__value'>✓ {c.customerName} · {c.agreedAction}</Text>
                  ))}
                </View>
              ) : (
                <View>
                  {candidates.length === 0 ? <Text className='muted checkins__hint'>你名下还没有客户：确认后即完成晚间打卡</Text> : null}
                  {candidates.slice(0, 12).map((c) => {
                    const on = picked.includes(c.customerId)
                    return (
                      <View key={c.customerId} className={`checkins__candidate ${on ? 'checkins__candidate--on' : ''}`} id={`candidate-${c.customerId}`}>
                        <View className='row row--between checkins__candidate-line' onClick={() => toggle(c.customerId)}>
                          <Text className='checkins__customer checkins__candidate-name'>{on ? '☑' : '☐'} {c.customerName}</Text>
                          <View className='row checkins__flags'>
                            <StatusTag tone={c.hasAction ? 'green' : 'red'}>{c.hasAction ? '有约定动作' : '无约定动作'}</StatusTag>
                            <StatusTag tone={c.hasReminder ? 'green' : 'red'}>{c.hasReminder ? `提醒 ${formatInstant(c.nextFollowUpAt)}` : '未设提醒'}</StatusTag>
                          </View>
                        </View>
                        {on && !(c.hasAction && c.hasReminder) ? (
                          fixing === c.customerId ? (
                            <FollowUpFix customer={c} options={options} onDone={() => { setFixing(0); load() }} />
                          ) : (
                            <Button id={`fix-open-${c.customerId}`} className='btn btn--small' onClick={() => setFixing(c.customerId)}>
                              补设跟进
                            </Button>
                          )
                        ) : null}
                      </View>
                    )
                  })}
                  {eveningError ? <Text className='message-error' id='evening-error'>{eveningError}</Text> : null}
                  <Button id='submit-evening' className='btn btn--primary btn--block' disabled={busy || !ready || day.evening.state === 'not_open'} onClick={() => void submitEvening()}>
                    {day.evening.state === 'not_open' ? `${hm(day.evening.opens)} 起可打卡` : ready ? '晚间打卡' : `已选 ${chosen.length}/${Math.min(EVENING_TOP, candidates.length)}，需都有约定动作和提醒`}
                  </Button>
                </View>
              )}
            </View>
          </>
        ) : null}
        {team ? <TeamDay team={team} /> : null}
      </View>
    </View>
  )
}
