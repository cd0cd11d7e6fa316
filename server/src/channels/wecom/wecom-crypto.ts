import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Error codes of Tencent's WXBizMsgCrypt samples, so logs read like WeCom's documentation, plus one
 * of ours for the clock check their library does not make (-40012 is taken in their C++ sample).
 */
export const WecomCryptoCode = {
  ValidateSignature: -40001,
  ParseXml: -40002,
  ComputeSignature: -40003,
  IllegalAesKey: -40004,
  ValidateCorpid: -40005,
  EncryptAES: -40006,
  DecryptAES: -40007,
  IllegalBuffer: -40008,
  DecodeBase64: -40010,
  GenReturnXml: -40011,
  StaleTimestamp: -40100,
} as const;
export type WecomCryptoCode = (typeof WecomCryptoCode)[keyof typeof WecomCryptoCode];

export class WecomCryptoError extends Error {
  constructor(
    readonly code: WecomCryptoCode,
    message: string,
  ) {
    super(`WeCom crypto ${code}: ${message}`);
    this.name = 'WecomCryptoError';
  }
}

export interface WecomCryptoOptions {
  /** The callback Token set in the WeCom admin console. */
  token: string;
  /** The 43-character EncodingAESKey from the same page. */
  encodingAesKey: string;
  /** corpid for a self-built app, suiteid for a third-party suite. */
  receiveId: string;
}

/** Query values as Koa's ctx.query gives them; anything but one string is refused. */
type QueryValue = string | string[] | undefined;
export interface CallbackQuery {
  msg_signature?: QueryValue;
  timestamp?: QueryValue;
  nonce?: QueryValue;
}
export interface UrlVerifyQuery extends CallbackQuery {
  echostr?: QueryValue;
}

export interface Decrypted {
  message: string;
  receiveId: string;
  random: Buffer;
}

/** WeCom pads PKCS#7 to 32-byte blocks, not AES's 16, so Node's auto padding cannot be used. */
const PAD_BLOCK = 32;
const RANDOM_BYTES = 16;
/** random(16) + msg_len(4): the smallest unpadded plaintext. */
const HEADER_BYTES = RANDOM_BYTES + 4;
/** WeCom's clock and ours may differ a little; a captured request is useless after this. */
const TIMESTAMP_WINDOW_MS = 300_000;
/** Decoding is fatal so a corrupted message is an error, not text with U+FFFD in it. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function fail(code: WecomCryptoCode, message: string): never {
  throw new WecomCryptoError(code, message);
}

/**
 * WeCom callback security (WXBizMsgCrypt): SHA-1 msg_signature, AES-256-CBC with the key and IV from
 * the EncodingAESKey, plaintext random(16) || msg_len(4, BE) || msg || receiveId.
 *
 * Unlike @wecom/crypto, decryption refuses bad padding and a foreign receiveId, and the two request
 * entry points check the signature (in constant time) and the timestamp before decrypting anything.
 * Replay within the window is the caller's job: record (timestamp, nonce) of every accepted request
 * in the database and refuse a pair already seen.
 */
export class WecomCrypto {
  private readonly token: string;
  private readonly key: Buffer;
  private readonly iv: Buffer;
  private readonly receiveId: Buffer;

  constructor(options: WecomCryptoOptions) {
    if (!options.token) fail(WecomCryptoCode.ComputeSignature, 'token is empty');
    // The low bits of the 43rd character are dropped by the decoder; Tencent's own sample key has them set.
    if (!/^[A-Za-z0-9+/]{43}$/.test(options.encodingAesKey)) fail(WecomCryptoCode.IllegalAesKey, 'EncodingAESKey must be 43 base64 characters');
    this.token = options.token;
    this.key = Buffer.from(`${options.encodingAesKey}=`, 'base64');
    if (this.key.length !== 32) fail(WecomCryptoCode.IllegalAesKey, 'EncodingAESKey does not decode to 32 bytes');
    this.iv = this.key.subarray(0, 16);
    this.receiveId = Buffer.from(options.receiveId, 'utf8');
  }

  /** sha1 of the four strings sorted and joined; lowercase hex. */
  signature(timestamp: string, nonce: string, encrypt: string): string {
    return createHash('sha1').update([this.token, timestamp, nonce, encrypt].sort().join(''), 'utf8').digest('hex');
  }

  /** `random` is injectable so tests can reproduce Tencent's ciphertexts byte for byte. */
  encrypt(message: string, random: Buffer = randomBytes(RANDOM_BYTES)): string {
    if (random.length !== RANDOM_BYTES) fail(WecomCryptoCode.EncryptAES, 'random must be 16 bytes');
    const msg = Buffer.from(message, 'utf8');
    const msgLen = Buffer.alloc(4);
    msgLen.writeUInt32BE(msg.length);
    const body = Buffer.concat([random, msgLen, msg, this.receiveId]);
    const padLength = PAD_BLOCK - (body.length % PAD_BLOCK);
    const cipher = createCipheriv('aes-256-cbc', this.key, this.iv);
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(Buffer.concat([body, Buffer.alloc(padLength, padLength)])), cipher.final()]).toString('base64');
  }

  /**
   * Strict decryption. It tells bad padding from other faults, so call it only on a ciphertext whose
   * signature was checked (verifyUrl/openCallback do), or it becomes a padding oracle.
   */
  decrypt(encrypt: string): Decrypted {
    const data = Buffer.from(encrypt, 'base64');
    // Node's decoder skips junk silently; a canonical round trip is the strict check.
    if (data.toString('base64') !== encrypt) fail(WecomCryptoCode.DecodeBase64, 'ciphertext is not canonical base64');
    if (data.length === 0 || data.length % 16 !== 0) fail(WecomCryptoCode.DecryptAES, 'ciphertext length is not a positive multiple of 16');
    const decipher = createDecipheriv('aes-256-cbc', this.key, this.iv);
    decipher.setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(data), decipher.final()]);

    const pad = plain[plain.length - 1]!;
    if (pad < 1 || pad > PAD_BLOCK || pad > plain.length) fail(WecomCryptoCode.IllegalBuffer, `pad byte ${pad} is outside 1..32`);
    for (let i = plain.length - pad; i < plain.length; i++) {
      if (plain[i] !== pad) fail(WecomCryptoCode.IllegalBuffer, 'pad bytes differ');
    }
    const content = plain.subarray(0, plain.length - pad);
    if (content.length < HEADER_BYTES) fail(WecomCryptoCode.IllegalBuffer, 'plaintext shorter than random + msg_len');
    const msgLen = content.readUInt32BE(RANDOM_BYTES);
    if (msgLen > content.length - HEADER_BYTES) fail(WecomCryptoCode.IllegalBuffer, `msg_len ${msgLen} exceeds the plaintext`);
    const receiveId = content.subarray(HEADER_BYTES + msgLen);
    if (!receiveId.equals(this.receiveId)) fail(WecomCryptoCode.ValidateCorpid, 'receiveId does not match');
    let message = '';
    try {
      message = UTF8.decode(content.subarray(HEADER_BYTES, HEADER_BYTES + msgLen));
    } catch {
      fail(WecomCryptoCode.IllegalBuffer, 'message is not valid UTF-8');
    }
    return { message, receiveId: receiveId.toString('utf8'), random: Buffer.from(content.subarray(0, RANDOM_BYTES)) };
  }

  /**
   * GET URL verification. The answer must be the returned plaintext alone (no quotes, BOM or newline).
   * echostr must be URL-decoded exactly once: a `+` turned into a space fails the signature.
   */
  verifyUrl(query: UrlVerifyQuery, now: Date): string {
    const signature = single(query.msg_signature, 'msg_signature');
    const timestamp = single(query.timestamp, 'timestamp');
    const nonce = single(query.nonce, 'nonce');
    const echostr = single(query.echostr, 'echostr');
    this.checkRequest(signature, timestamp, nonce, echostr, now);
    return this.decrypt(echostr).message;
  }

  /** POST callback: checks the envelope's <Encrypt> and returns the decrypted inner XML. */
  openCallback(query: CallbackQuery, body: string, now: Date): string {
    const signature = single(query.msg_signature, 'msg_signature');
    const timestamp = single(query.timestamp, 'timestamp');
    const nonce = single(query.nonce, 'nonce');
    const encrypt = parseCallbackXml(body).Encrypt;
    if (!encrypt) fail(WecomCryptoCode.ParseXml, 'no <Encrypt> in the callback body');
    this.checkRequest(signature, timestamp, nonce, encrypt, now);
    return this.decrypt(encrypt).message;
  }

  /** The passive encrypted reply to a callback POST. */
  sealReply(message: string, timestamp: string, nonce: string, random?: Buffer): string {
    if (!/^\d{1,12}$/.test(timestamp)) fail(WecomCryptoCode.GenReturnXml, 'timestamp must be decimal seconds');
    if (!nonce || /[<>&\]]/.test(nonce)) fail(WecomCryptoCode.GenReturnXml, 'nonce must be non-empty plain text');
    const encrypt = this.encrypt(message, random);
    const signature = this.signature(timestamp, nonce, encrypt);
    return (
      `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt><MsgSignature><![CDATA[${signature}]]></MsgSignature>` +
      `<TimeStamp>${timestamp}</TimeStamp><Nonce><![CDATA[${nonce}]]></Nonce></xml>`
    );
  }

  /** Signature first (constant time), then the clock: a stale but genuine request is told apart from a forgery. */
  private checkRequest(signature: string, timestamp: string, nonce: string, encrypt: string, now: Date): void {
    const expected = Buffer.from(this.signature(timestamp, nonce, encrypt), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) fail(WecomCryptoCode.ValidateSignature, 'msg_signature mismatch');
    // Written so that NaN (bad timestamp or invalid `now`) is refused too.
    const inWindow = /^\d{1,12}$/.test(timestamp) && Math.abs(now.getTime() - Number(timestamp) * 1000) <= TIMESTAMP_WINDOW_MS;
    if (!inWindow) fail(WecomCryptoCode.StaleTimestamp, 'timestamp outside ±300 s');
  }
}

function single(value: QueryValue, name: string): string {
  if (typeof value !== 'string' || value === '') return fail(WecomCryptoCode.ValidateSignature, `${name} missing or repeated`);
  return value;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
/** Nested elements are parsed to be skipped; this bounds recursion on an unauthenticated body. */
const MAX_DEPTH = 8;

/**
 * The flat child elements of `<xml>…</xml>` (CDATA or text with the five predefined entities) as a
 * record. Elements with children (SelectedItems) are checked and skipped; attributes, duplicates,
 * other entities, mixed content and anything outside the root are refused with -40002.
 */
export function parseCallbackXml(xml: string): Record<string, string> {
  return new FlatXmlParser(xml).document();
}

class FlatXmlParser {
  private pos = 0;

  constructor(private readonly src: string) {}

  document(): Record<string, string> {
    this.skipMisc();
    if (this.src.startsWith('<?xml', this.pos)) {
      const end = this.src.indexOf('?>', this.pos);
      if (end < 0) this.error('unterminated XML declaration');
      this.pos = end + 2;
      this.skipMisc();
    }
    const fields = new Map<string, string>();
    const root = this.element(0, (name, text) => {
      if (fields.has(name)) this.error(`duplicate <${name}>`);
      if (text !== undefined) fields.set(name, text);
    });
    if (root.name !== 'xml') this.error(`root element is <${root.name}>, not <xml>`);
    this.skipMisc();
    if (this.pos !== this.src.length) this.error('content after </xml>');
    return Object.fromEntries(fields);
  }

  /**
   * One element at `pos`. Its text is returned when it has no child elements; children are reported
   * to `onChild` (only the root passes one). Text between children must be whitespace.
   */
  private element(depth: number, onChild?: (name: string, text: string | undefined) => void): { name: string; text: string | undefined } {
    if (depth > MAX_DEPTH) this.error('elements nested too deeply');
    this.expect('<');
    const name = this.name();
    this.skipSpace();
    if (this.eat('/>')) return { name, text: '' };
    this.expect('>');
    let text = '';
    let hasChildren = false;
    for (;;) {
      if (this.eat('<![CDATA[')) {
        const end = this.src.indexOf(']]>', this.pos);
        if (end < 0) this.error('unterminated CDATA');
        text += this.src.slice(this.pos, end);
        this.pos = end + 3;
      } else if (this.eat('</')) {
        if (this.name() !== name) this.error(`</…> does not close <${name}>`);
        this.skipSpace();
        this.expect('>');
        if (hasChildren && text.trim() !== '') this.error(`<${name}> mixes text and elements`);
        return { name, text: hasChildren ? undefined : text };
      } else if (this.src.startsWith('<!--', this.pos)) {
        this.skipComment();
      } else if (this.src.startsWith('<', this.pos)) {
        const child = this.element(depth + 1);
        hasChildren = true;
        onChild?.(child.name, child.text);
      } else {
        const next = this.src.indexOf('<', this.pos);
        if (next < 0) this.error(`<${name}> is not closed`);
        text += decodeEntities(this.src.slice(this.pos, next), this.error);
        this.pos = next;
      }
    }
  }

  private name(): string {
    const match = /[A-Za-z_][A-Za-z0-9_.-]*/y;
    match.lastIndex = this.pos;
    const found = match.exec(this.src);
    if (!found) this.error(`element name expected at ${this.pos}`);
    this.pos += found![0].length;
    return found![0];
  }

  private skipMisc(): void {
    for (;;) {
      this.skipSpace();
      if (!this.src.startsWith('<!--', this.pos)) return;
      this.skipComment();
    }
  }

  private skipComment(): void {
    const end = this.src.indexOf('-->', this.pos + 4);
    if (end < 0) this.error('unterminated comment');
    this.pos = end + 3;
  }

  private skipSpace(): void {
    while (this.pos < this.src.length && ' \t\r\n'.includes(this.src[this.pos]!)) this.pos++;
  }

  private eat(token: string): boolean {
    if (!this.src.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  private expect(token: string): void {
    if (!this.eat(token)) this.error(`"${token}" expected at ${this.pos}`);
  }

  private readonly error: (message: string) => never = (message) => fail(WecomCryptoCode.ParseXml, message);
}

function decodeEntities(text: string, error: (message: string) => never): string {
  return text.replace(/&(?:([a-z]+);)?/g, (whole, name: string | undefined) => {
    const char = name === undefined ? undefined : ENTITIES[name];
    return char ?? error(`unsupported entity ${whole}`);
  });
}
