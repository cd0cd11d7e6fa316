/**
 * On-site sign-in (外勤签到): the point a rep's phone reports at a customer, its distance to the
 * customer's location, and the chip people read (已签到 · 120 m / 距离客户 3.2 km / 未签到).
 * One definition for the server (validation, distance, flags) and the app (the same checks before
 * sending, the same chip text).
 *
 * Coordinate systems: WeChat's getLocation({ type: 'gcj02' }) answers GCJ-02 (China's official
 * offset system, what Chinese maps draw in); a browser's navigator.geolocation answers WGS-84 (GPS).
 * A point is stored as it came, with its system; distances are measured in GCJ-02, a WGS-84 point
 * converted with the published WGS-84 → GCJ-02 formula first (outside China the two are the same).
 */
import { z } from 'zod';
import { labelled, picked } from './validation';

export const COORD_SYSTEMS = ['gcj02', 'wgs84'] as const;
export type CoordSystem = (typeof COORD_SYSTEMS)[number];

/** No phone reports an accuracy worse than this (metres); a larger value is a made-up reading. */
export const MAX_ACCURACY_METERS = 10_000;

export interface GeoPoint {
  lat: number;
  lng: number;
}

const latitude = labelled(z.number().min(-90).max(90), '纬度');
const longitude = labelled(z.number().min(-180).max(180), '经度');
const coordSystem = picked(labelled(z.enum(COORD_SYSTEMS), '坐标系'));

/** POST /customers/:id/signins: where the phone says it is, and how sure it is. */
export const signinInputSchema = z
  .object({
    lat: latitude,
    lng: longitude,
    accuracy: labelled(z.number().gt(0, '必须大于 0 米').max(MAX_ACCURACY_METERS, `不能大于 ${MAX_ACCURACY_METERS} 米`), '定位精度'),
    coordSystem: coordSystem.default('gcj02'),
  })
  .strict();
export type SigninInput = z.output<typeof signinInputSchema>;

/** PUT /customers/:id/location: a supervisor's or admin's coordinates for the customer. */
export const customerLocationInputSchema = z
  .object({
    lat: latitude,
    lng: longitude,
    coordSystem: coordSystem.default('gcj02'),
  })
  .strict();
export type CustomerLocationInput = z.output<typeof customerLocationInputSchema>;

const isoTime = z.string().describe('ISO 8601 时间');

export const signinSchema = z.object({
  id: z.number().int(),
  customerId: z.number().int(),
  member: z.object({ id: z.number().int(), name: z.string() }),
  lat: z.number(),
  lng: z.number(),
  coordSystem: z.enum(COORD_SYSTEMS),
  accuracy: z.number(),
  /** metres to the customer's location; null while the customer has no confirmed location */
  distance: z.number().int().nullable(),
  /** farther than policy signins.farDistanceMeters from the customer */
  tooFar: z.boolean(),
  /** the phone's accuracy is worse than that distance: the point proves little */
  inaccurate: z.boolean(),
  /** the rep's local day (policy time zone), YYYY-MM-DD */
  day: z.string(),
  visitId: z.number().int().nullable(),
  /** 已签到 · 120 m, 距离客户 3.2 km, 已签到 · 客户位置待定 */
  chip: z.string(),
  createdAt: isoTime,
});
export type SigninView = z.output<typeof signinSchema>;

export const customerLocationSchema = z.object({
  customerId: z.number().int(),
  /** none: no location yet; proposed: from the first sign-ins, waiting for the supervisor; set: confirmed or entered */
  status: z.enum(['none', 'proposed', 'set']),
  /** GCJ-02 (a WGS-84 entry is converted when stored) */
  lat: z.number().nullable(),
  lng: z.number().nullable(),
  coordSystem: z.literal('gcj02').nullable(),
  /** set: entered by a person; signins: the median of the first good sign-ins */
  source: z.enum(['set', 'signins']).nullable(),
  /** how many sign-ins the proposal was made from */
  sampleCount: z.number().int().nullable(),
  setBy: z.object({ id: z.number().int(), name: z.string() }).nullable(),
  setAt: isoTime.nullable(),
  /** the caller may set it or confirm a proposal */
  canManage: z.boolean(),
});
export type CustomerLocationView = z.output<typeof customerLocationSchema>;

/** A customer whose location was proposed from its first sign-ins and waits for the supervisor (位置待确认). */
export const locationProposalSchema = z.object({
  customerId: z.number().int(),
  customerName: z.string(),
  owner: z.object({ id: z.number().int(), name: z.string() }),
  /** GCJ-02 */
  lat: z.number(),
  lng: z.number(),
  sampleCount: z.number().int().nullable(),
  proposedAt: isoTime,
});
export type LocationProposal = z.output<typeof locationProposalSchema>;

/** The caller's customers waiting for confirmation: all of them counted, the oldest shown. */
export const locationProposalsSchema = z.object({ count: z.number().int(), items: z.array(locationProposalSchema) });
export type LocationProposals = z.output<typeof locationProposalsSchema>;

const EARTH_RADIUS_M = 6_371_000;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in metres (haversine, mean Earth radius 6 371 km). */
export function haversineMeters(a: GeoPoint, b: GeoPoint): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

// The published WGS-84 → GCJ-02 transform (Krasovsky 1940 ellipsoid, as in eviltransform and
// coordtransform). Outside China's bounding box GCJ-02 equals WGS-84.
const KRASOVSKY_A = 6378245.0;
const KRASOVSKY_EE = 0.00669342162296594323;

function outOfChina(lat: number, lng: number): boolean {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function transformLat(x: number, y: number): number {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return r;
}

function transformLng(x: number, y: number): number {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return r;
}

/** A GPS (WGS-84) point as Chinese maps and WeChat place it (GCJ-02). */
export function wgs84ToGcj02(p: GeoPoint): GeoPoint {
  if (outOfChina(p.lat, p.lng)) return { lat: p.lat, lng: p.lng };
  let dLat = transformLat(p.lng - 105.0, p.lat - 35.0);
  let dLng = transformLng(p.lng - 105.0, p.lat - 35.0);
  const radLat = rad(p.lat);
  let magic = Math.sin(radLat);
  magic = 1 - KRASOVSKY_EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / (((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (magic * sqrtMagic)) * Math.PI);
  dLng = (dLng * 180.0) / ((KRASOVSKY_A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return { lat: p.lat + dLat, lng: p.lng + dLng };
}

/** A point in GCJ-02, whichever system it came in. */
export function toGcj02(p: GeoPoint & { coordSystem: CoordSystem }): GeoPoint {
  return p.coordSystem === 'wgs84' ? wgs84ToGcj02(p) : { lat: p.lat, lng: p.lng };
}

/** 120 m, 3.2 km */
export function formatDistance(meters: number): string {
  return meters < 1000 ? `${Math.round(meters)} m` : `${(meters / 1000).toFixed(1)} km`;
}

/**
 * What a sign-in reads as on a visit and a card: 已签到 · 120 m within the policy distance, 距离客户
 * 3.2 km beyond it, 已签到 · 客户位置待定 while the customer has no confirmed location; 未签到 without one.
 */
export function signinChip(signin: { distance: number | null; tooFar: boolean } | null): string {
  if (!signin) return '未签到';
  if (signin.distance === null) return '已签到 · 客户位置待定';
  return signin.tooFar ? `距离客户 ${formatDistance(signin.distance)}` : `已签到 · ${formatDistance(signin.distance)}`;
}

/** The median of numbers (the middle one, or the mean of the middle two). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
