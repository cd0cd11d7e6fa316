import Taro from '@tarojs/taro'
import type { Role } from '@anchor/shared'

export interface Member {
  id: number
  name: string
  role: Role
  teamId: number | null
  [key: string]: unknown
}

export interface Session {
  token: string
  expiresAt: string | null
  member: Member
}

const KEY = 'anchor.session'

// api/client.ts says 登录已过期 and opens the login page; set there to keep this module free of UI.
let expiredHandler: (() => void) | null = null
export function onSessionExpired(handler: () => void): void {
  expiredHandler = handler
}

export function getSession(): Session | null {
  try {
    const raw = Taro.getStorageSync(KEY) as Session | '' | undefined
    if (!raw || typeof raw !== 'object' || !raw.token) return null
    if (raw.expiresAt && new Date(raw.expiresAt).getTime() <= Date.now()) {
      clearSession()
      expiredHandler?.()
      return null
    }
    return raw
  } catch {
    return null
  }
}

export function getToken(): string | null {
  return getSession()?.token ?? null
}

export function saveSession(session: Session): void {
  Taro.setStorageSync(KEY, session)
}

export function clearSession(): void {
  try {
    Taro.removeStorageSync(KEY)
  } catch {
    // storage unavailable: nothing to clear
  }
}
