import type { ErrorCatalogName, ErrorCode } from '@anchor/shared';
import { CHANNEL_ERRORS } from '../channels/channel.errors';
import { CUSTOMER_ERRORS } from '../modules/customers/customers.errors';
import type { ErrorSpec } from '../modules/module';
import { ORG_ERRORS } from '../modules/org/org.errors';
import { TODO_ERRORS } from '../modules/todos/todos.errors';
import { VISIT_ERRORS } from '../modules/visits/visits.errors';
import { OUTBOX_ERRORS } from '../outbox/outbox.errors';
import { HTTP_ERRORS } from './http.errors';

/**
 * Every catalog, by the name shared/src/errors.ts lists its codes under: what OpenAPI reads a code's
 * status and words from. (Once each module's definition carries its `errors`, this list is theirs joined.)
 */
export const ERROR_CATALOGS: { readonly [N in ErrorCatalogName]: Record<string, ErrorSpec> } = {
  http: HTTP_ERRORS,
  customers: CUSTOMER_ERRORS,
  visits: VISIT_ERRORS,
  todos: TODO_ERRORS,
  org: ORG_ERRORS,
  outbox: OUTBOX_ERRORS,
  channels: CHANNEL_ERRORS,
};

/** One code → its spec, over all catalogs (a code belongs to one catalog only). */
export function allErrors(catalogs: Record<string, Record<string, ErrorSpec>> = ERROR_CATALOGS): Record<ErrorCode, ErrorSpec> {
  return Object.assign({}, ...Object.values(catalogs)) as Record<ErrorCode, ErrorSpec>;
}
