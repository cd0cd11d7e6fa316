import { createCipheriv, createDecipheriv, createPublicKey, createSign, createVerify, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';

/**
 * WeChat Pay API v3 cryptography (protocols.md §6.2, §6.3), written against the published vectors.
 * Only the request's Authorization header goes through `wechatpay-node-v3` (wechatpay.client.ts);
 * notification verification and AEAD decryption are ours: the package re-serialises bodies, has no
 * time window, no SIGNTEST handling, no public-key mode, and its decrypt never checks the GCM tag.
 */

/** `METHOD\nPATH?QUERY\ntimestamp\nnonce\nbody\n` — every line ends in \n, an empty body too. */
export function requestMessage(method: string, pathWithQuery: string, timestamp: number | string, nonce: string, body: string): string {
  return `${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** RSA-SHA256 (PKCS#1 v1.5), base64 — deterministic, so the published vector is reproduced exactly. */
export function signSha256WithRsa(privateKey: string | Buffer | KeyObject, message: string): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(privateKey, 'base64');
}

export function verifySha256WithRsa(publicKey: KeyObject, message: string, signatureBase64: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureBase64)) return false;
  try {
    return createVerify('RSA-SHA256').update(message, 'utf8').verify(publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

export function authorizationHeader(parts: { mchId: string; serial: string; nonce: string; timestamp: number | string; signature: string }): string {
  return `WECHATPAY2-SHA256-RSA2048 mchid="${parts.mchId}",nonce_str="${parts.nonce}",signature="${parts.signature}",timestamp="${parts.timestamp}",serial_no="${parts.serial}"`;
}

/** Parses `WECHATPAY2-SHA256-RSA2048 k="v",…` (the simulator checks requests with it). */
export function parseAuthorization(header: string): Record<string, string> | null {
  const m = /^WECHATPAY2-SHA256-RSA2048\s+(.+)$/.exec(header.trim());
  if (!m) return null;
  const out: Record<string, string> = {};
  for (const part of m[1]!.match(/[a-z_]+="[^"]*"/g) ?? []) {
    const eq = part.indexOf('=');
    out[part.slice(0, eq)] = part.slice(eq + 2, -1);
  }
  return out;
}

export class AeadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AeadError';
  }
}

/**
 * AEAD_AES_256_GCM as WeChat Pay uses it: key = the APIv3 key's bytes (32 → AES-256; the official
 * 16-byte vector gives AES-128), iv = nonce, AAD = associated_data, the last 16 bytes of the
 * ciphertext are the tag. `final()` checks the tag: a flipped bit or another AAD throws.
 */
export function decryptAead(key: string | Buffer, nonce: string, associatedData: string, ciphertextBase64: string): string {
  const keyBytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const algorithm = keyBytes.length === 32 ? 'aes-256-gcm' : keyBytes.length === 16 ? 'aes-128-gcm' : null;
  if (!algorithm) throw new AeadError('APIv3 key must be 32 bytes');
  const data = Buffer.from(ciphertextBase64, 'base64');
  if (data.length < 17 || nonce.length === 0) throw new AeadError('ciphertext too short');
  const decipher = createDecipheriv(algorithm, keyBytes, Buffer.from(nonce, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - 16));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  try {
    return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    throw new AeadError('GCM tag check failed (wrong key, nonce or associated data, or altered ciphertext)');
  }
}

/** The inverse (the simulator's side, and the derived vector). */
export function encryptAead(key: string | Buffer, nonce: string, associatedData: string, plaintext: string): string {
  const keyBytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const cipher = createCipheriv(keyBytes.length === 32 ? 'aes-256-gcm' : 'aes-128-gcm', keyBytes, Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64');
}

export const nonceString = (): string => randomBytes(16).toString('hex').toUpperCase();

/** A platform certificate's key and the seconds (epoch) it is valid between; null: no bound (a bare key from a file). */
export interface PlatformCertificate {
  serial: string;
  key: KeyObject;
  notBefore: number | null;
  notAfter: number | null;
}

/** The keys WeChat Pay signs with, by the serial it names in `Wechatpay-Serial`. */
export interface PlatformKeys {
  /** the key for `serial` usable at `nowSeconds`: a platform certificate inside its validity, or a PUB_KEY_ID_ public key */
  keyFor(serial: string, nowSeconds: number): KeyObject | undefined;
}

/**
 * Platform certificates by serial (hex, upper-case) and WeChat Pay public keys by `PUB_KEY_ID_…`. A
 * certificate is used only inside its validity: an expired one is never believed, whatever it signed.
 * Certificates are added, never replaced by absence: an old one stays usable until it expires, so a
 * rotation (WeChat Pay lists old and new together for a while) has no gap.
 */
export class KeyRing implements PlatformKeys {
  readonly certificates = new Map<string, PlatformCertificate>();
  readonly publicKeys = new Map<string, KeyObject>();

  keyFor(serial: string, nowSeconds: number): KeyObject | undefined {
    if (serial.startsWith('PUB_KEY_ID_')) return this.publicKeys.get(serial);
    const c = this.certificates.get(serial.toUpperCase());
    if (!c) return undefined;
    if ((c.notBefore !== null && nowSeconds < c.notBefore) || (c.notAfter !== null && nowSeconds >= c.notAfter)) return undefined;
    return c.key;
  }

  /** Adds (or updates) a certificate. */
  add(cert: PlatformCertificate): void {
    this.certificates.set(cert.serial.toUpperCase(), { ...cert, serial: cert.serial.toUpperCase() });
  }

  /** Forgets certificates expired at `nowSeconds`; the serials dropped. */
  prune(nowSeconds: number): string[] {
    const dropped: string[] = [];
    for (const [serial, c] of this.certificates) {
      if (c.notAfter !== null && nowSeconds >= c.notAfter) {
        this.certificates.delete(serial);
        dropped.push(serial);
      }
    }
    return dropped;
  }
}

/** A PEM that is either a certificate (its serial and validity read from it) or a bare public key (serial given, no bounds). */
export function loadVerifierKey(pem: string, serial?: string): PlatformCertificate {
  if (pem.includes('BEGIN CERTIFICATE')) {
    const cert = new X509Certificate(pem);
    return { serial: cert.serialNumber.toUpperCase(), key: cert.publicKey, notBefore: seconds(cert.validFrom), notAfter: seconds(cert.validTo) };
  }
  if (!serial) throw new Error('a bare public key needs its serial');
  return { serial: serial.toUpperCase(), key: createPublicKey(pem), notBefore: null, notAfter: null };
}

const seconds = (date: string): number => Math.floor(Date.parse(date) / 1000);

/** The serial a signature names, when it names one (headers present, not a probe): what a store looks up or fetches. */
export function namedSerial(headers: NotifyHeaders): string | null {
  return headers.serial && headers.signature && !headers.signature.startsWith('WECHATPAY/SIGNTEST/') ? headers.serial : null;
}

export type NotifyRefusal = 'missing_headers' | 'signature_probe' | 'stale_timestamp' | 'unknown_serial' | 'bad_signature' | 'bad_body' | 'bad_resource';

export class NotifyVerifyError extends Error {
  constructor(readonly reason: NotifyRefusal) {
    super(`wechatpay notification refused: ${reason}`);
    this.name = 'NotifyVerifyError';
  }
}

export interface NotifyHeaders {
  serial: string | undefined;
  signature: string | undefined;
  timestamp: string | undefined;
  nonce: string | undefined;
}

export interface NotifyResource {
  algorithm: string;
  ciphertext: string;
  associated_data?: string;
  nonce: string;
  original_type?: string;
}

export interface NotifyEnvelope {
  id: string;
  event_type: string;
  resource_type?: string;
  resource: NotifyResource;
}

/**
 * Checks a notification before anything in it is believed: headers present, not a SIGNTEST probe,
 * timestamp within `maxSkewSeconds` of now, serial known (a platform certificate valid now or a PUB_KEY_ID_
 * public key), RSA-SHA256 over the raw body, then the envelope's shape. Returns the envelope; the caller
 * decrypts with `decryptAead` (tag and AAD checked).
 */
export function verifyNotification(headers: NotifyHeaders, rawBody: string, keys: PlatformKeys, nowSeconds: number, maxSkewSeconds: number): NotifyEnvelope {
  const { serial, signature, timestamp, nonce } = headers;
  if (!serial || !signature || !timestamp || !nonce) throw new NotifyVerifyError('missing_headers');
  if (signature.startsWith('WECHATPAY/SIGNTEST/')) throw new NotifyVerifyError('signature_probe');
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > maxSkewSeconds) throw new NotifyVerifyError('stale_timestamp');
  const key = keys.keyFor(serial, nowSeconds);
  if (!key) throw new NotifyVerifyError('unknown_serial');
  if (!verifySha256WithRsa(key, `${timestamp}\n${nonce}\n${rawBody}\n`, signature)) throw new NotifyVerifyError('bad_signature');
  let envelope: NotifyEnvelope;
  try {
    envelope = JSON.parse(rawBody) as NotifyEnvelope;
  } catch {
    throw new NotifyVerifyError('bad_body');
  }
  const r = envelope?.resource;
  if (!r || typeof r !== 'object' || r.algorithm !== 'AEAD_AES_256_GCM' || typeof r.ciphertext !== 'string' || typeof r.nonce !== 'string') throw new NotifyVerifyError('bad_resource');
  return envelope;
}

/**
 * An answer of the merchant API (2xx) is signed like a notification: `ts\nnonce\nbody\n` with the key its
 * `Wechatpay-Serial` names. False when a header is missing, the serial unknown, the time off or the signature bad.
 */
export function verifyResponse(headers: NotifyHeaders, rawBody: string, keys: PlatformKeys, nowSeconds: number, maxSkewSeconds: number): boolean {
  const { serial, signature, timestamp, nonce } = headers;
  if (!serial || !signature || !timestamp || !nonce || signature.startsWith('WECHATPAY/SIGNTEST/')) return false;
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > maxSkewSeconds) return false;
  const key = keys.keyFor(serial, nowSeconds);
  return !!key && verifySha256WithRsa(key, `${timestamp}\n${nonce}\n${rawBody}\n`, signature);
}

/** The decrypted transaction (the fields we read). */
export interface WechatPayTransaction {
  appid?: string;
  mchid?: string;
  out_trade_no: string;
  transaction_id?: string;
  trade_type?: string;
  trade_state: string;
  trade_state_desc?: string;
  success_time?: string;
  amount?: { total?: number; payer_total?: number; currency?: string };
}
