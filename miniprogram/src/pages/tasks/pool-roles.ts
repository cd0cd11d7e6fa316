import type { Role } from '@anchor/shared'

/** Roles whose approval steps can wait in a pool (policy approvals: `assignee: 'pool'`); the others see only their own tasks. */
export const POOL_ROLES: readonly Role[] = ['finance', 'marketing', 'admin']
