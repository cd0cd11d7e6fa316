import Taro, { useDidShow } from '@tarojs/taro'
import { TAB_PAGES, type MeView } from '@anchor/shared'
import { api } from './client'
import { getSession } from './session'
import { rememberTaskPools } from './task-pools'
import { countStore } from './count-store'

/**
 * The 待办 count: a badge on the tab bar (Taro.setTabBarBadge) and in the console's navigation.
 * Refreshed whenever a tab page shows, from GET /api/v1/me, which counts what the 待办 screen lists.
 */
const TODOS_TAB = (TAB_PAGES as readonly string[]).indexOf('todos')
const store = countStore()

/** The text WeChat shows in the badge: it fits three characters. */
export function badgeText(n: number): string {
  return n > 99 ? '99+' : String(n)
}

function show(next: number) {
  store.set(next)
  // fails off a tab page (no tab bar there) or before the tab bar exists: the next refresh sets it
  const done = next > 0 ? Taro.setTabBarBadge({ index: TODOS_TAB, text: badgeText(next) }) : Taro.removeTabBarBadge({ index: TODOS_TAB })
  void Promise.resolve(done).catch(() => undefined)
}

/** Asks the server for the count and shows it; resolves with the member view (the 我的 page uses it). */
export async function refreshTodoBadge(): Promise<MeView | null> {
  if (!getSession()) return null
  try {
    const me = await api.get<MeView>('/me')
    show(me.openTodos)
    rememberTaskPools(me.taskPools)
    return me
  } catch {
    return null // offline: keep the last count
  }
}

export function forgetTodoBadge(): void {
  store.set(0)
}

/** The current count, kept up to date (the console navigation shows it). */
export function useTodoCount(): number {
  return store.useCount()
}

/** Call on each tab page: the badge is refreshed every time the page shows. */
export function useTodoBadge(): void {
  useDidShow(() => {
    void refreshTodoBadge()
  })
}
