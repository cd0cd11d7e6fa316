import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import YAML from 'yaml';
import { loginAs as loginAsIn, shot, TINY_PNG } from './browser';
import { productInBrowser } from './product';
import { api } from '../support/http';

// Every kind of link the server sends, taken from what it actually queued for WeCom, DingTalk and
// the invite/QR endpoints, opened in Chromium: each must show the screen it names (the visit with
// its customer and, for the one who confirms, the 确认 button; the customer; the visit form; login).
const app = productInBrowser(() => ({ ANCHOR_POLICY: digestDueTodayPolicy() }));

/** Shanghai's date and ISO weekday (1 = Monday) now. */
function localToday(): { day: string; weekday: number } {
  const local = new Date(Date.now() + 8 * 3_600_000);
  return { day: local.toISOString().slice(0, 10), weekday: local.getUTCDay() || 7 };
}

/**
 * The shipped policy with the weekly digest due at 00:00 today (a working day, whatever today is), so the
 * digest card is produced as on a Monday morning and its link can be opened like every other.
 */
function digestDueTodayPolicy(): string {
  const policy = YAML.parse(readFileSync(path.resolve(__dirname, '../../config/policy.yaml'), 'utf8'));
  const { day, weekday } = localToday();
  policy.weeklyDigest = { ...policy.weeklyDigest, weekday, time: '00:00', catchUpHours: 24 };
  // timers made due by the test are picked up within a second, not the shipped five
  policy.jobs = { ...policy.jobs, pollSeconds: 1 };
  policy.checkins.holidays = (policy.checkins.holidays as string[]).filter((d) => d !== day);
  if (!policy.checkins.workingWeekdays.includes(weekday)) policy.checkins.makeUpWorkdays = [...policy.checkins.makeUpWorkdays, day];
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'anchor-links-')), 'policy.yaml');
  writeFileSync(file, YAML.stringify(policy));
  return file;
}

const REP = '13800000101';
const SUPERVISOR = '13800000011';
const DIRECTOR = '13800000001';
const NOTE = '带院长参观样板间';
const VIEWPORTS = [
  { name: '390', width: 390, height: 844 },
  { name: '1440', width: 1440, height: 900 },
];

interface DeliveryRow {
  id: number;
  channel: string;
  target: string;
  body: Record<string, any>;
}
type Screen = { kind: 'visit'; confirm: boolean } | { kind: 'customer'; name: string } | { kind: 'visitForm' } | { kind: 'login' } | { kind: 'dashboards'; scope: string; period: string };
interface Link {
  name: string;
  url: string;
  as: string | null;
  screen: Screen;
}

const base = () => app.product.server.url;
const tokens = new Map<string, string>();
async function token(phone: string): Promise<string> {
  if (!tokens.has(phone)) tokens.set(phone, (await api(base(), 'POST', '/api/v1/auth/dev-login', { json: { phone } })).body.token);
  return tokens.get(phone)!;
}

let firstDelivery = 0;
/** The first delivery queued since the test began that matches, as the outbox wrote it. */
async function delivered(what: string, match: (d: DeliveryRow) => boolean, timeoutMs = 30_000): Promise<DeliveryRow> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rows = await app.product.query<{ id: number; channel: string; target: string; body: string }>('SELECT id, channel, target, body FROM delivery WHERE id > ? ORDER BY id', [firstDelivery]);
    const found = rows.map((r) => ({ ...r, body: typeof r.body === 'string' ? JSON.parse(r.body) : r.body })).find(match);
    if (found) return found;
    if (Date.now() > until) throw new Error(`no delivery for ${what}; queued: ${rows.map((r) => `${r.channel}→${r.target}`).join(', ')}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
const textLink = (d: DeliveryRow) => /https?:\/\/\S+/.exec(d.body.text.content as string)![0];
/** Make a pending timer due now; the server's job runner picks it up on its next look. */
const dueNow = (kind: string, subject: string) => app.product.query("UPDATE job SET dueAt = ? WHERE kind = ? AND subject = ? AND status = 'pending'", [new Date(Date.now() - 60_000), kind, subject]);

/** Tomorrow 10:00 in Shanghai, as the visit form sends it. */
const tomorrow = () => new Date(Date.now() + 8 * 3_600_000 + 86_400_000).toISOString().slice(0, 10);

let customerName: string;
let leadName: string;
let visitId: number;
let todoId: number;
const links: Link[] = [];

async function expectScreen(page: Page, link: Link) {
  const s = link.screen;
  if (s.kind === 'visit') {
    await page.waitForSelector('#visit-customer-name', { timeout: 20_000 });
    expect((await page.textContent('#visit-customer-name'))!.trim()).toBe(customerName);
    await page.waitForFunction((note) => (globalThis as any).document.body.innerText.includes(`其他（${note}）`), NOTE, { timeout: 10_000 });
    expect(await page.isVisible('#detail-photos')).toBe(true);
    if (s.confirm) expect(await page.isVisible('#confirm-todo')).toBe(true);
    else expect(await page.$('#confirm-todo')).toBeNull();
  } else if (s.kind === 'customer') {
    await page.waitForSelector('#customer-name', { timeout: 20_000 });
    expect((await page.textContent('#customer-name'))!.trim()).toBe(s.name);
  } else if (s.kind === 'dashboards') {
    await page.waitForSelector('#dash-scope', { timeout: 20_000 });
    expect((await page.textContent('#dash-scope'))!.trim()).toBe(`${s.scope} · ${s.period}`);
    // the figures themselves load: the overdue counter the card reports is on the page
    await page.waitForSelector('#dash-pipeline', { timeout: 20_000 });
  } else if (s.kind === 'visitForm') {
    await page.waitForSelector('#submit-visit', { timeout: 20_000 });
  } else {
    await page.waitForSelector('#login', { timeout: 20_000 });
  }
}

beforeAll(async () => {
  const [{ maxId }] = await app.product.query<{ maxId: number | null }>('SELECT MAX(id) AS maxId FROM delivery');
  firstDelivery = Number(maxId ?? 0);
  const rep = await token(REP);
  // The rep's team also posts to a DingTalk robot (its sends fail here, offline; what was queued is what counts).
  await app.product.query("UPDATE team_channel_settings SET dingtalkRobotToken = ?, dingtalkRobotSecret = ? WHERE teamId = (SELECT teamId FROM member WHERE phone = ?)", ['d'.repeat(64), 'SEC0123456789abcdef', REP]);
  const suffix = String(Date.now()).slice(-6);
  customerName = `链接验证医院${suffix}`;
  leadName = `链接线索医院${suffix}`;
  const customer = await api(base(), 'POST', '/api/v1/customers', { token: rep, json: { name: customerName, industry: '公立医院', stage: 'proposal' } });
  expect(customer.status).toBe(201);
  const form = new FormData();
  form.append('file', new Blob([TINY_PNG], { type: 'image/png' }), 'site.png');
  const photo = await api(base(), 'POST', '/api/v1/photos', { token: rep, form });
  expect(photo.status).toBe(201);
  const visit = await api(base(), 'POST', '/api/v1/visits', {
    token: rep,
    headers: { 'idempotency-key': `links-${suffix}` },
    json: {
      customerId: customer.body.id, objective: '推进方案', painPoint: '设备安装调试太慢，影响手术排期', dialogueSummary: '王主任认可快速安装服务，希望看到三甲医院的实际案例',
      bottleneck: '集采降价压力', valuePoint: '48 小时完成安装调试', agreedAction: '其他', agreedActionNote: NOTE,
      nextFollowUpDate: tomorrow(), nextFollowUpTime: '10:00', nextFollowUpForm: '上门', alert: true, customerVerbatim: '两天能装好我们就换', photoIds: [photo.body.id],
    },
  });
  expect(visit.status).toBe(201);
  visitId = visit.body.id;
  [{ id: todoId }] = await app.product.query<{ id: number }>('SELECT id FROM todo WHERE visitId = ?', [visitId]);
  const aboutTodo = (url: string) => url.includes(`todo=${todoId}`);

  const card = await delivered('the supervisor\u2019s card', (d) => d.channel === 'wecom_app' && d.body.msgtype === 'template_card' && d.body.template_card.task_id === `anchor_todo_${todoId}`);
  links.push({ name: 'wecom-card', url: card.body.template_card.card_action.url, as: SUPERVISOR, screen: { kind: 'visit', confirm: true } });
  const robot = await delivered('the group robot card', (d) => d.channel === 'wecom_robot' && aboutTodo(d.body.template_card.card_action.url) && d.body.template_card.main_title.title.startsWith('待确认'));
  links.push({ name: 'wecom-robot', url: robot.body.template_card.card_action.url, as: SUPERVISOR, screen: { kind: 'visit', confirm: true } });
  const ding = await delivered('the DingTalk ActionCard', (d) => d.channel === 'dingtalk_robot' && aboutTodo(d.body.actionCard.singleURL));
  links.push({ name: 'dingtalk-actioncard', url: ding.body.actionCard.singleURL, as: SUPERVISOR, screen: { kind: 'visit', confirm: true } });

  expect((await api(base(), 'POST', `/api/v1/todos/${todoId}/discuss`, { token: await token(SUPERVISOR), json: {} })).status).toBe(200);
  const discuss = await delivered('需要沟通', (d) => d.channel === 'wecom_app' && d.body.msgtype === 'text' && d.body.text.content.startsWith('【需要沟通】') && aboutTodo(d.body.text.content));
  links.push({ name: 'discuss', url: textLink(discuss), as: REP, screen: { kind: 'visit', confirm: false } });

  await dueNow('todo.escalate', `visit:${visitId}`);
  const escalation = await delivered('the director\u2019s escalation', (d) => d.channel === 'wecom_app' && d.target === `wecom_app:demo_${DIRECTOR}` && aboutTodo(d.body.text?.content ?? ''));
  links.push({ name: 'escalation-director', url: textLink(escalation), as: DIRECTOR, screen: { kind: 'visit', confirm: false } });

  await dueNow('visit.reminder', `visit:${visitId}`);
  const reminder = await delivered('the reminder', (d) => d.channel === 'wecom_app' && d.body.msgtype === 'text' && d.body.text.content.startsWith('【跟进提醒】') && d.body.text.content.includes(customerName));
  links.push({ name: 'reminder', url: textLink(reminder), as: REP, screen: { kind: 'visit', confirm: false } });

  const lead = await api(base(), 'POST', '/api/v1/customers', { token: rep, json: { name: leadName, industry: '公立医院', stage: 'lead' } });
  expect(lead.status).toBe(201);
  await app.product.query('UPDATE customer SET firstTouchDueAt = ? WHERE id = ?', [new Date(Date.now() - 60_000), lead.body.id]);
  await dueNow('lead.first_touch_due', `customer:${lead.body.id}`);
  const overdue = await delivered('the untouched lead', (d) => d.channel === 'wecom_robot' && d.body.template_card.main_title.title === `线索未触达：${leadName}`);
  links.push({ name: 'lead-overdue', url: overdue.body.template_card.card_action.url, as: SUPERVISOR, screen: { kind: 'customer', name: leadName } });

  const qr = await api(base(), 'GET', `/api/v1/customers/${customer.body.id}/qr.png`, { token: rep });
  links.push({ name: 'customer-qr', url: decodeURI(qr.headers.get('x-h5-url')!), as: REP, screen: { kind: 'visitForm' } });
  const [{ teamId }] = await app.product.query<{ teamId: number }>('SELECT teamId FROM member WHERE phone = ?', [SUPERVISOR]);
  const invite = await api(base(), 'POST', '/api/v1/invites', { token: await token(SUPERVISOR), json: { teamId } });
  expect(invite.status).toBe(201);
  links.push({ name: 'invite', url: invite.body.url, as: null, screen: { kind: 'login' } });

  // Monday's digest (due today under this policy): the director's card opens the region's dashboards on last week
  await app.product.query("UPDATE job SET dueAt = ? WHERE recurring = 'dashboards.weekly_digest' AND status = 'pending'", [new Date(Date.now() - 60_000)]);
  const digest = await delivered('the director\u2019s weekly digest', (d) => d.channel === 'wecom_app' && d.target === `wecom_app:demo_${DIRECTOR}` && d.body.template_card?.task_id?.startsWith('anchor_digest_'));
  const digestUrl = digest.body.template_card.card_action.url as string;
  const params = new URLSearchParams(digestUrl.slice(digestUrl.indexOf('?') + 1));
  const year = localToday().day.slice(0, 4);
  const short = (d: string) => (d.startsWith(year) ? d.slice(5) : d);
  links.push({ name: 'weekly-digest', url: digestUrl, as: DIRECTOR, screen: { kind: 'dashboards', scope: '本大区', period: `${short(params.get('from')!)} 至 ${short(params.get('to')!)}` } });
}, 300_000);

describe.each(VIEWPORTS)('every link the server sends opens its screen ($name px)', (viewport) => {
  const contexts = new Map<string, BrowserContext>();
  async function contextFor(phone: string | null): Promise<BrowserContext> {
    const key = phone ?? 'anonymous';
    if (!contexts.has(key)) {
      const context = await app.browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
      if (phone) await (await loginAsIn(context, base(), phone)).close();
      contexts.set(key, context);
    }
    return contexts.get(key)!;
  }
  afterAll(async () => {
    for (const context of contexts.values()) await context.close();
  });

  it('opens each link as the person it was sent to and sees what it names', async () => {
    expect(links.map((l) => l.name)).toEqual(['wecom-card', 'wecom-robot', 'dingtalk-actioncard', 'discuss', 'escalation-director', 'reminder', 'lead-overdue', 'customer-qr', 'invite', 'weekly-digest']);
    for (const link of links) {
      expect(link.url.startsWith(`${base()}/app/#/`)).toBe(true);
      const page = await (await contextFor(link.as)).newPage();
      try {
        await page.goto(link.url);
        await expectScreen(page, link);
        await shot(page, `link-${link.name}-${viewport.name}`);
      } finally {
        await page.close();
      }
    }
  }, 240_000);
});

describe('inside the app, the visit opens from', () => {
  it('a to-do card (the supervisor’s 待办) and a timeline entry (the customer page)', async () => {
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      await (await loginAsIn(context, base(), SUPERVISOR)).close();
      const page = await context.newPage();
      await page.goto(`${base()}/app/#/pages/todos/index`);
      await page.waitForSelector(`#open-visit-${todoId}`, { timeout: 20_000 });
      await page.click(`#open-visit-${todoId}`);
      await expectScreen(page, { name: 'todo-card', url: '', as: SUPERVISOR, screen: { kind: 'visit', confirm: true } });
      await shot(page, 'visit-detail-from-todo-390');
      const [{ customerId }] = await app.product.query<{ customerId: number }>('SELECT customerId FROM visit WHERE id = ?', [visitId]);
      await page.goto(`${base()}/app/#/pages/customer/index?id=${customerId}`);
      await page.waitForSelector('.timeline-item--visit.timeline-item--link', { timeout: 20_000 });
      await page.click('.timeline-item--visit.timeline-item--link .timeline-item__title');
      await expectScreen(page, { name: 'timeline', url: '', as: SUPERVISOR, screen: { kind: 'visit', confirm: true } });
    } finally {
      await context.close();
    }
  }, 120_000);
});

describe('from the link to the confirm', () => {
  it('a link opened without a session goes through login and lands on the screen it named (a visit, a customer)', async () => {
    for (const name of ['wecom-robot', 'lead-overdue']) {
      const context = await app.browser.newContext({ viewport: { width: 390, height: 844 } });
      try {
        const page = await context.newPage();
        const link = links.find((l) => l.name === name)!;
        await page.goto(link.url);
        // the login page the person sees (a page closed by reLaunch can linger hidden in the DOM on H5)
        await page.locator('#login:visible').waitFor({ timeout: 20_000 });
        await page.locator('#phone:visible input').fill(SUPERVISOR);
        await page.locator('#login:visible').click();
        await expectScreen(page, link);
        await shot(page, `link-${name}-after-login-390`);
      } finally {
        await context.close();
      }
    }
  }, 120_000);

  it('the supervisor confirms on the visit the card opened; the group then gets one 已确认 post that opens the visit', async () => {
    // the wide screen first: once confirmed (on the phone), the 确认 button is gone
    for (const viewport of [...VIEWPORTS].reverse()) {
      const context = await app.browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
      try {
        await (await loginAsIn(context, base(), SUPERVISOR)).close();
        const page = await context.newPage();
        await page.goto(links.find((l) => l.name === 'wecom-card')!.url);
        await page.waitForSelector('#confirm-todo', { timeout: 20_000 });
        await shot(page, `visit-detail-${viewport.name}`);
        // the lower half: the customer's words, the photos (tap to enlarge) and the way back
        await page.locator('#visit-detail-back').scrollIntoViewIfNeeded();
        // the photo arrives after the text (its own request): waited for, not sampled once
        await page.waitForSelector('#detail-photos img', { state: 'visible', timeout: 10_000 });
        await shot(page, `visit-detail-bottom-${viewport.name}`);
        if (viewport.name === '390') {
          await page.click('#confirm-todo');
          await page.waitForFunction(() => (globalThis as any).document.querySelector('#visit-todo')?.innerText.includes('已确认'), undefined, { timeout: 10_000 });
          expect(await page.$('#confirm-todo')).toBeNull();
          await shot(page, 'visit-detail-confirmed-390');
        }
      } finally {
        await context.close();
      }
    }
    const [row] = await app.product.query<{ confirmedVia: string }>('SELECT confirmedVia FROM todo WHERE id = ?', [todoId]);
    expect(row!.confirmedVia).toBe('app');
    const confirmed = await delivered('已确认', (d) => d.channel === 'wecom_robot' && d.body.template_card.main_title.title === `已确认：${customerName}`);
    for (const viewport of VIEWPORTS) {
      const context = await app.browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
      try {
        await (await loginAsIn(context, base(), REP)).close();
        const page = await context.newPage();
        await page.goto(confirmed.body.template_card.card_action.url);
        await expectScreen(page, { name: 'confirmed', url: '', as: REP, screen: { kind: 'visit', confirm: false } });
        await page.waitForFunction(() => (globalThis as any).document.querySelector('#visit-todo')?.innerText.includes('已确认'), undefined, { timeout: 10_000 });
        await shot(page, `link-confirmed-${viewport.name}`);
      } finally {
        await context.close();
      }
    }
    const posts = await app.product.query<{ n: number }>("SELECT COUNT(*) AS n FROM delivery WHERE channel = 'wecom_robot' AND id > ? AND body LIKE ?", [firstDelivery, `%已确认：${customerName}%`]);
    expect(Number(posts[0]!.n)).toBe(1);
  }, 180_000);
});
