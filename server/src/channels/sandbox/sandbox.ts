import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../clock';
import type { WecomEnv } from '../../config/env';
import type { JobRunner } from '../../jobs/job-runner';
import type { OutboxDispatcher } from '../../outbox/dispatcher';
import { WecomCrypto } from '../wecom/wecom-crypto';
import { withSqlTransaction } from '../../db/sql';
import { messageView, SANDBOX_SCRIPT, SANDBOX_SHELL, type SandboxMessageView } from './sandbox-page';
import type { Context } from 'koa';
import { DB_ID_MAX, ROLE_LABELS } from '@anchor/shared';
import type { Policy } from '../../config/policy';
import { AppError, invalid, notFound } from '../../http/errors';
import type { AuthService, Member } from '../../modules/org';
import type { TodoService } from '../../modules/todos';

/** A message as the sandbox shows it: to a person (the WeCom app) or into a team group (a robot). */
export interface SandboxMessage {
  id: string;
  to: { kind: 'user' | 'robot'; id: string };
  msgtype: string;
  body: Record<string, any>;
  at: Date;
  /** for a button card: the label that replaced its buttons after an update */
  replacedBy?: string;
}

/** Points the sandbox app (and the group robots) at this server once its port is known. */
export function pointSandboxAt(env: { wecom: WecomEnv | null; robotApiBase: { wecom: string } }, base: string): void {
  if (env.wecom) env.wecom.apiBase = `${base}/sandbox/wecom`;
  env.robotApiBase.wecom = `${base}/sandbox/wecom`;
}

/** Settings of a WeCom app that exists only inside this server: random secrets, local API. */
export function sandboxWecomEnv(): WecomEnv {
  return {
    corpId: 'sandbox-corp',
    agentId: 1000002,
    secret: randomBytes(16).toString('hex'),
    token: randomBytes(16).toString('hex'),
    // 43 characters of base64 alphabet, as WeCom generates them
    aesKey: randomBytes(33).toString('base64').replace(/[^A-Za-z0-9]/g, 'A').slice(0, 43),
    apiBase: 'http://127.0.0.1:0/sandbox/wecom', // set once the server listens
  };
}

/**
 * The chat loop without any account: a stand-in for WeCom's API (gettoken, message/send,
 * update_template_card, webhook/send) that keeps what it receives and shows it at /sandbox/ like a
 * chat. Its buttons send a real, encrypted template_card_event to the server's own WeCom callback,
 * so a newcomer exercises the same code as production: visit → card → confirm or escalation.
 */
export class WecomSandbox {
  readonly messages: SandboxMessage[] = [];
  private readonly tokens = new Set<string>();
  private readonly responseCodes = new Map<string, string>(); // code → message id
  private readonly crypto: WecomCrypto;
  /** to-dos whose 48 h the demo already skipped: their button is gone */
  private readonly simulated = new Set<number>();

  constructor(
    private readonly env: WecomEnv,
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly jobs: JobRunner,
    private readonly outbox: OutboxDispatcher,
    private readonly auth: AuthService,
    private readonly todos: TodoService,
    private readonly policy: Policy,
  ) {
    this.crypto = new WecomCrypto({ token: env.token!, encodingAesKey: env.aesKey!, receiveId: env.corpId });
  }

  private push(to: SandboxMessage['to'], msgtype: string, body: Record<string, any>): SandboxMessage {
    const message: SandboxMessage = { id: randomBytes(6).toString('hex'), to, msgtype, body, at: this.clock.now() };
    this.messages.push(message);
    if (this.messages.length > 500) this.messages.shift();
    return message;
  }

  private issueCode(messageId: string): string {
    const code = randomBytes(12).toString('hex');
    this.responseCodes.set(code, messageId);
    return code;
  }

  routes(): Router {
    const router = new Router();
    const ok = (extra: Record<string, unknown> = {}) => ({ errcode: 0, errmsg: 'ok', ...extra });
    const authorised = (token: unknown) => typeof token === 'string' && this.tokens.has(token);

    router.get('/sandbox/wecom/cgi-bin/gettoken', (ctx) => {
      if (ctx.query.corpid !== this.env.corpId || ctx.query.corpsecret !== this.env.secret) return void (ctx.body = { errcode: 40001, errmsg: 'invalid credential' });
      const token = randomBytes(16).toString('hex');
      this.tokens.add(token);
      ctx.body = ok({ access_token: token, expires_in: 7200 });
    });
    router.post('/sandbox/wecom/cgi-bin/message/send', (ctx) => {
      if (!authorised(ctx.query.access_token)) return void (ctx.body = { errcode: 40014, errmsg: 'invalid access_token' });
      const body = (ctx.request as { body?: Record<string, any> }).body ?? {};
      const message = this.push({ kind: 'user', id: String(body.touser) }, String(body.msgtype), body);
      const interactive = body.msgtype === 'template_card' && body.template_card?.card_type === 'button_interaction';
      ctx.body = ok({ msgid: message.id, ...(interactive ? { response_code: this.issueCode(message.id) } : {}) });
    });
    router.post('/sandbox/wecom/cgi-bin/message/update_template_card', (ctx) => {
      if (!authorised(ctx.query.access_token)) return void (ctx.body = { errcode: 40014, errmsg: 'invalid access_token' });
      const body = (ctx.request as { body?: Record<string, any> }).body ?? {};
      const messageId = this.responseCodes.get(String(body.response_code));
      if (!messageId) return void (ctx.body = { errcode: 40098, errmsg: 'invalid response_code' });
      this.responseCodes.delete(String(body.response_code));
      const message = this.messages.find((m) => m.id === messageId);
      if (message) message.replacedBy = String(body.button?.replace_name ?? '已处理');
      ctx.body = ok();
    });
    router.post('/sandbox/wecom/cgi-bin/webhook/send', async (ctx) => {
      // Like WeCom, a robot key that was never issued posts nowhere.
      const known = (await this.db.query('SELECT teamId FROM team_channel_settings WHERE wecomRobotKey = ?', [String(ctx.query.key ?? '')])) as unknown[];
      if (!known.length) return void (ctx.body = { errcode: 93000, errmsg: 'invalid webhook url' });
      const body = (ctx.request as { body?: Record<string, any> }).body ?? {};
      this.push({ kind: 'robot', id: String(ctx.query.key) }, String(body.msgtype), body);
      ctx.body = ok();
    });

    router.get('/sandbox/', (ctx) => {
      ctx.type = 'text/html; charset=utf-8';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = SANDBOX_SHELL;
    });
    router.get('/sandbox/sandbox.js', (ctx) => {
      ctx.type = 'application/javascript; charset=utf-8';
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = SANDBOX_SCRIPT;
    });
    // What the logged-in member would see in WeCom: their app messages and their teams' groups.
    router.get('/sandbox/messages', async (ctx) => {
      const member = await this.memberOf(ctx);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { member: { name: member.name, role: ROLE_LABELS[member.role] }, messages: await this.visibleTo(member) };
    });
    // A button on a card sent to this member: sealed and posted to our own callback as WeCom would, from them.
    router.post('/sandbox/click', async (ctx) => {
      const member = await this.memberOf(ctx);
      const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
      const message = this.messages.find((m) => m.id === body.message && m.to.kind === 'user' && m.to.id === member.wecomUserId);
      if (!message) throw notFound('消息');
      const keys = ((message.body.template_card?.button_list ?? []) as { key?: unknown }[]).map((b) => b.key);
      if (typeof body.key !== 'string' || !keys.includes(body.key)) throw invalid({ key: '按钮不属于这张卡片' });
      if (!message.replacedBy) await this.click(message, body.key);
      ctx.body = { ok: true };
    });
    // Demo only: let a to-do's 48 h pass now, to watch the escalation reach the director. Once per to-do.
    router.post('/sandbox/escalate-now', async (ctx) => {
      const member = await this.memberOf(ctx);
      const todoId = Number((ctx.request as { body?: Record<string, unknown> }).body?.todo);
      if (!Number.isSafeInteger(todoId) || todoId < 1 || todoId > DB_ID_MAX) throw notFound('待办');
      const todo = await this.todos.get(member, todoId); // 404 unless the member is its rep or assignee
      if (!this.simulated.has(todoId)) {
        this.simulated.add(todoId);
        await withSqlTransaction(this.db, (sql) => sql.exec("UPDATE job SET dueAt = ? WHERE kind = 'todo.escalate' AND subject = ? AND status = 'pending'", [this.clock.now(), `visit:${todo.visitId}`]));
        await this.jobs.runDue();
        await this.outbox.runOnce();
      }
      ctx.body = { ok: true };
    });
    return router;
  }

  private async click(message: SandboxMessage, key: string): Promise<void> {
    const card = message.body.template_card ?? {};
    const fields: Record<string, string | number> = {
      ToUserName: this.env.corpId, FromUserName: message.to.id, CreateTime: Math.floor(this.clock.now().getTime() / 1000), MsgType: 'event',
      Event: 'template_card_event', EventKey: key, TaskId: String(card.task_id ?? ''), CardType: String(card.card_type ?? ''),
      ResponseCode: this.issueCode(message.id), AgentID: this.env.agentId,
    };
    const xml = `<xml>${Object.entries(fields).map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`).join('')}</xml>`;
    const encrypt = this.crypto.encrypt(xml);
    const timestamp = String(Math.floor(this.clock.now().getTime() / 1000));
    const nonce = randomBytes(8).toString('hex');
    const query = new URLSearchParams({ msg_signature: this.crypto.signature(timestamp, nonce, encrypt), timestamp, nonce });
    await fetch(`${this.env.apiBase.replace(/\/sandbox\/wecom$/, '')}/api/v1/channels/wecom/callback?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: `<xml><ToUserName><![CDATA[${this.env.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[${this.env.agentId}]]></AgentID></xml>`,
    });
    await this.outbox.runOnce(); // show the updated card at once
  }

  /** The member behind the bearer token the page sends (the app's session); 401 otherwise. */
  private async memberOf(ctx: Context): Promise<Member> {
    const token = /^Bearer\s+(.+)$/i.exec(ctx.get('authorization'))?.[1]?.trim();
    const member = token ? await this.auth.authenticate(token) : null;
    if (!member) throw new AppError(401, 'UNAUTHENTICATED', '请先登录');
    return member;
  }

  /** Newest first: app messages sent to the member, and robot posts in the groups of the teams they are in or lead. */
  private async visibleTo(member: Member): Promise<SandboxMessageView[]> {
    const robots = (await this.db.query(
      'SELECT s.wecomRobotKey, t.id AS teamId, t.regionId, t.name FROM team_channel_settings s JOIN team t ON t.id = s.teamId WHERE s.wecomRobotKey IS NOT NULL',
    )) as { wecomRobotKey: string; teamId: number; regionId: number | null; name: string }[];
    const groups = new Map(
      robots
        .filter((r) => member.role === 'admin' || (member.role === 'director' ? r.regionId === member.regionId : r.teamId === member.teamId))
        .map((r) => [r.wecomRobotKey, `${r.name} 群`]),
    );
    return [...this.messages]
      .reverse()
      .filter((m) => (m.to.kind === 'user' ? m.to.id === member.wecomUserId : groups.has(m.to.id)))
      .map((m) =>
        messageView(m, {
          to: m.to.kind === 'user' ? member.name : groups.get(m.to.id)!,
          timeZone: this.policy.timeZone,
          mine: m.to.kind === 'user',
          simulated: this.simulated,
        }),
      );
  }
}
