import QRCode from 'qrcode';
import type { Env } from '../config/env';
import { channelError } from './channel.errors';
import type { TokenCache } from './token-cache';
import { UpstreamError, type RetryPolicy } from './http-client';
import { WechatApi, WechatTokenError, type WechatAnswer } from './wechat/wechat-api';

/** One try, as before: the person asking for the code sees a 503 and can ask again. */
const ONE_ATTEMPT: RetryPolicy = { attempts: 1, baseDelayMs: 0, timeoutMs: 10_000 };

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
  /** mini-program codes through co-wechat-api (token from the shared table), when WeChat credentials exist */
  private readonly wechat: WechatApi | null;

  constructor(
    private readonly env: Env,
    tokens: TokenCache,
  ) {
    this.wechat = env.wechat ? new WechatApi(env.wechat, tokens, ONE_ATTEMPT) : null;
  }

  h5Url(target: QrTarget): string {
    return `${this.env.publicUrl}/app/#/${target.h5Path}`;
  }

  async png(target: QrTarget): Promise<{ bytes: Buffer; kind: 'wxacode' | 'qr'; contentType: string }> {
    if (!this.wechat) return { bytes: await QRCode.toBuffer(this.h5Url(target), QR_OPTIONS), kind: 'qr', contentType: 'image/png' };
    let answer: WechatAnswer<unknown>;
    try {
      answer = await this.wechat.call((sdk) => sdk.getUnlimitedCode(target.scene, target.page), 'bytes');
    } catch (error) {
      // the token could not be had, or WeChat failed to answer
      const status = error instanceof UpstreamError && !(error instanceof WechatTokenError) && /^HTTP \d+$/.test(error.message) ? error.message.slice(5) : null;
      throw channelError('WECHAT_UPSTREAM_FAILED', { message: status ? `微信未能生成小程序码（${status}）` : '微信接口暂时不可用，无法生成小程序码' });
    }
    // The image comes back as bytes (the library hands back a Buffer); an error as JSON with an errcode,
    // and a token WeChat rejected (40001/42001) is already dropped from the shared table.
    if (answer.ok && Buffer.isBuffer(answer.value)) return { bytes: answer.value, kind: 'wxacode', contentType: imageType(answer.value) };
    throw channelError('WECHAT_UPSTREAM_FAILED', { message: `微信未能生成小程序码（${answer.ok ? 'no image' : answer.errcode}）` });
  }
}

/** co-wechat-api keeps the body, not the headers: tell the image type by its signature (JPEG unless PNG). */
function imageType(bytes: Buffer): string {
  return bytes.subarray(0, 8).equals(PNG_SIGNATURE) ? 'image/png' : 'image/jpeg';
}
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
