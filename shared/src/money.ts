/**
 * Money is integer fen everywhere (1 yuan = 100 fen); people read and type yuan. One formatter and one
 * parser for the server's messages, exports and the app, so ¥1,234.56 reads the same on every surface.
 */

/** 123456 → 「¥1,234.56」; negative amounts keep their sign before the ¥. */
export function formatYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.round(fen));
  const yuan = Math.floor(abs / 100);
  const cents = String(abs % 100).padStart(2, '0');
  return `${sign}¥${String(yuan).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

/** The largest amount the app takes: ¥100 亿 (fits a JS safe integer and a BIGINT many times over). */
export const MAX_AMOUNT_FEN = 1_000_000_000_000;

/**
 * What a person typed as yuan → fen, or null when it is not an amount: 「1234.5」, 「1,234.56」, 「¥1234」,
 * full-width digits. More than two decimals is refused (not rounded): the amount must be what was meant.
 */
export function yuanToFen(text: string): number | null {
  const t = text.normalize('NFKC').replace(/[\s,，¥￥元]/g, '');
  const m = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(t);
  if (!m) return null;
  const fen = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(fen) && fen <= MAX_AMOUNT_FEN ? fen : null;
}

/** Basis points → 「3.5%」 (1% = 100 bp; no trailing zeros). */
export function formatPercentBp(bp: number): string {
  return `${Number((bp / 100).toFixed(2))}%`;
}

/** 「3.5」 or 「3.5%」 → 350 bp, or null (at most two decimals, 0–100). */
export function percentToBp(text: string): number | null {
  const t = text.normalize('NFKC').replace(/[\s%]/g, '');
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(t);
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bp <= 10000 ? bp : null;
}

/** The rebate of an amount at a rate, in fen, rounded half up to the fen. */
export function rebateFen(amountFen: number, bp: number): number {
  return Math.round((amountFen * bp) / 10000);
}
