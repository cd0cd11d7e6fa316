import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

// Chinese text takes full-width punctuation （，：；（）！？）: 「动作未闭环，请补全」, not 「动作未闭环,请补全」.
// This scans what people read — string literals and JSX text in code, values in config/*.yaml — for
// half-width , : ; ( ) ! ? next to a Chinese character, and names file:line of each.
//
// The list is explicit: files already swept. Others are being edited in parallel and get swept
// after they merge; widen the list then (the closing report lists the remaining files).
const SWEPT = [
  'config/policy.yaml',
  'shared/src/visits.ts',
  'shared/src/errors.ts',
  'server/src/config/policy.ts',
  'server/src/modules/visits/visit.service.ts',
  'miniprogram/src/pages/visit/index.tsx',
  'miniprogram/src/pages/visit/index.config.ts',
  'miniprogram/src/pages/visit/visit-form.ts',
  'miniprogram/src/pages/visit/voice-panel.tsx',
  'miniprogram/src/components/field.tsx',
  'miniprogram/src/components/date-time-pickers.tsx',
];

const ROOT = path.resolve(__dirname, '../..');
const CJK = '\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u3000-\\u303f\\uff01-\\uff5e';
// a half-width mark with a Chinese character right beside it (one space allowed between)
const HALF_WIDTH_BY_CJK = new RegExp(`[${CJK}] ?[,:;()!?]|[,:;()!?] ?[${CJK}]`, 'u');

/** The source with comments blanked out (line breaks kept, so line numbers hold). */
export function withoutComments(source: string): string {
  let out = '';
  let i = 0;
  let lastCode = '';
  const blank = (text: string) => text.replace(/[^\n]/g, ' ');
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end < 0 ? source.length : end;
      out += blank(source.slice(i, stop));
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += blank(source.slice(i, stop));
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j + 1;
      lastCode = c;
    } else if (c === '/' && /[(,=:[!&|?{};]|^$/.test(lastCode)) {
      // a regular expression literal: its quotes are not strings
      let j = i + 1;
      let inClass = false;
      while (j < source.length && source[j] !== '\n' && (source[j] !== '/' || inClass)) {
        if (source[j] === '\\') j++;
        else if (source[j] === '[') inClass = true;
        else if (source[j] === ']') inClass = false;
        j++;
      }
      out += blank(source.slice(i, j + 1)); // a pattern, not text anyone reads
      i = j + 1;
      lastCode = '/';
    } else {
      out += c;
      if (!/\s/.test(c)) lastCode = c;
      i++;
    }
  }
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
  return withoutComments(source)
    .split('\n')
    .flatMap((line, i) => (HALF_WIDTH_BY_CJK.test(line) ? [`${file}:${i + 1}  ${line.trim()}`] : []));
}

describe('the scanner', () => {
  it('finds half-width marks beside Chinese in strings and JSX text, and ignores comments and code', () => {
    const sample = [
      "const a = '动作未闭环,请补全'", // 1: flagged
      '// 注释里的 (括号) 不算', // 2: a comment
      "const b = `${label}: 请选择`", // 3: flagged (: then a space then 请)
      '<Text>选填 (客户原话)</Text>', // 4: flagged
      "const c = '动作未闭环，请补全'", // 5: full width, fine
      "if (a && b) call(x, y) /* 说明: 无 */", // 6: code and a block comment
      "const re = /[,'](无)/; const d = 'ok'", // 7: a regex, not a string
    ].join('\n');
    expect(halfWidthNextToChinese('sample.tsx', sample).map((hit) => hit.split('  ')[0])).toEqual(['sample.tsx:1', 'sample.tsx:3', 'sample.tsx:4']);
    expect(halfWidthNextToChinese('p.yaml', 'a: [无, 同上]  # 注释 (x)\nb: { c: 说明, d: 有 }\ne: 说明, 有\n')).toEqual(['p.yaml:3  说明, 有']);
  });
});

describe('user-facing text uses full-width punctuation', () => {
  it.each(SWEPT)('%s', (file) => {
    const hits = halfWidthNextToChinese(file, readFileSync(path.join(ROOT, file), 'utf8'));
    expect(hits).toEqual([]);
  });
});
