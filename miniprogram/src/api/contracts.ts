import type { ContractPage, ContractState, ContractView } from '@anchor/shared'
import { api, request, uploadFile } from './client'

export type { ContractPage, ContractView }

/** A draft's body as POST /contracts and PUT /contracts/:id take it (shared/src/contracts.ts). */
export interface ContractDraft {
  amountFen: number
  lines: Array<{ model: string; quantity: number }>
  instalments: Array<{ seq: number; dueDate: string; amountFen: number }>
  keyTerms: string
  needsMarketing: boolean
  scanIds: number[]
}

/** The contracts' calls (server/src/modules/contracts). */
export const contractsApi = {
  list: (query: { state?: ContractState; customerId?: number; pageSize?: number }) => api.get<ContractPage>('/contracts', query as Record<string, string | number>),
  get: (id: number) => api.get<ContractView>(`/contracts/${id}`),
  create: (customerId: number, draft: ContractDraft) => api.post<ContractView>('/contracts', { customerId, ...draft }),
  update: (id: number, draft: ContractDraft) => request<ContractView>(`/contracts/${id}`, { method: 'PUT', body: draft }),
  submit: (id: number) => api.post<ContractView>(`/contracts/${id}/submit`),
  answer: (id: number, text: string, materialIds: number[]) => api.post<ContractView>(`/contracts/${id}/marketing-support/answer`, { text, materialIds }),
  uploadScan: (localPath: string) => uploadFile<{ id: number; contentType: string; size: number }>('/contract-scans', localPath),
}

export const CONTRACT_STATE_TONES: Record<ContractState, 'plain' | 'red' | 'green' | 'orange'> = { draft: 'plain', submitted: 'orange', approved: 'green', rejected: 'red' }
