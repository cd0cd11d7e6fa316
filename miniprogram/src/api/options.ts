import Taro from '@tarojs/taro'
import { useEffect, useState } from 'react'
import { isCustomerOverdue, isStageCode, type Customer } from '@anchor/shared'
import { onTeamTimeZoneChange, setTeamTimeZone, teamTimeZone } from '../utils/time'
import { api } from './client'
import type { Options } from './types'
import { getSession } from './session'

const KEY = 'anchor.options'
let inMemory: Options | null = null
let loading: Promise<Options> | null = null

/** Options known now (loaded, or stored by an earlier session on this device), or null. */
function stored(): Options | null {
  try {
    const cached = Taro.getStorageSync(KEY) as Options | ''
    return cached && typeof cached === 'object' && Array.isArray(cached.agreedActions) ? cached : null
  } catch {
    return null
  }
}

function use(options: Options): Options {
  inMemory = options
  setTeamTimeZone(options.timeZone)
  return options
}

// A reopened app shows times in the team's zone from the stored copy at once.
setTeamTimeZone(stored()?.timeZone)

/** The configurable options; kept in storage too, so the visit form still opens offline. */
export async function loadOptions(): Promise<Options> {
  if (inMemory) return inMemory
  // pages asking at once share one request
  loading ??= fetchOptions().finally(() => {
    loading = null
  })
  return loading
}

async function fetchOptions(): Promise<Options> {
  try {
    const options = await api.get<Options>('/options')
    try {
      Taro.setStorageSync(KEY, options)
    } catch {
      // storage full: the in-memory copy is enough
    }
    return use(options)
  } catch (error) {
    const cached = stored()
    if (cached) return use(cached)
    throw error
  }
}

/**
 * The team's time zone for a page that shows times: loads the options once and re-renders the page
 * when the zone arrives (Asia/Shanghai until then).
 */
export function useTeamTimeZone(): string {
  const [zone, setZone] = useState(teamTimeZone())
  useEffect(() => {
    const off = onTeamTimeZoneChange(() => setZone(teamTimeZone()))
    setZone(teamTimeZone())
    if (getSession()) loadOptions().catch(() => undefined)
    return off
  }, [])
  return zone
}

/**
 * 逾期 as the app shows it: the shared rule (isCustomerOverdue) with the policy's bits from the
 * options, at the device's now; the server's flag while the options (or an old stored copy) lack them.
 */
export function customerOverdue(customer: Pick<Customer, 'stage' | 'lastFollowUpAt' | 'createdAt' | 'overdue' | 'closed'>, options: Options | null = inMemory, now = new Date()): boolean {
  // closed as lost (丢单): never overdue
  if (customer.closed) return false
  const overdueDays = options?.limits?.overdueDays
  const excluded = options?.overdueExcludedStages
  const { stage, createdAt } = customer
  if (typeof overdueDays !== 'number' || !Array.isArray(excluded) || !isStageCode(stage) || typeof createdAt !== 'string') return customer.overdue
  return isCustomerOverdue({ stage, lastFollowUpAt: customer.lastFollowUpAt, createdAt, closedAt: null }, { overdueDays, overdueExcludedStages: excluded }, now)
}

/** Dropped at logout: the next member may belong to another team or server. */
export function forgetOptions(): void {
  inMemory = null
  setTeamTimeZone(null)
  try {
    Taro.removeStorageSync(KEY)
  } catch {
    // nothing stored
  }
}
