import type { Page, Role } from '@anchor/shared'
import { api } from './client'
import { getSession } from './session'
import { sessionTaskPools } from './task-pools'
import { countStore } from './count-store'

/**
 * Whether the signed-in member acts in any task pool (policy taskPools, as GET /me names them and the
 * session keeps them): they see the 任务 screen's 池 tab. The role argument is ignored (kept for callers);
 * the pools, not the role, decide (a chosen pool such as the marketing lead is only its picked members).
 */
export function hasPool(_role?: Role): boolean {
  return (sessionTaskPools()?.length ?? 0) > 0
}

/**
 * The open tasks the 任务 screen lists besides visit next actions (those are 待办's): approvals and
 * other kinds, mine and my role's pool. 待办 links to 任务 and the console shows its entry while there are any.
 */
const store = countStore()

export async function refreshTaskCount(): Promise<number> {
  const member = getSession()?.member
  if (!member) return 0
  try {
    const views = hasPool(member.role) ? (['mine', 'pool'] as const) : (['mine'] as const)
    const pages = await Promise.all(views.map((as) => api.get<Page<{ kind: string }>>('/tasks', { as, status: 'open', pageSize: 100 })))
    store.set(pages.reduce((n, p) => n + p.items.filter((t) => t.kind !== 'visit_next_action').length, 0))
  } catch {
    // offline: keep the last count (the link is a shortcut; the lists report their own errors)
  }
  return store.get()
}

export function forgetTaskCount(): void {
  store.set(0)
}

/** The current count, kept up to date. */
export function useTaskCount(): number {
  return store.useCount()
}
