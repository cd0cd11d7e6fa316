import { loadPolicy } from '../../server/src/config/policy';
import { withSqlTransaction } from '../../server/src/db/sql';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { sqlTime } from '../support/database';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { completeVisit, submitVisit } from '../support/visit-fixture';

/**
 * The material center (SPEC §7): marketing uploads and tags, reps browse, search and share; every view,
 * download and share is counted; a share link opens without a login, is recorded, and can be revoked.
 */
let h: Harness;
let org: OrgFixture;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(12, 0), Buffer.from([0, 0, 0, 8]), Buffer.from('mdat'), Buffer.alloc(3000, 7)]);
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

const form = (bytes: Buffer, name: string) => {
  const f = new FormData();
  f.append('file', new Blob([bytes]), name);
  return f;
};
const as = (who: keyof OrgFixture) => org.token(org[who] as never);
const get = (who: keyof OrgFixture, path: string) => api(h.url, 'GET', `/api/v1${path}`, { token: as(who) });
const post = (who: keyof OrgFixture, path: string, json: unknown = {}) => api(h.url, 'POST', `/api/v1${path}`, { token: as(who), json });
const patch = (who: keyof OrgFixture, path: string, json: unknown) => api(h.url, 'PATCH', `/api/v1${path}`, { token: as(who), json });
const upload = (who: keyof OrgFixture, bytes: Buffer, name = 'file.bin') => api(h.url, 'POST', '/api/v1/attachments?purpose=material', { token: as(who), form: form(bytes, name) });
const count = async (sql: string, params: unknown[] = []) => Number((await h.db.query(sql, params))[0].n);

let tags: Record<string, number>;
async function newMaterial(input: Record<string, unknown>, bytes: Buffer | null = PDF) {
  const file = bytes ? await upload('marketing', bytes) : null;
  if (file && file.status !== 201) throw new Error(`upload: ${file.status} ${JSON.stringify(file.body)}`);
  const res = await post('marketing', '/materials', { kind: 'pdf', ...(file ? { attachmentId: file.body.id } : {}), ...input });
  if (res.status !== 201) throw new Error(`material: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

beforeAll(async () => {
  const policy = loadPolicy();
  h = await startHarness({ policy: { ...policy, uploads: { ...policy.uploads, materialMaxMegabytes: 1 } }, env: { WECOM_CORP_ID: 'ww-mat', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 'mat-secret' } });
  org = await buildOrg(h);
  await h.db.query('UPDATE member SET wecomUserId = ? WHERE id = ?', ['rep-a-wecom', org.repA.id]);
  tags = {};
  for (const name of ['二级医院首次拜访', '集采替代方案沟通', '术后随访关怀']) tags[name] = (await post('marketing', '/material-tags', { name })).body.id;
});
afterAll(() => h.close());

describe('writing materials (marketing)', () => {
  it('marketing uploads a PDF and saves it with tags and fit hints; a rep finds it by tag and by Chinese text', async () => {
    const m = await newMaterial({ title: '快装方案介绍', description: '48 小时完成安装调试', tagIds: [tags['集采替代方案沟通']], stages: ['proposal'], bottlenecks: ['集采降价压力'] });
    expect(m).toMatchObject({ title: '快装方案介绍', kind: 'pdf', contentType: 'application/pdf', tags: [{ name: '集采替代方案沟通' }], stages: ['proposal'] });
    const byText = await get('repA', `/materials?q=${encodeURIComponent('安装调试')}`);
    expect(byText.body.items.map((x: any) => x.id)).toContain(m.id);
    const byTag = await get('repA', `/materials?tagId=${tags['集采替代方案沟通']}`);
    expect(byTag.body.items.map((x: any) => x.id)).toContain(m.id);
    const other = await get('repA', `/materials?tagId=${tags['术后随访关怀']}`);
    expect(other.body.items.map((x: any) => x.id)).not.toContain(m.id);
    const none = await get('repA', `/materials?q=${encodeURIComponent('不存在的词')}`);
    expect(none.body.items).toEqual([]);
  });

  it('a script is text, no file; an image is a JPEG/PNG/WebP', async () => {
    const script = await newMaterial({ kind: 'script', title: '首次拜访开场话术', scriptText: '王主任您好，我是……', tagIds: [tags['二级医院首次拜访']] }, null);
    expect(script).toMatchObject({ kind: 'script', attachmentId: null, scriptText: '王主任您好，我是……' });
    const image = await newMaterial({ kind: 'image', title: '产品对比图' }, PNG);
    expect(image.contentType).toBe('image/png');
    const empty = await post('marketing', '/materials', { kind: 'script', title: '空话术', scriptText: '  ' });
    expect(empty.status).toBe(422);
    expect(empty.body.error.fields.scriptText).toBe('请填写话术内容');
  });

  it('a file of the wrong type is refused by its bytes (415, naming the file); a PDF as a video is 422 naming 文件', async () => {
    const text = await upload('marketing', Buffer.from('#!/bin/sh\nrm -rf /\n'), 'fake.pdf');
    expect(text.status).toBe(415);
    expect(text.body.error.fields.file).toContain('PDF');
    const pdf = await upload('marketing', PDF);
    const mismatch = await post('marketing', '/materials', { kind: 'video', title: '假视频', attachmentId: pdf.body.id });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.error).toMatchObject({ code: 'MATERIAL_FILE_MISMATCH', fields: { attachmentId: '文件与素材类型「视频」不符' } });
    expect(await count('SELECT COUNT(*) AS n FROM material WHERE title = ?', ['假视频'])).toBe(0);
  });

  it('a file over the policy limit (1 MB here) is 413 naming the limit, and nothing is stored', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM attachment');
    const big = await upload('marketing', Buffer.concat([PDF, Buffer.alloc(1024 * 1024 + 10, 32)]));
    expect(big.status).toBe(413);
    expect(big.body.error.message).toContain('1 MB');
    expect(await count('SELECT COUNT(*) AS n FROM attachment')).toBe(before);
  });

  it('an unknown or retired tag is a Chinese 400 naming 标签; nothing half-written', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM material');
    const pdf = await upload('marketing', PDF);
    const unknown = await post('marketing', '/materials', { kind: 'pdf', title: '未知标签', attachmentId: pdf.body.id, tagIds: [999999] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('MATERIAL_TAG_UNKNOWN');
    expect(unknown.body.error.fields.tagIds).toContain('标签');
    const retiredTag = (await post('marketing', '/material-tags', { name: '旧标签' })).body.id;
    expect((await patch('marketing', `/material-tags/${retiredTag}`, { retired: true })).body.retiredAt).not.toBeNull();
    const retired = await post('marketing', '/materials', { kind: 'pdf', title: '停用标签', attachmentId: pdf.body.id, tagIds: [retiredTag] });
    expect(retired.status).toBe(400);
    expect(retired.body.error.message).toBe(`标签不存在或已停用（编号 ${retiredTag}）`);
    expect(await count('SELECT COUNT(*) AS n FROM material')).toBe(before);
    // the upload stays the uploader's, unattached: a corrected save can use it
    expect((await post('marketing', '/materials', { kind: 'pdf', title: '改正后', attachmentId: pdf.body.id })).status).toBe(201);
    // reps do not see retired tags; marketing does when asking
    expect((await get('repA', '/material-tags')).body.items.map((t: any) => t.name)).not.toContain('旧标签');
    expect((await get('marketing', '/material-tags?includeRetired=true')).body.items.map((t: any) => t.name)).toContain('旧标签');
  });

  it('tags are data: a rename is searched by its new name; a name in use is 409', async () => {
    const tag = (await post('marketing', '/material-tags', { name: '三甲医院案例' })).body.id;
    const m = await newMaterial({ title: '案例汇编', tagIds: [tag] });
    expect((await patch('marketing', `/material-tags/${tag}`, { name: '三级医院案例' })).status).toBe(200);
    expect((await get('repA', `/materials?q=${encodeURIComponent('三级医院')}`)).body.items.map((x: any) => x.id)).toContain(m.id);
    const taken = await post('marketing', '/material-tags', { name: '三级医院案例' });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: 'MATERIAL_TAG_TAKEN', fields: { name: '标签「三级医院案例」已存在' } });
  });

  it('reps, supervisors and finance cannot write materials or tags; bad input is 400 naming the field', async () => {
    expect((await post('repA', '/material-tags', { name: '销售自建' })).status).toBe(403);
    expect((await upload('repA', PDF)).status).toBe(403);
    expect((await get('finance', '/materials')).status).toBe(403);
    const long = await post('marketing', '/materials', { kind: 'pdf', title: '长'.repeat(61) });
    expect(long.status).toBe(422);
    expect(long.body.error.fields.title).toContain('60');
    const hint = await post('marketing', '/materials', { kind: 'script', title: '提示', scriptText: '话术', industries: ['火星医院'] });
    expect(hint.status).toBe(422);
    expect(hint.body.error.fields.industries).toContain('火星医院');
  });
});

describe('retiring', () => {
  it('a retired material is hidden from reps (list, detail, file) and its share links answer 410; marketing still sees it', async () => {
    const m = await newMaterial({ title: '即将下架的资料' });
    const share = await post('repA', `/materials/${m.id}/shares`, {});
    expect(share.status).toBe(201);
    expect((await post('marketing', `/materials/${m.id}/retire`, {})).body.retiredAt).not.toBeNull();
    expect((await get('repA', '/materials?pageSize=100')).body.items.map((x: any) => x.id)).not.toContain(m.id);
    expect((await get('repA', `/materials/${m.id}`)).status).toBe(404);
    expect((await get('repA', `/materials/${m.id}/file`)).status).toBe(404);
    expect((await get('repA', `/attachments/${m.attachmentId}`)).status).toBe(404);
    expect((await get('repA', '/materials?retired=include&pageSize=100')).body.items.map((x: any) => x.id)).not.toContain(m.id);
    expect((await get('marketing', '/materials?retired=only&pageSize=100')).body.items.map((x: any) => x.id)).toContain(m.id);
    const page = await fetch(`${h.url}/api/v1/s/${share.body.token}`);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('该分享链接已被撤回');
    expect((await post('repA', `/materials/${m.id}/shares`, {})).status).toBe(404);
  });
});

describe('sharing to a customer', () => {
  let customerId: number;
  let material: any;
  beforeAll(async () => {
    customerId = (await post('admin', '/customers', { name: '分享测试医院', industry: '公立医院', ownerId: org.repA.id, contactName: '王主任' })).body.id;
    material = await newMaterial({ kind: 'video', title: '快装方案' }, MP4);
  });

  it('a rep shares for their customer: a link and a QR image; a customer outside their reach is 404', async () => {
    const share = await post('repA', `/materials/${material.id}/shares`, { customerId });
    expect(share.status).toBe(201);
    expect(share.body.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(share.body.url).toBe(`${h.env.publicUrl}/api/v1/s/${share.body.token}`);
    expect(share.body.summary).toBe('王主任 尚未打开 《快装方案》');
    const qr = await get('repA', `/material-shares/${share.body.id}/qr.png`);
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toBe('image/png');
    expect((await get('repB', `/material-shares/${share.body.id}/qr.png`)).status).toBe(404);
    expect((await post('repB', `/materials/${material.id}/shares`, { customerId })).status).toBe(404);
  });

  it('each open is recorded without a login; the rep is told once; the customer timeline shows it with the watched seconds', async () => {
    const share = (await post('repA', `/materials/${material.id}/shares`, { customerId })).body;
    const first = await fetch(`${h.url}/api/v1/s/${share.token}`);
    expect(first.status).toBe(200);
    const html = await first.text();
    expect(html).toContain('快装方案');
    expect(html).toContain(`/api/v1/s/${share.token}/file`);
    expect(html).not.toContain('<script>'); // the CSP allows no inline script
    const key = /data-key="([0-9a-f]{32})"/.exec(html)![1]!;
    h.clock.advance(60_000);
    expect((await fetch(`${h.url}/api/v1/s/${share.token}`)).status).toBe(200);
    // the page reports 95 s watched, later 40 (an older beacon arriving late): the most is kept
    const beacon = (seconds: number, k = key) => fetch(`${h.url}/api/v1/s/${share.token}/beacon`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: k, watchedSeconds: seconds }) });
    expect((await beacon(95)).status).toBe(204);
    expect((await beacon(40)).status).toBe(204);
    expect((await beacon(10, 'f'.repeat(32))).status).toBe(404);
    expect((await beacon(-1)).status).toBe(422);

    const mine = (await get('repA', `/material-shares?customerId=${customerId}`)).body.items.find((s: any) => s.id === share.id);
    expect(mine).toMatchObject({ openCount: 2, summary: '王主任 打开了 《快装方案》 2 次' });
    expect(await count("SELECT COUNT(*) AS n FROM outbox_message WHERE kind = 'material.share_opened' AND payload LIKE ?", [`%"shareId":${share.id}%`])).toBe(1);

    const timeline = (await get('repA', `/customers/${customerId}/timeline`)).body;
    const opens = timeline.items.filter((e: any) => e.type === 'material_open' && e.shareId === share.id);
    expect(opens).toHaveLength(2);
    expect(opens.map((e: any) => e.watchedSeconds).sort()).toEqual([95, null].sort());
    expect(opens[0]).toMatchObject({ title: '快装方案', by: { id: org.repA.id } });
  });

  it('the first open plans one WeCom text to the rep naming the contact and the material', async () => {
    const share = (await post('repA', `/materials/${material.id}/shares`, { customerId })).body;
    await fetch(`${h.url}/api/v1/s/${share.token}`);
    await fetch(`${h.url}/api/v1/s/${share.token}`);
    const rows = await h.db.query("SELECT id, payload FROM outbox_message WHERE kind = 'material.share_opened' ORDER BY id DESC LIMIT 1");
    const payload = typeof rows[0].payload === 'string' ? JSON.parse(rows[0].payload) : rows[0].payload;
    const plan = await withSqlTransaction(h.db, (sql) => h.services.messages.plan(sql, { id: rows[0].id, kind: 'material.share_opened', teamId: null, payload }));
    expect(JSON.stringify(plan)).toContain('王主任（分享测试医院）打开了您分享的《快装方案》');
    // and a way on from the chat: the customer's page, whose timeline shows the open
    expect(JSON.stringify(plan)).toContain(`/app/#/pages/customer/index?id=${customerId}`);
  });

  it("in the app the video plays from a signed address with seeking (Range 206); a forged or expired one is 404", async () => {
    const detail = (await get('repA', `/materials/${material.id}`)).body;
    expect(detail.playUrl).toMatch(/^\/api\/v1\/materials\/\d+\/stream\?m=\d+&e=\d+&s=/);
    const part = await fetch(`${h.url}${detail.playUrl}`, { headers: { range: 'bytes=0-99' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(MP4.subarray(0, 100));
    expect((await fetch(`${h.url}${detail.playUrl.replace(/s=[^&]+/, 's=forged')}`)).status).toBe(404);
    expect((await fetch(`${h.url}${detail.playUrl.replace(/m=\d+/, `m=${org.repB.id}`)}`)).status).toBe(404);
    h.clock.advance(31 * 60_000);
    expect((await fetch(`${h.url}${detail.playUrl}`)).status).toBe(404);
  });

  it('the shared video plays with seeking (Range 206) without a session', async () => {
    const share = (await post('repA', `/materials/${material.id}/shares`, { customerId })).body;
    const part = await fetch(`${h.url}/api/v1/s/${share.token}/file`, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${MP4.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(MP4.subarray(100, 200));
  });

  it('revoked: the page is a Chinese 410, the file and the beacon too; only its rep may revoke', async () => {
    const share = (await post('repA', `/materials/${material.id}/shares`, { customerId })).body;
    expect((await post('repB', `/material-shares/${share.id}/revoke`)).status).toBe(404);
    expect((await post('marketing', `/material-shares/${share.id}/revoke`)).status).toBe(404);
    const revoked = await post('repA', `/material-shares/${share.id}/revoke`);
    expect(revoked.body.revokedAt).not.toBeNull();
    const page = await fetch(`${h.url}/api/v1/s/${share.token}`);
    expect(page.status).toBe(410);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('该分享链接已被撤回');
    expect((await fetch(`${h.url}/api/v1/s/${share.token}/file`)).status).toBe(410);
    expect(await count('SELECT COUNT(*) AS n FROM material_share_open WHERE shareId = ?', [share.id])).toBe(0);
  });

  it('guessed tokens open nothing and record nothing (404 page), malformed ones neither', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM material_share_open');
    for (const token of ['A'.repeat(32), 'x', '../../etc/passwd', '%00', 'A'.repeat(500)]) {
      const res = await fetch(`${h.url}/api/v1/s/${encodeURIComponent(token)}`);
      expect([token.slice(0, 10), res.status]).toEqual([token.slice(0, 10), 404]);
    }
    expect((await fetch(`${h.url}/api/v1/s/${'B'.repeat(32)}/file`)).status).toBe(404);
    expect(await count('SELECT COUNT(*) AS n FROM material_share_open')).toBe(before);
  });
});

describe('fitting a customer', () => {
  it("a customer's page lists materials fitting its stage, its industry and its last visit's bottleneck, and why", async () => {
    const customerId = (await post('admin', '/customers', { name: '适配测试医院', industry: '民营医院', ownerId: org.repA.id })).body.id;
    const byIndustry = await newMaterial({ title: '民营医院专题', industries: ['民营医院'] });
    const byBottleneck = await newMaterial({ title: '集采应对', bottlenecks: ['集采降价压力'] });
    const unrelated = await newMaterial({ title: '检验科专题', industries: ['第三方检验'] });
    const before = (await get('repA', `/customers/${customerId}/materials`)).body;
    expect(before.items.map((m: any) => m.id)).toContain(byIndustry.id);
    expect(before.items.map((m: any) => m.id)).not.toContain(byBottleneck.id);
    expect(before.bottleneck).toBeNull();
    expect((await submitVisit(h, as('repA'), completeVisit(customerId))).status).toBe(201);
    const after = (await get('repA', `/customers/${customerId}/materials`)).body;
    expect(after.bottleneck).toBe('集采降价压力');
    expect(after.items.find((m: any) => m.id === byBottleneck.id).fits).toEqual(['瓶颈：集采降价压力']);
    expect(after.items.find((m: any) => m.id === byIndustry.id).fits).toEqual(['行业：民营医院']);
    expect(after.items.map((m: any) => m.id)).not.toContain(unrelated.id);
    expect((await get('repB', `/customers/${customerId}/materials`)).status).toBe(404);
  });
});

describe('usage', () => {
  it('counts exactly, per material and per rep, within the span, and names the reps who never opened it', async () => {
    const fresh = await startHarness({ now: new Date('2026-11-10T02:00:00Z') });
    try {
      const o = await buildOrg(fresh);
      const call = (who: any, method: string, path: string, json?: unknown, headers?: Record<string, string>) =>
        api(fresh.url, method, `/api/v1${path}`, { token: o.token(who), ...(json !== undefined ? { json } : {}), ...(headers ? { headers } : {}) });
      const up = await api(fresh.url, 'POST', '/api/v1/attachments?purpose=material', { token: o.token(o.marketing), form: form(PDF, 'a.pdf') });
      const a = (await call(o.marketing, 'POST', '/materials', { kind: 'pdf', title: '资料甲', attachmentId: up.body.id })).body;
      const b = (await call(o.marketing, 'POST', '/materials', { kind: 'script', title: '话术乙', scriptText: '您好' })).body;
      // repA: 2 views of 甲, 1 download (from byte 0), a Range from the middle (not a download), 1 share opened 3 times
      await call(o.repA, 'GET', `/materials/${a.id}`);
      await call(o.repA, 'GET', `/materials/${a.id}`);
      await call(o.repA, 'GET', `/materials/${a.id}/file`);
      await call(o.repA, 'GET', `/materials/${a.id}/file`, undefined, { range: 'bytes=10-20' });
      const share = (await call(o.repA, 'POST', `/materials/${a.id}/shares`, {})).body;
      for (let i = 0; i < 3; i++) await fetch(`${fresh.url}/api/v1/s/${share.token}`);
      // repB: one view of 乙; repC (team 2): one view of 甲
      await call(o.repB, 'GET', `/materials/${b.id}`);
      await call(o.repC, 'GET', `/materials/${a.id}`);
      // a view 40 days ago is outside the default 30 days
      await fresh.db.query("INSERT INTO material_usage (materialId, memberId, customerId, action, at) VALUES (?, ?, NULL, 'view', ?)", [b.id, o.repA.id, sqlTime(new Date('2026-10-01T02:00:00Z'))]);

      const report = (await call(o.marketing, 'GET', '/material-usage')).body;
      if (!report.materials) throw new Error(JSON.stringify(report));
      const ma = report.materials.find((m: any) => m.id === a.id);
      expect(ma).toMatchObject({ views: 3, downloads: 1, shares: 1, opens: 3, viewers: 2 });
      expect(ma.neverOpened.map((r: any) => r.name).sort()).toEqual([o.repB.name, o.repE.name].sort());
      const mb = report.materials.find((m: any) => m.id === b.id);
      expect(mb).toMatchObject({ views: 1, downloads: 0, shares: 0, opens: 0, viewers: 1 });
      expect(report.reps.find((r: any) => r.id === o.repA.id)).toMatchObject({ views: 2, downloads: 1, shares: 1, opens: 3, materialsOpened: 1 });
      // with October in the span, repA's old view of 乙 counts
      const wide = (await call(o.marketing, 'GET', '/material-usage?from=2026-09-01&to=2026-11-10')).body;
      expect(wide.reps.find((r: any) => r.id === o.repA.id)).toMatchObject({ views: 3, materialsOpened: 2 });
      // supervisor 1 sees team 1 only (repA, repB): repC's view is not counted, repC not listed
      const team = (await call(o.supervisor1, 'GET', '/material-usage')).body;
      expect(team.materials.find((m: any) => m.id === a.id)).toMatchObject({ views: 2, viewers: 1 });
      expect(team.reps.map((r: any) => r.id).sort()).toEqual([o.repA.id, o.repB.id].sort());
      expect((await call(o.repA, 'GET', '/material-usage')).status).toBe(403);
      const bad = await call(o.marketing, 'GET', '/material-usage?from=2026-11-10&to=2026-11-01');
      expect(bad.status).toBe(422);
      expect(bad.body.error.fields.to).toBe('结束日期不能早于开始日期');
    } finally {
      await fresh.close();
    }
  });
});
