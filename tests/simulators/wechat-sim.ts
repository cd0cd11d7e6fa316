import { randomBytes } from 'node:crypto';
import { FaultySimulator, errcode, jsonObject, type SimReply, type SimRequest } from './sim-server';

export interface SubscribeDelivery {
  msgid: number;
  openid: string;
  templateId: string;
  data: Record<string, { value: string }>;
  page?: string;
  at: number;
}

const TOKEN_OVERLAP_MS = 5 * 60_000;

/**
 * WeChat mini-program backend, as documented for /sns/jscode2session: appid+secret checked,
 * each code valid once for 5 minutes (40029 unknown, 40163 used), 45011 past 100 calls per user
 * per minute, 40226 for a high-risk user, -1 when busy.
 *
 * Access tokens: GET /cgi-bin/token (a new token leaves the previous ones valid for 5 more minutes
 * only) and POST /cgi-bin/stable_token (the same token until it expires; force_refresh invalidates
 * the previous stable token). Both live `tokenLifetimeSeconds`.
 *
 * POST /cgi-bin/message/subscribe/send: token checked (41001 missing, 40001 unknown or superseded,
 * 42001 expired), 40003 unknown openid, 40037 unknown template, 47003 bad data (`thing*` > 20
 * characters, a declared field missing), 43101 when the user has no accepted-but-unused consent left.
 */
export class WechatSimulator extends FaultySimulator {
  private readonly codes = new Map<string, { openid: string; issuedAt: number; used: boolean }>();
  private readonly callsPerUser = new Map<string, number[]>();
  readonly blocked = new Set<string>();
  /** Queued faults for the next jscode2session calls: 'busy' → errcode -1, 'http500' → HTTP 500. */
  readonly faults: ('busy' | 'http500')[] = [];
  perUserPerMinute = 100;
  tokenLifetimeSeconds = 7200;
  private readonly tokens = new Map<string, { expiresAt: number; stable: boolean; supersededAt?: number }>();
  private readonly openids = new Set<string>();
  private readonly templates = new Map<string, string[]>();
  private readonly consents = new Map<string, number>();
  private readonly sent: SubscribeDelivery[] = [];
  private nextMsgid = 1_000_001;
  readonly counters = { tokensIssued: 0, subscribeDelivered: 0, subscribeRefused: 0 };

  constructor(
    readonly appId = 'wx-sim-app',
    readonly appSecret = 'wx-sim-secret',
  ) {
    super();
  }

  /** What wx.login would hand the mini-program for this user. */
  issueCode(openid: string): string {
    const code = `wxcode_${randomBytes(6).toString('hex')}`;
    this.codes.set(code, { openid, issuedAt: this.now(), used: false });
    this.openids.add(openid);
    return code;
  }

  /** Marks a code as already exchanged, as if another request had used it first. */
  spendCode(code: string): string {
    const entry = this.codes.get(code);
    if (entry) entry.used = true;
    return code;
  }

  /** An openid of this mini-program (issueCode and grantConsent also register theirs). */
  addUser(openid: string): this {
    this.openids.add(openid);
    return this;
  }

  /** A subscribe template of this mini-program; when `fields` are given, each must be in `data`. */
  addTemplate(templateId: string, fields: string[] = []): this {
    this.templates.set(templateId, fields);
    return this;
  }

  /** The user accepted wx.requestSubscribeMessage for this template `times` times: that many sends. */
  grantConsent(openid: string, templateId: string, times = 1): this {
    this.openids.add(openid);
    if (!this.templates.has(templateId)) this.templates.set(templateId, []);
    const key = `${openid}\n${templateId}`;
    this.consents.set(key, (this.consents.get(key) ?? 0) + times);
    return this;
  }

  remainingConsent(openid: string, templateId: string): number {
    return this.consents.get(`${openid}\n${templateId}`) ?? 0;
  }

  /** Delivered subscribe messages, in order; all users when `openid` is omitted. */
  deliveries(openid?: string): SubscribeDelivery[] {
    return this.sent.filter((d) => openid === undefined || d.openid === openid);
  }

  /** Like WeChat invalidating every token early (e.g. after a secret reset). */
  expireAllTokens(): void {
    for (const entry of this.tokens.values()) entry.expiresAt = 0;
  }

  protected serve(req: SimRequest): SimReply {
    if (req.path === '/sns/jscode2session' && req.method === 'GET') return this.code2Session(req.query);
    if (req.path === '/cgi-bin/token' && req.method === 'GET') return this.token(req.query);
    if (req.path === '/cgi-bin/stable_token' && req.method === 'POST') return this.stableToken(req.body);
    if (req.path === '/cgi-bin/message/subscribe/send' && req.method === 'POST') return this.subscribeSend(req);
    if (req.path === '/wxa/getwxacodeunlimit' && req.method === 'POST') return this.wxacode(req);
    return { status: 404, text: 'not found' };
  }

  private code2Session(q: URLSearchParams): SimReply {
    const fault = this.faults.shift();
    if (fault === 'http500') return { status: 500, text: 'internal error' };
    if (fault === 'busy') return errcode(-1, 'system error');
    if (q.get('appid') !== this.appId) return errcode(40013, 'invalid appid');
    if (q.get('secret') !== this.appSecret) return errcode(40125, 'invalid appsecret');
    if (q.get('grant_type') !== 'authorization_code') return errcode(40002, 'invalid grant_type');
    const entry = this.codes.get(q.get('js_code') ?? '');
    const now = this.now();
    if (!entry || now - entry.issuedAt > 5 * 60_000) return errcode(40029, 'invalid code');
    const calls = (this.callsPerUser.get(entry.openid) ?? []).filter((t) => now - t < 60_000);
    calls.push(now);
    this.callsPerUser.set(entry.openid, calls);
    if (calls.length > this.perUserPerMinute) return errcode(45011, 'api minute-quota reach limit');
    if (entry.used) return errcode(40163, 'code been used');
    entry.used = true;
    if (this.blocked.has(entry.openid)) return errcode(40226, 'high risk user');
    return { json: { openid: entry.openid, session_key: randomBytes(16).toString('base64') } };
  }

  private credentialError(grantType: unknown, appid: unknown, secret: unknown): SimReply | undefined {
    if (grantType !== 'client_credential') return errcode(40002, 'invalid grant_type');
    if (appid !== this.appId) return errcode(40013, 'invalid appid');
    if (secret !== this.appSecret) return errcode(40125, 'invalid appsecret');
    return undefined;
  }

  private issueToken(stable: boolean): SimReply {
    const now = this.now();
    for (const entry of this.tokens.values()) {
      if (entry.stable !== stable || entry.expiresAt <= now) continue;
      // a plain refresh leaves older tokens 5 minutes; a forced stable refresh ends the old one now
      entry.supersededAt = Math.min(entry.supersededAt ?? Infinity, stable ? now : now + TOKEN_OVERLAP_MS);
    }
    const token = randomBytes(32).toString('hex');
    this.tokens.set(token, { expiresAt: now + this.tokenLifetimeSeconds * 1000, stable });
    this.counters.tokensIssued++;
    return { json: { access_token: token, expires_in: this.tokenLifetimeSeconds } };
  }

  private token(q: URLSearchParams): SimReply {
    return this.credentialError(q.get('grant_type'), q.get('appid'), q.get('secret')) ?? this.issueToken(false);
  }

  private stableToken(body: string): SimReply {
    const b = jsonObject(body);
    if (!b) return errcode(47001, 'data format error');
    const refused = this.credentialError(b.grant_type, b.appid, b.secret);
    if (refused) return refused;
    const now = this.now();
    const current = [...this.tokens].find(([, e]) => e.stable && e.expiresAt > now && (e.supersededAt ?? Infinity) > now);
    if (current && b.force_refresh !== true) {
      return { json: { access_token: current[0], expires_in: Math.floor((current[1].expiresAt - now) / 1000) } };
    }
    return this.issueToken(true);
  }

  private tokenError(token: string | null): SimReply | undefined {
    if (!token) return errcode(41001, 'access_token missing');
    const entry = this.tokens.get(token);
    if (!entry) return errcode(40001, 'invalid credential, access_token is invalid or not latest');
    const now = this.now();
    // a superseded token is "not latest" (40001); one that outlived its lifetime is expired (42001)
    if (entry.supersededAt !== undefined && entry.supersededAt <= now) return errcode(40001, 'invalid credential, access_token is invalid or not latest');
    if (entry.expiresAt <= now) return errcode(42001, 'access_token expired');
    return undefined;
  }

  /** Mini-program codes made, with their scene and page, in order. */
  readonly wxacodes: { scene: string; page: string }[] = [];

  /**
   * wxacode.getUnlimited: an image on success; JSON errors otherwise (scene ≤ 32 visible characters of
   * the documented set → 40169, an unknown page with check_path → 41030).
   */
  private wxacode(req: SimRequest): SimReply {
    const refused = this.tokenError(req.query.get('access_token'));
    if (refused) return refused;
    const b = jsonObject(req.body);
    if (!b) return errcode(47001, 'data format error');
    const scene = typeof b.scene === 'string' ? b.scene : '';
    if (!scene || scene.length > 32 || !/^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]+$/.test(scene)) return errcode(40169, 'invalid length for scene, or the data is not json string');
    if (b.check_path !== false && typeof b.page === 'string' && !this.pages.has(b.page)) return errcode(41030, 'invalid page');
    this.wxacodes.push({ scene, page: String(b.page ?? '') });
    // A real PNG signature, then the scene, so a test can tell codes apart.
    return { bytes: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(scene)]), contentType: 'image/jpeg' };
  }

  /** Published pages (for check_path). */
  readonly pages = new Set<string>(['pages/index/index', 'pages/visit/index']);

  private subscribeSend(req: SimRequest): SimReply {
    const refused = this.tokenError(req.query.get('access_token'));
    if (refused) return refused;
    const b = jsonObject(req.body);
    if (!b) return errcode(47001, 'data format error');
    const openid = typeof b.touser === 'string' ? b.touser : '';
    if (!this.openids.has(openid)) return errcode(40003, 'invalid openid');
    const fields = this.templates.get(b.template_id);
    if (!fields) return errcode(40037, 'invalid template_id');
    const data = b.data;
    if (!data || typeof data !== 'object') return errcode(47003, 'argument invalid! data is empty');
    for (const field of fields) if (!data[field]) return errcode(47003, `argument invalid! data.${field} is missing`);
    for (const [field, entry] of Object.entries<any>(data)) {
      const value = entry?.value;
      if (typeof value !== 'string') return errcode(47003, `argument invalid! data.${field}.value invalid`);
      if (/^thing\d+$/.test(field) && [...value].length > 20) return errcode(47003, `argument invalid! data.${field}.value too long`);
    }
    const key = `${openid}\n${b.template_id}`;
    const left = this.consents.get(key) ?? 0;
    if (left <= 0) {
      this.counters.subscribeRefused++;
      return errcode(43101, 'user refuse to accept the msg');
    }
    this.consents.set(key, left - 1);
    const msgid = this.nextMsgid++;
    this.sent.push({ msgid, openid, templateId: b.template_id, data, page: b.page, at: this.now() });
    this.counters.subscribeDelivered++;
    return { json: { errcode: 0, errmsg: 'ok', msgid } };
  }
}
