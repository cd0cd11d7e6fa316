import type { Page, PayOrder, Receivable, ReceivableDetail, ReceivableState } from '@anchor/shared'
import { api } from './client'

export type { PayOrder, Receivable, ReceivableDetail, ReceivableState }

/** Receivables and WeChat Pay (server/src/modules/receivables, payments). */
export const receivablesApi = {
  list: (query: { state?: ReceivableState; pageSize?: number }) => api.get<Page<Receivable>>('/receivables', query as Record<string, string | number>),
  get: (id: number) => api.get<ReceivableDetail>(`/receivables/${id}`),
  payOrder: (id: number) => api.post<PayOrder>(`/receivables/${id}/pay-orders`),
  closeOrder: (orderId: number) => api.post<PayOrder>(`/pay-orders/${orderId}/close`),
  record: (id: number, body: { amountFen: number; method: string; reference: string; paidAt: string; voucherAttachmentId: number; note?: string }) =>
    api.post<ReceivableDetail>(`/receivables/${id}/payments`, body),
}
