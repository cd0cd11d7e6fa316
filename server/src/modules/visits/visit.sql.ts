// Hand-written SQL of the visit hot path (POST /visits, the first touch of a lead) for the tables this
// module owns (visit, first_touch). Row types derive from the entities (Pick, RowOf), so a renamed or
// retyped column fails to compile here rather than at run time.
import { SQL, identifier, joinSql, statement, type RowOf, type Sql, type Statement } from '../../db/sql';
import type { FirstTouch } from './first-touch.entity';
import type { Visit } from './visit.entity';

/** What a submission writes into a visit row (a new one, or the one stage automation left waiting). */
const SUBMITTED = [
  'objective', 'painPoint', 'dialogueSummary', 'bottleneck', 'valuePoint', 'agreedAction', 'agreedActionNote',
  'nextFollowUpAt', 'nextFollowUpForm', 'alert', 'customerVerbatim', 'submittedAt', 'savedAt', 'customerFeedback', 'playKey',
] as const satisfies readonly (keyof Visit)[];
export type SubmittedVisitFields = Pick<Visit, (typeof SUBMITTED)[number]>;

// constant text: the column list is fixed above, each name checked as an identifier
const COMPLETE_WAITING = SQL`UPDATE visit SET ${joinSql(SUBMITTED.map((c) => SQL`${identifier(c)} = ?`), ', ')} WHERE id = ? AND submittedAt IS NULL`;

export function insertVisitStatement(sql: Sql, row: Pick<Visit, 'customerId' | 'memberId' | 'createdAt'> & SubmittedVisitFields): Statement {
  return sql.insertStatement('visit', [row]);
}

/** The oldest visit waiting for this rep at this customer, or null. */
export async function waitingVisitId(sql: Sql, customerId: number, memberId: number): Promise<number | null> {
  const [row] = await sql.rows<{ id: Visit['id'] | null }>(SQL`SELECT MIN(id) AS id FROM visit WHERE customerId = ? AND memberId = ? AND submittedAt IS NULL`, [customerId, memberId]);
  return row?.id ? Number(row.id) : null;
}

/** Completes a waiting visit (unless a concurrent submit did) and reads its createdAt (a WaitingVisitRow): one batch. */
export function completeWaitingVisitStatements(fields: SubmittedVisitFields, visitId: number): [Statement, Statement] {
  return [
    { query: COMPLETE_WAITING, params: [...SUBMITTED.map((c) => fields[c]), visitId] },
    statement('SELECT createdAt FROM visit WHERE id = ?', [visitId]),
  ];
}
export type WaitingVisitRow = RowOf<Visit, 'createdAt'>;

/** The spare row inserted before a waiting visit was found and completed instead. */
export const dropVisitStatement = (visitId: number): Statement => statement('DELETE FROM visit WHERE id = ?', [visitId]);

export function insertFirstTouch(sql: Sql, row: Omit<FirstTouch, 'id'>): Promise<number> {
  return sql.insert('first_touch', [row]);
}
