import Taro from '@tarojs/taro'

/**
 * WeChat's privacy authorization (用户隐私保护指引): before the first photo pick, recording or location
 * call, the platform asks the app to show its own consent sheet (wx.onNeedPrivacyAuthorization) and
 * holds that call until the sheet answers. This module owns the one listener the platform allows and
 * hands each request to whichever PrivacySheet is on screen. On H5 nothing asks, nothing shows.
 */

type Resolve = (option: { event: 'exposureAuthorization' | 'agree' | 'disagree'; buttonId?: string }) => void

export interface PrivacyRequest {
  /** What the held call was for, shown in the sheet when WeChat says (e.g. 选择图片). */
  referrer: string
}

/** The agree button's id: WeChat checks that the button with this id was the one tapped. */
export const PRIVACY_AGREE_BUTTON_ID = 'privacy-agree'

/** Said by the photo and voice buttons after a refusal: the rest of the form still works. */
export const PRIVACY_REFUSED_PHOTO = '未同意隐私保护指引，无法拍照或选图；其他内容可照常填写，再点一次可重新授权'
export const PRIVACY_REFUSED_VOICE = '未同意隐私保护指引，无法使用语音输入；可直接输入文字，再点一次可重新授权'

let pending: Resolve | null = null
let current: PrivacyRequest | null = null
let installed = false
const listeners = new Set<(request: PrivacyRequest | null) => void>()

function publish() {
  listeners.forEach((fn) => fn(current))
}

type PrivacyTaro = typeof Taro & {
  onNeedPrivacyAuthorization?: (listener: (resolve: Resolve, info: { referrer?: string }) => void) => void
}

/** Registers the platform listener once (weapp only; elsewhere the API does not exist). */
export function installPrivacyListener(): void {
  if (installed) return
  const on = (Taro as PrivacyTaro).onNeedPrivacyAuthorization
  if (typeof on !== 'function') return
  installed = true
  on.call(Taro, (resolve, info) => {
    // a new request supersedes one left unanswered (the user navigated away): that call fails
    pending?.({ event: 'disagree' })
    pending = resolve
    current = { referrer: info?.referrer ?? '' }
    resolve({ event: 'exposureAuthorization' })
    publish()
  })
}

/** The sheet calls this from the agree button's agreePrivacyAuthorization event. */
export function agreePrivacy(): void {
  pending?.({ event: 'agree', buttonId: PRIVACY_AGREE_BUTTON_ID })
  pending = null
  current = null
  publish()
}

/** 暂不同意: the held call fails with "privacy permission is not authorized"; nothing else changes. */
export function refusePrivacy(): void {
  pending?.({ event: 'disagree' })
  pending = null
  current = null
  publish()
}

export function subscribePrivacy(fn: (request: PrivacyRequest | null) => void): () => void {
  listeners.add(fn)
  fn(current)
  return () => {
    listeners.delete(fn)
  }
}

/** A platform call that failed because the user did not agree (errno 104 / "privacy permission"). */
export function isPrivacyRefusal(error: unknown): boolean {
  if (!error || typeof error !== 'object') return typeof error === 'string' && /privacy/i.test(error)
  const e = error as { errno?: number; errMsg?: string; msg?: string; message?: string }
  return e.errno === 104 || /privacy/i.test(`${e.errMsg ?? ''} ${e.msg ?? ''} ${e.message ?? ''}`)
}

/** Opens the 用户隐私保护指引 text the admin console publishes. */
export function openPrivacyContract(): void {
  const open = (Taro as typeof Taro & { openPrivacyContract?: (o?: object) => void }).openPrivacyContract
  if (typeof open === 'function') open.call(Taro, {})
}
