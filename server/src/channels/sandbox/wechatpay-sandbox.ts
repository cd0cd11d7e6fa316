import { generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { WechatPayEnv } from '../../config/env';
import type { Logger } from '../../logger';
import { standInCertificate } from './stand-in-certificate';
import { encryptAead, parseAuthorization, requestMessage, signSha256WithRsa, verifySha256WithRsa } from '../wechatpay/wechatpay-crypto';

interface SandboxOrder {
  outTradeNo: string;
  description: string;
  total: number;
  notifyUrl: string;
  codeUrl: string;
  state: 'NOTPAY' | 'SUCCESS' | 'CLOSED';
  transactionId?: string;
  successTime?: string;
  createdAt: Date;
  notified?: number;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const yuan = (fen: number) => `¥${(fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/**
 * A WeChat Pay that exists only inside the demo server (`npm start` without WECHATPAY_* variables):
 * its own merchant and platform key pairs and APIv3 key, the v3 endpoints the server calls (Native
 * order, query, close, and /v3/certificates with its platform certificate — the merchant's signature checked), and a page at /sandbox/wechatpay/ where a
 * person "scans and pays" an order: the payment is then notified to the server exactly as WeChat Pay
 * does it (signed with the platform key, resource encrypted), so the demo runs the production path.
 */
export class WechatPaySandbox {
  readonly env: WechatPayEnv;
  private readonly merchantPublic: KeyObject;
  private readonly platformPrivate: KeyObject;
  /** the platform certificate (PEM) it serves from /v3/certificates, as WeChat Pay does */
  private readonly platformCertificate: string;
  private readonly platformSerial: string;
  private readonly orders = new Map<string, SandboxOrder>();
  private nextTransaction = 4200000001;

  constructor(dataDir: string, private readonly logger: Logger) {
    const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.merchantPublic = merchant.publicKey;
    this.platformPrivate = platform.privateKey;
    const dir = path.join(dataDir, 'sandbox-wechatpay');
    mkdirSync(dir, { recursive: true });
    const keyPath = path.join(dir, 'apiclient_key.pem');
    const platformPath = path.join(dir, 'platform_cert.pem');
    this.platformSerial = `5${randomBytes(20).toString('hex')}`.slice(0, 40).toUpperCase(); // 20 bytes, high bit clear
    this.platformCertificate = standInCertificate({
      serialHex: this.platformSerial, publicKey: platform.publicKey, signingKey: platform.privateKey,
      // valid whatever clock a demo or test runs on
      notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2049-01-01T00:00:00Z'), commonName: 'Tenpay.com sandbox',
    });
    writeFileSync(keyPath, merchant.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 });
    writeFileSync(platformPath, this.platformCertificate);
    this.env = {
      mchId: '1900000109', appId: 'wxsandboxpay0001', apiV3Key: randomBytes(16).toString('hex'), serial: randomBytes(20).toString('hex').toUpperCase(),
      privateKeyPath: keyPath, platformKeyPath: platformPath, platformSerial: undefined, publicKeyId: undefined, publicKeyPath: undefined,
      apiBase: 'http://127.0.0.1:0/sandbox/wechatpay', // set once the server listens
    };
  }

  /** Points the server's WeChat Pay client at this stand-in once the port is known. */
  pointAt(base: string): void {
    this.env.apiBase = `${base}/sandbox/wechatpay`;
  }

  private signedJson(ctx: Context, status: number, json?: unknown): void {
    const body = json === undefined ? '' : JSON.stringify(json);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(16).toString('hex');
    ctx.set('Wechatpay-Serial', this.platformSerial);
    ctx.set('Wechatpay-Timestamp', timestamp);
    ctx.set('Wechatpay-Nonce', nonce);
    ctx.set('Wechatpay-Signature', signSha256WithRsa(this.platformPrivate, `${timestamp}\n${nonce}\n${body}\n`));
    ctx.status = status;
    if (json !== undefined) {
      ctx.type = 'application/json';
      ctx.body = body;
    }
  }

  private authorized(ctx: Context, body: string): boolean {
    const auth = parseAuthorization(ctx.get('authorization'));
    if (!auth || auth.mchid !== this.env.mchId || auth.serial_no !== this.env.serial) return false;
    return verifySha256WithRsa(this.merchantPublic, requestMessage(ctx.method, ctx.originalUrl.replace('/sandbox/wechatpay', ''), auth.timestamp ?? '', auth.nonce_str ?? '', body), auth.signature ?? '');
  }

  private transaction(o: SandboxOrder) {
    return {
      appid: this.env.appId, mchid: this.env.mchId, out_trade_no: o.outTradeNo, transaction_id: o.transactionId, trade_type: 'NATIVE', trade_state: o.state,
      trade_state_desc: o.state === 'SUCCESS' ? '支付成功' : o.state === 'CLOSED' ? '已关闭' : '未支付', success_time: o.successTime, amount: { total: o.total, payer_total: o.total, currency: 'CNY' },
    };
  }

  /** The payer paid: notify the server (as WeChat Pay does: signed, encrypted), retrying a few times. */
  private async notify(o: SandboxOrder): Promise<void> {
    const nonce = randomBytes(6).toString('hex');
    const resource = { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: encryptAead(this.env.apiV3Key, nonce, 'transaction', JSON.stringify(this.transaction(o))), associated_data: 'transaction', nonce };
    const body = JSON.stringify({ id: `EV-${randomBytes(8).toString('hex')}`, create_time: o.successTime, resource_type: 'encrypt-resource', event_type: 'TRANSACTION.SUCCESS', summary: '支付成功', resource });
    for (let attempt = 0; attempt < 3; attempt++) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const n = randomBytes(16).toString('hex');
      try {
        const res = await fetch(o.notifyUrl, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json', 'Wechatpay-Serial': this.platformSerial, 'Wechatpay-Timestamp': timestamp, 'Wechatpay-Nonce': n,
            'Wechatpay-Signature': signSha256WithRsa(this.platformPrivate, `${timestamp}\n${n}\n${body}\n`), 'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
          },
          body,
          signal: AbortSignal.timeout(5000),
        });
        o.notified = res.status;
        if (res.ok) return;
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, 'wechatpay sandbox: notification not delivered');
      }
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
    }
  }

  private page(): string {
    const rows = [...this.orders.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const items = rows.length
      ? rows
          .map(
            (o) => `<li class="o ${o.state}"><div><b>${esc(o.description)}</b><span>${yuan(o.total)}</span></div><small>${esc(o.outTradeNo)} · ${o.createdAt.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai' })}</small>
        ${o.state === 'NOTPAY' ? `<form method="post" action="/sandbox/wechatpay/pay/${encodeURIComponent(o.outTradeNo)}"><button>模拟扫码并支付 ${yuan(o.total)}</button></form>` : `<em>${o.state === 'SUCCESS' ? `已支付 · 通知应答 ${o.notified ?? '—'}` : '已关闭'}</em>`}</li>`,
          )
          .join('')
      : '<li class="empty">还没有订单：在应用的回款详情里点「微信支付收款」生成收款码，再回到这里支付。</li>';
    return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>微信支付沙盒</title>
<style>body{font-family:system-ui,sans-serif;margin:0;background:#f2f3f5;color:#1f2329}header{background:#07c160;color:#fff;padding:16px 20px;font-size:18px}ul{list-style:none;margin:16px auto;padding:0 12px;max-width:720px}
li.o{background:#fff;border-radius:8px;padding:14px 16px;margin-bottom:12px}li.o div{display:flex;justify-content:space-between;font-size:16px}li.o small{color:#8f959e;display:block;margin:6px 0 10px}
button{background:#07c160;color:#fff;border:0;border-radius:6px;padding:10px 16px;font-size:15px}em{color:#07c160;font-style:normal}li.CLOSED em{color:#8f959e}.empty{color:#646a73;padding:24px}</style></head>
<body><header>微信支付沙盒 · 商户号 ${esc(this.env.mchId)}</header><p style="max-width:720px;margin:12px auto;padding:0 12px;color:#646a73">演示用的微信支付：服务器在这里下单，支付后按微信支付的协议（签名、加密）把支付结果通知回服务器。</p><ul>${items}</ul></body></html>`;
  }

  routes(): Router {
    const router = new Router({ prefix: '/sandbox/wechatpay' });
    const rawOf = (ctx: Context) => (ctx.request as { rawBody?: string }).rawBody ?? '';
    router.post('/v3/pay/transactions/native', (ctx) => {
      const raw = rawOf(ctx);
      if (!this.authorized(ctx, raw)) return this.signedJson(ctx, 401, { code: 'SIGN_ERROR', message: '签名错误' });
      const b = (ctx.request as { body?: Record<string, any> }).body ?? {};
      const existing = this.orders.get(b.out_trade_no);
      if (existing) return this.signedJson(ctx, 200, { code_url: existing.codeUrl });
      if (!Number.isInteger(b.amount?.total) || b.amount.total <= 0 || typeof b.out_trade_no !== 'string') return this.signedJson(ctx, 400, { code: 'PARAM_ERROR', message: '参数错误' });
      const order: SandboxOrder = { outTradeNo: b.out_trade_no, description: String(b.description ?? ''), total: b.amount.total, notifyUrl: String(b.notify_url), codeUrl: `weixin://wxpay/bizpayurl?pr=sb${randomBytes(4).toString('hex')}`, state: 'NOTPAY', createdAt: new Date() };
      this.orders.set(order.outTradeNo, order);
      this.signedJson(ctx, 200, { code_url: order.codeUrl });
    });
    router.get('/v3/certificates', (ctx) => {
      if (!this.authorized(ctx, '')) return this.signedJson(ctx, 401, { code: 'SIGN_ERROR', message: '签名错误' });
      const nonce = randomBytes(6).toString('hex');
      const iso = (d: string) => new Date(d).toISOString().replace(/\.\d{3}Z$/, '+00:00');
      const cert = new X509Certificate(this.platformCertificate);
      this.signedJson(ctx, 200, {
        data: [{
          serial_no: this.platformSerial, effective_time: iso(cert.validFrom), expire_time: iso(cert.validTo),
          encrypt_certificate: { algorithm: 'AEAD_AES_256_GCM', nonce, associated_data: 'certificate', ciphertext: encryptAead(this.env.apiV3Key, nonce, 'certificate', this.platformCertificate) },
        }],
      });
    });
    router.get('/v3/pay/transactions/out-trade-no/:no', (ctx) => {
      if (!this.authorized(ctx, '')) return this.signedJson(ctx, 401, { code: 'SIGN_ERROR', message: '签名错误' });
      const o = this.orders.get(ctx.params.no!);
      if (!o) return this.signedJson(ctx, 404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' });
      this.signedJson(ctx, 200, this.transaction(o));
    });
    router.post('/v3/pay/transactions/out-trade-no/:no/close', (ctx) => {
      if (!this.authorized(ctx, rawOf(ctx))) return this.signedJson(ctx, 401, { code: 'SIGN_ERROR', message: '签名错误' });
      const o = this.orders.get(ctx.params.no!);
      if (!o) return this.signedJson(ctx, 404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' });
      if (o.state === 'SUCCESS') return this.signedJson(ctx, 400, { code: 'ORDER_PAID', message: '订单已支付' });
      o.state = 'CLOSED';
      this.signedJson(ctx, 204);
    });
    router.get('/', (ctx) => {
      ctx.type = 'text/html; charset=utf-8';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = this.page();
    });
    router.post('/pay/:no', async (ctx) => {
      const o = this.orders.get(ctx.params.no!);
      if (o && o.state === 'NOTPAY') {
        o.state = 'SUCCESS';
        o.transactionId = String(this.nextTransaction++);
        o.successTime = new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00');
        await this.notify(o);
      }
      ctx.redirect('/sandbox/wechatpay/');
    });
    return router;
  }
}
