import { z } from 'zod';

/**
 * What the error map says of a value that is missing (or blank text). Where a label reads before it
 * (config paths: 「timeZone：为必填项」) it stands; for a person, fieldErrors words it the one way
 * every form does: 「请选择X」 for what is picked, 「请填写X」 for what is written.
 */
export const MISSING = '为必填项';

/** Chinese messages written for a rep, not a programmer; each is prefixed by the field's label. */
export const chineseErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.input === undefined && issue.code !== 'custom' && issue.code !== 'unrecognized_keys') return MISSING;
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null) return MISSING;
      return issue.expected === 'number' || issue.expected === 'int'
        ? '必须是数字'
        : issue.expected === 'string'
          ? '必须是文字'
          : issue.expected === 'boolean'
            ? '必须是 是/否'
            : issue.expected === 'array'
              ? '必须是列表'
              : issue.expected === 'object'
                ? '格式不正确'
                : '类型不正确';
    case 'invalid_value':
      return `不是有效选项，可选：${issue.values.map(String).join('、')}`;
    case 'too_big':
      if (issue.origin === 'string') return `不能超过 ${issue.maximum} 个字`;
      if (issue.origin === 'array') return `最多 ${issue.maximum} 项`;
      return `不能大于 ${issue.maximum}`;
    case 'too_small':
      // blank text is text not written: worded as missing, like a visit's blank anchor
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? MISSING : `至少 ${issue.minimum} 个字`;
      if (issue.origin === 'array') return `至少 ${issue.minimum} 项`;
      return `不能小于 ${issue.minimum}`;
    case 'invalid_format':
      return '格式不正确';
    case 'not_multiple_of':
      return '必须是整数';
    case 'unrecognized_keys':
      return `包含不认识的字段：${issue.keys.join('、')}`;
    default:
      return '填写不正确';
  }
};

z.config({ customError: chineseErrorMap });

// Fields picked rather than written (an id from a list, a date from a picker); enums, literals and
// booleans are picks by their kind. Kept here, not in meta(), so OpenAPI does not carry it.
const PICKED = new WeakSet<object>();

/** Marks a field as picked from a list or a picker: missing, it reads 「请选择X」, not 「请填写X」. */
export function picked<T extends z.ZodType>(schema: T): T {
  PICKED.add(schema);
  return schema;
}

function isPicked(schema: z.ZodType | undefined): boolean {
  let current: unknown = schema;
  for (let depth = 0; current && depth < 6; depth++) {
    if (PICKED.has(current as object)) return true;
    const def = (current as { _zod?: { def?: { type?: string; innerType?: unknown; in?: unknown } } })._zod?.def;
    if (def?.type === 'enum' || def?.type === 'literal' || def?.type === 'boolean') return true;
    current = def?.innerType ?? def?.in;
  }
  return false;
}

/** A field's Chinese label, recorded on the schema so validation, forms and OpenAPI share it. */
export function labelled<T extends z.ZodType>(schema: T, title: string): T {
  return schema.meta({ title });
}

function titleOf(schema: z.ZodType | undefined): string | undefined {
  let current: unknown = schema;
  for (let depth = 0; current && depth < 6; depth++) {
    const title = z.globalRegistry.get(current as z.ZodType)?.title;
    if (title) return title;
    const def = (current as { _zod?: { def?: { innerType?: unknown; in?: unknown } } })._zod?.def;
    current = def?.innerType ?? def?.in;
  }
  return undefined;
}

function childOf(schema: z.ZodType | undefined, key: PropertyKey): z.ZodType | undefined {
  let current: unknown = schema;
  for (let depth = 0; current && depth < 6; depth++) {
    const def = (current as { _zod?: { def?: { type?: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: unknown; in?: unknown } } })._zod?.def;
    if (!def) return undefined;
    if (def.type === 'object' && def.shape) return def.shape[String(key)];
    if (def.type === 'array' && def.element) return def.element;
    current = def.innerType ?? def.in;
  }
  return undefined;
}

export function labelOf(root: z.ZodType, path: readonly PropertyKey[]): string {
  let schema: z.ZodType | undefined = root;
  const parts: string[] = [];
  for (const key of path) {
    schema = childOf(schema, key);
    if (typeof key === 'number') parts.push(`第 ${key + 1} 项`);
    else parts.push(titleOf(schema) ?? String(key));
  }
  return parts.join(' ');
}

function schemaAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let schema: z.ZodType | undefined = root;
  for (const key of path) schema = childOf(schema, key);
  return schema;
}

export type FieldErrors = Record<string, string>;

/** Turns a zod error into `{ "field.path": "请填写客户名称" }`, one message per field. */
export function fieldErrors(root: z.ZodType, error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    if (fields[key]) continue;
    const label = issue.path.length ? labelOf(root, issue.path) : '';
    // a refine() message is a whole sentence of its own ("请上传截图或粘贴聊天记录作为凭证")
    if (issue.code === 'custom') fields[key] = issue.message;
    else if (issue.message === MISSING) fields[key] = `${isPicked(schemaAt(root, issue.path)) ? '请选择' : '请填写'}${label || '内容'}`;
    else fields[key] = `${label}${issue.message}`;
  }
  return fields;
}

export type Validated<T> = { ok: true; data: T } | { ok: false; fields: FieldErrors };

export function validate<S extends z.ZodType>(schema: S, input: unknown): Validated<z.output<S>> {
  const garbled = illFormedTextPaths(input);
  if (garbled.length) return { ok: false, fields: Object.fromEntries(garbled.map((p) => [p.map(String).join('.') || '_', `${labelOf(schema, p)}含有无法识别的字符（不成对的代理项），请重新输入`])) };
  const result = schema.safeParse(input);
  return result.success ? { ok: true, data: result.data } : { ok: false, fields: fieldErrors(schema, result.error) };
}

/** The largest id an INT column holds (MySQL signed INT): anything above is no record, not a 500. */
export const DB_ID_MAX = 2_147_483_647;

/** A database id: a positive integer an INT column can hold; `coerce` for query strings. */
export function dbId(label: string, options: { coerce?: boolean } = {}) {
  const base = options.coerce ? z.coerce.number() : z.number();
  return picked(labelled(base.int('不是有效的编号').min(1, '不是有效的编号').max(DB_ID_MAX, '不是有效的编号'), label));
}

/** YYYY-MM-DD naming a real calendar day: 2026-13-01 and 2026-02-30 are refused, not rolled over. */
export function isValidIsoDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  return year >= 1 && d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

export function isoDate(label: string) {
  return picked(labelled(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '格式应为 YYYY-MM-DD').refine(isValidIsoDate, `${label}不是有效的日期`), label));
}

// A lone UTF-16 surrogate: MySQL would store it as「?」, so the text is refused instead of altered.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** Paths of the strings (and object keys) in a parsed body that hold lone surrogates. */
function illFormedTextPaths(input: unknown, path: PropertyKey[] = [], found: PropertyKey[][] = [], depth = 0): PropertyKey[][] {
  if (typeof input === 'string') {
    if (hasLoneSurrogate(input)) found.push(path);
  } else if (input && typeof input === 'object' && depth < 8 && found.length < 20) {
    for (const [key, value] of Array.isArray(input) ? input.entries() : Object.entries(input)) {
      if (typeof key === 'string' && hasLoneSurrogate(key)) found.push([...path]);
      else illFormedTextPaths(value, [...path, key], found, depth + 1);
    }
  }
  return found;
}
