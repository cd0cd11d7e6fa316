import { optionsSchema } from '@anchor/shared';
import { randomUUID } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import type { DataSource } from 'typeorm';
import type { Clock } from './clock';
import type { Env } from './config/env';
import type { Policy } from './config/policy';
import { TokenCache } from './channels/token-cache';
import { WecomApiClient, WecomApiError } from './channels/wecom/wecom-api.client';
import { ChannelHealth } from './channels/channel-health';
import { errorMiddleware, httpError } from './http/errors';
import { buildOpenApi } from './http/openapi';
import { h5App } from './http/h5-app';
import { fileUpload } from './http/upload';
import { loginRateLimit, methodGuard, noStoreForTokens, rootRedirect, securityHeaders } from './http/hardening';
import { checkAccess, parseInput, route, type AnyRoute, type ApiContext, type MemberContext } from './http/route';
import type { Logger } from './logger';
import { JobRunner } from './jobs/job-runner';
import { nonceCleanupJob } from './channels/callback-nonce.job';
import { DingtalkRobotSender, WechatSubscribeSender, WecomAppSender, WecomRobotSender, wecomCredentialProblem, type Sender } from './channels/senders';
import { channelCallbackRoutes } from './channels/channel-callbacks';
import { WecomCrypto } from './channels/wecom/wecom-crypto';
import { WecomSandbox } from './channels/sandbox/sandbox';
import type { WechatPaySandbox } from './channels/sandbox/wechatpay-sandbox';
import { OutboxDispatcher } from './outbox/dispatcher';
import { QrCodes } from './channels/qr-codes';
import { qrRoutes } from './channels/qr.routes';
import { MessageBuilder } from './outbox/message-builder';
import { MessageKit } from './outbox/message-kit';
import { serverModules } from './modules';
import type { AnyModule, ModuleContext, ModuleExports } from './modules/module';
import { messageDirectory } from './modules/org';
import type { ObjectStorage } from './modules/attachments';
import type { VisitFaults } from './modules/visits';
import { outboxRoutes } from './outbox/outbox.routes';
import type { DeliveryChannel } from './outbox/delivery.entity';

export interface AppDeps {
  db: DataSource;
  policy: Policy;
  env: Env;
  clock: Clock;
  logger: Logger;
  storage?: ObjectStorage;
  visitFaults?: VisitFaults;
  /** demo without WeCom credentials: cards go to the built-in /sandbox/ */
  sandbox?: boolean;
  /** demo without WECHATPAY_* credentials: a WeChat Pay stand-in at /sandbox/wechatpay/ */
  wechatPaySandbox?: WechatPaySandbox;
  /** the modules to join (default: modules/index.ts); tests add a fixture module this way */
  modules?: readonly AnyModule[];
}

/** Every module's exports side by side (org, auth, customers, visits, todos, …): what routes and tests use. */
type AllExports = UnionToIntersection<ModuleExports[keyof ModuleExports]>;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Builds each module's services in list order; `use(name)` hands a module what an earlier one exports. */
function buildModules(list: readonly AnyModule[], base: Omit<ModuleContext, 'use'>) {
  const built = new Map<string, unknown>();
  const context: ModuleContext = {
    ...base,
    use: ((name: string) => {
      if (!built.has(name)) throw new Error(`module ${name} is not built yet: list it before its users in modules/index.ts`);
      return built.get(name);
    }) as ModuleContext['use'],
  };
  for (const module of list) {
    if (built.has(module.name)) throw new Error(`two modules are named ${module.name}`);
    built.set(module.name, module.services(context));
  }
  return { context, exportsOf: (name: string) => built.get(name), all: Object.assign({}, ...built.values()) as AllExports };
}

/** Each module's declarations gathered by kind, refusing two modules that claim the same name. */
function collect<T>(list: readonly AnyModule[], what: string, pick: (m: AnyModule) => Record<string, T> | undefined): Map<string, T> {
  const out = new Map<string, T>();
  for (const m of list) {
    for (const [key, value] of Object.entries(pick(m) ?? {})) {
      if (out.has(key)) throw new Error(`${what} ${key} is declared twice (module ${m.name})`);
      out.set(key, value);
    }
  }
  return out;
}

export function createServices(deps: AppDeps) {
  const { db, policy, env, clock, logger } = deps;
  const moduleList = deps.modules ?? serverModules();
  const tokens = new TokenCache(db, clock);
  const built = buildModules(moduleList, { db, policy, env, clock, logger, tokens, storage: deps.storage, visitFaults: deps.visitFaults, modules: moduleList });
  const { context } = built;
  const moduleServices = built.all;
  const jobHandlers = collect(moduleList, 'job kind', (m) => m.jobs?.(built.exportsOf(m.name), context));
  const jobs = new JobRunner(db, policy, clock, logger, Object.fromEntries(jobHandlers), [
    // periodic work: one row per kind that reschedules itself (schedules in config/policy.yaml `recurring`)
    ...moduleList.flatMap((m) => m.recurring?.(built.exportsOf(m.name), context) ?? []),
    nonceCleanupJob(policy),
  ]);
  // The dispatcher owns retries (one attempt per pass); login keeps its quick inline retries.
  const wecomSender = env.wecom ? new WecomAppSender(new WecomApiClient(env.wecom, tokens, { attempts: 1, baseDelayMs: 0, timeoutMs: 10_000 })) : null;
  const senders: Partial<Record<DeliveryChannel, Sender>> = {
    // Group robots need only their per-team keys (edited by an admin), not the app's credentials.
    wecom_robot: new WecomRobotSender(() => env.robotApiBase.wecom),
    dingtalk_robot: new DingtalkRobotSender({ apiBase: env.robotApiBase.dingtalk }, () => clock.now()),
    ...(wecomSender ? { wecom_app: wecomSender, wecom_card_update: wecomSender } : {}),
    ...(env.wechat ? { wechat_subscribe: new WechatSubscribeSender(env.wechat, tokens) } : {}),
  };
  const channelHealth = new ChannelHealth(db, clock, policy);
  const messages = new MessageBuilder(
    new MessageKit(env, policy, messageDirectory),
    collect(moduleList, 'message kind', (m) => m.messages),
    collect(moduleList, 'delivery subject', (m) => m.subjects),
  );
  const outbox = new OutboxDispatcher(db, clock, logger, messages, senders, channelHealth, policy.outbox);
  /** The channels this server sends on, as admins and /healthz see them. */
  const channelStatus = () => channelHealth.status(Object.keys(senders) as DeliveryChannel[]);
  /** Start-up: are the app credentials accepted? (A cached token needs no call.) */
  const probeCredentials = async (): Promise<void> => {
    if (!wecomSender || !env.wecom) return;
    const client = new WecomApiClient(env.wecom, tokens, { attempts: 1, baseDelayMs: 0, timeoutMs: 5_000 });
    try {
      await client.accessToken();
      await channelHealth.record('wecom_app', null);
    } catch (error) {
      const refused = error instanceof WecomApiError ? wecomCredentialProblem(error.errcode, error.errmsg) : null;
      // unreachable is not refused: the dispatcher finds out soon enough
      if (refused) await channelHealth.record('wecom_app', refused);
    }
  };
  const wecomCrypto = env.wecom?.token && env.wecom.aesKey ? new WecomCrypto({ token: env.wecom.token, encodingAesKey: env.wecom.aesKey, receiveId: env.wecom.corpId }) : null;
  const sandbox = deps.sandbox && env.wecom ? new WecomSandbox(env.wecom, db, clock, jobs, outbox, moduleServices.auth, moduleServices.todos, policy) : null;
  const qr = new QrCodes(env, tokens);
  return {
    ...moduleServices,
    modules: moduleList,
    moduleRoutes: (): AnyRoute[] => moduleList.flatMap((m) => m.routes?.(built.exportsOf(m.name), context) ?? []),
    tokens, jobs, outbox, messages, wecomCrypto, sandbox, qr, channelHealth, channelStatus, probeCredentials,
  };
}
export type Services = ReturnType<typeof createServices>;

function systemRoutes(deps: AppDeps): AnyRoute[] {
  const { policy } = deps;
  return [
    route({
      method: 'get', path: '/options', tag: '系统', summary: '可配置选项（阶段、行业、拜访目标等，来自 config/）', access: 'member',
      response: optionsSchema,
      handler: async () => ({
        // The app formats and reads wall-clock times in this zone (config/policy.yaml timeZone).
        timeZone: policy.timeZone,
        stages: policy.stages,
        // With limits.overdueDays, what the shared overdue rule (isCustomerOverdue) needs.
        overdueExcludedStages: policy.overdueExcludedStages,
        grades: policy.grading.grades.map((g) => g.grade),
        ...policy.options,
        limits: policy.limits,
        anchors: policy.anchors,
        // The mini-program asks for subscribe-message consent with this template when a reminder is set.
        reminderTemplateId: deps.env.wechatReminderTemplateId ?? null,
        // ... and with this one when the rep checks in (the next missed window's reminder).
        checkinTemplateId: deps.env.wechatCheckinTemplateId ?? null,
        signins: { farDistanceMeters: policy.signins.farDistanceMeters },
        wallRefreshSeconds: policy.dashboards.wall.refreshSeconds,
      }),
    }),
  ];
}

export function buildApp(deps: AppDeps, services: Services = createServices(deps)) {
  const { db, logger } = deps;
  const app = new Koa({ proxy: true });
  // Errors after the answer has started (a streamed file): a client that hung up is not one. Koa 3
  // reports a premature close even when a client closes its connection after the whole file.
  const CLIENT_GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);
  app.on('error', (error: Error & { code?: string }, ctx?: Koa.Context) => {
    if (error.code && CLIENT_GONE.has(error.code)) return;
    logger.error({ err: error, path: ctx?.path, requestId: ctx?.state.requestId }, 'error after the answer started');
  });
  const routes: AnyRoute[] = [
    ...services.moduleRoutes(),
    ...systemRoutes(deps),
    ...outboxRoutes(db, deps.clock, services.channelStatus),
    ...qrRoutes(services.qr, services.org, services.customers),
  ];
  const openApi = buildOpenApi(routes, { version: '0.1.0' });

  const router = new Router();
  router.get('/healthz', async (ctx) => {
    try {
      await db.query('SELECT 1');
      // A chat channel in trouble does not make this server unfit to serve (200): the body says which.
      const channels = Object.fromEntries((await services.channelStatus()).map((c) => [c.channel, { healthy: c.healthy, reason: c.reason, since: c.since }]));
      const healthy = Object.values(channels).every((c) => c.healthy);
      ctx.body = { status: healthy ? 'ok' : 'degraded', database: 'up', driver: db.options.type, channels };
    } catch (error) {
      logger.error({ err: error }, 'health check: database down');
      ctx.status = 503;
      ctx.set('Retry-After', String(deps.policy.database.retryAfterSeconds));
      ctx.body = { status: 'degraded', database: 'down', driver: db.options.type };
    }
  });

  const api = new Router({ prefix: '/api/v1' });
  api.get('/openapi.json', (ctx) => {
    ctx.body = openApi;
  });
  for (const spec of routes) {
    const handlers = [
      async (ctx: ApiContext, next: Koa.Next) => {
        if (spec.access !== 'public') {
          const token = /^Bearer\s+(.+)$/i.exec(ctx.get('authorization'))?.[1]?.trim();
          const member = token ? await services.auth.authenticate(token) : null;
          if (member) ctx.state.member = member;
        }
        checkAccess(spec, ctx);
        await next();
      },
      ...(spec.upload ? [fileUpload(spec.upload)] : []),
      async (ctx: ApiContext) => {
        const input = parseInput(spec, ctx);
        const result = await spec.handler(ctx as MemberContext, input as never);
        if (result !== undefined) ctx.body = result;
        if (spec.status) ctx.status = spec.status;
      },
    ];
    (api[spec.method] as (path: string, ...mw: unknown[]) => unknown).call(api, spec.path, ...handlers);
  }

  app.use(async (ctx, next) => {
    const started = process.hrtime.bigint();
    ctx.state.requestId = ctx.get('x-request-id').slice(0, 64) || randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId);
    try {
      await next();
    } finally {
      logger.info(
        {
          requestId: ctx.state.requestId,
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          memberId: ctx.state.member?.id,
          errorCode: ctx.state.errorCode,
        },
        'request',
      );
    }
  });
  app.use(securityHeaders());
  app.use(errorMiddleware(logger, { retryAfterSeconds: deps.policy.database.retryAfterSeconds }));
  app.use(methodGuard());
  app.use(rootRedirect());
  app.use(noStoreForTokens());
  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: '1mb',
      onError: (error) => {
        const e = error as { status?: number; type?: string };
        if (e.status === 413 || e.type === 'entity.too.large') throw httpError('PAYLOAD_TOO_LARGE', { message: '请求体过大（上限 1 MB）' });
        throw httpError('INVALID_JSON');
      },
    }),
  );
  app.use(loginRateLimit());
  app.use(h5App());
  app.use(router.routes());
  if (services.sandbox) app.use(services.sandbox.routes().routes());
  if (deps.wechatPaySandbox) app.use(deps.wechatPaySandbox.routes().routes());
  app.use(channelCallbackRoutes({ db, env: deps.env, clock: deps.clock, logger, todos: services.todos, tasks: services.tasks, wecomCrypto: services.wecomCrypto }).routes());
  app.use(api.routes());
  app.use(api.allowedMethods());
  return { app, services, routes };
}
