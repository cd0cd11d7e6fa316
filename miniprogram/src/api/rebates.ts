import type {
  RebateCalculation, RebateChoices, RebateDecisionInput, RebateDocumentView, RebateRequestView, RebateRuleInput, RebateRuleView, RebateState, RebateVersionView, RuleProblem,
} from '@anchor/shared'
import { newIdempotencyKey } from '../utils/time'
import { api, request, uploadFile } from './client'

export interface RebateTable {
  today: string
  inForceId: number | null
  version: RebateVersionView | null
  rules: RebateRuleView[]
  /** rows of this version the policy's lists no longer take (kept, never matched; absent from an older server) */
  problems?: RuleProblem[]
  versions: RebateVersionView[]
  choices: RebateChoices
}

export interface RebateRequestPage {
  items: RebateRequestView[]
  total: number
  page: number
  pageSize: number
  counts: Record<RebateState, number>
}


export const rebatesApi = {
  table: (query: { versionId?: number; at?: string } = {}) => api.get<RebateTable>('/rebate-rules', query),
  saveVersion: (body: { effectiveFrom: string; note: string; rules: RebateRuleInput[] }) => api.post<RebateVersionView>('/rebate-rules/versions', body),
  calculate: (body: { customerId: number; productModel: string; amountFen: number; deliveryCycle: string }) => api.post<RebateCalculation>('/rebates/calculate', body),
  submit: (body: { customerId: number; productModel: string; amountFen: number; deliveryCycle: string; rateBp: number; note: string }, key = newIdempotencyKey()) =>
    api.post<RebateRequestView>('/rebate-requests', body, { 'Idempotency-Key': key }),
  list: (query: { state?: RebateState; customerId?: number; page?: number; pageSize?: number } = {}) => api.get<RebateRequestPage>('/rebate-requests', query),
  get: (id: number) => api.get<RebateRequestView>(`/rebate-requests/${id}`),
  decide: (id: number, body: RebateDecisionInput) => api.post<RebateRequestView & { changed: boolean }>(`/rebate-requests/${id}/decision`, body),
  resubmit: (id: number) => request<RebateRequestView & { changed: boolean }>(`/rebate-requests/${id}/resubmit`, { method: 'POST', body: {} }),
  documents: (customerId: number) => api.get<{ items: RebateDocumentView[] }>(`/customers/${customerId}/rebate-documents`),
  uploadDocument: (customerId: number, documentType: string, filePath: string) =>
    uploadFile<RebateDocumentView>(`/customers/${customerId}/rebate-documents?documentType=${encodeURIComponent(documentType)}`, filePath),
}

export const STATE_TONES: Record<RebateState, 'plain' | 'red' | 'green' | 'orange'> = {
  pending: 'orange',
  documents_missing: 'red',
  approved: 'green',
  rejected: 'plain',
  paid: 'green',
}
