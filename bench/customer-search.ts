// Customer search at scale: 200 000 customers over 4 regions × 5 teams × 10 owners, searched over
// HTTP by a rep, a supervisor, a director and an admin, for a few kinds of query.
import { customerNameKey, type Role } from '@anchor/shared';
import { withTransaction } from '../server/src/db/transaction';
import { indexCustomers, searchTextOf } from '../server/src/modules/customers/customer-search';
import type { Member } from '../server/src/modules/org/member.entity';
import { startHarness, type Harness } from '../tests/support/harness';
import { api } from '../tests/support/http';
import { percentile } from './stats';

const CITIES = ('北京 上海 广州 深圳 杭州 南京 苏州 成都 重庆 武汉 西安 长沙 郑州 济南 青岛 合肥 福州 厦门 南昌 昆明 贵阳 南宁 海口 太原 石家庄 ' +
  '沈阳 大连 长春 哈尔滨 呼和浩特 兰州 西宁 银川 乌鲁木齐 拉萨 宁波 温州 绍兴 嘉兴 湖州 金华 台州 无锡 常州 南通 扬州 徐州 盐城 泰州 镇江 ' +
  '佛山 东莞 珠海 中山 惠州 汕头 湛江 江门 肇庆 洛阳 开封 新乡 南阳 烟台 潍坊 临沂 淄博 济宁 泉州 漳州 莆田 芜湖 蚌埠 安庆 阜阳 赣州 九江 ' +
  '宜昌 襄阳 荆州 株洲 湘潭 衡阳 岳阳 绵阳 德阳 宜宾 南充 遵义 曲靖 柳州 桂林 唐山 保定 邯郸 大同 包头 鞍山 吉林').split(' ');
const AREAS = '东城 西城 南区 北区 高新 开发区 新区 城关 滨江 江北 河西 经开 老城 新城 港区 湖滨 山前 城东 城西 城南'.split(' ');
const KINDS = ('第一人民医院 第二人民医院 第三人民医院 中医院 中西医结合医院 妇幼保健院 儿童医院 口腔医院 眼科医院 肿瘤医院 骨科医院 康复医院 ' +
  '精神卫生中心 疾病预防控制中心 社区卫生服务中心 第一医院 人民医院 中心医院 附属医院 急救中心 血液中心 体检中心 皮肤病医院 传染病医院 ' +
  '医疗器械有限公司 医药连锁有限公司 大药房 医学检验所 影像诊断中心 护理院 老年病医院 胸科医院 心血管病医院 耳鼻喉医院 中心卫生院 ' +
  '乡镇卫生院 职业病防治院 结核病防治所 红十字会医院 华山分院 协和分院 同仁分院 仁济分院 瑞金分院 湘雅分院 华西分院 齐鲁分院 ' +
  '博爱医院 仁爱医院 康复护理院').split(' ');
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'.split('');
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建红文斌宇浩凯亮晨婷雪琳晶欣怡嘉俊峰鑫蕾波宁林凤云慧颖梅琴'.split('');
const TITLES = ['主任', '院长', '科长', '经理', '医生', ''];

/** A seeded generator: the same 200 000 customers on every run. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface SearchFigure {
  role: string;
  kind: string;
  p50: number;
  p95: number;
  matches: string;
}

export interface CustomerSearchBench {
  customers: number;
  grams: number;
  insertSeconds: number;
  indexSeconds: number;
  figures: SearchFigure[];
}

export interface Seeded {
  owners: Member[];
  byRole: Record<'rep' | 'supervisor' | 'director' | 'admin', Member>;
  tokens: Map<number, string>;
}

export async function seedOrg(h: Harness): Promise<Seeded> {
  const org = h.services.org;
  const owners: Member[] = [];
  const tokens = new Map<number, string>();
  let phone = 0;
  const add = async (name: string, role: Role, teamId: number | null, regionId: number | null) => {
    const m = await org.createMember({ name, phone: `137${String(++phone).padStart(8, '0')}`, role, teamId, regionId });
    tokens.set(m.id, (await h.services.auth.issueSession(m, 'wechat')).token);
    return m;
  };
  const admin = await add('检索管理员', 'admin', null, null);
  let director: Member | null = null;
  let supervisor: Member | null = null;
  for (let r = 0; r < 4; r++) {
    const region = await org.createRegion(`检索大区${r}`);
    const d = await add(`检索总监${r}`, 'director', null, region.id);
    director ??= d;
    for (let t = 0; t < 5; t++) {
      const team = await org.createTeam(`检索组${r}-${t}`, region.id);
      const s = await add(`检索主管${r}-${t}`, 'supervisor', team.id, region.id);
      supervisor ??= s;
      owners.push(s);
      for (let i = 0; i < 9; i++) owners.push(await add(`检索代表${r}-${t}-${i}`, 'rep', team.id, region.id));
    }
  }
  return { owners, tokens, byRole: { rep: owners[1]!, supervisor: supervisor!, director: director!, admin } };
}

export interface Row {
  name: string;
  contactName: string;
  contactPhone: string;
  ownerId: number;
}

export async function insertCustomers(h: Harness, owners: Member[], count: number): Promise<Row[]> {
  const random = prng(20261202);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const rows: Row[] = [];
  const now = new Date();
  // City × area × kind is 100 000 names; a branch number makes the rest distinct, as real chains do.
  for (let i = 0; i < count; i++) {
    const combo = i % (CITIES.length * AREAS.length * KINDS.length);
    const city = CITIES[combo % CITIES.length]!;
    const area = AREAS[Math.floor(combo / CITIES.length) % AREAS.length]!;
    const kind = KINDS[Math.floor(combo / (CITIES.length * AREAS.length)) % KINDS.length]!;
    const branch = Math.floor(i / (CITIES.length * AREAS.length * KINDS.length));
    const name = `${city}市${area}${kind}${branch ? `${branch + 1}号院` : ''}`;
    const contactName = `${pick(SURNAMES)}${pick(GIVEN)}${random() < 0.6 ? pick(GIVEN) : ''}${pick(TITLES)}`;
    const contactPhone = `1${pick(['38', '39', '58', '86', '77', '35', '52', '89'])}${String(Math.floor(random() * 1e8)).padStart(8, '0')}`;
    rows.push({ name, contactName, contactPhone, ownerId: owners[i % owners.length]!.id });
  }
  for (let i = 0; i < rows.length; i += 2000) {
    const chunk = rows.slice(i, i + 2000);
    const values = chunk.map((r) => [r.name, customerNameKey(r.name), '公立医院', 'visit', now, r.ownerId, r.contactName, r.contactPhone, searchTextOf(r), r.ownerId, now, now]);
    await h.db.query(
      `INSERT INTO customer (name, nameKey, industry, stage, stageChangedAt, ownerId, contactName, contactPhone, searchText, createdById, createdAt, updatedAt) VALUES ${values.map(() => '(?,?,?,?,?,?,?,?,?,?,?,?)').join(',')}`,
      values.flat(),
    );
  }
  return rows;
}

/** A fragment of `text` of `length` characters starting at `from` (clamped). */
const fragment = (text: string, from: number, length: number) => Array.from(text).slice(from, from + length).join('');

/** p50/p95 per role and query kind over HTTP, queries drawn from customers in the caller's scope. */
export async function measureSearch(h: Harness, seeded: Pick<Seeded, 'byRole' | 'tokens'>, rows: Row[], perKind: number): Promise<SearchFigure[]> {
  const scopeOwners = async (m: Member) => {
    const scope = await h.services.org.scopeOf(m);
    return scope.kind === 'all' ? null : new Set(scope.memberIds);
  };
  const random = prng(7);
  const figures: SearchFigure[] = [];
  for (const role of ['rep', 'supervisor', 'director', 'admin'] as const) {
    const member = seeded.byRole[role];
    const owners = await scopeOwners(member);
    const mine = owners ? rows.filter((r) => owners.has(r.ownerId)) : rows;
    const some = () => mine[Math.floor(random() * mine.length)]!;
    const kinds: [string, () => string][] = [
      ['no search (the list; HTTP baseline)', () => ''],
      ['name fragment (3–4 chars)', () => { const n = some().name; return fragment(n, 2 + Math.floor(random() * 3), 3 + Math.floor(random() * 2)); }],
      ['contact name', () => some().contactName.replace(/(主任|院长|科长|经理|医生)$/, '')],
      ['phone last 4 digits', () => some().contactPhone.slice(-4)],
      ['phone middle 4 digits', () => some().contactPhone.slice(3, 7)],
      ['phone written 138 0013 8000', () => { const p = some().contactPhone; return `${p.slice(0, 3)} ${p.slice(3, 7)} ${p.slice(7)}`; }],
      ['1 character', () => Array.from(some().name)[Math.floor(random() * 4)]!],
    ];
    for (const [kind, query] of kinds) {
      const latencies: number[] = [];
      let capped = 0;
      let matched = 0;
      for (let i = 0; i < perKind + 5; i++) {
        const q = query();
        const t = performance.now();
        const res = await api(h.url, 'GET', `/api/v1/customers?q=${encodeURIComponent(q)}&pageSize=20`, { token: seeded.tokens.get(member.id) });
        const ms = performance.now() - t;
        if (res.status !== 200) throw new Error(`search ${q} as ${role}: ${res.status} ${JSON.stringify(res.body)}`);
        if (res.body.total === 0) throw new Error(`search ${q} as ${role} found nothing, yet it was taken from a customer in scope`);
        if (i < 5) continue; // warm-up
        latencies.push(ms);
        if (res.body.totalCapped) capped++;
        matched += res.body.total;
      }
      latencies.sort((a, b) => a - b);
      figures.push({
        role,
        kind,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        matches: capped === perKind ? '1000+ (capped)' : `avg ${(matched / perKind).toFixed(0)}${capped ? `, ${capped} capped` : ''}`,
      });
    }
  }
  return figures;
}

export async function customerSearchBench(count = Number(process.env.BENCH_SEARCH_CUSTOMERS ?? 200_000), perKind = 60): Promise<CustomerSearchBench> {
  const h = await startHarness({ now: new Date() });
  try {
    const seeded = await seedOrg(h);
    const t0 = performance.now();
    const rows = await insertCustomers(h, seeded.owners, count);
    const insertSeconds = (performance.now() - t0) / 1000;

    // The index is built by the same code a create or an import runs, 5 000 customers a transaction.
    const t1 = performance.now();
    const ids: { id: number }[] = await h.db.query('SELECT id FROM customer ORDER BY id');
    for (let i = 0; i < ids.length; i += 5000) {
      await withTransaction(h.db, (m) => indexCustomers(m, ids.slice(i, i + 5000).map((r) => Number(r.id)), { fresh: true }));
    }
    const indexSeconds = (performance.now() - t1) / 1000;
    const [{ grams }] = (await h.db.query('SELECT COUNT(*) AS grams FROM customer_search_gram')) as { grams: number }[];
    await h.db.query('ANALYZE TABLE customer, customer_search_gram');

    const figures = await measureSearch(h, seeded, rows, perKind);
    return { customers: count, grams: Number(grams), insertSeconds, indexSeconds, figures };
  } finally {
    await h.close();
  }
}

// `tsx bench/customer-search.ts` alone (DATABASE_URL set) prints the table without the other benches.
if (process.argv[1]?.endsWith('customer-search.ts')) {
  customerSearchBench().then(
    (r) => {
      console.log(`${r.customers} customers, ${r.grams} grams; insert ${r.insertSeconds.toFixed(1)} s, index ${r.indexSeconds.toFixed(1)} s`);
      for (const f of r.figures) console.log(`${f.role.padEnd(11)}${f.kind.padEnd(30)} p50 ${f.p50.toFixed(1).padStart(6)} ms  p95 ${f.p95.toFixed(1).padStart(6)} ms  ${f.matches}`);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
