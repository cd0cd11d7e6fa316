import Taro from '@tarojs/taro'
import type { CoordSystem, CustomerLocationView, SigninInput, SigninView } from '@anchor/shared'
import { api } from './client'
import type { Page } from './types'
import { newIdempotencyKey } from '../utils/time'

/** Where the phone is: lat/lng with its accuracy (metres) and the system the numbers are in. */
export interface Position {
  lat: number
  lng: number
  accuracy: number
  coordSystem: CoordSystem
}

/** Said when the position cannot be had: what the rep can do about it. */
export class PositionError extends Error {}

const DENIED = '未获得定位权限：请在系统或微信设置中允许「位置信息」后再试'
const UNAVAILABLE = '暂时无法定位，请到开阔处或打开 GPS 后再试'

/**
 * The phone's position. In the mini-program wx.getLocation with type gcj02 (what WeChat and Chinese
 * maps use; declared in app.config `requiredPrivateInfos` and the privacy guide); in a browser the
 * Geolocation API, which answers WGS-84 (the server converts it before measuring).
 */
export async function currentPosition(): Promise<Position> {
  if (process.env.TARO_ENV === 'h5') {
    const geo = typeof navigator !== 'undefined' ? navigator.geolocation : undefined
    if (!geo) throw new PositionError('此浏览器不支持定位，请在手机上打开')
    return new Promise<Position>((resolve, reject) => {
      geo.getCurrentPosition(
        (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: Math.max(1, Math.round(p.coords.accuracy)), coordSystem: 'wgs84' }),
        (e) => reject(new PositionError(e.code === 1 ? DENIED : UNAVAILABLE)),
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 },
      )
    })
  }
  try {
    const p = await Taro.getLocation({ type: 'gcj02', isHighAccuracy: true, highAccuracyExpireTime: 4000 })
    return { lat: p.latitude, lng: p.longitude, accuracy: Math.max(1, Math.round(p.accuracy || p.horizontalAccuracy || 0)), coordSystem: 'gcj02' }
  } catch (e) {
    const msg = String((e as { errMsg?: string })?.errMsg ?? '')
    throw new PositionError(/auth deny|authorize|privacy/i.test(msg) ? DENIED : UNAVAILABLE)
  }
}

/** Signs in at a customer where the phone is now: one sign-in however often the request is retried. */
export async function signInAt(customerId: number): Promise<SigninView> {
  const position = await currentPosition()
  const body: SigninInput = position
  return api.post<SigninView>(`/customers/${customerId}/signins`, body, { 'Idempotency-Key': newIdempotencyKey() })
}

/** The caller's own sign-ins at the customer today (policy time zone), newest first. */
export function mySigninsToday(customerId: number) {
  return api.get<Page<SigninView>>(`/customers/${customerId}/signins`, { mine: 'true', day: 'today', pageSize: 20 })
}

export const customerLocation = (customerId: number) => api.get<CustomerLocationView>(`/customers/${customerId}/location`)
export const setCustomerLocation = (customerId: number, body: { lat: number; lng: number; coordSystem: CoordSystem }) =>
  api.put<CustomerLocationView>(`/customers/${customerId}/location`, body)
export const confirmCustomerLocation = (customerId: number) => api.post<CustomerLocationView>(`/customers/${customerId}/location/confirm`)
