import type { ErrorCatalogName, ErrorCode } from '@anchor/shared';
import { CHANNEL_ERRORS } from '../channels/channel.errors';
import { serverModules } from '../modules';
import type { ErrorSpec } from '../modules/module';
import { OUTBOX_ERRORS } from '../outbox/outbox.errors';
import { HTTP_ERRORS } from './http.errors';

export type ErrorCatalogs = { readonly [N in ErrorCatalogName]: Readonly<Record<string, ErrorSpec>> };

/**
 * Every catalog, by the name shared/src/errors.ts lists its codes under: the platform's three and each
 * module's (its definition's `errors`, under the module's name). Read at call time, like the module list.
 */
export function errorCatalogs(): ErrorCatalogs {
  const catalogs: Record<string, Readonly<Record<string, ErrorSpec>>> = { http: HTTP_ERRORS, outbox: OUTBOX_ERRORS, channels: CHANNEL_ERRORS };
  for (const module of serverModules()) catalogs[module.name] = module.errors;
  return catalogs as ErrorCatalogs;
}

/** One code → its spec, over all catalogs (a code belongs to one catalog only). */
export function allErrors(catalogs: Readonly<Record<string, Readonly<Record<string, ErrorSpec>>>> = errorCatalogs()): Record<ErrorCode, ErrorSpec> {
  return Object.assign({}, ...Object.values(catalogs)) as Record<ErrorCode, ErrorSpec>;
}
