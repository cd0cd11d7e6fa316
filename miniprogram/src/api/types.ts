import type { Member } from './session'

export interface StageOption {
  code: string
  label: string
}

export interface Options {
  stages: StageOption[]
  grades: string[]
  industries: string[]
  visitObjectives: string[]
  bottlenecks: string[]
  agreedActions: string[]
  followUpForms: string[]
  firstTouchMethods: string[]
  limits: { nextFollowUpHorizonDays: number; [key: string]: unknown }
  /** Subscribe-message template for reminders; null when WeChat is not configured. */
  reminderTemplateId?: string | null
}

export interface LoginResult {
  token: string
  expiresAt: string | null
  member: Member
}

export interface PersonRef {
  id: number
  name: string
}

export interface Customer {
  id: number
  name: string
  industry: string | null
  stage: string
  stageLabel: string
  owner: PersonRef | null
  grade: string | null
  lastFollowUpAt: string | null
  overdue: boolean
  firstTouchDueAt?: string | null
  firstTouchAt?: string | null
  city: string | null
  contactName: string | null
  contactPhone?: string | null
  contactTitle?: string | null
  address?: string | null
  [key: string]: unknown
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
  /** a search counted its first 1000 matches and stopped: show 1000+ */
  totalCapped?: boolean
}

export type TimelineEntry =
  | { type: 'visit'; at: string; id: number; by: PersonRef; status: 'pending' | 'submitted'; objective: string | null; painPoint: string | null; agreedAction: string | null; agreedActionText?: string; nextFollowUpAt: string | null; alert: boolean; photoIds?: number[] }
  | { type: 'first_touch'; at: string; id: number; by: PersonRef; method: string; verbatim: string; onTime: boolean; photoIds?: number[] }
  | { type: 'stage_change'; at: string; id: number; by: PersonRef; from: string | null; fromLabel: string | null; to: string; toLabel: string }
  | { type: 'todo'; at: string; id: number; visitId?: number | null; status: 'open' | 'confirmed'; agreedAction: string; agreedActionText?: string; dueAt: string; confirmedAt: string | null; escalatedAt: string | null }

export interface Todo {
  id: number
  visitId?: number | null
  status: 'open' | 'confirmed' | string
  snapshot: {
    customer: { id?: number; name: string; [key: string]: unknown }
    rep: { id?: number; name: string }
    visit: { objective?: string | null; painPoint?: string | null; [key: string]: unknown }
    actionItems: { agreedAction: string; note?: string | null; nextFollowUpAt: string | null; nextFollowUpForm: string | null; [key: string]: unknown }
  }
  dueAt: string
  overdue: boolean
  confirmedAt: string | null
  discussRequestedAt?: string | null
  reminderAt: string | null
  escalatedAt?: string | null
  /** 已升级: past its deadline, the director was told */
  escalated?: boolean
  /** minutes past the confirm-by time */
  overdueMinutes?: number
  /** who confirms it */
  assignee?: { id: number; name: string; role: string } | null
}

/** GET /home: what waits for the caller today. */
export interface Home {
  pendingVisits: { count: number; items: Array<{ visitId: number; customerId: number; customerName: string; since: string }> }
  leadsAwaitingFirstTouch: { count: number; items: Array<{ customerId: number; customerName: string; firstTouchDueAt: string; overdue: boolean }> }
  todos: { toConfirm: number; myOpen: number; escalated: number }
}
