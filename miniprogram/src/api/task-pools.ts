import type { MeView, TaskPoolList, TaskPoolView } from '@anchor/shared'
import { api, request } from './client'
import { getSession, saveSession } from './session'

/** A task pool the signed-in member acts in (GET /me taskPools): the 任务 screen's 池 tab names them. */
export type MyTaskPool = MeView['taskPools'][number]

/** The pools kept with the session (set from /me each time it is read), or null when not known yet. */
export function sessionTaskPools(): MyTaskPool[] | null {
  const pools = getSession()?.member.taskPools
  return Array.isArray(pools) ? (pools as MyTaskPool[]) : null
}

/** Keeps the member's pools with the session (called with each /me answer). */
export function rememberTaskPools(pools: MyTaskPool[]): void {
  const session = getSession()
  if (session) saveSession({ ...session, member: { ...session.member, taskPools: pools } })
}

/** The member's pools: from the session, or asked of /me when the session does not have them yet (an older login). */
export async function loadTaskPools(): Promise<MyTaskPool[]> {
  const known = sessionTaskPools()
  if (known) return known
  const me = await api.get<MeView>('/me')
  rememberTaskPools(me.taskPools)
  return me.taskPools
}

/** Admin: the pools of policy taskPools with their picked members. */
export const listTaskPools = () => api.get<TaskPoolList>('/task-pools')

/** Admin: picks a chosen pool's members (an empty list: every active member of its roles acts). */
export const setTaskPoolMembers = (poolId: string, memberIds: number[]) =>
  request<TaskPoolView>(`/task-pools/${encodeURIComponent(poolId)}/members`, { method: 'PUT', body: { memberIds } })
