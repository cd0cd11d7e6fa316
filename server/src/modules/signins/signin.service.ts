import { IsNull, type DataSource } from 'typeorm';
import { can, haversineMeters, type LocationProposals, instantToWallClock, median, signinChip, toGcj02, type CustomerLocationInput, type CustomerLocationView, type SigninInput, type SigninView } from '@anchor/shared';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { isSqlite } from '../../db/data-source';
import { sqlDate, type Sql } from '../../db/sql';
import { withSqlTransaction } from '../../db/tx';
import { notFound } from '../../http/errors';
import { once, type OnceResult } from '../../http/idempotency';
import type { CustomerService } from '../customers';
import { scopeIncludes, type Member, type OrgService } from '../org';
import { CustomerLocation } from './customer-location.entity';
import { Signin } from './signin.entity';
import { signinError } from './signins.errors';
import {
  confirmProposal, firstGoodSignins, linkStatement, locationOf, measuredStatement, proposeLocation, setLocation, signinById, unmeasuredSignins,
  type LocationRow, type SigninRow,
} from './signin.sql';

/** How many waiting proposals are read at most before the caller's scope keeps theirs. */
const PROPOSALS_READ = 2000;

export interface SigninListQuery {
  /** only the caller's own */
  mine: boolean;
  /** a local day (YYYY-MM-DD), or `today` in the policy time zone */
  day?: string | undefined;
  page: number;
  pageSize: number;
}

/** What a visit shows of its sign-in (and the card its chip). */
export interface VisitSignin {
  id: number;
  distance: number | null;
  tooFar: boolean;
  inaccurate: boolean;
  chip: string;
  createdAt: string;
}

/**
 * On-site sign-ins and customers' locations. A sign-in is measured against the customer's location
 * when it has one (entered, or a proposal confirmed); a customer without one gets the median of its
 * first good sign-ins proposed for the supervisor to confirm, and its earlier sign-ins are measured
 * once a location is confirmed or entered.
 */
export class SigninService {
  constructor(
    private readonly db: DataSource,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
    private readonly customers: CustomerService,
  ) {}

  private get rules() {
    return this.policy.signins;
  }

  /** The local day (policy time zone) an instant falls on. */
  dayOf(instant: Date): string {
    return instantToWallClock(instant, this.policy.timeZone).toISOString().slice(0, 10);
  }

  /** Metres from the point to the location (both GCJ-02), and the two flags. */
  measure(point: Pick<SigninInput, 'lat' | 'lng' | 'coordSystem' | 'accuracy'>, location: { lat: number; lng: number } | null) {
    const far = this.rules.farDistanceMeters;
    const inaccurate = point.accuracy > far;
    if (!location) return { distance: null, tooFar: false, inaccurate };
    const distance = Math.round(haversineMeters(toGcj02(point), location));
    return { distance, tooFar: distance > far, inaccurate };
  }

  private async customerIn(caller: Member, customerId: number, action: 'signins.create' | 'signins.read' | 'signins.location.manage') {
    const customer = await this.customers.summaryOf(customerId);
    if (!customer || !scopeIncludes(await this.org.scopeOf(caller, action), customer.ownerId)) throw notFound('客户');
    return customer;
  }

  async signIn(caller: Member, customerId: number, input: SigninInput, idempotencyKey: string): Promise<OnceResult> {
    await this.customerIn(caller, customerId, 'signins.create');
    const request = { memberId: caller.id, key: idempotencyKey, route: `POST /customers/${customerId}/signins`, request: input };
    return once(this.db, request, async (sql) => {
      const now = this.clock.now();
      const location = await locationOf(sql, customerId);
      const measured = this.measure(input, location && location.confirmedAt ? location : null);
      const row = {
        customerId, memberId: caller.id, lat: input.lat, lng: input.lng, coordSystem: input.coordSystem, accuracy: input.accuracy,
        ...measured, localDay: this.dayOf(now), visitId: null, createdAt: now,
      };
      const id = await sql.insert('signin', [row]);
      if (!location) await this.maybePropose(sql, customerId, now);
      return { status: 201, body: this.view({ id, ...row }, caller) };
    });
  }

  /** With the customer's first N good sign-ins in, their median becomes its proposed location. */
  private async maybePropose(sql: Sql, customerId: number, now: Date): Promise<void> {
    const { proposalSignins, proposalMaxAccuracyMeters } = this.rules;
    const good = await firstGoodSignins(sql, customerId, proposalMaxAccuracyMeters, proposalSignins);
    if (good.length < proposalSignins) return;
    const points = good.map((p) => toGcj02({ lat: Number(p.lat), lng: Number(p.lng), coordSystem: p.coordSystem }));
    await proposeLocation(sql, isSqlite(this.db), { customerId, lat: median(points.map((p) => p.lat)), lng: median(points.map((p) => p.lng)), sampleCount: good.length, at: now });
  }

  view(row: Omit<SigninRow, 'createdAt'> & { createdAt: Date | string }, member: Pick<Member, 'id' | 'name'> | undefined): SigninView {
    const distance = row.distance === null ? null : Number(row.distance);
    const tooFar = !!row.tooFar;
    return {
      id: Number(row.id), customerId: Number(row.customerId), member: { id: Number(row.memberId), name: member?.name ?? '' },
      lat: Number(row.lat), lng: Number(row.lng), coordSystem: row.coordSystem, accuracy: Number(row.accuracy),
      distance, tooFar, inaccurate: !!row.inaccurate, day: row.localDay, visitId: row.visitId === null ? null : Number(row.visitId),
      chip: signinChip({ distance, tooFar }), createdAt: sqlDate(row.createdAt)!.toISOString(),
    };
  }

  async list(caller: Member, customerId: number, query: SigninListQuery) {
    await this.customerIn(caller, customerId, 'signins.read');
    const qb = this.db.getRepository(Signin).createQueryBuilder('s').where('s.customerId = :customerId', { customerId });
    if (query.mine) qb.andWhere('s.memberId = :memberId', { memberId: caller.id });
    if (query.day) qb.andWhere('s.localDay = :day', { day: query.day === 'today' ? this.dayOf(this.clock.now()) : query.day });
    const [rows, total] = await qb.orderBy('s.id', 'DESC').skip((query.page - 1) * query.pageSize).take(query.pageSize).getManyAndCount();
    const people = await this.org.membersByIds([...new Set(rows.map((r) => r.memberId))]);
    return { items: rows.map((r) => this.view(r, people.get(r.memberId))), total, page: query.page, pageSize: query.pageSize };
  }

  async location(caller: Member, customerId: number): Promise<CustomerLocationView> {
    const customer = await this.customerIn(caller, customerId, 'signins.read');
    return this.locationView(caller, customer.ownerId, await this.db.getRepository(CustomerLocation).findOne({ where: { customerId } }), customerId);
  }

  private async locationView(caller: Member, ownerId: number, row: LocationRow | null, customerId: number): Promise<CustomerLocationView> {
    const canManage = can(caller.role, 'signins.location.manage') && scopeIncludes(await this.org.scopeOf(caller, 'signins.location.manage'), ownerId);
    if (!row) return { customerId, status: 'none', lat: null, lng: null, coordSystem: null, source: null, sampleCount: null, setBy: null, setAt: null, canManage };
    const byId = row.confirmedById === null ? null : Number(row.confirmedById);
    const by = byId ? (await this.org.membersByIds([byId])).get(byId) : undefined;
    return {
      customerId, status: row.confirmedAt ? 'set' : 'proposed', lat: Number(row.lat), lng: Number(row.lng), coordSystem: 'gcj02', source: row.source,
      sampleCount: row.sampleCount === null ? null : Number(row.sampleCount), setBy: byId ? { id: byId, name: by?.name ?? '' } : null,
      setAt: sqlDate(row.confirmedAt)?.toISOString() ?? null, canManage,
    };
  }

  /**
   * 位置待确认: the customers in the caller's reach whose proposed location nobody has confirmed, oldest
   * first; null for a role that cannot confirm. Proposals are few (one per customer, until confirmed), so
   * the waiting ones are read (bounded) and kept by the owner's scope here.
   */
  async proposals(caller: Member, take: number): Promise<LocationProposals | null> {
    if (!can(caller.role, 'signins.location.manage')) return null;
    const scope = await this.org.scopeOf(caller, 'signins.location.manage');
    const waiting = await this.db.getRepository(CustomerLocation).find({ where: { confirmedAt: IsNull() }, order: { proposedAt: 'ASC', customerId: 'ASC' }, take: PROPOSALS_READ });
    const customers = await this.customers.summariesOf(waiting.map((w) => Number(w.customerId)));
    const mine = waiting.filter((w) => {
      const c = customers.get(Number(w.customerId));
      return c && scopeIncludes(scope, c.ownerId);
    });
    const shown = mine.slice(0, take);
    const owners = await this.org.membersByIds([...new Set(shown.map((w) => customers.get(Number(w.customerId))!.ownerId))]);
    return {
      count: mine.length,
      items: shown.map((w) => {
        const c = customers.get(Number(w.customerId))!;
        return {
          customerId: c.id, customerName: c.name, owner: { id: c.ownerId, name: owners.get(c.ownerId)?.name ?? '' },
          lat: Number(w.lat), lng: Number(w.lng), sampleCount: w.sampleCount === null ? null : Number(w.sampleCount),
          proposedAt: sqlDate(w.proposedAt)!.toISOString(),
        };
      }),
    };
  }

  /** A supervisor's or admin's coordinates (converted to GCJ-02); earlier unmeasured sign-ins are measured. */
  async setLocation(caller: Member, customerId: number, input: CustomerLocationInput): Promise<CustomerLocationView> {
    const customer = await this.customerIn(caller, customerId, 'signins.location.manage');
    const point = toGcj02(input);
    const row = await withSqlTransaction(this.db, async (sql) => {
      await setLocation(sql, isSqlite(this.db), { customerId, ...point, at: this.clock.now(), byId: caller.id });
      await this.measureWaiting(sql, customerId, point);
      return locationOf(sql, customerId);
    });
    return this.locationView(caller, customer.ownerId, row, customerId);
  }

  /** The supervisor agrees with the proposed location: it becomes the customer's. */
  async confirmLocation(caller: Member, customerId: number): Promise<CustomerLocationView> {
    const customer = await this.customerIn(caller, customerId, 'signins.location.manage');
    const row = await withSqlTransaction(this.db, async (sql) => {
      const before = await locationOf(sql, customerId);
      if (!before) throw signinError('NO_LOCATION_PROPOSAL');
      // confirmed already (by someone else a moment ago, or entered): the answer is the location as it is
      if ((await confirmProposal(sql, customerId, this.clock.now(), caller.id)) === 1) await this.measureWaiting(sql, customerId, { lat: Number(before.lat), lng: Number(before.lng) });
      return locationOf(sql, customerId);
    });
    return this.locationView(caller, customer.ownerId, row, customerId);
  }

  private async measureWaiting(sql: Sql, customerId: number, location: { lat: number; lng: number }): Promise<void> {
    const waiting = await unmeasuredSignins(sql, customerId);
    if (waiting.length === 0) return;
    await sql.batch(
      waiting.map((s) => {
        const m = this.measure({ lat: Number(s.lat), lng: Number(s.lng), coordSystem: s.coordSystem, accuracy: Number(s.accuracy) }, location);
        return measuredStatement(Number(s.id), m.distance!, m.tooFar);
      }),
    );
  }

  /**
   * Links the rep's sign-in to the visit being submitted, in the visit's transaction; answers its chip.
   * Only the rep's own sign-in at that customer on the visit's day, not linked to another visit.
   */
  async linkToVisit(sql: Sql, caller: Member, signinId: number, visit: { visitId: number; customerId: number; savedAt: Date }): Promise<VisitSignin> {
    const row = await signinById(sql, signinId);
    const refuse = () => signinError('SIGNIN_NOT_LINKABLE', { fields: { signinId: '只能关联你今天在该客户的签到（且未关联其他拜访）' } });
    if (!row || Number(row.memberId) !== caller.id || Number(row.customerId) !== visit.customerId || row.localDay !== this.dayOf(visit.savedAt)) throw refuse();
    if (row.visitId !== null && Number(row.visitId) !== visit.visitId) throw refuse();
    const [linked] = await sql.batch([linkStatement(signinId, visit.visitId)]);
    if (linked!.affected !== 1 && Number(row.visitId) !== visit.visitId) throw refuse();
    return this.visitSignin({ ...row, visitId: visit.visitId });
  }

  private visitSignin(row: SigninRow): VisitSignin {
    const v = this.view(row, undefined);
    return { id: v.id, distance: v.distance, tooFar: v.tooFar, inaccurate: v.inaccurate, chip: v.chip, createdAt: v.createdAt };
  }

  /** The sign-in each of these visits links (for the visit detail). */
  async ofVisits(visitIds: number[]): Promise<Map<number, VisitSignin>> {
    if (visitIds.length === 0) return new Map();
    const rows = await this.db.getRepository(Signin).createQueryBuilder('s').where('s.visitId IN (:...visitIds)', { visitIds }).getMany();
    return new Map(rows.map((r) => [r.visitId!, this.visitSignin(r)]));
  }
}
