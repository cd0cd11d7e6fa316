import Taro from '@tarojs/taro'
import { api, isApiError, isServiceUnavailable } from './client'
import { getToken } from './session'
import type { VisitBody, VisitSubmitted } from '@anchor/shared'

/** A visit saved while offline, sent later with the same Idempotency-Key so it is stored once. */
export interface QueuedVisit {
  key: string
  body: VisitBody
  queuedAt: string
  /** Set when the server refused it (not a network problem): it is no longer retried by itself. */
  error?: string
}

const KEY = 'anchor.visitQueue'
export const QUEUE_EVENT = 'anchor:visit-queue'
/** Fired with the visit's customerId after a queued visit reached the server. */
export const QUEUE_SENT_EVENT = 'anchor:visit-sent'

export function readQueue(): QueuedVisit[] {
  try {
    const raw = Taro.getStorageSync(KEY) as QueuedVisit[] | ''
    return Array.isArray(raw) ? raw : []
  } catch {
    return []
  }
}

function writeQueue(queue: QueuedVisit[]) {
  Taro.setStorageSync(KEY, queue)
  Taro.eventCenter.trigger(QUEUE_EVENT, queue)
}

export function enqueueVisit(key: string, body: VisitBody) {
  const queue = readQueue().filter((q) => q.key !== key)
  queue.push({ key, body, queuedAt: new Date().toISOString() })
  writeQueue(queue)
}

export function removeQueued(key: string) {
  writeQueue(readQueue().filter((q) => q.key !== key))
}

export function sendVisit(key: string, body: VisitBody) {
  return api.post<VisitSubmitted>('/visits', body, { 'Idempotency-Key': key })
}

let flushing: Promise<number> | null = null
let retryTimer: ReturnType<typeof setTimeout> | null = null

/**
 * The server answered 503 (its database is away) or 429: nothing tells the app when it is back, as the
 * network's return does when offline, so the queue tries again by itself after the server's
 * Retry-After (30 s without one; between 1 s and 5 min). One retry is pending at a time.
 */
export function retryQueueLater(retryAfterSeconds?: number) {
  if (retryTimer) return
  const seconds = Math.min(Math.max(retryAfterSeconds ?? 30, 1), 300)
  retryTimer = setTimeout(() => {
    retryTimer = null
    flushQueue().catch(() => undefined)
  }, seconds * 1000)
}

/** Sends every queued visit in order; stops at the first network failure. Returns how many were sent. */
export function flushQueue(): Promise<number> {
  if (flushing) return flushing
  if (!getToken() || !readQueue().some((q) => !q.error)) return Promise.resolve(0)
  flushing = (async () => {
    let sent = 0
    for (const item of readQueue()) {
      if (item.error) continue
      try {
        await sendVisit(item.key, item.body)
        removeQueued(item.key)
        sent++
        Taro.eventCenter.trigger(QUEUE_SENT_EVENT, item.body.customerId)
      } catch (error) {
        if (isServiceUnavailable(error) || (isApiError(error) && error.status === 429)) {
          retryQueueLater(error.retryAfter)
          break
        }
        if (!isApiError(error) || error.code === 'NETWORK' || error.status === 401 || error.status >= 500) break
        const queue = readQueue().map((q) => (q.key === item.key ? { ...q, error: error.message } : q))
        writeQueue(queue)
      }
    }
    return sent
  })().finally(() => {
    flushing = null
  })
  return flushing
}
