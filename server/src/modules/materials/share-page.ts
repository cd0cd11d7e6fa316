import type { Material } from './material.entity';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei",sans-serif;background:#f5f6f8;color:#1f2329}
main{max-width:760px;margin:0 auto;padding:20px 16px 40px}
h1{font-size:22px;line-height:1.4;margin:8px 0 8px}
.brand{font-size:13px;color:#8f959e;letter-spacing:.05em}
.desc{font-size:15px;line-height:1.7;color:#4e5969;margin:0 0 16px;white-space:pre-wrap}
.card{background:#fff;border-radius:12px;padding:16px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
video,img{width:100%;max-height:70vh;border-radius:8px;background:#000;display:block}
img{background:#fff;object-fit:contain}
.script{font-size:16px;line-height:1.8;white-space:pre-wrap}
a.btn{display:block;text-align:center;background:#1664ff;color:#fff;text-decoration:none;border-radius:8px;padding:12px;font-size:16px;margin-top:12px}
.gone{text-align:center;padding-top:30vh}.gone h1{font-size:20px}.gone p{color:#8f959e}`;

function page(title: string, body: string, script?: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title><style>${STYLE}</style></head><body>${body}${script ? `<script src="${script}"></script>` : ''}</body></html>`;
}

/** The shared material, alone: no login, no navigation, nothing else of the app. */
export function sharePage(material: Material, token: string, beaconKey: string): string {
  const file = `/api/v1/s/${token}/file`;
  let content: string;
  switch (material.kind) {
    case 'video':
      content = `<video id="player" controls playsinline preload="metadata" src="${file}"></video>`;
      break;
    case 'image':
      content = `<img src="${file}" alt="${escape(material.title)}">`;
      break;
    case 'script':
      content = `<div class="script">${escape(material.scriptText ?? '')}</div>`;
      break;
    default:
      content = `<a class="btn" href="${file}" target="_blank" rel="noopener">打开${material.kind === 'pdf' ? ' PDF' : '文档'}</a>`;
  }
  const body = `<main data-beacon="/api/v1/s/${token}/beacon" data-key="${beaconKey}"><div class="brand">锚点 · 营销资料</div><h1>${escape(material.title)}</h1>
${material.description ? `<p class="desc">${escape(material.description)}</p>` : ''}<div class="card">${content}</div></main>`;
  return page(material.title, body, material.kind === 'video' ? '/api/v1/share-page.js' : undefined);
}

export function goneSharePage(): string {
  return page('链接已撤回', '<main class="gone"><h1>该分享链接已被撤回</h1><p>如需查看资料，请联系分享给您的销售代表。</p></main>');
}

export function missingSharePage(): string {
  return page('链接不存在', '<main class="gone"><h1>分享链接不存在</h1><p>请检查链接是否完整，或联系分享给您的销售代表。</p></main>');
}

/**
 * The page's only script (the CSP allows scripts from this origin only, none inline): how long the video
 * played, summed from the player's time updates (seeking does not count), sent every 15 s and when the
 * page is hidden.
 */
export const SHARE_PAGE_JS = `(function(){
var main=document.querySelector('main[data-beacon]');var v=document.getElementById('player');if(!main||!v)return;
var url=main.getAttribute('data-beacon'),key=main.getAttribute('data-key'),watched=0,last=null,sent=-1;
v.addEventListener('timeupdate',function(){var t=v.currentTime;if(last!==null&&!v.seeking&&t>last&&t-last<2)watched+=t-last;last=t;});
v.addEventListener('seeking',function(){last=null;});
function send(){var s=Math.round(watched);if(s===sent)return;sent=s;var body=JSON.stringify({key:key,watchedSeconds:s});
if(navigator.sendBeacon){navigator.sendBeacon(url,new Blob([body],{type:'application/json'}));}else{fetch(url,{method:'POST',headers:{'content-type':'application/json'},body:body,keepalive:true});}}
setInterval(send,15000);v.addEventListener('pause',send);v.addEventListener('ended',send);
document.addEventListener('visibilitychange',function(){if(document.visibilityState==='hidden')send();});window.addEventListener('pagehide',send);
})();`;
