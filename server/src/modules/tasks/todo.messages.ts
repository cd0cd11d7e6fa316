import { agreedActionText } from '@anchor/shared';
import { SQL, type Sql } from '../../db/sql';
import type { MessageKit, MessagePerson } from '../../outbox/message-kit';
import type { PlannedDelivery, SendPlan } from '../../outbox/message-builder';
import type { MessagePlanner, SendResolver } from '../module';
import type { TodoSnapshot } from './todo.view';

interface TodoRow {
  id: number;
  visitId: number | null;
  confirmedAt: Date | string | null;
  confirmedById: number | null;
  snapshot: string;
  assigneeId: number;
  repId: number;
}

interface TodoForMessage extends TodoRow {
  snap: TodoSnapshot;
  assignee: MessagePerson | null;
  rep: MessagePerson | null;
  assigneeWecom: string | null;
  assigneeName: string;
  repWecom: string | null;
  /** the rep's team: its group robots carry the to-do's news */
  teamId: number | null;
}

async function loadTodo(sql: Sql, kit: MessageKit, where: { visitId?: unknown; todoId?: unknown }): Promise<TodoForMessage | null> {
  const byVisit = where.visitId !== undefined && where.visitId !== null;
  const [row] = await sql.rows<TodoRow>(
    SQL`SELECT id, subjectId AS visitId, completedAt AS confirmedAt, completedById AS confirmedById, snapshot, assigneeId, requesterId AS repId FROM task
     WHERE ${byVisit ? "subjectType = 'visit' AND subjectId" : 'id'} = ? AND kind = 'visit_next_action' ORDER BY id DESC LIMIT 1`,
    [byVisit ? where.visitId : where.todoId],
  );
  if (!row) return null;
  // Whoever they are now, active or not: a to-do already planned still names its people.
  const [assignee, rep] = await Promise.all([kit.person(sql, row.assigneeId), kit.person(sql, row.repId)]);
  return {
    ...row,
    id: Number(row.id),
    snap: JSON.parse(row.snapshot) as TodoSnapshot,
    assignee,
    rep,
    assigneeWecom: assignee?.wecomUserId ?? null,
    assigneeName: assignee?.name ?? '',
    repWecom: rep?.wecomUserId ?? null,
    teamId: rep?.teamId ?? null,
  };
}

/** A to-do's link: its visit, where the one who confirms it confirms (or asks to talk). */
const todoUrl = (kit: MessageKit, todo: { id: number; visitId: number | null }): string =>
  todo.visitId ? kit.link('visitDetail', { id: todo.visitId, todo: todo.id }) : kit.link('todos');

/** 约定动作 as people read it: 「其他」 with its note. */
const action = (s: TodoSnapshot): string => agreedActionText(s.actionItems.agreedAction, s.actionItems.note);

/** The 已确认 text for a to-do's assignee, when their card cannot be (or may not have been) changed. */
async function confirmedText(sql: Sql, kit: MessageKit, todo: TodoForMessage, agentid: number): Promise<PlannedDelivery> {
  const who = (await kit.member(sql, todo.confirmedById))?.name ?? '';
  return kit.wecomText(todo.assigneeWecom!, agentid, `已确认 · ${who}：${todo.snap.customer.name} 的下一步「${action(todo.snap)}」\n${todoUrl(kit, todo)}`);
}

const overdueText = (kit: MessageKit, todo: TodoForMessage): string => {
  const s = todo.snap;
  return `【超时未确认】${s.customer.name}：${s.rep.name} 的下一步「${action(s)}」已超过 ${kit.policy.limits.todoConfirmHours} 小时未被 ${todo.assigneeName} 确认`;
};

/** The outbox messages the to-do module plans: the supervisor's card, the group's news, escalations. */
export const todoMessages: Record<string, MessagePlanner> = {
  'todo.card': async (sql, { payload: p }, kit) => {
    const agentid = kit.agentid;
    const todo = await loadTodo(sql, kit, p);
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
              { keyname: '约定动作', value: action(s).slice(0, 30) },
              { keyname: '下次跟进', value: `${kit.local(s.actionItems.nextFollowUpAt)} ${s.actionItems.nextFollowUpForm}` },
              ...(s.visit.signin ? [{ keyname: '外勤签到', value: s.visit.signin.slice(0, 30) }] : []),
            ],
            // Tapping the card (not a button) opens the visit in full.
            card_action: { type: 1, url: todoUrl(kit, todo) },
            // Unique per app: a retry after an uncertain failure cannot post a second card. A reassigned
            // to-do's card to its new assignee needs its own.
            task_id: p.reassigned ? `anchor_todo_${todo.id}_to_${todo.assigneeId}` : `anchor_todo_${todo.id}`,
            button_list: [
              { text: '确认', style: 1, key: `confirm:${todo.id}` },
              { text: '需要沟通', style: 2, key: `discuss:${todo.id}` },
            ],
          },
        },
      },
    ];
  },

  'todo.reassigned': async (sql, { payload: p }, kit) => {
    // Handed on to another confirmer: the previous one's card is greyed 「已转交给 …」 (once), so its
    // buttons cannot act; their card's update is resolved against their own card (see the resolver).
    const agentid = kit.agentid;
    const todo = await loadTodo(sql, kit, p);
    const from = await kit.person(sql, p.fromId);
    if (!todo || !agentid || !from?.wecomUserId || from.wecomUserId === todo.assigneeWecom) return [];
    return [{
      channel: 'wecom_card_update',
      target: `wecom_app:${from.wecomUserId}`,
      subject: `todo:${todo.id}`,
      body: { userids: [from.wecomUserId], agentid, button: { replace_name: `已转交给 ${todo.assigneeName}`.slice(0, 16) } },
    }];
  },

  'todo.group_notice': async (sql, { payload: p }, kit) => {
    const todo = await loadTodo(sql, kit, p);
    if (!todo) return [];
    const s = todo.snap;
    return kit.robots(todo.teamId, await kit.team(sql, todo.teamId), {
      title: `待确认：${s.customer.name}`,
      lines: [
        `${s.rep.name} 拜访 · ${s.visit.objective}`,
        ...(s.visit.signin ? [`外勤签到：${s.visit.signin}`] : []),
        `约定动作：${action(s)}`,
        `下次跟进：${kit.local(s.actionItems.nextFollowUpAt)} ${s.actionItems.nextFollowUpForm}`,
        `确认人：${todo.assigneeName}`,
      ],
      url: todoUrl(kit, todo),
      button: '去确认',
    });
  },

  'todo.confirmed': async (sql, { payload: p }, kit) => {
    const agentid = kit.agentid;
    const todo = await loadTodo(sql, kit, p);
    if (!todo) return [];
    const who = (await kit.member(sql, p.confirmedById))?.name ?? '';
    // The group saw 待确认; it also sees that it was confirmed (once: one outbox row per confirm).
    const group = kit.robots(todo.teamId, await kit.team(sql, todo.teamId), {
      title: `已确认：${todo.snap.customer.name}`,
      lines: [`${todo.snap.rep.name} 拜访 · ${todo.snap.visit.objective}`, `约定动作：${action(todo.snap)}`, `确认人：${who}`],
      url: todoUrl(kit, todo),
      button: '查看拜访',
    });
    if (!agentid || !todo.assigneeWecom) return group;
    // The card's update goes to the card's own queue (same target), so it leaves after the card even
    // when the card is still waiting (an outage, the per-minute queue); what it does is decided when it
    // goes (the `todo` subject's resolver): update the card with its latest response_code, or say 已确认 in a text.
    const update: PlannedDelivery = {
      channel: 'wecom_card_update',
      target: `wecom_app:${todo.assigneeWecom}`,
      subject: `todo:${todo.id}`,
      body: { userids: [todo.assigneeWecom], agentid, button: { replace_name: `已确认 · ${who}`.slice(0, 16) } },
    };
    // A click on a card whose to-do was settled already only greys that card out: the group was told.
    return p.cardOnly ? [update] : [...group, update];
  },

  'todo.discuss': async (sql, { payload: p }, kit) => {
    // To the rep: the supervisor wants to talk before confirming the next step.
    const agentid = kit.agentid;
    const todo = await loadTodo(sql, kit, p);
    if (!todo || !agentid || !todo.repWecom) return [];
    const s = todo.snap;
    const text = `【需要沟通】${todo.assigneeName} 想先和你聊聊 ${s.customer.name} 的下一步「${action(s)}」（${kit.local(s.actionItems.nextFollowUpAt)} ${s.actionItems.nextFollowUpForm}），请尽快联系`;
    return [kit.wecomText(todo.repWecom, agentid, `${text}\n${todoUrl(kit, todo)}`)];
  },

  'todo.escalation': async (sql, { payload: p }, kit) => {
    const agentid = kit.agentid;
    const todo = await loadTodo(sql, kit, p);
    if (!todo) return [];
    const director = await kit.member(sql, p.directorId);
    const text = overdueText(kit, todo);
    const out: PlannedDelivery[] = [];
    if (agentid && director?.wecomUserId) out.push(kit.wecomText(director.wecomUserId, agentid, `${text}\n${todoUrl(kit, todo)}`));
    out.push(...kit.robots(todo.teamId, await kit.team(sql, todo.teamId), { title: `超时未确认：${todo.snap.customer.name}`, lines: [text], url: todoUrl(kit, todo), button: '查看拜访' }));
    return out;
  },

  'todo.escalation_up': async (sql, { payload: p }, kit) => {
    // A director's (or admin's) own to-do: to their superior, or with none to the admins; no team group.
    const agentid = kit.agentid;
    const todo = await loadTodo(sql, kit, p);
    if (!todo || !agentid) return [];
    const superior = await kit.member(sql, p.superiorId);
    const targets = superior ? [superior] : await kit.admins(sql);
    const text = overdueText(kit, todo);
    return targets.filter((t) => t.wecomUserId).map((t) => kit.wecomText(t.wecomUserId!, agentid, `${text}\n${todoUrl(kit, todo)}`));
  },
};

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
export const resolveTodoDelivery: SendResolver = async (sql, d, kit): Promise<SendPlan> => {
  const agentid = kit.agentid;
  const isCard = d.channel === 'wecom_app' && d.body.msgtype === 'template_card';
  if (!agentid || (!isCard && d.channel !== 'wecom_card_update')) return { kind: 'send', channel: d.channel, body: d.body };
  const todo = await loadTodo(sql, kit, { todoId: d.subjectId });
  // the WeCom user a card or update is for; someone other than the to-do's confirmer now: it was handed on
  const recipient = String(isCard ? d.body.touser : ((d.body.userids as string[] | undefined)?.[0] ?? ''));
  const handedOn = !!todo && !todo.confirmedAt && !!todo.assigneeWecom && recipient !== todo.assigneeWecom;
  if (handedOn) {
    const text = kit.wecomText(recipient, agentid, `已转交给 ${todo.assigneeName}：${todo.snap.customer.name} 的下一步「${action(todo.snap)}」，无需你再确认\n${todoUrl(kit, todo)}`).body;
    if (isCard) return d.attempts > 0 ? { kind: 'send', channel: 'wecom_app', body: text, note: '待办已转交；此前的发送可能已送达卡片，改发文字' } : { kind: 'skip', reason: '待办已转交，卡片不再发送' };
    const [card] = await sql.rows<{ status: string; responseCode: string | null; body: string }>(
      SQL`SELECT status, responseCode, body FROM delivery WHERE subject = ? AND channel = 'wecom_app' AND target = ? ORDER BY id DESC LIMIT 1`,
      [d.subject, `wecom_app:${recipient}`],
    );
    if (card?.responseCode) return { kind: 'send', channel: 'wecom_card_update', body: { ...d.body, response_code: card.responseCode }, fallback: text };
    const shown = card && card.status === 'sent' && (JSON.parse(card.body) as { msgtype?: string }).msgtype === 'template_card';
    return shown ? { kind: 'send', channel: 'wecom_app', body: text, note: '卡片没有可用的 response_code，改发文字' } : { kind: 'skip', reason: '卡片未发出，无需更新' };
  }
  if (isCard) {
    if (!todo) return { kind: 'skip', reason: '待办已不存在，卡片不再发送' };
    if (!todo.confirmedAt) return { kind: 'send', channel: d.channel, body: d.body };
    const own = await kit.delivery(sql, d.id);
    if (own?.responseCode) return { kind: 'delivered', reason: '待办已确认；卡片此前已送达（已收到其点击），由后续更新置为已确认' };
    if (d.attempts > 0 && todo.assigneeWecom) return { kind: 'send', channel: 'wecom_app', body: (await confirmedText(sql, kit, todo, agentid)).body, note: '待办已确认；此前的发送可能已送达卡片，改发「已确认」文字' };
    return { kind: 'skip', reason: '待办已确认，卡片不再发送' };
  }
  if (!todo?.assigneeWecom) return { kind: 'skip', reason: '待办已不存在，无需更新卡片' };
  const card = await kit.latestCard(sql, d.subject);
  // A code means a card is out there (the send answered one, or a click came back from it).
  if (card?.responseCode) {
    return { kind: 'send', channel: 'wecom_card_update', body: { ...d.body, response_code: card.responseCode }, fallback: (await confirmedText(sql, kit, todo, agentid)).body };
  }
  const cardShown = card && card.status === 'sent' && (JSON.parse(card.body) as { msgtype?: string }).msgtype === 'template_card';
  if (!cardShown) return { kind: 'skip', reason: '卡片未发出（或已改发文字），无需更新' };
  return { kind: 'send', channel: 'wecom_app', body: (await confirmedText(sql, kit, todo, agentid)).body, note: '卡片没有可用的 response_code，改发「已确认」文字' };
};
