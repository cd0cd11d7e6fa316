import { render, screen, waitFor } from '@testing-library/react';
import LoginPage from '../../miniprogram/src/pages/index/index';
import { fakeNetwork } from './support/taro';

const member = { id: 5, name: '王小明', role: 'rep', teamId: 1 };
const logins = () => fakeNetwork.requests.filter((r) => r.method === 'POST' && r.url.includes('/api/v1/auth/'));

beforeEach(() => {
  fakeNetwork.reset();
  fakeNetwork.handler = () => ({ statusCode: 200, data: { token: 't', expiresAt: null, member } });
  delete (globalThis as { wx?: unknown }).wx;
  process.env.TARO_ENV = 'weapp'; // the page reads it while rendering, as the weapp build has it inlined
});
afterEach(() => {
  process.env.TARO_ENV = 'h5';
});

describe('login on the phone (weapp)', () => {
  it('scanning a team code logs in through WeChat with the invite from the scene', async () => {
    fakeNetwork.routerParams = { scene: encodeURIComponent('i=TEAM42') };
    render(<LoginPage />);
    await waitFor(() => expect(logins()).toHaveLength(1));
    expect(logins()[0]).toMatchObject({ url: '/api/v1/auth/wechat/login', data: { code: 'wx-code-1', inviteCode: 'TEAM42' } });
    await waitFor(() => expect(fakeNetwork.toasts).toContain('欢迎，王小明'));
  });

  it('inside WeCom it uses wx.qy.login and the WeCom endpoint', async () => {
    fakeNetwork.environment = 'wxwork';
    (globalThis as { wx?: unknown }).wx = { qy: { login: (o: { success: (r: { code: string }) => void }) => o.success({ code: 'qy-code-7' }) } };
    render(<LoginPage />);
    await waitFor(() => expect(logins()).toHaveLength(1));
    expect(logins()[0]).toMatchObject({ url: '/api/v1/auth/wecom/login', data: { code: 'qy-code-7' } });
  });

  it('a new rep joining by a team code is asked for name and phone', async () => {
    fakeNetwork.routerParams = { scene: encodeURIComponent('i=TEAM42') };
    fakeNetwork.handler = () => ({
      statusCode: 422,
      data: { error: { code: 'VALIDATION_FAILED', message: '首次加入团队请填写姓名和手机号', fields: { name: '请填写姓名' } } },
    });
    render(<LoginPage />);
    expect(await screen.findByText('首次加入团队请填写姓名和手机号')).toBeTruthy();
    expect(document.querySelector('#name')).not.toBeNull();
    expect(document.querySelector('#phone')).not.toBeNull();
  });
});
