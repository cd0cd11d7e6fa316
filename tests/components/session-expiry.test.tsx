import { waitFor } from '@testing-library/react';
import { api } from '../../miniprogram/src/api/client';
import { getSession, saveSession } from '../../miniprogram/src/api/session';
import { fakeNetwork } from './support/taro';

const member = { id: 7, name: '王小明', phone: '13800000101', role: 'rep' as const, teamId: 1, regionId: 1, managerId: 2 };

beforeEach(() => fakeNetwork.reset());

// Any request with a session the server no longer accepts (expired, revoked by an admin, signed out on
// another phone) tells the person why before the login page appears.
describe('登录已过期', () => {
  it('a 401 says 「登录已过期，请重新登录」, clears the session, then opens the login page', async () => {
    saveSession({ token: 'revoked-token', expiresAt: null, member });
    fakeNetwork.handler = () => ({ statusCode: 401, data: { error: { code: 'UNAUTHENTICATED', message: '请先登录' } } });
    await expect(api.get('/customers')).rejects.toMatchObject({ status: 401 });
    await waitFor(() => expect(fakeNetwork.navigations).toEqual(['/pages/index/index']));
    expect(fakeNetwork.modals).toEqual(['登录已过期，请重新登录']);
    expect(getSession()).toBeNull();
  });

  it('several requests failing together say it once', async () => {
    saveSession({ token: 'revoked-token', expiresAt: null, member });
    fakeNetwork.handler = () => ({ statusCode: 401, data: { error: { code: 'UNAUTHENTICATED', message: '请先登录' } } });
    await Promise.allSettled([api.get('/customers'), api.get('/todos'), api.get('/me')]);
    await waitFor(() => expect(fakeNetwork.navigations).toEqual(['/pages/index/index']));
    expect(fakeNetwork.modals).toEqual(['登录已过期，请重新登录']);
  });

  it('a session whose stored expiry has passed says the same before any request', async () => {
    saveSession({ token: 'old-token', expiresAt: new Date(Date.now() - 60_000).toISOString(), member });
    expect(getSession()).toBeNull();
    await waitFor(() => expect(fakeNetwork.navigations).toEqual(['/pages/index/index']));
    expect(fakeNetwork.modals).toEqual(['登录已过期，请重新登录']);
    expect(fakeNetwork.requests).toHaveLength(0);
  });

  it('a wrong login (no session yet) is an error on the form, not 登录已过期', async () => {
    fakeNetwork.handler = () => ({ statusCode: 401, data: { error: { code: 'LOGIN_FAILED', message: '微信登录失败，请重试' } } });
    await expect(api.post('/auth/wechat/login', { code: 'x' })).rejects.toMatchObject({ message: '微信登录失败，请重试' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fakeNetwork.modals).toEqual([]);
    expect(fakeNetwork.navigations).toEqual([]);
  });
});
