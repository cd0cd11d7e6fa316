import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import Me from '../../miniprogram/src/pages/me/index';
import appConfig from '../../miniprogram/src/app.config';
import { PAGES, TAB_PAGES } from '@anchor/shared';
import { getSession, saveSession } from '../../miniprogram/src/api/session';
import { fakeNetwork } from './support/taro';

type Role = 'rep' | 'supervisor';
const people = {
  rep: { id: 7, name: '王小明', phone: '13800000101', role: 'rep' as const, teamId: 3, regionId: 1, managerId: 2 },
  supervisor: { id: 2, name: '陈主管', phone: '13800000011', role: 'supervisor' as const, teamId: 3, regionId: 1, managerId: 1 },
};
const labels = { rep: '销售代表', supervisor: '直属主管' };

function signIn(role: Role) {
  const member = people[role];
  saveSession({ token: `token-${role}`, expiresAt: null, member });
  const calls: string[] = [];
  fakeNetwork.handler = (req) => {
    const path = req.url.replace(/^.*\/api\/v1/, '');
    calls.push(`${req.method ?? 'GET'} ${path}`);
    if (path === '/me')
      return {
        statusCode: 200,
        data: { ...member, roleLabel: labels[role], team: { id: 3, name: '江浙一组' }, region: { id: 1, name: '华东' }, manager: role === 'rep' ? { id: 2, name: '陈主管' } : { id: 1, name: '周建国' }, openTodos: 4, canInvite: role === 'supervisor' },
      };
    if (path === '/invites') return { statusCode: 201, data: { code: 'INV12345', kind: 'team', teamId: 3, memberId: null, expiresAt: '2026-12-09T02:00:00.000Z', url: 'http://localhost:3000/app/#/pages/index/index?invite=INV12345' } };
    if (path === '/auth/logout') return { statusCode: 200, data: { ok: true } };
    return { statusCode: 404, data: { error: { message: '未配置' } } };
  };
  return calls;
}

beforeEach(() => fakeNetwork.reset());

describe('我的', () => {
  it('shows the name, the role in Chinese, the team and the manager', async () => {
    signIn('rep');
    render(<Me />);
    expect(await screen.findByText('王小明')).toBeTruthy();
    expect(screen.getByText('销售代表')).toBeTruthy();
    expect(document.querySelector('#me-team')!.textContent).toBe('华东 · 江浙一组');
    expect(document.querySelector('#me-manager')!.textContent).toBe('陈主管');
    expect(document.querySelector('#me-todos')!.textContent).toBe('4 项未完成');
    // a rep has no invite to give
    expect(document.querySelector('#invite-card')).toBeNull();
  });

  it('a supervisor makes a team invite and sees its QR code and code', async () => {
    const calls = signIn('supervisor');
    const fetched: string[] = [];
    globalThis.fetch = (async (url: string, init: { headers: Record<string, string> }) => {
      fetched.push(`${url} ${init.headers.Authorization}`);
      return { ok: true, status: 200, blob: async () => new Blob(['png']) };
    }) as unknown as typeof fetch;
    URL.createObjectURL = () => 'blob:qr';
    render(<Me />);
    fireEvent.click(await screen.findByText('生成邀请二维码'));
    await waitFor(() => expect(document.querySelector('#invite-qr')?.getAttribute('src')).toBe('blob:qr'));
    expect(calls).toContain('POST /invites');
    expect(fakeNetwork.requests.find((r) => r.url.endsWith('/invites'))!.data).toEqual({ teamId: 3 });
    expect(fetched).toEqual(['/api/v1/invites/INV12345/qr.png Bearer token-supervisor']);
    expect(document.querySelector('#invite-code')!.textContent).toBe('邀请码：INV12345');
    expect(screen.getByText('邀请成员加入「江浙一组」')).toBeTruthy();
  });

  it('退出登录 revokes the session on the server, forgets it here and opens the login page', async () => {
    const calls = signIn('rep');
    render(<Me />);
    fireEvent.click(await screen.findByText('退出登录'));
    await waitFor(() => expect(fakeNetwork.navigations).toEqual(['/pages/index/index']));
    expect(fakeNetwork.modals).toEqual(['确定退出当前账号吗？']);
    expect(calls).toContain('POST /auth/logout');
    expect(getSession()).toBeNull();
  });

  it('changing one’s mind keeps the session', async () => {
    signIn('rep');
    fakeNetwork.modalConfirm = false;
    render(<Me />);
    fireEvent.click(await screen.findByText('退出登录'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(getSession()).not.toBeNull();
    expect(fakeNetwork.navigations).toEqual([]);
  });
});

describe('the tab bar and page titles (app.config)', () => {
  it('lists 客户 · 待办 · 我的 in the order of TAB_PAGES, each a page of the app', () => {
    const tabs = appConfig.tabBar!.list.map((t: { pagePath: string; text: string }) => [t.pagePath, t.text]);
    expect(tabs).toEqual([
      [PAGES.customers.path, '客户'],
      [PAGES.todos.path, '待办'],
      [PAGES.me.path, '我的'],
    ]);
    expect(TAB_PAGES).toEqual(['customers', 'todos', 'me']);
    for (const [path] of tabs) expect(appConfig.pages).toContain(path);
  });

  it('declares the privacy check, and every page names itself in the navigation bar', () => {
    expect((appConfig as { __usePrivacyCheck__?: boolean }).__usePrivacyCheck__).toBe(true);
    const pages = [...appConfig.pages!, ...appConfig.subPackages!.flatMap((p: { root: string; pages: string[] }) => p.pages.map((page) => `${p.root}/${page}`))];
    for (const page of pages) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const config = require(`../../miniprogram/src/${page}.config`).default as { navigationBarTitleText?: string };
      expect({ page, title: config.navigationBarTitleText ?? '' }).toEqual({ page, title: expect.stringMatching(/\S/) });
    }
  });
});
