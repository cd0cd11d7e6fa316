import type { EntityManager } from 'typeorm';
import { SQL, placeholders, statement, type RowOf, type Sql, type Statement } from '../../db/sql';
import { Customer as CustomerEntity, type Customer } from './customer.entity';

/** A customer's name, read inside the caller's transaction (other modules' messages use it). */
export async function customerName(sql: Sql, id: unknown): Promise<string | null> {
  const [row] = await sql.rows<Pick<Customer, 'name'>>(SQL`SELECT name FROM customer WHERE id = ?`, [id]);
  return row?.name ?? null;
}

/** What a visit submission reads of its customer, in the first round trip of its batch. */
export type CustomerForVisit = RowOf<Customer, 'id' | 'name' | 'stage' | 'grade' | 'industry' | 'hospitalLevel' | 'ownerId' | 'waitingVisits' | 'lastFollowUpAt'>;

export const customerForVisitStatement = (customerId: number): Statement =>
  statement('SELECT id, name, stage, grade, industry, hospitalLevel, ownerId, lastFollowUpAt, waitingVisits FROM customer WHERE id = ?', [customerId]);

/** A visit was recorded: the customer's last follow-up moves to now (and a waiting visit it completed is no longer waiting). */
export const followedUpStatement = (customerId: number, now: Date, completedWaitingVisit: boolean): Statement =>
  statement(SQL`UPDATE customer SET lastFollowUpAt = ?, updatedAt = ?${completedWaitingVisit ? ', waitingVisits = waitingVisits - 1' : ''} WHERE id = ?`, [now, now, customerId]);

/** A lead's first-touch clock, as the first touch reads it in its transaction. */
export async function leadClockOf(sql: Sql, customerId: number) {
  const [row] = await sql.rows<RowOf<Customer, 'ownerId' | 'leadAssignedAt' | 'firstTouchDueAt' | 'firstTouchAt'>>(
    SQL`SELECT ownerId, leadAssignedAt, firstTouchDueAt, firstTouchAt FROM customer WHERE id = ?`,
    [customerId],
  );
  return row ?? null;
}

/** Marks the lead touched unless another first touch did so first (the conditional update decides a race). */
export async function claimFirstTouch(sql: Sql, customerId: number, now: Date): Promise<boolean> {
  return (await sql.exec('UPDATE customer SET firstTouchAt = ?, lastFollowUpAt = ?, updatedAt = ? WHERE id = ? AND firstTouchAt IS NULL', [now, now, now, customerId])) === 1;
}

/** Visits stage automation leaves waiting on a customer: counted on the customer row (the submit path reads it). */
export async function adjustWaitingVisits(manager: EntityManager, customerId: number, delta: number): Promise<void> {
  if (delta > 0) await manager.getRepository(CustomerEntity).increment({ id: customerId }, 'waitingVisits', delta);
  if (delta < 0) await manager.getRepository(CustomerEntity).decrement({ id: customerId }, 'waitingVisits', -delta);
}

/**
 * The grading module sets a customer's grade (inside its transaction, beside the grade history row). Only
 * a different grade is written: the rows changed (1 or 0) say whether the grade moved, decided under the
 * row's lock, so two regrades of one customer at once set off its grade-change strategy once.
 */
export const setGradeStatement = (customerId: number, grade: string, now: Date): Statement =>
  statement('UPDATE customer SET grade = ?, updatedAt = ? WHERE id = ? AND (grade IS NULL OR grade <> ?)', [grade, now, customerId, grade]);

/** What the grading model reads of a customer, in id order after `afterId`: one batch of the regrade. */
export async function customersForGrading(sql: Sql, afterId: number, limit: number) {
  const rows = await sql.rows<RowOf<Customer, 'id' | 'name' | 'grade' | 'ownerId' | 'hospitalLevel' | 'departmentActivity'> & { gradingInputs: string | null }>(
    SQL`SELECT id, name, grade, ownerId, hospitalLevel, departmentActivity, gradingInputs FROM customer WHERE id > ? ORDER BY id LIMIT ?`,
    [afterId, limit],
  );
  return rows.map((r) => {
    let inputs: Customer['gradingInputs'] = null;
    try {
      inputs = r.gradingInputs ? (JSON.parse(r.gradingInputs) as Customer['gradingInputs']) : null;
    } catch {
      inputs = null; // unreadable inputs grade as missing (neutral), never as an error
    }
    return { ...r, gradingInputs: inputs };
  });
}

/** Sets one grade on many customers at once (the regrade writes one of these per grade per batch). */
export const setGradesStatement = (ids: readonly number[], grade: string, now: Date): Statement =>
  statement(SQL`UPDATE customer SET grade = ?, updatedAt = ? WHERE id IN (${placeholders(ids.length)})`, [grade, now, ...ids]);
