import path from 'node:path';
import { readStorageEnv, StorageEnvError, type StorageEnv } from '../modules/attachments/storage/storage-env';

// Everything secret or deployment-specific comes from the environment; policy lives in config/.
export interface WecomEnv {
  corpId: string;
  agentId: number;
  secret: string;
  token: string | undefined;
  aesKey: string | undefined;
  apiBase: string;
}
export interface DingtalkEnv {
  appKey: string;
  appSecret: string;
  apiBase: string;
}
export interface WechatEnv {
  appId: string;
  appSecret: string;
  apiBase: string;
}
export interface WechatPayEnv {
  mchId: string;
  /** the appid bound to the merchant (Native orders name it) */
  appId: string;
  apiV3Key: string;
  /** the merchant certificate's serial (Authorization serial_no) */
  serial: string;
  privateKeyPath: string;
  /** platform-certificate mode: a certificate PEM (serial read from it) or a public key PEM with WECHATPAY_PLATFORM_SERIAL */
  platformKeyPath: string | undefined;
  platformSerial: string | undefined;
  /** public-key mode: PUB_KEY_ID_… and the WeChat Pay public key PEM */
  publicKeyId: string | undefined;
  publicKeyPath: string | undefined;
  apiBase: string;
}

export interface Env {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  uploadDir: string;
  /** where attachments are stored: the upload folder, or S3-compatible object storage (STORAGE_URL) */
  storage: StorageEnv;
  demo: boolean;
  /** ANCHOR_DEMO=force: demo mode even on a database the demo seed did not create */
  demoForced: boolean;
  publicUrl: string;
  wecom: WecomEnv | null;
  dingtalk: DingtalkEnv | null;
  wechat: WechatEnv | null;
  /** the subscribe-message template for follow-up reminders (thing1 customer, time2 when, thing3 action) */
  wechatReminderTemplateId: string | undefined;
  /**
   * the subscribe-message template for check-in reminders (thing1 which check-in, time2 when it closed,
   * thing3 what to do). Its own template: a check-in reminder never uses up a consent the rep gave for a
   * follow-up reminder. Unset: check-in reminders go by WeCom only.
   */
  wechatCheckinTemplateId: string | undefined;
  wechatPay: WechatPayEnv | null;
  /** false on API-only instances: they take requests but run no timers and deliver no messages */
  background: boolean;
  /** Group robots need only per-team keys, so their API bases are known even without app credentials. */
  robotApiBase: { wecom: string; dingtalk: string };
  /** Channels without credentials, with the variables they lack: reported at start-up. */
  offChannels: { channel: string; missing: string[] }[];
}

type Source = Record<string, string | undefined>;

function pick(source: Source, names: string[]): { values: Record<string, string>; missing: string[] } {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const value = source[name]?.trim();
    if (value) values[name] = value;
    else missing.push(name);
  }
  return { values, missing };
}

export class EnvError extends Error {}

export function readEnv(source: Source = process.env): Env {
  const port = Number(source.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new EnvError(`PORT：不是有效端口号（${source.PORT}）`);
  const databaseUrl = source.DATABASE_URL?.trim() || undefined;
  const databasePoolSize = Number(source.DATABASE_POOL_SIZE ?? 16);
  if (!Number.isInteger(databasePoolSize) || databasePoolSize < 1 || databasePoolSize > 500) throw new EnvError(`DATABASE_POOL_SIZE：必须是 1–500 的整数（${source.DATABASE_POOL_SIZE}）`);
  if (databaseUrl && !/^(mysql|mariadb):\/\//.test(databaseUrl)) {
    throw new EnvError('DATABASE_URL：只支持 mysql:// 或 mariadb:// 地址');
  }
  // The embedded default is the demo; a real database is production unless ANCHOR_DEMO=1 says otherwise.
  const demoForced = source.ANCHOR_DEMO === 'force';
  const demo = source.ANCHOR_DEMO ? source.ANCHOR_DEMO === '1' || source.ANCHOR_DEMO === 'true' || demoForced : !databaseUrl;
  const offChannels: Env['offChannels'] = [];

  const wecomPick = pick(source, ['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET']);
  let wecom: WecomEnv | null = null;
  if (wecomPick.missing.length === 0) {
    const agentId = Number(wecomPick.values.WECOM_AGENT_ID);
    if (!Number.isInteger(agentId)) throw new EnvError('WECOM_AGENT_ID：必须是整数');
    wecom = {
      corpId: wecomPick.values.WECOM_CORP_ID!,
      agentId,
      secret: wecomPick.values.WECOM_SECRET!,
      token: source.WECOM_TOKEN || undefined,
      aesKey: source.WECOM_AES_KEY || undefined,
      apiBase: source.WECOM_API_BASE || 'https://qyapi.weixin.qq.com',
    };
    if (wecom.aesKey && !/^[A-Za-z0-9+/]{43}$/.test(wecom.aesKey)) throw new EnvError('WECOM_AES_KEY：必须是 43 个字符的 EncodingAESKey');
  } else offChannels.push({ channel: 'WeCom 企业微信', missing: wecomPick.missing });

  const dingPick = pick(source, ['DINGTALK_APP_KEY', 'DINGTALK_APP_SECRET']);
  const dingtalk: DingtalkEnv | null =
    dingPick.missing.length === 0
      ? {
          appKey: dingPick.values.DINGTALK_APP_KEY!,
          appSecret: dingPick.values.DINGTALK_APP_SECRET!,
          apiBase: source.DINGTALK_API_BASE || 'https://oapi.dingtalk.com',
        }
      : null;
  if (!dingtalk) offChannels.push({ channel: 'DingTalk 钉钉', missing: dingPick.missing });

  const wechatPick = pick(source, ['WECHAT_APP_ID', 'WECHAT_APP_SECRET']);
  const wechat: WechatEnv | null =
    wechatPick.missing.length === 0
      ? {
          appId: wechatPick.values.WECHAT_APP_ID!,
          appSecret: wechatPick.values.WECHAT_APP_SECRET!,
          apiBase: source.WECHAT_API_BASE || 'https://api.weixin.qq.com',
        }
      : null;
  if (!wechat) offChannels.push({ channel: 'WeChat 微信登录', missing: wechatPick.missing });

  const payNames = ['WECHATPAY_MCH_ID', 'WECHATPAY_APP_ID', 'WECHATPAY_API_V3_KEY', 'WECHATPAY_SERIAL', 'WECHATPAY_PRIVATE_KEY_PATH'];
  const payPick = pick(source, payNames);
  // Notifications are verified with the platform certificate, the WeChat Pay public key, or both (the migration period).
  const hasPlatform = !!source.WECHATPAY_PLATFORM_KEY_PATH;
  const hasPublicKey = !!source.WECHATPAY_PUBLIC_KEY_ID && !!source.WECHATPAY_PUBLIC_KEY_PATH;
  const payMissing = [...payPick.missing, ...(hasPlatform || hasPublicKey ? [] : ['WECHATPAY_PLATFORM_KEY_PATH 或 WECHATPAY_PUBLIC_KEY_ID + WECHATPAY_PUBLIC_KEY_PATH'])];
  let wechatPay: WechatPayEnv | null = null;
  if (payMissing.length === 0) {
    if (Buffer.byteLength(payPick.values.WECHATPAY_API_V3_KEY!) !== 32) throw new EnvError('WECHATPAY_API_V3_KEY：必须是 32 字节');
    if (source.WECHATPAY_PUBLIC_KEY_ID && !source.WECHATPAY_PUBLIC_KEY_ID.startsWith('PUB_KEY_ID_')) throw new EnvError('WECHATPAY_PUBLIC_KEY_ID：必须以 PUB_KEY_ID_ 开头');
    wechatPay = {
      mchId: payPick.values.WECHATPAY_MCH_ID!,
      appId: payPick.values.WECHATPAY_APP_ID!,
      apiV3Key: payPick.values.WECHATPAY_API_V3_KEY!,
      serial: payPick.values.WECHATPAY_SERIAL!,
      privateKeyPath: payPick.values.WECHATPAY_PRIVATE_KEY_PATH!,
      platformKeyPath: source.WECHATPAY_PLATFORM_KEY_PATH || undefined,
      platformSerial: source.WECHATPAY_PLATFORM_SERIAL || undefined,
      publicKeyId: hasPublicKey ? source.WECHATPAY_PUBLIC_KEY_ID : undefined,
      publicKeyPath: hasPublicKey ? source.WECHATPAY_PUBLIC_KEY_PATH : undefined,
      apiBase: source.WECHATPAY_API_BASE || 'https://api.mch.weixin.qq.com',
    };
  } else offChannels.push({ channel: 'WeChat Pay 微信支付', missing: payMissing });

  const dataDir = path.resolve(source.ANCHOR_DATA_DIR || path.resolve(__dirname, '../../../data'));
  const uploadDir = path.resolve(source.ANCHOR_UPLOAD_DIR || path.join(dataDir, 'uploads'));
  let storage: StorageEnv;
  try {
    storage = readStorageEnv(source, uploadDir);
  } catch (error) {
    if (error instanceof StorageEnvError) throw new EnvError(error.message);
    throw error;
  }
  return {
    port,
    // A demo (dev-login, sandbox) answers only this machine unless HOST says otherwise.
    host: source.HOST || (demo ? '127.0.0.1' : '0.0.0.0'),
    databaseUrl,
    databasePoolSize,
    dataDir,
    uploadDir,
    storage,
    demo,
    demoForced,
    publicUrl: (source.PUBLIC_URL || `http://localhost:${port}`).replace(/\/$/, ''),
    wecom,
    dingtalk,
    wechat,
    wechatReminderTemplateId: source.WECHAT_REMINDER_TEMPLATE_ID || undefined,
    wechatCheckinTemplateId: source.WECHAT_CHECKIN_TEMPLATE_ID || undefined,
    background: source.ANCHOR_BACKGROUND !== 'off',
    robotApiBase: { wecom: source.WECOM_API_BASE || 'https://qyapi.weixin.qq.com', dingtalk: source.DINGTALK_API_BASE || 'https://oapi.dingtalk.com' },
    wechatPay,
    offChannels,
  };
}
