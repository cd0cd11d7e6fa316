import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createDecipheriv } from 'node:crypto';
import Pay from 'wechatpay-node-v3';
import { readEnv } from '../../server/src/config/env';
import {
  decryptAead, encryptAead, NotifyVerifyError, requestMessage, signSha256WithRsa, verifyNotification,
} from '../../server/src/channels/wechatpay/wechatpay-crypto';
import { loadPlatformKeys, WechatPayApiError, WechatPayClient } from '../../server/src/channels/wechatpay/wechatpay.client';
import { PlatformCertificateStore } from '../../server/src/channels/wechatpay/platform-certificates';
import { WechatPaySimulator } from '../simulators/wechatpay-sim';

// protocols.md §6.2 / §9: the official wechatpay-go test key (header TESTING KEY → PRIVATE KEY) and its signature of "source".
const TEST_KEY = readFileSync(path.join(__dirname, '../fixtures/wechatpay/wechatpay-go-test-key.pem'), 'utf8');
const SOURCE_SIGNATURE =
  'BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz+pp4hAm6pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLli/K8V29QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/L+hdwfLpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg==';

describe('WeChat Pay request signing (published vector)', () => {
  it('RSA-SHA256 of "source" with the wechatpay-go test key is the published signature, byte for byte', () => {
    expect(signSha256WithRsa(TEST_KEY, 'source')).toBe(SOURCE_SIGNATURE);
  });

  it('the string to sign for the doc example GET /v3/certificates ends in an empty body line', () => {
    expect(requestMessage('GET', '/v3/certificates', 1554208460, '593BEC0C930BF1AFEB40B4A08C8FB242', '')).toBe('GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n');
  });

  it('wechatpay-node-v3 signs GET and POST-with-body exactly like the documented string; a POST without body it signs wrong, so the client signs that one itself', () => {
    const pay = new Pay({ appid: 'wx', mchid: '1900009191', publicKey: Buffer.from('x'), privateKey: Buffer.from(TEST_KEY), serial_no: 'SERIAL' });
    const body = '{"mchid":"1900009191"}';
    expect(pay.getSignature('GET', 'N', '1554208460', '/v3/certificates')).toBe(signSha256WithRsa(TEST_KEY, requestMessage('GET', '/v3/certificates', 1554208460, 'N', '')));
    expect(pay.getSignature('POST', 'N', '1554208460', '/v3/x', body)).toBe(signSha256WithRsa(TEST_KEY, requestMessage('POST', '/v3/x', 1554208460, 'N', body)));
    expect(pay.getSignature('POST', 'N', '1554208460', '/v3/x', '')).not.toBe(signSha256WithRsa(TEST_KEY, requestMessage('POST', '/v3/x', 1554208460, 'N', '')));
    const env = { mchId: '1900009191', appId: 'wx', apiV3Key: 'k'.repeat(32), serial: 'SERIAL', privateKeyPath: '', platformKeyPath: undefined, platformSerial: undefined, publicKeyId: undefined, publicKeyPath: undefined, apiBase: '' };
    const client = new WechatPayClient(env, undefined, TEST_KEY, () => 1554208460);
    const header = client.authorization('POST', '/v3/x', '', 'N');
    expect(header).toContain(`signature="${signSha256WithRsa(TEST_KEY, 'POST\n/v3/x\n1554208460\nN\n\n')}"`);
    expect(header).toMatch(/^WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="N",timestamp="1554208460",serial_no="SERIAL",signature="/);
  });
});

describe('AEAD_AES_256_GCM (published and derived vectors)', () => {
  it('official wechatpay-go vector (16-byte key: AES-128-GCM) decrypts to Hello World', () => {
    expect(decryptAead('testAPIv3Key0000', 'wCq51qZv4Yfg', 'Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8', 'FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC')).toBe('Hello World');
  });

  it('derived AES-256 vector: decrypts, and encrypting gives the same bytes back', () => {
    const ct = 'f5i1xhpfgusUhYvXrQXj+xu8hBxR+eDcv32jEaFHTypZe4upaY6rd89NPya+lz7vOIUdcBu7rq+YdyMKf9dtT2MXDWQocbWkTuM71fhFPOatYefhEoVx';
    const plain = '{"out_trade_no":"1217752501201407033233368018","trade_state":"SUCCESS"}';
    expect(decryptAead('0123456789abcdef0123456789abcdef', 'wCq51qZv4Yfg', 'transaction', ct)).toBe(plain);
    expect(encryptAead('0123456789abcdef0123456789abcdef', 'wCq51qZv4Yfg', 'transaction', plain)).toBe(ct);
  });

  it('a flipped last byte (the tag) or another AAD throws — where wechatpay-node-v3 2.2.1 returns plaintext', () => {
    const raw = Buffer.from('FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC', 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => decryptAead('testAPIv3Key0000', 'wCq51qZv4Yfg', 'Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8', raw.toString('base64'))).toThrow('GCM tag check failed');
    expect(() => decryptAead('testAPIv3Key0000', 'wCq51qZv4Yfg', 'other', 'FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC')).toThrow('GCM tag check failed');
    // the package's way (no final()) hands the tampered text back: why we do not use it
    const d = createDecipheriv('aes-128-gcm', Buffer.from('testAPIv3Key0000'), Buffer.from('wCq51qZv4Yfg'));
    d.setAuthTag(raw.subarray(raw.length - 16));
    d.setAAD(Buffer.from('Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8'));
    expect(d.update(raw.subarray(0, raw.length - 16)).toString()).toBe('Hello World');
  });
});

describe('notification verification and the client against the simulator', () => {
  let sim: WechatPaySimulator;
  beforeAll(async () => {
    sim = await new WechatPaySimulator().start();
  });
  afterAll(() => sim.stop());

  const keysOf = (mode: 'platform' | 'publicKey' | 'both') => loadPlatformKeys(readEnv({ ...sim.env(mode) }).wechatPay!);
  const headersOf = (h: Record<string, string>) => ({ serial: h['Wechatpay-Serial'], signature: h['Wechatpay-Signature'], timestamp: h['Wechatpay-Timestamp'], nonce: h['Wechatpay-Nonce'] });
  const now = () => Math.floor(Date.now() / 1000);

  it('verifies platform-certificate and public-key signatures by Wechatpay-Serial; each refusal says why', async () => {
    const client = new WechatPayClient(readEnv(sim.env()).wechatPay!);
    await client.nativeOrder({ outTradeNo: 'VERIFY0001', description: '回款', amountFen: 12_345, notifyUrl: 'https://anchor.example/api/v1/channels/wechatpay/notify', timeExpire: '2026-12-10T10:00:00+08:00' });
    sim.notify = false;
    sim.pay('VERIFY0001');
    const both = keysOf('both');
    for (const mode of ['platform', 'publicKey'] as const) {
      const n = sim.notification('VERIFY0001', { mode });
      const env = verifyNotification(headersOf(n.headers), n.body, both, now(), 300);
      expect(JSON.parse(decryptAead(sim.apiV3Key, env.resource.nonce, env.resource.associated_data ?? '', env.resource.ciphertext))).toMatchObject({ out_trade_no: 'VERIFY0001', trade_state: 'SUCCESS', amount: { total: 12_345 } });
    }
    const reason = (f: () => unknown) => {
      try {
        f();
        return 'accepted';
      } catch (e) {
        return (e as NotifyVerifyError).reason;
      }
    };
    const n = sim.notification('VERIFY0001', { mode: 'publicKey' });
    expect(reason(() => verifyNotification(headersOf(n.headers), n.body, keysOf('platform'), now(), 300))).toBe('unknown_serial');
    expect(reason(() => verifyNotification(headersOf(n.headers), n.body.replace('支付成功', '支付成功 '), both, now(), 300))).toBe('bad_signature');
    expect(reason(() => verifyNotification({ ...headersOf(n.headers), signature: `WECHATPAY/SIGNTEST/${n.headers['Wechatpay-Signature']}` }, n.body, both, now(), 300))).toBe('signature_probe');
    expect(reason(() => verifyNotification(headersOf(n.headers), n.body, both, now() + 301, 300))).toBe('stale_timestamp');
    expect(reason(() => verifyNotification(headersOf(n.headers), n.body, both, now() + 299, 300))).toBe('accepted');
    expect(reason(() => verifyNotification({ ...headersOf(n.headers), serial: sim.platformSerial }, n.body, both, now(), 300))).toBe('bad_signature');
    sim.notify = true;
  });

  it('Native order: signed request accepted, same parameters reuse the code_url, other parameters 403; query and close', async () => {
    const client = new WechatPayClient(readEnv(sim.env()).wechatPay!);
    const input = { outTradeNo: 'ORDER00001', description: '回款 第1期', amountFen: 50_000, notifyUrl: 'https://anchor.example/api/v1/channels/wechatpay/notify', timeExpire: '2026-12-10T10:00:00+08:00' };
    const first = await client.nativeOrder(input);
    expect(first.codeUrl).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
    expect((await client.nativeOrder(input)).codeUrl).toBe(first.codeUrl);
    await expect(client.nativeOrder({ ...input, amountFen: 50_001 })).rejects.toMatchObject({ status: 403, code: 'OUT_TRADE_NO_USED' });
    expect(await client.query('ORDER00001')).toMatchObject({ out_trade_no: 'ORDER00001', trade_state: 'NOTPAY', amount: { total: 50_000 } });
    expect(await client.query('NOSUCHORDER1')).toBeNull();
    await client.close('ORDER00001');
    expect((await client.query('ORDER00001'))?.trade_state).toBe('CLOSED');
  });

  it("answers are believed only with WeChat Pay's signature: another key's answer is refused after the retries", async () => {
    const env = readEnv(sim.env()).wechatPay!;
    const nowS = () => Math.floor(Date.now() / 1000);
    const trusting = new WechatPayClient(env, { attempts: 2, baseDelayMs: 1, timeoutMs: 2000 }, undefined, nowS, loadPlatformKeys(env));
    const input = { outTradeNo: 'SIGNEDANS1', description: 'x', amountFen: 1, notifyUrl: 'https://a.example/n', timeExpire: '2026-12-10T10:00:00+08:00' };
    expect((await trusting.nativeOrder(input)).codeUrl).toMatch(/^weixin:/);
    const other = new WechatPaySimulator();
    const wrongKeys = loadPlatformKeys(readEnv(other.env()).wechatPay!);
    const suspicious = new WechatPayClient(env, { attempts: 2, baseDelayMs: 1, timeoutMs: 2000 }, undefined, nowS, wrongKeys);
    await expect(suspicious.nativeOrder(input)).rejects.toThrow('without a valid WeChat Pay signature');
  });

  it('a request signed with another key is refused 401 SIGN_ERROR; 5xx is retried', async () => {
    const other = new WechatPaySimulator();
    const client = new WechatPayClient({ ...readEnv(other.env()).wechatPay!, apiBase: sim.url });
    await expect(client.nativeOrder({ outTradeNo: 'ORDER00002', description: 'x', amountFen: 1, notifyUrl: 'https://a.example/n', timeExpire: '2026-12-10T10:00:00+08:00' })).rejects.toBeInstanceOf(WechatPayApiError);
    const good = new WechatPayClient(readEnv(sim.env()).wechatPay!, { attempts: 3, baseDelayMs: 1, timeoutMs: 2000 });
    sim.failNext('/v3/pay/transactions/native', 'http500', 2);
    expect((await good.nativeOrder({ outTradeNo: 'ORDER00003', description: 'x', amountFen: 1, notifyUrl: 'https://a.example/n', timeExpire: '2026-12-10T10:00:00+08:00' })).codeUrl).toMatch(/^weixin:/);
  });
});

// Platform certificates (平台证书): GET /v3/certificates signed, each certificate decrypted with the APIv3 key,
// kept by serial with its validity; WeChat Pay rotates, the old one keeps verifying until it expires.
describe('platform certificates: download and rotation', () => {
  const T0 = Date.parse('2026-12-01T02:00:00Z') / 1000;
  let sim: WechatPaySimulator;
  let nowS = T0;
  let store: PlatformCertificateStore;
  let client: WechatPayClient;
  const fetches = () => sim.server.count('/v3/certificates');
  const verdict = (serial?: string, namedSerial?: string) => {
    const n = sim.notification('CERTORDER1', { mode: 'platform', serial });
    const headers = { serial: namedSerial ?? n.headers['Wechatpay-Serial'], signature: n.headers['Wechatpay-Signature'], timestamp: n.headers['Wechatpay-Timestamp'], nonce: n.headers['Wechatpay-Nonce'] };
    return { headers, check: () => verifyNotification(headers, n.body, store.ring, nowS, 300) };
  };
  /** what the notify route does: verify; on an unknown serial, one download, then verify again */
  const accept = async (serial?: string, namedSerial?: string): Promise<string> => {
    const { headers, check } = verdict(serial, namedSerial);
    try {
      check();
      return 'accepted';
    } catch (error) {
      if ((error as NotifyVerifyError).reason !== 'unknown_serial') return (error as NotifyVerifyError).reason;
      await store.ensure(headers.serial!);
      try {
        check();
        return 'accepted';
      } catch (again) {
        return (again as NotifyVerifyError).reason;
      }
    }
  };

  beforeAll(async () => {
    sim = await new WechatPaySimulator().start();
    sim.now = () => nowS * 1000;
    const env = readEnv(sim.env('platform')).wechatPay!;
    const keys = loadPlatformKeys(env);
    client = new WechatPayClient(env, { attempts: 2, baseDelayMs: 1, timeoutMs: 15_000 }, undefined, () => nowS, keys);
    store = new PlatformCertificateStore(keys, () => client.certificates(), { apiV3Key: env.apiV3Key, nowSeconds: () => nowS, refreshSeconds: 12 * 3600, fetchGapSeconds: 60, maxSkewSeconds: 300 });
    client.onUnknownSerial = (serial) => store.ensure(serial);
    await client.nativeOrder({ outTradeNo: 'CERTORDER1', description: '回款', amountFen: 100, notifyUrl: 'https://a.example/n', timeExpire: '2026-12-10T10:00:00+08:00' });
    sim.notify = false;
    sim.pay('CERTORDER1');
  });
  afterAll(() => sim.stop());

  it('rotation mid-stream: a new serial is fetched once and verifies alongside the old; an expired certificate is never used, even while still listed', async () => {
    expect(await store.refresh()).toMatchObject({ added: [], serials: [sim.platformSerial] }); // the file's certificate, now confirmed
    const old = sim.platformSerial;
    nowS += 120;
    const next = sim.rotateCertificate({ notBefore: new Date((nowS - 60) * 1000), notAfter: new Date((nowS + 2 * 3600) * 1000) });
    const before = fetches();
    // notifications interleave: the new serial, the old, the new again — one download for all of them
    expect(await accept(next.serial)).toBe('accepted');
    expect(await accept(old)).toBe('accepted');
    expect(await accept(next.serial)).toBe('accepted');
    expect(fetches()).toBe(before + 1);
    expect([...store.ring.certificates.keys()].sort()).toEqual([old, next.serial].sort());
    // answers of the merchant API signed by the new certificate are believed too
    expect((await client.query('CERTORDER1'))?.trade_state).toBe('SUCCESS');

    // WeChat Pay rotates again; the middle certificate expires (still listed for a while): a notification
    // naming it is refused — after one look, which brings the newest — and it is dropped
    const newest = sim.rotateCertificate();
    nowS += 3 * 3600;
    expect(await accept(next.serial)).toBe('unknown_serial');
    expect(fetches()).toBe(before + 2);
    expect(store.ring.keyFor(next.serial, nowS)).toBeUndefined();
    expect([...store.ring.certificates.keys()]).toEqual([old, newest.serial]);
    expect(await accept(old)).toBe('accepted');
    expect(await accept(newest.serial)).toBe('accepted');
    expect(fetches()).toBe(before + 2);
  });

  it('an unknown serial fetches once, then is refused; another within the fetch gap does not fetch at all', async () => {
    nowS += 120;
    const stranger = sim.issueCertificate();
    sim.withdraw(stranger.serial); // signs, but WeChat Pay does not list it: not WeChat Pay's
    const before = fetches();
    expect(await accept(stranger.serial)).toBe('unknown_serial');
    expect(fetches()).toBe(before + 1);
    expect(await accept(stranger.serial)).toBe('unknown_serial');
    expect(await accept(stranger.serial, '7A'.repeat(20))).toBe('unknown_serial');
    expect(fetches()).toBe(before + 1);
  });

  it('an answer whose signature does not hold, signed by a stranger, or with a certificate that does not decrypt changes nothing', async () => {
    nowS += 120;
    const next = sim.rotateCertificate();
    for (const [mode, reason] of [['badSignature', 'bad_signature'], ['wrongKey', 'bad_signature'], ['badCiphertext', 'decrypt']] as const) {
      sim.certificatesMode = mode;
      await expect(store.refresh()).rejects.toMatchObject({ reason });
      expect(store.ring.keyFor(next.serial, nowS)).toBeUndefined();
    }
    expect(await accept(next.serial)).toBe('unknown_serial');
    sim.certificatesMode = 'ok';
    nowS += 120;
    expect(await accept(next.serial)).toBe('accepted');
  });

  it('refreshes on the policy interval: not before it, once after it', async () => {
    const before = fetches();
    nowS += 3600;
    store.refreshIfDue();
    expect(fetches()).toBe(before);
    nowS += 12 * 3600;
    store.refreshIfDue();
    store.refreshIfDue();
    await store.refresh(); // joins the download under way
    expect(fetches()).toBe(before + 1);
  });
});
