/**
 * What the API answers, as the app reads it: one definition in shared/ beside the schemas of what it
 * accepts, so the mini-program and the server's views cannot drift apart silently.
 */
import type { Role } from './org';
import type { AnchorTextRules } from './visits';
import type { StageCode } from './stages';

/**
 * A member as the API shows them (identities such as WeChat ids stay on the server). A type, not an
 * interface, so it also fits the app's stored session, which allows extra keys.
 */
export type MemberView = {
  id: number;
  name: string;
  phone: string;
  role: Role;
  teamId: number | null;
  regionId: number | null;
  managerId: number | null;
};

export interface NamedRef {
  id: number;
  name: string;
}

/** GET /api/v1/me: who is signed in, in words a person reads on 我的, and the 待办 badge count. */
export type MeView = MemberView & {
  /** 销售代表、直属主管… */
  roleLabel: string;
  team: NamedRef | null;
  region: NamedRef | null;
  manager: NamedRef | null;
  /** Open to-dos on the member's 待办 screen (the tab bar badge). */
  openTodos: number;
  /** A supervisor (or above) with a team may invite people to it: the invite QR on 我的. */
  canInvite: boolean;
};

/** POST /api/v1/invites */
export interface InviteView {
  code: string;
  kind: 'team' | 'member';
  teamId: number;
  memberId: number | null;
  expiresAt: string;
  url: string;
}

export interface StageOption {
  code: string;
  label: string;
}

/** GET /api/v1/options: the lists a form offers, from config/. */
export interface Options {
  /** IANA zone the app shows and reads wall-clock times in (policy timeZone; absent in an old cached copy). */
  timeZone?: string;
  stages: StageOption[];
  /** stages that never count as overdue (policy; absent in an old cached copy) */
  overdueExcludedStages?: StageCode[];
  grades: string[];
  industries: string[];
  visitObjectives: string[];
  bottlenecks: string[];
  agreedActions: string[];
  followUpForms: string[];
  firstTouchMethods: string[];
  limits: { nextFollowUpHorizonDays: number; overdueDays?: number; [key: string]: unknown };
  /** Subscribe-message template for reminders; null when WeChat is not configured. */
  reminderTemplateId?: string | null;
  /** minimum lengths and placeholder answers for the text anchors (absent in an old cached copy) */
  anchors?: AnchorTextRules;
}

/** POST /api/v1/auth/…/login */
export interface LoginResult {
  token: string;
  expiresAt: string | null;
  member: MemberView;
}

export interface PersonRef {
  id: number;
  name: string;
}

export interface Customer {
  id: number;
  name: string;
  industry: string | null;
  stage: string;
  stageLabel: string;
  owner: PersonRef | null;
  grade: string | null;
  lastFollowUpAt: string | null;
  overdue: boolean;
  createdAt?: string;
  firstTouchDueAt?: string | null;
  firstTouchAt?: string | null;
  city: string | null;
  contactName: string | null;
  contactPhone?: string | null;
  contactTitle?: string | null;
  address?: string | null;
  [key: string]: unknown;
}

/** Every list endpoint answers one page of this shape. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
  /** a search counted its first 1000 matches and stopped: show 1000+ */
  totalCapped?: boolean;
}

export type TimelineEntry =
  | { type: 'visit'; at: string; id: number; by: PersonRef; status: 'pending' | 'submitted'; objective: string | null; painPoint: string | null; agreedAction: string | null; agreedActionText?: string; nextFollowUpAt: string | null; alert: boolean; photoIds?: number[]; savedAt?: string | null; offlineNote?: string | null }
  | { type: 'first_touch'; at: string; id: number; by: PersonRef; method: string; verbatim: string; onTime: boolean; photoIds?: number[] }
  | { type: 'stage_change'; at: string; id: number; by: PersonRef; from: string | null; fromLabel: string | null; to: string; toLabel: string }
  | { type: 'todo'; at: string; id: number; visitId?: number | null; status: 'open' | 'confirmed'; agreedAction: string; agreedActionText?: string; dueAt: string; confirmedAt: string | null; escalatedAt: string | null };

export interface Todo {
  id: number;
  visitId?: number | null;
  status: 'open' | 'confirmed' | string;
  snapshot: {
    customer: { id?: number; name: string; [key: string]: unknown };
    rep: { id?: number; name: string };
    visit: { objective?: string | null; painPoint?: string | null; [key: string]: unknown };
    actionItems: { agreedAction: string; note?: string | null; nextFollowUpAt: string | null; nextFollowUpForm: string | null; [key: string]: unknown };
  };
  dueAt: string;
  overdue: boolean;
  confirmedAt: string | null;
  discussRequestedAt?: string | null;
  reminderAt: string | null;
  escalatedAt?: string | null;
  /** 已升级: past its deadline, the director was told */
  escalated?: boolean;
  /** minutes past the confirm-by time */
  overdueMinutes?: number;
  /** who confirms it */
  assignee?: { id: number; name: string; role: string } | null;
}

/** GET /home: what waits for the caller today. */
export interface Home {
  pendingVisits: { count: number; items: Array<{ visitId: number; customerId: number; customerName: string; since: string }> };
  leadsAwaitingFirstTouch: { count: number; items: Array<{ customerId: number; customerName: string; firstTouchDueAt: string; overdue: boolean }> };
  todos: { toConfirm: number; myOpen: number; escalated: number };
}
