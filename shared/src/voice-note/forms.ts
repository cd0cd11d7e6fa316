import type { Candidate } from './dates';
import { VOICE_NOTE_DEFAULT_FORMS, type VoiceNoteForm } from './defaults';
import { FORM_WORDS, PLACE_VISIT, SENT_NOT_BROUGHT, BROUGHT } from './keywords';
import { findHits, labelFor, relevantHits, verbatimLabel, type Hit } from './actions';
import { allMatches, clauseAround, narrated, overlaps, type Span } from './text';

// ─── follow-up form ──────────────────────────────────────────────────────────────────────────

/** 寄过去/发过去 sends a thing; 送过去/带过去/过去找 goes there. */
function sentNotVisited(text: string, hit: Hit): boolean {
  if (hit.word !== '过去') return false;
  const clause = clauseAround(text, hit.start, hit.end);
  const before = text.slice(clause.start, hit.start);
  for (let i = before.length; i > 0; i--) {
    const upTo = before.slice(0, i);
    if (SENT_NOT_BROUGHT.test(upTo)) return true;
    if (BROUGHT.test(upTo)) return false;
  }
  return false;
}

/** Keyword hits plus 去/到 + a place (去二院, 去学校找…). */
function formHits(text: string, lower: string, masked: Span[]): Hit[] {
  const hits = findHits(text, lower, FORM_WORDS, masked).filter(
    (h) => !sentNotVisited(text, h) && !(h.word[0] === '去' && /[回失出进下上]$/.test(text.slice(0, h.start))), // 回去看看
  );
  for (const m of allMatches(PLACE_VISIT, text)) {
    const span = { start: m.index, end: m.index + m[0].length };
    if (m[0].startsWith('去') && text[m.index + 1] === '年') continue; // 去年
    if (/[回失出进下]$/.test(text.slice(0, m.index))) continue; // 回去, 下去
    if (m[0].startsWith('到') && /[寄递发传邮]$/.test(text.slice(0, m.index))) continue; // 快递到公司
    const clause = clauseAround(text, span.start, span.end);
    if (/带[^，,。]{0,8}(参观|考察)/.test(text.slice(clause.start, clause.end))) continue; // 带客户去工厂参观: they visit us
    if (overlaps(span, masked) || overlaps(span, hits)) continue;
    hits.push({ ...span, key: '上门', word: m[0] });
  }
  return hits.sort((a, b) => a.start - b.start);
}

export function findForm<F extends string>(text: string, lower: string, masked: Span[], followUp: Candidate | null, list: readonly F[]): { form?: F; category?: VoiceNoteForm } {
  const said = verbatimLabel(list, text, masked, VOICE_NOTE_DEFAULT_FORMS);
  if (said && !narrated(text, said.span)) return { form: said.label };
  const hits = relevantHits(text, formHits(text, lower, masked), followUp);
  if (!hits.length) return {};
  let best = hits[0]!;
  if (followUp) {
    const distance = (h: Hit) => (h.start >= followUp.whole.end ? h.start - followUp.whole.end : followUp.whole.start - h.end);
    for (const h of hits) if (distance(h) < distance(best)) best = h;
  }
  const category = best.key as VoiceNoteForm;
  return { form: labelFor(list, category, FORM_WORDS[category], [best.word]), category };
}
