import type { DataSource } from 'typeorm';
import { withSqlTransaction } from '../../db/sql';
import type { CustomerService } from '../customers';
import type { MaterialService } from '../materials';
import { activeMembersWithRole, type Member, type OrgService } from '../org';
import type { TaskService } from '../tasks';
import type { ContractService } from './contract.service';

interface DemoServices {
  contracts: ContractService;
  customers: CustomerService;
  tasks: TaskService;
  org: OrgService;
  materials: MaterialService;
}

const MODELS = ['US-5000 超声诊断仪', 'P4-2 彩超探头', 'M-300 监护仪', 'C-10 耗材包'];

/** A contract's terms for the demo: `amountYuan` in three instalments (30% · 40% · 30%) from next month. */
function terms(amountYuan: number, models: string[], needsMarketing: boolean, keyTerms: string) {
  const amountFen = amountYuan * 100;
  const first = Math.round(amountFen * 0.3);
  const second = Math.round(amountFen * 0.4);
  const month = (n: number) => {
    const d = new Date();
    d.setUTCMonth(d.getUTCMonth() + n, 28);
    return d.toISOString().slice(0, 10);
  };
  return {
    amountFen,
    lines: models.map((model, i) => ({ model, quantity: i === 0 ? 2 : 20 })),
    instalments: [
      { seq: 1, dueDate: month(1), amountFen: first },
      { seq: 2, dueDate: month(3), amountFen: second },
      { seq: 3, dueDate: month(6), amountFen: amountFen - first - second },
    ],
    keyTerms,
    needsMarketing,
    scanIds: [],
  };
}

/** The approval task open on a contract's current step and who acts on it: its assignee, or the first finance member for the pool. */
async function openStepActor(db: DataSource, s: Pick<DemoServices, 'contracts' | 'tasks'>, owner: Member, contractId: number): Promise<{ taskId: number; actorId: number } | null> {
  const c = await s.contracts.get(owner, contractId);
  const taskId = c.approvals[0]?.steps.find((st) => st.state === 'open')?.taskId ?? null;
  if (!taskId) return null;
  const task = (await s.tasks.ofSubject('contract', contractId)).find((t) => t.id === taskId);
  const actorId = task?.assigneeId ?? (await withSqlTransaction(db, (sql) => activeMembersWithRole(sql, 'finance')))[0]?.id;
  return actorId ? { taskId, actorId } : null;
}

/**
 * A contract drafted by `rep`, submitted and approved at every step of the policy chain by whoever holds
 * it — the real flow, so its approval moves the customer to 签约 and hands the instalments to receivables
 * (`whenApproved` → `createForContract`). Returns its id, or null when a step had nobody to act.
 */
export async function approvedContractForDemo(
  db: DataSource,
  s: Pick<DemoServices, 'contracts' | 'tasks' | 'org'>,
  rep: Member,
  input: { customerId: number; amountFen: number; models: string[]; instalments: { seq: number; dueDate: string; amountFen: number }[]; keyTerms: string },
): Promise<number | null> {
  const created = await s.contracts.create(rep, {
    customerId: input.customerId, amountFen: input.amountFen, lines: input.models.map((model, i) => ({ model, quantity: i === 0 ? 1 : 10 })),
    instalments: input.instalments, keyTerms: input.keyTerms, needsMarketing: false, scanIds: [],
  });
  await s.contracts.submit(rep, created.id);
  for (let step = 0; step < 5; step++) {
    const next = await openStepActor(db, s, rep, created.id);
    if (!next) break;
    await s.tasks.act(next.actorId, next.taskId, 'approve', 'app', { comment: null });
  }
  return (await s.contracts.get(rep, created.id)).state === 'approved' ? created.id : null;
}

/** Product models the demo's contracts name. */
export const DEMO_MODELS = MODELS;

/**
 * The demo's contracts, one in every state, made through the real flows (main.ts, after materials): a draft;
 * one submitted, waiting at its first step, with 需市场支持 open; one at the finance pool after the supervisor and
 * the director (over ¥500 000); one approved (its customer moved to 签约) with marketing's answer; one rejected.
 */
export async function seedContractsForDemo(db: DataSource, s: DemoServices): Promise<void> {
  const byRole = (role: string) => withSqlTransaction(db, (sql) => activeMembersWithRole(sql, role));
  const load = async (ids: number[]) => (await Promise.all(ids.map((id) => s.org.findActiveMember(id)))).filter((m): m is Member => !!m);
  const reps = await load((await byRole('rep')).map((m) => m.id));
  const [marketing] = await load((await byRole('marketing')).map((m) => m.id));
  if (reps.length < 5 || !marketing) return;
  const customerOf = async (rep: Member) => {
    const page = await s.customers.list(rep, { stage: 'quote', page: 1, pageSize: 5 } as never);
    const open = page.items.find((c) => !c.closed) ?? (await s.customers.list(rep, { page: 1, pageSize: 5 } as never)).items.find((c) => !c.closed);
    return open?.id ?? null;
  };
  const actOn = async (contractId: number, owner: Member, decide: 'approve' | 'reject', comment?: string) => {
    const next = await openStepActor(db, s, owner, contractId);
    if (next) await s.tasks.act(next.actorId, next.taskId, decide, 'app', { comment: comment ?? null });
  };

  const plans: Array<{ rep: Member; yuan: number; models: string[]; marketing: boolean; keyTerms: string; then: (id: number, rep: Member) => Promise<void> }> = [
    { rep: reps[0]!, yuan: 86_000, models: MODELS.slice(0, 2), marketing: false, keyTerms: '首付 30%，到货验收后 60 天付 40%，余款半年内付清；质保 2 年', then: async () => undefined },
    {
      rep: reps[1]!, yuan: 238_000, models: [MODELS[0]!, MODELS[3]!], marketing: true, keyTerms: '设备 + 一年耗材打包；集采替代方案，价格锁定 12 个月；含科室操作培训 2 次',
      then: async (id, rep) => void (await s.contracts.submit(rep, id)),
    },
    {
      rep: reps[2]!, yuan: 680_000, models: MODELS.slice(0, 3), marketing: false, keyTerms: '影像中心整体方案，分三期交付；质保 3 年，48 小时响应',
      then: async (id, rep) => {
        await s.contracts.submit(rep, id);
        await actOn(id, rep, 'approve');
        await actOn(id, rep, 'approve');
      },
    },
    {
      rep: reps[3]!, yuan: 152_000, models: [MODELS[2]!, MODELS[3]!], marketing: true, keyTerms: '监护仪 10 台，含安装调试；耗材按季度配送',
      then: async (id, rep) => {
        await s.contracts.submit(rep, id);
        const material = (await s.materials.list(marketing, { page: 1, pageSize: 3 } as never)).items[0];
        await s.contracts.answerSupport(marketing, id, { text: '已准备二级医院监护仪落地案例与科室培训话术，签约前可带去演示', materialIds: material ? [material.id] : [] });
        await actOn(id, rep, 'approve');
        await actOn(id, rep, 'approve');
      },
    },
    {
      rep: reps[4]!, yuan: 54_000, models: [MODELS[3]!], marketing: false, keyTerms: '耗材年度框架协议，月结 90 天',
      then: async (id, rep) => {
        await s.contracts.submit(rep, id);
        await actOn(id, rep, 'reject', '月结 90 天超出公司政策，请改为 60 天后重新提交');
      },
    },
  ];
  for (const plan of plans) {
    const customerId = await customerOf(plan.rep);
    if (!customerId) continue;
    const created = await s.contracts.create(plan.rep, { customerId, ...terms(plan.yuan, plan.models, plan.marketing, plan.keyTerms) });
    await plan.then(created.id, plan.rep);
  }
}
