process.env.TARO_ENV = 'h5';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { VisitDetail } from '@anchor/shared';
import { saveSession } from '../../miniprogram/src/api/session';
import VisitDetailPage from '../../miniprogram/src/pages/visit-detail/index';
import LoginPage from '../../miniprogram/src/pages/index/index';
import { fakeNetwork } from './support/taro';

// NutUI's Tag reads Taro's environment when loaded; a plain label shows the same words.
jest.mock('../../miniprogram/src/components/tag', () => ({
  StatusTag: (props: { className?: string; children: unknown }) => <span className={`tag ${props.className ?? ''}`}>{props.children as string}</span>,
}));

const supervisor = { id: 3, name: '陈主管', role: 'supervisor' as const, teamId: 1 };
const rep = { id: 5, name: '王小明', role: 'rep' as const, teamId: 1 };

const visit = (overrides: Partial<VisitDetail> = {}): VisitDetail => ({
  id: 12,
  status: 'submitted',
  customer: { id: 7, name: '上海市第六人民医院' },
  rep: { id: 5, name: '王小明' },
  objective: '推进方案',
  painPoint: '安装调试太慢，影响手术排期',
  dialogueSummary: '王主任认可快速安装，希望看到三甲医院案例',
  bottleneck: '集采降价压力',
  valuePoint: '48 小时完成安装调试',
  agreedAction: '其他',
  agreedActionNote: '带院长参观样板间',
  agreedActionText: '其他（带院长参观样板间）',
  nextFollowUpAt: '2026-11-24T06:30:00.000Z',
  nextFollowUpForm: '上门',
  alert: true,
  customerVerbatim: '两天能装好我们就换',
  photoIds: [41],
  submittedAt: '2026-11-20T02:00:00.000Z',
  createdAt: '2026-11-20T02:00:00.000Z',
  todo: {
    id: 5, status: 'open', assignee: { id: 3, name: '陈主管' }, dueAt: '2026-11-22T02:00:00.000Z', overdue: false, confirmedAt: null, confirmedBy: null,
    discussRequestedAt: null, escalatedAt: null, canConfirm: true,
  },
  ...overrides,
});

const relaunched: string[] = [];
const previewed: unknown[] = [];
const taro = Taro as unknown as Record<string, unknown>;
taro.reLaunch = async (o: { url: string }) => void relaunched.push(o.url);
taro.downloadFile = async (o: { url: string }) => ({ statusCode: 200, tempFilePath: `blob:${o.url.split('/').pop()}` });
taro.previewImage = async (o: unknown) => void previewed.push(o);
taro.getCurrentInstance = () => ({ router: { path: '/pages/visit-detail/index', params: fakeNetwork.routerParams } });

function serve(detail: VisitDetail | null) {
  fakeNetwork.handler = (req) => {
    if (req.url.endsWith('/api/v1/visits/12') && detail) return { statusCode: 200, data: detail };
    if (req.url.endsWith('/api/v1/todos/5/confirm')) return { statusCode: 200, data: { status: 'confirmed', confirmedAt: '2026-11-20T03:00:00.000Z', discussRequestedAt: null } };
    if (req.url.endsWith('/api/v1/todos/5/discuss')) return { statusCode: 200, data: { status: 'open', confirmedAt: null, discussRequestedAt: '2026-11-20T03:00:00.000Z' } };
    return { statusCode: 404, data: { error: { code: 'NOT_FOUND', message: '拜访记录不存在' } } };
  };
}

beforeEach(() => {
  fakeNetwork.reset();
  relaunched.length = 0;
  previewed.length = 0;
  fakeNetwork.routerParams = { id: '12', todo: '5' };
});

describe('the visit detail page', () => {
  it('shows every anchor, the customer, 「其他」 with its note, the alert and the customer\u2019s words', async () => {
    saveSession({ token: 't', expiresAt: null, member: supervisor });
    serve(visit());
    render(<VisitDetailPage />);
    expect(await screen.findByText('上海市第六人民医院')).toBeTruthy();
    const text = document.body.textContent!;
    for (const shown of ['推进方案', '安装调试太慢，影响手术排期', '王主任认可快速安装，希望看到三甲医院案例', '集采降价压力', '48 小时完成安装调试', '其他（带院长参观样板间）', '11-24 14:30 · 上门', '「两天能装好我们就换」', '预警', '确认人：陈主管']) {
      expect([shown, text.includes(shown)]).toEqual([shown, true]);
    }
    expect(screen.getByText('返回')).toBeTruthy();
  });

  it('a photo opens full screen when tapped', async () => {
    saveSession({ token: 't', expiresAt: null, member: supervisor });
    serve(visit());
    render(<VisitDetailPage />);
    await waitFor(() => expect(document.querySelector('#detail-photos img')).not.toBeNull());
    fireEvent.click(document.querySelector('#detail-photos img')!);
    expect(previewed).toEqual([{ urls: ['blob:41'], current: 'blob:41' }]);
  });

  it('the supervisor who confirms it confirms from here; the page then says 已确认', async () => {
    saveSession({ token: 't', expiresAt: null, member: supervisor });
    serve(visit());
    render(<VisitDetailPage />);
    fireEvent.click(await screen.findByText('确认'));
    await waitFor(() => expect(document.querySelector('#visit-todo')!.textContent).toContain('已确认'));
    expect(fakeNetwork.requests.filter((r) => r.method === 'POST').map((r) => r.url)).toEqual(['/api/v1/todos/5/confirm']);
    expect(document.querySelector('#confirm-todo')).toBeNull();
  });

  it('需要沟通 from here tells the rep, and the card says so', async () => {
    saveSession({ token: 't', expiresAt: null, member: supervisor });
    serve(visit());
    render(<VisitDetailPage />);
    fireEvent.click(await screen.findByText('需要沟通'));
    expect(await screen.findByText(/已请销售沟通/)).toBeTruthy();
    expect(document.querySelector('#confirm-todo')).not.toBeNull();
  });

  it('the rep sees the status but no confirm buttons; an escalated to-do reads 已升级', async () => {
    saveSession({ token: 't', expiresAt: null, member: rep });
    serve(visit({ todo: { ...visit().todo!, canConfirm: false, overdue: true, escalatedAt: '2026-11-22T02:00:00.000Z' } }));
    render(<VisitDetailPage />);
    expect(await screen.findByText('已升级')).toBeTruthy();
    expect(document.querySelector('#confirm-todo')).toBeNull();
    expect(document.querySelector('#discuss-todo')).toBeNull();
  });

  it('a visit that is gone (or out of reach) offers nothing but 返回', async () => {
    saveSession({ token: 't', expiresAt: null, member: rep });
    serve(null);
    render(<VisitDetailPage />);
    expect(await screen.findByText('拜访记录不存在，或你无权查看')).toBeTruthy();
    expect(Array.from(document.querySelectorAll('button'), (b) => b.textContent)).toEqual(['返回']);
  });

  it('opened from a chat link without a session: goes to login, and login comes back to this visit', async () => {
    serve(visit());
    render(<VisitDetailPage />);
    await waitFor(() => expect(relaunched).toEqual(['/pages/index/index']));
    expect(fakeNetwork.requests).toHaveLength(0);

    // log in (weapp login page) and land on the visit the link named
    process.env.TARO_ENV = 'weapp';
    try {
      fakeNetwork.routerParams = {};
      fakeNetwork.handler = () => ({ statusCode: 200, data: { token: 't2', expiresAt: null, member: supervisor } });
      render(<LoginPage />);
      await waitFor(() => expect(relaunched).toEqual(['/pages/index/index', '/pages/visit-detail/index?id=12&todo=5']));
    } finally {
      process.env.TARO_ENV = 'h5';
    }
  });
});
