import type { DataSource } from 'typeorm';
import { addDays, yuanToFen, type RebateRuleInput } from '@anchor/shared';
import type { Clock } from '../../clock';
import { withSqlTransaction } from '../../db/sql';
import type { CustomerService } from '../customers';
import { activeMembersWithRole, type Member, type OrgService } from '../org';
import type { RebateRequests } from './rebate-request.service';
import type { RebateRules } from './rebate-rules.service';

const fen = (yuan: string) => yuanToFen(yuan)!;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** Bands 0–10 万, 10–50 万, 50 万 以上 for one key, with the rates and documents of each. */
function bands(key: Pick<RebateRuleInput, 'grade' | 'customerType' | 'productModel' | 'deliveryCycle'>, rates: Array<[number, number]>, days: number): RebateRuleInput[] {
  const edges: Array<[number, number | null]> = [[0, fen('100000')], [fen('100000'), fen('500000')], [fen('500000'), null]];
  return edges.map(([minFen, maxFen], i) => ({
    ...key, minFen, maxFen, rateMinBp: rates[i]![0], rateMaxBp: rates[i]![1], payoutDelayDays: days,
    documents: i === 0 ? ['合同扫描件', '发票'] : ['合同扫描件', '发票', '出库单', '签收单'],
  }));
}

/** The demo's rule table: a month old, by grade, with a sharper rate for 公立医院 buying the policy's first product model on 30 天. */
export function demoRuleTable(productModels: readonly string[]): RebateRuleInput[] {
  const any = { customerType: '', productModel: '', deliveryCycle: '' };
  return [
    ...bands({ grade: 'A+', ...any }, [[300, 500], [400, 600], [500, 800]], 10),
    ...bands({ grade: 'A', ...any }, [[200, 400], [300, 500], [400, 600]], 15),
    ...bands({ grade: 'B', ...any }, [[100, 300], [200, 300], [200, 400]], 20),
    ...bands({ grade: 'C', ...any }, [[0, 100], [50, 150], [100, 200]], 30),
    ...bands({ grade: '', ...any }, [[0, 100], [50, 150], [100, 200]], 30),
    ...(productModels[0] ? bands({ grade: '', customerType: '公立医院', productModel: productModels[0], deliveryCycle: '30天' }, [[350, 550], [450, 650], [550, 850]], 10) : []),
  ];
}

/**
 * The demo's rebates (main.ts, after the people and customers): the rule table, a contract scan on file
 * for one customer, and requests by the reps in every state — pending, documents missing, approved,
 * rejected, paid — decided by the demo's finance member through the same paths the app uses.
 */
export async function seedRebatesForDemo(
  db: DataSource,
  clock: Clock,
  services: { rebateRules: RebateRules; rebateRequests: RebateRequests; org: OrgService; customers: CustomerService },
): Promise<void> {
  const byRole = (role: string) => withSqlTransaction(db, (sql) => activeMembersWithRole(sql, role));
  const load = async (ids: number[]) => (await Promise.all(ids.map((id) => services.org.findActiveMember(id)))).filter((m): m is Member => !!m);
  const [finance] = await load((await byRole('finance')).map((m) => m.id));
  const reps = await load((await byRole('rep')).map((m) => m.id));
  if (!finance || reps.length === 0) return;
  const today = services.rebateRules.today();
  // the models the policy lists (options.productModels, the contracts' list): the first, the second, the last
  const models = services.rebateRules.choices().productModels;
  const model = (i: number) => models[Math.min(i, models.length - 1)]!;
  await services.rebateRules.saveVersion(finance, { effectiveFrom: addDays(today, -30), note: '2026 年第四季度返点政策', rules: demoRuleTable(models) }, undefined, { seeding: true });
  const plan: Array<{ state: 'pending' | 'documents_missing' | 'approved' | 'rejected' | 'paid'; yuan: string; model: string; cycle: string }> = [
    { state: 'pending', yuan: '86000', model: model(0), cycle: '30天' },
    { state: 'documents_missing', yuan: '268000', model: model(0), cycle: '30天' },
    { state: 'approved', yuan: '152000', model: model(1), cycle: '60天' },
    { state: 'rejected', yuan: '45000', model: model(1), cycle: '现货' },
    { state: 'paid', yuan: '620000', model: model(0), cycle: '90天' },
    { state: 'pending', yuan: '38000', model: model(models.length - 1), cycle: '现货' },
  ];
  let n = 0;
  for (const [i, step] of plan.entries()) {
    const rep = reps[i % reps.length]!;
    const customers = (await services.customers.list(rep, { page: 1, pageSize: 10 } as never)).items;
    const customer = customers[i % Math.max(1, customers.length)];
    if (!customer) continue;
    try {
      const input = { customerId: customer.id, productModel: step.model, amountFen: fen(step.yuan), deliveryCycle: step.cycle };
      if (step.state === 'paid' || step.state === 'approved') await services.rebateRequests.uploadDocument(rep, customer.id, '合同扫描件', PNG);
      const calc = await services.rebateRules.calculate(rep, input);
      const { request } = await services.rebateRequests.create(rep, { ...input, rateBp: calc.rateMaxBp, note: '' }, `demo-rebate-${++n}`);
      if (step.state === 'documents_missing') await services.rebateRequests.decide(finance, request.id, { action: 'documents_missing', documents: ['发票', '签收单'], reason: '发票抬头与合同不一致' });
      if (step.state === 'rejected') await services.rebateRequests.decide(finance, request.id, { action: 'reject', reason: '该客户本季度已享受过返点' });
      if (step.state === 'approved' || step.state === 'paid') await services.rebateRequests.decide(finance, request.id, { action: 'approve', reason: '单据齐全' });
      if (step.state === 'paid') await services.rebateRequests.decide(finance, request.id, { action: 'paid' });
    } catch {
      // a demo customer without a grade the table covers: the demo goes on without that request
    }
  }
  void clock;
}
