import Router from '@koa/router';
import type { Context } from 'koa';
import type { DataSource } from 'typeorm';
import type { Clock } from '../clock';
import type { Env } from '../config/env';
import { withSqlTransaction } from '../db/sql';
import { isDuplicateKeyError } from '../db/transaction';
import type { Logger } from '../logger';
import type { TodoService } from '../modules/todos/todo.service';
import { checkCallbackSign } from './dingtalk/dingtalk-sign';
import { parseCallbackXml, WecomCrypto, WecomCryptoError } from './wecom/wecom-crypto';

const MAX_CALLBACK_BYTES = 64 * 1024;

async function readText(ctx: Context): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CALLBACK_BYTES) throw Object.assign(new Error('callback body too large'), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Button callbacks from WeCom (encrypted XML) and DingTalk (signed JSON). Signature, time window
 * and nonce are checked before anything is read; a confirmation goes through the same service as the
 * app's button, so confirming anywhere confirms once, everywhere.
 */
export function channelCallbackRoutes(deps: { db: DataSource; env: Env; clock: Clock; logger: Logger; todos: TodoService; wecomCrypto: WecomCrypto | null }): Router {
  const { db, env, clock, logger, todos, wecomCrypto } = deps;
  const router = new Router({ prefix: '/api/v1/channels' });

  /** A (timestamp, nonce) seen before within the window is a replay. */
  const firstSighting = async (channel: string, timestamp: string, nonce: string): Promise<boolean> => {
    try {
      await withSqlTransaction(db, (sql) => sql.insert('callback_nonce', [{ nonceKey: `${channel}:${timestamp}:${nonce}`.slice(0, 191), seenAt: clock.now() }]));
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  };

  const refuse = (ctx: Context, status: number, reason: string) => {
    logger.warn({ path: ctx.path, reason }, 'callback refused');
    ctx.status = status;
    ctx.type = 'text/plain';
    ctx.body = 'refused';
  };

  router.get('/wecom/callback', async (ctx) => {
    if (!wecomCrypto) return refuse(ctx, 404, 'wecom callback not configured');
    try {
      const echo = wecomCrypto.verifyUrl(ctx.query, clock.now());
      if (!(await firstSighting('wecom', String(ctx.query.timestamp), String(ctx.query.nonce)))) return refuse(ctx, 403, 'replayed nonce');
      ctx.type = 'text/plain';
      ctx.body = echo; // the plaintext only: no quotes, no newline
    } catch (error) {
      if (error instanceof WecomCryptoError) return refuse(ctx, 403, `${error.code} ${error.message}`);
      throw error;
    }
  });

  router.post('/wecom/callback', async (ctx) => {
    if (!wecomCrypto) return refuse(ctx, 404, 'wecom callback not configured');
    let xml: string;
    try {
      xml = wecomCrypto.openCallback(ctx.query, await readText(ctx), clock.now());
    } catch (error) {
      if (error instanceof WecomCryptoError) return refuse(ctx, 403, `${error.code} ${error.message}`);
      throw error;
    }
    if (!(await firstSighting('wecom', String(ctx.query.timestamp), String(ctx.query.nonce)))) return refuse(ctx, 403, 'replayed nonce');
    const event = parseCallbackXml(xml);
    ctx.type = 'text/plain';
    ctx.body = 'success';
    if (event.Event !== 'template_card_event') return;
    const match = /^(confirm|discuss):(\d+)$/.exec(event.EventKey ?? '');
    if (!match) return;
    const [members] = [await db.query('SELECT id FROM member WHERE wecomUserId = ? AND deactivatedAt IS NULL', [event.FromUserName ?? ''])];
    const memberId = (members as { id: number }[])[0]?.id;
    const todoId = Number(match[2]);
    // Keep the click's fresh response_code: the card can be updated with it (once, within 72 h).
    if (event.ResponseCode) {
      await withSqlTransaction(db, (sql) =>
        sql.exec("UPDATE delivery SET responseCode = ? WHERE subject = ? AND channel = 'wecom_app' AND status = 'sent'", [event.ResponseCode, `todo:${todoId}`]),
      );
    }
    if (!memberId) return void logger.warn({ userid: event.FromUserName }, 'wecom click from an unknown user ignored');
    try {
      if (match[1] === 'discuss') {
        const { changed } = await todos.requestDiscussion(Number(memberId), todoId, 'wecom');
        return void logger.info({ todoId, memberId, changed }, 'supervisor asked the rep to talk first (WeCom)');
      }
      const { changed } = await todos.confirm(Number(memberId), todoId, 'wecom', null);
      logger.info({ todoId, memberId, changed }, 'to-do confirmed from WeCom');
    } catch (error) {
      // Someone else's to-do, or none: the click changes nothing.
      logger.warn({ todoId, memberId, err: (error as Error).message }, 'wecom click ignored');
    }
  });

  router.post('/dingtalk/callback', async (ctx) => {
    if (!env.dingtalk) return refuse(ctx, 404, 'dingtalk callback not configured');
    const check = checkCallbackSign({ timestamp: ctx.get('timestamp'), sign: ctx.get('sign') }, env.dingtalk.appSecret, clock.now());
    if (!check.ok) return refuse(ctx, 403, `sign ${check.reason}`);
    // The sign covers only the timestamp: without the nonce check a captured request could be replayed.
    if (!(await firstSighting('dingtalk', ctx.get('timestamp'), ctx.get('sign')))) return refuse(ctx, 403, 'replayed request');
    const body = ((ctx.request as { body?: unknown }).body ?? {}) as { text?: { content?: string }; senderStaffId?: string; msgId?: string };
    ctx.body = { msgtype: 'empty' };
    // The same message again (a platform retry, or a copy under fresh headers) acts once.
    if (body.msgId && !(await firstSighting('dingtalk-msg', 'id', String(body.msgId)))) return void logger.info({ msgId: body.msgId }, 'dingtalk message seen before: ignored');
    // 「确认 #12」 confirms; 「沟通 #12」 asks the rep to talk first (the rep reads it in the same group).
    const match = /(确认|沟通)\s*#?(\d+)/.exec(body.text?.content ?? '');
    if (!match || !body.senderStaffId) return;
    const rows = (await db.query('SELECT id FROM member WHERE dingtalkUserId = ? AND deactivatedAt IS NULL', [body.senderStaffId])) as { id: number }[];
    if (!rows[0]) return void logger.warn({ staffId: body.senderStaffId }, 'dingtalk message from an unknown user ignored');
    try {
      if (match[1] === '沟通') await todos.requestDiscussion(Number(rows[0].id), Number(match[2]), 'dingtalk');
      else await todos.confirm(Number(rows[0].id), Number(match[2]), 'dingtalk', null);
    } catch (error) {
      logger.warn({ todo: match[2], err: (error as Error).message }, 'dingtalk message ignored');
    }
  });

  return router;
}
