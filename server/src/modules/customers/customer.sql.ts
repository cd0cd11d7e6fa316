import type { EntityManager } from 'typeorm';
import { SQL, placeholders, repeated, statement, type RowOf, type Sql, type Statement } from '../../db/sql';
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

type GradingRow = RowOf<Customer, 'id' | 'name' | 'grade' | 'ownerId' | 'hospitalLevel' | 'departmentActivity'> & { gradingInputs: string | null };

/** The stored inputs as the grading model reads them: unreadable inputs grade as missing (neutral), never as an error. */
function parsedInputs(text: string | null): Customer['gradingInputs'] {
  try {
    return text ? (JSON.parse(text) as Customer['gradingInputs']) : null;
  } catch {
    return null;
  }
}

/** What the grading model reads of a customer, in id order after `afterId`: one batch of the regrade. */
export async function customersForGrading(sql: Sql, afterId: number, limit: number) {
  const rows = await sql.rows<GradingRow>(
    SQL`SELECT id, name, grade, ownerId, hospitalLevel, departmentActivity, gradingInputs FROM customer WHERE id > ? ORDER BY id LIMIT ?`,
    [afterId, limit],
  );
  return rows.map((r) => ({ ...r, gradingInputs: parsedInputs(r.gradingInputs) }));
}

/** The same for the customers with these ids (at most a batch: the caller chunks), in id order. */
export async function customersForGradingByIds(sql: Sql, ids: readonly number[]) {
  if (!ids.length) return [];
  const rows = await sql.rows<GradingRow>(
    SQL`SELECT id, name, grade, ownerId, hospitalLevel, departmentActivity, gradingInputs FROM customer WHERE id IN (${placeholders(ids.length)}) ORDER BY id`,
    [...ids],
  );
  return rows.map((r) => ({ ...r, gradingInputs: parsedInputs(r.gradingInputs) }));
}

/** Who a grading input sheet names: customers by id or by name key (customerNameKey), with their owner and inputs. */
export async function customersForInputSheet(sql: Sql, by: 'id' | 'nameKey', values: readonly (number | string)[]) {
  const found: (RowOf<Customer, 'id' | 'name' | 'nameKey' | 'ownerId'> & { gradingInputs: Customer['gradingInputs'] })[] = [];
  for (let i = 0; i < values.length; i += 1000) {
    const chunk = values.slice(i, i + 1000);
    const rows = await sql.rows<RowOf<Customer, 'id' | 'name' | 'nameKey' | 'ownerId'> & { gradingInputs: string | null }>(
      by === 'id'
        ? SQL`SELECT id, name, nameKey, ownerId, gradingInputs FROM customer WHERE id IN (${placeholders(chunk.length)})`
        : SQL`SELECT id, name, nameKey, ownerId, gradingInputs FROM customer WHERE nameKey IN (${placeholders(chunk.length)})`,
      [...chunk],
    );
    for (const r of rows) found.push({ ...r, id: Number(r.id), ownerId: Number(r.ownerId), gradingInputs: parsedInputs(r.gradingInputs) });
  }
  return found;
}

/** Writes many customers' grading inputs in one statement (CASE on the id); the caller chunks (≤ 500 a statement). */
export function setGradingInputsStatement(rows: readonly { id: number; inputs: Customer['gradingInputs'] }[], now: Date): Statement {
  return statement(
    SQL`UPDATE customer SET gradingInputs = CASE id ${repeated(SQL`WHEN ? THEN ?`, rows.length, ' ')} END, updatedAt = ? WHERE id IN (${placeholders(rows.length)})`,
    [...rows.flatMap((r) => [r.id, r.inputs === null ? null : JSON.stringify(r.inputs)]), now, ...rows.map((r) => r.id)],
  );
}

/** Sets one grade on many customers at once (the regrade writes one of these per grade per batch). */
export const setGradesStatement = (ids: readonly number[], grade: string, now: Date): Statement =>
  statement(SQL`UPDATE customer SET grade = ?, updatedAt = ? WHERE id IN (${placeholders(ids.length)})`, [grade, now, ...ids]);
