import type { EntityManager } from 'typeorm';
import { haversineMeters, instantToWallClock, signinChip } from '@anchor/shared';
import { DAY_MS, MINUTE_MS } from '../clock';
import type { Policy } from '../config/policy';
import { CustomerLocation } from '../modules/signins/customer-location.entity';
import { Signin } from '../modules/signins/signin.entity';

const EARTH_R = 6371000;
/** The point `meters` from `from` on a bearing (radians). */
function offset(from: { lat: number; lng: number }, meters: number, bearing: number) {
  const dLat = (meters * Math.cos(bearing)) / EARTH_R;
  const dLng = (meters * Math.sin(bearing)) / (EARTH_R * Math.cos((from.lat * Math.PI) / 180));
  return { lat: from.lat + (dLat * 180) / Math.PI, lng: from.lng + (dLng * 180) / Math.PI };
}

export interface SeededVisit {
  visitId: number;
  customerId: number;
  memberId: number;
  at: Date;
  /** the owner's supervisor, who set or confirmed the customer's location */
  supervisorId: number | null;
}

/**
 * A month of on-site sign-ins for the demo team: most customers have a location (entered by the
 * supervisor; a few proposed from sign-ins and waiting for confirmation, a few unknown); most visits
 * link a sign-in made shortly before, most of them near the door, some far or vague; earlier sign-ins
 * at the same customers fill the month. Answers each visit's chip for its card.
 */
export async function seedSignins(m: EntityManager, policy: Policy, now: Date, random: () => number, visits: SeededVisit[]): Promise<Map<number, string>> {
  const far = policy.signins.farDistanceMeters;
  const dayOf = (at: Date) => instantToWallClock(at, policy.timeZone).toISOString().slice(0, 10);
  const locations = new Map<number, { lat: number; lng: number; measured: boolean }>();
  const rows: Partial<CustomerLocation>[] = [];
  for (const v of visits) {
    if (locations.has(v.customerId)) continue;
    // 上海 and its surroundings (GCJ-02)
    const point = { lat: 31.23 + (random() - 0.5) * 0.3, lng: 121.47 + (random() - 0.5) * 0.4 };
    const r = random();
    const status = r < 0.85 ? 'set' : r < 0.95 ? 'proposed' : 'none';
    locations.set(v.customerId, { ...point, measured: status === 'set' });
    if (status === 'none') continue;
    const proposedAt = new Date(v.at.getTime() - (3 + random() * 20) * DAY_MS);
    rows.push({
      customerId: v.customerId, ...point, source: status === 'set' && random() < 0.7 ? 'set' : 'signins', sampleCount: null, proposedAt,
      confirmedAt: status === 'set' ? proposedAt : null, confirmedById: status === 'set' ? v.supervisorId : null,
    });
  }
  for (const row of rows) if (row.source === 'signins') row.sampleCount = policy.signins.proposalSignins;

  const signins: Partial<Signin>[] = [];
  const chips = new Map<number, string>();
  const signinAt = (customerId: number, memberId: number, at: Date, visitId: number | null) => {
    const loc = locations.get(customerId)!;
    const r = random();
    const meters = r < 0.75 ? 20 + random() * 280 : r < 0.9 ? 300 + random() * 200 : 600 + random() * 4400;
    const point = offset(loc, meters, random() * 2 * Math.PI);
    const accuracy = random() < 0.05 ? 600 + Math.round(random() * 900) : 10 + Math.round(random() * 70);
    const distance = loc.measured ? Math.round(haversineMeters(point, loc)) : null;
    const row: Partial<Signin> = {
      customerId, memberId, lat: point.lat, lng: point.lng, coordSystem: 'gcj02', accuracy, distance, tooFar: distance !== null && distance > far,
      inaccurate: accuracy > far, localDay: dayOf(at), visitId, createdAt: at,
    };
    signins.push(row);
    return row;
  };
  for (const v of visits) {
    // earlier sign-ins at the customer over the month (visits before the latest one)
    const earlier = Math.floor(random() * 4);
    for (let i = 0; i < earlier; i++) {
      const at = new Date(now.getTime() - (1 + random() * 29) * DAY_MS);
      if (at.getTime() < v.at.getTime() - DAY_MS) signinAt(v.customerId, v.memberId, at, null);
    }
    if (v.at.getTime() < now.getTime() - 31 * DAY_MS || random() < 0.15) {
      chips.set(v.visitId, signinChip(null));
      continue;
    }
    const row = signinAt(v.customerId, v.memberId, new Date(v.at.getTime() - (10 + random() * 30) * MINUTE_MS), v.visitId);
    chips.set(v.visitId, signinChip({ distance: row.distance ?? null, tooFar: !!row.tooFar }));
  }
  for (let i = 0; i < rows.length; i += 200) await m.createQueryBuilder().insert().into(CustomerLocation).values(rows.slice(i, i + 200)).updateEntity(false).execute();
  for (let i = 0; i < signins.length; i += 200) await m.createQueryBuilder().insert().into(Signin).values(signins.slice(i, i + 200)).updateEntity(false).execute();
  return chips;
}
