import { hans } from 'chrono-node/zh';
import { addMonths, DAY_MS, dayOf, daysInMonth, toInstant, weekday, ymd, type Clock, type Day } from './calendar';
import { allMatches, HAN, narrated, NUM, overlaps, toInt, type Span } from './text';

// ─── date and time phrases ─────────────────────────────────────────────────────────────────────

type Period = 'morning' | 'noon' | 'afternoon' | 'evening';
const PERIOD_WORDS: Array<[string, Period]> = [
  ['凌晨', 'morning'], ['清早', 'morning'], ['一早', 'morning'], ['大早', 'morning'], ['早上', 'morning'],
  ['早晨', 'morning'], ['上午', 'morning'], ['中午', 'noon'], ['午后', 'afternoon'], ['下午', 'afternoon'],
  ['傍晚', 'evening'], ['晚上', 'evening'], ['晚间', 'evening'], ['夜里', 'evening'], ['夜间', 'evening'],
];
const PERIOD_DEFAULT: Record<Period, number> = { morning: 9 * 60, noon: 12 * 60, afternoon: 14 * 60, evening: 19 * 60 };
const PERIOD_RE_SRC = PERIOD_WORDS.map(([w]) => w).join('|');
const periodOf = (word: string | undefined): Period | undefined => PERIOD_WORDS.find(([w]) => w === word)?.[1];
const DEFAULT_MINUTES = 9 * 60;

interface DateSpan extends Span {
  day: Day | null; // null: a phrase that names no usable day (e.g. 2月30号): recognised, not used
  period?: Period;
  /** From chrono: a certain clock time it found itself. */
  minutes?: number;
}
interface TimeSpan extends Span {
  hour?: number; // undefined: a part of day only (下午)
  minute: number;
  hasMinutes: boolean;
  period?: Period;
}

const REL_DAYS: Record<string, [number, Period?]> = {
  大前天: [-3], 前天: [-2], 昨天: [-1], 昨晚: [-1, 'evening'], 昨日: [-1],
  今天: [0], 今日: [0], 今儿: [0], 今早: [0, 'morning'], 今晚: [0, 'evening'],
  明天: [1], 明日: [1], 明儿: [1], 明早: [1, 'morning'], 明晚: [1, 'evening'],
  后天: [2], 大后天: [3], 明后天: [1],
};
const REL_DAY_RE = /大前天|前天|昨天|昨晚|昨日|今天|今日|今儿|今早|今晚|明天|明日|明儿|明早|明晚|大后天|明后天|后天/g;
const IN_DAYS_RE = new RegExp(`(${NUM})(?:个)?(天|日|周|星期|礼拜)(?:以后|之后|后)|过(${NUM})天`, 'g');
const WEEKDAY_RE = /(下下个|下下|下个|下|这个|这|本|上上个|上上|上个|上)?(?:周|星期|礼拜)([一二三四五六日天1-7])/g;
const WEEKDAY_NUM: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 };
const MONTH_PREFIX = '下个月|下月|本月|这个月|这月';
const MONTH_DAY_RE = new RegExp(`(?:(\\d{4})年|(今年|明年))?(?:(${MONTH_PREFIX})|(${NUM})月(?:份)?)(${NUM})(?:日|号)`, 'g');
const MONTH_END_RE = new RegExp(`(${MONTH_PREFIX})?(?:月)?(底|末|初)`, 'g');
const DAY_RE = new RegExp(`(${NUM})(日|号)`, 'g');
/** After X号/X日, these make it a room, bed, line, model … not a date. */
const NOT_A_DAY_AFTER = '楼床线机房室门库口台位柜厅馆病区仓院店车窗箱包件批单方型款码选种人桌座游';
const TIME_RE = new RegExp(`(${PERIOD_RE_SRC})?(?:(\\d{1,2}):(\\d{2})|(${NUM})点)`, 'g');
const PERIOD_ONLY_RE = new RegExp(PERIOD_RE_SRC, 'g');
/** 周末, 这周末, 下周末: that week's Saturday. */
const WEEKEND_RE = /(下下个|下下|下个|下|这个|这|本)?(?:周末|礼拜六日|星期六日)/g;
/** 月中, 下个月中旬, 12月中旬: the 15th. */
const MID_MONTH_RE = new RegExp(`(?:(${MONTH_PREFIX})|(${NUM})月|月)(?:中旬|中)(?!国|心|层|间|秋)`, 'g');
/** 年底/年末 (明年年底): the last day of the year. */
const YEAR_END_RE = /(今年|明年)?年(?:底|末)/g;
/** After a holiday: 国庆后, 十一之后, 五一节后, 元旦后, 春节后, 年后, 过完年, 国庆回来. */
const HOLIDAY_RE = /(元旦|五一|劳动节|国庆|十一|春节|过年|年)(?:节|长假|假期|小长假)?(?:之后|以后|过后|回来|结束后|结束|后)|过完(元旦|五一|国庆|十一|春节|年)/g;
/** Before a date, words that settle on it among options (定周三, 改到周四). */
const SETTLED = /(定|定在|定到|改到|改成|改在|改为|就定)$/;
/** Chinese New Year's day (正月初一), for 年后/春节后. */
const SPRING_FESTIVAL: Record<number, [number, number]> = {
  2025: [1, 29], 2026: [2, 17], 2027: [2, 6], 2028: [1, 26], 2029: [2, 13], 2030: [2, 3],
  2031: [1, 23], 2032: [2, 11], 2033: [1, 31], 2034: [2, 19], 2035: [2, 8],
};

/** The first day back after a holiday (元旦 → 1/2, 五一 → 5/6, 国庆 → 10/8, 春节 → 初八), moved off a weekend. */
function afterHoliday(name: string, today: Day): Day | null {
  const firstBack = (y: number): Day | null => {
    if (name === '元旦') return dayOf(y, 1, 2);
    if (name === '五一' || name === '劳动节') return dayOf(y, 5, 6);
    if (name === '国庆' || name === '十一') return dayOf(y, 10, 8);
    const festival = SPRING_FESTIVAL[y];
    return festival ? dayOf(y, festival[0], festival[1]) + 7 : null;
  };
  const { y } = ymd(today);
  for (const year of [y, y + 1]) {
    const day = firstBack(year);
    if (day === null) continue;
    const shifted = day + (weekday(day) === 6 ? 2 : weekday(day) === 7 ? 1 : 0);
    if (shifted >= today) return shifted;
  }
  return null;
}

function findDates(text: string, clock: Clock): DateSpan[] {
  const today = clock.today;
  const t = ymd(today);
  const found: DateSpan[] = [];
  const add = (span: DateSpan) => {
    if (!overlaps(span, found)) found.push(span);
  };

  // Longest/most specific patterns first; a later, overlapping match is dropped.
  for (const m of allMatches(HOLIDAY_RE, text)) {
    const name = m[1] ?? m[2] ?? '春节';
    const before = text[m.index - 1] ?? '';
    if (name === '年' && /[\d零〇一二两三四五六七八九十几今明去前每半新]/.test(before)) continue; // 两年后, 明年后, 新年后
    if (name === '十一' && /[\d月第]/.test(before)) continue;
    add({ start: m.index, end: m.index + m[0].length, day: afterHoliday(name === '过年' || name === '年' ? '春节' : name, today) });
  }

  for (const m of allMatches(WEEKEND_RE, text)) {
    const prefix = (m[1] ?? '').replace('个', '');
    if (!prefix && /[每上]/.test(text[m.index - 1] ?? '')) continue; // 每周末, 上周末
    const weeks: Record<string, number> = { 下下: 2, 下: 1, 这: 0, 本: 0 };
    const monday = today - (weekday(today) - 1);
    const saturday = monday + 7 * (weeks[prefix] ?? 0) + 5;
    add({ start: m.index, end: m.index + m[0].length, day: Math.max(saturday, today) }); // on a Sunday, 周末 is today
  }

  for (const m of allMatches(YEAR_END_RE, text)) {
    if (!m[1] && /[去前上]/.test(text[m.index - 1] ?? '')) continue; // 去年底
    const year = m[1] === '明年' ? t.y + 1 : t.y;
    add({ start: m.index, end: m.index + m[0].length, day: dayOf(year, 12, 31) });
  }

  for (const m of allMatches(MID_MONTH_RE, text)) {
    let day: Day | null = null;
    if (m[1]) {
      const { y, m: month } = m[1].startsWith('下') ? addMonths(t.y, t.m, 1) : t;
      day = dayOf(y, month, 15);
    } else if (m[2]) {
      const month = toInt(m[2]);
      if (!(month >= 1 && month <= 12)) continue;
      day = dayOf(t.y, month, 15) >= today ? dayOf(t.y, month, 15) : dayOf(t.y + 1, month, 15);
    } else {
      day = dayOf(t.y, t.m, 15) >= today ? dayOf(t.y, t.m, 15) : dayOf(addMonths(t.y, t.m, 1).y, addMonths(t.y, t.m, 1).m, 15);
    }
    add({ start: m.index, end: m.index + m[0].length, day });
  }

  for (const m of allMatches(MONTH_DAY_RE, text)) {
    const day = toInt(m[5]!);
    let candidates: Array<{ y: number; m: number }>;
    let clamp = false;
    if (m[3]) {
      const prefix = m[3];
      candidates = [prefix.startsWith('下') ? addMonths(t.y, t.m, 1) : { y: t.y, m: t.m }];
      clamp = prefix.startsWith('下');
    } else {
      const month = toInt(m[4]!);
      if (!(month >= 1 && month <= 12)) continue;
      if (m[1]) candidates = [{ y: Number(m[1]), m: month }];
      else if (m[2] === '明年') candidates = [{ y: t.y + 1, m: month }];
      else if (m[2] === '今年') candidates = [{ y: t.y, m: month }];
      else candidates = [{ y: t.y, m: month }, { y: t.y + 1, m: month }];
    }
    let chosen: Day | null = null;
    if (day >= 1 && day <= 31) {
      for (const c of candidates) {
        const dim = daysInMonth(c.y, c.m);
        if (day > dim && !clamp) continue;
        const d = dayOf(c.y, c.m, Math.min(day, dim));
        chosen = d;
        if (d >= today) break;
      }
    }
    add({ start: m.index, end: m.index + m[0].length, day: chosen });
  }

  for (const m of allMatches(MONTH_END_RE, text)) {
    const prefix = m[1];
    const kind = m[2]!;
    if (m[0].indexOf('月') < 0) continue; // a bare 底/末/初 (到底, 年底) is not a date
    if (!prefix && kind === '初') continue; // 月初 alone: this month's start is already past
    const next = !!prefix && prefix.startsWith('下');
    const { y, m: month } = next ? addMonths(t.y, t.m, 1) : t;
    const day = kind === '初' ? dayOf(y, month, 1) : dayOf(y, month, daysInMonth(y, month));
    add({ start: m.index, end: m.index + m[0].length, day });
  }

  for (const m of allMatches(REL_DAY_RE, text)) {
    const [offset, period] = REL_DAYS[m[0]]!;
    add({ start: m.index, end: m.index + m[0].length, day: today + offset, period });
  }

  for (const m of allMatches(IN_DAYS_RE, text)) {
    const n = toInt(m[1] ?? m[3]!);
    if (!(n >= 0 && n <= 366)) continue;
    const unit = m[2] ?? '天';
    const days = unit === '天' || unit === '日' ? n : n * 7;
    add({ start: m.index, end: m.index + m[0].length, day: today + days });
  }

  for (const m of allMatches(WEEKDAY_RE, text)) {
    const prefix = (m[1] ?? '').replace('个', '');
    const target = WEEKDAY_NUM[m[2]!] ?? Number(m[2]);
    const after = text[m.index + m[0].length];
    if (after === '次' || after === '末') continue; // 每周一次, 周末
    if (!prefix) {
      const before = text[m.index - 1];
      if (before === '每' || (before && /[\d零〇一二两三四五六七八九十几]/.test(before))) continue; // 每周一, 两周一次
    }
    const monday = today - (weekday(today) - 1);
    const weeks: Record<string, number> = { 下下: 2, 下: 1, 这: 0, 本: 0, 上: -1, 上上: -2 };
    let day: Day;
    if (prefix) day = monday + 7 * weeks[prefix]! + (target - 1);
    else day = today + (((target - weekday(today) + 7) % 7) || 7);
    add({ start: m.index, end: m.index + m[0].length, day });
  }

  for (const m of allMatches(DAY_RE, text)) {
    const before = text[m.index - 1];
    const after = text[m.index + m[0].length];
    if (before === '第' || before === '月' || (before && /\d/.test(before))) continue;
    if (after && NOT_A_DAY_AFTER.indexOf(after) >= 0) continue;
    if (m[2] === '日' && after && '后内前'.indexOf(after) >= 0) continue;
    const n = toInt(m[1]!);
    if (!(n >= 1 && n <= 31)) continue;
    let day: Day | null = null;
    for (let k = 0; k < 12 && day === null; k++) {
      const { y, m: month } = addMonths(t.y, t.m, k);
      if (n <= daysInMonth(y, month) && dayOf(y, month, n) >= today) day = dayOf(y, month, n);
    }
    add({ start: m.index, end: m.index + m[0].length, day });
  }

  return found.sort((a, b) => a.start - b.start);
}

function hourWithPeriod(hour: number, period: Period | undefined): number {
  switch (period) {
    case 'morning':
      return hour;
    case 'noon':
      return hour <= 3 ? hour + 12 : hour;
    case 'afternoon':
      return hour < 12 ? hour + 12 : hour;
    case 'evening':
      return hour === 12 ? 24 : hour < 12 ? hour + 12 : hour;
    default:
      return hour >= 1 && hour <= 6 ? hour + 12 : hour;
  }
}

/** Clock-time phrases (三点半, 下午14:30) and parts of day alone (下午). */
function findTimes(text: string, dates: DateSpan[]): TimeSpan[] {
  const found: TimeSpan[] = [];
  for (const m of allMatches(TIME_RE, text)) {
    const start = m.index;
    let end = m.index + m[0].length;
    const period = periodOf(m[1]);
    let hour: number;
    let minute = 0;
    let hasMinutes = false;
    if (m[2] !== undefined) {
      hour = Number(m[2]);
      minute = Number(m[3]);
      hasMinutes = true;
    } else {
      hour = toInt(m[4]!);
      // Minutes after 点: 半, 一刻, 三刻, 钟, or a number (Chinese: with 分 or two characters long).
      const rest = text.slice(end);
      let mm: RegExpExecArray | null;
      if (rest[0] === '半') {
        minute = 30;
        end += 1;
        hasMinutes = true;
      } else if ((mm = /^(一|1|三|3)刻/.exec(rest))) {
        minute = mm[1] === '一' || mm[1] === '1' ? 15 : 45;
        end += 2;
        hasMinutes = true;
      } else if (rest[0] === '钟') {
        end += 1;
      } else if ((mm = new RegExp(`^(${NUM})(分)?`).exec(rest))) {
        const digits = /^\d/.test(mm[1]!);
        if (mm[2] || (digits ? mm[1]!.length === 2 : mm[1]!.length >= 2)) {
          minute = toInt(mm[1]!);
          end += mm[0].length;
          hasMinutes = true;
        }
      }
    }
    if (!(hour >= 0 && hour <= 24) || !(minute >= 0 && minute <= 59)) continue;
    if (!period && !hasMinutes && !overlapsAdjacentDate(start, dates)) {
      // 便宜一点, 有两点问题, 第三点: "点" as "a little"/"point", not o'clock.
      const before = text[start - 1] ?? '';
      const after = text.slice(end, end + 2);
      if (/[有第这那几点低高快慢多少宜好大小贵近远长短轻重早晚些]/.test(before)) continue;
      if (/^(问题|意见|要求|建议|原因|顾虑|不足|看法|想法|需求|内容|好处)/.test(after)) continue;
      if (m[4] === '一' || m[4] === '1') continue; // 1 o'clock needs 下午/中午, minutes or a date before it
    }
    const span: TimeSpan = { start, end, period, hour, minute, hasMinutes };
    if (!overlaps(span, found)) found.push(span);
  }
  for (const m of allMatches(PERIOD_ONLY_RE, text)) {
    const span: TimeSpan = { start: m.index, end: m.index + m[0].length, period: periodOf(m[0]), minute: 0, hasMinutes: false };
    if (!overlaps(span, found)) found.push(span);
  }
  return found.sort((a, b) => a.start - b.start);
}

function overlapsAdjacentDate(start: number, dates: DateSpan[]): boolean {
  return dates.some((d) => d.end === start || d.end === start - 1);
}

export interface Candidate {
  at: Date;
  hasTime: boolean;
  span: Span; // the date phrase (or the time phrase when there is no date)
  whole: Span; // date phrase through its time phrase
}

/** Time spans that belong to a date: the first one after it in the same sentence, before any other date. */
function attachTimes(text: string, dates: DateSpan[], times: TimeSpan[]): Map<DateSpan, TimeSpan> {
  const attached = new Map<DateSpan, TimeSpan>();
  const used = new Set<TimeSpan>();
  for (let i = 0; i < dates.length; i++) {
    const date = dates[i]!;
    const limit = dates[i + 1]?.start ?? text.length;
    for (const time of times) {
      if (used.has(time) || time.start < date.end || time.start >= limit) continue;
      const gap = text.slice(date.end, time.start);
      if (/[。！!？?；;\n]/.test(gap)) break;
      attached.set(date, time);
      used.add(time);
      break;
    }
  }
  return attached;
}

function dateCandidate(clock: Clock, text: string, date: DateSpan, time: TimeSpan | undefined): Candidate | null {
  if (date.day === null || date.day < clock.today) return null;
  const period = time?.period ?? date.period;
  let minutes: number;
  let hasTime: boolean;
  if (date.minutes !== undefined) {
    minutes = date.minutes;
    hasTime = true;
  } else if (time?.hour !== undefined) {
    minutes = clockMinutes(time, date.period);
    hasTime = true;
  } else {
    minutes = period ? PERIOD_DEFAULT[period] : DEFAULT_MINUTES;
    hasTime = false;
  }
  let at = toInstant(clock, date.day, minutes);
  if (at.getTime() <= clock.now.getTime()) {
    if (hasTime) return null; // a clock time already past today: narration
    // Today with no clock time and the default already past: the next whole hour (at most 23:59).
    const nowMinutes = Math.floor((clock.now.getTime() + clock.offsetAt(clock.now) * 60000 - date.day * DAY_MS) / 60000);
    at = toInstant(clock, date.day, Math.min((Math.floor(nowMinutes / 60) + 1) * 60, 24 * 60 - 1));
  }
  const whole = { start: date.start, end: Math.max(date.end, time?.end ?? 0) };
  if (date.day === clock.today && narrated(text, whole)) return null;
  return { at, hasTime, span: date, whole };
}

function timeOnlyCandidate(clock: Clock, text: string, time: TimeSpan): Candidate | null {
  if (time.hour === undefined || narrated(text, time)) return null;
  const minutes = clockMinutes(time, undefined);
  let at = toInstant(clock, clock.today, minutes);
  if (at.getTime() <= clock.now.getTime()) at = toInstant(clock, clock.today + 1, minutes);
  return { at, hasTime: true, span: time, whole: time };
}

/** Minutes after local midnight; the part of day may come from the date (今晚八点, 明早九点). */
function clockMinutes(time: TimeSpan, datePeriod: Period | undefined): number {
  const period = time.period ?? datePeriod;
  return hourWithPeriod(time.hour!, period) * 60 + time.minute;
}

/** chrono-node on what our grammar left (its matches of our phrases are masked out). */
function chronoDates(text: string, masked: Span[], clock: Clock): DateSpan[] {
  let rest = text;
  for (const s of masked) rest = rest.slice(0, s.start) + '，'.repeat(s.end - s.start) + rest.slice(s.end);
  if (!HAN.test(rest) && !/\d{4}-\d{1,2}-\d{1,2}/.test(rest)) return [];
  const results = hans.parse(rest, { instant: clock.now, timezone: clock.offsetAt(clock.now) }, { forwardDate: true });
  const out: DateSpan[] = [];
  for (const r of results) {
    if (!r.start.isCertain('day')) continue;
    const y = r.start.get('year');
    const m = r.start.get('month');
    const d = r.start.get('day');
    if (y === null || m === null || d === null) continue;
    const span: DateSpan = { start: r.index, end: r.index + r.text.length, day: dayOf(y, m, d) };
    if (r.start.isCertain('hour')) span.minutes = (r.start.get('hour') ?? 0) * 60 + (r.start.get('minute') ?? 0);
    out.push(span);
  }
  return out;
}

export function findFollowUp(text: string, clock: Clock): { candidate: Candidate | null; dateSpans: Span[]; pastSpans: Span[] } {
  const dates = findDates(text, clock);
  const times = findTimes(text, dates);
  const attached = attachTimes(text, dates, times);
  const candidates: Candidate[] = [];
  for (const date of dates) {
    const c = dateCandidate(clock, text, date, attached.get(date));
    if (c) candidates.push(c);
  }
  const loose = times.filter((t) => ![...attached.values()].includes(t));
  if (!candidates.length) {
    const extra = chronoDates(text, [...dates, ...times], clock);
    const extraAttached = attachTimes(text, extra, loose);
    for (const date of extra) {
      const c = dateCandidate(clock, text, date, extraAttached.get(date));
      if (c) candidates.push(c);
    }
    dates.push(...extra);
    for (const t of extraAttached.values()) loose.splice(loose.indexOf(t), 1);
  }
  for (const time of loose) {
    const c = timeOnlyCandidate(clock, text, time);
    if (c) candidates.push(c);
  }
  candidates.sort((a, b) => a.at.getTime() - b.at.getTime() || a.span.start - b.span.start);
  // 周二周三都可以，定周三: a date the rep settled on wins over the earlier options.
  const settled = candidates.find((c) => SETTLED.test(text.slice(Math.max(0, c.span.start - 3), c.span.start)));
  if (settled) candidates.unshift(settled);
  const pastSpans = dates.filter((d) => d.day !== null && d.day < clock.today);
  return { candidate: candidates[0] ?? null, dateSpans: [...dates, ...times], pastSpans };
}
