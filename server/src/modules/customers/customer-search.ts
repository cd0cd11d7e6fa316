import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { withoutInvisible } from '@anchor/shared';
import { SQL, placeholders, repeated, sqlOf, type Sql } from '../../db/sql';
import type { Scope } from '../org';
import type { Customer } from './customer.entity';

/**
 * Customer search: name, contact name and contact phone, ignoring spaces, invisible characters,
 * full/half width and case; any fragment matches, including a phone's last or middle digits.
 *
 * MariaDB has no ngram full-text parser (`WITH PARSER ngram` answers "Function 'ngram' is not
 * defined") and its built-in parser splits on spaces, which Chinese does not have. So the index is
 * our own: `customer.searchText` holds the folded text, and `customer_search_gram` one row per
 * distinct gram of it (the three characters from each position), keyed by gram and owner so a search
 * reads only the grams of the caller's scope. A search intersects the query's grams
 * in SQL, then checks the candidates with LIKE on `searchText` (grams say "these pieces occur", the
 * LIKE says "in this order, side by side"). The same SQL runs on the embedded SQLite.
 *
 * The grams are written in the transaction that writes the customer (create, edit, import,
 * reassign), so a search never sees a customer under an old name or owner.
 */

export const SEARCH_GRAM_TABLE = 'customer_search_gram';
/** At most this many matches are counted and ordered; beyond it the list says 1000+ and asks for more letters. */
export const SEARCH_CAP = 1000;
/** A query of many grams is checked on a few of them, spread over it; LIKE checks the rest. */
const MAX_QUERY_GRAMS = 4;
export const SEARCH_TEXT_LENGTH = 200;

const PHONE_QUERY = /^[\d\s+\-().]+$/;

/** Folds text the way both the index and the query see it: NFKC (full → half width), lower case, no spaces or invisible characters. */
export function searchFold(text: string): string {
  return withoutInvisible(text.normalize('NFKC'))
    .toLowerCase()
    .replace(/[\s\p{Cc}]|\p{Cs}/gu, '');
}

/** A phone as its digits: "+86 138-0013-8000" and "13800138000" share "13800138000". */
export const phoneDigits = (phone: string) => phone.normalize('NFKC').replace(/\D/g, '');

/** What a customer is found by: folded name, contact name and phone digits, separated by a space (which a folded query never holds). */
export function searchTextOf(c: Pick<Customer, 'name' | 'contactName' | 'contactPhone'>): string {
  const text = [searchFold(c.name), searchFold(c.contactName ?? ''), phoneDigits(c.contactPhone ?? '')].join(' ');
  // the column holds 200 characters; NFKC may lengthen a name ("㍿" is "株式会社")
  return Array.from(text).slice(0, SEARCH_TEXT_LENGTH).join('');
}

/**
 * The grams of a searchText: at every position of every part, the next three characters (fewer at
 * the part's end). One row per character indexed, and each query finds its way in:
 * - three characters or more: every match holds each of the query's triples as a gram;
 * - one or two characters: every match holds a gram starting with them (a prefix range of the key).
 * Triples, not pairs, because pairs of Chinese place and hospital words are common ("人民", "东城"
 * each in a tenth of all names) while triples are not, and "13" or "80" in a phone would match a
 * tenth of all phones where "138" or "800" match one in a thousand.
 */
export function indexGrams(searchText: string): string[] {
  const grams = new Set<string>();
  for (const part of searchText.split(' ')) {
    const chars = Array.from(part);
    for (let i = 0; i < chars.length; i++) grams.add(chars.slice(i, i + GRAM_LENGTH).join(''));
  }
  return [...grams];
}

const GRAM_LENGTH = 3;
/**
 * Up to this many owners (a rep, a supervisor alone), a one- or two-character query just reads the
 * scope's customers; beyond it, the gram prefix range finds a team's, a region's or the company's
 * first (measured at 200 000 customers: a rep's 1 000 read by LIKE in ~25 ms, where the prefix
 * range of "市" holds 500 000 grams of which the rep owns 0.5 %).
 */
const SMALL_SCOPE_OWNERS = 2;

export interface SearchPlan {
  /** the folded query, as LIKE looks for it in searchText */
  needle: string;
  /** triples every match holds as grams (queries of three characters or more) */
  grams: string[];
  /** a one- or two-character query: every match has a gram starting with it */
  prefix: string | null;
}

/** How a query is looked up; null when nothing is left of it after folding (then it filters nothing). */
export function searchPlan(q: string): SearchPlan | null {
  // A phone written with spaces, dashes or brackets is looked for as its digits.
  const folded = q.normalize('NFKC');
  const phoneLike = PHONE_QUERY.test(folded) && /\d/.test(folded);
  const needle = phoneLike ? phoneDigits(q) : searchFold(q);
  if (!needle) return null;
  const chars = Array.from(needle);
  if (chars.length < GRAM_LENGTH) return { needle, grams: [], prefix: needle };
  const all = [...new Set(chars.slice(0, chars.length - GRAM_LENGTH + 1).map((_, i) => chars.slice(i, i + GRAM_LENGTH).join('')))];
  if (all.length <= MAX_QUERY_GRAMS) return { needle, grams: all, prefix: null };
  // first, last and evenly between: pieces far apart rule out the most
  const picked = new Set<string>();
  for (let i = 0; i < MAX_QUERY_GRAMS; i++) picked.add(all[Math.round((i * (all.length - 1)) / (MAX_QUERY_GRAMS - 1))]!);
  return { needle, grams: [...picked], prefix: null };
}

// '!' rather than a backslash: the backslash means different things in MySQL and SQLite string literals.
const escapeLike = (text: string) => text.replace(/[!%_]/g, (c) => `!${c}`);

/**
 * Narrows a customer query (alias `c`) to the matches of `plan` within `scope`. Each of the query's
 * triples is one semi-join the database may start from: it reads the rarest (estimated per value
 * from the index) within the scope's owners — a rep's search never reads another rep's grams — and
 * checks the others by primary key (gram, owner, customer). LIKE on searchText keeps the real
 * matches. A one- or two-character query is LIKE alone here; `prefixMatches` narrows it first
 * where the scope is large (a semi-join on a prefix range is one the database plans badly).
 */
export function applySearch(qb: SelectQueryBuilder<Customer>, scope: Scope, plan: SearchPlan): SelectQueryBuilder<Customer> {
  qb.andWhere("c.searchText LIKE :searchNeedle ESCAPE '!'", { searchNeedle: `%${escapeLike(plan.needle)}%` });
  const owners = (alias: string) => (scope.kind === 'owners' ? ` AND ${alias}.ownerId IN (:...searchOwners)` : '');
  const ownerParams = scope.kind === 'owners' ? { searchOwners: scope.memberIds } : {};
  plan.grams.forEach((gram, i) => {
    const g = `g${i}`;
    qb.andWhere(`c.id IN (SELECT ${g}.customerId FROM ${SEARCH_GRAM_TABLE} ${g} WHERE ${g}.gram = :searchGram${i} AND ${g}.ownerId = c.ownerId${owners(g)})`, {
      [`searchGram${i}`]: gram,
      ...ownerParams,
    });
  });
  return qb;
}

/**
 * For a one- or two-character query in a large scope: the first `limit` customers holding a gram
 * that starts with it, read from the prefix range of the gram key (every such gram is a real match,
 * so these need no further check). Null for a small scope, which LIKE reads faster.
 */
export async function prefixMatches(db: DataSource, scope: Scope, plan: SearchPlan, limit: number): Promise<number[] | null> {
  if (plan.prefix === null || (scope.kind === 'owners' && scope.memberIds.length <= SMALL_SCOPE_OWNERS)) return null;
  const owners = scope.kind === 'owners' ? ` AND ownerId IN (${placeholders(scope.memberIds.length)})` : '';
  const rows: { customerId: number }[] = await db.query(
    `SELECT DISTINCT customerId FROM ${SEARCH_GRAM_TABLE} WHERE gram LIKE ? ESCAPE '!'${owners} LIMIT ${Number(limit)}`,
    [`${escapeLike(plan.prefix)}%`, ...(scope.kind === 'owners' ? scope.memberIds : [])],
  );
  return rows.map((r) => Number(r.customerId));
}

interface IndexedRow {
  id: number;
  ownerId: number;
  name: string;
  contactName: string | null;
  contactPhone: string | null;
  searchText: string | null;
}

type GramRow = { gram: string; ownerId: number; customerId: number };

/** Deletes these grams by primary key (the table has no other index: it would double its size). */
async function deleteGrams(sql: Sql, grams: GramRow[]): Promise<void> {
  for (let i = 0; i < grams.length; i += 1000) {
    const chunk = grams.slice(i, i + 1000);
    await sql.exec(SQL`DELETE FROM ${SEARCH_GRAM_TABLE} WHERE ${repeated(SQL`(gram = ? AND ownerId = ? AND customerId = ?)`, chunk.length, ' OR ')}`, chunk.flatMap((g) => [g.gram, g.ownerId, g.customerId]));
  }
}

async function insertGrams(sql: Sql, grams: GramRow[]): Promise<void> {
  for (let i = 0; i < grams.length; i += 2000) await sql.insert(SEARCH_GRAM_TABLE, grams.slice(i, i + 2000));
}

const gramRows = (searchText: string | null, ownerId: number, customerId: number): GramRow[] =>
  searchText === null ? [] : indexGrams(searchText).map((gram) => ({ gram, ownerId, customerId }));

/**
 * Writes the search index of these customers from their stored fields: `searchText` and its grams.
 * A customer's current grams are exactly those of its stored searchText (none while it is null), so
 * the old ones are found from it. Call it inside the transaction that changed the customers.
 */
export async function indexCustomers(manager: EntityManager, ids: number[], options: { fresh?: boolean } = {}): Promise<void> {
  const sql = sqlOf(manager);
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await sql.rows<IndexedRow>(SQL`SELECT id, ownerId, name, contactName, contactPhone, searchText FROM customer WHERE id IN (${placeholders(chunk.length)})`, chunk);
    const stale: GramRow[] = [];
    const added: GramRow[] = [];
    for (const row of rows) {
      const [id, ownerId] = [Number(row.id), Number(row.ownerId)];
      const text = searchTextOf(row);
      if (text !== row.searchText) await sql.exec('UPDATE customer SET searchText = ? WHERE id = ?', [text, id]);
      // `fresh`: rows just inserted with their searchText, no grams yet
      const before = options.fresh ? new Set<string>() : new Set(gramRows(row.searchText, ownerId, id).map((g) => g.gram));
      const after = new Set(indexGrams(text));
      for (const gram of before) if (!after.has(gram)) stale.push({ gram, ownerId, customerId: id });
      for (const gram of after) if (!before.has(gram)) added.push({ gram, ownerId, customerId: id });
    }
    await deleteGrams(sql, stale);
    await insertGrams(sql, added);
  }
}

/** A customer's grams follow it to its new owner (the scope a search reads them in). */
export async function moveSearchOwner(manager: EntityManager, customerId: number, fromOwnerId: number, toOwnerId: number): Promise<void> {
  const sql = sqlOf(manager);
  const [row] = await sql.rows<{ searchText: string | null }>(SQL`SELECT searchText FROM customer WHERE id = ?`, [customerId]);
  const grams = gramRows(row?.searchText ?? null, fromOwnerId, customerId);
  if (!grams.length) return;
  // By gram and customer, whatever owner they were filed under: an owner changed outside this path
  // (a fix made by hand in the database) must not leave the index refusing the move.
  const unique = [...new Set(grams.map((g) => g.gram))];
  await sql.exec(SQL`DELETE FROM ${SEARCH_GRAM_TABLE} WHERE customerId = ? AND gram IN (${placeholders(unique.length)})`, [customerId, ...unique]);
  await insertGrams(sql, grams.map((g) => ({ ...g, ownerId: toOwnerId })));
}
