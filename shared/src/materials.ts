import { z } from 'zod';
import { labelled } from './validation';

/** What a material is: its kind decides how the app shows it (player, the phone's viewer, text). */
export const MATERIAL_KINDS = ['video', 'pdf', 'image', 'script', 'office'] as const;
export type MaterialKind = (typeof MATERIAL_KINDS)[number];
export const MATERIAL_KIND_LABELS: Record<MaterialKind, string> = { video: '视频', pdf: 'PDF', image: '图片', script: '话术', office: '文档' };

export const MATERIAL_LABELS = {
  title: '标题',
  description: '简介',
  kind: '类型',
  attachmentId: '文件',
  scriptText: '话术内容',
  tagIds: '标签',
  stages: '适用阶段',
  industries: '适用行业',
  bottlenecks: '适用瓶颈',
  name: '标签名',
  customerId: '客户',
} as const;
const L = MATERIAL_LABELS;

const idList = (label: string, max: number) => labelled(z.array(z.number().int().min(1).max(2147483647)).max(max, `${label}最多 ${max} 个`), label);
const textList = (label: string) => labelled(z.array(z.string().max(40)).max(20, `${label}最多 20 个`), label);

const materialFields = {
  title: labelled(z.string().trim().min(1, '请填写标题').max(60, '标题最多 60 个字'), L.title),
  description: labelled(z.string().trim().max(500, '简介最多 500 个字'), L.description).default(''),
  tagIds: idList(L.tagIds, 10).default([]),
  stages: textList(L.stages).default([]),
  industries: textList(L.industries).default([]),
  bottlenecks: textList(L.bottlenecks).default([]),
};
/** POST /api/v1/materials: a file (uploaded first with purpose=material) or, for a script, its text. */
export const materialCreateSchema = z
  .object({
    ...materialFields,
    kind: labelled(z.enum(MATERIAL_KINDS), L.kind),
    attachmentId: labelled(z.number().int().min(1).max(2147483647), L.attachmentId).nullable().default(null),
    scriptText: labelled(z.string().max(5000, '话术内容最多 5000 个字'), L.scriptText).nullable().default(null),
  })
  .strict();
export type MaterialCreateInput = z.output<typeof materialCreateSchema>;
/** PATCH /api/v1/materials/:id: the words and hints (the file stays). */
export const materialUpdateSchema = z
  .object({
    title: materialFields.title.optional(),
    description: labelled(z.string().trim().max(500, '简介最多 500 个字'), L.description).optional(),
    tagIds: idList(L.tagIds, 10).optional(),
    stages: textList(L.stages).optional(),
    industries: textList(L.industries).optional(),
    bottlenecks: textList(L.bottlenecks).optional(),
    scriptText: labelled(z.string().max(5000, '话术内容最多 5000 个字'), L.scriptText).nullable().optional(),
  })
  .strict();
export type MaterialUpdateInput = z.output<typeof materialUpdateSchema>;

export const materialTagInputSchema = z.object({ name: labelled(z.string().trim().min(1, '请填写标签名').max(30, '标签名最多 30 个字'), L.name) }).strict();
export const materialTagUpdateSchema = z
  .object({ name: labelled(z.string().trim().min(1, '请填写标签名').max(30, '标签名最多 30 个字'), L.name).optional(), retired: labelled(z.boolean(), '停用').optional() })
  .strict();

export const materialTagSchema = z.object({ id: z.number().int(), name: z.string(), retiredAt: z.string().nullable(), materialCount: z.number().int().optional() });
export type MaterialTag = z.output<typeof materialTagSchema>;

export const materialSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  description: z.string(),
  kind: z.enum(MATERIAL_KINDS),
  kindLabel: z.string(),
  attachmentId: z.number().int().nullable(),
  contentType: z.string().nullable(),
  size: z.number().int().nullable(),
  scriptText: z.string().nullable(),
  tags: z.array(z.object({ id: z.number().int(), name: z.string() })),
  stages: z.array(z.string()),
  industries: z.array(z.string()),
  bottlenecks: z.array(z.string()),
  retiredAt: z.string().nullable(),
  createdAt: z.string(),
  /** on GET /materials/:id: a signed address the app's player loads (Range, no header needed), minutes long */
  playUrl: z.string().optional(),
  /** why it fits a customer (on GET /customers/:id/materials): 「阶段：拜访」「瓶颈：集采降价压力」 */
  fits: z.array(z.string()).optional(),
});
export type Material = z.output<typeof materialSchema>;

export const materialShareSchema = z.object({
  id: z.number().int(),
  token: z.string(),
  url: z.string(),
  qrUrl: z.string(),
  materialId: z.number().int(),
  title: z.string(),
  customer: z.object({ id: z.number().int(), name: z.string(), contactName: z.string().nullable() }).nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  openCount: z.number().int(),
  firstOpenedAt: z.string().nullable(),
  lastOpenedAt: z.string().nullable(),
  /** 「王主任 打开了 《快装方案》 2 次」 */
  summary: z.string(),
});
export type MaterialShare = z.output<typeof materialShareSchema>;

export const materialShareCreateSchema = z.object({ customerId: labelled(z.number().int().min(1).max(2147483647), L.customerId).nullable().default(null) }).strict();

export const usageQuerySchema = z
  .object({
    from: labelled(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '格式应为 YYYY-MM-DD'), '开始日期').optional(),
    to: labelled(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '格式应为 YYYY-MM-DD'), '结束日期').optional(),
  })
  .strict();

export const materialUsageSchema = z.object({
  materials: z.array(
    z.object({
      id: z.number().int(), title: z.string(), retired: z.boolean(), views: z.number().int(), downloads: z.number().int(), shares: z.number().int(), opens: z.number().int(),
      viewers: z.number().int(), neverOpened: z.array(z.object({ id: z.number().int(), name: z.string() })),
    }),
  ),
  reps: z.array(z.object({ id: z.number().int(), name: z.string(), views: z.number().int(), downloads: z.number().int(), shares: z.number().int(), opens: z.number().int(), materialsOpened: z.number().int() })),
});
export type MaterialUsage = z.output<typeof materialUsageSchema>;
