import Taro from '@tarojs/taro'
import type { Material, MaterialShare, MaterialTag, MaterialUsage, Page } from '@anchor/shared'
import { API_BASE, ApiError, api, request } from './client'
import { getToken } from './session'

export type { Material, MaterialShare, MaterialTag, MaterialUsage }

/** The material center's calls (server/src/modules/materials). */
export const materialsApi = {
  tags: (includeRetired = false) => api.get<{ items: MaterialTag[] }>('/material-tags', includeRetired ? { includeRetired: 'true' } : {}).then((r) => r.items),
  list: (query: { q?: string; tagId?: number; retired?: 'hide' | 'include' | 'only'; pageSize?: number }) => api.get<Page<Material>>('/materials', query as Record<string, string | number>),
  get: (id: number, customerId?: number) => api.get<Material>(`/materials/${id}`, customerId ? { customerId } : {}),
  forCustomer: (customerId: number) => api.get<{ items: Material[]; stage: string; industry: string; bottleneck: string | null }>(`/customers/${customerId}/materials`),
  share: (id: number, customerId: number | null) => api.post<MaterialShare>(`/materials/${id}/shares`, { customerId }),
  shares: (customerId?: number) => api.get<Page<MaterialShare>>('/material-shares', { pageSize: 50, ...(customerId ? { customerId } : {}) }),
  revoke: (shareId: number) => api.post<MaterialShare>(`/material-shares/${shareId}/revoke`),
  create: (body: Record<string, unknown>) => api.post<Material>('/materials', body),
  retire: (id: number, retired: boolean) => api.post<Material>(`/materials/${id}/retire`, { retired }),
  createTag: (name: string) => api.post<MaterialTag>('/material-tags', { name }),
  updateTag: (id: number, body: { name?: string; retired?: boolean }) => request<MaterialTag>(`/material-tags/${id}`, { method: 'PATCH', body }),
  usage: () => api.get<MaterialUsage>('/material-usage'),
}

/** An image behind the session (a share's QR code) as a local path the <Image> can show. */
export async function authedImage(path: string): Promise<string> {
  const token = getToken()
  const res = await Taro.downloadFile({ url: `${API_BASE}${path}`, header: token ? { Authorization: `Bearer ${token}` } : {} })
  if (res.statusCode !== 200 || !res.tempFilePath) throw new ApiError(`HTTP_${res.statusCode}`, '图片加载失败，请稍后重试', res.statusCode)
  return res.tempFilePath
}

/** A PDF or Office file: the phone's viewer on weapp (downloadFile + openDocument), a new tab on H5. */
export async function openDocument(playUrl: string): Promise<void> {
  const url = `${API_BASE}${playUrl}`
  if (process.env.TARO_ENV === 'h5') {
    window.open(url, '_blank', 'noopener')
    return
  }
  const res = await Taro.downloadFile({ url })
  if (res.statusCode !== 200) throw new ApiError(`HTTP_${res.statusCode}`, '文件下载失败，请稍后重试', res.statusCode)
  await Taro.openDocument({ filePath: res.tempFilePath, showMenu: true })
}

export const KIND_TONES: Record<string, 'plain' | 'red' | 'green' | 'orange'> = { video: 'red', pdf: 'orange', image: 'green', script: 'plain', office: 'orange' }
