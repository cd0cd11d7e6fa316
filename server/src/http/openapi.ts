import { z } from 'zod';
import { DB_ID_MAX, rolesFor } from '@anchor/shared';
import type { AnyRoute } from './route';

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' }) as Record<string, unknown>;
}

/** Built from the same route table and zod schemas that validate requests, so it cannot drift. */
export function buildOpenApi(routes: readonly AnyRoute[], info: { version: string }): Record<string, unknown> {
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
            : { 'application/json': {} },
        },
        '4XX': { description: '错误', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
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
                code: { type: 'string' },
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
