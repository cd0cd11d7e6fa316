import Router from '@koa/router';
import type { Context } from 'koa';
import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../clock';
import type { Env } from '../config/env';
import { isSqlite } from '../db/data-source';
import { SQL, withSqlTransaction, type Sql } from '../db/sql';
import { isDuplicateKeyError, isTransientDbError, transaction } from '../db/transaction';
import { AppError } from '../http/errors';
import type { Logger } from '../logger';
import type { TaskService, TodoService } from '../modules/tasks';
import { enqueueMessages } from '../outbox/outbox';
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
export function channelCallbackRoutes(deps: { db: DataSource; env: Env; clock: Clock; logger: Logger; todos: TodoService; tasks: TaskService; wecomCrypto: WecomCrypto | null }): Router {
  const { db, env, clock, logger, todos, tasks, wecomCrypto } = deps;
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

  /** Notes `key` as seen in the caller's transaction: false when it was seen before (or is being, by a request not yet done). */
  const remember = async (sql: Sql, key: string): Promise<boolean> =>
    (await sql.exec(SQL`INSERT ${isSqlite(db) ? 'OR IGNORE' : 'IGNORE'} INTO callback_nonce (nonceKey, seenAt) VALUES (?, ?)`, [key.slice(0, 191), clock.now()])) === 1;

  /**
   * A click's nonce is recorded in the same transaction as what the click does: if the database fails
   * half-way (a lock wait timeout, a deadlock, a lost connection) nothing is kept, the platform is told
   * to try again, and its retry, under the same nonce, is accepted.
   */
  const inCallbackTransaction = <T>(work: (manager: EntityManager, sql: Sql) => Promise<T>): Promise<T> => transaction(db, (tx) => work(tx.manager, tx.sql));

  /** A refusal of the domain (someone else's to-do, none, already settled) is an answer: the click changes nothing. */
  const domainRefusal = (error: unknown): error is AppError => error instanceof AppError && error.status < 500;

  /** The database could not do it now: a status the platform retries on, and nothing recorded. */
  const tryAgain = (ctx: Context, error: unknown) => {
    logger.warn({ path: ctx.path, err: (error as Error).message, code: (error as { code?: string }).code }, 'callback met a transient database error: answered 503 for the platform to retry');
    ctx.status = 503;
    ctx.set('Retry-After', '5');
    ctx.type = 'text/plain';
    ctx.body = '服务暂时不可用，请稍后重试';
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
    const event = parseCallbackXml(xml);
    // `<action>:<task id>`; `discuss:` is the to-do cards' name for request_talk (those cards are still out there).
    const match = event.Event === 'template_card_event' ? /^(confirm|discuss|approve|request_talk):(\d+)$/.exec(event.EventKey ?? '') : null;
    let replayed = false;
    try {
      await inCallbackTransaction(async (manager, sql) => {
        if (!(await remember(sql, `wecom:${String(ctx.query.timestamp)}:${String(ctx.query.nonce)}`))) return void (replayed = true);
        if (!match) return;
        const taskId = Number(match[2]);
        const action = match[1] === 'discuss' ? 'request_talk' : (match[1] as 'confirm' | 'approve' | 'request_talk');
        // A visit's next action keeps the to-do's card (subject todo:<id>) and its messages.
        const isTodo = (await tasks.kindOf(taskId, manager)) === 'visit_next_action';
        const subject = `${isTodo ? 'todo' : 'task'}:${taskId}`;
        // Keep the click's fresh response_code on the card's row (sent, or still queued after an answer that
        // was lost): the card can be updated with it (once, within 72 h). A pool's task has a card per member.
        if (event.ResponseCode) {
          await sql.exec(
            SQL`UPDATE delivery SET responseCode = ? WHERE subject = ? AND channel = 'wecom_app' AND status IN ('sent', 'pending')${isTodo ? '' : ' AND target = ?'}`,
            [event.ResponseCode, subject, ...(isTodo ? [] : [`wecom_app:${event.FromUserName ?? ''}`])],
          );
        }
        const members = await sql.rows<{ id: number }>(SQL`SELECT id FROM member WHERE wecomUserId = ? AND deactivatedAt IS NULL`, [event.FromUserName ?? '']);
        const memberId = members[0]?.id;
        if (!memberId) return void logger.warn({ userid: event.FromUserName }, 'wecom click from an unknown user ignored');
        let settledNow = false;
        try {
          if (isTodo && action === 'request_talk') {
            const { changed } = await todos.requestDiscussion(Number(memberId), taskId, 'wecom', manager);
            return void logger.info({ todoId: taskId, memberId, changed }, 'supervisor asked the rep to talk first (WeCom)');
          }
          if (isTodo && action === 'confirm') {
            const { changed } = await todos.confirm(Number(memberId), taskId, 'wecom', null, manager);
            settledNow = changed;
            logger.info({ todoId: taskId, memberId, changed }, 'to-do confirmed from WeCom');
          } else if (!isTodo) {
            const { changed } = await tasks.act(Number(memberId), taskId, action, 'wecom', {}, manager);
            settledNow = changed && action !== 'request_talk';
            logger.info({ taskId, memberId, action, changed }, 'task acted on from WeCom');
          }
        } catch (error) {
          // Someone else's task, or none, or settled: the click changes nothing (and its nonce is spent).
          if (!domainRefusal(error)) throw error;
          logger.warn({ taskId, memberId, err: error.message }, 'wecom click ignored');
        }
        // A click on a card whose task was settled before (the card went live after all, e.g. an attempt
        // whose answer was lost, or a pool's other member decided first): its fresh response_code greys that card out now.
        if (event.ResponseCode && !settledNow) {
          if (isTodo) {
            const confirmedById = await todos.settledBy(manager, taskId, Number(memberId));
            if (confirmedById !== null) await enqueueMessages(sql, [{ kind: 'todo.confirmed', teamId: null, payload: { todoId: taskId, confirmedById, cardOnly: true } }], clock.now());
          } else if (await tasks.isSettled(taskId, manager)) {
            await enqueueMessages(sql, [{ kind: 'task.settled', teamId: null, payload: { taskId, only: event.FromUserName ?? '' } }], clock.now());
          }
        }
      });
    } catch (error) {
      if (isTransientDbError(error)) return tryAgain(ctx, error);
      throw error;
    }
    if (replayed) return refuse(ctx, 403, 'replayed nonce');
    ctx.type = 'text/plain';
    ctx.body = 'success';
  });

  router.post('/dingtalk/callback', async (ctx) => {
    if (!env.dingtalk) return refuse(ctx, 404, 'dingtalk callback not configured');
    const check = checkCallbackSign({ timestamp: ctx.get('timestamp'), sign: ctx.get('sign') }, env.dingtalk.appSecret, clock.now());
    if (!check.ok) return refuse(ctx, 403, `sign ${check.reason}`);
    const body = ((ctx.request as { body?: unknown }).body ?? {}) as { text?: { content?: string }; senderStaffId?: string; msgId?: string };
    // 「确认 #12」 confirms; 「沟通 #12」 asks the rep to talk first (the rep reads it in the same group);
    // 「同意 #12」 approves a step; 「驳回 #12 理由」 rejects it with the words after the number.
    const match = /(确认|沟通|同意|驳回)\s*#?(\d+)\s*([\s\S]*)/.exec(body.text?.content ?? '');
    let seen: 'headers' | 'message' | null = null;
    try {
      await inCallbackTransaction(async (manager, sql) => {
        // The sign covers only the timestamp: without the nonce check a captured request could be replayed.
        if (!(await remember(sql, `dingtalk:${ctx.get('timestamp')}:${ctx.get('sign')}`))) return void (seen = 'headers');
        // The same message again (a platform retry, or a copy under fresh headers) acts once; its headers stay spent.
        if (body.msgId && !(await remember(sql, `dingtalk-msg:id:${String(body.msgId)}`))) return void (seen = 'message');
        if (!match || !body.senderStaffId) return;
        const rows = await sql.rows<{ id: number }>(SQL`SELECT id FROM member WHERE dingtalkUserId = ? AND deactivatedAt IS NULL`, [body.senderStaffId]);
        if (!rows[0]) return void logger.warn({ staffId: body.senderStaffId }, 'dingtalk message from an unknown user ignored');
        try {
          const taskId = Number(match[2]);
          const isTodo = (await tasks.kindOf(taskId, manager)) === 'visit_next_action';
          if (isTodo && match[1] === '沟通') await todos.requestDiscussion(Number(rows[0].id), taskId, 'dingtalk', manager);
          else if (isTodo && match[1] === '确认') await todos.confirm(Number(rows[0].id), taskId, 'dingtalk', null, manager);
          else if (!isTodo) {
            const action = ({ 确认: 'confirm', 沟通: 'request_talk', 同意: 'approve', 驳回: 'reject' } as const)[match[1] as '确认' | '沟通' | '同意' | '驳回'];
            await tasks.act(Number(rows[0].id), taskId, action, 'dingtalk', { comment: match[3]?.trim().slice(0, 200) || null }, manager);
          }
        } catch (error) {
          if (!domainRefusal(error)) throw error;
          logger.warn({ todo: match[2], err: error.message }, 'dingtalk message ignored');
        }
      });
    } catch (error) {
      if (isTransientDbError(error)) return tryAgain(ctx, error);
      throw error;
    }
    if (seen === 'headers') return refuse(ctx, 403, 'replayed request');
    if (seen === 'message') logger.info({ msgId: body.msgId }, 'dingtalk message seen before: ignored');
    ctx.body = { msgtype: 'empty' };
  });

  return router;
}
