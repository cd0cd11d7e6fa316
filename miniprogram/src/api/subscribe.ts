import Taro from '@tarojs/taro'
import { api } from './client'

/**
 * WeChat only sends a subscribe message (our reminder) after the user says 「允许」 to this template,
 * once per 「允许」, and the dialog only opens from a tap: so it is asked when the rep taps submit on a
 * visit that sets a reminder. Refusing or failing never blocks the visit.
 */
export async function askReminderConsent(templateId: string | null | undefined): Promise<boolean> {
  if (process.env.TARO_ENV !== 'weapp' || !templateId) return false
  try {
    // the result is keyed by template id: 'accept' | 'reject' | 'ban'
    const res = (await Taro.requestSubscribeMessage({ tmplIds: [templateId], entityIds: [] })) as unknown as Record<string, unknown>
    if (res[templateId] !== 'accept') return false
    await api.post('/me/subscribe-consent', { templateId, accepted: 1 })
    return true
  } catch {
    return false
  }
}
