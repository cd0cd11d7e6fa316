process.env.TARO_ENV = 'h5';
import { useState } from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { SigninView } from '@anchor/shared';
import { saveSession } from '../../miniprogram/src/api/session';
import { SigninChip, VisitSignin } from '../../miniprogram/src/components/signin-panel';
import { fakeNetwork } from './support/taro';

// The visit form's 外勤签到 row: today's own sign-ins at the customer, the newest free one picked; with
// none, 未签到 and 签到, which asks the browser for the position (WGS-84) and picks the new sign-in.
const rep = { id: 5, name: '王小明', role: 'rep' as const, teamId: 1 };
const signin = (id: number, chip: string, overrides: Partial<SigninView> = {}): SigninView => ({
  id, customerId: 7, member: { id: 5, name: '王小明' }, lat: 31.23, lng: 121.47, coordSystem: 'gcj02', accuracy: 20, distance: 120, tooFar: false, inaccurate: false,
  day: '2026-11-20', visitId: null, chip, createdAt: '2026-11-20T02:00:00.000Z', ...overrides,
});

function Harness(props: { onPick: (id: number | null) => void }) {
  const [value, setValue] = useState<number | null>(null);
  return <VisitSignin customerId={7} value={value} onChange={(id) => (setValue(id), props.onPick(id))} />;
}

beforeEach(() => {
  fakeNetwork.reset();
  saveSession({ token: 't', expiresAt: null, member: rep });
});

describe('the visit form\'s sign-in row', () => {
  it("picks today's newest sign-in not yet linked to a visit, and a tap on the picked one unpicks it", async () => {
    fakeNetwork.handler = (req) =>
      req.url.includes('/api/v1/customers/7/signins')
        ? { statusCode: 200, data: { items: [signin(9, '已签到 · 120 m'), signin(8, '距离客户 3.2 km', { tooFar: true, distance: 3200 }), signin(6, '已签到 · 10 m', { visitId: 44 })], total: 3, page: 1, pageSize: 20 } }
        : { statusCode: 404, data: {} };
    const picks: Array<number | null> = [];
    render(<Harness onPick={(id) => picks.push(id)} />);
    await waitFor(() => expect(picks).toEqual([9]));
    expect(document.querySelector('#visit-signin-chip')!.textContent).toBe('已签到 · 120 m');
    // the one already linked to another visit is not offered
    expect(screen.queryByText('已签到 · 10 m')).toBeNull();
    expect(screen.getByText('距离客户 3.2 km')).toBeTruthy();
    expect(fakeNetwork.requests[0]!.url).toContain('mine=true');
    expect(fakeNetwork.requests[0]!.url).toContain('day=today');
    fireEvent.click(document.querySelector('#visit-signin-9')!);
    expect(picks).toEqual([9, null]);
  });

  it('with none today: 未签到; 签到 sends the browser position as WGS-84 with an Idempotency-Key and picks it', async () => {
    const posted: unknown[] = [];
    fakeNetwork.handler = (req) => {
      if (req.method === 'POST') {
        posted.push({ body: req.data, key: req.header?.['Idempotency-Key'] });
        return { statusCode: 201, data: signin(12, '已签到 · 80 m', { distance: 80 }) };
      }
      return { statusCode: 200, data: { items: [], total: 0, page: 1, pageSize: 20 } };
    };
    Object.defineProperty(globalThis.navigator, 'geolocation', {
      configurable: true,
      value: { getCurrentPosition: (ok: (p: unknown) => void) => ok({ coords: { latitude: 31.2284, longitude: 121.4693, accuracy: 18.4 } }) },
    });
    const picks: Array<number | null> = [];
    render(<Harness onPick={(id) => picks.push(id)} />);
    await waitFor(() => expect(fakeNetwork.requests.length).toBe(1));
    expect(document.querySelector('#visit-signin-chip')!.textContent).toBe('未签到');
    fireEvent.click(document.querySelector('#visit-signin-now')!);
    await waitFor(() => expect(picks).toEqual([12]));
    expect(posted).toEqual([{ body: { lat: 31.2284, lng: 121.4693, accuracy: 18, coordSystem: 'wgs84' }, key: expect.stringMatching(/^v-/) }]);
    expect(document.querySelector('#visit-signin-chip')!.textContent).toBe('已签到 · 80 m');
  });

  it('a refused permission says how to allow it; nothing is sent', async () => {
    fakeNetwork.handler = () => ({ statusCode: 200, data: { items: [], total: 0, page: 1, pageSize: 20 } });
    Object.defineProperty(globalThis.navigator, 'geolocation', {
      configurable: true,
      value: { getCurrentPosition: (_ok: unknown, fail: (e: unknown) => void) => fail({ code: 1 }) },
    });
    render(<Harness onPick={() => undefined} />);
    await waitFor(() => expect(fakeNetwork.requests.length).toBe(1));
    fireEvent.click(document.querySelector('#visit-signin-now')!);
    await waitFor(() => expect(screen.getByText(/未获得定位权限/)).toBeTruthy());
    expect(fakeNetwork.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });
});

describe('the chip', () => {
  it('green within the distance, orange when far or vague, plain when not signed in', () => {
    const { container } = render(
      <>
        <SigninChip id='a' signin={{ chip: '已签到 · 120 m', tooFar: false, inaccurate: false }} />
        <SigninChip id='b' signin={{ chip: '距离客户 3.2 km', tooFar: true, inaccurate: false }} />
        <SigninChip id='c' signin={{ chip: '已签到 · 30 m', tooFar: false, inaccurate: true }} />
        <SigninChip id='d' signin={null} />
      </>,
    );
    const chip = (id: string) => container.querySelector(`#${id}`)!;
    expect(chip('a').className).toContain('signin-chip--green');
    expect(chip('b').className).toContain('signin-chip--orange');
    expect(chip('c').textContent).toBe('已签到 · 30 m · 定位精度差');
    expect(chip('d').textContent).toBe('未签到');
    expect(chip('d').className).toContain('signin-chip--plain');
  });
});
