import type {
  CampaignBoard, CampaignCreateInput, CampaignDetail, CampaignExceptionView, CampaignFilter, CampaignSummary, CampaignTargetView, MyCampaignFlow, StageCode,
} from '@anchor/shared'
import { api } from './client'

export type { CampaignBoard, CampaignDetail, CampaignExceptionView, CampaignFilter, CampaignSummary, CampaignTargetView, MyCampaignFlow }

export interface TargetPreview {
  total: number
  tooMany: boolean
  outside: number[]
  closed: Array<{ id: number; name: string }>
  items: Array<{ id: number; name: string; owner: { id: number; name: string }; stage: StageCode; industry: string; grade: string | null; city: string | null; hospitalLevel: string | null }>
}

export interface SheetMatch {
  matched: Array<{ row: number; id: number; name: string; ownerName: string }>
  unmatched: Array<{ row: number; name: string; reason: string }>
}

/** Campaign task flows (server/src/modules/campaigns). */
export const campaignsApi = {
  mine: () => api.get<MyCampaignFlow>('/campaigns/mine'),
  list: () => api.get<{ items: CampaignSummary[] }>('/campaigns'),
  get: (id: number) => api.get<CampaignDetail>(`/campaigns/${id}`),
  create: (body: Omit<CampaignCreateInput, 'launch'> & { launch: boolean }) => api.post<CampaignDetail>('/campaigns', body),
  preview: (filter: CampaignFilter | null, customerIds: number[]) => api.post<TargetPreview>('/campaigns/targets/preview', { filter, customerIds }),
  launch: (id: number) => api.post<CampaignDetail>(`/campaigns/${id}/launch`),
  close: (id: number) => api.post<CampaignBoard>(`/campaigns/${id}/close`),
  board: (id: number) => api.get<CampaignBoard>(`/campaigns/${id}/board`),
  targets: (id: number, query: { repId?: number; teamId?: number; seq?: number; state?: string }) =>
    api.get<{ items: CampaignTargetView[]; total: number }>(`/campaigns/${id}/targets`, query as Record<string, string | number>),
  report: (targetId: number, body: { reason: string; note: string; photoId: number | null }) => api.post<CampaignExceptionView>(`/campaign-targets/${targetId}/exceptions`, body),
  resolve: (id: number, body: { action: 'answer' | 'reassign' | 'drop'; text: string; toMemberId?: number | null }) =>
    api.post<CampaignExceptionView>(`/campaign-exceptions/${id}/resolve`, body),
}
