import { X509Certificate } from 'node:crypto';
import type { Logger } from '../../logger';
import { AeadError, decryptAead, verifyResponse, type KeyRing, type NotifyHeaders, type PlatformCertificate, type PlatformKeys } from './wechatpay-crypto';

/**
 * WeChat Pay platform certificates (平台证书), downloaded and rotated (protocols.md §6.3):
 *
 *   GET /v3/certificates (signed like any request)  →  {"data":[{serial_no, effective_time, expire_time,
 *     encrypt_certificate:{algorithm:"AEAD_AES_256_GCM", nonce, associated_data, ciphertext}}]}
 *
 * Each certificate is decrypted with the APIv3 key (tag and AAD checked: `decryptAead`, not the package's
 * `decipher_gcm`, which skips the tag), parsed, its serial compared with `serial_no`; its validity is the
 * narrower of the certificate's and the answer's times. Then the answer itself must be signed by a key
 * WeChat Pay owns: one we already trust, or one of the certificates it carries (the bootstrap rule of
 * the official SDKs: only the holder of the APIv3 key could have encrypted them). Any fault refuses the
 * whole answer and changes nothing. What passes is added to the ring; nothing is removed for being absent
 * from a later answer: an old certificate stays usable until it expires, so a rotation has no gap.
 *
 * `wechatpay-node-v3` has `fetchCertificates`, but its host is hard-coded, it skips the GCM tag, never
 * verifies the answer's signature nor the serial, ignores expiry and keeps the result in a static map
 * shared by every instance; only its request signing (via WechatPayClient) is used here.
 */
export interface CertificatesAnswer {
  status: number;
  body: string;
  headers: NotifyHeaders;
}

export type CertificateRefusal = 'http' | 'bad_body' | 'decrypt' | 'serial_mismatch' | 'bad_signature';

export class CertificateDownloadError extends Error {
  constructor(
    readonly reason: CertificateRefusal,
    detail: string,
  ) {
    super(`wechatpay certificates refused (${reason}): ${detail}`);
    this.name = 'CertificateDownloadError';
  }
}

interface EncryptedCertificate {
  serial_no?: unknown;
  effective_time?: unknown;
  expire_time?: unknown;
  encrypt_certificate?: { algorithm?: unknown; nonce?: unknown; associated_data?: unknown; ciphertext?: unknown };
}

const epochSeconds = (text: unknown): number | null => (typeof text === 'string' && !Number.isNaN(Date.parse(text)) ? Math.floor(Date.parse(text) / 1000) : null);
const narrower = (a: number | null, b: number | null, pick: (x: number, y: number) => number): number | null => (a === null ? b : b === null ? a : pick(a, b));

/** The certificates an answer of /v3/certificates carries, once every check passed; throws `CertificateDownloadError`. */
export function readCertificatesAnswer(answer: CertificatesAnswer, apiV3Key: string, trusted: PlatformKeys, nowSeconds: number, maxSkewSeconds: number): PlatformCertificate[] {
  if (answer.status !== 200) throw new CertificateDownloadError('http', `HTTP ${answer.status}`);
  let data: EncryptedCertificate[];
  try {
    const parsed = JSON.parse(answer.body) as { data?: unknown };
    if (!Array.isArray(parsed?.data) || parsed.data.length === 0) throw new Error('no data');
    data = parsed.data as EncryptedCertificate[];
  } catch {
    throw new CertificateDownloadError('bad_body', 'not {"data":[…]}');
  }
  const certificates: PlatformCertificate[] = [];
  for (const item of data) {
    const e = item?.encrypt_certificate;
    if (typeof item?.serial_no !== 'string' || !e || e.algorithm !== 'AEAD_AES_256_GCM' || typeof e.nonce !== 'string' || typeof e.ciphertext !== 'string') {
      throw new CertificateDownloadError('bad_body', 'an entry without serial_no or encrypt_certificate');
    }
    let pem: string;
    try {
      pem = decryptAead(apiV3Key, e.nonce, typeof e.associated_data === 'string' ? e.associated_data : '', e.ciphertext);
    } catch (error) {
      throw new CertificateDownloadError('decrypt', error instanceof AeadError ? error.message : 'decrypt failed');
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      throw new CertificateDownloadError('bad_body', `certificate ${item.serial_no} is not X.509`);
    }
    const serial = cert.serialNumber.toUpperCase();
    if (serial !== item.serial_no.toUpperCase()) throw new CertificateDownloadError('serial_mismatch', `serial_no ${item.serial_no}, certificate ${serial}`);
    certificates.push({
      serial,
      key: cert.publicKey,
      notBefore: narrower(epochSeconds(cert.validFrom), epochSeconds(item.effective_time), Math.max),
      notAfter: narrower(epochSeconds(cert.validTo), epochSeconds(item.expire_time), Math.min),
    });
  }
  // signed by a key we trust, or by one of the certificates just decrypted
  const carried: PlatformKeys = {
    keyFor: (serial, now) => {
      const c = certificates.find((x) => x.serial === serial.toUpperCase());
      if (c && (c.notBefore === null || now >= c.notBefore) && (c.notAfter === null || now < c.notAfter)) return c.key;
      return trusted.keyFor(serial, now);
    },
  };
  if (!verifyResponse(answer.headers, answer.body, carried, nowSeconds, maxSkewSeconds)) {
    throw new CertificateDownloadError('bad_signature', `Wechatpay-Serial ${answer.headers.serial ?? '(none)'}`);
  }
  return certificates;
}

export interface CertificateStoreOptions {
  apiV3Key: string;
  nowSeconds: () => number;
  /** policy payments.certificateRefreshMinutes, in seconds */
  refreshSeconds: number;
  /** policy payments.certificateFetchGapSeconds: an unknown serial fetches no sooner than this after the last fetch */
  fetchGapSeconds: number;
  maxSkewSeconds: number;
  logger?: Logger;
}

export interface RefreshResult {
  added: string[];
  dropped: string[];
  serials: string[];
}

/**
 * One server's platform certificates: the ring it verifies with, refreshed on a timer (`start`), when
 * the last refresh is older than the policy's interval (`refreshIfDue`, on each notification), and when a
 * signature names a serial the ring does not know (`ensure`: one fetch, shared by everyone waiting; still
 * unknown after it → the caller refuses). A failed download leaves the ring as it was.
 */
export class PlatformCertificateStore {
  private inFlight: Promise<RefreshResult> | null = null;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastSuccessAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** downloads made (tests and the status read it) */
  fetches = 0;

  constructor(
    readonly ring: KeyRing,
    private readonly fetchAnswer: () => Promise<CertificatesAnswer>,
    private readonly options: CertificateStoreOptions,
  ) {}

  /** Downloads now (joining one already under way); throws when the answer is refused or unreachable. */
  refresh(): Promise<RefreshResult> {
    this.inFlight ??= this.download().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async download(): Promise<RefreshResult> {
    const { nowSeconds, apiV3Key, maxSkewSeconds, logger } = this.options;
    this.lastAttemptAt = nowSeconds();
    this.fetches++;
    const answer = await this.fetchAnswer();
    const now = nowSeconds();
    const certificates = readCertificatesAnswer(answer, apiV3Key, this.ring, now, maxSkewSeconds);
    const added: string[] = [];
    for (const c of certificates) {
      if (c.notAfter !== null && now >= c.notAfter) continue; // listed but already expired: never used
      if (!this.ring.certificates.has(c.serial)) added.push(c.serial);
      this.ring.add(c);
    }
    const dropped = this.ring.prune(now);
    this.lastSuccessAt = now;
    const serials = [...this.ring.certificates.keys()];
    if (added.length || dropped.length) logger?.info({ added, dropped, serials }, 'wechatpay platform certificates updated');
    return { added, dropped, serials };
  }

  /** Makes sure `serial` is known if WeChat Pay knows it: one download when it is not (not within the fetch gap of the last). */
  async ensure(serial: string): Promise<void> {
    const now = this.options.nowSeconds();
    if (serial.startsWith('PUB_KEY_ID_') || this.ring.keyFor(serial, now)) return;
    if (!this.inFlight && now - this.lastAttemptAt < this.options.fetchGapSeconds) return;
    try {
      await this.refresh();
    } catch (error) {
      this.options.logger?.warn({ err: (error as Error).message, serial }, 'wechatpay certificates download for an unknown serial failed');
    }
  }

  /** A download in the background when the last good one is older than the refresh interval. */
  refreshIfDue(): void {
    const now = this.options.nowSeconds();
    if (this.inFlight || now - this.lastAttemptAt < this.options.fetchGapSeconds) return;
    if (this.lastSuccessAt !== null && now - this.lastSuccessAt < this.options.refreshSeconds) return;
    this.refresh().catch((error: unknown) => this.options.logger?.warn({ err: (error as Error).message }, 'wechatpay certificates refresh failed; the current ones stay'));
  }

  /** Every server: a download now and every refresh interval (the timer does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    const tick = () => this.refresh().catch((error: unknown) => this.options.logger?.warn({ err: (error as Error).message }, 'wechatpay certificates refresh failed; the current ones stay'));
    void tick();
    this.timer = setInterval(tick, this.options.refreshSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
