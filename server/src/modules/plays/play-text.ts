import { createHash } from 'node:crypto';

/**
 * How value points written differently are recognised as the same play (README «Metrics», 赢单打法):
 * each text becomes the set of its words (jieba in precise mode with the word cloud's dictionary and stop
 * words; words of at least two characters that hold a letter, so 「的」「表」 do not count), and two texts are similar when the Jaccard index of their word sets,
 * |A ∩ B| ÷ |A ∪ B|, is at least the policy's `plays.similarity`. Texts are merged by single-pass leader
 * clustering: most used text first, each joins the most similar existing play (compared with that play's
 * leading text, found through a word → plays index) or starts a new one.
 */
export type Tokenize = (text: string) => string[];

// Punctuation, symbols and spaces carry no meaning for identity: 「提供样品。」 and 「提供 样品」 are one text.
const NOT_CONTENT = /[\p{P}\p{S}\p{Z}\s]/gu;
export const normalizedText = (text: string) => text.replace(NOT_CONTENT, '').toLowerCase();

/** The stable key of a play: its merged text, bottleneck and objective, hashed (16 hex digits). */
export function playKeyOf(bottleneck: string, objective: string, text: string): string {
  return createHash('sha1').update(`${bottleneck}\u0001${objective}\u0001${normalizedText(text)}`).digest('hex').slice(0, 16);
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let common = 0;
  for (const t of a) if (b.has(t)) common++;
  return common / (a.size + b.size - common);
}

/** The word set of a text; a text with no word (only digits, say) is its own normalized whole. */
export function wordSet(text: string, tokenize: Tokenize): Set<string> {
  const words = tokenize(text);
  return new Set(words.length ? words : [normalizedText(text) || text]);
}

export interface TextCount {
  text: string;
  visits: number;
}

/**
 * Groups texts (each with its visit count) into clusters of similar texts. Returns, per cluster, the
 * indexes of its texts in `texts`; the first is the leader (most visits; ties by text), the cluster's name.
 */
export function clusterTexts(texts: readonly TextCount[], tokenize: Tokenize, threshold: number): number[][] {
  const order = texts.map((_, i) => i).sort((a, b) => texts[b]!.visits - texts[a]!.visits || (texts[a]!.text < texts[b]!.text ? -1 : texts[a]!.text > texts[b]!.text ? 1 : 0));
  const leaders: Array<{ words: Set<string>; members: number[] }> = [];
  const byWord = new Map<string, number[]>();
  for (const i of order) {
    const words = wordSet(texts[i]!.text, tokenize);
    let best = -1;
    let bestScore = 0;
    const seen = new Set<number>();
    for (const w of words) {
      for (const l of byWord.get(w) ?? []) {
        if (seen.has(l)) continue;
        seen.add(l);
        const score = jaccard(words, leaders[l]!.words);
        if (score >= threshold && (score > bestScore || (score === bestScore && l < best))) {
          best = l;
          bestScore = score;
        }
      }
    }
    if (best >= 0) {
      leaders[best]!.members.push(i);
      continue;
    }
    const id = leaders.length;
    leaders.push({ words, members: [i] });
    for (const w of words) {
      const list = byWord.get(w);
      if (list) list.push(id);
      else byWord.set(w, [id]);
    }
  }
  return leaders.map((l) => l.members);
}
