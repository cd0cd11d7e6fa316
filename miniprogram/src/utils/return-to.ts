import Taro from '@tarojs/taro'
import { PAGES, pageUrl, type PageName } from '@anchor/shared'
import { getSession } from '../api/session'

const KEY = 'anchor.returnTo'

/** The page being shown, as a url of the page table (only the parameters that page reads), or null. */
function currentPageUrl(): string | null {
  let router: ReturnType<typeof Taro.getCurrentInstance>['router']
  try {
    router = Taro.getCurrentInstance().router
  } catch {
    return null
  }
  if (!router) return null
  const path = router.path.split('?')[0]!.replace(/^\//, '')
  const page = (Object.keys(PAGES) as PageName[]).find((p) => PAGES[p].path === path)
  if (!page || page === 'login') return null
  const params: Record<string, string> = {}
  for (const key of PAGES[page].params as readonly string[]) {
    const value = router.params[key]
    if (value) params[key] = decodeURIComponent(value)
  }
  return pageUrl(page, params as never)
}

/** Remembers the page shown now, so that after logging in the person lands where the link pointed. */
export function rememberCurrentPage(): void {
  const url = currentPageUrl()
  try {
    if (url) Taro.setStorageSync(KEY, url)
  } catch {
    // storage unavailable: they land on the home page after login
  }
}

/** The page to return to after login (once), or null. */
export function takeReturnTarget(): string | null {
  try {
    const url = Taro.getStorageSync(KEY) as string | ''
    Taro.removeStorageSync(KEY)
    return typeof url === 'string' && url.startsWith('/') ? url : null
  } catch {
    return null
  }
}

/**
 * For a page a chat link opens: without a session, remember it and go to login (which comes back
 * here). True when there is a session.
 */
export function requireSession(): boolean {
  if (getSession()) return true
  rememberCurrentPage()
  void Taro.reLaunch({ url: pageUrl('login') })
  return false
}
