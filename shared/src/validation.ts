import { z } from 'zod';

/** Chinese messages written for a rep, not a programmer; each is prefixed by the field's label. */
export const chineseErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.input === undefined && issue.code !== 'custom' && issue.code !== 'unrecognized_keys') return '为必填项';
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null) return '为必填项';
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
      return `不是有效选项, 可选: ${issue.values.map(String).join('、')}`;
    case 'too_big':
      if (issue.origin === 'string') return `不能超过 ${issue.maximum} 个字`;
      if (issue.origin === 'array') return `最多 ${issue.maximum} 项`;
      return `不能大于 ${issue.maximum}`;
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? '不能为空' : `至少 ${issue.minimum} 个字`;
      if (issue.origin === 'array') return `至少 ${issue.minimum} 项`;
      return `不能小于 ${issue.minimum}`;
    case 'invalid_format':
      return '格式不正确';
    case 'not_multiple_of':
      return '必须是整数';
    case 'unrecognized_keys':
      return `包含不认识的字段: ${issue.keys.join('、')}`;
    default:
      return '填写不正确';
  }
};

z.config({ customError: chineseErrorMap });

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

export type FieldErrors = Record<string, string>;

/** Turns a zod error into `{ "field.path": "客户名称不能为空" }`, one message per field. */
export function fieldErrors(root: z.ZodType, error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    if (fields[key]) continue;
    const label = issue.path.length ? labelOf(root, issue.path) : '';
    // a refine() message is a whole sentence of its own ("请上传截图或粘贴聊天记录作为凭证")
    fields[key] = issue.code === 'custom' ? issue.message : `${label}${issue.message}`;
  }
  return fields;
}

export type Validated<T> = { ok: true; data: T } | { ok: false; fields: FieldErrors };

export function validate<S extends z.ZodType>(schema: S, input: unknown): Validated<z.output<S>> {
  const result = schema.safeParse(input);
  return result.success ? { ok: true, data: result.data } : { ok: false, fields: fieldErrors(schema, result.error) };
}
