import {
  checkCallbackSign,
  hmacBase64UrlEncoded,
  robotSendUrl,
  robotSign,
  verifyCallbackSign,
} from '../../server/src/channels/dingtalk/dingtalk-sign';

// protocols.md §4.1: derived vector (Node and Python agree) for the doc's sample secret.
const TS = '1577262236757';
const SECRET = 'this is secret';
const SIGN_BASE64 = 'hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=';
const SIGN_ENCODED = 'hmPWwU%2B7lVdm3ZZz0r9tSfx0L4Q26jWOZr9%2BGs6EZQM%3D';
const MINUTE = 60_000;
const at = (offsetMs: number) => new Date(Number(TS) + offsetMs);

describe('DingTalk custom robot signing', () => {
  it('matches the derived vector', () => {
    expect(robotSign(TS, SECRET)).toBe(SIGN_ENCODED);
  });

  it('matches the official HMAC chain vector (免登 sample: the timestamp alone, key testappSecret)', () => {
    expect(hmacBase64UrlEncoded('testappSecret', '1546084445901')).toBe('HCbG3xNE3vzhO%2Bu7qCUL1jS5hsu2n5r2cFhnTrtyDAE%3D');
  });

  it('robotSign is that chain over timestamp + "\\n" + secret', () => {
    expect(robotSign(TS, SECRET)).toBe(hmacBase64UrlEncoded(SECRET, `${TS}\n${SECRET}`));
  });

  it('builds the send URL with a singly encoded sign', () => {
    const url = robotSendUrl('https://oapi.dingtalk.com/robot/send', 'abc123', SECRET, Number(TS));
    expect(url).toBe(`https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=${TS}&sign=${SIGN_ENCODED}`);
    const parsed = new URL(url).searchParams;
    expect(parsed.get('sign')).toBe(SIGN_BASE64);
    expect(parsed.get('timestamp')).toBe(TS);
  });

  it('truncates a fractional now to whole milliseconds', () => {
    expect(robotSendUrl('https://oapi.dingtalk.com/robot/send', 't', SECRET, Number(TS) + 0.9)).toContain(`timestamp=${TS}&sign=${SIGN_ENCODED}`);
  });
});

describe('DingTalk robot callback verification', () => {
  const good = { timestamp: TS, sign: SIGN_BASE64 };

  it('accepts a good header pair (plain base64 sign) within the hour, either side', () => {
    expect(verifyCallbackSign(good, SECRET, at(0))).toBe(true);
    expect(verifyCallbackSign(good, SECRET, at(60 * MINUTE))).toBe(true);
    expect(verifyCallbackSign(good, SECRET, at(-60 * MINUTE))).toBe(true);
    expect(checkCallbackSign(good, SECRET, at(5 * MINUTE))).toEqual({ ok: true });
  });

  it('refuses a forged sign', () => {
    const forged = { timestamp: TS, sign: 'i' + SIGN_BASE64.slice(1) };
    expect(verifyCallbackSign(forged, SECRET, at(0))).toBe(false);
    expect(checkCallbackSign(forged, SECRET, at(0))).toEqual({ ok: false, reason: 'bad-sign' });
    expect(checkCallbackSign(good, 'another secret', at(0))).toEqual({ ok: false, reason: 'bad-sign' });
    // The header carries plain base64; the URL-encoded form of the same sign is not accepted.
    expect(checkCallbackSign({ timestamp: TS, sign: SIGN_ENCODED }, SECRET, at(0))).toEqual({ ok: false, reason: 'bad-sign' });
    // A genuine sign moved onto another timestamp.
    expect(checkCallbackSign({ timestamp: String(Number(TS) + 1), sign: SIGN_BASE64 }, SECRET, at(0))).toEqual({ ok: false, reason: 'bad-sign' });
  });

  it('refuses a timestamp 61 minutes old, or 61 minutes ahead', () => {
    expect(verifyCallbackSign(good, SECRET, at(61 * MINUTE))).toBe(false);
    expect(checkCallbackSign(good, SECRET, at(61 * MINUTE))).toEqual({ ok: false, reason: 'stale' });
    expect(checkCallbackSign(good, SECRET, at(-61 * MINUTE))).toEqual({ ok: false, reason: 'stale' });
    expect(checkCallbackSign(good, SECRET, at(60 * MINUTE + 1))).toEqual({ ok: false, reason: 'stale' });
    expect(checkCallbackSign(good, SECRET, new Date(NaN))).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses a missing, empty or repeated header', () => {
    expect(verifyCallbackSign({ timestamp: TS }, SECRET, at(0))).toBe(false);
    expect(checkCallbackSign({ sign: SIGN_BASE64 }, SECRET, at(0))).toEqual({ ok: false, reason: 'missing' });
    expect(checkCallbackSign({ timestamp: TS, sign: '' }, SECRET, at(0))).toEqual({ ok: false, reason: 'missing' });
    expect(checkCallbackSign({ timestamp: [TS, TS], sign: SIGN_BASE64 }, SECRET, at(0))).toEqual({ ok: false, reason: 'missing' });
  });

  it('refuses a timestamp that is not decimal milliseconds', () => {
    for (const timestamp of ['1577262236.757', '0x16f3d4c8a55', ' 1577262236757', '1e12']) {
      expect(checkCallbackSign({ timestamp, sign: SIGN_BASE64 }, SECRET, at(0))).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('will not verify against an empty app secret', () => {
    expect(() => verifyCallbackSign(good, '', at(0))).toThrow('appSecret is empty');
  });
});
