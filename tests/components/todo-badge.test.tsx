import { render, screen, waitFor } from '@testing-library/react';
import { TAB_PAGES } from '@anchor/shared';
import { badgeText, forgetTodoBadge, refreshTodoBadge, useTodoBadge, useTodoCount } from '../../miniprogram/src/api/todo-badge';
import { saveSession } from '../../miniprogram/src/api/session';
import { fakeNetwork } from './support/taro';

const member = { id: 11, name: '陈主管', phone: '13800000011', role: 'supervisor' as const, teamId: 1, regionId: 1, managerId: 1 };
const TODOS_TAB = TAB_PAGES.indexOf('todos');

function answerMe(openTodos: number) {
  fakeNetwork.handler = (req) =>
    req.url.endsWith('/api/v1/me')
      ? { statusCode: 200, data: { ...member, roleLabel: '直属主管', team: { id: 1, name: '上海一组' }, region: null, manager: null, openTodos, canInvite: true } }
      : { statusCode: 404, data: { error: { message: '未配置' } } };
}

function TabPage() {
  useTodoBadge();
  const count = useTodoCount();
  return <span id='count'>{count}</span>;
}

beforeEach(() => {
  fakeNetwork.reset();
  forgetTodoBadge();
  saveSession({ token: 't', expiresAt: null, member });
});

describe('the 待办 badge', () => {
  it('a tab page that shows sets the 待办 tab badge to the open count from GET /me', async () => {
    answerMe(3);
    render(<TabPage />);
    await waitFor(() => expect(fakeNetwork.tabBadges).toEqual({ [TODOS_TAB]: '3' }));
    expect(TODOS_TAB).toBe(1); // 客户 · 待办 · 我的
    expect(screen.getByText('3')).toBeTruthy();
    expect(fakeNetwork.requests.map((r) => r.url)).toEqual(['/api/v1/me']);
  });

  it('goes away when nothing is open, and shows 99+ past 99', async () => {
    answerMe(120);
    await refreshTodoBadge();
    expect(fakeNetwork.tabBadges[TODOS_TAB]).toBe('99+');
    answerMe(0);
    await refreshTodoBadge();
    expect(fakeNetwork.tabBadges).toEqual({});
    expect(badgeText(99)).toBe('99');
  });

  it('offline keeps the last count; signed out asks nothing', async () => {
    answerMe(2);
    await refreshTodoBadge();
    fakeNetwork.handler = () => {
      throw new Error('offline');
    };
    expect(await refreshTodoBadge()).toBeNull();
    expect(fakeNetwork.tabBadges[TODOS_TAB]).toBe('2');
    fakeNetwork.reset();
    expect(await refreshTodoBadge()).toBeNull();
    expect(fakeNetwork.requests).toHaveLength(0);
  });
});
