import type { DataSource } from 'typeorm';
import {
  ANY, addWorkingDays, bandLabel, checkRuleTable, formatYuan, listedModel, localDay, rebateFen, ruleIndex, ruleKeyLabel, unlistedModelMessage,
  type RebateCalculateInput, type RebateCalculation, type RebateQuery, type RebateChoices, type RebateRuleInput, type RebateRuleView, type RebateVersionInput, type RebateVersionView, type RuleProblem,
} from '@anchor/shared';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { withSqlTransaction } from '../../db/sql';
import { invalid, notFound } from '../../http/errors';
import type { CustomerService } from '../customers';
import { scopeIncludes, type Member, type OrgService } from '../org';
import { RebateRule, RebateRuleVersion } from './rebate.entity';
import { rebateError } from './rebates.errors';

/** The customer a calculation is about, as the rule table reads it. */
export interface RebateCustomer {
  id: number;
  name: string;
  ownerId: number;
  grade: string | null;
  industry: string;
}

/** Problems → the error's fields, one per row: 「第3行」: 「…；…」 (the table editor marks those rows). */
export function problemFields(problems: RuleProblem[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const p of problems) {
    const key = `第${p.row}行`;
    fields[key] = fields[key] ? `${fields[key]}；${p.message}` : p.message;
  }
  return fields;
}

/**
 * Finance's rule table: versions (each a whole table, in force from its day), the checks a save must pass,
 * and the calculator. Versions never change once saved, so each one's rules are cached in memory for good;
 * which version is in force is re-read only when the newest version id in the database differs from the
 * one cached (one indexed MAX per calculation), so a version saved on another server is seen at once.
 */
export class RebateRules {
  private newest = -1;
  /** every version's id and first day, newest day first (ties: the later saved first) */
  private versionDays: Array<{ id: number; effectiveFrom: string }> = [];
  private readonly compiled = new Map<number, RebateRuleView[]>();
  private readonly matchers = new Map<number, (q: RebateQuery) => RebateRuleView | null>();
  private payoutDaysOf = '';
  private readonly payoutDays = new Map<number, string>();

  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
    private readonly customers: CustomerService,
  ) {}

  choices(): RebateChoices {
    return {
      grades: this.policy.grading.grades.map((g) => g.grade),
      customerTypes: this.policy.options.industries,
      productModels: this.policy.options.productModels,
      deliveryCycles: this.policy.rebates.deliveryCycles,
      documentTypes: this.policy.rebates.documentTypes,
    };
  }

  /** `days` working days after `today` (check-in calendar), kept per day: the calculator asks the same few delays all day. */
  private payoutDay(today: string, days: number): string {
    if (this.payoutDaysOf !== today) {
      this.payoutDays.clear();
      this.payoutDaysOf = today;
    }
    let day = this.payoutDays.get(days);
    if (day === undefined) this.payoutDays.set(days, (day = addWorkingDays(today, days, this.policy.checkins)));
    return day;
  }

  today(): string {
    return localDay(this.clock.now(), this.policy.timeZone);
  }

  private async refreshVersions(known?: number): Promise<void> {
    let newest = known;
    if (newest === undefined) {
      const [row] = await this.db.query<Array<{ m: number | string | null }>>('SELECT MAX(id) AS m FROM rebate_rule_version');
      newest = row?.m === null || row?.m === undefined ? 0 : Number(row.m);
    }
    if (newest === this.newest) return;
    const rows = await this.db.getRepository(RebateRuleVersion).find({ select: { id: true, effectiveFrom: true }, order: { effectiveFrom: 'DESC', id: 'DESC' } });
    this.versionDays = rows.map((r) => ({ id: r.id, effectiveFrom: r.effectiveFrom }));
    this.newest = newest;
  }

  /** The version in force on a local day: the latest first day on or before it (same day: the later saved). */
  async versionIdAt(day: string, newest?: number): Promise<number | null> {
    await this.refreshVersions(newest);
    return this.versionDays.find((v) => v.effectiveFrom <= day)?.id ?? null;
  }

  /** A version's rules in table order (cached: a version never changes). */
  async rulesOf(versionId: number): Promise<RebateRuleView[]> {
    const hit = this.compiled.get(versionId);
    if (hit) return hit;
    const rows = await this.db.getRepository(RebateRule).find({ where: { versionId }, order: { rowNo: 'ASC' } });
    const rules = rows.map((r): RebateRuleView => ({
      id: r.id, row: r.rowNo, grade: r.grade, customerType: r.customerType, productModel: r.productModel, deliveryCycle: r.deliveryCycle,
      minFen: r.minFen, maxFen: r.maxFen, rateMinBp: r.rateMinBp, rateMaxBp: r.rateMaxBp, documents: r.documents, payoutDelayDays: r.payoutDelayDays,
    }));
    this.compiled.set(versionId, rules);
    return rules;
  }

  async versions(): Promise<RebateVersionView[]> {
    const rows = await this.db.getRepository(RebateRuleVersion).find({ order: { id: 'DESC' } });
    const people = await this.org.membersByIds(rows.map((r) => r.createdById));
    return rows.map((r) => ({
      id: r.id, version: r.id, effectiveFrom: r.effectiveFrom, note: r.note, ruleCount: r.ruleCount,
      createdBy: people.has(r.createdById) ? { id: r.createdById, name: people.get(r.createdById)!.name } : null, createdAt: r.createdAt.toISOString(),
    }));
  }

  /**
   * The table as finance sees it: one version (given, or the one in force today), its rules, and every version;
   * `problems` names the rows the policy's lists no longer take (a version saved before product models were a
   * list, or a value since removed from policy.yaml): such a row is kept, never matched by the calculator, and
   * must be changed before the table saves as a new version.
   */
  async table(versionId: number | null, at: string | null): Promise<{ today: string; inForceId: number | null; version: RebateVersionView | null; rules: RebateRuleView[]; problems: RuleProblem[]; versions: RebateVersionView[]; choices: RebateChoices }> {
    const versions = await this.versions();
    const today = this.today();
    const inForceId = await this.versionIdAt(today);
    const id = versionId ?? (await this.versionIdAt(at ?? today));
    const version = id === null ? null : (versions.find((v) => v.id === id) ?? null);
    if (versionId !== null && !version) throw notFound('返点政策版本');
    const rules = version ? await this.rulesOf(version.id) : [];
    const choices = this.choices();
    return { today, inForceId, version, rules, problems: this.check(rules, rules.map((r) => r.row)), versions, choices };
  }

  /** Every problem of a table (rows as the person numbers them), empty when it may be saved. */
  check(rules: readonly RebateRuleInput[], rows?: readonly number[]): RuleProblem[] {
    return checkRuleTable(rules, this.choices(), rows);
  }

  /**
   * Saves a whole table as a new version in force from `effectiveFrom` (today or later: a calculation
   * already made keeps the version it read). Overlapping or gapped bands of one key, or values outside the
   * policy's lists, refuse the save naming the rows; nothing is written then.
   */
  async saveVersion(caller: Member, input: RebateVersionInput, rows?: readonly number[], options: { seeding?: boolean } = {}): Promise<RebateVersionView> {
    const today = this.today();
    // (the demo seed writes a table already in force for a month: nobody can, through the API)
    if (input.effectiveFrom < today && !options.seeding) throw invalid({ effectiveFrom: `生效日期不能早于今天（${today}）` });
    const problems = this.check(input.rules, rows);
    if (problems.length) {
      const first = problems[0]!;
      throw rebateError('REBATE_TABLE_INVALID', { message: `返点规则表有 ${new Set(problems.map((p) => p.row)).size} 行有误，未保存：第 ${first.row} 行 ${first.message}`, fields: problemFields(problems) });
    }
    // a model as the policy spells it (the check took it ignoring case and width)
    const models = this.policy.options.productModels;
    const spelled = (model: string) => (model === ANY ? ANY : listedModel(model, models)!);
    const now = this.clock.now();
    const id = await withSqlTransaction(this.db, async (sql) => {
      const versionId = await sql.insert('rebate_rule_version', [{ effectiveFrom: input.effectiveFrom, note: input.note, ruleCount: input.rules.length, createdById: caller.id, createdAt: now }]);
      for (let i = 0; i < input.rules.length; i += 500) {
        await sql.insert('rebate_rule', input.rules.slice(i, i + 500).map((r, k) => ({
          versionId, rowNo: rows?.[i + k] ?? i + k + 1, grade: r.grade, customerType: r.customerType, productModel: spelled(r.productModel), deliveryCycle: r.deliveryCycle,
          minFen: r.minFen, maxFen: r.maxFen, rateMinBp: r.rateMinBp, rateMaxBp: r.rateMaxBp, documents: JSON.stringify(r.documents), payoutDelayDays: r.payoutDelayDays,
        })));
      }
      return versionId;
    });
    return (await this.versions()).find((v) => v.id === id)!;
  }

  /** A customer the caller may calculate and request for (rebates.request.create in reach), else 404 as for none. */
  async customerFor(caller: Member, customerId: number): Promise<RebateCustomer> {
    const c = await this.customers.findInScope(caller, customerId);
    if (!scopeIncludes(await this.org.scopeOf(caller, 'rebates.request.create'), c.ownerId)) throw notFound('客户');
    return { id: c.id, name: c.name, ownerId: c.ownerId, grade: c.grade, industry: c.industry };
  }

  /**
   * The calculator: the version in force today, the rule for the customer's grade and type, the model (one of
   * policy options.productModels, as contracts take it), the cycle and the amount; the range in % and in fen;
   * the documents the rule requires that the customer has not filed yet; the payout day (the rule's working
   * days from today, check-in calendar). A model or cycle off the policy's lists: 400 naming the field and the
   * values it takes. No rule: 422 naming the key and the amount.
   *
   * One round trip per calculation: the customer (owner, grade, type), the newest version id (the rules cache's
   * check: a version saved on another server is seen at once) and the customer's filed document types come back
   * in one statement; the version list, each version's rules (indexed by model) and the payout day of each
   * delay (per local day) are kept in memory.
   */
  async calculate(caller: Member, input: RebateCalculateInput): Promise<RebateCalculation & { ruleRow: RebateRuleView }> {
    if (!this.policy.rebates.deliveryCycles.includes(input.deliveryCycle)) {
      throw invalid({ deliveryCycle: `交付周期「${input.deliveryCycle}」不在可选范围内（${this.policy.rebates.deliveryCycles.join('、')}）` });
    }
    const productModel = listedModel(input.productModel, this.policy.options.productModels);
    if (productModel === null) throw invalid({ productModel: unlistedModelMessage(input.productModel, this.policy.options.productModels) });
    const probe = await this.db.query<Array<{ id: number; name: string; ownerId: number; grade: string | null; industry: string; newest: number | string | null; documentType: string | null }>>(
      'SELECT c.id, c.name, c.ownerId, c.grade, c.industry, (SELECT MAX(id) FROM rebate_rule_version) AS newest, d.documentType FROM customer c LEFT JOIN rebate_document d ON d.customerId = c.id WHERE c.id = ?',
      [input.customerId],
    );
    const found = probe[0];
    // a customer out of reach answers as one that does not exist (rebates.request.create: a rep's own, a supervisor's team's)
    if (!found || !scopeIncludes(await this.org.scopeOf(caller, 'rebates.request.create'), Number(found.ownerId))) throw notFound('客户');
    const customer: RebateCustomer = { id: Number(found.id), name: found.name, ownerId: Number(found.ownerId), grade: found.grade, industry: found.industry };
    const today = this.today();
    const versionId = await this.versionIdAt(today, Number(found.newest ?? 0));
    const key = { grade: customer.grade ?? '', customerType: customer.industry, productModel, deliveryCycle: input.deliveryCycle };
    const asked = `客户等级 ${customer.grade ?? '未分级'} · 客户类型 ${customer.industry} · 产品型号 ${productModel} · 交付周期 ${input.deliveryCycle} · 订单金额 ${formatYuan(input.amountFen)}`;
    if (versionId === null) throw rebateError('REBATE_NO_RULE', { message: `还没有生效的返点政策（${asked}），请联系财务维护返点规则表`, fields: { productModel: '没有生效的返点政策' } });
    let match = this.matchers.get(versionId);
    if (!match) this.matchers.set(versionId, (match = ruleIndex(await this.rulesOf(versionId))));
    const rule = match({ grade: customer.grade, customerType: customer.industry, productModel, deliveryCycle: input.deliveryCycle, amountFen: input.amountFen });
    if (!rule) {
      throw rebateError('REBATE_NO_RULE', {
        message: `没有适用的返点规则：${asked}（第 ${versionId} 版返点政策），请联系财务`,
        fields: { productModel: `第 ${versionId} 版返点政策中没有「${ruleKeyLabel(key)}」、金额 ${formatYuan(input.amountFen)} 的规则` },
      });
    }
    const attached = new Set(probe.map((p) => p.documentType));
    const effective = this.versionDays.find((v) => v.id === versionId)!;
    return {
      customer: { id: customer.id, name: customer.name, grade: customer.grade, customerType: customer.industry },
      productModel,
      deliveryCycle: input.deliveryCycle,
      amountFen: input.amountFen,
      rateMinBp: rule.rateMinBp,
      rateMaxBp: rule.rateMaxBp,
      rebateMinFen: rebateFen(input.amountFen, rule.rateMinBp),
      rebateMaxFen: rebateFen(input.amountFen, rule.rateMaxBp),
      documentsRequired: rule.documents,
      documentsAttached: rule.documents.filter((d) => attached.has(d)),
      documentsMissing: rule.documents.filter((d) => !attached.has(d)),
      expectedPayoutDate: this.payoutDay(today, rule.payoutDelayDays),
      payoutDelayDays: rule.payoutDelayDays,
      calculatedOn: today,
      rule: { id: rule.id, versionId, version: versionId, row: rule.row, key: `${ruleKeyLabel(rule)}（${bandLabel(rule)}，自 ${effective.effectiveFrom} 起）`, band: bandLabel(rule) },
      ruleRow: rule,
    };
  }
}
