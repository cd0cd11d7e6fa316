// ─── text helpers ──────────────────────────────────────────────────────────────────────────────

export const MAX_CHARS = 2000;
export const HAN = /[\u3400-\u9fff]/;
export const isHan = (ch: string | undefined) => !!ch && HAN.test(ch);
/** Clause boundaries: Chinese/ASCII punctuation and line breaks ('.' only when not a decimal point). */
function isDelim(text: string, i: number): boolean {
  const ch = text[i];
  if (ch === undefined) return true;
  if (/[，,。！!？?；;\n\r]/.test(ch)) return true;
  return ch === '.' && !/\d/.test(text[i + 1] ?? '');
}
export function clauseAround(text: string, start: number, end: number): { start: number; end: number } {
  let s = start;
  while (s > 0 && !isDelim(text, s - 1)) s--;
  let e = end;
  while (e < text.length && !isDelim(text, e)) e++;
  return { start: s, end: e };
}

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
export const NUM = '(?:\\d{1,2}|[零〇一二两三四五六七八九十]{1,3})';

/** 8, 08, 八, 十, 十五, 二十, 三十一, 零五 → number; NaN for anything else. */
export function toInt(s: string): number {
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

export function allMatches(re: RegExp, text: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    out.push(m);
    if (m[0] === '') re.lastIndex++;
  }
  return out;
}

export interface Span {
  start: number;
  end: number;
}

export function overlaps(a: Span, list: Span[]): boolean {
  return list.some((b) => a.start < b.end && b.start < a.end);
}

/** Words that tell what already happened (拜访了, 已经, 刚, 上次 …). */
const NARRATION = /了|已经|刚|上次|上回|昨天|前天|上周|上个?礼拜|上个?星期|上个月/;

/** Whether the span's clause tells what happened rather than what is planned (or names a past date). */
export function narrated(text: string, span: Span, past: Span[] = []): boolean {
  const clause = clauseAround(text, span.start, span.end);
  return NARRATION.test(text.slice(clause.start, clause.end)) || past.some((p) => p.start >= clause.start && p.end <= clause.end);
}
