import type { Env } from '../config/env';
import type { Policy } from '../config/policy';
import { sqlDate, type Sql } from '../db/sql';
import { agreedActionText, h5Link, instantToWallClock, weappPage, type PageName, type PageParams } from '@anchor/shared';
import type { TodoSnapshot } from '../modules/todos/todo.entity';
import type { DeliveryChannel } from './delivery.entity';
import type { OutboxMessage } from './outbox-message.entity';

export interface PlannedDelivery {
  channel: DeliveryChannel;
  target: string;
  body: Record<string, unknown>;
  subject?: string;
}

interface TodoRow {
  id: number;
  visitId: number | null;
  confirmedAt: Date | string | null;
  confirmedById: number | null;
  snapshot: string;
  assigneeId: number;
  repId: number;
  assigneeWecom: string | null;
  assigneeName: string;
  repWecom: string | null;
  teamId: number | null;
}

interface TeamRow {
  wecomRobotKey: string | null;
  dingtalkRobotToken: string | null;
  dingtalkRobotSecret: string | null;
}

/** WeCom's longest duplicate check: an identical text to the same person within it is shown once. */
const DUPLICATE_CHECK_SECONDS = 4 * 3600;

/**
 * Turns one outbox message into the concrete sends it needs, from the data as it is now: the
 * supervisor's WeCom card, the team robots, the director's escalation, a rep's reminder. A channel
 * that is off or a person without an account there is simply skipped.
 */
export class MessageBuilder {
  constructor(
    private readonly env: Env,
    private readonly policy: Policy,
  ) {}

  private local(iso: string | null | undefined): string {
    if (!iso) return '';
    return instantToWallClock(new Date(iso), this.policy.timeZone).toISOString().slice(0, 16).replace('T', ' ');
  }

  /** A browser link into the app, built from the page table so it opens a page that exists. */
  private link<P extends PageName>(page: P, params: PageParams<P> = {}): string {
    return h5Link(this.env.publicUrl, page, params);
  }

  /** A to-do's link: its visit, where the one who confirms it confirms (or asks to talk). */
  private todoUrl(todo: { id: number; visitId: number | null }): string {
    return todo.visitId ? this.link('visitDetail', { id: todo.visitId, todo: todo.id }) : this.link('todos');
  }

  /** 约定动作 as people read it: 「其他」 with its note. */
  private action(s: TodoSnapshot): string {
    return agreedActionText(s.actionItems.agreedAction, s.actionItems.note);
  }

  private async todo(sql: Sql, where: { visitId?: unknown; todoId?: unknown }): Promise<(TodoRow & { snap: TodoSnapshot }) | null> {
    const byVisit = where.visitId !== undefined && where.visitId !== null;
    const [row] = await sql.rows<TodoRow>(
      `SELECT t.id, t.visitId, t.confirmedAt, t.confirmedById, t.snapshot, t.assigneeId, t.repId, a.wecomUserId AS assigneeWecom, a.name AS assigneeName, r.wecomUserId AS repWecom, r.teamId
       FROM todo t JOIN member a ON a.id = t.assigneeId JOIN member r ON r.id = t.repId WHERE ${byVisit ? 't.visitId' : 't.id'} = ?`,
      [byVisit ? where.visitId : where.todoId],
    );
    return row ? { ...row, id: Number(row.id), snap: JSON.parse(row.snapshot) as TodoSnapshot } : null;
  }

  private async team(sql: Sql, teamId: number | null): Promise<TeamRow | null> {
    if (teamId === null || teamId === undefined) return null;
    const [row] = await sql.rows<TeamRow>('SELECT wecomRobotKey, dingtalkRobotToken, dingtalkRobotSecret FROM team_channel_settings WHERE teamId = ?', [teamId]);
    return row ?? null;
  }

  private async member(sql: Sql, id: unknown): Promise<{ id: number; name: string; wecomUserId: string | null; wechatOpenId: string | null } | null> {
    if (id === null || id === undefined) return null;
    const [row] = await sql.rows<{ id: number; name: string; wecomUserId: string | null; wechatOpenId: string | null }>(
      'SELECT id, name, wecomUserId, wechatOpenId FROM member WHERE id = ? AND deactivatedAt IS NULL',
      [id],
    );
    return row ?? null;
  }

  /** The team robots (WeCom and DingTalk) that are configured, each with the same news in its own format. */
  /**
   * A WeCom app text to one person. Texts carry no task_id, so a resend after an answer was lost
   * (delivered, but we could not know) relies on WeCom's duplicate check to be shown once.
   */
  private wecomText(userId: string, agentid: number, content: string): PlannedDelivery {
    return {
      channel: 'wecom_app',
      target: `wecom_app:${userId}`,
      body: { touser: userId, msgtype: 'text', agentid, text: { content }, enable_duplicate_check: 1, duplicate_check_interval: DUPLICATE_CHECK_SECONDS },
    };
  }

  private robots(teamId: number | null, team: TeamRow | null, news: { title: string; lines: string[]; url: string; button: string }): PlannedDelivery[] {
    const out: PlannedDelivery[] = [];
    if (!team || teamId === null) return out;
    if (team.wecomRobotKey) {
      out.push({
        channel: 'wecom_robot',
        target: `wecom_robot:team:${teamId}`,
        body: {
          msgtype: 'template_card',
          template_card: {
            card_type: 'text_notice',
            source: { desc: '锚点' },
            main_title: { title: news.title.slice(0, 26), desc: news.lines[0] ?? '' },
            sub_title_text: news.lines.slice(1).join('\n').slice(0, 200),
            card_action: { type: 1, url: news.url },
          },
        },
      });
    }
    if (team.dingtalkRobotToken && team.dingtalkRobotSecret) {
      out.push({
        channel: 'dingtalk_robot',
        target: `dingtalk_robot:team:${teamId}`,
        body: {
          msgtype: 'actionCard',
          actionCard: { title: news.title, text: `### ${news.title}\n\n${news.lines.map((l) => `- ${l}`).join('\n')}`, singleTitle: news.button, singleURL: news.url, btnOrientation: '0' },
        },
      });
    }
    return out;
  }

  async plan(sql: Sql, message: Pick<OutboxMessage, 'id' | 'kind' | 'teamId' | 'payload'>): Promise<PlannedDelivery[]> {
    const p = message.payload;
    const agentid = this.env.wecom?.agentId;
    switch (message.kind) {
      case 'todo.card': {
        const todo = await this.todo(sql, p);
        // Already confirmed (in the app, before the card's turn came): a card with live buttons would mislead.
        if (!todo || !agentid || !todo.assigneeWecom || todo.confirmedAt) return [];
        const s = todo.snap;
        return [
          {
            channel: 'wecom_app',
            target: `wecom_app:${todo.assigneeWecom}`,
            subject: `todo:${todo.id}`,
            body: {
              touser: todo.assigneeWecom,
              msgtype: 'template_card',
              agentid,
              template_card: {
                card_type: 'button_interaction',
                source: { desc: '锚点 · 拜访待确认' },
                main_title: { title: s.customer.name.slice(0, 26), desc: `${s.rep.name} · ${s.visit.objective}` },
                horizontal_content_list: [
                  { keyname: '客户痛点', value: s.visit.painPoint.slice(0, 30) },
                  { keyname: '约定动作', value: this.action(s).slice(0, 30) },
                  { keyname: '下次跟进', value: `${this.local(s.actionItems.nextFollowUpAt)} ${s.actionItems.nextFollowUpForm}` },
                ],
                // Tapping the card (not a button) opens the visit in full.
                card_action: { type: 1, url: this.todoUrl(todo) },
                // Unique per app: a retry after an uncertain failure cannot post a second card.
                task_id: `anchor_todo_${todo.id}`,
                button_list: [
                  { text: '确认', style: 1, key: `confirm:${todo.id}` },
                  { text: '需要沟通', style: 2, key: `discuss:${todo.id}` },
                ],
              },
            },
          },
        ];
      }
      case 'todo.group_notice': {
        const todo = await this.todo(sql, p);
        if (!todo) return [];
        const s = todo.snap;
        return this.robots(todo.teamId, await this.team(sql, todo.teamId), {
          title: `待确认：${s.customer.name}`,
          lines: [`${s.rep.name} 拜访 · ${s.visit.objective}`, `约定动作：${this.action(s)}`, `下次跟进：${this.local(s.actionItems.nextFollowUpAt)} ${s.actionItems.nextFollowUpForm}`, `确认人：${todo.assigneeName}`],
          url: this.todoUrl(todo),
          button: '去确认',
        });
      }
      case 'todo.confirmed': {
        const todo = await this.todo(sql, p);
        if (!todo) return [];
        const who = (await this.member(sql, p.confirmedById))?.name ?? '';
        // The group saw 待确认; it also sees that it was confirmed (once: one outbox row per confirm).
        const group = this.robots(todo.teamId, await this.team(sql, todo.teamId), {
          title: `已确认：${todo.snap.customer.name}`,
          lines: [`${todo.snap.rep.name} 拜访 · ${todo.snap.visit.objective}`, `约定动作：${this.action(todo.snap)}`, `确认人：${who}`],
          url: this.todoUrl(todo),
          button: '查看拜访',
        });
        if (!agentid || !todo.assigneeWecom) return group;
        // The card's update goes to the card's own queue (same target), so it leaves after the card even
        // when the card is still waiting (an outage, the per-minute queue); what it does is decided when it
        // goes (resolveAtSend): update the card with its latest response_code, or say 已确认 in a text.
        const update: PlannedDelivery = {
          channel: 'wecom_card_update',
          target: `wecom_app:${todo.assigneeWecom}`,
          subject: `todo:${todo.id}`,
          body: { userids: [todo.assigneeWecom], agentid, button: { replace_name: `已确认 · ${who}`.slice(0, 16) } },
        };
        // A click on a card whose to-do was settled already only greys that card out: the group was told.
        return p.cardOnly ? [update] : [...group, update];
      }
      case 'todo.discuss': {
        // To the rep: the supervisor wants to talk before confirming the next step.
        const todo = await this.todo(sql, p);
        if (!todo || !agentid || !todo.repWecom) return [];
        const s = todo.snap;
        const text = `【需要沟通】${todo.assigneeName} 想先和你聊聊 ${s.customer.name} 的下一步「${this.action(s)}」（${this.local(s.actionItems.nextFollowUpAt)} ${s.actionItems.nextFollowUpForm}），请尽快联系`;
        return [this.wecomText(todo.repWecom, agentid, `${text}\n${this.todoUrl(todo)}`)];
      }
      case 'todo.escalation': {
        const todo = await this.todo(sql, p);
        if (!todo) return [];
        const s = todo.snap;
        const director = await this.member(sql, p.directorId);
        const text = `【超时未确认】${s.customer.name}：${s.rep.name} 的下一步「${this.action(s)}」已超过 ${this.policy.limits.todoConfirmHours} 小时未被 ${todo.assigneeName} 确认`;
        const out: PlannedDelivery[] = [];
        if (agentid && director?.wecomUserId) {
          out.push(this.wecomText(director.wecomUserId, agentid, `${text}\n${this.todoUrl(todo)}`));
        }
        out.push(...this.robots(todo.teamId, await this.team(sql, todo.teamId), { title: `超时未确认：${s.customer.name}`, lines: [text], url: this.todoUrl(todo), button: '查看拜访' }));
        return out;
      }
      case 'todo.escalation_up': {
        // A director's (or admin's) own to-do: to their superior, or with none to the admins; no team group.
        const todo = await this.todo(sql, p);
        if (!todo || !agentid) return [];
        const s = todo.snap;
        const superior = await this.member(sql, p.superiorId);
        const targets = superior
          ? [superior]
          : await sql.rows<{ wecomUserId: string | null }>("SELECT wecomUserId FROM member WHERE role = 'admin' AND deactivatedAt IS NULL ORDER BY id");
        const text = `【超时未确认】${s.customer.name}：${s.rep.name} 的下一步「${this.action(s)}」已超过 ${this.policy.limits.todoConfirmHours} 小时未被 ${todo.assigneeName} 确认`;
        return targets.filter((t) => t.wecomUserId).map((t) => this.wecomText(t.wecomUserId!, agentid, `${text}\n${this.todoUrl(todo)}`));
      }
      case 'customer.visit_waiting': {
        // To the owner at once: the customer moved to 拜访 and a visit waits for them.
        const [customer] = await sql.rows<{ id: number; name: string }>('SELECT id, name FROM customer WHERE id = ?', [p.customerId]);
        const owner = await this.member(sql, p.ownerId);
        if (!customer || !owner?.wecomUserId || !agentid) return [];
        const by = (await this.member(sql, p.changedById))?.name ?? '';
        const text = `【待拜访】${customer.name} 已由 ${by} 移入「拜访」阶段，请尽快完成拜访并填写记录`;
        return [this.wecomText(owner.wecomUserId, agentid, `${text}\n${h5Link(this.env.publicUrl, 'customer', { id: Number(customer.id) })}`)];
      }
      case 'visit.reminder': {
        const [visit] = await sql.rows<{ id: number; customerName: string; agreedAction: string; agreedActionNote: string | null; nextFollowUpAt: Date | string; nextFollowUpForm: string }>(
          'SELECT v.id, c.name AS customerName, v.agreedAction, v.agreedActionNote, v.nextFollowUpAt, v.nextFollowUpForm FROM visit v JOIN customer c ON c.id = v.customerId WHERE v.id = ?',
          [p.visitId],
        );
        const rep = await this.member(sql, p.memberId);
        if (!visit || !rep) return [];
        const when = this.local(sqlDate(visit.nextFollowUpAt)?.toISOString());
        const action = agreedActionText(visit.agreedAction, visit.agreedActionNote);
        const out: PlannedDelivery[] = [];
        const templateId = this.env.wechatReminderTemplateId;
        // One send per consent: take one now; none left means no subscribe message (chat still goes).
        const consented =
          this.env.wechat && templateId && rep.wechatOpenId
            ? (await sql.exec('UPDATE subscribe_consent SET remaining = remaining - 1 WHERE memberId = ? AND templateId = ? AND remaining > 0', [rep.id, templateId])) === 1
            : false;
        if (consented) {
          out.push({
            channel: 'wechat_subscribe',
            target: `wechat:${rep.wechatOpenId}`,
            body: {
              touser: rep.wechatOpenId,
              template_id: templateId,
              // The visit it reminds of: what was agreed, with the customer's name and a way to it.
              page: weappPage('visitDetail', { id: visit.id }),
              data: { thing1: { value: visit.customerName.slice(0, 20) }, time2: { value: when }, thing3: { value: `${action} · ${visit.nextFollowUpForm}`.slice(0, 20) } },
            },
          });
        }
        if (agentid && rep.wecomUserId) {
          out.push(this.wecomText(rep.wecomUserId, agentid, `【跟进提醒】${when} ${visit.nextFollowUpForm}跟进 ${visit.customerName}：${action}\n${this.link('visitDetail', { id: visit.id })}`));
        }
        return out;
      }
      case 'lead.first_touch_overdue': {
        const [customer] = await sql.rows<{ name: string }>('SELECT name FROM customer WHERE id = ?', [p.customerId]);
        const owner = await this.member(sql, p.ownerId);
        const supervisor = await this.member(sql, p.supervisorId);
        if (!customer) return [];
        const text = `【线索未触达】${customer.name} 分配给 ${owner?.name ?? ''} 已超过 ${this.policy.limits.leadFirstTouchHours} 小时仍未首次触达`;
        const out: PlannedDelivery[] = [];
        if (agentid && supervisor?.wecomUserId) out.push(this.wecomText(supervisor.wecomUserId, agentid, `${text}\n${this.link('customer', { id: Number(p.customerId) })}`));
        out.push(...this.robots(message.teamId, await this.team(sql, message.teamId), { title: `线索未触达：${customer.name}`, lines: [text], url: this.link('customer', { id: Number(p.customerId) }), button: '查看客户' }));
        return out;
      }
    }
  }

  /** The 已确认 text for a to-do's assignee, when their card cannot be (or may not have been) changed. */
  private async confirmedText(sql: Sql, todo: TodoRow & { snap: TodoSnapshot }, agentid: number): Promise<PlannedDelivery> {
    const who = (await this.member(sql, todo.confirmedById))?.name ?? '';
    return this.wecomText(todo.assigneeWecom!, agentid, `已确认 · ${who}：${todo.snap.customer.name} 的下一步「${this.action(todo.snap)}」\n${this.todoUrl(todo)}`);
  }

  /**
   * What a to-do's card, or its update, does when its turn comes (not when it was planned: the card may
   * have waited through an outage while the to-do was confirmed in the app):
   * - the card of a to-do confirmed since is not sent; if an earlier attempt may have reached WeCom (it was
   *   tried, the answer never came), a 已确认 text goes instead; if a click already came back from it, it
   *   is out there and its update (behind it) greys it out;
   * - an update uses the card's latest response_code (from the send or a click); with none (a resend
   *   answered 40099 without one), or if WeCom refuses the code (used, past 72 h), the text goes instead;
   *   a card never shown needs no update.
   * Other deliveries go as planned.
   */
  async resolveAtSend(sql: Sql, d: { id: number; channel: DeliveryChannel; subject: string | null; body: Record<string, unknown>; attempts: number }): Promise<SendPlan> {
    const todoId = /^todo:(\d+)$/.exec(d.subject ?? '')?.[1];
    const agentid = this.env.wecom?.agentId;
    const isCard = d.channel === 'wecom_app' && d.body.msgtype === 'template_card';
    if (!todoId || !agentid || (!isCard && d.channel !== 'wecom_card_update')) return { kind: 'send', channel: d.channel, body: d.body };
    const todo = await this.todo(sql, { todoId });
    if (isCard) {
      if (!todo) return { kind: 'skip', reason: '待办已不存在，卡片不再发送' };
      if (!todo.confirmedAt) return { kind: 'send', channel: d.channel, body: d.body };
      const [own] = await sql.rows<{ responseCode: string | null }>('SELECT responseCode FROM delivery WHERE id = ?', [d.id]);
      if (own?.responseCode) return { kind: 'delivered', reason: '待办已确认；卡片此前已送达（已收到其点击），由后续更新置为已确认' };
      if (d.attempts > 0 && todo.assigneeWecom) return { kind: 'send', channel: 'wecom_app', body: (await this.confirmedText(sql, todo, agentid)).body, note: '待办已确认；此前的发送可能已送达卡片，改发「已确认」文字' };
      return { kind: 'skip', reason: '待办已确认，卡片不再发送' };
    }
    if (!todo?.assigneeWecom) return { kind: 'skip', reason: '待办已不存在，无需更新卡片' };
    const [card] = await sql.rows<{ status: string; responseCode: string | null; body: string }>(
      "SELECT status, responseCode, body FROM delivery WHERE subject = ? AND channel = 'wecom_app' ORDER BY id DESC LIMIT 1",
      [d.subject],
    );
    // A code means a card is out there (the send answered one, or a click came back from it).
    if (card?.responseCode) {
      return { kind: 'send', channel: 'wecom_card_update', body: { ...d.body, response_code: card.responseCode }, fallback: (await this.confirmedText(sql, todo, agentid)).body };
    }
    const cardShown = card && card.status === 'sent' && (JSON.parse(card.body) as { msgtype?: string }).msgtype === 'template_card';
    if (!cardShown) return { kind: 'skip', reason: '卡片未发出（或已改发文字），无需更新' };
    return { kind: 'send', channel: 'wecom_app', body: (await this.confirmedText(sql, todo, agentid)).body, note: '卡片没有可用的 response_code，改发「已确认」文字' };
  }
}

/**
 * What the dispatcher does with a delivery when its turn comes: send it (maybe changed, with a text to
 * send instead if WeCom refuses it), record it as delivered without a call, or leave it unsent.
 */
export type SendPlan =
  | { kind: 'send'; channel: DeliveryChannel; body: Record<string, unknown>; fallback?: Record<string, unknown>; note?: string }
  | { kind: 'delivered'; reason: string }
  | { kind: 'skip'; reason: string };
