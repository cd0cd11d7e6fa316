import type { SandboxMessage } from './sandbox';

export interface SandboxView {
  messages: SandboxMessage[];
  nameOf: (m: SandboxMessage) => string;
}

const esc = (text: unknown) => String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const time = (d: Date) => d.toISOString().slice(11, 16);

function bubble(m: SandboxMessage): string {
  const card = m.body.template_card;
  if (card) {
    const lines = (card.horizontal_content_list ?? []).map((l: { keyname: string; value: string }) => `<div class="kv"><span>${esc(l.keyname)}</span>${esc(l.value)}</div>`).join('');
    const sub = card.sub_title_text ? `<div class="sub">${esc(card.sub_title_text).replace(/\n/g, '<br>')}</div>` : '';
    const todoId = /^anchor_todo_(\d+)$/.exec(card.task_id ?? '')?.[1];
    // Demo only: skip the 48 h wait and watch the escalation reach the director.
    const escalate = todoId && !m.replacedBy ? `<form method="post" action="/sandbox/escalate-now" class="fast"><input type="hidden" name="todo" value="${todoId}"><button>演示: 模拟 48 小时未确认</button></form>` : '';
    const buttons =
      card.card_type === 'button_interaction'
        ? m.replacedBy
          ? `<div class="done">${esc(m.replacedBy)}</div>`
          : `<div class="buttons">${(card.button_list ?? [])
              .map((b: { text: string; key: string }) => `<form method="post" action="/sandbox/click"><input type="hidden" name="message" value="${esc(m.id)}"><input type="hidden" name="key" value="${esc(b.key)}"><button>${esc(b.text)}</button></form>`)
              .join('')}</div>`
        : card.card_action?.url
          ? `<a class="open" href="${esc(card.card_action.url)}">在小程序中打开</a>`
          : '';
    return `<div class="card"><div class="src">${esc(card.source?.desc ?? '')}</div><div class="title">${esc(card.main_title?.title)}</div><div class="desc">${esc(card.main_title?.desc)}</div>${lines}${sub}${buttons}${escalate}</div>`;
  }
  const text = m.body.text?.content ?? m.body.markdown?.content ?? JSON.stringify(m.body);
  return `<div class="text">${esc(text).replace(/\n/g, '<br>')}</div>`;
}

/** The sandbox chat: newest first, refreshed every few seconds. */
export function renderSandbox(view: SandboxView): string {
  const rows = view.messages
    .map((m) => `<li><div class="who">${m.to.kind === 'robot' ? '群机器人 → ' : '应用消息 → '}${esc(view.nameOf(m))} <time>${time(m.at)}</time></div>${bubble(m)}</li>`)
    .join('');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="refresh" content="5"><title>锚点 · 消息沙盒</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;background:#ededed;margin:0;padding:16px;max-width:640px}
h1{font-size:18px}p.hint{color:#666;font-size:13px}ul{list-style:none;padding:0}li{margin:14px 0}.who{font-size:12px;color:#888;margin-bottom:4px}
.card,.text{background:#fff;border-radius:8px;padding:12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}.src{font-size:12px;color:#07c160}.title{font-weight:600;font-size:16px;margin:4px 0}
.desc{color:#555;font-size:13px;margin-bottom:6px}.kv{font-size:13px;color:#333}.kv span{display:inline-block;width:5.5em;color:#999}.sub{font-size:13px;color:#333;margin-top:6px}
.buttons{display:flex;gap:8px;margin-top:10px}.buttons form{flex:1}.buttons button{width:100%;min-height:44px;border:0;border-radius:6px;background:#1989fa;color:#fff;font-size:15px}
.buttons form+form button{background:#f2f3f5;color:#333}.done{margin-top:10px;text-align:center;color:#999;min-height:44px;line-height:44px;border-top:1px solid #eee}.open{display:block;margin-top:8px;font-size:13px}.fast button{margin-top:8px;width:100%;min-height:44px;border:1px dashed #f0a020;background:#fffbe6;color:#a06000;border-radius:6px}</style></head>
<body><h1>锚点 · 消息沙盒</h1><p class="hint">未配置企业微信/钉钉时, 待办卡片和升级消息出现在这里。按钮经由与企业微信相同的加密回调确认待办。</p>
<ul>${rows || '<li class="who">暂无消息: 在小程序或 API 中提交一条拜访试试。</li>'}</ul></body></html>`;
}
