import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { halfWidthNextToChinese } from '../support/wording-scan';

// Chinese text takes full-width punctuation （，：；（）！？）: 「动作未闭环，请补全」, not 「动作未闭环,请补全」.
// This scans what people read — string literals and JSX text in code, values in config/*.yaml — for
// half-width , : ; ( ) ! ? next to a Chinese character, and names file:line of each.
//
// Every file people's text can live in is scanned: shared/src, server/src and miniprogram/src
// (walked, not listed), config/*.yaml and config/*.ts. EXEMPT names the few whose hits are not text
// people read, each with the reason.
const ROOT = path.resolve(__dirname, '../..');
const EXEMPT: Record<string, string> = {
  // the date parser's patterns are built from strings (new RegExp(...)): its ( ) ? : are regex syntax
  // around the Chinese words it matches, never shown to anyone
  'shared/src/voice-note/dates.ts': 'regex sources',
};

function walk(dir: string, extensions: string[]): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(rel, extensions);
    return extensions.some((ext) => entry.name.endsWith(ext)) ? [rel] : [];
  });
}

const FILES = [
  ...walk('shared/src', ['.ts']),
  ...walk('server/src', ['.ts']),
  ...readdirSync(path.join(ROOT, 'config'))
    .filter((name) => /\.(ya?ml|ts)$/.test(name))
    .map((name) => `config/${name}`),
  ...walk('miniprogram/src', ['.ts', '.tsx']),
]
  .filter((file) => !(file in EXEMPT))
  .sort();

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
      "const days = { 明天: [1], 后天: [2] }", // 8: Chinese keys in code
      "const f = (x) => x > 1 ? '对' : '错'", // 9: an arrow and a comparison, no text
      "<View className='x'>{n}个, 共{m}</View>", // 10: flagged
    ].join('\n');
    expect(halfWidthNextToChinese('sample.tsx', sample).map((hit) => hit.split('  ')[0])).toEqual(['sample.tsx:1', 'sample.tsx:3', 'sample.tsx:4', 'sample.tsx:10']);
    expect(halfWidthNextToChinese('p.yaml', 'a: [无, 同上]  # 注释 (x)\nb: { c: 说明, d: 有 }\ne: 说明, 有\n')).toEqual(['p.yaml:3  说明, 有']);
  });
});

describe('user-facing text uses full-width punctuation', () => {
  it('covers every source directory', () => {
    expect(FILES.filter((f) => f.startsWith('shared/src/')).length).toBeGreaterThan(5);
    expect(FILES.filter((f) => f.startsWith('server/src/')).length).toBeGreaterThan(5);
    expect(FILES.filter((f) => f.startsWith('miniprogram/src/')).length).toBeGreaterThan(5);
    expect(FILES).toContain('config/policy.yaml');
    // an exemption outlives no file: a moved or renamed one would otherwise go unscanned unnoticed
    for (const file of Object.keys(EXEMPT)) expect(existsSync(path.join(ROOT, file))).toBe(true);
  });

  it.each(FILES)('%s', (file) => {
    const hits = halfWidthNextToChinese(file, readFileSync(path.join(ROOT, file), 'utf8'));
    expect(hits).toEqual([]);
  });
});
