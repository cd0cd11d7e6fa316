import Taro from '@tarojs/taro'

/** The mini-program running inside the WeCom (企业微信) client rather than WeChat. */
export function inWecom(): boolean {
  if (process.env.TARO_ENV !== 'weapp') return false
  try {
    return (Taro.getSystemInfoSync() as { environment?: string }).environment === 'wxwork'
  } catch {
    return false
  }
}

interface QyApi {
  login(options: { success: (res: { code?: string }) => void; fail: (err: unknown) => void }): void
}
declare const wx: { qy?: QyApi } | undefined

/**
 * A one-time login code and the endpoint that redeems it: inside WeCom `wx.qy.login` for
 * `miniprogram/jscode2session`, in WeChat `wx.login` for `code2Session`.
 */
export async function loginCode(): Promise<{ code: string; path: '/auth/wecom/login' | '/auth/wechat/login' }> {
  const qy = inWecom() && typeof wx !== 'undefined' ? wx?.qy : undefined
  if (qy) {
    const code = await new Promise<string | undefined>((resolve, reject) => qy.login({ success: (res) => resolve(res.code), fail: reject }))
    if (!code) throw new Error('no code')
    return { code, path: '/auth/wecom/login' }
  }
  const { code } = await Taro.login()
  if (!code) throw new Error('no code')
  return { code, path: '/auth/wechat/login' }
}
