import { z } from 'zod';
import { DB_ID_MAX, ERROR_CODES, rolesFor, type ErrorCode } from '@anchor/shared';
import type { ErrorSpec } from '../modules/module';
import { allErrors } from './error-catalogs';
import type { AnyRoute } from './route';

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' }) as Record<string, unknown>;
}

/**
 * The codes a route may answer with: the platform's, from what the route is (a body, a query, an upload,
 * a guard, an id in the path), and the module codes its spec declares.
 */
export function routeErrorCodes(r: AnyRoute): ErrorCode[] {
  const codes = new Set<ErrorCode>();
  if (r.body || r.query || r.upload) codes.add('VALIDATION_FAILED');
  if (r.body) {
    codes.add('INVALID_JSON');
    codes.add('UNSUPPORTED_MEDIA_TYPE');
  }
  if (r.upload) {
    codes.add('PAYLOAD_TOO_LARGE');
    codes.add('UNSUPPORTED_MEDIA_TYPE');
  }
  if (r.access !== 'public') codes.add('UNAUTHENTICATED');
  if (r.can) codes.add('FORBIDDEN');
  if (/:\w+/.test(r.path)) codes.add('NOT_FOUND');
  for (const code of r.errors ?? []) codes.add(code);
  return [...codes];
}

/** One response per status: the codes answered with it (an enum on `error.code`) and what each says. */
function errorResponses(codes: readonly ErrorCode[], catalog: Record<ErrorCode, ErrorSpec>): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const spec = catalog[code];
    if (!spec) throw new Error(`OpenAPI: the error code ${code} is in no catalog`);
    byStatus.set(spec.status, [...(byStatus.get(spec.status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: list.map((code) => `${code}：${catalog[code].message}`).join('；'),
      content: {
        'application/json': {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/Error' },
              { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string', enum: list } } } } },
            ],
          },
        },
      },
    };
  }
  return responses;
}

/** Built from the same route table and zod schemas that validate requests, so it cannot drift. */
export function buildOpenApi(routes: readonly AnyRoute[], info: { version: string }, catalog: Record<ErrorCode, ErrorSpec> = allErrors()): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const openPath = `/api/v1${r.path}`.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [...openPath.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      // :id is a row id (an INT column); :code an invite code
      schema: m[1] === 'code' ? { type: 'string', maxLength: 32 } : { type: 'integer', minimum: 1, maximum: DB_ID_MAX },
    }));
    if (r.query) {
      const json = toJsonSchema(r.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(json.properties ?? {})) {
        parameters.push({ name, in: 'query', required: json.required?.includes(name) ?? false, schema });
      }
    }
    const operation: Record<string, unknown> = {
      tags: [r.tag],
      summary: r.summary,
      parameters,
      responses: {
        [String(r.status ?? 200)]: {
          description: 'OK',
          content: r.produces === 'xlsx'
            ? { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {} }
            : { 'application/json': r.response ? { schema: toJsonSchema(r.response, 'output') } : {} },
        },
        ...errorResponses(routeErrorCodes(r), catalog),
        // any route: the database away (503 SERVICE_UNAVAILABLE), a bug (500 INTERNAL)
        default: { description: '其他错误（SERVICE_UNAVAILABLE、INTERNAL 等）', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
    if (r.access !== 'public') operation.security = [{ bearer: [] }];
    // the right it needs and who holds it, from the permission matrix
    if (r.can) Object.assign(operation, { 'x-permission': r.can, 'x-roles': rolesFor(r.can) });
    if (r.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: toJsonSchema(r.body) } } };
    } else if (r.upload) {
      operation.requestBody = {
        required: true,
        content: { 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } } },
      };
    }
    (paths[openPath] ??= {})[r.method] = operation;
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Anchor 锚点 API', version: info.version },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: {
                code: { type: 'string', enum: [...ERROR_CODES] },
                message: { type: 'string', description: '中文错误信息' },
                fields: { type: 'object', additionalProperties: { type: 'string' } },
              },
              required: ['code', 'message'],
            },
          },
        },
      },
    },
  };
}
