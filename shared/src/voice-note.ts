/**
 * Voice-note parser: a rep's spoken sentence (speech-to-text output) → the visit anchors it mentions.
 *
 *   parseVoiceNote('客户王总说安装太慢,下周二演示新方案', { now, timeZone: 'Asia/Shanghai' })
 *   → { painPoint: '安装太慢', agreedAction: '安排演示', nextFollowUpAt: <Tue of next week 09:00 local>,
 *       hasTime: false, form: '上门', contactName: '王总' }
 *
 * Shared by the server and the mini-program: no Node-only APIs, no regex lookbehind or named groups
 * (old iOS WebViews reject them at load time).
 *
 * Dates. The grammar the product needs is parsed here, because chrono-node 2.10's zh.hans parser
 * (checked against these phrases) misses 下个月5号, X号, 月底, 下下周X (reads it as 下周X), 下周1,
 * 下午14:30, reads 三点一刻 as 03:01, 周一上午 as *today* 06:00, 下周日 with Sunday-first weeks and
 * 这周五 on a Friday as next week. chrono-node is still used, as a fallback on the rest of the
 * sentence, for phrasings outside that grammar (一个月后, 半个月后, 2026-12-05 …).
 * Rules, all in the local calendar of `timeZone` at `now`:
 *  - 今天/明天/后天/大后天, N天后 / N日后 / 过N天, N周后; 明早/明晚/今早/今晚 also set the part of day.
 *  - Weeks start on Monday. 这周X/本周X = that day of this week, 下周X = of next week, 下下周X = of the
 *    week after; 周X/星期X/礼拜X alone = the next such day, today excluded. X in 一…六/日/天 or 1–7.
 *  - X月X日/号: the next such date not before today (this year, else next). X号: this month's if not
 *    before today, else the next month that has that day. 下个月X号 (clamped to the month's last day),
 *    本月X号, 月底/月末/本月底 (last day of this month), 下个月底, 下个月初 (1st of next month).
 *  - Times: 上午/早上/中午/下午/傍晚/晚上… + 八点 / 8点 / 两点半 / 三点一刻 / 三点四十 / 14:30. With no
 *    part of day, 1–6 点 is read as afternoon (a rep does not book a 3 a.m. call); 晚上12点 = midnight.
 *  - A time with no date: today if still ahead of `now`, else tomorrow.
 *  - A date with no clock time: hasTime = false and the time is 09:00 local, or the part of day's
 *    default when one was said (上午 09:00, 中午 12:00, 下午 14:00, 晚上 19:00); when that is already
 *    past (a date-only 今天), the next whole hour, at most 23:59.
 *  - Dates before today (上周五, 昨天, 这周三 said on a Friday) and clock times already past today are
 *    narration, not a follow-up, and are skipped; so is a today-dated phrase whose clause says 了/已经/刚
 *    (今天拜访了王总…). Of what is left the earliest is the next follow-up.
 * Other fields:
 *  - agreedAction: keywords in the follow-up's clause first, then anywhere outside the pain point and
 *    outside narrated clauses (with 了); demo > sample > proposal > other when several match; a negated
 *    keyword (不用/不需要/别 …) does not count. 其他 only for an explicit other action (签合同, 培训, 安装…).
 *  - form: the keyword nearest the follow-up date in its clause, else the first outside the pain point
 *    and narrated clauses. If none is said but there is a follow-up date and the action is a demo, the
 *    form is 上门 (a demo is done on site).
 *  - With custom `agreedActions`/`followUpForms` lists: a label said verbatim wins; otherwise the
 *    category found above maps to the list entry that equals its default label or shares a keyword
 *    with it; an action whose category has no entry falls to the list's 其他/其它 if there is one.
 *  - painPoint: after 说/反映/觉得/嫌/抱怨/担心/问题是… up to the end of the clause, cut before a date
 *    phrase or a connective (所以/然后/我们…); agreement and plans (说好, 觉得可以, 说要…) are skipped.
 *    Without such a verb, a clause with a complaint word (太慢, 不稳定, 故障…) is taken.
 *  - contactName: surname + title (王总, 李主任, 陈护士长…) or surname + given name after 客户/联系人.
 * Text with no Chinese character at all returns {}; nothing here throws.
 */
import { hans } from 'chrono-node/zh';
import { zoneOffsetMinutes } from './time-zone';

export const VOICE_NOTE_DEFAULT_ACTIONS = ['发送方案', '安排演示', '提供样品', '其他'] as const;
export const VOICE_NOTE_DEFAULT_FORMS = ['电话', '微信', '上门'] as const;
export type VoiceNoteAction = (typeof VOICE_NOTE_DEFAULT_ACTIONS)[number];
export type VoiceNoteForm = (typeof VOICE_NOTE_DEFAULT_FORMS)[number];

export interface VoiceNoteOptions<A extends string = VoiceNoteAction, F extends string = VoiceNoteForm> {
  /** The reference instant for 明天, 下周二 …; default: the current time. */
  now?: Date;
  /** IANA zone of the team; default 'Asia/Shanghai'. */
  timeZone?: string;
  /** Fixed UTC offset in minutes (480 for China); overrides `timeZone` where Intl lacks time zones. */
  utcOffsetMinutes?: number;
  /** The product's agreed-action options (config `agreedActions`); default the four built-in ones. */
  agreedActions?: readonly A[];
  /** The product's follow-up forms (config `followUpForms`); default 电话/微信/上门. */
  followUpForms?: readonly F[];
}

export interface VoiceNote<A extends string = VoiceNoteAction, F extends string = VoiceNoteForm> {
  painPoint?: string;
  agreedAction?: A;
  nextFollowUpAt?: Date;
  /** Whether a clock time was said; false = date only (time set to the default, see above). */
  hasTime?: boolean;
  form?: F;
  contactName?: string;
}

export function parseVoiceNote<A extends string = VoiceNoteAction, F extends string = VoiceNoteForm>(
  text: string,
  options: VoiceNoteOptions<A, F> = {},
): VoiceNote<A, F> {
  try {
    return parse(text, options);
  } catch {
    return {}; // a parser for free speech must never break the form it fills
  }
}

// ─── text helpers ──────────────────────────────────────────────────────────────────────────────

const MAX_CHARS = 2000;
const HAN = /[\u3400-\u9fff]/;
const isHan = (ch: string | undefined) => !!ch && HAN.test(ch);
/** Clause boundaries: Chinese/ASCII punctuation and line breaks ('.' only when not a decimal point). */
function isDelim(text: string, i: number): boolean {
  const ch = text[i];
  if (ch === undefined) return true;
  if ('，,。！!？?；;\n\r'.indexOf(ch) >= 0) return true;
  return ch === '.' && !/\d/.test(text[i + 1] ?? '');
}
function clauseAround(text: string, start: number, end: number): { start: number; end: number } {
  let s = start;
  while (s > 0 && !isDelim(text, s - 1)) s--;
  let e = end;
  while (e < text.length && !isDelim(text, e)) e++;
  return { start: s, end: e };
}

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const NUM = '(?:\\d{1,2}|[零〇一二两三四五六七八九十]{1,3})';

/** 8, 08, 八, 十, 十五, 二十, 三十一, 零五 → number; NaN for anything else. */
function toInt(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  const ten = s.indexOf('十');
  if (ten >= 0) {
    if (s.indexOf('十', ten + 1) >= 0) return NaN;
    const tens = ten === 0 ? 1 : s.length === 1 ? NaN : ten === 1 ? CN_DIGITS[s[0]!] : NaN;
    const rest = s.slice(ten + 1);
    const units = rest === '' ? 0 : rest.length === 1 ? CN_DIGITS[rest] : NaN;
    if (tens === undefined || units === undefined) return NaN;
    return tens * 10 + units;
  }
  if (s.length === 1) return CN_DIGITS[s] ?? NaN;
  if (s.length === 2 && (s[0] === '零' || s[0] === '〇')) return CN_DIGITS[s[1]!] ?? NaN;
  return NaN;
}

function allMatches(re: RegExp, text: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    out.push(m);
    if (m[0] === '') re.lastIndex++;
  }
  return out;
}

// ─── the local calendar ────────────────────────────────────────────────────────────────────────

const DAY_MS = 86_400_000;
/** A local calendar day as days since 1970-01-01 (so adding days is plain arithmetic). */
type Day = number;
const dayOf = (y: number, m: number, d: number): Day => Date.UTC(y, m - 1, d) / DAY_MS;
const ymd = (day: Day) => {
  const t = new Date(day * DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
};
/** Monday = 1 … Sunday = 7. */
const weekday = (day: Day) => ((new Date(day * DAY_MS).getUTCDay() + 6) % 7) + 1;
const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
/** Month arithmetic: (y, m + k) normalised. */
const addMonths = (y: number, m: number, k: number) => {
  const idx = y * 12 + (m - 1) + k;
  return { y: Math.floor(idx / 12), m: (idx % 12) + 1 };
};

interface Clock {
  offsetAt(instant: Date): number;
  now: Date;
  today: Day;
}

function makeClock(now: Date, timeZone: string, fixedOffset: number | undefined): Clock {
  const offsetAt = (instant: Date): number => {
    if (typeof fixedOffset === 'number' && Number.isFinite(fixedOffset)) return fixedOffset;
    try {
      const minutes = zoneOffsetMinutes(instant, timeZone);
      if (Number.isFinite(minutes)) return minutes;
    } catch {
      // Unknown zone, or a WebView whose Intl has no time zones: fall through.
    }
    return -instant.getTimezoneOffset(); // the device's own zone (the phone is where the team is)
  };
  const wall = new Date(now.getTime() + offsetAt(now) * 60000);
  return { offsetAt, now, today: dayOf(wall.getUTCFullYear(), wall.getUTCMonth() + 1, wall.getUTCDate()) };
}

/** Local day + clock time → the instant (minutes may exceed a day: 晚上12点 = next day 00:00). */
function toInstant(clock: Clock, day: Day, minutes: number): Date {
  const wallMs = day * DAY_MS + minutes * 60000;
  const guess = wallMs - clock.offsetAt(clock.now) * 60000;
  return new Date(wallMs - clock.offsetAt(new Date(guess)) * 60000);
}

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

interface Span {
  start: number;
  end: number;
}
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
  后天: [2], 大后天: [3],
};
const REL_DAY_RE = /大前天|前天|昨天|昨晚|昨日|今天|今日|今儿|今早|今晚|明天|明日|明儿|明早|明晚|大后天|后天/g;
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

function overlaps(a: Span, list: Span[]): boolean {
  return list.some((b) => a.start < b.end && b.start < a.end);
}

function findDates(text: string, clock: Clock): DateSpan[] {
  const today = clock.today;
  const t = ymd(today);
  const found: DateSpan[] = [];
  const add = (span: DateSpan) => {
    if (!overlaps(span, found)) found.push(span);
  };

  // Longest/most specific patterns first; a later, overlapping match is dropped.
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

interface Candidate {
  at: Date;
  hasTime: boolean;
  span: Span; // the date phrase (or the time phrase when there is no date)
  whole: Span; // date phrase through its time phrase
}

function narrated(text: string, span: Span): boolean {
  const clause = clauseAround(text, span.start, span.end);
  return /了|已经|刚/.test(text.slice(clause.start, clause.end));
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

function findFollowUp(text: string, clock: Clock): { candidate: Candidate | null; dateSpans: Span[] } {
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
  return { candidate: candidates[0] ?? null, dateSpans: [...dates, ...times] };
}

// ─── actions and forms ────────────────────────────────────────────────────────────────────────

type Category = 'demo' | 'sample' | 'proposal' | 'other';
const CATEGORY_ORDER: Category[] = ['demo', 'sample', 'proposal', 'other'];
const CATEGORY_LABEL: Record<Category, VoiceNoteAction> = { demo: '安排演示', sample: '提供样品', proposal: '发送方案', other: '其他' };
const ACTION_WORDS: Record<Category, string[]> = {
  sample: ['试用装', '试用品', '样品', '样机', '试剂', '小样'],
  demo: ['演示', 'demo', '试用', '试机', '体验', '展示', '路演', '讲解'],
  proposal: ['报价单', '报价', '方案', '资料', '彩页', 'ppt', '标书', '价格表', '产品手册'],
  other: ['签合同', '合同', '签约', '培训', '安装', '调试', '开会', '会议', '回款', '付款', '招标', '投标', '参观', '考察', '验收', '送货', '发货'],
};
const FORM_WORDS: Record<VoiceNoteForm, string[]> = {
  电话: ['打电话', '打个电话', '电话', '致电', '通话', '回电', '电联', 'call'],
  微信: ['发微信', '企业微信', '微信', '企微', 'vx'],
  上门: ['拜访', '上门', '面谈', '面聊', '当面', '登门', '去医院', '到医院', '去公司', '到公司', '到科室', '去他们', '去一趟', '跑一趟', '过去', '见面', '到院', '去科室', '现场'],
};
const NEGATION = /(不用|不需要|不要|无需|没必要|暂不|暂时不|先不|别|不)$/;

interface Hit extends Span {
  key: string;
  word: string;
}

/** Keyword hits (longest word first at each place), skipping negated ones and masked ranges. */
function findHits(text: string, lower: string, words: Record<string, string[]>, masked: Span[]): Hit[] {
  const hits: Hit[] = [];
  const all: Array<{ key: string; word: string }> = [];
  for (const key of Object.keys(words)) for (const word of words[key]!) all.push({ key, word });
  all.sort((a, b) => b.word.length - a.word.length);
  for (const { key, word } of all) {
    let from = 0;
    let i: number;
    while ((i = lower.indexOf(word, from)) >= 0) {
      from = i + 1;
      const span = { start: i, end: i + word.length };
      if (overlaps(span, masked) || overlaps(span, hits)) continue;
      if (NEGATION.test(text.slice(Math.max(0, i - 4), i))) continue;
      if (/^(效果|情况|反馈|结果|感受)/.test(text.slice(i + word.length))) continue; // 试用效果: how it went, not a plan
      if (word === '过去' && /^[一二两三四五六七八九十几半的那这了年月周天\d]/.test(text.slice(i + 2))) continue;
      if (/^[a-z]/.test(word) && (/[a-z]/.test(lower[i - 1] ?? '') || /[a-z]/.test(lower[i + word.length] ?? ''))) continue;
      hits.push({ ...span, key, word });
    }
  }
  return hits.sort((a, b) => a.start - b.start);
}

function inside(span: Span, region: Span): boolean {
  return span.start >= region.start && span.end <= region.end;
}

/** The hits of the follow-up's clause, else those outside narrated clauses. */
function relevantHits(text: string, hits: Hit[], followUp: Candidate | null): Hit[] {
  if (followUp) {
    const clause = clauseAround(text, followUp.whole.start, followUp.whole.end);
    const own = hits.filter((h) => inside(h, clause));
    if (own.length) return own;
  }
  return hits.filter((h) => !narrated(text, h));
}

/**
 * The configured label for a category: one containing the word that was said (签合同 for 合同), else
 * the default label itself, else one sharing a keyword of the category (演示 for 安排演示).
 */
function labelFor<L extends string>(list: readonly L[], defaultLabel: string, words: string[], said: string[] = []): L | undefined {
  const bySaid = list.find((l) => said.some((w) => l.toLowerCase().indexOf(w) >= 0));
  if (bySaid) return bySaid;
  const exact = list.find((l) => l === defaultLabel);
  if (exact) return exact;
  return list.find((l) => words.some((w) => l.toLowerCase().indexOf(w) >= 0) || l.indexOf(defaultLabel) >= 0);
}

/** A configured label said verbatim (not one of the defaults): e.g. 签合同 in a custom list. */
function verbatimLabel<L extends string>(list: readonly L[], text: string, masked: Span[], defaults: readonly string[]): { label: L; span: Span } | undefined {
  const custom = list.filter((l) => defaults.indexOf(l) < 0 && l.length >= 2).sort((a, b) => b.length - a.length);
  for (const label of custom) {
    const i = text.indexOf(label);
    if (i < 0) continue;
    const span = { start: i, end: i + label.length };
    if (overlaps(span, masked) || NEGATION.test(text.slice(Math.max(0, i - 4), i))) continue;
    return { label, span };
  }
  return undefined;
}

function findAction<A extends string>(text: string, lower: string, masked: Span[], followUp: Candidate | null, list: readonly A[]): A | undefined {
  const said = verbatimLabel(list, text, masked, VOICE_NOTE_DEFAULT_ACTIONS);
  if (said && !narrated(text, said.span)) return said.label;
  const hits = relevantHits(text, findHits(text, lower, ACTION_WORDS, masked), followUp);
  for (const category of CATEGORY_ORDER) {
    if (!hits.some((h) => h.key === category)) continue;
    const said = hits.filter((h) => h.key === category).map((h) => h.word);
    // 其他 is a catch-all: its keywords must not pick a specific entry unless that entry names them.
    const label = labelFor(list, CATEGORY_LABEL[category], category === 'other' ? [] : ACTION_WORDS[category], said);
    if (label) return label;
    return list.find((l) => l === '其他' || l === '其它');
  }
  return undefined;
}

function findForm<F extends string>(text: string, lower: string, masked: Span[], followUp: Candidate | null, list: readonly F[]): { form?: F; category?: VoiceNoteForm } {
  const said = verbatimLabel(list, text, masked, VOICE_NOTE_DEFAULT_FORMS);
  if (said && !narrated(text, said.span)) return { form: said.label };
  const hits = relevantHits(text, findHits(text, lower, FORM_WORDS, masked), followUp);
  if (!hits.length) return {};
  let best = hits[0]!;
  if (followUp) {
    const distance = (h: Hit) => (h.start >= followUp.whole.end ? h.start - followUp.whole.end : followUp.whole.start - h.end);
    for (const h of hits) if (distance(h) < distance(best)) best = h;
  }
  const category = best.key as VoiceNoteForm;
  return { form: labelFor(list, category, FORM_WORDS[category], [best.word]), category };
}

// ─── pain point ───────────────────────────────────────────────────────────────────────────────

const PAIN_TRIGGERS = ['问题是', '痛点是', '顾虑是', '难点是', '反映', '反馈', '觉得', '认为', '感觉', '抱怨', '吐槽', '担心', '担忧', '顾虑', '嫌', '说'];
const NOT_PAIN_START = /^(要|想|希望|打算|准备|同意|答应|可以|行|好的|好|没问题|不错|挺好|很好|满意|感兴趣|有兴趣|认可|不需要|不用|下周|下个|下次|明天|后天|今天|周|星期|礼拜|让我|回头|等)/;
const NOT_PAIN = /可以接受|能接受|很满意|挺满意|比较满意|认可|没问题|不错|挺好|很好|还行|还可以|感兴趣|有兴趣/;
const PRONOUN_ONLY = /^(我们|咱们|我|你们|你|他们|他|她|客户|对方)$/;
const LEADING_TRIGGER = /^(觉得|认为|感觉|反映|反馈|表示|嫌|抱怨|担心|就是|主要是|是)/;
const CUT_WORDS = /所以|因此|于是|然后|那就|那我|我们|我这边|咱们|约好|约了|答应|同意|下周|下个月|下月|回头|改天|到时候|需要我|让我|先发|先给|再给|给他|给她|给他们/;
const COMPLAINT = /太[慢贵高复杂麻烦难差久长少低大小]|不够|不方便|不稳定|不好用|不满意|不准|故障|投诉|卡顿|老是|经常坏|慢|贵/;

function cleanPain(segment: string): string {
  let s = segment.trim();
  for (let i = 0; i < 3; i++) s = s.replace(/^[：:、\s了]+/, '').replace(LEADING_TRIGGER, '');
  s = s.replace(/^[^，,]{0,6}?(问题|痛点|顾虑|难点)(就)?是/, ''); // 最大的问题是安装太慢
  const cut = CUT_WORDS.exec(s.slice(1));
  if (cut) s = s.slice(0, cut.index + 1);
  return s.replace(/[\s了啊呀呢吧哦嘛的，,、和并也还就]+$/, '').trim();
}

function cutAtSpans(start: number, end: number, spans: Span[]): number {
  let e = end;
  for (const s of spans) if (s.start >= start && s.start < e) e = s.start;
  return e;
}

function findPain(text: string, dateSpans: Span[], contact: Span | null): { painPoint: string; span: Span } | null {
  const hits: Array<{ start: number; end: number }> = [];
  for (const trigger of PAIN_TRIGGERS) {
    let from = 0;
    let i: number;
    while ((i = text.indexOf(trigger, from)) >= 0) {
      from = i + 1;
      const span = { start: i, end: i + trigger.length };
      if (overlaps(span, hits)) continue;
      if (trigger === '说' && (/[明服好定完]/.test(text[i + 1] ?? '') || /[听据小再]/.test(text[i - 1] ?? ''))) continue;
      if (trigger === '嫌' && text[i + 1] === '疑') continue;
      hits.push(span);
    }
  }
  hits.sort((a, b) => a.start - b.start);
  for (const hit of hits) {
    const clause = clauseAround(text, hit.start, hit.end);
    const end = cutAtSpans(hit.end, clause.end, dateSpans);
    const raw = text.slice(hit.end, end);
    const stripped = raw.replace(/^[：:、\s了]+/, '').replace(LEADING_TRIGGER, '');
    if (NOT_PAIN_START.test(stripped) || NOT_PAIN.test(stripped)) continue;
    const painPoint = cleanPain(raw);
    if (painPoint.length >= 2 && !PRONOUN_ONLY.test(painPoint)) return { painPoint, span: { start: hit.start, end } };
  }
  // No complaint verb: a clause with a complaint word, minus its subject.
  let s = 0;
  while (s < text.length) {
    const clause = clauseAround(text, s, s);
    const body = text.slice(clause.start, clause.end);
    if (COMPLAINT.test(body) && !/没问题|不贵|不慢|不算贵/.test(body)) {
      let start = clause.start;
      if (contact && contact.start >= clause.start && contact.end <= clause.end) start = Math.max(start, contact.end);
      const end = cutAtSpans(start, clause.end, dateSpans);
      let p = text.slice(start, end).replace(/^(客户|他们|他|她|那边|这边|方面|的)+/, '');
      p = cleanPain(p);
      if (p.length >= 2 && !PRONOUN_ONLY.test(p)) return { painPoint: p, span: { start, end } };
    }
    s = clause.end + 1;
  }
  return null;
}

// ─── contact ──────────────────────────────────────────────────────────────────────────────────

const COMPOUND_SURNAMES = ['欧阳', '司马', '诸葛', '上官', '东方', '慕容', '令狐', '皇甫', '公孙', '尉迟', '长孙', '宇文', '司徒', '夏侯'];
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝';
/** Surnames that are also everyday words (向主任汇报, 高总价): they need a context before them. */
const WORDY_SURNAMES = '向于高成全时方应单文安常齐易宁尚符舒连车管司关华解施古万';
const TITLES = [
  '副院长', '护士长', '董事长', '总经理', '总监', '总工', '院长', '主任', '科长', '处长', '局长', '部长', '经理',
  '老师', '医生', '大夫', '教授', '主管', '老板', '厂长', '校长', '书记', '站长', '所长', '行长', '组长', '店长', '馆长',
  '总', '董', '工', '姐', '哥',
];
const SHORT_TITLES = '总董工姐哥';
/** Characters before a name that make "surname + title" a person (客户王总, 跟李主任, 见了张院长). */
const NAME_CONTEXT = '户人系跟和与找见约给访让请对向问陪带叫位了是到说的';
const NAME_STOP = /^(说|的|那|这|在|要|对|觉|反|嫌|抱|担|表|也|又|还|很|太|已|刚|跟|是|有|没|不|想|希|约|让|给|把|被|就|都|会|能|今|昨|后|下|上|和|同|答|电|微|那边|这边|明天|明早|明晚|明年|感|认|提|讲|称|问|目)/;
const NOT_GIVEN_NAME = ['方面', '方案', '高度', '关系', '单位', '关注', '全部', '全都', '时间', '方便', '成本', '管理'];

function findContact(text: string): { name: string; span: Span } | null {
  const surnameAt = (i: number): string | null => {
    const two = text.slice(i, i + 2);
    if (COMPOUND_SURNAMES.indexOf(two) >= 0) return two;
    const ch = text[i]!;
    return SURNAMES.indexOf(ch) >= 0 ? ch : null;
  };
  for (let i = 0; i < text.length; i++) {
    const surname = surnameAt(i);
    if (!surname) continue;
    const before = text[i - 1];
    const inContext = !isHan(before) || NAME_CONTEXT.indexOf(before!) >= 0;
    // surname + title
    const afterSurname = i + surname.length;
    const title = TITLES.find((t) => text.startsWith(t, afterSurname));
    if (title) {
      const short = SHORT_TITLES.indexOf(title) >= 0;
      const next = text[afterSurname + title.length];
      const followed = !isHan(next) || /[说那这的也觉反嫌表认提讲问跟和在对]/.test(next!);
      const wordy = surname.length === 1 && WORDY_SURNAMES.indexOf(surname) >= 0;
      if ((!short && !wordy) || inContext || (short && !wordy && followed)) {
        return { name: surname + title, span: { start: i, end: afterSurname + title.length } };
      }
    }
    // 客户/联系人/对接人 + full name
    const lead = text.slice(Math.max(0, i - 4), i);
    if (/(客户|联系人|对接人|联系人是|联系人叫|客户叫)[：:\s]?$/.test(lead)) {
      if (surname.length === 1 && WORDY_SURNAMES.indexOf(surname) >= 0 && !/[：:\s]$/.test(lead)) continue;
      let j = afterSurname;
      while (j < afterSurname + 2 && isHan(text[j]) && !NAME_STOP.test(text.slice(j)) && !TITLES.some((t) => text.startsWith(t, j))) j++;
      const given = text.slice(afterSurname, j);
      if (!given || NOT_GIVEN_NAME.indexOf(surname + given) >= 0 || NOT_GIVEN_NAME.indexOf(given) >= 0) continue;
      return { name: surname + given, span: { start: i, end: j } };
    }
  }
  return null;
}

// ─── putting it together ──────────────────────────────────────────────────────────────────────

function parse<A extends string, F extends string>(input: string, options: VoiceNoteOptions<A, F>): VoiceNote<A, F> {
  if (typeof input !== 'string') return {};
  let text = input.slice(0, MAX_CHARS);
  if (typeof text.normalize === 'function') text = text.normalize('NFKC'); // full-width digits, colon, comma
  if (!HAN.test(text)) return {};
  const lower = text.toLowerCase();

  const nowInput = options.now instanceof Date && !isNaN(options.now.getTime()) ? options.now : new Date();
  const clock = makeClock(nowInput, options.timeZone || 'Asia/Shanghai', options.utcOffsetMinutes);
  const actions = (options.agreedActions?.length ? options.agreedActions : VOICE_NOTE_DEFAULT_ACTIONS) as readonly A[];
  const forms = (options.followUpForms?.length ? options.followUpForms : VOICE_NOTE_DEFAULT_FORMS) as readonly F[];

  const { candidate, dateSpans } = findFollowUp(text, clock);
  const contact = findContact(text);
  const pain = findPain(text, dateSpans, contact?.span ?? null);
  const masked = pain ? [pain.span] : [];

  const result: VoiceNote<A, F> = {};
  if (pain) result.painPoint = pain.painPoint;
  const action = findAction(text, lower, masked, candidate, actions);
  if (action) result.agreedAction = action;
  if (candidate) {
    result.nextFollowUpAt = candidate.at;
    result.hasTime = candidate.hasTime;
  }
  const form = findForm(text, lower, masked, candidate, forms);
  if (form.form) result.form = form.form;
  else if (candidate && action && action === labelFor(actions, CATEGORY_LABEL.demo, ACTION_WORDS.demo)) {
    const onSite = labelFor(forms, '上门', FORM_WORDS.上门);
    if (onSite) result.form = onSite; // a demo is done on site
  }
  if (contact) result.contactName = contact.name;
  return result;
}
