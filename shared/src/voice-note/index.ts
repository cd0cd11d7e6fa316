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
 *  - More dates: 周末/这周末 (that week's Saturday), 下周末, 月中/下个月中旬 (the 15th), 年底/年末 (Dec 31),
 *    and the first day back after a holiday, moved off a weekend: 元旦后 1/2, 五一后 5/6, 国庆后/十一之后/
 *    国庆回来 10/8, 年后/春节后/过完年 正月初八 (Spring Festival dates tabled for 2025–2035).
 * Other fields:
 *  - agreedAction: keywords in the follow-up's clause first, then anywhere outside the pain point and
 *    outside narrated clauses (了, 已经, 刚, 上次, 昨天, 上周…, or a clause naming a past date) unless asked
 *    for there (客户说要样品); demo > sample > trial > proposal > other when several match, so 送样机过去试用
 *    and 样品试用 are 提供样品 while 试用 alone is a demo; a negated keyword (不用/不需要/别 …) does not
 *    count. 其他 only for an explicit other action (签合同, 培训, 安装…).
 *  - form: the keyword nearest the follow-up date in its clause, else the first said anywhere outside the
 *    pain point and narrated clauses (…下午三点微信跟他确认); 去/到 + a place (去二院, 到厂里) is a visit,
 *    寄过去/发过去/快递到 are not. Only if none is said, there is a follow-up date and the action is a
 *    demo not said to be online (线上/远程/视频), the form is 上门 (a demo is done on site).
 *  - With custom `agreedActions`/`followUpForms` lists: a label said verbatim wins; otherwise the
 *    category found above maps to the list entry that equals its default label or shares a keyword
 *    with it; an action whose category has no entry falls to the list's 其他/其它 if there is one.
 *  - painPoint: after 说/反映/觉得/嫌/抱怨/担心/问题是… up to the end of the clause, cut before a date
 *    phrase or a connective (所以/然后/我们…); agreement and plans (说好, 觉得可以, 说要…) are skipped.
 *    担心/担忧/顾虑 stay before an object that alone names no problem (他担心售后 → 担心售后).
 *    Without such a verb, a clause with a complaint word (太慢, 不稳定, 故障…) is taken.
 *  - contactName: surname + title (王总, 李主任, 陈护士长…), 老/小 + surname (老张, 小王), or surname +
 *    given name after 客户/联系人.
 * Text with no Chinese character at all returns {}; nothing here throws.
 */
import { ACTION_WORDS, CATEGORY_LABEL, findAction, FORM_WORDS, labelFor } from './actions';
import { findForm } from './forms';
import { REMOTE } from './keywords';
import { makeClock } from './calendar';
import { findContact } from './contact';
import { findFollowUp } from './dates';
import { findPain } from './pain';
import { HAN, MAX_CHARS } from './text';
import { VOICE_NOTE_DEFAULT_ACTIONS, VOICE_NOTE_DEFAULT_FORMS, type VoiceNoteAction, type VoiceNoteForm } from './defaults';

export { VOICE_NOTE_DEFAULT_ACTIONS, VOICE_NOTE_DEFAULT_FORMS, type VoiceNoteAction, type VoiceNoteForm } from './defaults';

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

  const { candidate, dateSpans, pastSpans } = findFollowUp(text, clock);
  const contact = findContact(text);
  const pain = findPain(text, dateSpans, contact?.span ?? null);
  const masked = pain ? [pain.span] : [];

  const result: VoiceNote<A, F> = {};
  if (pain) result.painPoint = pain.painPoint;
  const action = findAction(text, lower, masked, candidate, actions, pastSpans);
  if (action) result.agreedAction = action;
  if (candidate) {
    result.nextFollowUpAt = candidate.at;
    result.hasTime = candidate.hasTime;
  }
  const form = findForm(text, lower, masked, candidate, forms);
  if (form.form) result.form = form.form;
  else if (candidate && action && action === labelFor(actions, CATEGORY_LABEL.demo, ACTION_WORDS.demo) && !REMOTE.test(text)) {
    const onSite = labelFor(forms, '上门', FORM_WORDS.上门);
    if (onSite) result.form = onSite; // a demo is done on site (unless said to be online)
  }
  if (contact) result.contactName = contact.name;
  return result;
}
