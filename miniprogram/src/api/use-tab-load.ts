import { useRef, useState } from 'react'
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro'
import { errorMessage } from './client'
import { getSession } from './session'
import { goTo } from '../utils/nav'

export interface TabLoad<T extends string> {
  tab: T
  /** shows another tab and loads it */
  pick: (tab: T) => void
  /** loads the current tab again (after an action, from 重试) */
  load: (tab?: T) => Promise<void>
  loading: boolean
  /** a message a person can read; '' while loading or after success */
  error: string
}

/**
 * A list screen with tabs (or filters) that loads the one shown: each time the page shows (to the login
 * page when signed out), on pull-down and on a tab tap, with its loading and error state. `fetch` loads
 * a tab and may answer another tab to show instead (a link opening on the right one); `stale()` says a newer
 * load has started since (a quick tap on another tab), so its answer must not be shown.
 */
export function useTabLoad<T extends string>(initial: T, fetch: (tab: T, stale: () => boolean) => Promise<T | void>, onShow?: () => void): TabLoad<T> {
  const [tab, setTab] = useState<T>(initial)
  const current = useRef(initial)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState('')
  const seq = useRef(0)

  const show = (next: T) => {
    current.current = next
    setTab(next)
  }

  const load = async (next: T = current.current) => {
    const mine = ++seq.current
    const stale = () => mine !== seq.current
    setLoading(true)
    setError('')
    try {
      const shown = (await fetch(next, stale)) || next
      if (!stale()) show(shown)
    } catch (e) {
      if (!stale()) setError(errorMessage(e))
    } finally {
      if (!stale()) setLoading(false)
    }
  }

  useDidShow(() => {
    if (!getSession()?.member) {
      void goTo('login')
      return
    }
    onShow?.()
    void load()
  })

  usePullDownRefresh(() => {
    void load().finally(() => Taro.stopPullDownRefresh())
  })

  return {
    tab,
    pick: (next: T) => {
      show(next)
      void load(next)
    },
    load,
    loading,
    error,
  }
}
