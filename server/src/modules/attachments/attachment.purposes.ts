import type { Action } from '@anchor/shared';
import type { Policy } from '../../config/policy';
import { KIND_LABELS, type FileKind } from './sniff';

/**
 * What each purpose takes: its types (by their bytes), its size, who uploads, how long an unattached
 * one is kept. Limits come from the policy (config/policy.yaml `uploads`), never a literal here.
 */
export interface PurposeSpec {
  /** how messages name one: 「照片」 */
  label: string;
  /** the noun after the list of types: 「只能上传 JPEG、PNG 或 WebP 图片」 */
  noun: string;
  kinds: readonly FileKind[];
  /** the permission-matrix action that lets a member upload one */
  action: Action;
  maxMegabytes(policy: Policy): number;
  unattachedHours(policy: Policy): number;
  /** uploads one member may make per day, if capped */
  dailyQuota?(policy: Policy): number;
  /** the storage folder: `photos/2026-11/…` */
  folder: string;
}

export const PURPOSES = {
  photo: {
    label: '照片', noun: '图片', kinds: ['jpeg', 'png', 'webp'], action: 'visits.create', folder: 'photos',
    maxMegabytes: (p) => p.uploads.photoMaxMegabytes,
    unattachedHours: (p) => p.uploads.unattachedPhotoHours,
    dailyQuota: (p) => p.uploads.photoDailyQuota,
  },
  material: {
    label: '资料', noun: '文件', kinds: ['pdf', 'mp4', 'jpeg', 'png', 'webp', 'docx', 'xlsx', 'pptx'], action: 'materials.manage', folder: 'materials',
    maxMegabytes: (p) => p.uploads.materialMaxMegabytes,
    unattachedHours: (p) => p.uploads.unattachedMaterialHours,
  },
  // a bank slip or receipt finance attaches to a manual payment record (owner kind `payment`)
  payment_voucher: {
    label: '回款凭证', noun: '图片或 PDF', kinds: ['jpeg', 'png', 'webp', 'pdf'], action: 'receivables.record', folder: 'vouchers',
    maxMegabytes: (p) => p.uploads.photoMaxMegabytes,
    unattachedHours: (p) => p.uploads.unattachedPhotoHours,
  },
  // the scanned, signed contract (合同扫描件), owned by a `contract`
  contract_scan: {
    label: '合同扫描件', noun: '文件', kinds: ['pdf', 'jpeg', 'png'], action: 'contracts.submit', folder: 'contracts',
    maxMegabytes: (p) => p.uploads.contractScanMaxMegabytes,
    unattachedHours: (p) => p.uploads.unattachedContractScanHours,
  },
  // a rebate's supporting document (合同扫描件, 发票 …: policy rebates.documentTypes), owned by its customer;
  // the rebates module keeps which type each one is
  rebate_document: {
    label: '单据', noun: '文件', kinds: ['pdf', 'jpeg', 'png', 'webp'], action: 'rebates.request.create', folder: 'rebate-documents',
    maxMegabytes: (p) => p.rebates.documentMaxMegabytes,
    unattachedHours: (p) => p.rebates.unattachedDocumentHours,
  },
} satisfies Record<string, PurposeSpec>;

export type Purpose = keyof typeof PURPOSES;
export const PURPOSE_NAMES = Object.keys(PURPOSES) as [Purpose, ...Purpose[]];

export function purposeSpec(purpose: Purpose): PurposeSpec {
  return PURPOSES[purpose];
}

/** 「JPEG、PNG 或 WebP」 */
export function kindList(kinds: readonly FileKind[]): string {
  const labels = kinds.map((k) => KIND_LABELS[k]);
  return labels.length === 1 ? labels[0]! : `${labels.slice(0, -1).join('、')} 或 ${labels.at(-1)}`;
}
