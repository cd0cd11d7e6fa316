import { clauseAround, overlaps, type Span } from './text';

// ─── pain point ───────────────────────────────────────────────────────────────────────────────

const PAIN_TRIGGERS = ['问题是', '痛点是', '顾虑是', '难点是', '反映', '反馈', '觉得', '认为', '感觉', '抱怨', '吐槽', '担心', '担忧', '顾虑', '害怕', '怕', '嫌', '说'];
const NOT_PAIN_START = /^(要|想|希望|打算|准备|同意|答应|可以|行|好的|好|没问题|不错|挺好|很好|满意|感兴趣|有兴趣|认可|不需要|不用|暂时不|暂不|先不|下周|下个|下次|明天|后天|今天|周|星期|礼拜|让我|回头|等)/;
const NOT_PAIN = /可以接受|能接受|很满意|挺满意|比较满意|认可|没问题|不错|挺好|很好|还行|还可以|感兴趣|有兴趣/;
const PRONOUN_ONLY = /^(我们|咱们|我|你们|你|他们|他|她|客户|对方)$/;
const LEADING_TRIGGER = /^(觉得|认为|感觉|反映|反馈|表示|嫌|抱怨|担心|就是|主要是|是)/;
const CUT_WORDS = /所以|因此|于是|然后|那就|那我|我们|我这边|咱们|约好|约了|答应|同意|下周|下个月|下月|回头|改天|到时候|需要我|让我|先发|先给|再给|给他|给她|给他们/;
const COMPLAINT = /太[慢贵高复杂麻烦难差久长少低大小紧旧]|谈不拢|不及时|不到位|破损|延期|拖延|紧张|不够|不方便|不稳定|不好用|不满意|不准|故障|投诉|卡顿|老是|经常坏|慢|贵/;

/** Verbs of worry: kept before an object that alone says nothing is wrong (担心售后, but 售后跟不上). */
const WORRY = ['担心', '担忧', '顾虑', '害怕', '怕'];
const PREDICATE = /不|没|太|难|慢|贵|高|低|差|少|乱|坏|错|跟不上|问题|麻烦|紧|复杂|卡|长|久|短|弱|旧|落后|漏|偏|停|断|丢|失败|[大小多]$/;

function cleanPain(segment: string): string {
  let s = segment.trim();
  for (let i = 0; i < 3; i++) s = s.replace(/^[：:、\s了]+/, '').replace(LEADING_TRIGGER, '');
  s = s.replace(/^[^，,]{0,6}?(问题|痛点|顾虑|难点)(就)?是/, ''); // 最大的问题是安装太慢
  const cut = CUT_WORDS.exec(s.slice(1));
  if (cut) s = s.slice(0, cut.index + 1);
  return s.replace(/[\s了啊呀呢吧哦嘛的，,、和并也还就]+$/, '').trim();
}

function cutAtSpans(start: number, end: number, spans: Span[]): number {
  let e = end;
  for (const s of spans) if (s.start >= start && s.start < e) e = s.start;
  return e;
}

export function findPain(text: string, dateSpans: Span[], contact: Span | null): { painPoint: string; span: Span } | null {
  const hits: Array<{ start: number; end: number }> = [];
  for (const trigger of PAIN_TRIGGERS) {
    let from = 0;
    let i: number;
    while ((i = text.indexOf(trigger, from)) >= 0) {
      from = i + 1;
      const span = { start: i, end: i + trigger.length };
      if (overlaps(span, hits)) continue;
      if (trigger === '说' && (/^([明服好定完声下个]|一[下声])/.test(text.slice(i + 1)) || /[听据小再]/.test(text[i - 1] ?? ''))) continue;
      if (trigger === '嫌' && text[i + 1] === '疑') continue;
      if (trigger === '怕' && /[恐哪不害]/.test(text[i - 1] ?? '')) continue; // 恐怕: probably
      hits.push(span);
    }
  }
  hits.sort((a, b) => a.start - b.start);
  for (const hit of hits) {
    const clause = clauseAround(text, hit.start, hit.end);
    const end = cutAtSpans(hit.end, clause.end, dateSpans);
    const raw = text.slice(hit.end, end);
    const stripped = raw.replace(/^[：:、\s了]+/, '').replace(LEADING_TRIGGER, '');
    if (NOT_PAIN_START.test(stripped) || NOT_PAIN.test(stripped)) continue;
    let painPoint = cleanPain(raw);
    const trigger = text.slice(hit.start, hit.end);
    const worry = WORRY.find((w) => w === trigger || raw.replace(/^[：:、\s了]+/, '').startsWith(w));
    if (worry && painPoint && !PREDICATE.test(painPoint)) painPoint = worry + painPoint;
    else if (trigger === '嫌' && painPoint.length === 1) painPoint = '嫌' + painPoint; // 嫌贵
    if (painPoint.length >= 2 && !PRONOUN_ONLY.test(painPoint)) return { painPoint, span: { start: hit.start, end } };
  }
  // No complaint verb: a clause with a complaint word, minus its subject.
  let s = 0;
  while (s < text.length) {
    const clause = clauseAround(text, s, s);
    const body = text.slice(clause.start, clause.end);
    if (COMPLAINT.test(body) && !/没问题|不贵|不慢|不算贵/.test(body)) {
      let start = clause.start;
      if (contact && contact.start >= clause.start && contact.end <= clause.end) start = Math.max(start, contact.end);
      const end = cutAtSpans(start, clause.end, dateSpans);
      let p = text.slice(start, end).replace(/^(客户|他们|他|她|那边|这边|方面|的)+/, '');
      p = cleanPain(p);
      if (p.length >= 2 && !PRONOUN_ONLY.test(p)) return { painPoint: p, span: { start, end } };
    }
    s = clause.end + 1;
  }
  return null;
}
