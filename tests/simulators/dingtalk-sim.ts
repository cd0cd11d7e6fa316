import { createHmac, timingSafeEqual } from 'node:crypto';
import { errcode, FaultySimulator, jsonObject, type SimReply, type SimRequest } from './sim-server';

/**
 * Error codes. 300001, 310000 and 130101 are documented (§4.1); 40035 for a body that is not a
 * valid message (not JSON, unknown msgtype, required field missing) is this simulator's choice.
 */
export const DINGTALK_ERR = {
  TOKEN_NOT_EXIST: 300001,
  SECURITY: 310000,
  TOO_FAST: 130101,
  BAD_MESSAGE: 40035,
} as const;

export interface DingtalkMessage {
  msgtype: string;
  body: Record<string, any>;
  at: number;
}

interface Robot {
  secret?: string;
  keywords: string[];
  sentAt: number[];
  throttledUntil: number;
  messages: DingtalkMessage[];
}

const MINUTE = 60_000;
const str = (v: unknown) => typeof v === 'string' && v !== '';

/** Which fields each msgtype needs (§4.1); an actionCard needs singleTitle+singleURL or btns. */
function messageError(b: Record<string, any>): string | undefined {
  const part = b[b.msgtype];
  if (!part || typeof part !== 'object') return `${b.msgtype ?? 'msgtype'} missing`;
  switch (b.msgtype) {
    case 'text':
      return str(part.content) ? undefined : 'text.content missing';
    case 'markdown':
      return str(part.title) && str(part.text) ? undefined : 'markdown.title and markdown.text required';
    case 'link':
      return str(part.title) && str(part.text) && str(part.messageUrl) ? undefined : 'link.title, link.text and link.messageUrl required';
    case 'actionCard': {
      if (!str(part.title) || !str(part.text)) return 'actionCard.title and actionCard.text required';
      const single = str(part.singleTitle) && str(part.singleURL);
      const btns = Array.isArray(part.btns) && part.btns.length > 0 && part.btns.every((x: any) => str(x?.title) && str(x?.actionURL));
      return single || btns ? undefined : 'actionCard needs singleTitle+singleURL or btns[{title,actionURL}]';
    }
    case 'feedCard': {
      const links = part.links;
      const ok = Array.isArray(links) && links.length > 0 && links.every((x: any) => str(x?.title) && str(x?.messageURL));
      return ok ? undefined : 'feedCard.links[{title,messageURL}] required';
    }
    default:
      return 'msgtype not supported';
  }
}

/** base64(HmacSHA256(key = secret, `${timestamp}\n${secret}`)), before URL-encoding. */
export function dingtalkSign(timestamp: string | number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/**
 * DingTalk custom robot: POST /robot/send?access_token=&timestamp=&sign=.
 * - 300001 unknown (or missing) access_token;
 * - 310000 for a signed robot when timestamp or sign is missing, the timestamp (ms) is more than
 *   1 h from the simulator clock ("invalid timestamp"), or the sign does not match ("sign not match");
 *   also when a keyword robot's message contains none of its keywords;
 * - 40035 body not a valid text/markdown/link/actionCard/feedCard message;
 * - 20 messages per sliding minute; the 21st gets 130101 and starts a 10-minute throttle during
 *   which every message gets 130101. Refused messages are never delivered.
 * Clock (`now`), `failNext` and `outage` come from FaultySimulator.
 */
export class DingtalkSimulator extends FaultySimulator {
  perMinute = 20;
  throttleMs = 10 * MINUTE;
  timestampToleranceMs = 60 * MINUTE;
  private readonly robots = new Map<string, Robot>();
  readonly counters = { delivered: 0, signRejected: 0, throttled: 0, unknownToken: 0, badMessage: 0 };

  /**
   * A robot with this access_token. With a `secret` (SEC…) every call must be signed (加签);
   * with `keywords`, each message must contain one of them.
   */
  addRobot(token: string, secret?: string, options: { keywords?: string[] } = {}): this {
    this.robots.set(token, { secret, keywords: options.keywords ?? [], sentAt: [], throttledUntil: -Infinity, messages: [] });
    return this;
  }

  /** The robot was deleted: its token now answers 300001. */
  removeRobot(token: string): this {
    this.robots.delete(token);
    return this;
  }

  /** Delivered messages of this robot, in delivery order. */
  messages(token: string): DingtalkMessage[] {
    return [...(this.robots.get(token)?.messages ?? [])];
  }

  /** Until when (sim clock, ms) the robot answers 130101; undefined when not throttled now. */
  throttledUntil(token: string): number | undefined {
    const until = this.robots.get(token)?.throttledUntil;
    return until !== undefined && until > this.now() ? until : undefined;
  }

  protected serve(req: SimRequest): SimReply {
    if (req.path !== '/robot/send' || req.method !== 'POST') return { status: 404, text: 'not found' };
    const q = req.query;
    const robot = this.robots.get(q.get('access_token') ?? '');
    if (!robot) {
      this.counters.unknownToken++;
      return errcode(300001, q.get('access_token') ? 'token is not exist' : 'access_token is empty');
    }
    const securityError = this.signError(robot, q.get('timestamp'), q.get('sign'));
    if (securityError) {
      this.counters.signRejected++;
      return errcode(310000, securityError);
    }
    const b = jsonObject(req.body);
    const invalid = b ? messageError(b) : 'body is not JSON';
    if (!b || invalid) {
      this.counters.badMessage++;
      return errcode(40035, `缺少参数 json: ${invalid}`);
    }
    if (robot.keywords.length && !robot.keywords.some((k) => JSON.stringify(b[b.msgtype]).includes(k))) {
      this.counters.signRejected++;
      return errcode(310000, 'keywords not in content');
    }
    const now = this.now();
    if (now < robot.throttledUntil) {
      this.counters.throttled++;
      return errcode(130101, 'send too fast, exceed 20 times per minute');
    }
    robot.sentAt = robot.sentAt.filter((t) => now - t < MINUTE);
    if (robot.sentAt.length >= this.perMinute) {
      robot.throttledUntil = now + this.throttleMs;
      this.counters.throttled++;
      return errcode(130101, 'send too fast, exceed 20 times per minute');
    }
    robot.sentAt.push(now);
    robot.messages.push({ msgtype: b.msgtype, body: b, at: now });
    this.counters.delivered++;
    return errcode(0, 'ok');
  }

  /** `sign` arrives URL-decoded once (URLSearchParams), as DingTalk decodes it. */
  private signError(robot: Robot, timestamp: string | null, sign: string | null): string | undefined {
    if (robot.secret === undefined) return undefined;
    if (!timestamp || !sign) return 'sign not match';
    if (!/^\d{1,16}$/.test(timestamp) || Math.abs(this.now() - Number(timestamp)) > this.timestampToleranceMs) return 'invalid timestamp';
    const expected = Buffer.from(dingtalkSign(timestamp, robot.secret));
    const given = Buffer.from(sign);
    return expected.length === given.length && timingSafeEqual(expected, given) ? undefined : 'sign not match';
  }
}
