import { createSign, type KeyObject } from 'node:crypto';

/**
 * A minimal X.509 v3 certificate (DER by hand, RSA-SHA256, self-signed) for the WeChat Pay stand-ins:
 * the sandbox and the test simulator serve their platform certificates from /v3/certificates as WeChat
 * Pay does, and Node's X509Certificate must read serial, validity and key from them. Node can parse a
 * certificate but not make one; this is the smallest encoder that does, with no package.
 */
const der = (tag: number, content: Buffer): Buffer => {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
};
const seq = (...items: Buffer[]) => der(0x30, Buffer.concat(items));
const oid = (dotted: string): Buffer => {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const v of rest) {
    const chunk = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) chunk.unshift((x & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
};
const integerHex = (hex: string): Buffer => {
  let bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return der(0x02, bytes);
};
/** UTCTime YYMMDDHHMMSSZ (years 1950–2049, which covers any test or demo). */
const utcTime = (d: Date): Buffer => der(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z', 'ascii'));
const name = (commonName: string): Buffer => seq(der(0x31, seq(oid('2.5.4.3'), der(0x0c, Buffer.from(commonName, 'utf8')))));
const SHA256_WITH_RSA = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));

/** A PEM certificate for `publicKey`, signed by `signingKey`, with this serial (hex) and validity. */
export function standInCertificate(options: { serialHex: string; publicKey: KeyObject; signingKey: KeyObject; notBefore: Date; notAfter: Date; commonName?: string }): string {
  const subject = name(options.commonName ?? 'Tenpay.com Root CA stand-in');
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))), // v3
    integerHex(options.serialHex),
    SHA256_WITH_RSA,
    subject,
    seq(utcTime(options.notBefore), utcTime(options.notAfter)),
    subject,
    options.publicKey.export({ format: 'der', type: 'spki' }),
  );
  const signature = createSign('RSA-SHA256').update(tbs).sign(options.signingKey);
  const cert = seq(tbs, SHA256_WITH_RSA, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return `-----BEGIN CERTIFICATE-----\n${cert.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}
