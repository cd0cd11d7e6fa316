import QRCode from 'qrcode';
import { QR_OPTIONS } from '../../server/src/channels/qr-codes';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg } from '../support/org-fixture';
import { api } from '../support/http';
import { WechatSimulator } from '../simulators/wechat-sim';

async function setUp(h: Harness) {
  const org = await buildOrg(h);
  const invite = (await api(h.url, 'POST', '/api/v1/invites', { token: org.token(org.supervisor1), json: { teamId: org.teamIds.team1 } })).body.code as string;
  const customer = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '二维码医院', industry: '公立医院' } })).body.id as number;
  return { org, invite, customer };
}

describe('without WeChat credentials: plain QR codes to the H5 app', () => {
  let h: Harness;
  let ctx: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    h = await startHarness();
    ctx = await setUp(h);
  });
  afterAll(() => h.close());

  it('a team invite QR opens the app on the login page with the invite', async () => {
    const res = await api(h.url, 'GET', `/api/v1/invites/${ctx.invite}/qr.png`, { token: ctx.org.token(ctx.org.supervisor1) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const url = `${h.env.publicUrl}/app/#/pages/index/index?invite=${ctx.invite}`;
    expect(decodeURI(res.headers.get('x-h5-url')!)).toBe(url);
    expect(Buffer.compare(res.body as Buffer, await QRCode.toBuffer(url, QR_OPTIONS))).toBe(0);
  });

  it('a customer QR opens that customer\u2019s visit form', async () => {
    const res = await api(h.url, 'GET', `/api/v1/customers/${ctx.customer}/qr.png`, { token: ctx.org.token(ctx.org.repA) });
    expect(res.status).toBe(200);
    const url = `${h.env.publicUrl}/app/#/pages/visit/index?customerId=${ctx.customer}`;
    expect(Buffer.compare(res.body as Buffer, await QRCode.toBuffer(url, QR_OPTIONS))).toBe(0);
  });

  it('only people in reach get them', async () => {
    expect((await api(h.url, 'GET', `/api/v1/invites/${ctx.invite}/qr.png`, { token: ctx.org.token(ctx.org.repA) })).status).toBe(403);
    expect((await api(h.url, 'GET', `/api/v1/invites/${ctx.invite}/qr.png`, { token: ctx.org.token(ctx.org.supervisor2) })).status).toBe(404);
    expect((await api(h.url, 'GET', `/api/v1/invites/nope1234/qr.png`, { token: ctx.org.token(ctx.org.admin) })).status).toBe(404);
    expect((await api(h.url, 'GET', `/api/v1/customers/${ctx.customer}/qr.png`, { token: ctx.org.token(ctx.org.repB) })).status).toBe(404);
  });
});

describe('with WeChat credentials: mini-program codes (wxacode.getUnlimited)', () => {
  let h: Harness;
  let wechat: WechatSimulator;
  let ctx: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    wechat = await new WechatSimulator().start();
    h = await startHarness({ env: { WECHAT_APP_ID: wechat.appId, WECHAT_APP_SECRET: wechat.appSecret, WECHAT_API_BASE: wechat.url } });
    ctx = await setUp(h);
  });
  afterAll(async () => {
    await h.close();
    await wechat.stop();
  });

  it('carry the invite or the customer in the scene and open the right page', async () => {
    const invite = await api(h.url, 'GET', `/api/v1/invites/${ctx.invite}/qr.png`, { token: ctx.org.token(ctx.org.supervisor1) });
    expect(invite.status).toBe(200);
    expect(invite.headers.get('x-code-kind')).toBe('wxacode');
    expect((invite.body as Buffer).subarray(8).toString()).toBe(`i=${ctx.invite}`);
    const customer = await api(h.url, 'GET', `/api/v1/customers/${ctx.customer}/qr.png`, { token: ctx.org.token(ctx.org.repA) });
    expect(customer.status).toBe(200);
    expect(wechat.wxacodes).toEqual([
      { scene: `i=${ctx.invite}`, page: 'pages/index/index' },
      { scene: `c=${ctx.customer}`, page: 'pages/visit/index' },
    ]);
  });

  it('a WeChat error answers 503 with a Chinese message, not an image', async () => {
    wechat.pages.delete('pages/visit/index');
    try {
      const res = await api(h.url, 'GET', `/api/v1/customers/${ctx.customer}/qr.png`, { token: ctx.org.token(ctx.org.repA) });
      expect(res.status).toBe(200); // check_path is off: codes work before the page is published
    } finally {
      wechat.pages.add('pages/visit/index');
    }
    wechat.expireAllTokens();
    const res = await api(h.url, 'GET', `/api/v1/customers/${ctx.customer}/qr.png`, { token: ctx.org.token(ctx.org.repA) });
    expect(res.status).toBe(503);
    expect(res.body.error.message).toContain('小程序码');
  });
});
