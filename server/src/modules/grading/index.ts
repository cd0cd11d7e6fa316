import { z } from 'zod';
import { SQL, sqlDate, withSqlTransaction, type Sql } from '../../db/sql';
import { idParam, route } from '../../http/route';
import { defineModule } from '../module';
import { customersForGrading, setGradeStatement, setGradesStatement } from '../customers';
import { everyMinutes } from '../../jobs/job-runner';
import { CustomerGrade } from './customer-grade.entity';
import { GradePackPush } from './grade-pack-push.entity';
import { gradingMessages } from './grading.messages';
import { DIMENSIONS, scoreCustomer, type Dimension } from './grading.score';
import { GradeStrategies, customerGradeReviewKind, type GradeChange } from './grading.strategies';
import { Grading1764975200000 } from './migrations/1764975200000-grading';
import { GradeStrategies1765200000000 } from './migrations/1765200000000-grade-strategies';
import { GRADING_ERRORS } from './grading.errors';
import { GradingInputsSheet } from './grading-inputs';
import type { PaymentRates } from './grading-regrade-ids';
import { gradingInputRoutes } from './grading-inputs.routes';

export interface GradingExports {
  grading: {
    regradeAll(reason?: string, inJob?: Sql): Promise<{ graded: number; changed: number; pushed: number; reviews: number }>;
  };
  gradingInputs: GradingInputsSheet;
}

declare module '../module' {
  interface ModuleExports {
    grading: GradingExports;
  }
}

export { scoreCustomer, type GradeInputs, type GradeResult } from './grading.score';

const n = z.number();
const subScoresSchema = z.object({ paymentHistory: n, inventorySpeed: n, hospitalLevelActivity: n, competitorPenetration: n }).strict();
const gradeSchema = z
  .object({
    customerId: z.number().int(),
    grade: z.string(),
    score: n,
    subScores: subScoresSchema,
    weights: subScoresSchema,
    missing: z.array(z.enum(['paymentHistory', 'inventorySpeed', 'hospitalLevelActivity', 'competitorPenetration'])),
    reason: z.string(),
    gradedAt: z.string(),
  })
  .strict();
// the weights the policy gives now (a run keeps its sub-scores; the weights are the policy's)
const historySchema = z.object({ items: z.array(gradeSchema.omit({ weights: true })), weights: subScoresSchema }).strict();
const packSchema = z
  .object({
    items: z.array(
      z.object({ id: z.number().int(), grade: z.string(), pushedAt: z.string(), materials: z.array(z.object({ id: z.number().int(), title: z.string(), kind: z.string() }).strict()) }).strict(),
    ),
  })
  .strict();

/** customers per regrade transaction (one INSERT of this many history rows) */
const REGRADE_BATCH = 1000;

type GradeRow = Omit<CustomerGrade, 'gradedAt'> & { gradedAt: Date | string };
type PushRow = { id: number; grade: string; materials: string; pushedAt: Date | string };

/**
 * Customer grading (README "Customer grading"): four 0–100 dimensions weighted by policy, a grade from
 * policy thresholds, each run kept as history. The payment-history input is the receivables module's
 * on-time rate (`onTimeRates`); a customer with no receivable due yet keeps it missing (neutral).
 */
export const gradingModule = defineModule({
  name: 'grading',
  entities: [CustomerGrade, GradePackPush],
  migrations: [Grading1764975200000, GradeStrategies1765200000000],
  errors: GRADING_ERRORS,
  permissions: [],
  messages: gradingMessages,
  taskKinds: [customerGradeReviewKind],
  services: ({ db, policy, clock, logger, use }) => {
    const { customers } = use('customers');
    // what a grade change sets off (policy grading.strategies): a support pack, a supervisor's review
    const strategies = new GradeStrategies(policy, logger, use('materials').materials, use('tasks').tasks);
    const { org } = use('org');
    // paymentHistory: the on-time rate from receivables (a customer with nothing due yet stays missing → neutral)
    const { receivables } = use('receivables');
    const paymentRates: PaymentRates = (sql, ids) => receivables.onTimeRates(sql, ids);
    const grading = {
      async gradeNow(caller: Parameters<typeof customers.findInScope>[0], customerId: number) {
        const c = await customers.findInScope(caller, customerId);
        const rates = await withSqlTransaction(db, (sql) => paymentRates(sql, [c.id]));
        const result = scoreCustomer(
          { ...(c.gradingInputs ?? {}), paymentOnTimeRate: rates.get(c.id) ?? null, hospitalLevel: c.hospitalLevel, departmentActivity: c.departmentActivity },
          policy,
        );
        const now = clock.now();
        await withSqlTransaction(db, async (sql) => {
          // the customer row first: the history row's foreign key takes a shared lock on it, and two regrades
          // of one customer each holding that while waiting to update it would deadlock
          const [set] = await sql.batch([
            setGradeStatement(c.id, result.grade, now),
            sql.insertStatement('customer_grade', [
              { customerId: c.id, ...result.subScores, score: result.score, grade: result.grade, missing: result.missing.join(','), reason: 'on_demand', gradedAt: now },
            ]),
          ]);
          // the grade moved (decided by the update, under the row's lock): its strategy runs in this transaction
          if ((set?.affected ?? 0) === 1) {
            await strategies.apply(sql, [{ customerId: c.id, customerName: c.name, ownerId: c.ownerId, from: c.grade, to: result.grade, score: result.score, subScores: result.subScores }], now);
          }
        });
        return { customerId: c.id, grade: result.grade, score: result.score, subScores: result.subScores, weights: result.weights, missing: result.missing, reason: 'on_demand', gradedAt: now.toISOString() };
      },
      /**
       * Regrades every customer, set-based: customers are read in id order in batches of REGRADE_BATCH,
       * each batch writes its history rows in one multi-row INSERT and its grades in one UPDATE per grade,
       * in its own transaction. Memory stays bounded by one batch whatever the number of customers.
       * The batch's changed customers set off their strategies together, in the batch's transaction.
       */
      async regradeAll(reason = 'scheduled', inJob?: Sql): Promise<{ graded: number; changed: number; pushed: number; reviews: number }> {
        const now = clock.now();
        let afterId = 0;
        let graded = 0;
        let changed = 0;
        let pushed = 0;
        let reviews = 0;
        const batch = async (sql: Sql): Promise<boolean> => {
          const rows = await customersForGrading(sql, afterId, REGRADE_BATCH);
          if (!rows.length) return true;
          const rates = await paymentRates(sql, rows.map((c) => Number(c.id)));
          const history: Record<string, unknown>[] = [];
          const byGrade = new Map<string, number[]>();
          const moved: GradeChange[] = [];
          for (const c of rows) {
            const r = scoreCustomer({ ...(c.gradingInputs ?? {}), paymentOnTimeRate: rates.get(Number(c.id)) ?? null, hospitalLevel: c.hospitalLevel, departmentActivity: c.departmentActivity }, policy);
            history.push({ customerId: c.id, ...r.subScores, score: r.score, grade: r.grade, missing: r.missing.join(','), reason, gradedAt: now });
            if (r.grade !== c.grade) {
              changed++;
              const ids = byGrade.get(r.grade);
              if (ids) ids.push(c.id);
              else byGrade.set(r.grade, [c.id]);
              moved.push({ customerId: Number(c.id), customerName: c.name, ownerId: Number(c.ownerId), from: c.grade, to: r.grade, score: r.score, subScores: r.subScores });
            }
          }
          // grades first, history after (the lock order of gradeNow: the history's foreign key locks the customer rows shared)
          await sql.batch([...[...byGrade].map(([grade, ids]) => setGradesStatement(ids, grade, now)), sql.insertStatement('customer_grade', history)]);
          if (moved.length) {
            const set = await strategies.apply(sql, moved, now);
            pushed += set.pushed;
            reviews += set.reviews;
          }
          graded += rows.length;
          afterId = rows[rows.length - 1]!.id;
          return rows.length < REGRADE_BATCH;
        };
        for (;;) {
          // Inside the recurring job's transaction its batches share it: the embedded SQLite has one writer,
          // and a transaction of our own opened beneath the job's would wait for it forever.
          const done = inJob ? await batch(inJob) : await withSqlTransaction(db, batch);
          if (done) return { graded, changed, pushed, reviews };
        }
      },
      /** The support packs pushed for a customer (newest first), for the 支持包 block of its page. */
      async supportPacks(caller: Parameters<typeof customers.findInScope>[0], customerId: number) {
        await customers.findInScope(caller, customerId);
        return withSqlTransaction(db, async (sql) => {
          const rows = await sql.rows<PushRow>(SQL`SELECT id, grade, materials, pushedAt FROM grade_pack_push WHERE customerId = ? ORDER BY pushedAt DESC, id DESC LIMIT 20`, [customerId]);
          return {
            items: rows.map((r) => ({
              id: Number(r.id),
              grade: r.grade,
              pushedAt: sqlDate(r.pushedAt)!.toISOString(),
              materials: (JSON.parse(r.materials) as Array<{ id: number; title: string; kind: string }>).map((m) => ({ id: Number(m.id), title: m.title, kind: m.kind })),
            })),
          };
        });
      },
      async history(caller: Parameters<typeof customers.findInScope>[0], customerId: number) {
        await customers.findInScope(caller, customerId);
        return withSqlTransaction(db, async (sql) => {
          const rows = await sql.rows<GradeRow>(
            SQL`SELECT id, customerId, paymentHistory, inventorySpeed, hospitalLevelActivity, competitorPenetration, score, grade, missing, reason, gradedAt FROM customer_grade WHERE customerId = ? ORDER BY gradedAt DESC, id DESC LIMIT 100`,
            [customerId],
          );
          return {
            items: rows.map((r) => ({
              customerId: r.customerId,
              grade: r.grade,
              score: Number(r.score),
              subScores: Object.fromEntries(DIMENSIONS.map((d) => [d, Number(r[d])])) as Record<Dimension, number>,
              missing: (r.missing ? r.missing.split(',') : []) as Dimension[],
              reason: r.reason,
              gradedAt: sqlDate(r.gradedAt)!.toISOString(),
            })),
            weights: { ...policy.grading.weights },
          };
        });
      },
    };
    return { grading, gradingInputs: new GradingInputsSheet(db, policy, clock, org, strategies, paymentRates) };
  },
  // every customer is regraded every limits.regradeIntervalHours (72 h), claimed once across servers like any job
  recurring: ({ grading }, { policy, logger }) => [
    {
      kind: 'grading.regrade',
      nextAfter: everyMinutes(policy.limits.regradeIntervalHours * 60),
      run: async (_jobs, sql) => {
        const { graded, changed, pushed, reviews } = await grading.regradeAll('scheduled', sql);
        logger.info({ graded, changed, pushed, reviews }, 'customers regraded');
      },
    },
  ],
  routes: ({ grading, gradingInputs }) => [
    ...gradingInputRoutes(gradingInputs),
    route({
      method: 'post', path: '/customers/:id/grade', tag: '客户', summary: '立即重新分级：答新等级、四项分数和所用权重（限本人可见范围）', can: 'customers.update',
      response: gradeSchema,
      handler: (ctx) => grading.gradeNow(ctx.state.member, idParam(ctx, 'id', '客户')),
    }),
    route({
      method: 'get', path: '/customers/:id/support-packs', tag: '客户', summary: '该客户因升为 A+ 等推送给负责人的支持包（素材），最新在前', can: 'customers.read',
      response: packSchema,
      handler: (ctx) => grading.supportPacks(ctx.state.member, idParam(ctx, 'id', '客户')),
    }),
    route({
      method: 'get', path: '/customers/:id/grades', tag: '客户', summary: '分级历史（四项分数、总分、等级、时间、原因）', can: 'customers.read',
      response: historySchema,
      handler: (ctx) => grading.history(ctx.state.member, idParam(ctx, 'id', '客户')),
    }),
  ],
});
