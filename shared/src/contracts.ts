/**
 * Contracts (合同审批, SPEC §9): one definition of a draft for the server (validation) and the app (the same
 * checks before sending, the same labels). Money is integer fen throughout; the instalments (回款计划) must
 * add up to the contract amount exactly, to the fen.
 */
import { z } from 'zod';
import { dbId, isoDate, labelled } from './validation';
import { formatYuan, MAX_AMOUNT_FEN } from './money';

export const CONTRACT_STATES = ['draft', 'submitted', 'approved', 'rejected'] as const;
export type ContractState = (typeof CONTRACT_STATES)[number];

export const CONTRACT_STATE_LABELS: Record<ContractState, string> = { draft: '草稿', submitted: '审批中', approved: '已通过', rejected: '已驳回' };

/** A rep may change the contract only before it is submitted or after a rejection (then resubmit it). */
export const EDITABLE_CONTRACT_STATES: readonly ContractState[] = ['draft', 'rejected'];

export const CONTRACT_LIMITS = {
  /** ¥100 亿, the app's one ceiling (money.ts): what `yuanToFen` reads from the form is what the server takes */
  maxAmountFen: MAX_AMOUNT_FEN,
  maxLines: 50,
  maxQuantity: 1_000_000,
  maxInstalments: 36,
  keyTermsMax: 2000,
  maxScans: 10,
  supportAnswerMax: 1000,
  maxSupportMaterials: 10,
} as const;

/** HT-000012: how people name a contract. */
export const contractNumber = (id: number): string => `HT-${String(id).padStart(6, '0')}`;

const fen = (label: string, min = 1) => labelled(z.number().int('必须是整数（分）').min(min, min > 0 ? '必须大于 0' : '不能为负数').max(CONTRACT_LIMITS.maxAmountFen), label);

export interface InstalmentInput {
  seq: number;
  dueDate: string;
  amountFen: number;
}

/**
 * The checks across fields, one place for both sides: instalments numbered 1, 2, 3 … in order, due dates
 * not going backwards, and their amounts adding up to the contract amount exactly. Each message names the field.
 */
export function instalmentProblems(amountFen: number, instalments: readonly InstalmentInput[]): Record<string, string> {
  const problems: Record<string, string> = {};
  instalments.forEach((p, i) => {
    if (p.seq !== i + 1) problems[`instalments.${i}.seq`] = `回款计划第 ${i + 1} 期的期数应为 ${i + 1}`;
    const prev = instalments[i - 1];
    if (prev && p.dueDate < prev.dueDate) problems[`instalments.${i}.dueDate`] = `回款计划第 ${i + 1} 期的到期日不能早于第 ${i} 期（${prev.dueDate}）`;
  });
  const sum = instalments.reduce((n, p) => n + p.amountFen, 0);
  if (instalments.length && sum !== amountFen) {
    problems.instalments = `回款计划各期金额合计 ${formatYuan(sum)}，与合同金额 ${formatYuan(amountFen)} 不一致（${sum > amountFen ? '多' : '少'} ${formatYuan(Math.abs(sum - amountFen))}）`;
  }
  return problems;
}

/** The fields of a draft (the contract amount, lines, instalments, key terms …), checked against the policy's product models. */
export function makeContractSchemas(productModels: readonly string[]) {
  const models = productModels as [string, ...string[]];
  const line = z
    .object({
      model: labelled(z.enum(models), '产品型号'),
      quantity: labelled(z.number().int('必须是整数').min(1, '至少为 1').max(CONTRACT_LIMITS.maxQuantity), '数量'),
    })
    .strict();
  const instalment = z
    .object({
      seq: labelled(z.number().int().min(1).max(CONTRACT_LIMITS.maxInstalments), '期数'),
      dueDate: isoDate('到期日'),
      amountFen: fen('每期金额'),
    })
    .strict();
  const fields = {
    amountFen: fen('合同金额'),
    lines: labelled(z.array(line).min(1, '至少填写一个产品').max(CONTRACT_LIMITS.maxLines), '产品明细'),
    instalments: labelled(z.array(instalment).min(1, '至少填写一期回款').max(CONTRACT_LIMITS.maxInstalments), '回款计划'),
    keyTerms: labelled(z.string().trim().min(1).max(CONTRACT_LIMITS.keyTermsMax), '关键条款'),
    needsMarketing: labelled(z.boolean(), '需市场支持').default(false),
    scanIds: labelled(z.array(dbId('合同扫描件')).max(CONTRACT_LIMITS.maxScans), '合同扫描件').default([]),
  };
  const crossCheck = (v: { amountFen: number; instalments: InstalmentInput[] }, ctx: z.RefinementCtx) => {
    for (const [key, message] of Object.entries(instalmentProblems(v.amountFen, v.instalments))) ctx.addIssue({ code: 'custom', message, path: key.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k)) });
  };
  const create = z.object({ customerId: dbId('客户'), ...fields }).strict().superRefine(crossCheck);
  const update = z.object(fields).strict().superRefine(crossCheck);
  return { create, update };
}
export type ContractSchemas = ReturnType<typeof makeContractSchemas>;
export type ContractCreateInput = z.output<ContractSchemas['create']>;
export type ContractUpdateInput = z.output<ContractSchemas['update']>;

/** POST /contracts/:id/marketing-support/answer: marketing's answer, with materials picked from the material center. */
export const contractSupportAnswerSchema = z
  .object({
    text: labelled(z.string().trim().min(1).max(CONTRACT_LIMITS.supportAnswerMax), '答复内容'),
    materialIds: labelled(z.array(dbId('素材')).max(CONTRACT_LIMITS.maxSupportMaterials), '素材').default([]),
  })
  .strict();
export type ContractSupportAnswerInput = z.output<typeof contractSupportAnswerSchema>;

// ── what the API answers ────────────────────────────────────────────────────────────────────────
const person = z.object({ id: z.number().int(), name: z.string() });
export const contractLineSchema = z.object({ model: z.string(), quantity: z.number().int() });
export const contractInstalmentSchema = z.object({ seq: z.number().int(), dueDate: z.string(), amountFen: z.number().int() });

export const contractStepSchema = z.object({
  index: z.number().int(),
  rule: z.enum(['supervisor', 'director', 'pool']),
  /** who acts: the member, or the pool's label (财务) */
  assignee: z.string(),
  state: z.enum(['waiting', 'open', 'approved', 'rejected']),
  decidedBy: person.nullable(),
  decidedAt: z.string().nullable(),
  reason: z.string().nullable(),
  taskId: z.number().int().nullable(),
  comments: z.array(z.object({ by: person.nullable(), comment: z.string(), at: z.string() })),
});

export const contractApprovalSchema = z.object({
  id: z.number().int(),
  state: z.enum(['open', 'approved', 'rejected']),
  startedAt: z.string(),
  decidedAt: z.string().nullable(),
  reason: z.string().nullable(),
  steps: z.array(contractStepSchema),
});

export const contractSupportSchema = z.object({
  taskId: z.number().int(),
  createdAt: z.string(),
  state: z.enum(['open', 'answered']),
  answer: z
    .object({ text: z.string(), by: person.nullable(), at: z.string(), materials: z.array(z.object({ id: z.number().int(), title: z.string(), kind: z.string() })) })
    .nullable(),
});

export const contractSummarySchema = z.object({
  id: z.number().int(),
  number: z.string(),
  customer: person,
  owner: person,
  state: z.enum(CONTRACT_STATES),
  stateLabel: z.string(),
  amountFen: z.number().int(),
  needsMarketing: z.boolean(),
  submittedAt: z.string().nullable(),
  decidedAt: z.string().nullable(),
  rejectReason: z.string().nullable(),
  /** where an open chain waits: 「第 2/3 步 · 东区总监」 */
  waitingAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ContractSummary = z.output<typeof contractSummarySchema>;

export const contractSchema = contractSummarySchema.extend({
  lines: z.array(contractLineSchema),
  instalments: z.array(contractInstalmentSchema),
  keyTerms: z.string(),
  scans: z.array(z.object({ id: z.number().int(), contentType: z.string(), size: z.number().int() })),
  /** what the caller may do now (the app shows these buttons) */
  can: z.object({ edit: z.boolean(), submit: z.boolean(), answerSupport: z.boolean() }),
  /** newest first: the current chain, then earlier (rejected) ones */
  approvals: z.array(contractApprovalSchema),
  support: contractSupportSchema.nullable(),
});
export type ContractView = z.output<typeof contractSchema>;

export const contractPageSchema = z.object({ items: z.array(contractSummarySchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
export type ContractPage = z.output<typeof contractPageSchema>;
