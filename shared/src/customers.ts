import { z } from 'zod';
import { STAGE_CODES, type StageCode } from './stages';
import { MISSING, dbId, labelled } from './validation';
import { XML_SAFE_TEXT, XML_UNSAFE_MESSAGE } from './xml-safe';

/** The option lists a customer form needs; they come from config/ via GET /api/v1/options. */
export interface CustomerOptions {
  stages: { code: StageCode; label: string }[];
  industries: string[];
  hospitalLevels: string[];
  departmentActivity: string[];
  grades: string[];
}

export const CUSTOMER_FIELD_LABELS = {
  name: '客户名称',
  industry: '所属行业',
  stage: '当前阶段',
  ownerId: '负责人',
  grade: '客户等级',
  province: '省份',
  city: '城市',
  address: '地址',
  contactName: '联系人',
  contactPhone: '联系电话',
  hospitalLevel: '医院等级',
  departmentActivity: '科室活跃度',
  notes: '备注',
  gradingInputs: '分级数据',
  paymentOnTimeRate: '回款准时率',
  inventoryConsumptionSpeed: '库存消耗速度',
  competitorPenetration: '竞品渗透率',
  lastFollowUpAt: '最近跟进时间',
} as const;

const L = CUSTOMER_FIELD_LABELS;
const oneOf = (values: readonly string[]) => z.enum(values as [string, ...string[]]);
const text = (max: number) => z.string().trim().max(max).regex(XML_SAFE_TEXT, XML_UNSAFE_MESSAGE);
const optionalText = (max: number, label: string) =>
  labelled(
    text(max)
      .nullable()
      .optional()
      .transform((v) => (v === '' ? null : v)),
    label,
  );

const percent = (label: string) => labelled(z.number().min(0).max(100), label).optional();

export const gradingInputsSchema = labelled(
  z
    .object({
      paymentOnTimeRate: percent(L.paymentOnTimeRate),
      inventoryConsumptionSpeed: percent(L.inventoryConsumptionSpeed),
      competitorPenetration: percent(L.competitorPenetration),
    })
    .strict(),
  L.gradingInputs,
);

const phonePattern = /^[0-9+\-() ]{5,30}$/;

/**
 * Characters that show as nothing: zero-width space/joiners, word joiner, soft hyphen, BOM, bidi marks
 * (all of Unicode's format class Cf), the combining grapheme joiner, Hangul fillers and variation
 * selectors. A name made only of them looks empty and is; around real text they would make a
 * duplicate look new.
 */
export const INVISIBLE_CHARACTERS = /[\p{Cf}\u034F\u115F\u1160\u3164\uFFA0\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/gu;

export const withoutInvisible = (text: string) => text.replace(INVISIBLE_CHARACTERS, '');

/** A customer name as stored: invisible characters dropped, trimmed, and something left that tells it apart. */
const customerName = labelled(
  z
    .string()
    .transform(withoutInvisible)
    .pipe(text(100).min(1))
    .refine((name) => customerNameKey(name) !== '', { message: '客户名称须包含文字或数字' }),
  CUSTOMER_FIELD_LABELS.name,
);

export function makeCustomerSchemas(options: CustomerOptions) {
  const stageCodes = options.stages.map((s) => s.code);
  const editable = {
    name: customerName,
    industry: labelled(oneOf(options.industries), L.industry),
    province: optionalText(20, L.province),
    city: optionalText(30, L.city),
    address: optionalText(200, L.address),
    contactName: optionalText(30, L.contactName),
    contactPhone: labelled(
      text(30)
        .regex(phonePattern, '格式不正确')
        .nullable()
        .optional()
        .or(z.literal('').transform(() => null)),
      L.contactPhone,
    ),
    hospitalLevel: labelled(oneOf(options.hospitalLevels).nullable().optional(), L.hospitalLevel),
    departmentActivity: labelled(oneOf(options.departmentActivity).nullable().optional(), L.departmentActivity),
    grade: labelled(oneOf(options.grades).nullable().optional(), L.grade),
    notes: optionalText(500, L.notes),
    gradingInputs: gradingInputsSchema.nullable().optional(),
  };

  const create = z
    .object({
      ...editable,
      stage: labelled(oneOf(stageCodes), L.stage).default('lead'),
      ownerId: dbId(L.ownerId).optional(),
    })
    .strict();

  const update = z
    .object({
      ...editable,
      name: editable.name.optional(),
      industry: editable.industry.optional(),
      stage: labelled(oneOf(stageCodes), L.stage).optional(),
    })
    .strict()
    .refine((v) => Object.keys(v).length > 0, { message: '没有要修改的内容' });

  const list = z
    .object({
      q: labelled(text(50), '搜索词').optional(),
      stage: labelled(oneOf(stageCodes), L.stage).optional(),
      ownerId: dbId(L.ownerId, { coerce: true }).optional(),
      grade: labelled(oneOf(options.grades), L.grade).optional(),
      overdue: labelled(z.enum(['true', 'false']).transform((v) => v === 'true'), '是否逾期').optional(),
      page: labelled(z.coerce.number().int().min(1).max(100000), '页码').default(1),
      pageSize: labelled(z.coerce.number().int().min(1).max(100), '每页条数').default(20),
    })
    .strict();

  const reassign = z.object({ ownerId: dbId('新负责人') }).strict();

  return { create, update, list, reassign };
}

/** The lost reason that needs a few words of its own. */
export const OTHER_LOST_REASON = '其他';
export const DEFAULT_LOST_REASONS = ['价格', '竞品锁定', '预算取消', '联系人离职', '其他'];
export const CUSTOMER_CLOSE_LABELS = { reason: '丢单原因', note: '原因说明' } as const;

/**
 * 关闭/丢单: a reason from policy options.lostReasons (其他 with a note). Reopening (the supervisor's)
 * may say why.
 */
export function makeCustomerCloseSchemas(lostReasons: readonly string[] = DEFAULT_LOST_REASONS) {
  const reasons = lostReasons.length ? lostReasons : DEFAULT_LOST_REASONS;
  const close = z
    .object({
      // none given: 「请选择丢单原因」 (MISSING); a value not in the list names the choices
      reason: labelled(
        z.enum(reasons as [string, ...string[]], { error: (issue) => (issue.input === undefined || issue.input === null ? MISSING : `只能选择 ${reasons.join('、')} 之一`) }),
        CUSTOMER_CLOSE_LABELS.reason,
      ),
      note: labelled(text(100), CUSTOMER_CLOSE_LABELS.note).optional(),
    })
    .strict()
    .refine((v) => v.reason !== OTHER_LOST_REASON || !!v.note?.trim(), { path: ['note'], message: `丢单原因选择「${OTHER_LOST_REASON}」时请填写原因说明` });
  const reopen = z.object({ note: labelled(text(100), '重新打开说明').optional() }).strict();
  return { close, reopen };
}
export type CustomerCloseInput = z.output<ReturnType<typeof makeCustomerCloseSchemas>['close']>;

/** 丢单 · 竞品锁定 / 丢单 · 其他（院长换人）: a closed customer's reason as people read it. */
export function lostReasonText(reason: string | null | undefined, note?: string | null): string {
  if (!reason) return '';
  const said = note?.trim();
  return reason === OTHER_LOST_REASON && said ? `${reason}（${said}）` : said ? `${reason} · ${said}` : reason;
}

export type CustomerSchemas = ReturnType<typeof makeCustomerSchemas>;
export type CustomerCreateInput = z.output<CustomerSchemas['create']>;
export type CustomerUpdateInput = z.output<CustomerSchemas['update']>;
export type CustomerListQuery = z.output<CustomerSchemas['list']>;

/**
 * Folds a customer name for duplicate detection: full-width to half-width, case, spaces, punctuation
 * and invisible characters removed, so "北京协和医院", "北京 协和医院（ ）" and "北京\u200B协和医院" are one customer.
 */
export function customerNameKey(name: string): string {
  return withoutInvisible(name.normalize('NFKC'))
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}\p{Cc}]/gu, '')
    .slice(0, 100);
}

export { STAGE_CODES };
