import type { Role } from '@anchor/shared';

/** Whose customers a member may see: everyone, or the customers owned by these members. */
export type Scope = { kind: 'all' } | { kind: 'owners'; memberIds: number[] };

export function scopeIncludes(scope: Scope, ownerId: number): boolean {
  return scope.kind === 'all' || scope.memberIds.includes(ownerId);
}

/** Roles that may create, edit and import customers (finance and marketing only read). */
export const CUSTOMER_EDITORS: readonly Role[] = ['rep', 'supervisor', 'director', 'admin'];
/** Roles that may move a customer to another owner. */
export const CUSTOMER_REASSIGNERS: readonly Role[] = ['supervisor', 'director', 'admin'];
/** Roles that may own customers. */
export const CUSTOMER_OWNER_ROLES: readonly Role[] = ['rep', 'supervisor'];
