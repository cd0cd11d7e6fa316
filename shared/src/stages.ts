// The six pipeline stages are fixed by the product; config may relabel them, never reorder or add.
export const STAGE_CODES = ['lead', 'visit', 'proposal', 'quote', 'signed', 'delivered'] as const;
export type StageCode = (typeof STAGE_CODES)[number];

export const DEFAULT_STAGE_LABELS: Record<StageCode, string> = {
  lead: '线索',
  visit: '拜访',
  proposal: '方案',
  quote: '报价',
  signed: '签约',
  delivered: '交付',
};

export function isStageCode(value: unknown): value is StageCode {
  return typeof value === 'string' && (STAGE_CODES as readonly string[]).includes(value);
}
