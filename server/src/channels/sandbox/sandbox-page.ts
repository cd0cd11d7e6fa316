import { instantToWallClock } from '@anchor/shared';
import type { SandboxMessage } from './sandbox';

/** A card as the sandbox page shows it: plain strings only; the page sets them as text, never as HTML. */
export interface SandboxCardView {
  source: string;
  title: string;
  desc: string;
  lines: { key: string; value: string }[];
  sub: string;
  /** the card's buttons, for the member it was sent to while it is unanswered */
  buttons: { text: string; key: string }[];
  /** the label that replaced the buttons once answered */
  done: string | null;
  /** http(s) or the app's own page; anything else (javascript:, data:, …) is dropped */
  link: string | null;
  /** the to-do whose 48 h the demo may skip; null once used */
  simulateTodoId: number | null;
}

export interface SandboxMessageView {
  id: string;
  channel: 'app' | 'robot';
  to: string;
  /** when it arrived, in the policy's time zone (MM-DD HH:mm) */
  at: string;
  card: SandboxCardView | null;
  text: string | null;
}

const str = (value: unknown, max = 2000) => (typeof value === 'string' || typeof value === 'number' ? String(value).slice(0, max) : '');

/** Only http(s) addresses and the app's own routes are links; the rest would run script on this origin. */
export function safeLink(url: unknown): string | null {
  if (typeof url !== 'string' || !url.trim() || url.length > 2000) return null;
  const trimmed = url.trim();
  if (/^\/app\/(?!\/)/.test(trimmed)) return trimmed;
  try {
    const parsed = new URL(trimmed);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.href;
  } catch {
    // not an absolute URL
  }
  return null;
}

export function wallClockLabel(at: Date, timeZone: string): string {
  return instantToWallClock(at, timeZone).toISOString().slice(5, 16).replace('T', ' ');
}

export function messageView(
  m: SandboxMessage,
  options: { to: string; timeZone: string; mine: boolean; simulated: ReadonlySet<number> },
): SandboxMessageView {
  const base = { id: m.id, channel: m.to.kind === 'robot' ? ('robot' as const) : ('app' as const), to: options.to, at: wallClockLabel(m.at, options.timeZone) };
  const card = m.body.template_card as Record<string, any> | undefined;
  if (!card) {
    return { ...base, card: null, text: str(m.body.text?.content ?? m.body.markdown?.content ?? '', 4000) };
  }
  const todoId = Number(/^anchor_todo_(\d+)$/.exec(str(card.task_id))?.[1] ?? NaN);
  const interactive = card.card_type === 'button_interaction';
  return {
    ...base,
    text: null,
    card: {
      source: str(card.source?.desc),
      title: str(card.main_title?.title),
      desc: str(card.main_title?.desc),
      lines: (Array.isArray(card.horizontal_content_list) ? card.horizontal_content_list : []).slice(0, 20).map((l: Record<string, unknown>) => ({ key: str(l?.keyname), value: str(l?.value) })),
      sub: str(card.sub_title_text),
      buttons:
        interactive && !m.replacedBy && options.mine
          ? (Array.isArray(card.button_list) ? card.button_list : []).slice(0, 6).map((b: Record<string, unknown>) => ({ text: str(b?.text, 40), key: str(b?.key, 100) }))
          : [],
      done: interactive && m.replacedBy ? m.replacedBy : null,
      link: interactive ? null : safeLink(card.card_action?.url),
      simulateTodoId: Number.isSafeInteger(todoId) && !m.replacedBy && !options.simulated.has(todoId) ? todoId : null,
    },
  };
}

/**
 * The sandbox page: a static shell. Its script reads the session the app keeps in localStorage and
 * asks /sandbox/messages for what that member can see; without a session it says to log in.
 */
export const SANDBOX_SHELL = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>锚点 · 消息沙盒</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;background:#ededed;margin:0;padding:16px;max-width:640px}
h1{font-size:18px}p.hint{color:#666;font-size:13px}#who{font-size:13px;color:#333}ul{list-style:none;padding:0}li{margin:14px 0}.meta{font-size:12px;color:#888;margin-bottom:4px}
.card,.text,.login{background:#fff;border-radius:8px;padding:12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}.text{white-space:pre-wrap}.src{font-size:12px;color:#07c160}.title{font-weight:600;font-size:16px;margin:4px 0}
.desc{color:#555;font-size:13px;margin-bottom:6px}.kv{font-size:13px;color:#333}.kv span{display:inline-block;width:5.5em;color:#999}.sub{font-size:13px;color:#333;margin-top:6px;white-space:pre-wrap}
.buttons{display:flex;gap:8px;margin-top:10px}.buttons button{flex:1;min-height:44px;border:0;border-radius:6px;background:#1989fa;color:#fff;font-size:15px}
.buttons button+button{background:#f2f3f5;color:#333}.done{margin-top:10px;text-align:center;color:#999;min-height:44px;line-height:44px;border-top:1px solid #eee}.open{display:block;margin-top:8px;font-size:13px}
.fast{margin-top:8px;width:100%;min-height:44px;border:1px dashed #f0a020;background:#fffbe6;color:#a06000;border-radius:6px}</style></head>
<body><h1>锚点 · 消息沙盒</h1><p class="hint">未配置企业微信／钉钉时，待办卡片和升级消息出现在这里。按钮经由与企业微信相同的加密回调确认待办。</p>
<p id="who"></p><ul id="messages"></ul><script src="/sandbox/sandbox.js"></script></body></html>`;

/** Builds every node with textContent: nothing from a message is ever parsed as HTML. */
export const SANDBOX_SCRIPT = `(function () {
  'use strict';
  var list = document.getElementById('messages');
  var who = document.getElementById('who');
  function session() {
    try {
      var raw = localStorage.getItem('anchor.session');
      var s = raw && JSON.parse(raw);
      s = s && s.data;
      if (!s || !s.token) return null;
      if (s.expiresAt && new Date(s.expiresAt).getTime() <= Date.now()) return null;
      return s;
    } catch (e) { return null; }
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function showLogin() {
    who.textContent = '';
    list.textContent = '';
    var box = el('li', 'login', '请先登录：在锚点应用中登录后，回到本页即可看到发给您的消息。');
    var link = el('a', 'open', '前往登录');
    link.href = '/app/';
    box.appendChild(link);
    list.appendChild(box);
  }
  function call(method, path, body) {
    var s = session();
    if (!s) { showLogin(); return Promise.reject(new Error('no session')); }
    var headers = { authorization: 'Bearer ' + s.token };
    if (body) headers['content-type'] = 'application/json';
    return fetch(path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined }).then(function (res) {
      if (res.status === 401) { showLogin(); throw new Error('unauthenticated'); }
      return res.json();
    });
  }
  function card(m) {
    var c = m.card;
    var box = el('div', 'card');
    box.appendChild(el('div', 'src', c.source));
    box.appendChild(el('div', 'title', c.title));
    box.appendChild(el('div', 'desc', c.desc));
    c.lines.forEach(function (l) {
      var row = el('div', 'kv');
      row.appendChild(el('span', null, l.key));
      row.appendChild(document.createTextNode(l.value));
      box.appendChild(row);
    });
    if (c.sub) box.appendChild(el('div', 'sub', c.sub));
    if (c.buttons.length) {
      var buttons = el('div', 'buttons');
      c.buttons.forEach(function (b) {
        var button = el('button', null, b.text);
        button.type = 'button';
        button.setAttribute('data-key', b.key);
        button.addEventListener('click', function () {
          button.disabled = true;
          call('POST', '/sandbox/click', { message: m.id, key: b.key }).then(load, load);
        });
        buttons.appendChild(button);
      });
      box.appendChild(buttons);
    }
    if (c.done) box.appendChild(el('div', 'done', c.done));
    if (c.link && /^(https?:\\/\\/|\\/app\\/)/.test(c.link)) {
      var link = el('a', 'open', '在小程序中打开');
      link.href = c.link;
      box.appendChild(link);
    }
    if (c.simulateTodoId) {
      var fast = el('button', 'fast', '演示：模拟 48 小时未确认');
      fast.type = 'button';
      fast.addEventListener('click', function () {
        fast.remove();
        call('POST', '/sandbox/escalate-now', { todo: c.simulateTodoId }).then(load, load);
      });
      box.appendChild(fast);
    }
    return box;
  }
  function render(data) {
    who.textContent = '当前登录：' + data.member.name + '（' + data.member.role + '）';
    list.textContent = '';
    if (!data.messages.length) list.appendChild(el('li', 'meta', '暂无消息：在小程序或 API 中提交一条拜访试试。'));
    data.messages.forEach(function (m) {
      var item = el('li');
      item.setAttribute('data-message', m.id);
      var meta = el('div', 'meta', (m.channel === 'robot' ? '群机器人 → ' : '应用消息 → ') + m.to + ' ');
      meta.appendChild(el('time', null, m.at));
      item.appendChild(meta);
      item.appendChild(m.card ? card(m) : el('div', 'text', m.text));
      list.appendChild(item);
    });
  }
  function load() {
    return call('GET', '/sandbox/messages').then(render, function () {});
  }
  load();
  setInterval(load, 5000);
})();
`;
