import { render, screen } from '@testing-library/react';
import type { Role } from '@anchor/shared';
import Campaigns from '../../miniprogram/src/packages/campaigns/index';
import { saveSession } from '../../miniprogram/src/api/session';
import { fakeNetwork } from './support/taro';

jest.mock('../../miniprogram/src/components/tag', () => ({
  StatusTag: (props: { children: unknown }) => <span>{props.children as string}</span>,
}));

// 专项任务 with no targets of one's own: a rep has nothing running; a supervisor (whose team holds targets
// in a running campaign) is sent to the board, not told that nothing runs.
function signIn(role: Role) {
  saveSession({ token: `token-${role}`, expiresAt: null, member: { id: 7, name: '陈主管', phone: '13800000011', role, teamId: 3, regionId: 1, managerId: 2 } });
  fakeNetwork.handler = (req) => {
    const path = req.url.replace(/^.*\/api\/v1/, '').split('?')[0];
    if (path === '/campaigns/mine') return { statusCode: 200, data: { reasons: ['客户拒绝'], campaigns: [] } };
    if (path === '/options') return { statusCode: 200, data: { timeZone: 'Asia/Shanghai' } };
    return { statusCode: 404, data: { error: { message: '未配置' } } };
  };
}

describe('专项任务 with no targets of one’s own', () => {
  it('a rep is told nothing is running', async () => {
    signIn('rep');
    render(<Campaigns />);
    expect((await screen.findByText('目前没有进行中的专项任务')).textContent).toBe('目前没有进行中的专项任务');
    expect(document.querySelector('#campaigns-to-board')).toBeNull();
  });

  it('a supervisor is pointed at the board', async () => {
    signIn('supervisor');
    render(<Campaigns />);
    await screen.findByText('你名下没有专项目标客户；团队的专项进度在专项看板');
    expect(document.querySelector('#campaigns-to-board')?.textContent).toBe('打开专项看板');
  });
});
