import { withTransaction } from '../../server/src/db/transaction';
import type { Member } from '../../server/src/modules/org/member.entity';
import { NOTIFY_PATH } from '../../server/src/modules/payments';
import { startHarness, type Harness } from '../support/harness';
import { api } from '../support/http';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { WechatPaySimulator } from '../simulators/wechatpay-sim';

// Receivables paid by WeChat Pay (SPEC §9): a Native order per receivable (reused, closable), the notification
// verified, decrypted and compared with the order, and the receivable credited once however many times and
// however concurrently the notification arrives — on two server instances over one database.
let sim: WechatPaySimulator;
let h: Harness;
let h2: Harness;
let org: OrgFixture;
let contractSeq = 1000;
let customerSeq = 0;

beforeAll(async () => {
  sim = await new WechatPaySimulator().start();
  h = await startHarness({ env: sim.env('both'), now: new Date('2026-12-01T02:00:00Z') });
  h2 = await startHarness({ env: sim.env('both'), sharedDatabaseUrl: h.dbUrl, now: new Date('2026-12-01T02:00:00Z') });
  org = await buildOrg(h);
  sim.now = () => h.clock.now().getTime();
  sim.notifyTarget = `${h.url}${NOTIFY_PATH}`;
});
afterAll(async () => {
  await sim.stop();
  await h2.close();
  await h.close();
});

const newCustomer = async (owner: Member = org.repA): Promise<number> => {
  const res = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.admin), json: { name: `回款测试医院${++customerSeq}号`, industry: '公立医院', ownerId: owner.id, stage: 'signed' } });
  expect(res.status).toBe(201);
  return res.body.id;
};
/** Receivables the way the contracts module makes them at approval: createForContract in a transaction. */
const receivablesFor = async (owner: Member, instalments: { seq: number; dueDate: string; amountFen: number }[], customerId?: number) => {
  const cid = customerId ?? (await newCustomer(owner));
  const ids = await withTransaction(h.db, (manager) => h.services.receivables.createForContract(manager, { contractId: ++contractSeq, customerId: cid, ownerId: owner.id, instalments }));
  return { customerId: cid, ids };
};
const one = async (amountFen = 12_345_67, owner: Member = org.repA, dueDate = '2026-12-20') => (await receivablesFor(owner, [{ seq: 1, dueDate, amountFen }])).ids[0]!;
const detail = (id: number, who: Member = org.finance) => api(h.url, 'GET', `/api/v1/receivables/${id}`, { token: org.token(who) });
const order = (id: number, who: Member = org.repA, base = h.url) => api(base, 'POST', `/api/v1/receivables/${id}/pay-orders`, { token: org.token(who) });
const paymentRows = async (receivableId: number) => (await h.db.query('SELECT amountFen, method, reference FROM receivable_payment WHERE receivableId = ?', [receivableId])) as { amountFen: number; method: string; reference: string }[];
const notify = (n: { body: string; headers: Record<string, string> }, base = h.url) => api(base, 'POST', NOTIFY_PATH, { rawBody: n.body, headers: n.headers });
const waitFor = async (check: () => Promise<boolean>, ms = 5000) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('timed out');
};

describe('pay orders', () => {
  it('a rep gets a Native code_url for the remainder; asking again reuses the open order; closing it lets a new one be made', async () => {
    const id = await one(8_800_00);
    const first = await order(id);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ receivableId: id, amountFen: 8_800_00, state: 'open', codeUrl: expect.stringMatching(/^weixin:\/\/wxpay\/bizpayurl\?pr=/) });
    expect(sim.orders.get(first.body.outTradeNo)).toMatchObject({ total: 8_800_00, notifyUrl: `${h.env.publicUrl}${NOTIFY_PATH}` });
    const again = await order(id, org.supervisor1);
    expect(again.body).toMatchObject({ id: first.body.id, codeUrl: first.body.codeUrl });
    expect(Number(((await h.db.query('SELECT COUNT(*) AS n FROM pay_order WHERE receivableId = ?', [id])) as { n: number }[])[0]!.n)).toBe(1);
    const qr = await api(h.url, 'GET', `/api/v1/pay-orders/${first.body.id}/qr.png`, { token: org.token(org.repA) });
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toBe('image/png');
    expect((qr.body as Buffer).subarray(1, 4).toString()).toBe('PNG');
    const closed = await api(h.url, 'POST', `/api/v1/pay-orders/${first.body.id}/close`, { token: org.token(org.repA) });
    expect(closed.body).toMatchObject({ state: 'closed', codeUrl: null });
    expect(sim.orders.get(first.body.outTradeNo)!.state).toBe('CLOSED');
    expect((await api(h.url, 'POST', `/api/v1/pay-orders/${first.body.id}/close`, { token: org.token(org.repA) })).body.error.code).toBe('PAY_ORDER_NOT_OPEN');
    const next = await order(id);
    expect(next.body.id).not.toBe(first.body.id);
    expect(next.body.state).toBe('open');
  });

  it('two requests at once on two servers make one order', async () => {
    const id = await one(3_000_00);
    const [a, b] = await Promise.all([order(id, org.repA, h.url), order(id, org.finance, h2.url)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.id).toBe(b.body.id);
    expect(a.body.codeUrl).toBe(b.body.codeUrl);
  });

  it('after a partial bank transfer the new order is for the remainder, and the old one is closed', async () => {
    const id = await one(10_000_00);
    const first = await order(id);
    const voucher = await h.services.attachments.upload(org.finance, 'payment_voucher', Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'));
    const rec = await api(h.url, 'POST', `/api/v1/receivables/${id}/payments`, { token: org.token(org.finance), json: { amountFen: 4_000_00, method: 'bank_transfer', reference: `BANK-${id}`, paidAt: '2026-11-30', voucherAttachmentId: voucher.id } });
    expect(rec.status).toBe(201);
    expect(rec.body).toMatchObject({ paidFen: 4_000_00, remainingFen: 6_000_00, state: 'partly_paid' });
    const second = await order(id);
    expect(second.body).toMatchObject({ amountFen: 6_000_00, state: 'open' });
    expect(sim.orders.get(first.body.outTradeNo)!.state).toBe('CLOSED');
  });
});

describe('the notification credits once', () => {
  it('paid in the simulator: the notification arrives, the order is paid and the receivable credited with the exact amount', async () => {
    const id = await one(12_345_67);
    const o = await order(id);
    sim.pay(o.body.outTradeNo);
    await waitFor(async () => (await paymentRows(id)).length === 1);
    const d = await detail(id);
    expect(d.body).toMatchObject({ paidFen: 12_345_67, remainingFen: 0, state: 'paid' });
    expect(d.body.orders[0]).toMatchObject({ state: 'paid', codeUrl: null });
    expect(d.body.payments).toEqual([expect.objectContaining({ amountFen: 12_345_67, method: 'wechatpay', reference: sim.orders.get(o.body.outTradeNo)!.transactionId, byId: null })]);
    expect(sim.deliveriesOf(o.body.outTradeNo).map((x) => x.status)).toEqual([200]);
    const out = (await h.db.query("SELECT payload FROM outbox_message WHERE kind = 'payment.received'")) as { payload: string }[];
    expect(out.filter((m) => JSON.parse(typeof m.payload === 'string' ? m.payload : JSON.stringify(m.payload)).receivableId === id)).toHaveLength(1);
  });

  it('the same notification 15 times, then 10 at once across two servers: one payment, one credit', async () => {
    sim.notify = false;
    const id = await one(5_000_00);
    const o = await order(id);
    sim.pay(o.body.outTradeNo);
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const res = await notify(sim.notification(o.body.outTradeNo, { mode: i % 2 ? 'publicKey' : 'platform' }), i % 2 ? h2.url : h.url);
      statuses.push(res.status);
      expect(res.body).toEqual({ code: 'SUCCESS', message: '成功' });
    }
    expect(statuses).toEqual(Array(15).fill(200));
    const concurrent = await Promise.all(Array.from({ length: 10 }, (_, i) => notify(sim.notification(o.body.outTradeNo), i % 2 ? h2.url : h.url)));
    expect(concurrent.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await paymentRows(id)).toEqual([{ amountFen: 5_000_00, method: 'wechatpay', reference: sim.orders.get(o.body.outTradeNo)!.transactionId }]);
    expect((await detail(id)).body).toMatchObject({ paidFen: 5_000_00, state: 'paid' });
    sim.notify = true;
  });

  it('10 first deliveries at once on two servers, nothing settled before: still one credit', async () => {
    sim.notify = false;
    const id = await one(7_777_00);
    const o = await order(id);
    sim.pay(o.body.outTradeNo);
    const n = sim.notification(o.body.outTradeNo);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => notify(n, i % 2 ? h2.url : h.url)));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await paymentRows(id)).toHaveLength(1);
    expect((await detail(id)).body.paidFen).toBe(7_777_00);
    sim.notify = true;
  });

  it('refused (non-2xx, FAIL body) and nothing credited: tampered body, tag or AAD, unknown serial, stale timestamp, a SIGNTEST probe', async () => {
    sim.notify = false;
    const id = await one(2_000_00);
    const o = await order(id);
    sim.pay(o.body.outTradeNo);
    const good = () => sim.notification(o.body.outTradeNo);
    const cases: Record<string, { body: string; headers: Record<string, string> }> = {};
    const b = good();
    cases.body = { ...b, body: b.body.replace('"支付成功"', '"支付成功!"') };
    // a flipped tag byte, re-signed by the platform (only the GCM tag check can catch it)
    const t = JSON.parse(good().body);
    const raw = Buffer.from(t.resource.ciphertext, 'base64');
    raw[raw.length - 1]! ^= 0x01;
    t.resource.ciphertext = raw.toString('base64');
    const tagBody = JSON.stringify(t);
    cases.tag = { body: tagBody, headers: { 'Content-Type': 'application/json', ...sim.signedHeaders(tagBody) } };
    const a = JSON.parse(good().body);
    a.resource.associated_data = 'transactioN';
    const aadBody = JSON.stringify(a);
    cases.aad = { body: aadBody, headers: { 'Content-Type': 'application/json', ...sim.signedHeaders(aadBody) } };
    const s = good();
    cases.serial = { ...s, headers: { ...s.headers, 'Wechatpay-Serial': 'PUB_KEY_ID_0000000000000000000000000000000000' } };
    const staleBody = good().body;
    cases.stale = { body: staleBody, headers: { 'Content-Type': 'application/json', ...sim.signedHeaders(staleBody, { timestamp: Math.floor(h.clock.now().getTime() / 1000) - 301 }) } };
    const p = good();
    cases.probe = { ...p, headers: { ...p.headers, 'Wechatpay-Signature': `WECHATPAY/SIGNTEST/${p.headers['Wechatpay-Signature']}` } };
    const results = Object.fromEntries(await Promise.all(Object.entries(cases).map(async ([k, n]) => [k, await notify(n)] as const)));
    expect(Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.status]))).toEqual({ body: 401, tag: 400, aad: 400, serial: 401, stale: 401, probe: 401 });
    for (const r of Object.values(results)) expect(r.body).toEqual({ code: 'FAIL', message: '失败' });
    expect(await paymentRows(id)).toEqual([]);
    expect((await detail(id)).body).toMatchObject({ paidFen: 0, state: 'open' });
    expect((await detail(id)).body.orders[0].state).toBe('open');
    // the genuine one afterwards is credited
    expect((await notify(good())).status).toBe(200);
    expect((await detail(id)).body.paidFen).toBe(2_000_00);
    sim.notify = true;
  });

  it('WeChat Pay rotates its platform certificate mid-stream: the new serial is downloaded once and credits, the old still credits; a serial it does not list is refused', async () => {
    sim.notify = false;
    h.clock.advance(61_000); // past the fetch gap of any download before
    const old = sim.platformSerial;
    const [a, b, c] = [await one(1_100_00), await one(1_200_00), await one(1_300_00)];
    const orders = [await order(a), await order(b), await order(c)];
    for (const o of orders) sim.pay(o.body.outTradeNo);
    const fresh = sim.rotateCertificate();
    const before = sim.server.count('/v3/certificates');
    const [viaNew, viaOld] = await Promise.all([notify(sim.notification(orders[0]!.body.outTradeNo)), notify(sim.notification(orders[1]!.body.outTradeNo, { serial: old }))]);
    expect([viaNew.status, viaOld.status]).toEqual([200, 200]);
    expect((await notify(sim.notification(orders[0]!.body.outTradeNo))).status).toBe(200);
    expect(sim.server.count('/v3/certificates')).toBe(before + 1);
    expect([(await detail(a)).body.paidFen, (await detail(b)).body.paidFen]).toEqual([1_100_00, 1_200_00]);
    expect(await paymentRows(a)).toHaveLength(1);
    // signed with a key WeChat Pay does not list: one more look (past the gap), then refused, nothing credited
    const stranger = sim.issueCertificate();
    sim.withdraw(stranger.serial);
    h.clock.advance(61_000);
    const refused = await notify(sim.notification(orders[2]!.body.outTradeNo, { serial: stranger.serial }));
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ code: 'FAIL', message: '失败' });
    expect((await notify(sim.notification(orders[2]!.body.outTradeNo, { serial: stranger.serial }))).status).toBe(401);
    expect(sim.server.count('/v3/certificates')).toBe(before + 2);
    expect((await detail(c)).body.paidFen).toBe(0);
    expect(sim.platformSerial).toBe(fresh.serial);
    sim.notify = true;
  });

  it('an amount that differs from the order is flagged to finance (a task in its pool), not credited', async () => {
    const id = await one(9_000_00);
    const o = await order(id);
    sim.pay(o.body.outTradeNo, { paidTotal: 1 });
    await waitFor(async () => sim.deliveriesOf(o.body.outTradeNo).some((d) => d.status === 200));
    const d = await detail(id);
    expect(d.body).toMatchObject({ paidFen: 0, state: 'open' });
    expect(d.body.orders[0].state).toBe('mismatch');
    const pool = await api(h.url, 'GET', '/api/v1/tasks?as=pool&status=open', { token: org.token(org.finance) });
    const task = pool.body.items.find((x: { kind: string; subjectId: number }) => x.kind === 'payment.mismatch' && x.subjectId === o.body.id);
    expect(task).toBeTruthy();
    expect(task).toMatchObject({ kindLabel: '微信支付金额不符', assigneePoolLabel: '财务', title: `订单 ${o.body.outTradeNo}` });
    expect(task.lines).toEqual(expect.arrayContaining(['订单金额：¥9,000.00', '通知金额：¥0.01']));
  });

  it('paid by WeChat Pay after a bank transfer settled the instalment: the money is recorded and finance is asked to refund or keep the excess', async () => {
    const id = await one(5_000_00);
    const o = await order(id);
    const voucher = await h.services.attachments.upload(org.finance, 'payment_voucher', Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'));
    const bank = await api(h.url, 'POST', `/api/v1/receivables/${id}/payments`, { token: org.token(org.finance), json: { amountFen: 5_000_00, method: 'bank_transfer', reference: `BANK-OVER-${id}`, paidAt: '2026-11-30', voucherAttachmentId: voucher.id } });
    expect(bank.status).toBe(201);
    // the customer had scanned the QR before the transfer was recorded
    sim.pay(o.body.outTradeNo);
    await waitFor(async () => (await paymentRows(id)).length === 2);
    expect((await detail(id)).body).toMatchObject({ paidFen: 10_000_00, remainingFen: 0, state: 'paid' });
    const pool = await api(h.url, 'GET', '/api/v1/tasks?as=pool&status=open', { token: org.token(org.finance) });
    const task = pool.body.items.find((x: { kind: string; subjectId: number }) => x.kind === 'payment.overpaid' && x.subjectId === o.body.id);
    expect(task).toMatchObject({ kindLabel: '微信支付超额回款', assigneePoolLabel: '财务' });
    expect(task.lines).toEqual(expect.arrayContaining(['应收：¥5,000.00，已收：¥10,000.00，多收 ¥5,000.00']));
    // an instalment paid exactly opens no such task (the first test's receivable)
    expect(pool.body.items.filter((x: { kind: string }) => x.kind === 'payment.overpaid')).toHaveLength(1);
  });

  it('WeChat Pay re-notifies on its schedule until answered 2xx (our server down for the first two)', async () => {
    const id = await one(1_500_00);
    const o = await order(id);
    sim.notifyTarget = 'http://127.0.0.1:9/unreachable';
    sim.pay(o.body.outTradeNo);
    await waitFor(async () => sim.deliveriesOf(o.body.outTradeNo).length >= 2);
    sim.notifyTarget = `${h.url}${NOTIFY_PATH}`;
    await waitFor(async () => sim.deliveriesOf(o.body.outTradeNo).some((d) => d.status === 200));
    const tries = sim.deliveriesOf(o.body.outTradeNo);
    expect(tries.at(-1)!.status).toBe(200);
    expect(tries.slice(0, -1).every((d) => d.status === 0)).toBe(true);
    expect((await detail(id)).body.paidFen).toBe(1_500_00);
  });

  it('no notification ever: the recurring query settles the paid order once', async () => {
    sim.notify = false;
    const id = await one(6_600_00);
    const o = await order(id);
    sim.pay(o.body.outTradeNo);
    h.clock.advance(h.policy.payments.queryAfterMinutes * 60_000 + 1000);
    await h.services.jobs.seedRecurring();
    // the recurring row is due from its seeding: move past it
    h.clock.advance(h.policy.recurring['payments.query_open'].everyMinutes * 60_000);
    await h.services.jobs.runDue();
    expect((await detail(id)).body).toMatchObject({ paidFen: 6_600_00, state: 'paid' });
    expect((await detail(id)).body.orders[0].state).toBe('paid');
    // a late notification afterwards changes nothing
    expect((await notify(sim.notification(o.body.outTradeNo))).status).toBe(200);
    expect(await paymentRows(id)).toHaveLength(1);
    sim.notify = true;
  });
});

describe('the query job holds no transaction while WeChat Pay answers', () => {
  it('a slow WeChat Pay blocks no receivable write; a failed query leaves its order open for the next run', async () => {
    sim.notify = false;
    const [paidId, slowId, failingId, otherId] = [await one(2_100_00), await one(2_200_00), await one(2_300_00), await one(2_400_00)];
    const [paid, slow, failing] = [await order(paidId), await order(slowId), await order(failingId)];
    for (const o of [paid, slow, failing]) sim.pay(o.body.outTradeNo);
    const held = sim.holdQuery(slow.body.outTradeNo);
    sim.failNext(`/v3/pay/transactions/out-trade-no/${failing.body.outTradeNo}`, 'http500', 3); // every attempt of this run
    h.clock.advance(h.policy.payments.queryAfterMinutes * 60_000 + 1000);
    await h.services.jobs.seedRecurring();
    h.clock.advance(h.policy.recurring['payments.query_open'].everyMinutes * 60_000);
    const run = h.services.jobs.runDue();
    await held.arrived; // the job is waiting on WeChat Pay for the slow order, having settled the paid one
    const voucher = await h.services.attachments.upload(org.finance, 'payment_voucher', Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'));
    const record = (id: number, amountFen: number) =>
      api(h.url, 'POST', `/api/v1/receivables/${id}/payments`, { token: org.token(org.finance), json: { amountFen, method: 'bank_transfer', reference: `SLOW-${id}`, paidAt: '2026-11-30', voucherAttachmentId: voucher.id } });
    const inTime = async (p: ReturnType<typeof record>) => {
      const r = await Promise.race([p, new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000).unref())]);
      return r ? { status: r.status, code: r.body?.error?.code } : 'blocked';
    };
    // the receivable the job just settled, and one it never touched: both answered while WeChat Pay is still silent
    expect(await inTime(record(paidId, 100_00))).toEqual({ status: 409, code: 'RECEIVABLE_PAID' });
    expect(await inTime(record(otherId, 400_00))).toEqual({ status: 201, code: undefined });
    held.release();
    await run;
    expect((await detail(paidId)).body).toMatchObject({ paidFen: 2_100_00, state: 'paid' });
    expect((await detail(slowId)).body).toMatchObject({ paidFen: 2_200_00, state: 'paid' });
    expect((await detail(failingId)).body).toMatchObject({ paidFen: 0, orders: [expect.objectContaining({ state: 'open' })] });
    // the next run asks again and settles it, once
    h.clock.advance(h.policy.recurring['payments.query_open'].everyMinutes * 60_000);
    await h.services.jobs.runDue();
    expect((await detail(failingId)).body).toMatchObject({ paidFen: 2_300_00, state: 'paid' });
    expect(await paymentRows(failingId)).toHaveLength(1);
    sim.notify = true;
  });
});

describe('receivables', () => {
  it('finance records a bank transfer with a voucher; bad input names the field and changes nothing', async () => {
    const id = await one(3_000_00);
    const form = (bytes: Buffer, type: string) => {
      const f = new FormData();
      f.append('file', new Blob([bytes], { type }), 'voucher');
      return f;
    };
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    expect((await api(h.url, 'POST', '/api/v1/payment-vouchers', { token: org.token(org.repA), form: form(pdf, 'application/pdf') })).status).toBe(403);
    const refused = await api(h.url, 'POST', '/api/v1/payment-vouchers', { token: org.token(org.finance), form: form(Buffer.from('not a file'), 'text/plain') });
    expect(refused.status).toBe(415);
    const uploaded = await api(h.url, 'POST', '/api/v1/payment-vouchers', { token: org.token(org.finance), form: form(pdf, 'application/pdf') });
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({ contentType: 'application/pdf', size: pdf.length });
    const voucher = uploaded.body as { id: number };
    const post = (json: unknown, who: Member = org.finance) => api(h.url, 'POST', `/api/v1/receivables/${id}/payments`, { token: org.token(who), json });
    const base = { amountFen: 1_000_00, method: 'bank_transfer', reference: `TR-${id}`, paidAt: '2026-11-28', voucherAttachmentId: voucher.id };
    const over = await post({ ...base, amountFen: 3_000_01 });
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ code: 'PAYMENT_EXCEEDS_REMAINING', fields: { amountFen: '金额超过未回款金额 ¥3,000.00' } });
    const future = await post({ ...base, paidAt: '2026-12-02' });
    expect(future.body.error).toMatchObject({ code: 'PAYMENT_DATE_INVALID', fields: { paidAt: '到账日期不能晚于今天' } });
    const noVoucher = await post({ ...base, voucherAttachmentId: undefined });
    expect(noVoucher.status).toBe(422);
    expect(noVoucher.body.error.fields.voucherAttachmentId).toBe('请填写凭证');
    expect((await post({ ...base, amountFen: -5 })).body.error.fields.amountFen).toBe('金额须大于 0');
    expect((await post(base, org.repA)).status).toBe(403);
    expect(await paymentRows(id)).toEqual([]);
    const ok = await post(base);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ paidFen: 1_000_00, remainingFen: 2_000_00, state: 'partly_paid', payments: [{ amountFen: 1_000_00, method: 'bank_transfer', reference: `TR-${id}`, byName: '财务', voucherAttachmentId: voucher.id }] });
    const again = await post(base);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('PAYMENT_REFERENCE_USED');
    // the voucher is seen by whoever sees the receivable
    expect((await api(h.url, 'GET', `/api/v1/attachments/${voucher.id}`, { token: org.token(org.repA) })).status).toBe(200);
    expect((await api(h.url, 'GET', `/api/v1/attachments/${voucher.id}`, { token: org.token(org.repC) })).status).toBe(404);
    const rest = await post({ ...base, amountFen: 2_000_00, reference: `TR2-${id}`, voucherAttachmentId: (await h.services.attachments.upload(org.finance, 'payment_voucher', Buffer.from('%PDF-1.4\n%%EOF\n'))).id });
    expect(rest.body).toMatchObject({ paidFen: 3_000_00, remainingFen: 0, state: 'paid' });
    expect((await post({ ...base, reference: 'X' })).body.error.code).toBe('RECEIVABLE_PAID');
  });

  it('the list: rep own, supervisor team, director region, finance and admin all, marketing not at all; states by the due day', async () => {
    const mine = await receivablesFor(org.repC, [
      { seq: 1, dueDate: '2026-11-20', amountFen: 100_00 }, // overdue (today is 2026-12-01)
      { seq: 2, dueDate: '2026-12-31', amountFen: 200_00 },
    ]);
    const west = await one(300_00, org.repE);
    const ids = (who: Member, q = '') => api(h.url, 'GET', `/api/v1/receivables?pageSize=100${q}`, { token: org.token(who) }).then((r) => r.body.items.map((x: { id: number }) => x.id) as number[]);
    expect(await ids(org.repC)).toEqual(mine.ids);
    expect(await ids(org.supervisor2)).toEqual(mine.ids);
    expect(await ids(org.repA)).not.toContain(mine.ids[0]);
    expect(await ids(org.supervisor1)).not.toContain(mine.ids[0]);
    expect(await ids(org.directorEast)).toEqual(expect.arrayContaining(mine.ids));
    expect(await ids(org.directorEast)).not.toContain(west);
    expect(await ids(org.directorWest)).toEqual([west]);
    expect(await ids(org.finance)).toEqual(expect.arrayContaining([...mine.ids, west]));
    expect(await ids(org.admin)).toEqual(expect.arrayContaining([...mine.ids, west]));
    expect((await api(h.url, 'GET', '/api/v1/receivables', { token: org.token(org.marketing) })).status).toBe(403);
    expect(await ids(org.repC, '&state=overdue')).toEqual([mine.ids[0]]);
    expect(await ids(org.repC, '&state=open')).toEqual([mine.ids[1]]);
    expect((await detail(mine.ids[0]!, org.repA)).status).toBe(404);
    expect((await detail(mine.ids[0]!, org.repC)).body).toMatchObject({ state: 'overdue', remainingFen: 100_00, ownerName: org.repC.name });
    // once the overdue one is paid, what is still owed comes first
    const voucher = await h.services.attachments.upload(org.finance, 'payment_voucher', Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'));
    const paid = await api(h.url, 'POST', `/api/v1/receivables/${mine.ids[0]}/payments`, { token: org.token(org.finance), json: { amountFen: 100_00, method: 'bank_transfer', reference: `BANK-LIST-${mine.ids[0]}`, paidAt: '2026-11-30', voucherAttachmentId: voucher.id } });
    expect(paid.status).toBe(201);
    expect(await ids(org.repC)).toEqual([mine.ids[1], mine.ids[0]]);
    expect((await api(h.url, 'GET', '/api/v1/receivables?state=late', { token: org.token(org.finance) })).body.error.fields.state).toBeTruthy();
  });

  it('who may make and close pay orders: the rep for their own, managers in reach, finance; not marketing or admin', async () => {
    const id = await one(100_00, org.repA);
    const status = async (who: Member) => (await order(id, who)).status;
    expect(await status(org.repB)).toBe(404);
    expect(await status(org.supervisor2)).toBe(404);
    expect(await status(org.directorWest)).toBe(404);
    expect(await status(org.marketing)).toBe(403);
    expect(await status(org.admin)).toBe(403);
    expect(await status(org.repA)).toBe(200);
    expect(await status(org.supervisor1)).toBe(200);
    expect(await status(org.directorEast)).toBe(200);
    expect(await status(org.finance)).toBe(200);
    const o = (await order(id)).body;
    expect((await api(h.url, 'POST', `/api/v1/pay-orders/${o.id}/close`, { token: org.token(org.repB) })).status).toBe(404);
    expect((await api(h.url, 'GET', `/api/v1/pay-orders/${o.id}/qr.png`, { token: org.token(org.repC) })).status).toBe(404);
    expect((await api(h.url, 'POST', `/api/v1/pay-orders/${o.id}/close`, { token: org.token(org.marketing) })).status).toBe(403);
    expect((await api(h.url, 'POST', `/api/v1/receivables/${id}/pay-orders`)).status).toBe(401);
  });

  it('reminders to the rep before and on the due day, the escalation to the supervisor once after the grace; nothing once paid', async () => {
    const { ids } = await receivablesFor(org.repA, [
      { seq: 1, dueDate: '2026-12-10', amountFen: 500_00 },
      { seq: 2, dueDate: '2026-12-10', amountFen: 600_00 },
    ]);
    const kinds = async () =>
      ((await h.db.query("SELECT kind, payload FROM outbox_message WHERE kind LIKE 'receivable.%' ORDER BY id")) as { kind: string; payload: unknown }[])
        .map((m) => ({ kind: m.kind, p: typeof m.payload === 'string' ? JSON.parse(m.payload) : m.payload }))
        .filter((m) => ids.includes(m.p.receivableId))
        .map((m) => `${m.kind}:${m.p.seq}:${m.p.stage ?? m.p.supervisorId}`);
    // seq 2 paid by bank before anything is due
    await withTransaction(h.db, (manager) => h.services.receivables.credit(manager, { receivableId: ids[1]!, amountFen: 600_00, method: 'bank_transfer', reference: `EARLY-${ids[1]}`, paidAt: h.clock.now(), byId: org.finance.id }));
    h.clock.set(new Date('2026-12-07T01:00:01Z')); // 09:00:01 Asia/Shanghai, three days before
    await h.services.jobs.runDue();
    expect(await kinds()).toEqual(['receivable.reminder:1:before']);
    h.clock.set(new Date('2026-12-10T01:00:01Z'));
    await h.services.jobs.runDue();
    expect(await kinds()).toEqual(['receivable.reminder:1:before', 'receivable.reminder:1:due']);
    h.clock.set(new Date('2026-12-18T01:00:01Z')); // due + 7 days grace + 1
    await h.services.jobs.runDue();
    await h2.services.jobs.runDue();
    expect(await kinds()).toEqual(['receivable.reminder:1:before', 'receivable.reminder:1:due', `receivable.overdue:1:${org.supervisor1.id}`]);
    h.clock.set(new Date('2026-12-01T02:00:00Z'));
  });

  it("grading reads the on-time rate: paid late → paymentHistory 0; none due yet → missing (neutral)", async () => {
    const late = await receivablesFor(org.repA, [{ seq: 1, dueDate: '2026-11-25', amountFen: 100_00 }]);
    await withTransaction(h.db, (manager) => h.services.receivables.credit(manager, { receivableId: late.ids[0]!, amountFen: 100_00, method: 'bank_transfer', reference: `LATE-${late.ids[0]}`, paidAt: h.clock.now(), byId: org.finance.id }));
    const onTime = await receivablesFor(org.repA, [{ seq: 1, dueDate: '2026-11-25', amountFen: 100_00 }, { seq: 2, dueDate: '2026-11-28', amountFen: 100_00 }]);
    await withTransaction(h.db, (manager) => h.services.receivables.credit(manager, { receivableId: onTime.ids[0]!, amountFen: 100_00, method: 'cash', reference: `OT-${onTime.ids[0]}`, paidAt: new Date('2026-11-25T15:59:00Z'), byId: org.finance.id }));
    const notYet = await receivablesFor(org.repA, [{ seq: 1, dueDate: '2026-12-25', amountFen: 100_00 }]);
    const grade = (customerId: number) => api(h.url, 'POST', `/api/v1/customers/${customerId}/grade`, { token: org.token(org.repA) });
    const g1 = await grade(late.customerId);
    expect(g1.status).toBe(200);
    expect(g1.body.subScores.paymentHistory).toBe(0);
    expect(g1.body.missing).not.toContain('paymentHistory');
    // one of two due paid by the end of its due day (23:59 Shanghai), the other still unpaid: 50
    expect((await grade(onTime.customerId)).body.subScores.paymentHistory).toBe(50);
    const g3 = await grade(notYet.customerId);
    expect(g3.body.missing).toContain('paymentHistory');
    expect(g3.body.subScores.paymentHistory).toBe(h.policy.grading.neutralScore);
  });
});
