/**
 * Dictation: the WeChat simultaneous-interpretation plugin (WechatSI) on weapp, the Web Speech API on
 * H5 where the browser has it. Everywhere else there is only the text box.
 */
import { PRIVACY_REFUSED_VOICE, isPrivacyRefusal } from '../api/privacy'

export interface SpeechHandlers {
  onText: (text: string) => void
  onError: (message: string) => void
  onEnd: () => void
}

export interface Listening {
  stop: () => void
}

interface WebRecognition {
  lang: string
  interimResults: boolean
  continuous: boolean
  start(): void
  stop(): void
  onresult: ((event: { results: ArrayLike<ArrayLike<{ transcript: string }>> }) => void) | null
  onerror: ((event: { error?: string }) => void) | null
  onend: (() => void) | null
}
type WebRecognitionCtor = new () => WebRecognition

/** WechatSI's record-recognition manager (plugin wx069ba97219f66d99). */
interface WechatSiManager {
  start(options: { lang: string; duration: number }): void
  stop(): void
  onStop: ((res: { result?: string }) => void) | null
  onError: ((res: { retcode?: number; msg?: string }) => void) | null
}
declare const requirePlugin: ((name: string) => { getRecordRecognitionManager(): WechatSiManager }) | undefined

function webRecognition(): WebRecognitionCtor | null {
  if (process.env.TARO_ENV !== 'h5' || typeof window === 'undefined') return null
  const w = window as unknown as { webkitSpeechRecognition?: WebRecognitionCtor; SpeechRecognition?: WebRecognitionCtor }
  return w.SpeechRecognition ?? w.webkitSpeechRecognition ?? null
}

let wechatManager: WechatSiManager | null | undefined
function wechatSi(): WechatSiManager | null {
  if (process.env.TARO_ENV !== 'weapp') return null
  if (wechatManager === undefined) {
    try {
      wechatManager = typeof requirePlugin === 'function' ? requirePlugin('WechatSI').getRecordRecognitionManager() : null
    } catch {
      wechatManager = null // plugin not added to this mini-program
    }
  }
  return wechatManager
}

export function speechAvailable(): boolean {
  return !!webRecognition() || !!wechatSi()
}

/** WechatSI's documented retcodes for what a rep can fix by trying again. */
const WECHAT_SI_MESSAGES: Record<number, string> = {
  [-30001]: '录音接口出错，请重试',
  [-30002]: '录音暂停，请重试',
  [-30003]: '说话时间太短，请重试',
  [-30004]: '没有听清，请再说一次',
  [-30011]: '上一段还在识别，请稍候',
}

export function startListening(handlers: SpeechHandlers): Listening | null {
  const si = wechatSi()
  if (si) {
    si.onStop = (res) => {
      if (res.result) handlers.onText(res.result)
      handlers.onEnd()
    }
    si.onError = (res) => {
      // a refused privacy authorization fails the recorder: say so, the text box still works
      if (isPrivacyRefusal(res)) handlers.onError(PRIVACY_REFUSED_VOICE)
      else handlers.onError(WECHAT_SI_MESSAGES[res.retcode ?? 0] ?? '语音识别失败，请重试或直接输入文字')
      handlers.onEnd()
    }
    si.start({ lang: 'zh_CN', duration: 60000 })
    return { stop: () => si.stop() }
  }

  const Ctor = webRecognition()
  if (!Ctor) return null
  const rec = new Ctor()
  rec.lang = 'zh-CN'
  rec.interimResults = false
  rec.continuous = false
  rec.onresult = (event) => {
    let heard = ''
    for (let i = 0; i < event.results.length; i++) heard += event.results[i]![0]!.transcript
    if (heard) handlers.onText(heard)
  }
  rec.onerror = (event) =>
    handlers.onError(event.error === 'not-allowed' ? '没有麦克风权限，请在浏览器设置中允许' : '语音识别失败，请重试或直接输入文字')
  rec.onend = () => handlers.onEnd()
  rec.start()
  return { stop: () => rec.stop() }
}
