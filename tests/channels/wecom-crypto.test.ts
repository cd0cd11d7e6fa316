import { createCipheriv } from 'node:crypto';
import { parse as parseQuery } from 'node:querystring';
import {
  parseCallbackXml,
  WecomCrypto,
  WecomCryptoCode,
  WecomCryptoError,
} from '../../server/src/channels/wecom/wecom-crypto';

// Tencent's sample (sbzhu/weworkapi_python callback/Sample.py), protocols.md §3.2 vector A.
const TOKEN = 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo';
const AES_KEY = '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt';
const CORP_ID = 'ww1436e0e65a779aee';

const A1 = {
  timestamp: '1476416373',
  nonce: '47744683',
  echostr: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==',
  signature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb',
};
const A2 = {
  timestamp: '1476422779',
  nonce: '1597212914',
  encrypt:
    'Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+',
  signature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e',
  message:
    '<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime>' +
    '<MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>',
};
const a2Body = (encrypt: string) =>
  `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`;
const at = (timestamp: string, offsetSeconds = 0) => new Date((Number(timestamp) + offsetSeconds) * 1000);

const wecom = new WecomCrypto({ token: TOKEN, encodingAesKey: AES_KEY, receiveId: CORP_ID });
const KEY = Buffer.from(`${AES_KEY}=`, 'base64');

/** AES-256-CBC over raw blocks, no padding of ours: lets a test choose every plaintext byte. */
function encryptRaw(plain: Buffer): string {
  const cipher = createCipheriv('aes-256-cbc', KEY, KEY.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}
/** random(16) || msg_len || msg || receiveId, unpadded; msg_len may lie. */
function plaintext(message: string, receiveId = CORP_ID, msgLen = Buffer.byteLength(message)): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msgLen);
  return Buffer.concat([Buffer.from('0123456789abcdef'), len, Buffer.from(message), Buffer.from(receiveId)]);
}

function codeOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof WecomCryptoError) return error.code;
    throw error;
  }
  return undefined;
}

describe('WeCom vector A1 (URL verification)', () => {
  it('signs, decrypts, and yields receiveId and random', () => {
    expect(wecom.signature(A1.timestamp, A1.nonce, A1.echostr)).toBe(A1.signature);
    const out = wecom.decrypt(A1.echostr);
    expect(out.message).toBe('1288432023552776189');
    expect(out.receiveId).toBe(CORP_ID);
    expect(out.random).toEqual(Buffer.from('8908d0ff052afda0', 'ascii'));
  });

  it('verifyUrl answers the bare echostr plaintext', () => {
    const query = { msg_signature: A1.signature, timestamp: A1.timestamp, nonce: A1.nonce, echostr: A1.echostr };
    expect(wecom.verifyUrl(query, at(A1.timestamp))).toBe('1288432023552776189');
  });

  it('works from a URL-encoded query string, and refuses one where + became a space', () => {
    const raw = `msg_signature=${A1.signature}&timestamp=${A1.timestamp}&nonce=${A1.nonce}&echostr=`;
    expect(wecom.verifyUrl(parseQuery(raw + encodeURIComponent(A1.echostr)), at(A1.timestamp))).toBe('1288432023552776189');
    expect(codeOf(() => wecom.verifyUrl(parseQuery(raw + A1.echostr), at(A1.timestamp)))).toBe(WecomCryptoCode.ValidateSignature);
  });
});

describe('WeCom vector A2 (POST message)', () => {
  it('signs and decrypts byte for byte', () => {
    expect(wecom.signature(A2.timestamp, A2.nonce, A2.encrypt)).toBe(A2.signature);
    const out = wecom.decrypt(A2.encrypt);
    expect(out.message).toBe(A2.message);
    expect(out.receiveId).toBe(CORP_ID);
    expect(out.random).toEqual(Buffer.from('694ce5a83ae07fe3', 'ascii'));
  });

  it('re-encrypting with the same random reproduces the Encrypt string exactly', () => {
    expect(wecom.encrypt(A2.message, Buffer.from('694ce5a83ae07fe3', 'ascii'))).toBe(A2.encrypt);
  });

  it('openCallback returns the inner XML', () => {
    const query = { msg_signature: A2.signature, timestamp: A2.timestamp, nonce: A2.nonce };
    const inner = wecom.openCallback(query, a2Body(A2.encrypt), at(A2.timestamp));
    expect(inner).toBe(A2.message);
    expect(parseCallbackXml(inner).Content).toBe('你好');
  });

  it('openCallback also takes <Encrypt> without CDATA', () => {
    const body = `<xml><ToUserName>${CORP_ID}</ToUserName><Encrypt>${A2.encrypt}</Encrypt><AgentID>1000002</AgentID></xml>`;
    const query = { msg_signature: A2.signature, timestamp: A2.timestamp, nonce: A2.nonce };
    expect(wecom.openCallback(query, body, at(A2.timestamp))).toBe(A2.message);
  });
});

describe('WeCom forgeries', () => {
  const a1Query = { msg_signature: A1.signature, timestamp: A1.timestamp, nonce: A1.nonce, echostr: A1.echostr };
  const a2Query = { msg_signature: A2.signature, timestamp: A2.timestamp, nonce: A2.nonce };

  it('refuses a signature with one hex character changed, or missing, or repeated', () => {
    const forged = A1.signature.slice(0, -1) + (A1.signature.endsWith('b') ? 'c' : 'b');
    expect(codeOf(() => wecom.verifyUrl({ ...a1Query, msg_signature: forged }, at(A1.timestamp)))).toBe(WecomCryptoCode.ValidateSignature);
    const forgedA2 = 'd' + A2.signature.slice(1);
    expect(codeOf(() => wecom.openCallback({ ...a2Query, msg_signature: forgedA2 }, a2Body(A2.encrypt), at(A2.timestamp)))).toBe(
      WecomCryptoCode.ValidateSignature,
    );
    expect(codeOf(() => wecom.verifyUrl({ ...a1Query, msg_signature: A1.signature.toUpperCase() }, at(A1.timestamp)))).toBe(
      WecomCryptoCode.ValidateSignature,
    );
    expect(codeOf(() => wecom.verifyUrl({ ...a1Query, msg_signature: undefined }, at(A1.timestamp)))).toBe(WecomCryptoCode.ValidateSignature);
    expect(codeOf(() => wecom.verifyUrl({ ...a1Query, nonce: [A1.nonce, A1.nonce] }, at(A1.timestamp)))).toBe(WecomCryptoCode.ValidateSignature);
  });

  it('refuses a ciphertext signed over a different Encrypt than the body carries', () => {
    const other = wecom.encrypt('<xml/>');
    expect(codeOf(() => wecom.openCallback(a2Query, a2Body(other), at(A2.timestamp)))).toBe(WecomCryptoCode.ValidateSignature);
  });

  it('refuses a foreign receiveId, either way round', () => {
    const otherCorp = new WecomCrypto({ token: TOKEN, encodingAesKey: AES_KEY, receiveId: 'ww0000000000000000' });
    expect(codeOf(() => otherCorp.decrypt(A2.encrypt))).toBe(WecomCryptoCode.ValidateCorpid);
    expect(codeOf(() => otherCorp.openCallback(a2Query, a2Body(A2.encrypt), at(A2.timestamp)))).toBe(WecomCryptoCode.ValidateCorpid);
    const fromOther = otherCorp.encrypt(A2.message);
    expect(codeOf(() => wecom.decrypt(fromOther))).toBe(WecomCryptoCode.ValidateCorpid);
    // The right id plus one byte is not the right id (41 bytes + 23 of padding).
    expect(codeOf(() => wecom.decrypt(encryptRaw(Buffer.concat([plaintext('hi', CORP_ID + 'x'), Buffer.alloc(23, 23)]))))).toBe(
      WecomCryptoCode.ValidateCorpid,
    );
  });

  describe('padding', () => {
    const body = plaintext('hello'); // 16 + 4 + 5 + 18 = 43 bytes; 21 bytes of padding reach 64
    const padded = (tail: Buffer) => encryptRaw(Buffer.concat([body, tail]));

    it('accepts correct 32-byte PKCS#7 (control)', () => {
      expect(body.length).toBe(43);
      expect(wecom.decrypt(padded(Buffer.alloc(21, 21))).message).toBe('hello');
      expect(wecom.encrypt('hello', Buffer.from('0123456789abcdef'))).toBe(padded(Buffer.alloc(21, 21)));
    });

    it('refuses pad byte 0', () => {
      expect(codeOf(() => wecom.decrypt(padded(Buffer.alloc(21, 0))))).toBe(WecomCryptoCode.IllegalBuffer);
    });

    it('refuses pad byte 33', () => {
      expect(codeOf(() => wecom.decrypt(padded(Buffer.alloc(21, 33))))).toBe(WecomCryptoCode.IllegalBuffer);
      // A full extra block of 33s as well, so 33 would fit in the buffer.
      expect(codeOf(() => wecom.decrypt(padded(Buffer.alloc(37, 33))))).toBe(WecomCryptoCode.IllegalBuffer);
    });

    it('refuses inconsistent pad bytes', () => {
      const tail = Buffer.alloc(21, 21);
      tail[3] = 20;
      expect(codeOf(() => wecom.decrypt(padded(tail)))).toBe(WecomCryptoCode.IllegalBuffer);
    });

    it('refuses a pad that eats into random + msg_len', () => {
      // 16 bytes: "0123456789abcdef" minus the last byte, then pad 32 > 16-byte plaintext.
      expect(codeOf(() => wecom.decrypt(encryptRaw(Buffer.concat([Buffer.alloc(15, 1), Buffer.from([32])]))))).toBe(
        WecomCryptoCode.IllegalBuffer,
      );
      // 32 bytes of plaintext of which 16 are pad: 16 left, shorter than random + msg_len.
      expect(codeOf(() => wecom.decrypt(encryptRaw(Buffer.concat([Buffer.alloc(16, 1), Buffer.alloc(16, 16)]))))).toBe(
        WecomCryptoCode.IllegalBuffer,
      );
    });
  });

  it('refuses a truncated ciphertext (not a multiple of 16) and an empty one', () => {
    const bytes = Buffer.from(A2.encrypt, 'base64');
    expect(codeOf(() => wecom.decrypt(bytes.subarray(0, bytes.length - 5).toString('base64')))).toBe(WecomCryptoCode.DecryptAES);
    expect(codeOf(() => wecom.decrypt(''))).toBe(WecomCryptoCode.DecryptAES);
  });

  it('refuses invalid base64', () => {
    expect(codeOf(() => wecom.decrypt('not base64!'))).toBe(WecomCryptoCode.DecodeBase64);
    expect(codeOf(() => wecom.decrypt(A1.echostr.replace(/\+/g, ' ')))).toBe(WecomCryptoCode.DecodeBase64);
    expect(codeOf(() => wecom.decrypt(A1.echostr.replace(/\+/g, '-').replace(/\//g, '_')))).toBe(WecomCryptoCode.DecodeBase64);
    expect(codeOf(() => wecom.decrypt(A1.echostr.replace(/=+$/, '')))).toBe(WecomCryptoCode.DecodeBase64);
    expect(codeOf(() => wecom.decrypt(`${A1.echostr}\n`))).toBe(WecomCryptoCode.DecodeBase64);
  });

  it('refuses a stale or future timestamp (±301 s) and accepts the edge (±300 s)', () => {
    for (const offset of [301, -301, 86_400]) {
      expect(codeOf(() => wecom.verifyUrl(a1Query, at(A1.timestamp, offset)))).toBe(WecomCryptoCode.StaleTimestamp);
      expect(codeOf(() => wecom.openCallback(a2Query, a2Body(A2.encrypt), at(A2.timestamp, offset)))).toBe(WecomCryptoCode.StaleTimestamp);
    }
    expect(wecom.verifyUrl(a1Query, at(A1.timestamp, 300))).toBe('1288432023552776189');
    expect(wecom.verifyUrl(a1Query, at(A1.timestamp, -300))).toBe('1288432023552776189');
    expect(codeOf(() => wecom.verifyUrl(a1Query, new Date(NaN)))).toBe(WecomCryptoCode.StaleTimestamp);
  });

  it('refuses a non-numeric timestamp even when correctly signed', () => {
    const timestamp = '1476416373.5';
    const query = { ...a1Query, timestamp, msg_signature: wecom.signature(timestamp, A1.nonce, A1.echostr) };
    expect(codeOf(() => wecom.verifyUrl(query, at(A1.timestamp)))).toBe(WecomCryptoCode.StaleTimestamp);
  });

  it('refuses msg_len larger than the buffer', () => {
    const lying = plaintext('hello', CORP_ID, 1000);
    expect(codeOf(() => wecom.decrypt(encryptRaw(Buffer.concat([lying, Buffer.alloc(21, 21)]))))).toBe(WecomCryptoCode.IllegalBuffer);
    const maximal = plaintext('hello', CORP_ID, 0xffffffff);
    expect(codeOf(() => wecom.decrypt(encryptRaw(Buffer.concat([maximal, Buffer.alloc(21, 21)]))))).toBe(WecomCryptoCode.IllegalBuffer);
  });

  it('refuses a message that is not UTF-8', () => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(2);
    const body = Buffer.concat([Buffer.alloc(16, 7), len, Buffer.from([0xe4, 0xbd]), Buffer.from(CORP_ID)]);
    expect(codeOf(() => wecom.decrypt(encryptRaw(Buffer.concat([body, Buffer.alloc(24, 24)]))))).toBe(WecomCryptoCode.IllegalBuffer);
  });

  it('reaches the inner checks through openCallback once the signature is right', () => {
    const badPad = encryptRaw(Buffer.concat([plaintext('hello'), Buffer.alloc(21, 0)]));
    const query = { ...a2Query, msg_signature: wecom.signature(A2.timestamp, A2.nonce, badPad) };
    expect(codeOf(() => wecom.openCallback(query, a2Body(badPad), at(A2.timestamp)))).toBe(WecomCryptoCode.IllegalBuffer);
  });

  it('refuses a body without <Encrypt>, or with two', () => {
    expect(codeOf(() => wecom.openCallback(a2Query, '<xml><ToUserName>x</ToUserName></xml>', at(A2.timestamp)))).toBe(
      WecomCryptoCode.ParseXml,
    );
    const twice = `<xml><Encrypt>${A2.encrypt}</Encrypt><Encrypt>${A2.encrypt}</Encrypt></xml>`;
    expect(codeOf(() => wecom.openCallback(a2Query, twice, at(A2.timestamp)))).toBe(WecomCryptoCode.ParseXml);
  });
});

describe('WecomCrypto construction', () => {
  it('refuses an EncodingAESKey that is not 43 base64 characters, and an empty token', () => {
    for (const encodingAesKey of [AES_KEY.slice(1), `${AES_KEY}=`, `${AES_KEY.slice(1)}-`, '']) {
      expect(codeOf(() => new WecomCrypto({ token: TOKEN, encodingAesKey, receiveId: CORP_ID }))).toBe(WecomCryptoCode.IllegalAesKey);
    }
    expect(codeOf(() => new WecomCrypto({ token: '', encodingAesKey: AES_KEY, receiveId: CORP_ID }))).toBe(WecomCryptoCode.ComputeSignature);
  });

  it('refuses an injected random that is not 16 bytes', () => {
    expect(codeOf(() => wecom.encrypt('x', Buffer.alloc(15)))).toBe(WecomCryptoCode.EncryptAES);
  });
});

describe('WeCom round trips', () => {
  it('keeps Chinese text and emoji (astral and ZWJ sequences) intact', () => {
    const message = '客户回访：张总确认下周签约 👍🏻🎉 👨‍👩‍👧 — 锚点';
    const encrypted = wecom.encrypt(message);
    const out = wecom.decrypt(encrypted);
    expect(out.message).toBe(message);
    expect(out.receiveId).toBe(CORP_ID);
    expect(out.random).toHaveLength(16);
    expect(Buffer.from(encrypted, 'base64').length % 32).toBe(0);
    expect(wecom.encrypt(message)).not.toBe(encrypted); // fresh random each time
  });

  it('pads a plaintext that is already a multiple of 32 with a whole block of 32s', () => {
    const message = 'x'.repeat(64 - 16 - 4 - CORP_ID.length); // body of exactly 64 bytes
    const encrypted = wecom.encrypt(message);
    expect(Buffer.from(encrypted, 'base64')).toHaveLength(96);
    expect(wecom.decrypt(encrypted).message).toBe(message);
    expect(wecom.decrypt(wecom.encrypt('')).message).toBe('');
  });

  it('sealReply produces the passive reply that openCallback opens', () => {
    const inner = '<xml><ToUserName><![CDATA[ChenJiaShun]]></ToUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[已收到 ✅]]></Content></xml>';
    const random = Buffer.from('694ce5a83ae07fe3', 'ascii');
    const reply = wecom.sealReply(inner, '1700000000', 'n0nce42', random);
    const encrypt = wecom.encrypt(inner, random);
    expect(reply).toBe(
      `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt><MsgSignature><![CDATA[${wecom.signature('1700000000', 'n0nce42', encrypt)}]]></MsgSignature>` +
        '<TimeStamp>1700000000</TimeStamp><Nonce><![CDATA[n0nce42]]></Nonce></xml>',
    );
    const fields = parseCallbackXml(reply);
    const query = { msg_signature: fields.MsgSignature, timestamp: fields.TimeStamp, nonce: fields.Nonce };
    expect(wecom.openCallback(query, reply, at('1700000000', 5))).toBe(inner);
  });

  it('sealReply refuses a timestamp or nonce that would break the XML', () => {
    expect(codeOf(() => wecom.sealReply('x', '17e8', 'n'))).toBe(WecomCryptoCode.GenReturnXml);
    expect(codeOf(() => wecom.sealReply('x', '1700000000', 'a]]>b'))).toBe(WecomCryptoCode.GenReturnXml);
    expect(codeOf(() => wecom.sealReply('x', '1700000000', ''))).toBe(WecomCryptoCode.GenReturnXml);
  });
});

describe('parseCallbackXml', () => {
  // protocols.md §2.4, verbatim including its annotations.
  const TEMPLATE_CARD_EVENT = `<xml>
 <ToUserName><![CDATA[toUser]]></ToUserName>
 <FromUserName><![CDATA[FromUser]]></FromUserName>   <!-- userid who clicked -->
 <CreateTime>123456789</CreateTime>
 <MsgType><![CDATA[event]]></MsgType>
 <Event><![CDATA[template_card_event]]></Event>
 <EventKey><![CDATA[key111]]></EventKey>             <!-- button_list[].key -->
 <TaskId><![CDATA[taskid111]]></TaskId>
 <CardType><![CDATA[button_interaction]]></CardType>
 <ResponseCode><![CDATA[ResponseCode]]></ResponseCode>
 <AgentID>1</AgentID>
 <SelectedItems><SelectedItem><QuestionKey>..</QuestionKey><OptionIds><OptionId>..</OptionId></OptionIds></SelectedItem></SelectedItems>
</xml>`;

  it('reads a template_card_event and skips the nested SelectedItems', () => {
    expect(parseCallbackXml(TEMPLATE_CARD_EVENT)).toEqual({
      ToUserName: 'toUser',
      FromUserName: 'FromUser',
      CreateTime: '123456789',
      MsgType: 'event',
      Event: 'template_card_event',
      EventKey: 'key111',
      TaskId: 'taskid111',
      CardType: 'button_interaction',
      ResponseCode: 'ResponseCode',
      AgentID: '1',
    });
  });

  it('decodes the five entities in plain text, leaves CDATA alone, reads empty elements', () => {
    const xml = '<?xml version="1.0"?><xml><A>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;</A><B><![CDATA[&lt;raw&gt;]]></B><C/><D></D></xml>';
    expect(parseCallbackXml(xml)).toEqual({ A: 'a <b> & "c" \'d\'', B: '&lt;raw&gt;', C: '', D: '' });
  });

  it('gives __proto__ no special meaning', () => {
    const fields = parseCallbackXml('<xml><__proto__>x</__proto__></xml>');
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.keys(fields)).toEqual(['__proto__']);
  });

  it.each([
    ['another root', '<root><A>1</A></root>'],
    ['a duplicate element', '<xml><A>1</A><A>2</A></xml>'],
    ['an attribute', '<xml><A x="1">1</A></xml>'],
    ['a mismatched close tag', '<xml><A>1</B></xml>'],
    ['an unclosed element', '<xml><A>1'],
    ['an unterminated CDATA', '<xml><A><![CDATA[1</A></xml>'],
    ['an unknown entity', '<xml><A>&nbsp;</A></xml>'],
    ['a numeric character reference', '<xml><A>&#60;</A></xml>'],
    ['a bare ampersand', '<xml><A>a & b</A></xml>'],
    ['text beside elements', '<xml>stray<A>1</A></xml>'],
    ['content after the root', '<xml><A>1</A></xml><xml/>'],
    ['a DOCTYPE', '<!DOCTYPE xml [<!ENTITY e "x">]><xml><A>&e;</A></xml>'],
    ['deep nesting', `<xml><A>${'<B>'.repeat(50)}${'</B>'.repeat(50)}</A></xml>`],
    ['an empty string', ''],
  ])('refuses %s', (_label, xml) => {
    expect(codeOf(() => parseCallbackXml(xml))).toBe(WecomCryptoCode.ParseXml);
  });
});
