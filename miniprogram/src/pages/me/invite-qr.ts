import Taro from '@tarojs/taro'
import type { InviteView } from '@anchor/shared'
import { API_BASE, ApiError, api } from '../../api/client'
import { getToken } from '../../api/session'

/** A new team invite (the supervisor's team) and its QR code as an image the page can show. */
export async function createTeamInvite(teamId: number): Promise<InviteView> {
  return api.post<InviteView>('/invites', { teamId })
}

/**
 * The QR image needs the session header, which an <Image src> cannot send: H5 fetches it into a blob
 * URL, weapp downloads it to a temporary file.
 */
export async function inviteQrSource(code: string): Promise<string> {
  const url = `${API_BASE}/api/v1/invites/${encodeURIComponent(code)}/qr.png`
  const header = { Authorization: `Bearer ${getToken() ?? ''}` }
  if (process.env.TARO_ENV === 'h5') {
    const res = await fetch(url, { headers: header })
    if (!res.ok) throw new ApiError(`HTTP_${res.status}`, '二维码生成失败，请稍后重试', res.status)
    return URL.createObjectURL(await res.blob())
  }
  const res = await Taro.downloadFile({ url, header })
  if (res.statusCode !== 200) throw new ApiError(`HTTP_${res.statusCode}`, '二维码生成失败，请稍后重试', res.statusCode)
  return res.tempFilePath
}
