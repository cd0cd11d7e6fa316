import { fireEvent, render, screen } from '@testing-library/react';
import type { Todo } from '../../miniprogram/src/api/types';
import { overdueText, TodoCard } from '../../miniprogram/src/components/todo-card';
import { sectionsFor } from '../../miniprogram/src/pages/todos/index';

// NutUI's Tag reads the Taro runtime when it loads; the label is what matters here.
jest.mock('../../miniprogram/src/components/tag', () => ({
  StatusTag: (props: { className?: string; children: unknown }) => <span className={`tag ${props.className ?? ''}`}>{props.children as string}</span>,
}));

const todo = (over: Partial<Todo> = {}): Todo => ({
  id: 41,
  visitId: 7,
  status: 'open',
  snapshot: {
    customer: { id: 3, name: '杭州市第一人民医院' },
    rep: { id: 9, name: '王小明' },
    visit: { objective: '推进方案', painPoint: '担心售后响应' },
    actionItems: { agreedAction: '其他', note: '陪同主任参观样板医院', nextFollowUpAt: '2026-11-24T06:30:00.000Z', nextFollowUpForm: '上门' },
  },
  dueAt: '2026-11-22T02:00:00.000Z',
  overdue: true,
  confirmedAt: null,
  reminderAt: null,
  escalatedAt: '2026-11-22T02:00:00.000Z',
  escalated: true,
  overdueMinutes: 210,
  assignee: { id: 5, name: '陈主管', role: 'supervisor' },
  ...over,
});

const text = () => document.body.textContent ?? '';

describe('a to-do card', () => {
  it("in a director's escalation list names rep, supervisor and how late, marked 已升级, with nothing to confirm", () => {
    render(<TodoCard todo={todo()} view='escalation' />);
    expect(screen.getByText('已升级')).toBeTruthy();
    expect(text()).toContain('销售：王小明');
    expect(text()).toContain('确认人：陈主管');
    expect(text()).toContain('已超时 3 小时 30 分钟');
    expect(text()).toContain('约定动作：其他（陪同主任参观样板医院）');
    expect(screen.queryByText('确认')).toBeNull();
  });

  it('for the person who confirms names the rep and confirms on a tap, 已升级 still shown when late', () => {
    const onConfirm = jest.fn();
    const onDiscuss = jest.fn();
    render(<TodoCard todo={todo()} view='confirm' onConfirm={onConfirm} onDiscuss={onDiscuss} />);
    expect(text()).toContain('销售：王小明');
    expect(screen.getByText('已升级')).toBeTruthy();
    fireEvent.click(screen.getByText('确认'));
    fireEvent.click(screen.getByText('需要沟通'));
    expect(onConfirm).toHaveBeenCalledTimes(1);
    expect(onDiscuss).toHaveBeenCalledTimes(1);
  });

  it("in a rep's list shows 已升级 but no supervisor wording and no buttons", () => {
    render(<TodoCard todo={todo()} view='rep' />);
    expect(screen.getByText('已升级')).toBeTruthy();
    expect(text()).not.toContain('销售：');
    expect(text()).not.toContain('确认人');
    expect(screen.queryByText('确认')).toBeNull();
  });

  it('not escalated and confirmed: no 已升级, 已确认 shown', () => {
    render(<TodoCard todo={todo({ escalated: false, escalatedAt: null, status: 'confirmed', confirmedAt: '2026-11-21T02:00:00.000Z', overdue: false, overdueMinutes: 0 })} view='confirm' />);
    expect(screen.queryByText('已升级')).toBeNull();
    expect(screen.getByText('已确认')).toBeTruthy();
    expect(screen.queryByText('确认')).toBeNull();
  });
});

describe('待办 by role', () => {
  it('a rep follows their actions, a supervisor confirms, a director reads escalations and confirms their own', () => {
    expect(sectionsFor('rep').sections.map((s) => [s.as, s.view])).toEqual([['rep', 'rep']]);
    expect(sectionsFor('supervisor').sections.map((s) => [s.as, s.view])).toEqual([['assignee', 'confirm']]);
    expect(sectionsFor('director').sections.map((s) => [s.as, s.view, s.title])).toEqual([
      ['assignee', 'confirm', '待我确认'],
      ['escalated', 'escalation', '区域升级'],
    ]);
  });

  it('finance and marketing get no list and no supervisor wording', () => {
    for (const role of ['finance', 'marketing'] as const) {
      const { intro, sections } = sectionsFor(role);
      expect(sections).toEqual([]);
      expect(intro).not.toMatch(/下属|主管|确认/);
    }
  });

  it('says how late in minutes, hours or days', () => {
    expect(overdueText(5)).toBe('5 分钟');
    expect(overdueText(120)).toBe('2 小时');
    expect(overdueText(24 * 60 * 2 + 180)).toBe('2 天 3 小时');
  });

  it("for the rep shows 标记完成 while the agreed action is open, and 已完成 · 按时 with when and who once done", () => {
    const open = { visitId: 7, nextFollowUpAt: '2026-11-24T06:30:00.000Z', actionDone: null, canComplete: true };
    const { unmount } = render(<TodoCard todo={todo()} view='rep' action={open} />);
    expect(screen.getByText('标记完成')).toBeTruthy();
    unmount();
    const done = { ...open, canComplete: false, actionDone: { at: '2026-11-23T08:00:00.000Z', onTime: true, by: { id: 9, name: '王小明' }, note: '已演示', photoIds: [] } };
    render(<TodoCard todo={todo()} view='rep' action={done} />);
    expect(screen.queryByText('标记完成')).toBeNull();
    expect(text()).toContain('已完成 · 按时');
    expect(text()).toContain('王小明');
    // the evidence is on the visit detail, not on the compact card
    expect(text()).not.toContain('已演示');
  });

  it('a late completion reads 已完成 · 逾期; the supervisor confirming sees no 标记完成 on the card', () => {
    const late = { visitId: 7, nextFollowUpAt: '2026-11-24T06:30:00.000Z', canComplete: false, actionDone: { at: '2026-11-25T08:00:00.000Z', onTime: false, by: { id: 9, name: '王小明' }, note: null, photoIds: [] } };
    const { unmount } = render(<TodoCard todo={todo()} view='rep' action={late} />);
    expect(text()).toContain('已完成 · 逾期');
    unmount();
    render(<TodoCard todo={todo()} view='confirm' action={{ ...late, actionDone: null, canComplete: true }} />);
    expect(screen.queryByText('标记完成')).toBeNull();
  });
});
