import { z } from 'zod';
import { addDays, isWorkingDay, type CheckinPolicy } from './checkins';
import { formatYuan, MAX_AMOUNT_FEN } from './money';
import type { Role } from './org';
import { scopeOf } from './permissions';
import { dbId, isoDate, labelled } from './validation';

/**
 * The rebate calculator (智能返点计算器, SPEC §8): finance's rule table, its checks, and which rule a
 * calculation takes. Pure, so the server and the app (the table editor shows the same row errors before
 * saving) read one definition.
 *
 * A rule's key is customer grade × customer type (the customer's 所属行业) × product model × delivery
 * cycle; an empty part means 不限 (any). Within one exact key the amount bands [minFen, maxFen) must
 * neither overlap nor leave a gap; maxFen null is open-ended (only the last band of a key).
 */

export const ANY = '';
export const ANY_LABEL = '不限';

export const REBATE_STATES = ['pending', 'documents_missing', 'approved', 'rejected', 'paid'] as const;
export type RebateState = (typeof REBATE_STATES)[number];
export const REBATE_STATE_LABELS: Record<RebateState, string> = {
  pending: '待财务审核',
  documents_missing: '待补资料',
  approved: '已通过',
  rejected: '已驳回',
  paid: '已打款',
};

/**
 * What a list of rebate requests holds for a role, named for the screen: GET /rebate-requests answers the
 * reach of rebates.request.read — a rep's own (我的返点申请), a supervisor's team's (本组), a director's
 * region's (本大区), finance's and admins' all (返点申请).
 */
export function rebateRequestsTitle(role: Role | null | undefined): string {
  switch (scopeOf(role, 'rebates.request.read')) {
    case 'own':
      return '我的返点申请';
    case 'team':
      return '本组返点申请';
    case 'region':
      return '本大区返点申请';
    default:
      return '返点申请';
  }
}

export const REBATE_RULE_LABELS = {
  grade: '客户等级',
  customerType: '客户类型',
  productModel: '产品型号',
  deliveryCycle: '交付周期',
  minFen: '金额下限',
  maxFen: '金额上限',
  rateMinBp: '返点下限',
  rateMaxBp: '返点上限',
  documents: '所需单据',
  payoutDelayDays: '打款周期（工作日）',
} as const;
const L = REBATE_RULE_LABELS;

const keyText = (label: string, max: number) => labelled(z.string().trim().max(max, `${label}最多 ${max} 个字`), label).default(ANY);
const fen = (label: string) => labelled(z.number().int(`${label}须为整数（分）`).min(0, `${label}不能为负数`).max(MAX_AMOUNT_FEN, `${label}过大`), label);
const bp = (label: string) => labelled(z.number().int(`${label}须为整数（基点）`).min(0, `${label}不能为负数`).max(10000, `${label}不能超过 100%`), label);

/** One rule as finance saves it (amounts in fen, rates in basis points: 1% = 100). */
export const rebateRuleInputSchema = z
  .object({
    grade: keyText(L.grade, 10),
    customerType: keyText(L.customerType, 50),
    productModel: keyText(L.productModel, 60),
    deliveryCycle: keyText(L.deliveryCycle, 20),
    minFen: fen(L.minFen),
    maxFen: fen(L.maxFen).nullable().default(null),
    rateMinBp: bp(L.rateMinBp),
    rateMaxBp: bp(L.rateMaxBp),
    documents: labelled(z.array(z.string().trim().min(1).max(30)).max(20, '所需单据最多 20 种'), L.documents).default([]),
    payoutDelayDays: labelled(z.number().int('须为整数（工作日）').min(0, '不能为负数').max(365, '不能超过 365 个工作日'), L.payoutDelayDays),
  })
  .strict();
export type RebateRuleInput = z.output<typeof rebateRuleInputSchema>;

/** POST /rebate-rules/versions: a whole new table, in force from a day (policy time zone). */
export const rebateVersionInputSchema = z
  .object({
    effectiveFrom: isoDate('生效日期'),
    note: labelled(z.string().trim().max(200, '说明最多 200 个字'), '说明').default(''),
    rules: labelled(z.array(rebateRuleInputSchema).min(1, '至少需要一条规则').max(2000, '一个版本最多 2000 条规则'), '规则'),
  })
  .strict();
export type RebateVersionInput = z.output<typeof rebateVersionInputSchema>;

/** What the table's values may be: the policy's lists (grades from grading, types from options.industries). */
export interface RebateChoices {
  grades: readonly string[];
  customerTypes: readonly string[];
  /** policy options.productModels: the same list a contract's lines take */
  productModels: readonly string[];
  deliveryCycles: readonly string[];
  documentTypes: readonly string[];
}

export interface RuleProblem {
  /** the row as the person numbers it (the table's 第 n 行, the sheet's row) */
  row: number;
  column: string | null;
  message: string;
}

type KeyParts = Pick<RebateRuleInput, 'grade' | 'customerType' | 'productModel' | 'deliveryCycle'>;

const modelKey = (model: string) => model.normalize('NFKC').trim().toUpperCase();

/**
 * The policy's spelling of a product model typed or imported (ignoring case, full/half width and the
 * spaces around it: 「us-5000 超声诊断仪」 is 「US-5000 超声诊断仪」), or null when it is not in the list.
 */
export function listedModel(model: string, productModels: readonly string[]): string | null {
  const key = modelKey(model);
  return productModels.find((m) => modelKey(m) === key) ?? null;
}

/** 「产品型号「X」不在可选范围内（A、B、C）」: the one wording for the table, the import and the calculator. */
export function unlistedModelMessage(model: string, productModels: readonly string[], anyAllowed = false): string {
  return `${L.productModel}「${model.slice(0, 60)}」不在可选范围内（${productModels.join('、')}${anyAllowed ? '，或留空表示不限' : ''}）`;
}

/** The exact key of a rule (its parts, 不限 as empty); product models compare ignoring case and width. */
export function ruleKey(r: KeyParts): string {
  return [r.grade, r.customerType, r.productModel.normalize('NFKC').toUpperCase(), r.deliveryCycle].join('|');
}

/** 「A+ · 公立医院 · GX-200 · 30天」, 不限 for an open part. */
export function ruleKeyLabel(r: KeyParts): string {
  return [r.grade, r.customerType, r.productModel, r.deliveryCycle].map((p) => p || ANY_LABEL).join(' · ');
}

/** 「¥0.00–¥100,000.00」, 「¥100,000.00 以上」 for an open band. */
export function bandLabel(r: Pick<RebateRuleInput, 'minFen' | 'maxFen'>): string {
  return r.maxFen === null ? `${formatYuan(r.minFen)} 以上` : `${formatYuan(r.minFen)}–${formatYuan(r.maxFen)}`;
}

/**
 * Every problem of a table, named by row: values outside the policy's lists, a band or range upside
 * down, and per exact key any overlap or gap between its amount bands (both rows named, with their bands).
 * `rows[i]` is how the person numbers rule i (default i + 1).
 */
export function checkRuleTable(rules: readonly RebateRuleInput[], choices: RebateChoices, rows?: readonly number[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const rowOf = (i: number) => rows?.[i] ?? i + 1;
  rules.forEach((r, i) => {
    const row = rowOf(i);
    const listed = (value: string, list: readonly string[], column: string) => {
      if (value !== ANY && !list.includes(value)) problems.push({ row, column, message: `${column}「${value}」不在可选范围内（${list.join('、')}，或留空表示不限）` });
    };
    listed(r.grade, choices.grades, L.grade);
    listed(r.customerType, choices.customerTypes, L.customerType);
    if (r.productModel !== ANY && listedModel(r.productModel, choices.productModels) === null) {
      problems.push({ row, column: L.productModel, message: unlistedModelMessage(r.productModel, choices.productModels, true) });
    }
    listed(r.deliveryCycle, choices.deliveryCycles, L.deliveryCycle);
    for (const d of r.documents) {
      if (!choices.documentTypes.includes(d)) problems.push({ row, column: L.documents, message: `单据「${d}」不在可选范围内（${choices.documentTypes.join('、')}）` });
    }
    if (new Set(r.documents).size !== r.documents.length) problems.push({ row, column: L.documents, message: '所需单据有重复' });
    if (r.maxFen !== null && r.maxFen <= r.minFen) problems.push({ row, column: L.maxFen, message: `金额上限须大于下限（${bandLabel(r)}）` });
    if (r.rateMaxBp < r.rateMinBp) problems.push({ row, column: L.rateMaxBp, message: '返点上限不能小于下限' });
  });
  const byKey = new Map<string, number[]>();
  rules.forEach((r, i) => byKey.set(ruleKey(r), [...(byKey.get(ruleKey(r)) ?? []), i]));
  for (const indexes of byKey.values()) {
    const sorted = indexes.filter((i) => rules[i]!.maxFen === null || rules[i]!.maxFen! > rules[i]!.minFen).sort((a, b) => rules[a]!.minFen - rules[b]!.minFen || a - b);
    // each band against the one reaching furthest so far (a short band inside a long one hides no gap)
    let far = sorted[0];
    for (let k = 1; k < sorted.length; k++) {
      const prev = rules[far!]!;
      const cur = rules[sorted[k]!]!;
      const pair = `第 ${rowOf(far!)} 行（${bandLabel(prev)}）与第 ${rowOf(sorted[k]!)} 行（${bandLabel(cur)}）`;
      const key = ruleKeyLabel(cur);
      if (prev.maxFen === null || cur.minFen < prev.maxFen) {
        problems.push({ row: rowOf(sorted[k]!), column: L.minFen, message: `${pair}的金额区间重叠（同一规则键 ${key}）` });
      } else if (cur.minFen > prev.maxFen) {
        problems.push({ row: rowOf(sorted[k]!), column: L.minFen, message: `${pair}之间有空档：${formatYuan(prev.maxFen)}–${formatYuan(cur.minFen)} 没有规则（同一规则键 ${key}）` });
      }
      if (prev.maxFen !== null && (cur.maxFen === null || cur.maxFen > prev.maxFen)) far = sorted[k];
    }
  }
  return problems.sort((a, b) => a.row - b.row);
}

/** What a calculation is about, as the rule table reads it. */
export interface RebateQuery {
  grade: string | null;
  customerType: string;
  productModel: string;
  deliveryCycle: string;
  amountFen: number;
}

/** How many key parts a rule names (the most specific matching rule wins). */
const specificity = (r: KeyParts) => [r.grade, r.customerType, r.productModel, r.deliveryCycle].filter((p) => p !== ANY).length;

/**
 * The rule a calculation takes: key parts equal or 不限, amount in [minFen, maxFen). The most specific
 * wins (most named parts); among equally specific ones, the first in the table.
 */
export function matchRule<R extends RebateRuleInput>(rules: readonly R[], q: RebateQuery): R | null {
  const model = q.productModel.normalize('NFKC').toUpperCase();
  let best: R | null = null;
  let bestScore = -1;
  for (const r of rules) {
    if (r.grade !== ANY && r.grade !== q.grade) continue;
    if (r.customerType !== ANY && r.customerType !== q.customerType) continue;
    if (r.productModel !== ANY && r.productModel.normalize('NFKC').toUpperCase() !== model) continue;
    if (r.deliveryCycle !== ANY && r.deliveryCycle !== q.deliveryCycle) continue;
    if (q.amountFen < r.minFen || (r.maxFen !== null && q.amountFen >= r.maxFen)) continue;
    const score = specificity(r);
    if (score > bestScore) {
      best = r;
      bestScore = score;
    }
  }
  return best;
}

/**
 * `matchRule` over a table read once: the rules grouped by product model (and 不限), so a calculation looks
 * at the few rules of its model instead of the whole table. Same answer as `matchRule` (order kept).
 */
export function ruleIndex<R extends RebateRuleInput>(rules: readonly R[]): (q: RebateQuery) => R | null {
  const byModel = new Map<string, R[]>();
  for (const r of rules) {
    const model = r.productModel === ANY ? ANY : r.productModel.normalize('NFKC').toUpperCase();
    byModel.set(model, [...(byModel.get(model) ?? []), r]);
  }
  const order = new Map(rules.map((r, i) => [r, i]));
  return (q) => {
    const model = q.productModel.normalize('NFKC').toUpperCase();
    const candidates = [...(byModel.get(model) ?? []), ...(model === ANY ? [] : (byModel.get(ANY) ?? []))].sort((a, b) => order.get(a)! - order.get(b)!);
    return matchRule(candidates, q);
  };
}

/**
 * The day `n` working days after `day` by the check-in calendar (checkins.workingWeekdays, holidays,
 * makeUpWorkdays); 0: the day itself when it works, else the next working day.
 */
export function addWorkingDays(day: string, n: number, calendar: Pick<CheckinPolicy, 'workingWeekdays' | 'holidays' | 'makeUpWorkdays'>): string {
  let at = day;
  let left = n;
  if (left === 0 && isWorkingDay(at, calendar)) return at;
  if (left === 0) left = 1;
  // a calendar without any working day would never end: three years of days at most
  for (let guard = 0; left > 0 && guard < 366 * 3; guard++) {
    at = addDays(at, 1);
    if (isWorkingDay(at, calendar)) left--;
  }
  return at;
}

const amountFen = labelled(z.number().int('订单金额须为整数（分）').min(1, '请填写订单金额').max(MAX_AMOUNT_FEN, '订单金额过大'), '订单金额');
const calcFields = {
  customerId: dbId('客户'),
  productModel: labelled(z.string().trim().min(1, '请选择产品型号').max(60, '产品型号最多 60 个字'), L.productModel),
  amountFen,
  deliveryCycle: labelled(z.string().trim().min(1, '请选择交付周期').max(20), L.deliveryCycle),
};
/** POST /rebates/calculate */
export const rebateCalculateSchema = z.object(calcFields).strict();
export type RebateCalculateInput = z.output<typeof rebateCalculateSchema>;

/** POST /rebate-requests: the calculation and the rate the rep chose within its range. */
export const rebateRequestCreateSchema = z
  .object({
    ...calcFields,
    rateBp: labelled(z.number().int('返点比例须为整数（基点）').min(0, '返点比例不能为负数').max(10000, '返点比例不能超过 100%'), '返点比例'),
    note: labelled(z.string().trim().max(200, '备注最多 200 个字'), '备注').default(''),
  })
  .strict();
export type RebateRequestCreateInput = z.output<typeof rebateRequestCreateSchema>;

export const REBATE_DECISIONS = ['approve', 'reject', 'documents_missing', 'paid'] as const;
export type RebateDecision = (typeof REBATE_DECISIONS)[number];
/** POST /rebate-requests/:id/decision (finance): approve, reject (reason), documents_missing (which), paid. */
export const rebateDecisionSchema = z
  .object({
    action: labelled(z.enum(REBATE_DECISIONS), '操作'),
    reason: labelled(z.string().trim().max(200, '理由最多 200 个字'), '理由').optional(),
    documents: labelled(z.array(z.string().trim().min(1).max(30)).max(20), '缺少的单据').optional(),
  })
  .strict();
export type RebateDecisionInput = z.output<typeof rebateDecisionSchema>;

/** What the calculator answers. */
export interface RebateCalculation {
  customer: { id: number; name: string; grade: string | null; customerType: string };
  productModel: string;
  deliveryCycle: string;
  amountFen: number;
  rateMinBp: number;
  rateMaxBp: number;
  rebateMinFen: number;
  rebateMaxFen: number;
  documentsRequired: string[];
  documentsAttached: string[];
  documentsMissing: string[];
  /** the day the rebate is expected to be paid (YYYY-MM-DD, policy time zone) */
  expectedPayoutDate: string;
  payoutDelayDays: number;
  calculatedOn: string;
  rule: { id: number; versionId: number; version: number; row: number; key: string; band: string };
}

export interface RebateRuleView extends RebateRuleInput {
  id: number;
  row: number;
}

export interface RebateVersionView {
  id: number;
  version: number;
  effectiveFrom: string;
  note: string;
  ruleCount: number;
  createdBy: { id: number; name: string } | null;
  createdAt: string;
}

export interface RebateEventView {
  from: RebateState | null;
  to: RebateState;
  by: { id: number; name: string } | null;
  reason: string | null;
  documents: string[];
  at: string;
}

export interface RebateRequestView {
  id: number;
  state: RebateState;
  stateLabel: string;
  customer: { id: number; name: string };
  requester: { id: number; name: string };
  productModel: string;
  deliveryCycle: string;
  amountFen: number;
  rateBp: number;
  rebateFen: number;
  rateMinBp: number;
  rateMaxBp: number;
  documentsRequired: string[];
  /** what finance named as missing (documents_missing), else [] */
  documentsMissing: string[];
  /** still missing now, from what is attached to the customer */
  documentsStillMissing: string[];
  expectedPayoutDate: string;
  reason: string | null;
  note: string;
  rule: { id: number; versionId: number; version: number; key: string };
  round: number;
  /** the finance pool's open task for this request (its card), while pending */
  taskId: number | null;
  createdAt: string;
  updatedAt: string;
  history?: RebateEventView[];
}

export interface RebateDocumentView {
  id: number;
  customerId: number;
  documentType: string;
  attachmentId: number;
  uploadedBy: { id: number; name: string } | null;
  createdAt: string;
}
