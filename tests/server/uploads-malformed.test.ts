import { request } from 'node:http';
import { Customer } from '../../server/src/modules/customers/customer.entity';
import { Attachment } from '../../server/src/modules/attachments/attachment.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { buildWorkbook } from '../support/xlsx';

let h: Harness;
let org: OrgFixture;
let workbook: Buffer;

// The smallest real PNG (1×1 pixel).
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
  workbook = await buildWorkbook([['客户名称', '所属行业'], ['分段测试医院', '公立医院']]);
});
afterAll(() => h.close());

interface Raw {
  status: number;
  body: { error?: { code: string; message: string; fields?: Record<string, string> } };
}

/** Sends exactly these bytes (node:http, so nothing repairs them on the way) and reads the JSON answer. */
function send(path: string, contentType: string | null, body: Buffer): Promise<Raw> {
  const url = new URL(`${h.url}/api/v1${path}`);
  const headers: Record<string, string | number> = { authorization: `Bearer ${org.token(org.repA)}`, 'content-length': body.length };
  if (contentType !== null) headers['content-type'] = contentType;
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch {
          reject(new Error(`not JSON (${res.statusCode}): ${text.slice(0, 200)}`));
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const B = 'AnchorBoundary7MA4YWxkTrZu0gW';
const TYPE = `multipart/form-data; boundary=${B}`;
const part = (headers: string, content: Buffer) => Buffer.concat([Buffer.from(`--${B}\r\n${headers}\r\n\r\n`), content, Buffer.from('\r\n')]);
const close = Buffer.from(`--${B}--\r\n`);
const filePart = (content: Buffer, filename = 'upload.bin', field = 'file') =>
  part(`Content-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/octet-stream`, content);

const ROUTES: { path: string; file: () => Buffer; stored: () => Promise<number> }[] = [
  { path: '/photos', file: () => PNG, stored: () => h.db.getRepository(Attachment).count() },
  { path: '/customers/import/preview', file: () => workbook, stored: () => h.db.getRepository(Customer).count() },
  { path: '/customers/import/commit', file: () => workbook, stored: () => h.db.getRepository(Customer).count() },
];

const CASES: { title: string; contentType: string; body: (file: Buffer) => Buffer; message: RegExp }[] = [
  { title: 'no boundary in the Content-Type', contentType: 'multipart/form-data', body: (f) => Buffer.concat([filePart(f), close]), message: /分隔符/ },
  { title: 'a body cut off before its closing boundary', contentType: TYPE, body: (f) => filePart(f).subarray(0, 200 + Math.floor(f.length / 2)), message: /不完整/ },
  { title: 'a body that never reaches the first boundary', contentType: TYPE, body: () => Buffer.from('just some text, no parts at all'), message: /不完整|无法解析/ },
  { title: 'a part header without a colon', contentType: TYPE, body: (f) => Buffer.concat([part('Content-Disposition form-data name file', f), close]), message: /格式不正确/ },
  { title: 'a part header line too long to be one', contentType: TYPE, body: (f) => Buffer.concat([part(`X-Junk: ${'a'.repeat(90 * 1024)}`, f), close]), message: /格式不正确/ },
  { title: 'a NUL in the file name', contentType: TYPE, body: (f) => Buffer.concat([filePart(f, 'a\u0000.png'), close]), message: /文件名|分段头/ },
  { title: 'a NUL in the file name, percent-encoded', contentType: TYPE, body: (f) => Buffer.concat([part(`Content-Disposition: form-data; name="file"; filename*=UTF-8''a%00b.png`, f), close]), message: /文件名/ },
  { title: 'the file in another field', contentType: TYPE, body: (f) => Buffer.concat([filePart(f, 'a.png', 'photo'), close]), message: /「file」/ },
  { title: 'two files', contentType: TYPE, body: (f) => Buffer.concat([filePart(f), filePart(f), close]), message: /一个/ },
  { title: 'an empty file', contentType: TYPE, body: () => Buffer.concat([filePart(Buffer.alloc(0)), close]), message: /空的/ },
  { title: 'multipart/mixed', contentType: `multipart/mixed; boundary=${B}`, body: (f) => Buffer.concat([filePart(f), close]), message: /multipart\/form-data/ },
];

describe.each(ROUTES)('POST $path', ({ path, file, stored }) => {
  it.each(CASES)('$title → 400 in Chinese, nothing stored', async ({ contentType, body, message }) => {
    const before = await stored();
    const res = await send(path, contentType, body(file()));
    expect(res.status).toBe(400);
    expect(res.body.error!.code).toBe('VALIDATION_FAILED');
    expect(res.body.error!.message).toMatch(/[\u4e00-\u9fff]/);
    expect(res.body.error!.message).toMatch(message);
    expect(await stored()).toBe(before);
  });

  it('a well-formed request with the same file still goes through', async () => {
    const res = await send(path, TYPE, Buffer.concat([filePart(file(), 'ok.bin'), close]));
    expect(res.status).toBeLessThan(300);
  });

  it('a request without a file at all says the file is required (422, naming the field)', async () => {
    const res = await send(path, TYPE, Buffer.concat([part('Content-Disposition: form-data; name="note"', Buffer.from('x')), close]));
    expect(res.status).toBe(422);
    expect(res.body.error!.fields!.file).toMatch(/^请上传/);
  });
});

describe('size refusals name the file and the limit', () => {
  it('a photo over photoMaxMegabytes is refused before it is read whole: 413 「照片不能超过 5 MB」', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(h.policy.uploads.photoMaxMegabytes * 1024 * 1024 + 10)]);
    const res = await send('/photos', TYPE, Buffer.concat([filePart(big, 'big.png'), close]));
    expect(res.status).toBe(413);
    expect(res.body.error!.message).toBe(`照片不能超过 ${h.policy.uploads.photoMaxMegabytes} MB`);
  });

  it('a workbook over import.maxFileMegabytes: 413 naming the Excel file and the limit', async () => {
    const big = Buffer.concat([workbook, Buffer.alloc(h.policy.import.maxFileMegabytes * 1024 * 1024 + 10)]);
    const res = await send('/customers/import/preview', TYPE, Buffer.concat([filePart(big, 'big.xlsx'), close]));
    expect(res.status).toBe(413);
    expect(res.body.error!.message).toBe(`Excel 文件不能超过 ${h.policy.import.maxFileMegabytes} MB`);
  });
});
