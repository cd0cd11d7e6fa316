import { forgetOptions } from './options'
import { forgetPhotos } from '../components/photo-thumbs'
import { request } from './client'
import { clearSession, getToken } from './session'
import { forgetTodoBadge } from './todo-badge'
import { forgetTaskCount } from './task-count'
import { restartAt } from '../utils/nav'

/**
 * 退出登录: the server revokes the session (a copied token stops working too), then everything
 * cached for this member goes and the login page opens. Offline or not, the phone is signed out.
 */
export async function logout(): Promise<void> {
  if (getToken()) {
    try {
      await request('/auth/logout', { method: 'POST', body: {}, redirectOn401: false })
    } catch {
      // already expired or offline: signing out locally is what the person asked for
    }
  }
  clearSession()
  forgetOptions()
  forgetPhotos()
  forgetTodoBadge()
  forgetTaskCount()
  await restartAt('login')
}
