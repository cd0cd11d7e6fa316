import type { Policy } from '../../config/policy';
import { SQL, placeholders, type Sql } from '../../db/sql';
import type { Logger } from '../../logger';
import { outboxStatement } from '../../outbox/outbox';
import type { MaterialService } from '../materials';
import { membersById } from '../org';
import type { TaskKindDefinition, TaskService } from '../tasks';
import type { Dimension } from './grading.score';

const DAY_MS = 86_400_000;

/** One customer whose grade just moved (from `from` to `to`), with what the grading run saw. */
export interface GradeChange {
  customerId: number;
  customerName: string;
  ownerId: number;
  from: string | null;
  to: string;
  score: number;
  subScores: Record<Dimension, number>;
}

/** What a 客户降级复核 task carries (its card and the app read it; frozen when it is created). */
export interface GradeReviewSnapshot {
  customer: { id: number; name: string };
  owner: { id: number; name: string };
  from: string | null;
  to: string;
  score: number;
  subScores: Record<Dimension, number>;
}

const DIMENSION_LABELS: Record<Dimension, string> = {
  paymentHistory: '回款准时率',
  inventorySpeed: '库存消耗速度',
  hospitalLevelActivity: '医院等级与科室活跃度',
  competitorPenetration: '竞品渗透率',
};

export const GRADE_REVIEW_KIND = 'customer_grade_review';

/**
 * A customer graded down to the review grade (C): its owner's supervisor looks at it within
 * grading.strategies.review.dueHours (48 h), or the director hears of it.
 */
export const customerGradeReviewKind: TaskKindDefinition = {
  name: GRADE_REVIEW_KIND,
  label: '客户降级复核',
  actions: ['confirm', 'comment'],
  actionLabels: { confirm: '复核完成' },
  dueHours: (policy) => policy.grading.strategies.review?.dueHours ?? policy.limits.todoConfirmHours,
  escalateTo: 'director',
  render: (snapshot) => {
    const s = snapshot as Partial<GradeReviewSnapshot>;
    return {
      title: s.customer?.name ?? '',
      lines: [
        `等级：${s.from ?? '未分级'} → ${s.to ?? ''}`,
        `负责人：${s.owner?.name ?? ''}`,
        `总分：${s.score ?? ''} 分`,
        // sub-scores (0–100, higher is better: for competitors, a lower penetration), as the customer page shows them
        ...(Object.keys(DIMENSION_LABELS) as Dimension[]).map((d) => `${DIMENSION_LABELS[d]}：${s.subScores?.[d] ?? ''} 分`),
      ],
    };
  },
};

/** The grade-change rules of policy grading.strategies, run in the transaction that changed the grades. */
export class GradeStrategies {
  constructor(
    private readonly policy: Policy,
    private readonly logger: Logger,
    private readonly materials: MaterialService,
    private readonly tasks: TaskService,
  ) {}

  /**
   * Everything the grade changes of one transaction (one customer on demand, one regrade batch) set off,
   * written in that transaction with a fixed number of statements whatever the number of customers.
   */
  async apply(sql: Sql, changes: readonly GradeChange[], now: Date): Promise<{ pushed: number; reviews: number }> {
    const { supportPack, review } = this.policy.grading.strategies;
    const pushed = supportPack ? await this.pushPacks(sql, changes.filter((c) => c.to === supportPack.grade && c.from !== supportPack.grade), now) : 0;
    // A first grade is not a drop: a bulk import of ungraded customers must not open a review for each C.
    const reviews = review ? await this.openReviews(sql, changes.filter((c) => c.to === review.grade && c.from !== null && c.from !== review.grade)) : 0;
    return { pushed, reviews };
  }

  /**
   * The owner of each customer gets the current pack (materials tagged supportPack.tag): a push row and
   * one WeCom text per customer. Not when the customer's last push within flapDays had the same materials.
   */
  private async pushPacks(sql: Sql, changes: GradeChange[], now: Date): Promise<number> {
    const rule = this.policy.grading.strategies.supportPack!;
    if (changes.length === 0) return 0;
    const pack = await this.materials.taggedNow(sql, rule.tag, rule.maxMaterials);
    if (pack.length === 0) {
      this.logger.warn({ tag: rule.tag, customers: changes.length }, 'support pack not pushed: no material in use carries its tag');
      return 0;
    }
    const key = pack.map((m) => m.id).sort((a, b) => a - b).join(',');
    const ids = changes.map((c) => c.customerId);
    const recent = await sql.rows<{ customerId: number; materialKey: string }>(
      SQL`SELECT customerId, materialKey FROM grade_pack_push WHERE customerId IN (${placeholders(ids.length)}) AND pushedAt > ? ORDER BY pushedAt DESC, id DESC`,
      [...ids, new Date(now.getTime() - rule.flapDays * DAY_MS)],
    );
    const last = new Map<number, string>();
    for (const r of recent) if (!last.has(Number(r.customerId))) last.set(Number(r.customerId), r.materialKey);
    const due = changes.filter((c) => last.get(c.customerId) !== key);
    if (due.length === 0) return 0;
    const materials = pack.map((m) => ({ id: m.id, title: m.title, kind: m.kind }));
    await sql.batch([
      sql.insertStatement('grade_pack_push', due.map((c) => ({ customerId: c.customerId, ownerId: c.ownerId, grade: c.to, materialKey: key, materials, pushedAt: now }))),
      outboxStatement(sql, due.map((c) => ({ kind: 'grading.pack_pushed', teamId: null, payload: { customerId: c.customerId, customerName: c.customerName, ownerId: c.ownerId, grade: c.to, materials: materials.map(({ id, title }) => ({ id, title })) } })), now),
    ]);
    return due.length;
  }

  /** One 客户降级复核 task per customer for its owner's supervisor (the first active manager up the owner's line). */
  private async openReviews(sql: Sql, changes: GradeChange[]): Promise<number> {
    if (changes.length === 0) return 0;
    const people = await membersById(sql, changes.map((c) => c.ownerId));
    // the owners' managers, and theirs when a manager has left (two more hops at most)
    for (let level = 0; level < 3; level++) {
      const missing = [...people.values()].map((p) => p.managerId).filter((id): id is number => id !== null && !people.has(id));
      if (missing.length === 0) break;
      for (const [id, place] of await membersById(sql, missing)) people.set(id, place);
    }
    const reviewerOf = (ownerId: number): number | null => {
      let at = people.get(ownerId);
      for (let hops = 0; at?.managerId && hops < 3; hops++) {
        at = people.get(at.managerId);
        if (at?.active) return at.id;
      }
      return null;
    };
    const specs = changes.flatMap((c) => {
      const reviewer = reviewerOf(c.ownerId);
      if (reviewer === null) {
        this.logger.warn({ customerId: c.customerId, ownerId: c.ownerId }, 'grade review not opened: the owner has no active manager');
        return [];
      }
      const snapshot: GradeReviewSnapshot = {
        customer: { id: c.customerId, name: c.customerName },
        owner: { id: c.ownerId, name: people.get(c.ownerId)?.name ?? '' },
        from: c.from,
        to: c.to,
        score: c.score,
        subScores: c.subScores,
      };
      return [{ subjectId: c.customerId, customerId: c.customerId, requesterId: c.ownerId, assigneeId: reviewer, snapshot: snapshot as unknown as Record<string, unknown> }];
    });
    return (await this.tasks.openForSubjects(sql, GRADE_REVIEW_KIND, 'customer', specs)).size;
  }
}
