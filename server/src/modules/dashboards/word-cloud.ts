import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';

/** config/word-cloud/: the domain dictionary (jieba's `word freq tag` lines) and the stop words (one a line, # comments). */
export const WORD_CLOUD_CONFIG = path.resolve(__dirname, '../../../../config/word-cloud');

export interface Segmenter {
  /** the distinct terms of one text that count for the word cloud */
  terms(text: string): string[];
}

// Loading jieba's dictionary takes ~0.4 s: once per process, when a word cloud is first asked for.
let shared: Segmenter | null = null;

/**
 * Chinese segmentation with @node-rs/jieba (its default dictionary plus ours), precise mode without HMM
 * (new words are not guessed, so a term is always a dictionary word and drills down the same way). A
 * term counts when it has at least `minChars` characters, is not a stop word and holds a letter
 * (not only digits or punctuation).
 */
export function segmenter(minChars: number, dir = WORD_CLOUD_CONFIG): Segmenter {
  if (shared && dir === WORD_CLOUD_CONFIG) return withMin(shared, minChars);
  const jieba = Jieba.withDict(dict);
  jieba.loadDict(readFileSync(path.join(dir, 'dictionary.txt')));
  const stop = new Set(
    readFileSync(path.join(dir, 'stopwords.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#')),
  );
  const base: Segmenter = {
    terms: (text) => [...new Set(jieba.cut(text, false).map((t) => t.trim()))].filter((t) => t && !stop.has(t) && /\p{L}/u.test(t)),
  };
  if (dir === WORD_CLOUD_CONFIG) shared = base;
  return withMin(base, minChars);
}

const withMin = (s: Segmenter, minChars: number): Segmenter => ({ terms: (text) => s.terms(text).filter((t) => [...t].length >= minChars) });

/** The top `n` terms by the number of texts that hold them (ties: the term's code-point order). */
export function topTerms(texts: readonly string[], s: Segmenter, n: number): Array<{ term: string; count: number }> {
  const counts = new Map<string, number>();
  // a text met again (the same pain point, the same core need) is segmented once
  const seen = new Map<string, string[]>();
  for (const text of texts) {
    let terms = seen.get(text);
    if (!terms) seen.set(text, (terms = s.terms(text)));
    for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([term, count]) => ({ term, count }))
    .sort((a, b) => b.count - a.count || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0))
    .slice(0, n);
}
