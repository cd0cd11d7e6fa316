import { parse } from 'yaml';

// Finds half-width , : ; ( ) ! ? beside Chinese text in what people read: string literals and JSX
// text in code (comments, regular expressions and code itself blanked out), string values in YAML.
const CJK = '\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u3000-\\u303f\\uff01-\\uff5e';
// a half-width mark with a Chinese character right beside it (one space allowed between)
const HALF_WIDTH_BY_CJK = new RegExp(`[${CJK}] ?[,:;()!?]|[,:;()!?] ?[${CJK}]`, 'u');

const blank = (text: string) => text.replace(/[^\n]/g, ' ');

/**
 * The text of a TypeScript source that people read, in place: string literals and JSX text kept,
 * everything else (code, comments, regular expressions) blanked, line breaks kept so lines hold.
 */
export function readableText(source: string, jsx: boolean): string {
  let out = '';
  let i = 0;
  let lastCode = '';
  // inside `<Tag …`: its '>' starts JSX text; `{…}` inside JSX text returns to it at its '}'
  let inTag = false;
  const braces: boolean[] = [];
  // code since the last '>' that closed a JSX tag: JSX text if it runs up to '<' or '{'
  let run = '';
  let runIsJsxText = false;
  const endRun = (keep: boolean) => {
    out += keep && runIsJsxText ? run : blank(run);
    run = '';
    runIsJsxText = false;
  };
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      endRun(false);
      const end = source.indexOf('\n', i);
      const stop = end < 0 ? source.length : end;
      out += blank(source.slice(i, stop));
      i = stop;
    } else if (c === '/' && next === '*') {
      endRun(false);
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += blank(source.slice(i, stop));
      i = stop;
    } else if ((c === "'" || c === '"' || c === '`') && !runIsJsxText) {
      endRun(false);
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      out += ` ${source.slice(i + 1, j)} `;
      i = j + 1;
      lastCode = c;
    } else if (c === '/' && /[(,=:[!&|?{};]|^$/.test(lastCode) && !runIsJsxText) {
      // a regular expression literal: a pattern, not text anyone reads
      endRun(false);
      let j = i + 1;
      let inClass = false;
      while (j < source.length && source[j] !== '\n' && (source[j] !== '/' || inClass)) {
        if (source[j] === '\\') j++;
        else if (source[j] === '[') inClass = true;
        else if (source[j] === ']') inClass = false;
        j++;
      }
      out += blank(source.slice(i, j + 1));
      i = j + 1;
      lastCode = '/';
    } else if (c === '<' || c === '{' || c === '}') {
      const wasText = runIsJsxText;
      endRun(true);
      out += ' ';
      if (c === '<') inTag = jsx && /[A-Za-z/>]/.test(next ?? '');
      if (c === '{') braces.push(wasText);
      if (c === '}' && braces.pop()) runIsJsxText = true;
      lastCode = c;
      i++;
    } else if (c === '>' && inTag && source[i - 1] !== '=') {
      endRun(false);
      out += ' ';
      inTag = false;
      runIsJsxText = true;
      lastCode = c;
      i++;
    } else {
      run += c;
      if (!/\s/.test(c)) lastCode = c;
      i++;
    }
  }
  endRun(false);
  return out;
}

/** Every string value in a YAML document (its commas and colons are syntax, its values are text). */
function yamlStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(yamlStrings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(yamlStrings);
  return [];
}

/** `file:line  text` for each line where half-width punctuation touches Chinese text. */
export function halfWidthNextToChinese(file: string, source: string): string[] {
  if (file.endsWith('.yaml') || file.endsWith('.yml')) {
    const lines = source.split('\n');
    return yamlStrings(parse(source))
      .filter((text) => HALF_WIDTH_BY_CJK.test(text))
      .map((text) => {
        const at = lines.findIndex((line) => line.includes(text));
        return `${file}:${at + 1}  ${text}`;
      });
  }
  const sourceLines = source.split('\n');
  return readableText(source, file.endsWith('.tsx'))
    .split('\n')
    .flatMap((line, i) => (HALF_WIDTH_BY_CJK.test(line) ? [`${file}:${i + 1}  ${sourceLines[i]!.trim()}`] : []));
}
