import { SQL, type Sql } from '../../db/sql';
import type { MessageKit } from '../../outbox/message-kit';
import type { PlannedDelivery, SendPlan } from '../../outbox/message-builder';
import type { MessagePlanner, SendResolver } from '../module';
import { PoolBook } from './task-pools';
import type { PersonAction } from './task-kind';
import type { TaskOutcome } from './task.entity';

/** What a task's card shows, frozen into its snapshot when it is created (planners need no kind registry). */
export interface TaskCard {
  label: string;
  title: string;
  lines: string[];
  /** the kind's actions: those without words become buttons, the rest a link into the app */
  actions: PersonAction[];
  /** the kind's own button words (confirm → 复核完成), when it has them */
  actionLabels?: Partial<Record<PersonAction, string>>;
}

interface TaskRow {
  id: number;
  kind: string;
  assigneeId: number | null;
  assigneePool: string | null;
  requesterId: number | null;
  completedAt: Date | string | null;
  completedById: number | null;
  outcome: TaskOutcome | null;
  comment: string | null;
  approvalId: number | null;
  snapshot: string;
}

interface TaskForMessage extends TaskRow {
  card: TaskCard;
}

async function loadTask(sql: Sql, id: unknown): Promise<TaskForMessage | null> {
  const [row] = await sql.rows<TaskRow>(
    SQL`SELECT id, kind, assigneeId, assigneePool, requesterId, completedAt, completedById, outcome, comment, approvalId, snapshot FROM task WHERE id = ?`,
    [id],
  );
  if (!row) return null;
  const snapshot = JSON.parse(row.snapshot) as { card?: TaskCard };
  const num = (v: number | null) => (v === null ? null : Number(v));
  return {
    ...row, id: Number(row.id), assigneeId: num(row.assigneeId), requesterId: num(row.requesterId), completedById: num(row.completedById), approvalId: num(row.approvalId),
    card: snapshot.card ?? { label: row.kind, title: row.kind, lines: [], actions: [] },
  };
}

/**
 * Who a task's card goes to: its assignee, or each member of its pool (policy taskPools: the active
 * members of its roles, or a chosen pool's picked members; the first to act wins).
 */
async function recipients(sql: Sql, kit: MessageKit, task: TaskForMessage): Promise<{ id: number; name: string; wecomUserId: string | null; teamId: number | null }[]> {
  if (task.assigneeId !== null) {
    const member = await kit.member(sql, task.assigneeId);
    return member ? [member] : [];
  }
  return task.assigneePool ? new PoolBook(kit.policy).actors(sql, task.assigneePool) : [];
}

/** How a card names a pool: 「财务」任务池. */
const poolName = (kit: MessageKit, pool: string | null): string => `「${new PoolBook(kit.policy).label(pool ?? '')}」任务池`;

/**
 * Which hand-over a task card belongs to: its task_id is `anchor_task_<task>_<member>`, with `_r<n>`
 * for a card sent after the task's n-th reassign (WeCom refuses a task_id twice: someone it comes back
 * to gets a new one).
 */
function cardRound(body: string | Record<string, unknown>): number {
  const card = (typeof body === 'string' ? JSON.parse(body) : body) as { template_card?: { task_id?: string } };
  const m = /^anchor_task_\d+_\d+(?:_r(\d+))?$/.exec(card.template_card?.task_id ?? '');
  return m?.[1] ? Number(m[1]) : 0;
}

/** How often a task was handed on (its cards of earlier rounds are no longer anyone's to act on). */
async function reassignments(sql: Sql, taskId: number): Promise<number> {
  const [row] = await sql.rows<{ n: number }>(SQL`SELECT COUNT(*) AS n FROM task_action WHERE taskId = ? AND action = 'reassign'`, [taskId]);
  return Number(row?.n ?? 0);
}

/** The app's 任务 screen opened on this task (its buttons, and the reason box a reject needs). */
const taskUrl = (kit: MessageKit, taskId: number): string => kit.link('tasks', { id: taskId });

/** Button texts; a button's key is `<action>:<task id>` (a WeCom callback acts on it). */
const BUTTON: Partial<Record<PersonAction, { text: string; style: number }>> = {
  approve: { text: '同意', style: 1 },
  confirm: { text: '确认', style: 1 },
  request_talk: { text: '需要沟通', style: 2 },
};

const OUTCOME_TEXT: Record<TaskOutcome, string> = { done: '已处理', approved: '已同意', rejected: '已驳回', cancelled: '已取消' };

/** The WeCom button card of one recipient: buttons for what needs no words, a link into the app for a reject (it needs a reason). */
export function taskCardBody(task: { id: number; card: TaskCard }, userId: string, memberId: number, agentid: number, url: string, round = 0): Record<string, unknown> {
  const c = task.card;
  const buttons: Record<string, unknown>[] = c.actions.flatMap((a) => (BUTTON[a] ? [{ text: c.actionLabels?.[a] ?? BUTTON[a].text, style: BUTTON[a].style, key: `${a}:${task.id}` }] : []));
  if (c.actions.includes('reject')) buttons.push({ text: '驳回（填写理由）', style: 3, type: 1, url });
  return {
    touser: userId,
    msgtype: 'template_card',
    agentid,
    template_card: {
      card_type: 'button_interaction',
      source: { desc: `锚点 · ${c.label}` },
      main_title: { title: c.title.slice(0, 26), desc: (c.lines[0] ?? '').slice(0, 30) },
      horizontal_content_list: c.lines.slice(1, 7).map((line) => {
        const [key, ...rest] = line.split('：');
        return rest.length ? { keyname: key!.slice(0, 10), value: rest.join('：').slice(0, 30) } : { keyname: '说明', value: line.slice(0, 30) };
      }),
      card_action: { type: 1, url },
      // Unique per app and recipient: a retry cannot post a second card, a pool's members each get theirs.
      // After a reassign, a fresh id per round (someone it comes back to had a card under the old one).
      task_id: `anchor_task_${task.id}_${memberId}${round ? `_r${round}` : ''}`,
      button_list: buttons.length ? buttons : [{ text: '去处理', style: 1, type: 1, url }],
    },
  };
}

/** The outbox messages of the task engine: the card, its greying when settled, talk requests, escalations, an approval's decision. */
export const taskMessages: Record<string, MessagePlanner> = {
  'task.card': async (sql, { payload: p }, kit) => {
    const task = await loadTask(sql, p.taskId);
    if (!task || task.completedAt) return [];
    const url = taskUrl(kit, task.id);
    const people = await recipients(sql, kit, task);
    const out: PlannedDelivery[] = [];
    const agentid = kit.agentid;
    if (agentid) {
      for (const person of people) {
        if (!person.wecomUserId) continue;
        out.push({ channel: 'wecom_app', target: `wecom_app:${person.wecomUserId}`, subject: `task:${task.id}`, body: taskCardBody(task, person.wecomUserId, person.id, agentid, url, Number(p.round ?? 0)) });
      }
    }
    // DingTalk (and the WeCom group robot): a card that links into the app, where every action is.
    const requester = await kit.person(sql, task.requesterId);
    const who = task.assigneeId !== null ? (people[0]?.name ?? '') : poolName(kit, task.assigneePool);
    out.push(...kit.robots(requester?.teamId ?? null, await kit.team(sql, requester?.teamId ?? null), {
      title: `待处理：${task.card.title}`,
      lines: [`${task.card.label}`, ...task.card.lines, `处理人：${who}`],
      url,
      button: '去处理',
    }));
    return out;
  },

  'task.settled': async (sql, { payload: p }, kit) => {
    // Grey out every card of the task still out there (a pool's members each have one): the button says who decided.
    const agentid = kit.agentid;
    const task = await loadTask(sql, p.taskId);
    if (!task || !agentid) return [];
    const who = (await kit.person(sql, task.completedById))?.name ?? '';
    const cards = await sql.rows<{ target: string }>(
      SQL`SELECT DISTINCT target FROM delivery WHERE subject = ? AND channel = 'wecom_app' AND status IN ('sent', 'pending')`,
      [`task:${task.id}`],
    );
    const replace = `${OUTCOME_TEXT[task.outcome ?? 'done']} · ${who}`.slice(0, 16);
    // a task handed on to one member: the earlier holders' cards were greyed then (「已转交给 …」)
    const assignee = task.assigneeId === null || p.only ? null : await kit.person(sql, task.assigneeId);
    return cards
      .map((c) => c.target.replace(/^wecom_app:/, ''))
      .filter((userId) => !p.only || p.only === userId)
      .filter((userId) => !assignee || assignee.wecomUserId === userId)
      .map((userId) => ({ channel: 'wecom_card_update' as const, target: `wecom_app:${userId}`, subject: `task:${task.id}`, body: { userids: [userId], agentid, button: { replace_name: replace } } }));
  },

  'task.reassigned': async (sql, { payload: p }, kit) => {
    // Handed on: grey out every card of the task so far (its assignee's, or each of its pool's members'),
    // once, so their buttons cannot act any more; the new assignee gets a fresh card (the next round).
    const agentid = kit.agentid;
    const task = await loadTask(sql, p.taskId);
    if (!task || !agentid || task.assigneeId === null) return [];
    const to = await kit.person(sql, task.assigneeId);
    const cards = await sql.rows<{ target: string }>(
      SQL`SELECT DISTINCT target FROM delivery WHERE subject = ? AND channel = 'wecom_app' AND status IN ('sent', 'pending')`,
      [`task:${task.id}`],
    );
    const replace = `已转交给 ${to?.name ?? ''}`.slice(0, 16);
    return cards
      .map((c) => c.target.replace(/^wecom_app:/, ''))
      .map((userId) => ({ channel: 'wecom_card_update' as const, target: `wecom_app:${userId}`, subject: `task:${task.id}`, body: { userids: [userId], agentid, button: { replace_name: replace } } }));
  },

  'task.talk': async (sql, { payload: p }, kit) => {
    const agentid = kit.agentid;
    const task = await loadTask(sql, p.taskId);
    const requester = task ? await kit.member(sql, task.requesterId) : null;
    if (!task || !agentid || !requester?.wecomUserId) return [];
    const by = (await kit.person(sql, p.byId))?.name ?? '';
    return [kit.wecomText(requester.wecomUserId, agentid, `【需要沟通】${by} 想先和你聊聊「${task.card.title}」（${task.card.label}），请尽快联系\n${taskUrl(kit, task.id)}`)];
  },

  'task.escalation': async (sql, { payload: p }, kit) => {
    const agentid = kit.agentid;
    const task = await loadTask(sql, p.taskId);
    if (!task || !agentid) return [];
    const manager = await kit.member(sql, p.toId);
    const targets = manager ? [manager] : await kit.admins(sql);
    const who = task.assigneeId !== null ? ((await kit.person(sql, task.assigneeId))?.name ?? '') : poolName(kit, task.assigneePool);
    const text = `【超时未处理】${task.card.label}「${task.card.title}」已过期限仍未被 ${who} 处理\n${taskUrl(kit, task.id)}`;
    return targets.filter((t) => t.wecomUserId).map((t) => kit.wecomText(t.wecomUserId!, agentid, text));
  },

  'approval.decided': async (sql, { payload: p }, kit) => {
    // To the requester: the chain is approved, or rejected with its reason.
    const agentid = kit.agentid;
    const task = await loadTask(sql, p.taskId);
    const requester = task ? await kit.member(sql, task.requesterId) : null;
    if (!task || !agentid || !requester?.wecomUserId) return [];
    const by = (await kit.person(sql, task.completedById))?.name ?? '';
    const text =
      task.outcome === 'rejected'
        ? `【审批驳回】${task.card.label}「${task.card.title}」被 ${by} 驳回，理由：${task.comment ?? ''}`
        : `【审批通过】${task.card.label}「${task.card.title}」已全部审批通过（最后一步：${by}）`;
    return [kit.wecomText(requester.wecomUserId, agentid, `${text}\n${taskUrl(kit, task.id)}`)];
  },
};

/** The text a recipient reads when their card cannot be greyed out (no usable response_code): settled, or handed on. */
async function settledText(sql: Sql, kit: MessageKit, task: TaskForMessage, userId: string, agentid: number): Promise<Record<string, unknown>> {
  if (!task.completedAt && task.assigneeId !== null) {
    const to = (await kit.person(sql, task.assigneeId))?.name ?? '';
    return kit.wecomText(userId, agentid, `已转交给 ${to}：${task.card.label}「${task.card.title}」，无需你再处理\n${taskUrl(kit, task.id)}`).body;
  }
  const who = (await kit.person(sql, task.completedById))?.name ?? '';
  return kit.wecomText(userId, agentid, `${OUTCOME_TEXT[task.outcome ?? 'done']} · ${who}：${task.card.label}「${task.card.title}」\n${taskUrl(kit, task.id)}`).body;
}

/**
 * A task card (or its update) when its turn comes, as for the to-dos: a card of a task settled since is
 * not sent (a text instead if an earlier attempt may have shown it); an update uses that recipient's
 * card's latest response_code, else a text, and nothing when no card was shown.
 */
export const resolveTaskDelivery: SendResolver = async (sql, d, kit): Promise<SendPlan> => {
  const agentid = kit.agentid;
  const isCard = d.channel === 'wecom_app' && d.body.msgtype === 'template_card';
  if (!agentid || (!isCard && d.channel !== 'wecom_card_update')) return { kind: 'send', channel: d.channel, body: d.body };
  const task = await loadTask(sql, d.subjectId);
  if (!task) return { kind: 'skip', reason: '任务已不存在' };
  // handed on since this card was planned (a card of an earlier round): it is no longer anyone's to act on
  const round = task.completedAt ? 0 : await reassignments(sql, task.id);
  const handedOn = (body: string | Record<string, unknown>) => !task.completedAt && cardRound(body) < round;
  if (isCard) {
    if (!task.completedAt && !handedOn(d.body)) return { kind: 'send', channel: d.channel, body: d.body };
    if (handedOn(d.body) && d.attempts === 0) return { kind: 'skip', reason: '任务已转交，卡片不再发送' };
    const own = await kit.delivery(sql, d.id);
    if (own?.responseCode) return { kind: 'delivered', reason: '任务已处理；卡片此前已送达（已收到其点击），由后续更新置灰' };
    if (d.attempts > 0) return { kind: 'send', channel: 'wecom_app', body: await settledText(sql, kit, task, String(d.body.touser), agentid), note: '任务已处理；此前的发送可能已送达卡片，改发文字' };
    return { kind: 'skip', reason: '任务已处理，卡片不再发送' };
  }
  const userId = String((d.body.userids as string[] | undefined)?.[0] ?? '');
  const [card] = await sql.rows<{ status: string; responseCode: string | null; body: string }>(
    SQL`SELECT status, responseCode, body FROM delivery WHERE subject = ? AND channel = 'wecom_app' AND target = ? AND id < ? ORDER BY id DESC LIMIT 1`,
    [d.subject, `wecom_app:${userId}`, d.id],
  );
  // an open task's card is only greyed when it was handed on from this recipient (not a card of its new assignee)
  if (card && !task.completedAt && !handedOn(card.body)) return { kind: 'skip', reason: '卡片属于当前处理人，无需更新' };
  if (card?.responseCode) return { kind: 'send', channel: 'wecom_card_update', body: { ...d.body, response_code: card.responseCode }, fallback: await settledText(sql, kit, task, userId, agentid) };
  const shown = card && card.status === 'sent' && (JSON.parse(card.body) as { msgtype?: string }).msgtype === 'template_card';
  if (!shown) return { kind: 'skip', reason: '卡片未发出（或已改发文字），无需更新' };
  return { kind: 'send', channel: 'wecom_app', body: await settledText(sql, kit, task, userId, agentid), note: '卡片没有可用的 response_code，改发文字' };
};
