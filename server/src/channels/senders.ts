import type { DingtalkEnv, WechatEnv } from '../config/env';
import type { Delivery, DeliveryChannel } from '../outbox/delivery.entity';
import { callErrcodeApi, UpstreamError, type ErrcodeBody, type RetryPolicy } from './http-client';
import { robotSendUrl } from './dingtalk/dingtalk-sign';
import type { TokenCache } from './token-cache';
import { WechatApi, WechatTokenError } from './wechat/wechat-api';
import { WecomApiError, type WecomApiClient } from './wecom/wecom-api.client';

/**
 * What became of one send: delivered, worth another try later (optionally pausing the target), never,
 * or not attempted because the credentials were refused — a condition of the whole channel (the WeCom
 * app, WeChat) or of one target (a team's robot), under which its deliveries wait without counting.
 */
export type SendResult =
  | { kind: 'sent'; responseCode?: string }
  /**
   * maybeDelivered: the request went out and its answer was lost (timeout, connection cut, a 2xx
   * whose body was cut): the platform may have acted on it. Absent when it surely did not (connection
   * refused, a 408/425/429/5xx answer, an errcode).
   */
  | { kind: 'retry'; reason: string; pauseTargetMs?: number; maybeDelivered?: true }
  | { kind: 'failed'; reason: string }
  | { kind: 'channel_down'; reason: string; scope: 'channel' | 'target' };

/** gettoken refusals that no retry fixes, only the configuration: the WeCom app's credentials. */
const WECOM_CREDENTIAL_ERRORS: Record<number, string> = {
  40001: '企业微信应用 Secret 无效，请检查 WECOM_SECRET',
  40091: '企业微信应用 Secret 无效，请检查 WECOM_SECRET',
  41004: '企业微信应用 Secret 缺失，请检查 WECOM_SECRET',
  40013: '企业微信 CorpID 无效，请检查 WECOM_CORP_ID',
  41002: '企业微信 CorpID 缺失，请检查 WECOM_CORP_ID',
  40056: '企业微信应用 AgentID 无效，请检查 WECOM_AGENT_ID',
  41011: '企业微信应用 AgentID 缺失，请检查 WECOM_AGENT_ID',
  60020: '服务器 IP 不在企业微信应用的可信 IP 列表中',
};
export function wecomCredentialProblem(errcode: number | undefined, errmsg: unknown): string | null {
  const words = errcode === undefined ? undefined : WECOM_CREDENTIAL_ERRORS[errcode];
  return words ? `${words}（${errcode} ${String(errmsg ?? '')}）`.replace(' ）', '）') : null;
}
/** The mini-program's /cgi-bin/token refusals that only the configuration fixes. */
const WECHAT_CREDENTIAL_ERRORS: Record<number, string> = {
  40001: '微信小程序 AppSecret 无效，请检查 WECHAT_APP_SECRET',
  40125: '微信小程序 AppSecret 无效，请检查 WECHAT_APP_SECRET',
  40013: '微信小程序 AppID 无效，请检查 WECHAT_APP_ID',
  40164: '服务器 IP 不在微信小程序的 IP 白名单中',
};

export interface TargetSecrets {
  wecomRobotKey: string | null;
  dingtalkRobotToken: string | null;
  dingtalkRobotSecret: string | null;
}

export interface Sender {
  send(delivery: Delivery, secrets: () => Promise<TargetSecrets | null>): Promise<SendResult>;
}

/** One attempt per dispatch pass: the dispatcher owns retries, backoff and ordering. */
const ONE_ATTEMPT: RetryPolicy = { attempts: 1, baseDelayMs: 0, timeoutMs: 10_000 };

const ROBOT_PAUSE_MS = 65_000; // WeCom 45009: back off at least a minute
const DINGTALK_THROTTLE_MS = 10 * 60_000; // DingTalk 130101: the robot is throttled for 10 minutes

/** Thrown by a sender's call when the credentials (not the message) were refused. */
class ChannelDown extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

async function attempt(call: () => Promise<ErrcodeBody>, interpret: (body: ErrcodeBody) => SendResult): Promise<SendResult> {
  try {
    return interpret(await call());
  } catch (error) {
    if (error instanceof ChannelDown) return { kind: 'channel_down', scope: 'channel', reason: error.reason };
    if (error instanceof UpstreamError && !error.transient) return { kind: 'failed', reason: error.message };
    const maybeDelivered = !(error instanceof UpstreamError) || error.maybeDelivered;
    return { kind: 'retry', reason: (error as Error).message, ...(maybeDelivered ? { maybeDelivered: true as const } : {}) };
  }
}

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** WeCom app messages (the supervisor's button card, text to a person) and card updates. */
export class WecomAppSender implements Sender {
  constructor(private readonly client: WecomApiClient) {}

  async send(delivery: Delivery): Promise<SendResult> {
    const path = delivery.channel === 'wecom_card_update' ? '/cgi-bin/message/update_template_card' : '/cgi-bin/message/send';
    return attempt(
      async () => {
        try {
          return await this.client.call('POST', path, {}, delivery.body);
        } catch (error) {
          // gettoken refused the app's credentials: the channel is down, not this message
          const refused = error instanceof WecomApiError ? wecomCredentialProblem(error.errcode, error.errmsg) : null;
          if (refused) throw new ChannelDown(refused);
          throw error;
        }
      },
      (body) => {
        if (!body.errcode) return { kind: 'sent', ...(typeof body.response_code === 'string' ? { responseCode: body.response_code } : {}) };
        // the app's agent id refused on a send is the app's configuration too
        if (body.errcode === 40056 || body.errcode === 41011) return { kind: 'channel_down', scope: 'channel', reason: wecomCredentialProblem(body.errcode, body.errmsg)! };
        // task_id is unique per app: a "used" answer after an uncertain failure means the card is there.
        if (body.errcode === 40099) return { kind: 'sent' };
        if (body.errcode === 45009 || body.errcode === 45033) return { kind: 'retry', reason: `${body.errcode} ${body.errmsg}`, pauseTargetMs: ROBOT_PAUSE_MS };
        return { kind: 'failed', reason: `${body.errcode} ${body.errmsg}` };
      },
    );
  }
}

/** The team's WeCom group robot (webhook key; 20 messages a minute). */
export class WecomRobotSender implements Sender {
  /** read at each send: the sandbox learns its address only once the server listens */
  constructor(private readonly apiBase: () => string) {}

  async send(delivery: Delivery, secrets: () => Promise<TargetSecrets | null>): Promise<SendResult> {
    const key = (await secrets())?.wecomRobotKey;
    if (!key) return { kind: 'failed', reason: '团队未配置企业微信群机器人' };
    const url = `${this.apiBase()}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`;
    return attempt(
      () => callErrcodeApi(url, json(delivery.body), ONE_ATTEMPT),
      (body) => {
        if (!body.errcode) return { kind: 'sent' };
        if (body.errcode === 45009) return { kind: 'retry', reason: '45009 rate limited', pauseTargetMs: ROBOT_PAUSE_MS };
        // the robot's key is its credential: this team's robot posts wait until an admin fixes it
        if ([93000, 93004, 93008].includes(body.errcode)) return { kind: 'channel_down', scope: 'target', reason: `企业微信群机器人 key 无效、已停用或不在群里，请在团队设置中更新（${body.errcode} ${body.errmsg ?? ''}）` };
        return { kind: 'failed', reason: `${body.errcode} ${body.errmsg}` };
      },
    );
  }
}

/** The team's DingTalk custom robot (signed URL; 20 a minute, then throttled for 10 minutes). */
export class DingtalkRobotSender implements Sender {
  constructor(private readonly env: Pick<DingtalkEnv, 'apiBase'>, private readonly now: () => Date) {}

  async send(delivery: Delivery, secrets: () => Promise<TargetSecrets | null>): Promise<SendResult> {
    const s = await secrets();
    if (!s?.dingtalkRobotToken || !s.dingtalkRobotSecret) return { kind: 'failed', reason: '团队未配置钉钉机器人' };
    const url = robotSendUrl(`${this.env.apiBase}/robot/send`, s.dingtalkRobotToken, s.dingtalkRobotSecret, this.now().getTime());
    return attempt(
      () => callErrcodeApi(url, json(delivery.body), ONE_ATTEMPT),
      (body) => {
        if (!body.errcode) return { kind: 'sent' };
        if (body.errcode === 130101 || body.errcode === 410100) return { kind: 'retry', reason: `${body.errcode} throttled`, pauseTargetMs: DINGTALK_THROTTLE_MS };
        // the robot's token and signing secret are its credentials: this team's robot posts wait
        if (body.errcode === 310000) return { kind: 'channel_down', scope: 'target', reason: `钉钉机器人加签密钥不匹配、时间戳无效或安全设置不符，请在团队设置中检查（310000 ${body.errmsg ?? ''}）` };
        if (body.errcode === 300001 || body.errcode === 400101 || body.errcode === 400102) {
          return { kind: 'channel_down', scope: 'target', reason: `钉钉机器人 access_token 不存在或机器人已停用，请在团队设置中更新（${body.errcode} ${body.errmsg ?? ''}）` };
        }
        return { kind: 'failed', reason: `${body.errcode} ${body.errmsg}` };
      },
    );
  }
}

/**
 * WeChat subscribe messages (reminders): one send per consent the rep gave; 43101 means none left.
 * Sent with co-wechat-api's sendSubscribeMessage (token from the shared table, see WechatApi).
 */
export class WechatSubscribeSender implements Sender {
  private readonly api: WechatApi;

  constructor(env: WechatEnv, tokens: TokenCache) {
    this.api = new WechatApi(env, tokens, ONE_ATTEMPT);
  }

  async send(delivery: Delivery): Promise<SendResult> {
    const body = delivery.body as { touser: string; template_id: string; page?: string; data: unknown };
    return attempt(
      async () => {
        try {
          const answer = await this.api.call((sdk) => sdk.sendSubscribeMessage(body.touser, body.template_id, body.page, body.data));
          return answer.ok ? (answer.value as ErrcodeBody) : { errcode: answer.errcode, errmsg: answer.errmsg };
        } catch (error) {
          if (!(error instanceof WechatTokenError)) throw error;
          // /cgi-bin/token refused the app's credentials: the channel is down, not this message
          const words = error.errcode !== undefined ? WECHAT_CREDENTIAL_ERRORS[error.errcode] : undefined;
          if (words) throw new ChannelDown(`${words}（${error.message}）`);
          // the send never went out
          throw new UpstreamError(error.message, true);
        }
      },
      (body) => {
        if (!body.errcode) return { kind: 'sent' };
        // the rejected token is already dropped from the shared table (another instance may have renewed it)
        if (body.errcode === 40001 || body.errcode === 42001) return { kind: 'retry', reason: `${body.errcode} token` };
        if (body.errcode === 43101) return { kind: 'failed', reason: '43101 用户未授权或授权次数已用完' };
        return { kind: 'failed', reason: `${body.errcode} ${body.errmsg}` };
      },
    );
  }
}

export interface RateWindow {
  ms: number;
  max: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * What each target takes, as the platforms count it: sliding windows (a message counts for exactly
 * `ms` after it went), all of which must have room. These are platform facts, not choices, so they are
 * constants here rather than policy. WeCom app messages: 30 per member per minute and 1 000 per member
 * per hour (beyond either WeCom answers errcode 0 and drops the message); card updates go to the same
 * member target and are counted with its messages. Group robots (WeCom and DingTalk): 20 per robot per
 * minute (WeCom answers 45009; DingTalk 130101 and throttles the robot for 10 minutes). WeChat
 * subscribe messages are limited by the rep's consents instead.
 */
export const RATE_LIMITS: Record<DeliveryChannel, RateWindow[]> = {
  wecom_app: [{ ms: MINUTE, max: 30 }, { ms: HOUR, max: 1000 }],
  wecom_card_update: [{ ms: MINUTE, max: 30 }, { ms: HOUR, max: 1000 }],
  wecom_robot: [{ ms: MINUTE, max: 20 }],
  dingtalk_robot: [{ ms: MINUTE, max: 20 }],
  wechat_subscribe: [],
};

/** Group robots: no read-back and no idempotency key, so a post whose answer was lost is not re-posted unasked. */
export const ROBOT_CHANNELS: readonly DeliveryChannel[] = ['wecom_robot', 'dingtalk_robot'];
