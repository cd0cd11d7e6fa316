import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import Tasks, { type TaskItem } from '../../miniprogram/src/pages/tasks/index';
import { saveSession } from '../../miniprogram/src/api/session';
import { fakeNetwork } from './support/taro';
import { shippedOptions } from './support/options';

// The 任务 screen's 评论 and 转交 (shown only when the task offers them, checked before anything is sent,
// a refusal shown in Chinese) and its 已处理 tab.
const supervisor = { id: 2, name: '一组主管', phone: '13800000011', role: 'supervisor' as const, teamId: 3, regionId: 1, managerId: 1, taskPools: [] };  // as GET /me keeps them with the session: a supervisor acts in no pool

function task(id: number, over: Partial<TaskItem> = {}): TaskItem {
  return {
    id, kind: 'contract', kindLabel: '合同审批', state: 'open', title: `合同 #${id}`, lines: ['申请人：代表甲', '金额：¥600000.00'],
    dueAt: '2026-12-03T02:00:00.000Z', overdue: false, completedAt: null, completedById: null, assigneeId: 2, assigneePool: null,
    comment: null, talkRequestedAt: null, actions: ['approve', 'reject', 'comment', 'reassign'], ...over,
  };
}

type Reply = { statusCode: number; data: unknown };
function serve(routes: Record<string, (body: Record<string, unknown>) => Reply>) {
  saveSession({ token: 'token-s', expiresAt: null, member: supervisor });
  const posts: Array<{ path: string; body: Record<string, unknown> }> = [];
  fakeNetwork.handler = (req) => {
    const url = new URL(req.url.replace(/^.*\/api\/v1/, 'http://x'));
    const method = req.method ?? 'GET';
    const body = method === 'GET' ? Object.fromEntries(url.searchParams) : ((req.data ?? {}) as Record<string, unknown>);
    if (method === 'POST') posts.push({ path: url.pathname, body });
    if (url.pathname === '/options') return { statusCode: 200, data: shippedOptions() };
    const answer = routes[`${method} ${url.pathname}${body.as && method === 'GET' ? `?as=${body.as}` : ''}`];
    return answer ? answer(body) : { statusCode: 404, data: { error: { code: 'NOT_FOUND', message: '任务不存在' } } };
  };
  return posts;
}
const page = (items: TaskItem[]): Reply => ({ statusCode: 200, data: { items, total: items.length, page: 1, pageSize: 100 } });
const text = (sel: string) => document.querySelector(sel)?.textContent ?? null;
const type = (sel: string, value: string) => fireEvent.change(document.querySelector(sel)!, { target: { value } });
const click = (sel: string) => act(() => void fireEvent.click(document.querySelector(sel)!));

beforeEach(() => fakeNetwork.reset());

describe('任务: 评论', () => {
  it('is refused without words and over 200 characters, naming 评论, before anything is sent; sent once valid', async () => {
    const posts = serve({
      'GET /tasks?as=mine': () => page([task(11)]),
      'POST /tasks/11/actions': (b) => ({ statusCode: 200, data: { ...task(11), changed: true, echoed: b } }),
    });
    render(<Tasks />);
    await screen.findByText('合同 #11');
    await click('#task-11-comment');
    expect(document.querySelector('#task-11-comment-text')).toBeTruthy();
    expect(document.querySelector('#task-11-approve')).toBeNull(); // the form replaces the buttons until sent or cancelled
    await click('#task-11-comment-send');
    expect(text('#task-11-error')).toBe('请填写评论');
    type('#task-11-comment-text', '   ');
    await click('#task-11-comment-send');
    expect(text('#task-11-error')).toBe('请填写评论');
    type('#task-11-comment-text', '长'.repeat(201));
    await click('#task-11-comment-send');
    expect(text('#task-11-error')).toBe('评论不能超过 200 个字（现 201 字）');
    expect(posts).toEqual([]);

    type('#task-11-comment-text', ' 请补充报价单 ');
    await click('#task-11-comment-send');
    await waitFor(() => expect(text('#task-11-said')).toBe('我的评论：请补充报价单'));
    expect(posts).toEqual([{ path: '/tasks/11/actions', body: { action: 'comment', comment: '请补充报价单' } }]);
    expect(fakeNetwork.toasts).toContain('评论已发送');
    expect(text('#task-11-error')).toBeNull();
    // the buttons are back, the form closed
    expect(document.querySelector('#task-11-approve')).toBeTruthy();
  });

  it('a refusal from the server is shown with the field named', async () => {
    serve({
      'GET /tasks?as=mine': () => page([task(12)]),
      'POST /tasks/12/actions': () => ({ statusCode: 422, data: { error: { code: 'VALIDATION_FAILED', message: '输入有误', fields: { comment: '内容不能超过 200 个字' } } } }),
    });
    render(<Tasks />);
    await screen.findByText('合同 #12');
    await click('#task-12-comment');
    type('#task-12-comment-text', '好');
    await click('#task-12-comment-send');
    await waitFor(() => expect(text('#task-12-error')).toBe('评论：内容不能超过 200 个字'));
  });

  it('评论 and 转交 show only when the task offers them', async () => {
    serve({ 'GET /tasks?as=mine': () => page([task(13, { actions: ['confirm', 'request_talk'] }), task(14, { actions: ['approve', 'reject'] })]) });
    render(<Tasks />);
    await screen.findByText('合同 #13');
    expect(document.querySelector('#task-13-confirm')).toBeTruthy();
    for (const id of [13, 14]) {
      expect(document.querySelector(`#task-${id}-comment`)).toBeNull();
      expect(document.querySelector(`#task-${id}-reassign`)).toBeNull();
    }
  });
});

describe('任务: 转交', () => {
  it('needs a colleague picked; hands the task over and loads the list again (the task gone from it)', async () => {
    let handedOver = false;
    const posts = serve({
      'GET /tasks?as=mine': () => page(handedOver ? [] : [task(21)]),
      'GET /tasks/21/handoff': () => ({ statusCode: 200, data: { items: [{ id: 5, name: '二组主管', role: 'supervisor' }, { id: 6, name: '三组主管', role: 'supervisor' }] } }),
      'POST /tasks/21/actions': () => {
        handedOver = true;
        return { statusCode: 200, data: { ...task(21, { assigneeId: 5, actions: [] }), changed: true } };
      },
    });
    render(<Tasks />);
    await screen.findByText('合同 #21');
    await click('#task-21-reassign');
    await screen.findByText('二组主管');
    await click('#task-21-reassign-send');
    expect(text('#task-21-error')).toBe('请选择接手人');
    expect(posts).toEqual([]);
    await click('#task-21-to-5');
    expect(document.querySelector('#task-21-to-5')!.className).toContain('chip--on');
    await click('#task-21-reassign-send');
    await waitFor(() => expect(document.querySelector('#task-21')).toBeNull());
    expect(posts).toEqual([{ path: '/tasks/21/actions', body: { action: 'reassign', toMemberId: 5 } }]);
    expect(fakeNetwork.toasts).toContain('已转交给 二组主管');
    expect(text('#tasks-empty')).toBe('没有需要你处理的任务');
  });

  it('nobody to hand it to says so and cannot be sent; a task settled meanwhile says so in Chinese', async () => {
    serve({
      'GET /tasks?as=mine': () => page([task(22), task(23)]),
      'GET /tasks/22/handoff': () => ({ statusCode: 200, data: { items: [] } }),
      'GET /tasks/23/handoff': () => ({ statusCode: 200, data: { items: [{ id: 5, name: '二组主管', role: 'supervisor' }] } }),
      'POST /tasks/23/actions': () => ({ statusCode: 409, data: { error: { code: 'TASK_ALREADY_SETTLED', message: '该任务已处理，不能再转交' } } }),
    });
    render(<Tasks />);
    await screen.findByText('合同 #22');
    await click('#task-22-reassign');
    await waitFor(() => expect(text('#task-22-nobody')).toBe('没有可转交的同事'));
    expect(document.querySelector('#task-22-reassign-send')).toBeNull(); // nothing to send
    expect(text('#task-22-reassign-cancel')).toBe('关闭');
    await click('#task-22-reassign-cancel');
    await click('#task-23-reassign');
    await screen.findByText('二组主管');
    await click('#task-23-to-5');
    await click('#task-23-reassign-send');
    await waitFor(() => expect(text('#task-23-outcome')).toBe('该任务已由他人处理，不能再转交'));
    expect(document.querySelector('#task-23-reassign-form')).toBeNull();
  });
});

describe('任务: 已处理', () => {
  it('lists what I decided (outcome, reason, who, from where) and what I passed on, with no buttons', async () => {
    serve({
      'GET /tasks?as=mine': () => page([]),
      'GET /tasks?as=handled': (b) => {
        expect(b.status).toBe('all');
        return page([
          task(31, { state: 'rejected', comment: '资料不全', completedAt: '2026-12-02T02:00:00.000Z', completedById: 2, completedVia: 'wecom', completedBy: { id: 2, name: '一组主管' }, actions: ['comment'], passedOn: null }),
          task(32, { state: 'approved', completedAt: '2026-12-02T03:00:00.000Z', completedById: 2, completedVia: 'app', completedBy: { id: 2, name: '一组主管' }, actions: ['comment'], passedOn: null }),
          task(33, { assigneeId: 5, actions: [], passedOn: { to: { id: 5, name: '二组主管' }, via: 'app', at: '2026-12-02T04:00:00.000Z' } }),
        ]);
      },
    });
    render(<Tasks />);
    await screen.findByText('没有需要你处理的任务');
    await click('#tasks-tab-handled');
    await screen.findByText('合同 #31');
    expect(document.querySelector('#tasks-tab-handled')!.className).toContain('chip--on');
    expect(text('#task-31-outcome')).toBe('已驳回：资料不全');
    expect(text('#task-31-by')).toMatch(/^一组主管 · 12-02 \d\d:00 · 通过企业微信$/);
    expect(text('#task-32-outcome')).toBe('已同意');
    expect(text('#task-32-by')).toMatch(/ · 通过应用$/);
    expect(document.querySelector('#task-32-passed')).toBeNull();
    expect(text('#task-33-outcome')).toBe('已转交给 二组主管（待对方处理）');
    expect(text('#task-33-passed')).toMatch(/^我于 12-02 \d\d:00 转交给 二组主管（应用）$/);
    expect(document.querySelector('#task-33-by')).toBeNull();
    expect(document.querySelectorAll('#task-31 button, #task-32 button, #task-33 button')).toHaveLength(0);
  });

  it('a quick tap back to 待我处理 is not overwritten by the slower 已处理 answer', async () => {
    let slow: (() => void) | null = null;
    serve({
      'GET /tasks?as=mine': () => page([task(41)]),
      'GET /tasks?as=handled': () =>
        new Promise<Reply>((resolve) => {
          slow = () => resolve(page([task(42, { state: 'approved', completedAt: '2026-12-02T02:00:00.000Z', actions: [] })]));
        }) as unknown as Reply,
    });
    render(<Tasks />);
    await screen.findByText('合同 #41');
    await click('#tasks-tab-handled');
    await click('#tasks-tab-mine');
    await screen.findByText('合同 #41');
    await act(async () => slow!());
    await act(async () => new Promise((r) => setTimeout(r, 20)));
    expect(screen.queryByText('合同 #42')).toBeNull();
    expect(document.querySelector('#tasks-tab-mine')!.className).toContain('chip--on');
    expect(document.querySelector('#task-41-approve')).toBeTruthy();
  });
});
