process.env.TARO_ENV = 'h5';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { saveSession } from '../../miniprogram/src/api/session';
import { SupportPackSection, type SupportPackPush } from '../../miniprogram/src/pages/customer/support-pack-section';
import { fakeNetwork } from './support/taro';

// The customer page's 支持包 block: the pack pushed when the customer became A+, its materials one tap away.
const rep = { id: 5, name: '王小明', role: 'rep' as const, teamId: 1 };
const push = (id: number, pushedAt: string, materials: SupportPackPush['materials']): SupportPackPush => ({ id, grade: 'A+', pushedAt, materials });

function serve(items: SupportPackPush[]) {
  fakeNetwork.handler = (req) => (req.url.endsWith('/api/v1/customers/7/support-packs') ? { statusCode: 200, data: { items } } : { statusCode: 404, data: { error: { code: 'NOT_FOUND', message: '客户不存在' } } });
}

beforeEach(() => {
  fakeNetwork.reset();
  fakeNetwork.navigations.length = 0;
  saveSession({ token: 't', expiresAt: null, member: rep });
});

describe('the 支持包 block on the customer page', () => {
  it('shows the latest pack with each material, opens a material for this customer on a tap, and lists earlier pushes', async () => {
    serve([
      push(2, '2026-11-22T02:00:00.000Z', [{ id: 3, title: '耗材三年价格锁定说明', kind: 'pdf' }, { id: 1, title: '快装方案', kind: 'pdf' }]),
      push(1, '2026-11-10T02:00:00.000Z', [{ id: 1, title: '快装方案', kind: 'pdf' }]),
    ]);
    render(<SupportPackSection id={7} reloadKey='A+' />);
    expect(await screen.findByText('支持包')).toBeTruthy();
    const text = document.body.textContent!;
    expect(text).toContain('升为 A+ 客户时推送');
    expect(text).toContain('2 份素材');
    expect(text).toContain('PDF · 耗材三年价格锁定说明');
    expect(text).toContain('推送 1 份素材（升为 A+）');
    fireEvent.click(screen.getByText(/快装方案 ›/));
    expect(fakeNetwork.navigations.at(-1)).toBe('/packages/materials/detail/index?id=1&customerId=7');
  });

  it('shows nothing when no pack was pushed', async () => {
    serve([]);
    const { container } = render(<SupportPackSection id={7} reloadKey='B' />);
    await act(() => new Promise((r) => setTimeout(r, 50)));
    expect(fakeNetwork.requests.some((r) => r.url.endsWith('/customers/7/support-packs'))).toBe(true);
    expect(container.textContent).toBe('');
  });
});
