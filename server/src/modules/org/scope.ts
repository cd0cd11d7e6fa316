/** Whose customers a member may see: everyone, or the customers owned by these members. */
export type Scope = { kind: 'all' } | { kind: 'owners'; memberIds: number[] };

export function scopeIncludes(scope: Scope, ownerId: number): boolean {
  return scope.kind === 'all' || scope.memberIds.includes(ownerId);
}

// Who may do what lives in one matrix (shared/src/permissions.ts); who may own customers with it.
export { CUSTOMER_OWNER_ROLES } from '@anchor/shared';
