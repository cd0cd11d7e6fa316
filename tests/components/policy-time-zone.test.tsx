process.env.TARO_ENV = 'h5';
import { render, screen, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { Customer, VisitDetail } from '@anchor/shared';
import { customerOverdue, forgetOptions, loadOptions } from '../../miniprogram/src/api/options';
import { saveSession } from '../../miniprogram/src/api/session';
import { followUpDays } from '../../miniprogram/src/components/date-time-pickers';
import VisitDetailPage from '../../miniprogram/src/pages/visit-detail/index';
import { formatInstant } from '../../miniprogram/src/utils/time';
import { shippedOptions } from './support/options';
import { fakeNetwork } from './support/taro';

// Issue 12 item 9: the app shows and reads wall-clock times in the zone the server's policy gives
// (GET /options timeZone), not a constant; Asia/Shanghai only until the options are known.
jest.mock('../../miniprogram/src/components/tag', () => ({
  StatusTag: (props: { className?: string; children: unknown }) => <span className={`tag ${props.className ?? ''}`}>{props.children as string}</span>,
}));

const supervisor = { id: 3, name: '陈主管', role: 'supervisor' as const, teamId: 1 };
const taro = Taro as unknown as Record<string, unknown>;
taro.getCurrentInstance = () => ({ router: { path: '/pages/visit-detail/index', params: fakeNetwork.routerParams } });

const visit: VisitDetail = {
  id: 12, status: 'submitted', customer: { id: 7, name: '上海市第六人民医院' }, rep: { id: 5, name: '王小明' },
  objective: '推进方案', painPoint: '安装调试太慢', dialogueSummary: '王主任认可快速安装，希望看到案例', bottleneck: '集采降价压力',
  valuePoint: '48 小时完成安装', agreedAction: '安排演示', agreedActionNote: null, agreedActionText: '安排演示',
  nextFollowUpAt: '2026-11-24T06:30:00.000Z', nextFollowUpForm: '上门', alert: false, customerVerbatim: null, photoIds: [],
  submittedAt: '2026-11-20T02:00:00.000Z', savedAt: null, offlineNote: null, createdAt: '2026-11-20T02:00:00.000Z', todo: null,
} as unknown as VisitDetail;

function serve(timeZone: string | null) {
  fakeNetwork.handler = (req) => {
    if (req.url.endsWith('/api/v1/options')) return timeZone ? { statusCode: 200, data: { ...shippedOptions(), timeZone } } : { statusCode: 503, data: { error: { message: '暂不可用' } } };
    if (req.url.endsWith('/api/v1/visits/12')) return { statusCode: 200, data: visit };
    return { statusCode: 404, data: { error: { code: 'NOT_FOUND', message: '不存在' } } };
  };
}

beforeEach(() => {
  fakeNetwork.reset();
  forgetOptions();
  fakeNetwork.routerParams = { id: '12' };
  saveSession({ token: 't', expiresAt: null, member: supervisor });
});

describe('the visit detail page in the policy\u2019s time zone', () => {
  it.each([
    ['Asia/Tokyo', '2026-11-24 15:30 · 上门', '拜访于 2026-11-20 11:00'],
    ['America/New_York', '2026-11-24 01:30 · 上门', '拜访于 2026-11-19 21:00'],
  ])('with timeZone %s it shows the next follow-up in that zone', async (zone, followUp, visited) => {
    serve(zone);
    render(<VisitDetailPage />);
    await waitFor(() => expect(document.body.textContent).toContain(followUp));
    expect(document.body.textContent).toContain(visited);
    expect(document.body.textContent).not.toContain('11-24 14:30');
    // the options were read once, not per time shown
    expect(fakeNetwork.requests.filter((r) => r.url.endsWith('/api/v1/options'))).toHaveLength(1);
  });

  it('without options (server unreachable, nothing stored) it falls back to Asia/Shanghai', async () => {
    serve(null);
    render(<VisitDetailPage />);
    expect(await screen.findByText('上海市第六人民医院')).toBeTruthy();
    expect(document.body.textContent).toContain('2026-11-24 14:30 · 上门');
  });

  it('a reopened app uses the stored options\u2019 zone even when the server cannot be reached', async () => {
    serve('America/New_York');
    await loadOptions();
    forgetOptionsKeepingStorage();
    serve(null);
    await loadOptions();
    expect(formatInstant('2026-11-24T06:30:00.000Z', true)).toBe('2026-11-24 01:30');
  });
});

/** The in-memory copy goes (a restart); what was stored stays. */
function forgetOptionsKeepingStorage() {
  const stored = Taro.getStorageSync('anchor.options');
  forgetOptions();
  Taro.setStorageSync('anchor.options', stored);
}

describe('reading wall-clock times: the follow-up date list starts on today in the policy zone', () => {
  it('at 2026-11-20 20:00Z today is 11-21 in Tokyo and 11-20 in New York', async () => {
    const now = new Date('2026-11-20T20:00:00Z');
    serve('Asia/Tokyo');
    await loadOptions();
    expect(followUpDays(1, now)).toEqual(['2026-11-21', '2026-11-22']);
    forgetOptions();
    serve('America/New_York');
    await loadOptions();
    expect(followUpDays(1, now)).toEqual(['2026-11-20', '2026-11-21']);
  });
});

describe('逾期 in the app is the shared rule with the policy\u2019s bits', () => {
  const customer = (over: Partial<Customer>): Customer => ({
    id: 1, name: '测试医院', industry: '公立医院', stage: 'visit', stageLabel: '拜访', owner: null, grade: null, city: null, contactName: null,
    lastFollowUpAt: null, overdue: false, createdAt: '2026-10-01T00:00:00.000Z', ...over,
  });
  const now = new Date('2026-11-20T02:00:00Z');

  it('follows overdueDays and overdueExcludedStages from the options', async () => {
    fakeNetwork.handler = () => ({ statusCode: 200, data: { ...shippedOptions(), limits: { ...shippedOptions().limits, overdueDays: 5 }, overdueExcludedStages: ['quote'] } });
    const options = await loadOptions();
    expect(customerOverdue(customer({ lastFollowUpAt: '2026-11-16T02:00:00.000Z' }), options, now)).toBe(false); // 4 days < 5
    expect(customerOverdue(customer({ lastFollowUpAt: '2026-11-14T02:00:00.000Z' }), options, now)).toBe(true); // 6 days
    expect(customerOverdue(customer({ stage: 'quote', lastFollowUpAt: '2026-11-01T02:00:00.000Z' }), options, now)).toBe(false); // excluded
    expect(customerOverdue(customer({ stage: 'signed', lastFollowUpAt: '2026-11-01T02:00:00.000Z' }), options, now)).toBe(true); // not excluded here
  });

  it('an old stored copy without the rule\u2019s bits keeps the server\u2019s flag', () => {
    const old = shippedOptions();
    delete old.overdueExcludedStages;
    expect(customerOverdue(customer({ overdue: true, lastFollowUpAt: '2026-11-19T02:00:00.000Z' }), old, now)).toBe(true);
  });
});
