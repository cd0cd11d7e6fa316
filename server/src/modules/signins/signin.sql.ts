// Hand-written SQL for this module's tables (signin, customer_location): the sign-in and the visit's
// link to it run inside other transactions' plain-SQL connections.
import { SQL, statement, type RowOf, type Sql, type Statement } from '../../db/sql';
import type { CustomerLocation } from './customer-location.entity';
import type { Signin } from './signin.entity';

export type LocationRow = RowOf<CustomerLocation, 'customerId' | 'lat' | 'lng' | 'source' | 'sampleCount' | 'proposedAt' | 'confirmedAt' | 'confirmedById'>;
export type SigninRow = RowOf<Signin, 'id' | 'customerId' | 'memberId' | 'lat' | 'lng' | 'coordSystem' | 'accuracy' | 'distance' | 'tooFar' | 'inaccurate' | 'localDay' | 'visitId' | 'createdAt'>;

export async function locationOf(sql: Sql, customerId: number): Promise<LocationRow | null> {
  const [row] = await sql.rows<LocationRow>(
    SQL`SELECT customerId, lat, lng, source, sampleCount, proposedAt, confirmedAt, confirmedById FROM customer_location WHERE customerId = ?`,
    [customerId],
  );
  return row ?? null;
}

export async function signinById(sql: Sql, id: number): Promise<SigninRow | null> {
  const [row] = await sql.rows<SigninRow>(
    SQL`SELECT id, customerId, memberId, lat, lng, coordSystem, accuracy, distance, tooFar, inaccurate, localDay, visitId, createdAt FROM signin WHERE id = ?`,
    [id],
  );
  return row ?? null;
}

/** The customer's first sign-ins good enough to propose its location from, oldest first. */
export function firstGoodSignins(sql: Sql, customerId: number, maxAccuracy: number, take: number) {
  return sql.rows<Pick<SigninRow, 'lat' | 'lng' | 'coordSystem'>>(
    SQL`SELECT lat, lng, coordSystem FROM signin WHERE customerId = ? AND accuracy <= ? ORDER BY id LIMIT ?`,
    [customerId, maxAccuracy, take],
  );
}

/** A proposal: kept only if the customer still has no location (a concurrent one, or a set, wins). */
export function proposeLocation(sql: Sql, sqlite: boolean, row: { customerId: number; lat: number; lng: number; sampleCount: number; at: Date }): Promise<number> {
  return sql.exec(
    SQL`INSERT ${sqlite ? 'OR IGNORE' : 'IGNORE'} INTO customer_location (customerId, lat, lng, source, sampleCount, proposedAt, confirmedAt, confirmedById) VALUES (?, ?, ?, 'signins', ?, ?, NULL, NULL)`,
    [row.customerId, row.lat, row.lng, row.sampleCount, row.at],
  );
}

/** A location entered by a person: replaces a proposal or an earlier location. */
export async function setLocation(sql: Sql, sqlite: boolean, row: { customerId: number; lat: number; lng: number; at: Date; byId: number }): Promise<void> {
  await sql.batch([
    statement(SQL`INSERT ${sqlite ? 'OR IGNORE' : 'IGNORE'} INTO customer_location (customerId, lat, lng, source, sampleCount, proposedAt, confirmedAt, confirmedById) VALUES (?, ?, ?, 'set', NULL, ?, ?, ?)`, [
      row.customerId, row.lat, row.lng, row.at, row.at, row.byId,
    ]),
    statement(SQL`UPDATE customer_location SET lat = ?, lng = ?, source = 'set', sampleCount = NULL, proposedAt = ?, confirmedAt = ?, confirmedById = ? WHERE customerId = ?`, [
      row.lat, row.lng, row.at, row.at, row.byId, row.customerId,
    ]),
  ]);
}

/** Confirms a proposal; 0 when there was none waiting. */
export function confirmProposal(sql: Sql, customerId: number, at: Date, byId: number): Promise<number> {
  return sql.exec(SQL`UPDATE customer_location SET confirmedAt = ?, confirmedById = ? WHERE customerId = ? AND confirmedAt IS NULL`, [at, byId, customerId]);
}

/** The customer's sign-ins made before it had a location (they are measured once it has one). */
export function unmeasuredSignins(sql: Sql, customerId: number) {
  return sql.rows<Pick<SigninRow, 'id' | 'lat' | 'lng' | 'coordSystem' | 'accuracy'>>(
    SQL`SELECT id, lat, lng, coordSystem, accuracy FROM signin WHERE customerId = ? AND distance IS NULL`,
    [customerId],
  );
}

export function measuredStatement(id: number, distance: number, tooFar: boolean): Statement {
  return statement(SQL`UPDATE signin SET distance = ?, tooFar = ? WHERE id = ? AND distance IS NULL`, [distance, tooFar, id]);
}

/** Links a sign-in to its visit; 0 when another visit took it first. */
export function linkStatement(signinId: number, visitId: number): Statement {
  return statement(SQL`UPDATE signin SET visitId = ? WHERE id = ? AND visitId IS NULL`, [visitId, signinId]);
}
