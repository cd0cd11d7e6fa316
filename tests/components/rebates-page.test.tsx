import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { Role } from '@anchor/shared';
import Rebates from '../../miniprogram/src/packages/rebates/index';
import RebateQueue from '../../miniprogram/src/packages/rebates/queue/index';
import { saveSession } from '../../miniprogram/src/api/session';
import { fakeNetwork } from './support/taro';

// NutUI's Tag reads Taro's environment when loaded; a plain label shows the same words.
jest.mock('../../miniprogram/src/components/tag', () => ({
  StatusTag: (props: { className?: string; children: unknown }) => <span className={`tag ${props.className ?? ''}`}>{props.children as string}</span>,
}));

// The rebate screens name the list they show by the reach GET /rebate-requests answers for the role
// (a rep's own, a supervisor's team, a director's region, finance's and admins' all), and the calculator
// offers the policy's product models (options.productModels, the contracts' list) as a picker, not free text.
const MODELS = ['US-5000 超声诊断仪', 'P4-2 彩超探头', '其他'];
const table = {
  today: '2026-11-20', inForceId: 1, version: null, rules: [], problems: [], versions: [],
  choices: { grades: ['A+', 'A', 'B', 'C'], customerTypes: ['公立医院'], productModels: MODELS, deliveryCycles: ['现货', '30天'], documentTypes: ['发票'] },
};
const request = {
  id: 41, state: 'pending', stateLabel: '待财务审核', customer: { id: 5, name: '杭州第一医院' }, requester: { id: 8, name: '李同事' },
  productModel: 'P4-2 彩超探头', deliveryCycle: '30天', amountFen: 12_000_000, rateBp: 500, rebateFen: 600_000, rateMinBp: 400, rateMaxBp: 600,
  documentsRequired: [], documentsMissing: [], documentsStillMissing: [], expectedPayoutDate: '2026-12-04', reason: null, note: '',
  rule: { id: 1, versionId: 1, version: 1, key: '不限' }, round: 1, taskId: null, createdAt: '2026-11-20T02:00:00.000Z', updatedAt: '2026-11-20T02:00:00.000Z',
};
const counts = { pending: 1, documents_missing: 0, approved: 0, rejected: 0, paid: 0 };

function signIn(role: Role) {
  saveSession({ token: `token-${role}`, expiresAt: null, member: { id: 7, name: '王小明', phone: '13800000101', role, teamId: 3, regionId: 1, managerId: 2 } });
  fakeNetwork.handler = (req) => {
    const path = req.url.replace(/^.*\/api\/v1/, '').split('?')[0];
    if (path === '/rebate-rules') return { statusCode: 200, data: table };
    if (path === '/rebate-requests') return { statusCode: 200, data: { items: [request], total: 1, page: 1, pageSize: 50, counts } };
    if (path === '/customers/5') return { statusCode: 200, data: { id: 5, name: '杭州第一医院' } };
    if (path === '/rebates/calculate') return { statusCode: 422, data: { error: { code: 'REBATE_NO_RULE', message: '没有适用的返点规则', fields: {} } } };
    return { statusCode: 404, data: { error: { message: '未配置' } } };
  };
}

beforeEach(() => fakeNetwork.reset());

describe('返点计算器: the list is titled by what the role sees', () => {
  it('a rep sees 我的返点申请, without the requester on each card', async () => {
    signIn('rep');
    render(<Rebates />);
    await waitFor(() => expect(document.querySelector('#rebate-requests-title')?.textContent).toBe('我的返点申请'));
    await screen.findByText('杭州第一医院');
    expect(document.querySelector('#rebate-requests .rebates__request')!.textContent).not.toContain('李同事');
  });

  it('a supervisor sees 本组返点申请, each card naming who asked', async () => {
    signIn('supervisor');
    render(<Rebates />);
    await waitFor(() => expect(document.querySelector('#rebate-requests-title')?.textContent).toBe('本组返点申请'));
    await waitFor(() => expect(document.querySelector('#rebate-requests .rebates__request')?.textContent).toContain('李同事 · P4-2 彩超探头'));
    expect(screen.queryByText('我的返点申请')).toBeNull();
  });

  it('offers the policy\'s product models to pick (no free text), and calculates with the one picked', async () => {
    signIn('rep');
    fakeNetwork.routerParams = { customerId: '5' };
    render(<Rebates />);
    await waitFor(() => expect(Array.from(document.querySelectorAll('#rebate-models .chip')).map((c) => c.textContent)).toEqual(MODELS));
    expect(document.querySelector('#rebate-model')).toBeNull();
    fireEvent.click(document.querySelector('#rebate-model-1')!);
    expect(document.querySelector('#rebate-model-1')!.className).toContain('chip--on');
    await waitFor(() => expect(document.querySelector('#rebate-customer-name')?.textContent).toBe('杭州第一医院'));
    fireEvent.change(document.querySelector('#rebate-amount')!, { target: { value: '120000' } });
    fireEvent.click(document.querySelector('#rebate-cycle-1')!);
    await waitFor(() => expect(fakeNetwork.requests.find((r) => r.url.endsWith('/rebates/calculate'))?.data).toEqual({ customerId: 5, productModel: 'P4-2 彩超探头', amountFen: 12_000_000, deliveryCycle: '30天' }));
  });
});

describe('返点审核 / 返点申请 at the console: titled by the role', () => {
  it.each([
    ['finance', '返点审核'],
    ['director', '本大区返点申请'],
    ['admin', '返点申请'],
  ] as const)('%s sees 「%s」', async (role, title) => {
    signIn(role);
    render(<RebateQueue />);
    await waitFor(() => expect(document.querySelector('#queue-title')?.textContent).toBe(title));
  });
});
