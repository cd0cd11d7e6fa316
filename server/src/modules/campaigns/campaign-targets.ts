import { customerNameKey, type CampaignFilter, type StageCode } from '@anchor/shared';
import type { Policy } from '../../config/policy';
import { SQL, joinSql, placeholders, type ConstSql, type Sql } from '../../db/sql';
import { httpError } from '../../http/errors';
import type { FileUploadOptions } from '../../http/upload';
import { headerMatcher, readFirstSheetOffThread, XlsxRefusal, type XlsxCell } from '../customers';
import type { Scope } from '../org';
import { campaignError } from './campaigns.errors';

/** The most targets one campaign takes (a region's whole list is ~2 000 customers). */
export const MAX_TARGETS = 2000;

export interface TargetCandidate {
  id: number;
  name: string;
  ownerId: number;
  ownerName: string;
  stage: StageCode;
  industry: string;
  grade: string | null;
  city: string | null;
  hospitalLevel: string | null;
  closed: boolean;
}

const SELECT_CANDIDATE = SQL`SELECT c.id AS id, c.name AS name, c.ownerId AS ownerId, m.name AS ownerName, c.stage AS stage, c.industry AS industry, c.grade AS grade,
  c.city AS city, c.hospitalLevel AS hospitalLevel, c.closedAt AS closedAt, c.nameKey AS nameKey FROM customer c JOIN member m ON m.id = c.ownerId`;

const candidate = (r: Record<string, unknown>): TargetCandidate => ({
  id: Number(r.id), name: String(r.name), ownerId: Number(r.ownerId), ownerName: String(r.ownerName), stage: r.stage as StageCode, industry: String(r.industry),
  grade: (r.grade as string | null) ?? null, city: (r.city as string | null) ?? null, hospitalLevel: (r.hospitalLevel as string | null) ?? null, closed: r.closedAt !== null && r.closedAt !== undefined,
});

const scopeClause = (scope: Scope): { clause: ConstSql; params: unknown[] } =>
  scope.kind === 'all' ? { clause: SQL`1 = 1`, params: [] } : scope.memberIds.length ? { clause: SQL`c.ownerId IN (${placeholders(scope.memberIds.length)})`, params: [...scope.memberIds] } : { clause: SQL`1 = 0`, params: [] };

/** Whether a filter names anything (an empty filter would pick the whole reach: refused as a filter). */
export function filterNamesSomething(filter: CampaignFilter | null | undefined): filter is CampaignFilter {
  return !!filter && Object.values(filter).some((list) => Array.isArray(list) && list.length > 0);
}

/** Open customers in the reach matching every list of the filter (each: any of), oldest first, at most MAX_TARGETS + 1. */
export async function customersByFilter(sql: Sql, scope: Scope, filter: CampaignFilter): Promise<TargetCandidate[]> {
  const where: ConstSql[] = [SQL`c.closedAt IS NULL`];
  const { clause, params } = scopeClause(scope);
  where.push(clause);
  const add = (list: readonly string[] | undefined, column: ConstSql) => {
    if (!list?.length) return;
    where.push(SQL`${column} IN (${placeholders(list.length)})`);
    params.push(...list);
  };
  add(filter.industries, SQL`c.industry`);
  add(filter.grades, SQL`c.grade`);
  add(filter.stages, SQL`c.stage`);
  add(filter.cities, SQL`c.city`);
  add(filter.hospitalLevels, SQL`c.hospitalLevel`);
  const rows = await sql.rows<Record<string, unknown>>(SQL`${SELECT_CANDIDATE} WHERE ${joinSql(where, ' AND ')} ORDER BY c.id LIMIT ?`, [...params, MAX_TARGETS + 1]);
  return rows.map(candidate);
}

/** The customers of these ids (any reach: the caller decides what is out of it). */
export async function customersByIds(sql: Sql, ids: readonly number[]): Promise<TargetCandidate[]> {
  const out: TargetCandidate[] = [];
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    out.push(...(await sql.rows<Record<string, unknown>>(SQL`${SELECT_CANDIDATE} WHERE c.id IN (${placeholders(chunk.length)})`, chunk)).map(candidate));
  }
  return out;
}

const NAME_COLUMN = [{ key: 'name', header: '客户名称', aliases: ['客户', '名称', '客户名', '医院名称', '医院', '单位名称'] }] as const;
let nameColumn: ((text: string) => unknown) | null = null;
const cellText = (value: XlsxCell | undefined): string => (value === undefined ? '' : value instanceof Date ? value.toISOString().slice(0, 10) : String(value).normalize('NFKC').trim());

export interface XlsxTargetMatch {
  matched: Array<{ row: number; id: number; name: string; ownerName: string }>;
  unmatched: Array<{ row: number; name: string; reason: string }>;
}

export const targetSheetUpload = (policy: Policy): FileUploadOptions => ({ what: 'Excel 文件', maxBytes: policy.import.maxFileMegabytes * 1024 * 1024 });

/**
 * A list of customers as an .xlsx (the column 客户名称, or the first column when no header names it), matched
 * by name (folded as the archive folds duplicates) against the reach: each row found, or why not
 * (未找到 / 不在你的管理范围内 / 已关闭). Nothing is written; the create form takes the ids found.
 */
export async function matchTargetSheet(withSql: <T>(work: (sql: Sql) => Promise<T>) => Promise<T>, policy: Policy, scope: Scope, file: Buffer): Promise<XlsxTargetMatch> {
  let sheet;
  try {
    sheet = await readFirstSheetOffThread(file, { maxInflatedBytes: policy.import.maxInflatedMegabytes * 1024 * 1024, maxRows: MAX_TARGETS });
  } catch (error) {
    if (!(error instanceof XlsxRefusal)) throw error;
    if (error.status === 413) throw httpError('PAYLOAD_TOO_LARGE', { message: error.message });
    if (error.status === 415) throw httpError('UNSUPPORTED_MEDIA_TYPE', { message: error.message });
    throw campaignError('CAMPAIGN_IMPORT_INVALID', { message: error.message });
  }
  if (sheet.truncated) throw campaignError('CAMPAIGN_IMPORT_INVALID', { message: `目标客户名单最多 ${MAX_TARGETS} 行`, fields: { file: `目标客户名单最多 ${MAX_TARGETS} 行` } });
  let column = 1;
  let first = true;
  const names: Array<{ row: number; name: string }> = [];
  for (const { row, values } of sheet.rows) {
    if (values.every((v) => cellText(v) === '')) continue;
    if (first) {
      first = false;
      const header = values.findIndex((v) => (nameColumn ??= headerMatcher(NAME_COLUMN))(cellText(v)) !== undefined);
      if (header > 0) {
        column = header;
        continue;
      }
    }
    const name = cellText(values[column]);
    if (name) names.push({ row, name });
  }
  if (names.length === 0) throw campaignError('CAMPAIGN_IMPORT_INVALID', { message: '名单中没有客户名称：请在「客户名称」列（或第一列）填写客户', fields: { file: '名单中没有客户名称' } });
  const keys = [...new Set(names.map((n) => customerNameKey(n.name)))];
  const found = new Map<string, TargetCandidate & { nameKey: string }>();
  // the file is read first (off the event loop, no connection held); then one short read of the names
  await withSql(async (sql) => {
    for (let i = 0; i < keys.length; i += 500) {
      const chunk = keys.slice(i, i + 500);
      const rows = await sql.rows<Record<string, unknown>>(SQL`${SELECT_CANDIDATE} WHERE c.nameKey IN (${placeholders(chunk.length)})`, chunk);
      for (const r of rows) found.set(String(r.nameKey), { ...candidate(r), nameKey: String(r.nameKey) });
    }
  });
  const inReach = (c: TargetCandidate) => scope.kind === 'all' || scope.memberIds.includes(c.ownerId);
  const out: XlsxTargetMatch = { matched: [], unmatched: [] };
  const seen = new Set<number>();
  for (const n of names) {
    const c = found.get(customerNameKey(n.name));
    // one answer for both: a name outside the reach is not confirmed to exist
    if (!c || !inReach(c)) out.unmatched.push({ row: n.row, name: n.name, reason: '未找到该客户，或不在你的管理范围内' });
    else if (c.closed) out.unmatched.push({ row: n.row, name: n.name, reason: '客户已关闭（丢单）' });
    else if (seen.has(c.id)) out.unmatched.push({ row: n.row, name: n.name, reason: '与前面的行重复' });
    else {
      seen.add(c.id);
      out.matched.push({ row: n.row, id: c.id, name: c.name, ownerName: c.ownerName });
    }
  }
  return out;
}
