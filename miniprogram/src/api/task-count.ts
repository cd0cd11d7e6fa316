import type { Page, Role } from '@anchor/shared'
import { api } from './client'
import { getSession } from './session'
import { countStore } from './count-store'

/** Roles whose approval steps can wait in a pool (policy approvals: `assignee: 'pool'`); the others see only their own tasks. */
export const POOL_ROLES: readonly Role[] = ['finance', 'marketing', 'admin']

export function hasPool(role: Role | undefined): boolean {
  return !!role && POOL_ROLES.includes(role)
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
