/**
 * Characters an XML 1.0 document (and so an .xlsx) cannot hold: C0 controls other than tab, line
 * feed and carriage return, U+FFFE, U+FFFF, and lone surrogates. Refused on input; stripped on export
 * for anything stored before the refusal existed. (No lookbehind: older iOS WeChat cannot parse it.)
 */
const PAIR_OR_UNSAFE = /[\uD800-\uDBFF][\uDC00-\uDFFF]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/g;

/** Matches text made only of characters XML can hold (for a zod .regex, which names the field). */
export const XML_SAFE_TEXT = /^(?:[^\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;

export const XML_UNSAFE_MESSAGE = '含有无法保存的字符（控制字符或 U+FFFE、U+FFFF），请删除后重试';

/** The text without the characters XML cannot hold; surrogate pairs (emoji, rare characters) kept. */
export const stripXmlUnsafe = (text: string): string => text.replace(PAIR_OR_UNSAFE, (match) => (match.length === 2 ? match : ''));
