import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  encryptAead, parseAuthorization, requestMessage, signSha256WithRsa, verifySha256WithRsa, type WechatPayTransaction,
} from '../../server/src/channels/wechatpay/wechatpay-crypto';
import { standInCertificate } from '../../server/src/channels/sandbox/stand-in-certificate';
import { FaultySimulator, jsonObject, type SimReply, type SimRequest } from './sim-server';

/** WeChat Pay's documented re-notification schedule after the first delivery (15 more, 24 h 4 m in all). */
export const RENOTIFY_SCHEDULE_MS = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600].map((s) => s * 1000);

export interface SimOrder {
  outTradeNo: string;
  body: string;
  appid: string;
  mchid: string;
  description: string;
  notifyUrl: string;
  total: number;
  codeUrl: string;
  state: 'NOTPAY' | 'SUCCESS' | 'CLOSED';
  transactionId?: string;
  successTime?: string;
  paidTotal?: number;
}

export interface NotifyDelivery {
  outTradeNo: string;
  attempt: number;
  status: number;
  body: string;
  at: number;
}

/** One platform certificate of the simulator: its key pair, the PEM it serves, its validity. */
export interface SimCertificate {
  serial: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  pem: string;
  notBefore: Date;
  notAfter: Date;
}

/**
 * How GET /v3/certificates answers: 'ok'; 'badSignature' — the body altered after signing (a proxy's or
 * forger's change: the signature no longer matches); 'wrongKey' — signed by a key that is no certificate of
 * WeChat Pay's, under the current serial; 'badCiphertext' — one certificate's ciphertext flipped (tag fails).
 */
export type CertificatesMode = 'ok' | 'badSignature' | 'wrongKey' | 'badCiphertext';

/** How the simulator signs: with its platform certificate key, its public key (PUB_KEY_ID_), or each at random (the migration period). */
export type SignMode = 'platform' | 'publicKey' | 'mixed';

const flipLastByte = (base64: string): string => {
  const raw = Buffer.from(base64, 'base64');
  raw[raw.length - 1]! ^= 0x01;
  return raw.toString('base64');
};
const keyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (k: KeyObject, type: 'pkcs8' | 'spki') => k.export({ format: 'pem', type }) as string;

/**
 * WeChat Pay API v3 (merchant side), as protocols.md §6 documents it:
 * - every request's `WECHATPAY2-SHA256-RSA2048` Authorization is checked against the merchant's public
 *   key (401 SIGN_ERROR), mchid and serial too;
 * - POST /v3/pay/transactions/native: required fields, amount in fen, notify_url without query; the same
 *   out_trade_no with the same parameters answers the same code_url, with others 403 OUT_TRADE_NO_USED;
 * - GET …/out-trade-no/{no}?mchid=: the transaction (NOTPAY / SUCCESS / CLOSED), 404 ORDER_NOT_EXIST;
 * - POST …/close: 204, 400 ORDER_PAID on a paid order;
 * - answers are signed (Wechatpay-Serial/-Signature/-Timestamp/-Nonce) with the platform key or the
 *   public key; a payment is notified (signed, resource encrypted with the APIv3 key, AEAD_AES_256_GCM)
 *   and re-notified on the documented schedule, compressed by `scheduleScale`, until a 2xx answer.
 */
export class WechatPaySimulator extends FaultySimulator {
  readonly mchId = '1900009191';
  readonly appId = 'wxsimpayapp000001';
  readonly apiV3Key = randomBytes(16).toString('hex'); // 32 ASCII bytes
  readonly merchantSerial = '3775B6A45ACD588826D15E583A95F5DD2C5E0D0B';
  readonly publicKeyId = 'PUB_KEY_ID_0119000091912025120300000000000001';
  private readonly merchant = keyPair();
  private readonly wxPublic = keyPair();
  /** every platform certificate issued, oldest first; `listed` ones are served by /v3/certificates */
  readonly certificates: SimCertificate[] = [];
  readonly listed = new Set<string>();
  /** the certificate answers (and platform-mode notifications) are signed with */
  private signing!: SimCertificate;
  certificatesMode: CertificatesMode = 'ok';
  private readonly heldQueries = new Map<string, { arrived: () => void; released: Promise<void> }>();
  signMode: SignMode = 'platform';
  /** real ms per documented ms (1/3600: the 24 h schedule in 24 s) */
  scheduleScale = 1 / 3600;
  /** where notifications go instead of the order's notify_url (the test server's address) */
  notifyTarget: string | null = null;
  /** false: a payment is not notified at all (the query job must find it) */
  notify = true;
  readonly orders = new Map<string, SimOrder>();
  readonly deliveries: NotifyDelivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextTransaction = 4200001234;

  constructor() {
    super();
    // the first certificate: valid for years either side of any test clock
    this.issueCertificate({ serial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1', notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2049-01-01T00:00:00Z') });
  }

  /** The serial of the platform certificate now signing. */
  get platformSerial(): string {
    return this.signing.serial;
  }

  /** A new platform certificate, listed by /v3/certificates; `sign` makes it the one that signs from now on. */
  issueCertificate(options: { serial?: string; notBefore?: Date; notAfter?: Date; sign?: boolean } = {}): SimCertificate {
    const keys = keyPair();
    const serial = (options.serial ?? `${(0x10 + Math.floor(Math.random() * 0x60)).toString(16)}${randomBytes(19).toString('hex')}`).toUpperCase();
    const notBefore = options.notBefore ?? new Date(this.now() - 86_400_000);
    const notAfter = options.notAfter ?? new Date(this.now() + 5 * 365 * 86_400_000);
    const cert: SimCertificate = { serial, ...keys, notBefore, notAfter, pem: standInCertificate({ serialHex: serial, publicKey: keys.publicKey, signingKey: keys.privateKey, notBefore, notAfter, commonName: 'Tenpay.com sim' }) };
    this.certificates.push(cert);
    this.listed.add(serial);
    if (options.sign || !this.signing) this.signing = cert;
    return cert;
  }

  /** WeChat Pay rotates: a new certificate is listed and signs from now on; the old one stays listed until `withdraw`. */
  rotateCertificate(options: { notBefore?: Date; notAfter?: Date } = {}): SimCertificate {
    return this.issueCertificate({ ...options, sign: true });
  }

  /** /v3/certificates stops listing a certificate (as WeChat Pay does once it expired). */
  withdraw(serial: string): void {
    this.listed.delete(serial);
  }

  private certificate(serial: string): SimCertificate {
    const c = this.certificates.find((x) => x.serial === serial);
    if (!c) throw new Error(`no certificate ${serial}`);
    return c;
  }

  /** GET /v3/certificates: the listed certificates, each encrypted with the APIv3 key, the answer signed with the signing certificate. */
  private certificatesAnswer(): SimReply {
    const data = this.certificates
      .filter((c) => this.listed.has(c.serial))
      .map((c, i) => {
        const nonce = randomBytes(6).toString('hex');
        let ciphertext = encryptAead(this.apiV3Key, nonce, 'certificate', c.pem);
        if (this.certificatesMode === 'badCiphertext' && i === 0) ciphertext = flipLastByte(ciphertext);
        const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, '+00:00');
        return { serial_no: c.serial, effective_time: iso(c.notBefore), expire_time: iso(c.notAfter), encrypt_certificate: { algorithm: 'AEAD_AES_256_GCM', nonce, associated_data: 'certificate', ciphertext } };
      });
    const body = JSON.stringify({ data });
    if (this.certificatesMode === 'wrongKey') {
      const headers = this.signedHeaders(body, { key: keyPair().privateKey, serial: this.signing.serial });
      return { status: 200, text: body, contentType: 'application/json', headers };
    }
    const headers = this.signedHeaders(body, { mode: 'platform' });
    const sent = this.certificatesMode === 'badSignature' ? body.replace('"data":[', '"data":[ ') : body;
    return { status: 200, text: sent, headers: { ...headers, 'Content-Type': 'application/json' } };
  }

  /** The merchant's private key (what the server signs with) and the verifying keys, as files, with the env naming them. */
  env(mode: 'platform' | 'publicKey' | 'both' = 'both'): Record<string, string> {
    const dir = mkdtempSync(path.join(tmpdir(), 'wxpay-sim-'));
    const write = (name: string, text: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    };
    return {
      WECHATPAY_MCH_ID: this.mchId,
      WECHATPAY_APP_ID: this.appId,
      WECHATPAY_API_V3_KEY: this.apiV3Key,
      WECHATPAY_SERIAL: this.merchantSerial,
      WECHATPAY_PRIVATE_KEY_PATH: write('apiclient_key.pem', pem(this.merchant.privateKey, 'pkcs8')),
      WECHATPAY_API_BASE: this.url,
      // the first certificate (as a merchant downloads it once, with the official tool, before going live)
      ...(mode !== 'publicKey' ? { WECHATPAY_PLATFORM_KEY_PATH: write('platform_cert.pem', this.certificates[0]!.pem) } : {}),
      ...(mode !== 'platform' ? { WECHATPAY_PUBLIC_KEY_ID: this.publicKeyId, WECHATPAY_PUBLIC_KEY_PATH: write('pub_key.pem', pem(this.wxPublic.publicKey, 'spki')) } : {}),
    };
  }

  /** Signs `ts\nnonce\nbody\n` the way WeChat Pay does, with the key `mode` picks; the headers it sends. */
  signedHeaders(body: string, options: { mode?: SignMode; timestamp?: number; nonce?: string; serial?: string; key?: KeyObject } = {}): Record<string, string> {
    const mode = options.mode ?? this.signMode;
    const usePublic = !options.serial && (mode === 'publicKey' || (mode === 'mixed' && Math.random() < 0.5));
    const timestamp = String(options.timestamp ?? Math.floor(this.now() / 1000));
    const nonce = options.nonce ?? randomBytes(16).toString('hex');
    const cert = options.serial ? this.certificate(options.serial) : this.signing;
    return {
      'Wechatpay-Serial': usePublic ? this.publicKeyId : cert.serial,
      'Wechatpay-Signature': signSha256WithRsa(options.key ?? (usePublic ? this.wxPublic.privateKey : cert.privateKey), `${timestamp}\n${nonce}\n${body}\n`),
      'Wechatpay-Timestamp': timestamp,
      'Wechatpay-Nonce': nonce,
      'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
    };
  }

  private signed(status: number, json?: unknown): SimReply {
    const body = json === undefined ? '' : JSON.stringify(json);
    return { status, ...(json === undefined ? { text: '' } : { json }), headers: this.signedHeaders(body) };
  }

  private refuse(status: number, code: string, message: string): SimReply {
    return this.signed(status, { code, message });
  }

  /** The merchant's signature on the request, as WeChat Pay checks it. */
  private authorized(req: SimRequest): boolean {
    const auth = parseAuthorization(req.headers.authorization ?? '');
    if (!auth || auth.mchid !== this.mchId || auth.serial_no !== this.merchantSerial) return false;
    const query = [...req.query.keys()].length ? `?${req.query.toString()}` : '';
    const message = requestMessage(req.method, `${req.path}${query}`, auth.timestamp ?? '', auth.nonce_str ?? '', req.body);
    const skew = Math.abs(Math.floor(this.now() / 1000) - Number(auth.timestamp));
    return skew <= 300 && verifySha256WithRsa(this.merchant.publicKey, message, auth.signature ?? '');
  }

  protected serve(req: SimRequest): SimReply | Promise<SimReply> {
    if (!this.authorized(req)) return this.refuse(401, 'SIGN_ERROR', '签名错误');
    if (req.method === 'POST' && req.path === '/v3/pay/transactions/native') return this.native(req);
    if (req.method === 'GET' && req.path === '/v3/certificates') return this.certificatesAnswer();
    const m = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)(\/close)?$/.exec(req.path);
    if (m) {
      const order = this.orders.get(decodeURIComponent(m[1]!));
      if (m[2] && req.method === 'POST') {
        if (jsonObject(req.body)?.mchid !== this.mchId) return this.refuse(400, 'PARAM_ERROR', 'mchid 错误');
        if (!order) return this.refuse(404, 'ORDER_NOT_EXIST', '订单不存在');
        if (order.state === 'SUCCESS') return this.refuse(400, 'ORDER_PAID', '订单已支付');
        order.state = 'CLOSED';
        return { status: 204, text: '', headers: this.signedHeaders('') };
      }
      if (req.method === 'GET') {
        if (req.query.get('mchid') !== this.mchId) return this.refuse(400, 'PARAM_ERROR', 'mchid 错误');
        if (!order) return this.refuse(404, 'ORDER_NOT_EXIST', '订单不存在');
        const held = this.heldQueries.get(order.outTradeNo);
        if (held) {
          this.heldQueries.delete(order.outTradeNo);
          held.arrived();
          return held.released.then(() => this.signed(200, this.transaction(order)));
        }
        return this.signed(200, this.transaction(order));
      }
    }
    return this.refuse(404, 'NOT_FOUND', '无此接口');
  }

  private native(req: SimRequest): SimReply {
    const b = jsonObject(req.body);
    if (!b) return this.refuse(400, 'PARAM_ERROR', '请求体不是 JSON');
    if (b.appid !== this.appId || b.mchid !== this.mchId) return this.refuse(400, 'PARAM_ERROR', 'appid 或 mchid 错误');
    const no = b.out_trade_no;
    if (typeof no !== 'string' || !/^[0-9A-Za-z_\-*|]{6,32}$/.test(no)) return this.refuse(400, 'PARAM_ERROR', 'out_trade_no 格式错误');
    if (typeof b.description !== 'string' || !b.description || b.description.length > 127) return this.refuse(400, 'PARAM_ERROR', 'description 错误');
    if (typeof b.notify_url !== 'string' || b.notify_url.includes('?')) return this.refuse(400, 'PARAM_ERROR', 'notify_url 不能带参数');
    const total = b.amount?.total;
    if (!Number.isInteger(total) || total <= 0) return this.refuse(400, 'PARAM_ERROR', 'amount.total 必须为正整数（分）');
    const existing = this.orders.get(no);
    if (existing) {
      if (existing.body !== req.body) return this.refuse(403, 'OUT_TRADE_NO_USED', '商户订单号重复');
      return this.signed(200, { code_url: existing.codeUrl });
    }
    const order: SimOrder = {
      outTradeNo: no, body: req.body, appid: b.appid, mchid: b.mchid, description: b.description, notifyUrl: b.notify_url, total,
      codeUrl: `weixin://wxpay/bizpayurl?pr=${randomBytes(5).toString('base64url')}`, state: 'NOTPAY',
    };
    this.orders.set(no, order);
    return this.signed(200, { code_url: order.codeUrl });
  }

  transaction(order: SimOrder): WechatPayTransaction {
    return {
      appid: order.appid, mchid: order.mchid, out_trade_no: order.outTradeNo, transaction_id: order.transactionId, trade_type: 'NATIVE',
      trade_state: order.state, trade_state_desc: order.state === 'SUCCESS' ? '支付成功' : order.state === 'CLOSED' ? '已关闭' : '未支付',
      success_time: order.successTime,
      amount: { total: order.total, payer_total: order.state === 'SUCCESS' ? (order.paidTotal ?? order.total) : undefined, currency: 'CNY' },
    };
  }

  /** A slow WeChat Pay: the next query of this order is answered only on `release()`; `arrived` resolves when it comes in. */
  holdQuery(outTradeNo: string): { arrived: Promise<void>; release: () => void } {
    let arrived!: () => void;
    let release!: () => void;
    const arrivedP = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.heldQueries.set(outTradeNo, { arrived, released });
    return { arrived: arrivedP, release };
  }

  /** The payer scans and pays: the order succeeds and, unless `notify` is off, its notification goes out. */
  pay(outTradeNo: string, options: { paidTotal?: number } = {}): SimOrder {
    const order = this.orders.get(outTradeNo);
    if (!order) throw new Error(`no order ${outTradeNo}`);
    if (order.state !== 'NOTPAY') throw new Error(`order ${outTradeNo} is ${order.state}`);
    order.state = 'SUCCESS';
    order.transactionId = String(this.nextTransaction++);
    order.successTime = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    if (options.paidTotal !== undefined) {
      order.total = options.paidTotal;
      order.paidTotal = options.paidTotal;
    }
    if (this.notify) this.deliver(order, 0);
    return order;
  }

  /** One notification for the order as WeChat Pay would send it now: raw body and headers. */
  notification(outTradeNo: string, options: { mode?: SignMode; associatedData?: string; serial?: string } = {}): { body: string; headers: Record<string, string> } {
    const order = this.orders.get(outTradeNo);
    if (!order) throw new Error(`no order ${outTradeNo}`);
    const nonce = randomBytes(6).toString('hex'); // 12 ASCII bytes
    const associatedData = options.associatedData ?? 'transaction';
    const resource = { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: encryptAead(this.apiV3Key, nonce, associatedData, JSON.stringify(this.transaction(order))), associated_data: associatedData, nonce };
    const body = JSON.stringify({
      id: `EV-${randomBytes(8).toString('hex')}`, create_time: order.successTime, resource_type: 'encrypt-resource', event_type: 'TRANSACTION.SUCCESS', summary: '支付成功', resource,
    });
    return { body, headers: { 'Content-Type': 'application/json', ...this.signedHeaders(body, { mode: options.mode, serial: options.serial }) } };
  }

  private deliver(order: SimOrder, attempt: number): void {
    const run = async () => {
      const { body, headers } = this.notification(order.outTradeNo);
      let status = 0;
      try {
        const response = await fetch(this.notifyTarget ?? order.notifyUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) });
        status = response.status;
        await response.text();
      } catch {
        status = 0;
      }
      this.deliveries.push({ outTradeNo: order.outTradeNo, attempt, status, body, at: this.now() });
      if ((status < 200 || status >= 300) && attempt < RENOTIFY_SCHEDULE_MS.length) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.deliver(order, attempt + 1);
        }, RENOTIFY_SCHEDULE_MS[attempt]! * this.scheduleScale);
        this.timers.add(timer);
      }
    };
    void run();
  }

  /** Delivery attempts of one order's notification so far. */
  deliveriesOf(outTradeNo: string): NotifyDelivery[] {
    return this.deliveries.filter((d) => d.outTradeNo === outTradeNo);
  }

  override async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await super.stop();
  }
}
