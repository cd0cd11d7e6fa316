import type { Context } from 'koa';
import type { z } from 'zod';
import { DB_ID_MAX, ROLE_LABELS, actionLabel, can, validate, type Action, type ErrorCode, type Validated } from '@anchor/shared';
import type { Member } from '../modules/org';
import { AppError, forbidden, invalid } from './errors';
import type { FileUploadOptions } from './upload';

export interface ApiState {
  requestId: string;
  member?: Member;
  errorCode?: string;
}
export type ApiContext = Context & { state: ApiState };
/** A context past the auth guard: the member is known. */
export type MemberContext = ApiContext & { state: ApiState & { member: Member } };

type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined> {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** koa-router style, relative to /api/v1 */
  path: string;
  tag: string;
  summary: string;
  /** 'public' routes skip the session check; 'member' is what every member may do (e.g. /me). Omitted when `can` names the right. */
  access?: 'public' | 'member';
  /** the action in the permission matrix (shared/src/permissions.ts) a member's role needs for this route */
  can?: Action;
  body?: B;
  /** replaces plain schema validation of the body, e.g. to add checks across fields */
  checkBody?: (raw: unknown) => Validated<unknown>;
  /** the answer to an invalid body, when it is not the generic VALIDATION_FAILED */
  invalid?: { code: ErrorCode; message: string };
  query?: Q;
  /** multipart/form-data with one file in the field `file` (http/upload.ts) */
  upload?: FileUploadOptions;
  /** the response is a file, not JSON */
  produces?: 'xlsx';
  status?: number;
  handler(ctx: MemberContext, input: { body: Infer<B>; query: Infer<Q> }): Promise<unknown>;
}

/** Keeps each route's body/query types tied to its schemas. */
export function route<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<B, Q>,
): RouteSpec<B, Q> {
  assertAccessDeclared(spec);
  return spec;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any>;

/** A route names exactly one of `access` and `can`; the app refuses to start on one that names neither or both. */
export function assertAccessDeclared(spec: AnyRoute): void {
  if ((spec.access === undefined) === (spec.can === undefined)) {
    throw new Error(`route ${spec.method.toUpperCase()} ${spec.path}: declare either access ('public' | 'member') or can (an action of the permission matrix)`);
  }
}

export function checkAccess(spec: AnyRoute, ctx: ApiContext): void {
  if (spec.access === 'public') return;
  const member = ctx.state.member;
  if (!member) throw new AppError(401, 'UNAUTHENTICATED', '请先登录');
  if (spec.can && !can(member.role, spec.can)) throw forbidden(`你的岗位（${ROLE_LABELS[member.role] ?? member.role}）不能${actionLabel(spec.can)}`);
}

export function parseInput(spec: AnyRoute, ctx: ApiContext): { body: unknown; query: unknown } {
  let body: unknown;
  let query: unknown;
  if (spec.body) {
    if (!ctx.is('application/json')) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', '请求体必须是 JSON (Content-Type: application/json)');
    const raw = (ctx.request as { body?: unknown }).body;
    if (raw === undefined || raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new AppError(400, 'INVALID_JSON', '请求体必须是 JSON 对象');
    }
    const result = spec.checkBody ? spec.checkBody(raw) : validate(spec.body, raw);
    if (!result.ok) throw spec.invalid ? new AppError(422, spec.invalid.code, spec.invalid.message, result.fields) : invalid(result.fields);
    body = result.data;
  }
  if (spec.query) {
    const result = validate(spec.query, { ...ctx.query });
    if (!result.ok) throw invalid(result.fields);
    query = result.data;
  }
  return { body, query };
}

/** Path ids are positive integers an INT column holds; anything else looks like an absent record. */
export function idParam(ctx: ApiContext, name = 'id', what = '记录'): number {
  const raw = (ctx as unknown as { params?: Record<string, string> }).params?.[name];
  const id = Number(raw);
  if (!raw || !/^\d{1,10}$/.test(raw) || !Number.isSafeInteger(id) || id <= 0 || id > DB_ID_MAX) throw new AppError(404, 'NOT_FOUND', `${what}不存在`);
  return id;
}
