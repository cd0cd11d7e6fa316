import { randomBytes } from 'node:crypto';
import { WecomCrypto } from '../../server/src/channels/wecom/wecom-crypto';
import { api } from './http';

/** Vector A's key and token: real-shaped WeCom callback settings for a harness's env. */
export const WECOM_CALLBACK_TOKEN = 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo';
export const WECOM_CALLBACK_AES_KEY = '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt';

/** Seals a click's fields the way WeCom POSTs them (encrypted XML, signed query); the same result posted twice is a platform retry. */
export function wecomClickSealer(corpId: string, nowMs: () => number) {
  const crypto = new WecomCrypto({ token: WECOM_CALLBACK_TOKEN, encodingAesKey: WECOM_CALLBACK_AES_KEY, receiveId: corpId });
  const seal = (fields: Record<string, string | number>) => {
    const xml = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>${Object.entries(fields)
      .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
      .join('')}</xml>`;
    const encrypt = crypto.encrypt(xml);
    const timestamp = String(Math.floor(nowMs() / 1000));
    const nonce = randomBytes(6).toString('hex');
    const query = `msg_signature=${crypto.signature(timestamp, nonce, encrypt)}&timestamp=${timestamp}&nonce=${nonce}`;
    const body = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`;
    return { query, body };
  };
  const post = (base: string, e: { query: string; body: string }) =>
    api(base, 'POST', `/api/v1/channels/wecom/callback?${e.query}`, { rawBody: e.body, headers: { 'content-type': 'text/xml' } });
  return { seal, post };
}
