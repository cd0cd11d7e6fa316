import type { Server } from 'node:http';
import { buildApp } from './app';
import { answerClientErrors } from './http/client-error';
import { systemClock } from './clock';
import { EnvError, readEnv } from './config/env';
import { ConfigError, loadPolicy } from './config/policy';
import { openDatabase } from './db/data-source';
import { isDemoDatabase, isEmpty, seedDemo } from './demo/seed';
import { seedMaterialsForDemo } from './modules/materials';
import { seedReceivableDemo } from './modules/receivables';
import { seedContractsForDemo } from './modules/contracts';
import { seedRebatesForDemo } from './modules/rebates';
import { seedCampaignsForDemo } from './modules/campaigns';
import { pointSandboxAt, sandboxWecomEnv } from './channels/sandbox/sandbox';
import { WechatPaySandbox } from './channels/sandbox/wechatpay-sandbox';
import { createLogger } from './logger';
import { ROLE_LABELS, holidayWarnings, localDay } from '@anchor/shared';

async function main(): Promise<void> {
  let env;
  let policy;
  try {
    env = readEnv();
    policy = loadPolicy();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof EnvError) {
      console.error(`锚点无法启动：${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger();
  const clock = systemClock;
  const db = await openDatabase({ url: env.databaseUrl, dataDir: env.dataDir, poolSize: env.databasePoolSize, limits: policy.database });
  const where = env.databaseUrl ? env.databaseUrl.replace(/\/\/[^@]*@/, '//***@') : `${env.dataDir}/anchor.sqlite (embedded SQLite)`;

  let demoLogins: Awaited<ReturnType<typeof seedDemo>> | null = null;
  if (env.demo && (await isEmpty(db))) demoLogins = await seedDemo(db, policy, clock);
  else if (env.demo && !env.demoForced && !(await isDemoDatabase(db))) {
    console.error(
      `锚点无法启动：ANCHOR_DEMO=1，但该数据库（${where}）不是演示数据创建的。演示模式开放 dev-login 和消息沙盒，` +
        '不应用于真实数据。请去掉 ANCHOR_DEMO，或改用空数据库；确要在此数据库上开启演示模式，请设置 ANCHOR_DEMO=force。',
    );
    await db.destroy();
    process.exit(1);
  }

  // The demo without WeCom credentials gets a WeCom of its own at /sandbox/.
  const sandbox = env.demo && !env.wecom;
  if (sandbox) {
    env.wecom = sandboxWecomEnv();
    env.offChannels = env.offChannels.filter((c) => !c.channel.startsWith('WeCom'));
  }
  // ... and a WeChat Pay of its own at /sandbox/wechatpay/ (pay a receivable by clicking)
  const wechatPaySandbox = env.demo && !env.wechatPay ? new WechatPaySandbox(env.dataDir, logger) : undefined;
  if (wechatPaySandbox) {
    env.wechatPay = wechatPaySandbox.env;
    env.offChannels = env.offChannels.filter((c) => !c.channel.startsWith('WeChat Pay'));
  }
  const { app, services } = buildApp({ db, policy, env, clock, logger, sandbox, wechatPaySandbox });
  // the demo's materials need the file store, which the services hold
  if (demoLogins) await seedMaterialsForDemo(db, clock, services, policy.grading.strategies.supportPack?.tag ?? null);
  // receivables in every state (paid, overdue, partly paid, due soon), payable in the WeChat Pay sandbox
  if (demoLogins) await seedReceivableDemo(db, policy, clock, services);
  // contracts in every state, through the real flows (approval steps, 签约, marketing's answer with a material)
  if (demoLogins) await seedContractsForDemo(db, services);
  // the rebate rule table and requests in every state (finance decides them through the task engine)
  if (demoLogins) await seedRebatesForDemo(db, clock, services);
  // a running campaign launched 12 days ago: steps done by the demo's visits, overdue ones, one open exception
  if (demoLogins) await seedCampaignsForDemo(db, policy, clock, services);
  // (A fresh demo's grade history is seeded; the 72 h regrade's first run, due at the first start, tells the
  // strategies' story: the customers whose inputs moved after their last run push the pack or open a review.)
  const server: Server = app.listen(env.port, env.host);
  answerClientErrors(server);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.port;
  const base = `http://localhost:${port}`;
  if (sandbox) pointSandboxAt(env, `http://127.0.0.1:${port}`);
  wechatPaySandbox?.pointAt(`http://127.0.0.1:${port}`);
  // Chat links name this server; with PORT=0 only the listening socket knows its port.
  if (!process.env.PUBLIC_URL) env.publicUrl = base;
  // Timers and the outbox start once the server (and the sandbox) can be reached. Periodic work (the
  // photo sweep, forgetting old callback nonces) is job rows too, seeded by jobs.start(): one server runs each.
  // Every server verifies WeChat Pay's signatures with its own copy of the platform certificates.
  services.payments.certificates?.start();
  if (env.background) {
    services.jobs.start();
    services.outbox.start(policy.jobs.pollSeconds);
  }

  const lines = [
    '',
    `锚点 Anchor listening on ${base}  (database: ${where}${env.demo ? ', demo mode' : ''})`,
    `  app         ${base}/app/   (the mini-program's H5 build; also the web console)`,
    `  address     ${env.host}:${port}${env.demo && env.host === '127.0.0.1' ? '   (this machine only; HOST=0.0.0.0 lets the network in)' : ''}`,
    `  health      ${base}/healthz`,
    `  API         ${base}/api/v1   (OpenAPI: ${base}/api/v1/openapi.json)`,
    ...(sandbox ? [`  sandbox     ${base}/sandbox/   (WeCom cards and escalations, without any account)`] : []),
    ...(wechatPaySandbox ? [`  wechatpay   ${base}/sandbox/wechatpay/   (WeChat Pay stand-in: pay a receivable's QR code by clicking)`] : []),
  ];
  for (const off of env.offChannels) lines.push(`  channel off ${off.channel}: set ${off.missing.join(', ')}`);
  // Refused credentials show at once: their messages wait (queued, not failed) until they work again.
  try {
    await services.probeCredentials();
    for (const c of await services.channelStatus()) {
      if (c.healthy) continue;
      lines.push(`  channel down ${c.channel} since ${c.since ?? '?'}: ${c.reason} (${c.pendingCount} waiting)`);
      logger.error({ channel: c.channel, reason: c.reason, since: c.since, pendingCount: c.pendingCount }, 'chat channel unhealthy at start-up');
    }
  } catch (error) {
    logger.error({ err: error }, 'channel health check at start-up failed');
  }
  // What only a person can fill (next year's holidays): said where an operator looks, as the app's admin page does.
  for (const w of holidayWarnings(policy.checkins, localDay(clock.now(), policy.timeZone))) {
    lines.push(`  policy todo ${w.message}`);
    logger.warn({ key: w.key }, w.message);
  }
  if (env.demo) {
    lines.push(`  demo login  curl -X POST ${base}/api/v1/auth/dev-login -H 'content-type: application/json' -d '{"phone":"13800000101"}'`);
    if (demoLogins) {
      for (const l of demoLogins.logins) lines.push(`    ${l.phone}  ${ROLE_LABELS[l.role]}  ${l.name}${l.team ? ` (${l.team})` : ''}`);
      lines.push(`    team invite code (first WeChat login): ${demoLogins.teamInvite}`);
    } else lines.push('    (existing demo data kept; phones 13800000000 admin, 13800000001 director, 13800000011 supervisor, 13800000101 rep)');
  }
  console.log(lines.join('\n'));

  const stop = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    // A pass stuck on a slow channel must not keep the process alive.
    setTimeout(() => process.exit(0), 10_000).unref();
    server.close();
    server.closeIdleConnections();
    services.payments.certificates?.stop();
    await services.jobs.stop();
    await services.outbox.stop();
    await db.destroy().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  console.error('锚点启动失败：', error);
  process.exit(1);
});
