import { Picker } from '@tarojs/components'
import { localParts } from '../utils/time'
import { PickerBox, UNSET_ROW } from './field'

// Taro's date and time pickers answer the date or time they show when a rep taps 确定 without
// choosing, and they show one (today, 10:00) even when none is set. These pickers are lists that
// start on an unset row instead, so a follow-up time is always one the rep chose.

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六']
const NEAR_DAYS = ['今天', '明天', '后天']
const DAY_MS = 86_400_000
const pad = (n: number) => (n < 10 ? `0${n}` : String(n))

/** 'YYYY-MM-DD' → '12-03 周四' (today, tomorrow and the day after by name). */
export function dayLabel(date: string, offset?: number): string {
  const weekday = WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]
  const near = offset !== undefined ? NEAR_DAYS[offset] : undefined
  return `${date.slice(5)} 周${weekday}${near ? `（${near}）` : ''}`
}

/** The days a follow-up may fall on: today in the team's zone and the next `horizonDays`. */
export function followUpDays(horizonDays: number, now = new Date()): string[] {
  const days: string[] = []
  for (let i = 0; i <= horizonDays; i++) days.push(localParts(new Date(now.getTime() + i * DAY_MS)).date)
  return [...new Set(days)]
}

export function DatePickerBox(props: { id: string; value: string; horizonDays: number; onChange: (date: string) => void }) {
  const days = followUpDays(props.horizonDays)
  // a date filled in by the voice note stays choosable even outside the list
  if (props.value && !days.includes(props.value)) days.push(props.value)
  const labels = [UNSET_ROW, ...days.map((d, i) => dayLabel(d, i))]
  return (
    <Picker id={props.id} mode='selector' range={labels} value={days.indexOf(props.value) + 1} onChange={(e) => props.onChange(days[Number(e.detail.value) - 1] ?? '')}>
      <PickerBox value={props.value ? dayLabel(props.value, days.indexOf(props.value) < 3 ? days.indexOf(props.value) : undefined) : ''} placeholder='请选择日期' />
    </Picker>
  )
}

const HOURS = Array.from({ length: 24 }, (_, h) => pad(h))
const MINUTES = Array.from({ length: 12 }, (_, i) => pad(i * 5))

/** Hour and minute columns, each starting unset: only a chosen hour and minute make a time. */
export function TimePickerBox(props: { id: string; value: string; onChange: (time: string) => void }) {
  const [hour = '', minute = ''] = props.value ? props.value.split(':') : []
  const minutes = minute && !MINUTES.includes(minute) ? [...MINUTES, minute].sort() : MINUTES
  const columns = [
    [UNSET_ROW, ...HOURS.map((h) => `${h} 时`)],
    ['--', ...minutes.map((m) => `${m} 分`)],
  ]
  return (
    <Picker
      id={props.id}
      mode='multiSelector'
      range={columns}
      value={[HOURS.indexOf(hour) + 1, minutes.indexOf(minute) + 1]}
      onChange={(e) => {
        const [h, m] = (e.detail.value as number[]).map(Number)
        const chosenHour = HOURS[(h ?? 0) - 1]
        const chosenMinute = minutes[(m ?? 0) - 1]
        props.onChange(chosenHour && chosenMinute ? `${chosenHour}:${chosenMinute}` : '')
      }}
    >
      <PickerBox value={props.value} placeholder='请选择时间' />
    </Picker>
  )
}
