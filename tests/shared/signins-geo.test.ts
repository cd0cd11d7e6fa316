import { formatDistance, haversineMeters, median, signinChip, toGcj02, wgs84ToGcj02 } from '@anchor/shared';

// The distance and coordinate math a sign-in is judged by, against points whose answers are known.
describe('haversine distance', () => {
  it('one degree of latitude along a meridian is πR/180 (R = 6 371 km): 111 194.9 m', () => {
    expect(haversineMeters({ lat: 30, lng: 120 }, { lat: 31, lng: 120 })).toBeCloseTo(111194.93, 1);
  });

  it('one degree of longitude on the equator is the same 111 194.9 m; at 60° north, half of it', () => {
    expect(haversineMeters({ lat: 0, lng: 100 }, { lat: 0, lng: 101 })).toBeCloseTo(111194.93, 1);
    expect(haversineMeters({ lat: 60, lng: 100 }, { lat: 60, lng: 101 })).toBeCloseTo(55595.3, -1);
  });

  it('天安门 to 上海人民广场 is about 1 067 km; the same point is 0 m; symmetric', () => {
    const beijing = { lat: 39.9087, lng: 116.3975 };
    const shanghai = { lat: 31.2304, lng: 121.4737 };
    expect(haversineMeters(beijing, shanghai) / 1000).toBeGreaterThan(1064);
    expect(haversineMeters(beijing, shanghai) / 1000).toBeLessThan(1070);
    expect(haversineMeters(beijing, beijing)).toBe(0);
    expect(haversineMeters(shanghai, beijing)).toBeCloseTo(haversineMeters(beijing, shanghai), 6);
  });

  it('antipodes are half the circumference, not NaN', () => {
    expect(haversineMeters({ lat: 0, lng: 0 }, { lat: 0, lng: 180 })).toBeCloseTo(Math.PI * 6371000, 0);
  });
});

describe('WGS-84 → GCJ-02 (the published transform)', () => {
  // wgsLat, wgsLng, gcjLat, gcjLng: the reference points published with eviltransform
  const known: Array<[string, number, number, number, number]> = [
    ['上海', 31.1774276, 121.5272106, 31.17530398364597, 121.531541859215],
    ['深圳', 22.543847, 113.912316, 22.540796131694766, 113.9171764808363],
    ['北京', 39.911954, 116.377817, 39.91334545536069, 116.38404722455657],
  ];
  it.each(known)('%s: within 0.1 m of the reference', (_city, wLat, wLng, gLat, gLng) => {
    const gcj = wgs84ToGcj02({ lat: wLat, lng: wLng });
    expect(haversineMeters(gcj, { lat: gLat, lng: gLng })).toBeLessThan(0.1);
    // and the offset itself is the few hundred metres people see between GPS and Chinese maps
    expect(haversineMeters(gcj, { lat: wLat, lng: wLng })).toBeGreaterThan(200);
    expect(haversineMeters(gcj, { lat: wLat, lng: wLng })).toBeLessThan(800);
  });

  it('outside China the two systems are the same point', () => {
    expect(wgs84ToGcj02({ lat: 48.8584, lng: 2.2945 })).toEqual({ lat: 48.8584, lng: 2.2945 });
    expect(wgs84ToGcj02({ lat: 35.6586, lng: 139.7454 })).toEqual({ lat: 35.6586, lng: 139.7454 });
  });

  it('a GCJ-02 point is kept as it is', () => {
    expect(toGcj02({ lat: 31.2, lng: 121.5, coordSystem: 'gcj02' })).toEqual({ lat: 31.2, lng: 121.5 });
  });
});

describe('the chip people read', () => {
  it('已签到 · 120 m within the distance, 距离客户 3.2 km beyond it, 未签到 without a sign-in', () => {
    expect(signinChip({ distance: 120, tooFar: false })).toBe('已签到 · 120 m');
    expect(signinChip({ distance: 3200, tooFar: true })).toBe('距离客户 3.2 km');
    expect(signinChip({ distance: 501, tooFar: true })).toBe('距离客户 501 m');
    expect(signinChip({ distance: null, tooFar: false })).toBe('已签到 · 客户位置待定');
    expect(signinChip(null)).toBe('未签到');
    expect(formatDistance(999)).toBe('999 m');
    expect(formatDistance(1000)).toBe('1.0 km');
  });

  it('median of an odd and an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
