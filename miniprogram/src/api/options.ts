import Taro from '@tarojs/taro'
import { api } from './client'
import type { Options } from './types'

const KEY = 'anchor.options'
let inMemory: Options | null = null

/** The configurable options; kept in storage too, so the visit form still opens offline. */
export async function loadOptions(): Promise<Options> {
  if (inMemory) return inMemory
  try {
    const options = await api.get<Options>('/options')
    inMemory = options
    try {
      Taro.setStorageSync(KEY, options)
    } catch {
      // storage full: the in-memory copy is enough
    }
    return options
  } catch (error) {
    const cached = Taro.getStorageSync(KEY) as Options | ''
    if (cached && typeof cached === 'object' && Array.isArray(cached.agreedActions)) {
      inMemory = cached
      return cached
    }
    throw error
  }
}

/** Dropped at logout: the next member may belong to another team or server. */
export function forgetOptions(): void {
  inMemory = null
  try {
    Taro.removeStorageSync(KEY)
  } catch {
    // nothing stored
  }
}
