import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { DataSource } from 'typeorm';
import { DAY_MS, HOUR_MS, type Clock } from '../../clock';
import { withSqlTransaction } from '../../db/sql';
import type { Member } from '../org';
import type { MaterialService } from './material.service';

/** A one-page PDF the browser's viewer opens (ASCII text: the base fonts have no Chinese). */
function demoPdf(title: string): Buffer {
  const content = `BT /F1 28 Tf 72 720 Td (${title}) Tj ET\nBT /F1 14 Tf 72 680 Td (Anchor demo material - 48h installation, local engineers, 3-year price lock) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  let crc = 0xffffffff;
  for (const byte of body) crc = CRC[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0, body.length + 4);
  return out;
}

/** A comparison chart as a PNG: two bars (ours: the shorter install time), drawn pixel by pixel. */
function demoPng(): Buffer {
  const [w, h] = [480, 270];
  const rows: Buffer[] = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) {
      const ours = x >= 80 && x < 180 && y >= 170 && y < 240;
      const theirs = x >= 280 && x < 380 && y >= 40 && y < 240;
      const [r, g, b] = ours ? [250, 44, 25] : theirs ? [150, 156, 166] : y === 240 && x >= 40 && x < 440 ? [60, 60, 60] : [255, 255, 255];
      row[1 + x * 3] = r!;
      row[2 + x * 3] = g!;
      row[3 + x * 3] = b!;
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

const TAGS = ['二级医院首次拜访', '集采替代方案沟通', '术后随访关怀', '三甲医院案例', '竞品对比'];

/**
 * The demo's material center: tags, a PDF, a chart, scripts, and a month of views, downloads and shares
 * by the reps (some opened by customers), so the usage page and customer timelines have something to show.
 */
export async function seedMaterialDemo(
  db: DataSource,
  clock: Clock,
  materials: MaterialService,
  people: { marketing: Member; reps: Member[] },
  customersOf: (repId: number) => Promise<number[]>,
  supportPackTag: string | null = null,
): Promise<void> {
  let seed = 20261202;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const tags = new Map<string, number>();
  for (const name of TAGS) tags.set(name, (await materials.createTag(name)).id);
  // the A+ customers' support pack (grading strategies): three materials carry its tag
  if (supportPackTag && !tags.has(supportPackTag)) tags.set(supportPackTag, (await materials.createTag(supportPackTag)).id);
  const t = (...names: string[]) => names.map((n) => tags.get(n)!);
  const pack = (...names: string[]) => [...t(...names), ...(supportPackTag ? [tags.get(supportPackTag)!] : [])];
  const file = async (bytes: Buffer) => (await materials.attachments.upload(people.marketing, 'material', bytes)).id;
  const base = { description: '', stages: [] as string[], industries: [] as string[], bottlenecks: [] as string[], scriptText: null, attachmentId: null as number | null };
  const made = [
    await materials.create(people.marketing, { ...base, kind: 'pdf', title: '快装方案', description: '48 小时完成安装调试的流程与三甲医院案例', attachmentId: await file(demoPdf('Quick Install Plan')), tagIds: pack('集采替代方案沟通', '三甲医院案例'), stages: ['proposal', 'quote'], bottlenecks: ['集采降价压力', '操作培训不足'] }),
    await materials.create(people.marketing, { ...base, kind: 'image', title: '安装周期对比图', description: '我方与竞品的平均安装调试天数', attachmentId: await file(demoPng()), tagIds: pack('竞品对比'), bottlenecks: ['竞品已入院'] }),
    await materials.create(people.marketing, { ...base, kind: 'pdf', title: '耗材三年价格锁定说明', description: '集采后价格承诺与供货保障', attachmentId: await file(demoPdf('3-Year Price Lock')), tagIds: pack('集采替代方案沟通'), bottlenecks: ['集采降价压力', '预算审批周期长'], stages: ['quote'] }),
    await materials.create(people.marketing, { ...base, kind: 'script', title: '二级医院首次拜访开场话术', description: '三分钟讲清我们是谁、能解决什么', scriptText: '主任您好，我是锚点医疗的销售，负责咱们医院这一片。今天只占用您三分钟：\n1. 先问科室目前的设备使用情况和最头疼的一件事；\n2. 再讲我们 48 小时内完成安装调试，不耽误手术排期；\n3. 最后约下一次到科室现场演示的时间。', tagIds: t('二级医院首次拜访'), stages: ['lead', 'visit'], industries: ['公立医院', '民营医院'] }),
    await materials.create(people.marketing, { ...base, kind: 'script', title: '术后随访关怀话术', description: '交付后第一个月的回访要点', scriptText: '王主任您好，设备用了一个月了，想跟您确认三件事：\n1. 日常使用中有没有不顺手的地方；\n2. 护士的操作培训是否还需要我们再安排一次；\n3. 耗材的消耗节奏，方便我们提前备货。', tagIds: t('术后随访关怀'), stages: ['delivered'] }),
    await materials.create(people.marketing, { ...base, kind: 'script', title: '竞品已入院的应对', description: '不贬低竞品，讲清差异', scriptText: '理解科室已经在用其他品牌，我们不替换正在用的设备。差异有两点：\n1. 安装调试 48 小时完成，售后 4 小时到场；\n2. 耗材价格三年锁定，集采后不涨价。\n可以先在一个术式上试用一个月，用数据说话。', tagIds: t('竞品对比'), bottlenecks: ['竞品已入院'], stages: ['visit', 'proposal'] }),
  ];
  const now = clock.now().getTime();
  const usage: Record<string, unknown>[] = [];
  const shares: Array<{ row: Record<string, unknown>; opens: number }> = [];
  for (const [index, rep] of people.reps.entries()) {
    if (index === people.reps.length - 1) continue; // one rep never opened anything: the usage page names them
    const customers = await customersOf(rep.id);
    for (const m of made) {
      if (random() < 0.3) continue;
      const views = 1 + Math.floor(random() * 5);
      for (let v = 0; v < views; v++) usage.push({ materialId: m.id, memberId: rep.id, customerId: null, action: 'view', at: new Date(now - random() * 30 * DAY_MS) });
      if (m.kind === 'pdf' && random() < 0.6) usage.push({ materialId: m.id, memberId: rep.id, customerId: null, action: 'download', at: new Date(now - random() * 30 * DAY_MS) });
      if (customers.length && random() < 0.5) {
        const customerId = customers[Math.floor(random() * customers.length)]!;
        const at = new Date(now - (1 + random() * 28) * DAY_MS);
        usage.push({ materialId: m.id, memberId: rep.id, customerId, action: 'share', at });
        shares.push({ row: { token: randomBytes(24).toString('base64url'), materialId: m.id, memberId: rep.id, customerId, openCount: 0, createdAt: at }, opens: Math.floor(random() * 4) });
      }
    }
  }
  await withSqlTransaction(db, async (sql) => {
    for (let i = 0; i < usage.length; i += 200) await sql.insert('material_usage', usage.slice(i, i + 200));
    for (const s of shares) {
      const created = (s.row.createdAt as Date).getTime();
      const opens = Array.from({ length: s.opens }, (_, k) => new Date(Math.min(now - HOUR_MS, created + (k + 1) * (2 + random() * 20) * HOUR_MS))).sort((a, b) => a.getTime() - b.getTime());
      const id = await sql.insert('material_share', [{ ...s.row, openCount: opens.length, firstOpenedAt: opens[0] ?? null, lastOpenedAt: opens.at(-1) ?? null }]);
      if (opens.length) {
        await sql.insert('material_share_open', opens.map((at) => ({ shareId: id, customerId: s.row.customerId, beaconKey: randomBytes(16).toString('hex'), openedAt: at, watchedSeconds: null })));
      }
    }
  });
}
