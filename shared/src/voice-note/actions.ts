import { narrated, type Candidate } from './dates';
import { clauseAround, overlaps, type Span } from './text';
import { VOICE_NOTE_DEFAULT_ACTIONS, VOICE_NOTE_DEFAULT_FORMS, type VoiceNoteAction, type VoiceNoteForm } from './defaults';

// ─── actions and forms ────────────────────────────────────────────────────────────────────────

type Category = 'demo' | 'sample' | 'proposal' | 'other';
const CATEGORY_ORDER: Category[] = ['demo', 'sample', 'proposal', 'other'];
export const CATEGORY_LABEL: Record<Category, VoiceNoteAction> = { demo: '安排演示', sample: '提供样品', proposal: '发送方案', other: '其他' };
export const ACTION_WORDS: Record<Category, string[]> = {
  sample: ['试用装', '试用品', '样品', '样机', '试剂', '小样'],
  demo: ['演示', 'demo', '试用', '试机', '体验', '展示', '路演', '讲解'],
  proposal: ['报价单', '报价', '方案', '资料', '彩页', 'ppt', '标书', '价格表', '产品手册'],
  other: ['签合同', '合同', '签约', '培训', '安装', '调试', '开会', '会议', '回款', '付款', '招标', '投标', '参观', '考察', '验收', '送货', '发货'],
};
export const FORM_WORDS: Record<VoiceNoteForm, string[]> = {
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
export function labelFor<L extends string>(list: readonly L[], defaultLabel: string, words: string[], said: string[] = []): L | undefined {
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

export function findAction<A extends string>(text: string, lower: string, masked: Span[], followUp: Candidate | null, list: readonly A[]): A | undefined {
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

export function findForm<F extends string>(text: string, lower: string, masked: Span[], followUp: Candidate | null, list: readonly F[]): { form?: F; category?: VoiceNoteForm } {
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
