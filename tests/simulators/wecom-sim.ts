import { randomBytes } from 'node:crypto';
import { errcode, FaultySimulator, jsonObject, type SimReply, type SimRequest } from './sim-server';

/**
 * Error codes the notes leave open; chosen here, used only by this simulator.
 * - 40058 invalid parameter (bad task_id, button_list, card_type, missing card_action or update content)
 * - 40099 task_id already used by this app (so a retried send is detectably a duplicate)
 * - 40098 response_code unknown, already used, or older than 72 h (errmsg says which)
 */
export const WECOM_ERR = {
  MISSING_TOKEN: 41001,
  INVALID_TOKEN: 40014,
  EXPIRED_TOKEN: 42001,
  DATA_FORMAT: 47001,
  MISSING_AGENTID: 41011,
  INVALID_AGENTID: 40056,
  NO_VALID_RECIPIENT: 81013,
  INVALID_MSGTYPE: 40008,
  EMPTY_CONTENT: 44004,
  CONTENT_TOO_LARGE: 45002,
  FREQ_LIMIT: 45009,
  INVALID_PARAMETER: 40058,
  DUPLICATE_TASK_ID: 40099,
  INVALID_RESPONSE_CODE: 40098,
  INVALID_WEBHOOK_KEY: 93000,
} as const;

export interface AppMessage {
  msgid: string;
  userId: string;
  msgtype: string;
  body: Record<string, any>;
  taskId?: string;
  /** why it never reached the user; absent when delivered */
  dropped?: 'member rate limit' | 'duplicate task_id' | 'duplicate content';
  at: number;
}
export interface CardUpdate {
  responseCode: string;
  msgid: string;
  taskId?: string;
  userids: string[];
  button?: { replace_name: string };
  templateCard?: Record<string, any>;
  at: number;
}
export interface RobotMessage {
  msgtype: string;
  body: Record<string, any>;
  at: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const CARD_TYPES = ['text_notice', 'news_notice', 'button_interaction', 'vote_interaction', 'multiple_interaction'];
const APP_MSGTYPES = ['text', 'image', 'voice', 'video', 'file', 'textcard', 'news', 'mpnews', 'markdown', 'miniprogram_notice', 'template_card'];
const ROBOT_MSGTYPES = ['text', 'markdown', 'markdown_v2', 'image', 'news', 'file', 'voice', 'template_card'];

/**
 * WeCom server API.
 * - Login: gettoken (corpid + corpsecret checked, tokens expire) and miniprogram/jscode2session
 *   (token checked: 41001 missing, 40014 unknown, 42001 expired; codes single use: 40029).
 * - App messages: message/send (agentid, recipients, msgtype, template_card rules, task_id unique
 *   per app; past 30/min or 1000/h per member a message is accepted with errcode 0 but dropped;
 *   with enable_duplicate_check, the same content to the same member within duplicate_check_interval
 *   seconds (default 1800, at most 4 h) is accepted with errcode 0 and not shown again),
 *   returning msgid and, for cards that call back, a single-use response_code valid 72 h;
 *   message/update_template_card consumes such a code.
 * - Group robots: webhook/send?key= (93000 unknown key, text ≤ 2048 bytes, markdown ≤ 4096 bytes,
 *   template_card only text_notice/news_notice, 20 per robot per sliding minute → 45009 undelivered).
 * Clock (`now`), `failNext` and `outage` come from FaultySimulator.
 */
export class WecomSimulator extends FaultySimulator {
  private readonly tokens = new Map<string, number>();
  private readonly codes = new Map<string, { userid: string; corpid: string; used: boolean }>();
  tokenLifetimeSeconds = 7200;
  agentId = 1000002;
  perMemberPerMinute = 30;
  perMemberPerHour = 1000;
  responseCodeLifetimeMs = 72 * HOUR;
  robotPerMinute = 20;
  /** 'error' answers a reused task_id with 40099; 'silent' answers 0 and delivers nothing (reported in the field). */
  duplicateTaskId: 'error' | 'silent' = 'error';
  private readonly members = new Set<string>();
  private readonly taskIds = new Set<string>();
  private readonly deliveredAt = new Map<string, number[]>();
  private readonly messages: AppMessage[] = [];
  private readonly responseCodes = new Map<string, { msgid: string; taskId?: string; issuedAt: number; used: boolean }>();
  private readonly cardUpdates: CardUpdate[] = [];
  private readonly robots = new Map<string, { sentAt: number[]; messages: RobotMessage[] }>();
  readonly counters = { appSends: 0, delivered: 0, dropped: 0, duplicateTaskIds: 0, updates: 0, robotDelivered: 0, robotRateLimited: 0 };

  constructor(
    readonly corpId = 'ww-sim-corp',
    readonly secret = 'wecom-sim-secret',
  ) {
    super();
  }

  issueCode(userid: string, corpid = this.corpId): string {
    const code = `qycode_${randomBytes(6).toString('hex')}`;
    this.codes.set(code, { userid, corpid, used: false });
    return code;
  }

  /** WeCom may invalidate tokens before their announced expiry. */
  expireAllTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  /** Members of the corp. While none are added every userid is valid; after that, others go to `invaliduser`. */
  addMember(...userIds: string[]): this {
    for (const id of userIds) this.members.add(id);
    return this;
  }

  /** A group robot's webhook key becomes valid. */
  addRobot(key: string): this {
    if (!this.robots.has(key)) this.robots.set(key, { sentAt: [], messages: [] });
    return this;
  }

  /** The robot was removed from its group: its key now answers 93000. Delivered messages stay readable. */
  removeRobot(key: string): this {
    this.robots.delete(key);
    return this;
  }

  /** App messages that reached this user, in order (all types). */
  deliveredMessages(userId: string): AppMessage[] {
    return this.messages.filter((m) => m.userId === userId && !m.dropped);
  }

  /** Template cards that reached this user, in order. */
  deliveredCards(userId: string): AppMessage[] {
    return this.deliveredMessages(userId).filter((m) => m.msgtype === 'template_card');
  }

  /** Messages accepted with errcode 0 that never reached the user. */
  droppedMessages(userId?: string): AppMessage[] {
    return this.messages.filter((m) => m.dropped && (userId === undefined || m.userId === userId));
  }

  updates(): CardUpdate[] {
    return [...this.cardUpdates];
  }

  robotMessages(key: string): RobotMessage[] {
    return [...(this.robots.get(key)?.messages ?? [])];
  }

  /**
   * The user clicked a button of a card they received: returns the fields of the callback event
   * (§2.4), with a fresh single-use ResponseCode. Throws when the user has no such card or button.
   */
  click(userId: string, taskId: string, key: string) {
    const card = this.deliveredCards(userId).find((m) => m.taskId === taskId);
    const button = card?.body.template_card?.button_list?.find((b: any) => (b.type ?? 0) === 0 && b.key === key);
    if (!card || !button) throw new Error(`no card ${taskId} with button ${key} for ${userId}`);
    const responseCode = this.newResponseCode(card.msgid, taskId);
    return { FromUserName: userId, EventKey: key, TaskId: taskId, CardType: card.body.template_card.card_type as string, ResponseCode: responseCode, AgentID: this.agentId, CreateTime: Math.floor(this.now() / 1000) };
  }

  private newResponseCode(msgid: string, taskId?: string): string {
    const code = randomBytes(24).toString('base64url');
    this.responseCodes.set(code, { msgid, taskId, issuedAt: this.now(), used: false });
    return code;
  }

  private checkToken(token: string | null): SimReply | undefined {
    if (!token) return errcode(41001, 'access_token missing');
    const expires = this.tokens.get(token);
    if (expires === undefined) return errcode(40014, 'invalid access_token');
    if (expires <= this.now()) return errcode(42001, 'access_token expired');
    return undefined;
  }

  private checkAgent(b: Record<string, any>): SimReply | undefined {
    if (b.agentid === undefined || b.agentid === null || b.agentid === '') return errcode(41011, 'missing agentid');
    if (Number(b.agentid) !== this.agentId) return errcode(40056, 'invalid agentid');
    return undefined;
  }

  protected serve(req: SimRequest): SimReply {
    const q = req.query;
    if (req.path === '/cgi-bin/gettoken') {
      if (q.get('corpid') !== this.corpId) return errcode(40013, 'invalid corpid');
      if (q.get('corpsecret') !== this.secret) return errcode(40001, 'invalid credential');
      const token = randomBytes(24).toString('hex');
      this.tokens.set(token, this.now() + this.tokenLifetimeSeconds * 1000);
      return { json: { errcode: 0, errmsg: 'ok', access_token: token, expires_in: this.tokenLifetimeSeconds } };
    }
    if (req.path === '/cgi-bin/miniprogram/jscode2session') {
      const tokenError = this.checkToken(q.get('access_token'));
      if (tokenError) return tokenError;
      const entry = this.codes.get(q.get('js_code') ?? '');
      if (!entry || entry.used) return errcode(40029, 'invalid code');
      entry.used = true;
      return { json: { corpid: entry.corpid, userid: entry.userid, session_key: randomBytes(16).toString('base64'), errcode: 0, errmsg: 'ok' } };
    }
    if (req.method !== 'POST') return { status: 404, text: 'not found' };
    if (req.path === '/cgi-bin/message/send') return this.checkToken(q.get('access_token')) ?? this.send(req.body);
    if (req.path === '/cgi-bin/message/update_template_card') return this.checkToken(q.get('access_token')) ?? this.update(req.body);
    if (req.path === '/cgi-bin/webhook/send') return this.webhook(q.get('key'), req.body);
    return { status: 404, text: 'not found' };
  }

  /** Template card rules (§1.3, §2.3): a robot takes only non-interactive types; an update ignores task_id. */
  private cardError(card: any, use: 'robot' | 'send' | 'update'): SimReply | undefined {
    const robot = use === 'robot';
    if (!card || typeof card !== 'object') return errcode(40058, 'invalid template_card');
    if (robot && card.card_type !== 'text_notice' && card.card_type !== 'news_notice') return errcode(40008, 'invalid message type: card_type not allowed for a webhook robot');
    if (!CARD_TYPES.includes(card.card_type)) return errcode(40058, 'invalid card_type');
    if (robot && !card.card_action) return errcode(40058, 'missing card_action');
    const interactive = card.card_type.endsWith('_interaction') || !!card.action_menu;
    if (use === 'send' && interactive && card.task_id === undefined) return errcode(40058, 'missing task_id');
    if (use === 'send' && card.task_id !== undefined) {
      const id = card.task_id;
      if (typeof id !== 'string' || id === '' || bytes(id) > 128 || !/^[0-9A-Za-z_\-@]+$/.test(id)) return errcode(40058, 'invalid task_id');
    }
    if (card.card_type === 'button_interaction') {
      if (!card.main_title || typeof card.main_title !== 'object') return errcode(40058, 'missing main_title');
      const buttons = card.button_list;
      if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 6) return errcode(40058, 'button_list must hold 1 to 6 buttons');
      const keys = new Set<string>();
      for (const b of buttons) {
        if (!b || typeof b.text !== 'string' || b.text === '') return errcode(40058, 'button text missing');
        if ((b.type ?? 0) === 1) {
          if (typeof b.url !== 'string' || b.url === '') return errcode(40058, 'button url missing');
          continue;
        }
        if (typeof b.key !== 'string' || b.key === '' || bytes(b.key) > 1024) return errcode(40058, 'invalid button key');
        if (keys.has(b.key)) return errcode(40058, 'duplicate button key');
        keys.add(b.key);
      }
    }
    return undefined;
  }

  private contentError(b: Record<string, any>, markdownMax: number): SimReply | undefined {
    if (b.msgtype === 'text' || b.msgtype === 'markdown') {
      const content = b[b.msgtype]?.content;
      if (typeof content !== 'string' || content === '') return errcode(44004, 'empty content');
      if (bytes(content) > (b.msgtype === 'text' ? 2048 : markdownMax)) return errcode(45002, 'content size out of limit');
    }
    return undefined;
  }

  private send(body: string): SimReply {
    const b = jsonObject(body);
    if (!b) return errcode(47001, 'data format error');
    const agentError = this.checkAgent(b);
    if (agentError) return agentError;
    const named = typeof b.touser === 'string' ? b.touser.split('|').map((u: string) => u.trim()).filter(Boolean) : [];
    const everyone = named.includes('@all');
    const users = everyone ? (this.members.size ? [...this.members] : ['@all']) : named;
    const invalid = this.members.size && !everyone ? users.filter((u: string) => !this.members.has(u)) : [];
    const valid = users.filter((u: string) => !invalid.includes(u));
    if (!valid.length && !b.toparty && !b.totag) return { json: { errcode: 81013, errmsg: 'user & party & tag all invalid', invaliduser: invalid.join('|') } };
    if (!APP_MSGTYPES.includes(b.msgtype)) return errcode(40008, 'invalid message type');
    const contentError = this.contentError(b, 2048) ?? (b.msgtype === 'template_card' ? this.cardError(b.template_card, 'send') : undefined);
    if (contentError) return contentError;

    this.counters.appSends++;
    const card = b.msgtype === 'template_card' ? b.template_card : undefined;
    const taskId: string | undefined = card?.task_id;
    let duplicate = false;
    if (taskId !== undefined) {
      if (this.taskIds.has(taskId)) {
        this.counters.duplicateTaskIds++;
        if (this.duplicateTaskId === 'error') return errcode(40099, `task_id ${taskId} already exists`);
        duplicate = true;
      }
      this.taskIds.add(taskId);
    }
    const msgid = randomBytes(16).toString('base64url');
    const now = this.now();
    const checkWithinMs = b.enable_duplicate_check === 1 ? Math.min(Number(b.duplicate_check_interval ?? 1800), 4 * 3600) * 1000 : 0;
    const content = JSON.stringify([b.msgtype, b[b.msgtype]]);
    for (const userId of valid) {
      const recent = (this.deliveredAt.get(userId) ?? []).filter((t) => now - t < HOUR);
      const lastMinute = recent.filter((t) => now - t < MINUTE).length;
      const message: AppMessage = { msgid, userId, msgtype: b.msgtype, body: b, taskId, at: now };
      const repeated = checkWithinMs > 0 && this.messages.some((m) => m.userId === userId && !m.dropped && now - m.at < checkWithinMs && JSON.stringify([m.msgtype, m.body[m.msgtype]]) === content);
      if (duplicate) message.dropped = 'duplicate task_id';
      else if (repeated) message.dropped = 'duplicate content';
      else if (lastMinute >= this.perMemberPerMinute || recent.length >= this.perMemberPerHour) message.dropped = 'member rate limit';
      else recent.push(now);
      this.deliveredAt.set(userId, recent);
      this.messages.push(message);
      this.counters[message.dropped ? 'dropped' : 'delivered']++;
    }
    const callsBack = card && (card.card_type.endsWith('_interaction') || !!card.action_menu);
    const reply: Record<string, unknown> = { errcode: 0, errmsg: 'ok', invaliduser: invalid.join('|'), invalidparty: '', invalidtag: '', unlicenseduser: '', msgid };
    if (callsBack && !duplicate) reply.response_code = this.newResponseCode(msgid, taskId);
    return { json: reply };
  }

  private update(body: string): SimReply {
    const b = jsonObject(body);
    if (!b) return errcode(47001, 'data format error');
    const agentError = this.checkAgent(b);
    if (agentError) return agentError;
    const entry = typeof b.response_code === 'string' ? this.responseCodes.get(b.response_code) : undefined;
    if (!entry) return errcode(40098, 'invalid response_code');
    if (entry.used) return errcode(40098, 'response_code has been used');
    if (this.now() - entry.issuedAt >= this.responseCodeLifetimeMs) return errcode(40098, 'response_code expired');
    const replaceName = b.button?.replace_name;
    const hasButton = typeof replaceName === 'string' && replaceName !== '';
    if (!hasButton && !b.template_card) return errcode(40058, 'button.replace_name or template_card required');
    const cardError = hasButton ? undefined : this.cardError(b.template_card, 'update');
    if (cardError) return cardError;
    entry.used = true;
    const userids = Array.isArray(b.userids) ? b.userids.map(String) : [];
    const update: CardUpdate = { responseCode: b.response_code, msgid: entry.msgid, taskId: entry.taskId, userids, at: this.now() };
    if (hasButton) update.button = { replace_name: replaceName };
    else update.templateCard = b.template_card;
    this.cardUpdates.push(update);
    this.counters.updates++;
    return { json: { errcode: 0, errmsg: 'ok', invaliduser: '' } };
  }

  private webhook(key: string | null, body: string): SimReply {
    const robot = key ? this.robots.get(key) : undefined;
    if (!robot) return errcode(93000, 'invalid webhook url');
    const b = jsonObject(body);
    if (!b) return errcode(40008, 'invalid message type: body is not JSON');
    if (!ROBOT_MSGTYPES.includes(b.msgtype)) return errcode(40008, 'invalid message type');
    const contentError = this.contentError(b, 4096) ?? (b.msgtype === 'template_card' ? this.cardError(b.template_card, 'robot') : undefined);
    if (contentError) return contentError;
    const now = this.now();
    robot.sentAt = robot.sentAt.filter((t) => now - t < MINUTE);
    if (robot.sentAt.length >= this.robotPerMinute) {
      this.counters.robotRateLimited++;
      return errcode(45009, 'api freq out of limit');
    }
    robot.sentAt.push(now);
    robot.messages.push({ msgtype: b.msgtype, body: b, at: now });
    this.counters.robotDelivered++;
    return errcode(0, 'ok');
  }
}
