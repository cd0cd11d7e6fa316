import Taro from '@tarojs/taro'
import { isTabPage, pageUrl, type PageName, type PageParams } from '@anchor/shared'

/** Opens a page by its name in shared/routes: tab pages through switchTab, others stacked. */
export function goTo<P extends PageName>(page: P, params: PageParams<P> = {}): Promise<unknown> {
  if (isTabPage(page)) {
    return Taro.switchTab({ url: pageUrl(page) }).catch(() => Taro.reLaunch({ url: pageUrl(page) }))
  }
  return Taro.navigateTo({ url: pageUrl(page, params) }).catch(() => Taro.redirectTo({ url: pageUrl(page, params) }))
}

/** Replaces the current page (no way back to it), e.g. after a save that leaves the form. */
export function replaceWith<P extends PageName>(page: P, params: PageParams<P> = {}): Promise<unknown> {
  if (isTabPage(page)) return Taro.switchTab({ url: pageUrl(page) }).catch(() => Taro.reLaunch({ url: pageUrl(page) }))
  return Taro.redirectTo({ url: pageUrl(page, params) })
}

/** Back one page; a page opened straight from a link has nothing behind it, so it goes to `fallback`. */
export function backOr<P extends PageName>(fallback: P, params: PageParams<P> = {}): Promise<unknown> {
  if (Taro.getCurrentPages().length > 1) return Taro.navigateBack()
  return replaceWith(fallback, params)
}

/** Closes every open page and opens `page` alone: after logout or an expired session nothing behind it may stay. */
export function restartAt<P extends PageName>(page: P, params: PageParams<P> = {}): Promise<unknown> {
  return Taro.reLaunch({ url: pageUrl(page, isTabPage(page) ? {} : params) })
}
