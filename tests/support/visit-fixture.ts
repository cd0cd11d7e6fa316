import { randomUUID } from 'node:crypto';
import type { Harness } from './harness';
import { api } from './http';
import { Todo } from '../../server/src/modules/tasks/todo.view';

/** A complete visit: every anchor present, the next follow-up next Tuesday 14:30 Shanghai time. */
export const completeVisit = (customerId: number) => ({
  customerId,
  objective: '推进方案',
  painPoint: '科室反映现有设备安装调试太慢, 影响手术排期',
  dialogueSummary: '王主任认可我们的快速安装服务, 希望看到在三甲医院的实际案例, 并关心集采后的价格。',
  bottleneck: '集采降价压力',
  valuePoint: '48 小时完成安装调试',
  agreedAction: '安排演示',
  nextFollowUpDate: '2026-11-24',
  nextFollowUpTime: '14:30',
  nextFollowUpForm: '上门',
  alert: false,
});

export function submitVisit(h: Harness, token: string, body: unknown, key: string = randomUUID()) {
  return api(h.url, 'POST', '/api/v1/visits', { token, json: body, headers: { 'idempotency-key': key } });
}

/** A complete visit by `token`'s rep at `customerId`, stored (201), and the to-do it created for the supervisor. */
export async function todoOfNewVisit(h: Harness, token: string, customerId: number): Promise<Todo> {
  const res = await submitVisit(h, token, completeVisit(customerId));
  if (res.status !== 201) throw new Error(`visit refused: ${res.status} ${JSON.stringify(res.body)}`);
  return h.db.getRepository(Todo).findOneByOrFail({ visitId: res.body.id });
}
