import type { DataSource } from 'typeorm';
import { playFigureLabel, type PlayRate, type PlaySuggestions, type PlaysTable, type PlayView } from '@anchor/shared';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { isSqlite } from '../../db/data-source';
import { SQL, sqlDate, withSqlTransaction, type Sql } from '../../db/sql';
import { notFound } from '../../http/errors';
import type { CustomerService } from '../customers';
import type { Member, OrgService } from '../org';
import { clusterTexts, playKeyOf, type Tokenize } from './play-text';
import type { Play, PlaySegment } from './play.entity';
import { minedChunk, playDialect, visitIdRange, type MineParams } from './play.sql';

const DAY_MS = 86_400_000;
// Visit ids per statement: each far within database.queryTimeoutSeconds, and its rows (a few MB) small enough to die
// young — at 50 000 a chunk the rows outlived the young generation and the heap grew to 430 MB over 2 M visits.
const CHUNK = 10_000;
const SEP = '\u0001';

interface Counts {
  visits: number;
  advanced: number;
}
interface TextStat extends Counts {
  actions: Map<string, number>;
  segments: Map<string, Counts>;
}
interface RegionStat {
  visits: number;
  advanced: number;
  newUsed: Counts;
  newOther: Counts;
  /** `${bottleneck}\u0001${objective}` → value point → its counts */
  groups: Map<string, Map<string, TextStat>>;
}

type PlayRow = Pick<Play, 'regionId' | 'playKey' | 'bottleneck' | 'objective' | 'valuePoint' | 'topAction' | 'visits' | 'advanced' | 'hiddenBy'> & {
  variants: string;
  actions: string;
  segments: string;
  computedAt: Date | string;
};

export interface MineResult {
  regions: number;
  plays: number;
  visits: number;
  distinctTexts: number;
  /** SQL chunks of visit ids read, and the slowest one (each must stay under database.queryTimeoutSeconds) */
  chunks: number;
  slowestChunkMs: number;
  /** time spent waiting for the chunks' rows (the rest is adding them up, merging and writing) */
  sqlMs: number;
}

const add = (c: Counts, visits: number, advanced: number) => {
  c.visits += visits;
  c.advanced += advanced;
};
const rateOf = (c: Counts): PlayRate => ({ visits: c.visits, advanced: c.advanced, rate: c.visits ? c.advanced / c.visits : null });

/**
 * Winning plays (SPEC §11): mined from each region's visits by the recurring job (`mine`), suggested on
 * the visit form (`suggestions`), listed for directors and admins with the new reps' effectiveness
 * (`table`), hidden by them (`hide`, `unhide`). README «Metrics» defines every figure.
 */
export class PlayService {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
    private readonly customers: CustomerService,
    private readonly tokenize: () => Tokenize,
  ) {}

  private get p() {
    return this.policy.plays;
  }

  /** Recomputes every region's plays from the window's visits, in the caller's transaction (the job's). */
  async mine(sql: Sql, now: Date = this.clock.now()): Promise<MineResult> {
    const from = new Date(now.getTime() - this.p.lookbackDays * DAY_MS);
    const params: MineParams = { from, to: now, advanceWithinDays: this.p.advanceWithinDays, holdDays: this.p.holdDays, newRepDays: this.p.newRepDays };
    const d = playDialect(isSqlite(this.db));
    const regions = new Map<number, RegionStat>();
    const range = await visitIdRange(sql, from, now);
    let chunks = 0;
    let slowestChunkMs = 0;
    let sqlMs = 0;
    for (let lo = range?.lo ?? 1; range && lo <= range.hi; lo += CHUNK) {
      const started = performance.now();
      const counted = await minedChunk(sql, d, lo, lo + CHUNK, params);
      chunks++;
      slowestChunkMs = Math.max(slowestChunkMs, performance.now() - started);
      sqlMs += performance.now() - started;
      for (const r of counted) {
        const regionId = Number(r.regionId);
        const visits = 1;
        const advanced = Number(r.advanced);
        let region = regions.get(regionId);
        if (!region) regions.set(regionId, (region = { visits: 0, advanced: 0, newUsed: { visits: 0, advanced: 0 }, newOther: { visits: 0, advanced: 0 }, groups: new Map() }));
        region.visits += visits;
        region.advanced += advanced;
        const cohort = Number(r.cohort);
        if (cohort === 2) add(region.newUsed, visits, advanced);
        else if (cohort === 1) add(region.newOther, visits, advanced);
        const groupKey = `${r.bottleneck}${SEP}${r.objective}`;
        let texts = region.groups.get(groupKey);
        if (!texts) region.groups.set(groupKey, (texts = new Map()));
        let t = texts.get(r.valuePoint);
        if (!t) texts.set(r.valuePoint, (t = { visits: 0, advanced: 0, actions: new Map(), segments: new Map() }));
        add(t, visits, advanced);
        if (advanced > 0 && r.agreedAction) t.actions.set(r.agreedAction, (t.actions.get(r.agreedAction) ?? 0) + advanced);
        for (const [kind, value] of [['industry', r.industry], ['hospitalLevel', r.hospitalLevel]] as const) {
          if (!value) continue;
          const key = `${kind}${SEP}${value}`;
          const s = t.segments.get(key) ?? { visits: 0, advanced: 0 };
          add(s, visits, advanced);
          t.segments.set(key, s);
        }
      }
    }

    const hidden = new Map<number, Set<string>>();
    for (const h of await sql.rows<{ regionId: number; playKey: string }>(SQL`SELECT regionId, playKey FROM play_hidden`)) {
      const set = hidden.get(Number(h.regionId)) ?? new Set<string>();
      set.add(h.playKey);
      hidden.set(Number(h.regionId), set);
    }
    const tokenize = this.tokenize();
    const rows: PlayRow[] = [];
    let distinctTexts = 0;
    for (const [regionId, region] of regions) {
      for (const [groupKey, texts] of region.groups) {
        const [bottleneck, objective] = groupKey.split(SEP) as [string, string];
        const list = [...texts].map(([text, stat]) => ({ text, visits: stat.visits, stat }));
        distinctTexts += list.length;
        // a text never followed by an advance can still join a play (it counts in its success rate), but
        // cannot make one: clusters are led by the most used texts, and a play needs minSupport advances
        for (const members of clusterTexts(list, tokenize, this.p.similarity)) {
          const total: TextStat = { visits: 0, advanced: 0, actions: new Map(), segments: new Map() };
          for (const i of members) {
            const s = list[i]!.stat;
            add(total, s.visits, s.advanced);
            for (const [a, n] of s.actions) total.actions.set(a, (total.actions.get(a) ?? 0) + n);
            for (const [k, c] of s.segments) {
              const acc = total.segments.get(k) ?? { visits: 0, advanced: 0 };
              add(acc, c.visits, c.advanced);
              total.segments.set(k, acc);
            }
          }
          if (total.advanced < this.p.minSupport) continue;
          const leader = list[members[0]!]!.text;
          const hiddenKeys = hidden.get(regionId);
          const hiddenBy = hiddenKeys ? (members.map((i) => playKeyOf(bottleneck, objective, list[i]!.text)).find((k) => hiddenKeys.has(k)) ?? null) : null;
          const actions = [...total.actions].map(([action, advanced]) => ({ action, advanced })).sort((a, b) => b.advanced - a.advanced || (a.action < b.action ? -1 : 1));
          const segments: PlaySegment[] = [...total.segments]
            .filter(([, c]) => c.advanced >= this.p.segmentMinSupport)
            .map(([k, c]) => {
              const [kind, value] = k.split(SEP) as [PlaySegment['kind'], string];
              return { kind, value, visits: c.visits, advanced: c.advanced };
            })
            .sort((a, b) => b.advanced - a.advanced || a.kind.localeCompare(b.kind) || (a.value < b.value ? -1 : 1));
          rows.push({
            regionId, playKey: playKeyOf(bottleneck, objective, leader), bottleneck, objective, valuePoint: leader,
            variants: JSON.stringify(members.slice(1, 6).map((i) => list[i]!.text)), topAction: actions[0]?.action ?? null, actions: JSON.stringify(actions),
            visits: total.visits, advanced: total.advanced, segments: JSON.stringify(segments), hiddenBy, computedAt: now,
          });
        }
      }
    }
    // the old plays give way to the new in this transaction: a reader sees one run or the other
    await sql.exec('DELETE FROM play');
    await sql.exec('DELETE FROM play_run');
    for (let i = 0; i < rows.length; i += 200) await sql.insert('play', rows.slice(i, i + 200));
    const runs = [...regions].map(([regionId, r]) => ({
      regionId, computedAt: now, windowFrom: from, visits: r.visits, advanced: r.advanced,
      newUsedVisits: r.newUsed.visits, newUsedAdvanced: r.newUsed.advanced, newOtherVisits: r.newOther.visits, newOtherAdvanced: r.newOther.advanced,
    }));
    for (let i = 0; i < runs.length; i += 200) await sql.insert('play_run', runs.slice(i, i + 200));
    return { regions: regions.size, plays: rows.length, visits: [...regions.values()].reduce((n, r) => n + r.visits, 0), distinctTexts, chunks, slowestChunkMs, sqlMs };
  }

  /** The region a member's plays come from: their own, else their team's (0 without either). */
  async regionOf(member: Member): Promise<number> {
    if (member.regionId !== null) return member.regionId;
    if (member.teamId !== null) return (await this.org.teamById(member.teamId))?.regionId ?? 0;
    return 0;
  }

  private view(r: PlayRow): PlayView {
    const segments = (JSON.parse(r.segments) as PlaySegment[]).map((s) => ({ ...s, successRate: s.visits ? s.advanced / s.visits : 0 }));
    return {
      key: r.playKey, bottleneck: r.bottleneck, objective: r.objective, valuePoint: r.valuePoint, variants: JSON.parse(r.variants) as string[],
      topAction: r.topAction, actions: JSON.parse(r.actions) as PlayView['actions'], visits: Number(r.visits), advanced: Number(r.advanced),
      successRate: r.visits ? Number(r.advanced) / Number(r.visits) : 0, label: playFigureLabel(this.p.lookbackDays, Number(r.advanced), Number(r.visits)),
      segments, hidden: r.hiddenBy !== null,
    };
  }

  private async lastRun(sql: Sql, regionId: number) {
    const [run] = await sql.rows<{ computedAt: Date | string; newUsedVisits: number; newUsedAdvanced: number; newOtherVisits: number; newOtherAdvanced: number }>(
      SQL`SELECT computedAt, newUsedVisits, newUsedAdvanced, newOtherVisits, newOtherAdvanced FROM play_run WHERE regionId = ?`,
      [regionId],
    );
    return run ?? null;
  }

  /**
   * The top plays for a bottleneck the rep just picked, ranked: the objective picked first, then those
   * with figures for the customer's hospital level or industry, then by success rate and support. None
   * (with the reason) for a bottleneck no longer in the options, or without enough data. Never an error
   * for those: the form just shows the reason.
   */
  async suggestions(caller: Member, q: { bottleneck: string; objective?: string | undefined; customerId?: number | undefined }): Promise<PlaySuggestions> {
    const customer = q.customerId ? await this.customers.findInScope(caller, q.customerId) : null;
    const none = (reason: string, computedAt: string | null = null): PlaySuggestions => ({ bottleneck: q.bottleneck, plays: [], reason, computedAt });
    if (!this.policy.options.bottlenecks.includes(q.bottleneck)) return none(`「${q.bottleneck}」已不在业务瓶颈选项中，没有可参考的打法`);
    const regionId = await this.regionOf(caller);
    const { run, rows } = await withSqlTransaction(this.db, async (sql) => ({
      run: await this.lastRun(sql, regionId),
      rows: await sql.rows<PlayRow>(SQL`SELECT * FROM play WHERE regionId = ? AND bottleneck = ? AND hiddenBy IS NULL`, [regionId, q.bottleneck]),
    }));
    if (!run) return none('赢单打法尚未计算（每隔几小时自动计算一次），请稍后再看');
    const computedAt = sqlDate(run.computedAt)!.toISOString();
    if (rows.length === 0) return none(`近 ${this.p.lookbackDays} 天这个瓶颈还没有成功 ${this.p.minSupport} 次以上的打法，数据不足`, computedAt);
    const segmentOf = (v: PlayView) => {
      if (!customer) return null;
      // the hospital level says more than the industry: it first
      const s = v.segments.find((x) => x.kind === 'hospitalLevel' && x.value === customer.hospitalLevel) ?? v.segments.find((x) => x.kind === 'industry' && x.value === customer.industry);
      return s ? { kind: s.kind, value: s.value, label: `${s.value}：${s.advanced} 次推进 · 成功率 ${Math.round(s.successRate * 100)} %` } : null;
    };
    const plays = rows
      .map((r) => {
        const v = this.view(r);
        return { ...v, customerSegment: segmentOf(v) };
      })
      .sort(
        (a, b) =>
          Number(b.objective === q.objective) - Number(a.objective === q.objective) ||
          Number(!!b.customerSegment) - Number(!!a.customerSegment) ||
          b.successRate - a.successRate ||
          b.advanced - a.advanced ||
          (a.key < b.key ? -1 : 1),
      )
      // one wording once: the same value point under another objective adds nothing to copy
      .filter((v, i, all) => all.findIndex((w) => w.valuePoint === v.valuePoint) === i)
      .slice(0, this.p.suggestions);
    return { bottleneck: q.bottleneck, plays, reason: null, computedAt };
  }

  /** The region a director or admin looks at: a director their own (another answers 404); an admin any (default: the first). */
  private async tableRegion(caller: Member, asked: number | undefined): Promise<{ regionId: number; regions: Array<{ id: number; name: string }> }> {
    if (caller.role !== 'admin') {
      const own = await this.regionOf(caller);
      if (asked !== undefined && asked !== own) throw notFound('大区');
      const region = own ? await this.org.regionById(own) : null;
      return { regionId: own, regions: region ? [{ id: region.id, name: region.name }] : [] };
    }
    const regions = (await withSqlTransaction(this.db, (sql) => sql.rows<{ id: number; name: string }>(SQL`SELECT id, name FROM region ORDER BY id`))).map((r) => ({ id: Number(r.id), name: r.name }));
    if (asked !== undefined && !regions.some((r) => r.id === asked)) throw notFound('大区');
    return { regionId: asked ?? regions[0]?.id ?? 0, regions };
  }

  /** The directors' plays table: every play of the region per bottleneck (hidden ones marked), and the effectiveness split. */
  async table(caller: Member, q: { regionId?: number | undefined }): Promise<PlaysTable> {
    const { regionId, regions } = await this.tableRegion(caller, q.regionId);
    const { run, rows } = await withSqlTransaction(this.db, async (sql) => ({
      run: await this.lastRun(sql, regionId),
      rows: await sql.rows<PlayRow>(SQL`SELECT * FROM play WHERE regionId = ?`, [regionId]),
    }));
    const byBottleneck = new Map<string, PlayView[]>();
    for (const b of this.policy.options.bottlenecks) byBottleneck.set(b, []);
    for (const r of rows) {
      const list = byBottleneck.get(r.bottleneck) ?? [];
      list.push(this.view(r));
      byBottleneck.set(r.bottleneck, list);
    }
    const bottlenecks = [...byBottleneck].map(([bottleneck, plays]) => ({
      bottleneck,
      plays: plays.sort((a, b) => b.advanced - a.advanced || b.successRate - a.successRate || (a.key < b.key ? -1 : 1)),
    }));
    const used = { visits: Number(run?.newUsedVisits ?? 0), advanced: Number(run?.newUsedAdvanced ?? 0) };
    const other = { visits: Number(run?.newOtherVisits ?? 0), advanced: Number(run?.newOtherAdvanced ?? 0) };
    return {
      regionId, regions, computedAt: run ? sqlDate(run.computedAt)!.toISOString() : null, windowDays: this.p.lookbackDays, minSupport: this.p.minSupport,
      bottlenecks, effectiveness: { newRepDays: this.p.newRepDays, used: rateOf(used), notUsed: rateOf(other) },
    };
  }

  /** Hides a play of the caller's region (an admin: of `regionId`): never suggested again, also after the next run. */
  async hide(caller: Member, key: string, asked: number | undefined): Promise<PlayView> {
    const { regionId } = await this.tableRegion(caller, asked);
    const now = this.clock.now();
    return withSqlTransaction(this.db, async (sql) => {
      const [row] = await sql.rows<PlayRow>(SQL`SELECT * FROM play WHERE regionId = ? AND playKey = ?`, [regionId, key]);
      if (!row) throw notFound('打法');
      if (row.hiddenBy === null) {
        const [already] = await sql.rows<{ id: number }>(SQL`SELECT id FROM play_hidden WHERE regionId = ? AND playKey = ?`, [regionId, key]);
        if (!already) await sql.insert('play_hidden', [{ regionId, playKey: key, bottleneck: row.bottleneck, objective: row.objective, valuePoint: row.valuePoint, hiddenById: caller.id, hiddenAt: now }]);
        await sql.exec('UPDATE play SET hiddenBy = ? WHERE regionId = ? AND playKey = ?', [key, regionId, key]);
        row.hiddenBy = key;
      }
      return this.view(row);
    });
  }

  /** Shows a hidden play again (the hide it carries is forgotten). */
  async unhide(caller: Member, key: string, asked: number | undefined): Promise<PlayView> {
    const { regionId } = await this.tableRegion(caller, asked);
    return withSqlTransaction(this.db, async (sql) => {
      const [row] = await sql.rows<PlayRow>(SQL`SELECT * FROM play WHERE regionId = ? AND playKey = ?`, [regionId, key]);
      if (!row) throw notFound('打法');
      if (row.hiddenBy !== null) {
        await sql.exec('DELETE FROM play_hidden WHERE regionId = ? AND playKey = ?', [regionId, row.hiddenBy]);
        await sql.exec('UPDATE play SET hiddenBy = NULL WHERE regionId = ? AND playKey = ?', [regionId, key]);
        row.hiddenBy = null;
      }
      return this.view(row);
    });
  }
}
