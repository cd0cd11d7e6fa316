// WeChat Pay notification handling: two server instances over one MariaDB, 10 000 signed and encrypted
// notifications (each paid order notified 4 times, twice to each instance, all at once in a pool of
// workers), the throughput and how many receivables were credited more than once (must be 0).
import { randomBytes } from 'node:crypto';
import { withTransaction } from '../server/src/db/transaction';
import { NOTIFY_PATH } from '../server/src/modules/payments';
import { startHarness } from '../tests/support/harness';
import { buildOrg } from '../tests/support/org-fixture';
import { api } from '../tests/support/http';
import { WechatPaySimulator } from '../tests/simulators/wechatpay-sim';
import { percentile } from './stats';

export async function paymentsNotifyBench(notifications = 10_000, perOrder = 4, workers = 64) {
  const sim = await new WechatPaySimulator().start();
  sim.notify = false;
  const h = await startHarness({ env: sim.env('both'), now: new Date() });
  const h2 = await startHarness({ env: sim.env('both'), sharedDatabaseUrl: h.dbUrl, now: new Date() });
  try {
    const org = await buildOrg(h);
    const orders = notifications / perOrder;
    const made = await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.admin), json: { name: '基准回款医院', industry: '公立医院', ownerId: org.repA.id } });
    const customer = made.body.id as number;
    // receivables as the contracts module makes them, 100 instalments a contract
    const ids: number[] = [];
    for (let c = 0; ids.length < orders; c++) {
      const n = Math.min(100, orders - ids.length);
      ids.push(
        ...(await withTransaction(h.db, (m) =>
          h.services.receivables.createForContract(m, { contractId: 700_000 + c, customerId: customer, ownerId: org.repA.id, instalments: Array.from({ length: n }, (_, i) => ({ seq: i + 1, dueDate: '2027-01-31', amountFen: 1_000_00 + i })) }),
        )),
      );
    }
    // their open pay orders (written directly: the bench measures the notification, not ordering) and the payments at WeChat Pay
    const now = h.clock.now();
    const rows = ids.map((id, i) => ({ receivableId: id, outTradeNo: `BENCH${i}_${randomBytes(4).toString('hex')}`, amountFen: 1_000_00 + (i % 100), state: 'open', codeUrl: 'weixin://wxpay/bizpayurl?pr=bench', expiresAt: new Date(now.getTime() + 3600_000), createdById: org.finance.id, createdAt: now }));
    for (let i = 0; i < rows.length; i += 500) await withTransaction(h.db, (m) => m.getRepository('pay_order').insert(rows.slice(i, i + 500)));
    for (const r of rows) {
      sim.orders.set(r.outTradeNo, { outTradeNo: r.outTradeNo, body: '', appid: sim.appId, mchid: sim.mchId, description: '回款', notifyUrl: '', total: r.amountFen, codeUrl: r.codeUrl, state: 'SUCCESS', transactionId: `42${r.outTradeNo}`, successTime: now.toISOString() });
    }
    const queue: { n: { body: string; headers: Record<string, string> }; base: string }[] = [];
    sim.now = () => h.clock.now().getTime();
    for (const r of rows) for (let k = 0; k < perOrder; k++) queue.push({ n: sim.notification(r.outTradeNo, { mode: k % 2 ? 'publicKey' : 'platform' }), base: k % 2 ? h2.url : h.url });
    // interleave so the copies of one notification race each other
    queue.sort(() => Math.random() - 0.5);
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    let resets = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (next < queue.length) {
          const { n, base } = queue[next++]!;
          const s = performance.now();
          let res: Response;
          try {
            res = await fetch(`${base}${NOTIFY_PATH}`, { method: 'POST', headers: n.headers, body: n.body });
            await res.text();
          } catch {
            // a kept-alive socket the server closed as we reused it: WeChat Pay would deliver again, so do we
            resets++;
            queue.push({ n, base });
            continue;
          }
          latencies.push(performance.now() - s);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    const elapsed = performance.now() - t0;
    latencies.sort((a, b) => a - b);
    const delivered = queue.length - resets;
    const [credited] = (await h.db.query("SELECT COUNT(*) AS n FROM receivable_payment WHERE method = 'wechatpay'")) as { n: number }[];
    const [over] = (await h.db.query('SELECT COUNT(*) AS n FROM receivable WHERE paidFen > amountFen')) as { n: number }[];
    const [dup] = (await h.db.query('SELECT COUNT(*) AS n FROM (SELECT receivableId FROM receivable_payment GROUP BY receivableId HAVING COUNT(*) > 1) d')) as { n: number }[];
    const [paid] = (await h.db.query("SELECT COUNT(*) AS n FROM pay_order WHERE state = 'paid'")) as { n: number }[];
    return {
      notifications: delivered, orders, elapsedMs: elapsed, perSecond: (delivered / elapsed) * 1000, p50: percentile(latencies, 50), p95: percentile(latencies, 95),
      resets, statuses: [...statuses].map(([s, n]) => `${s}×${n}`).join(' '), credited: Number(credited!.n), doubleCredits: Number(over!.n) + Number(dup!.n), paidOrders: Number(paid!.n),
    };
  } finally {
    await h2.close();
    await h.close();
    await sim.stop();
  }
}
