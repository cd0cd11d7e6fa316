import type { Candidate } from './dates';
import { VOICE_NOTE_DEFAULT_ACTIONS, type VoiceNoteAction } from './defaults';
import { ACTION_WORDS, CATEGORY_ORDER, FORM_WORDS, NEGATION, type Category } from './keywords';
import { clauseAround, narrated, overlaps, type Span } from './text';

// ─── agreed action ──────────────────────────────────────────────────────────────────────────

export const CATEGORY_LABEL: Record<Category, VoiceNoteAction> = { demo: '安排演示', sample: '提供样品', trial: '安排演示', proposal: '发送方案', other: '其他' };
export { ACTION_WORDS, FORM_WORDS };

export interface Hit extends Span {
  key: string;
  word: string;
}

/** Keyword hits (longest word first at each place), skipping negated ones and masked ranges. */
export function findHits(text: string, lower: string, words: Record<string, string[]>, masked: Span[]): Hit[] {
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
      if (/^(效果|情况|反馈|结果|感受|收到|到了|到没|用得|用着)/.test(text.slice(i + word.length))) continue; // 试用效果, 样品收到没: how it went, not a plan
      if (word === '会议' && /(电话|视频|线上|网络|腾讯|钉钉)$/.test(text.slice(0, i))) continue; // 电话会议 is a call, not an action
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

/** 客户说要样品, 要求样品试用: a request, still open even in a clause that tells what happened. */
const REQUESTED = /(要|想要|要求|需要|希望|申请)[^，,。]{0,2}$/;

/** The hits of the follow-up's clause, else those outside narrated clauses (or asked for there). */
export function relevantHits(text: string, hits: Hit[], followUp: Candidate | null, past: Span[] = []): Hit[] {
  if (followUp) {
    const clause = clauseAround(text, followUp.whole.start, followUp.whole.end);
    const own = hits.filter((h) => inside(h, clause));
    if (own.length) return own;
  }
  return hits.filter((h) => !narrated(text, h, past) || REQUESTED.test(text.slice(clauseAround(text, h.start, h.end).start, h.start)));
}

/**
 * The configured label for a category: one containing the word that was said (签合同 for 合同), else
 * the default label itself, else one sharing a keyword of the category (演示 for 安排演示).
 */
export function labelFor<L extends string>(list: readonly L[], defaultLabel: string, words: string[], said: string[] = []): L | undefined {
  const bySaid = list.find((l) => said.some((w) => l.toLowerCase().indexOf(w) >= 0));
  if (bySaid) return bySaid;
  const exact = list.find((l) => l === defaultLabel);
  if (exact) return exact;
  return list.find((l) => words.some((w) => l.toLowerCase().indexOf(w) >= 0) || l.indexOf(defaultLabel) >= 0);
}

/** A configured label said verbatim (not one of the defaults): e.g. 签合同 in a custom list. */
export function verbatimLabel<L extends string>(list: readonly L[], text: string, masked: Span[], defaults: readonly string[]): { label: L; span: Span } | undefined {
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

export function findAction<A extends string>(text: string, lower: string, masked: Span[], followUp: Candidate | null, list: readonly A[], past: Span[] = []): A | undefined {
  const said = verbatimLabel(list, text, masked, VOICE_NOTE_DEFAULT_ACTIONS);
  if (said && !narrated(text, said.span, past)) return said.label;
  const hits = relevantHits(text, findHits(text, lower, ACTION_WORDS, masked), followUp, past);
  for (const category of CATEGORY_ORDER) {
    if (!hits.some((h) => h.key === category)) continue;
    const said = hits.filter((h) => h.key === category).map((h) => h.word);
    // 其他 is a catch-all: its keywords must not pick a specific entry unless that entry names them.
    const words = category === 'other' ? [] : category === 'trial' ? [...ACTION_WORDS.demo, ...ACTION_WORDS.trial] : ACTION_WORDS[category];
    const label = labelFor(list, CATEGORY_LABEL[category], words, said);
    if (label) return label;
    return list.find((l) => l === '其他' || l === '其它');
  }
  return undefined;
}
