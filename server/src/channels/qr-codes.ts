import QRCode from 'qrcode';
import type { Env } from '../config/env';
import { channelError } from './channel.errors';
import type { TokenCache } from './token-cache';
import { wechatAccessToken, wechatTokenKey } from './wechat/wechat-token';

export const QR_OPTIONS = { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 360 } as const;

export interface QrTarget {
  /** mini-program page opened by the code, e.g. pages/index/index */
  page: string;
  /** ≤ 32 visible characters, what the page receives as `scene` */
  scene: string;
  /** the H5 address a plain QR code carries when there is no mini-program */
  h5Path: string;
}

/**
 * A code to scan: a mini-program code from wxacode.getUnlimited when WeChat credentials exist
 * (unlimited in number, the scene carries the invite or customer), otherwise a plain QR code to the
 * H5 app that opens the same page.
 */
export class QrCodes {
  constructor(
    private readonly env: Env,
    private readonly tokens: TokenCache,
  ) {}

  h5Url(target: QrTarget): string {
    return `${this.env.publicUrl}/app/#/${target.h5Path}`;
  }

  async png(target: QrTarget): Promise<{ bytes: Buffer; kind: 'wxacode' | 'qr'; contentType: string }> {
    const wechat = this.env.wechat;
    if (!wechat) return { bytes: await QRCode.toBuffer(this.h5Url(target), QR_OPTIONS), kind: 'qr', contentType: 'image/png' };
    const token = await wechatAccessToken(wechat, this.tokens).catch(() => {
      throw channelError('WECHAT_UPSTREAM_FAILED', { message: '微信接口暂时不可用，无法生成小程序码' });
    });
    let response: Response;
    try {
      response = await fetch(`${wechat.apiBase}/wxa/getwxacodeunlimit?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scene: target.scene, page: target.page, check_path: false, width: 430 }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      throw channelError('WECHAT_UPSTREAM_FAILED', { message: '微信接口暂时不可用，无法生成小程序码' });
    }
    // The image comes back as bytes; an error comes back as JSON with an errcode.
    const type = response.headers.get('content-type') ?? '';
    if (response.ok && type.startsWith('image/')) return { bytes: Buffer.from(await response.arrayBuffer()), kind: 'wxacode', contentType: type };
    const body = (await response.json().catch(() => ({}))) as { errcode?: number; errmsg?: string };
    if (body.errcode === 40001 || body.errcode === 42001) await this.tokens.invalidate(wechatTokenKey(wechat), token);
    throw channelError('WECHAT_UPSTREAM_FAILED', { message: `微信未能生成小程序码（${body.errcode ?? response.status}）` });
  }
}
