import { addDays, localDay, localInstant } from '@anchor/shared';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { SQL, withSqlTransaction } from '../../db/sql';
import { withTransaction } from '../../db/transaction';
import { approvedContractForDemo, DEMO_MODELS, type ContractService } from '../contracts';
import type { CustomerService } from '../customers';
import { activeMembersWithRole, type Member, type OrgService } from '../org';
import type { TaskService } from '../tasks';
import type { ReceivableService } from './receivable.service';

/**
 * The demo's receivables: for two customers of each of the first reps, a real contract — drafted,
 * submitted and approved at every step of the policy chain, whose approval made its three instalments
 * receivables (`contracts.whenApproved` → `createForContract`) — in every state: paid (on time or late,
 * by bank transfer), overdue or partly paid, and due soon (payable by WeChat Pay in the sandbox). Every
 * receivable opens a contract that exists. Customers already at 签约 are taken first (approval moves the
 * customer there); one delivered or closed is never taken.
 */
export async function seedReceivableDemo(
  db: DataSource,
  policy: Policy,
  clock: Clock,
  services: { receivables: ReceivableService; org: OrgService; customers: CustomerService; contracts: ContractService; tasks: TaskService },
): Promise<number> {
  const reps = (await Promise.all((await withSqlTransaction(db, (sql) => activeMembersWithRole(sql, 'rep'))).map((m) => services.org.findActiveMember(m.id)))).filter((m): m is Member => !!m);
  const [financeRow] = await withSqlTransaction(db, (sql) => activeMembersWithRole(sql, 'finance'));
  const today = localDay(clock.now(), policy.timeZone);
  const customersOf = async (rep: Member) => {
    const signed = (await services.customers.list(rep, { stage: 'signed', page: 1, pageSize: 2 } as never)).items;
    const others = (await services.customers.list(rep, { page: 1, pageSize: 10 } as never)).items;
    return [...signed, ...others.filter((c) => c.stage !== 'signed' && c.stage !== 'delivered')].filter((c) => !c.closed).slice(0, 2);
  };
  let made = 0;
  for (const [r, rep] of reps.slice(0, 8).entries()) {
    for (const [c, customer] of (await customersOf(rep)).entries()) {
      const base = 20_000_00 * (1 + ((r + c) % 4));
      const plan = [
        { seq: 1, dueDate: addDays(today, -45 + r), amountFen: base },
        { seq: 2, dueDate: addDays(today, c === 0 ? -(3 + r) : 4 + r), amountFen: base },
        { seq: 3, dueDate: addDays(today, 20 + 3 * r), amountFen: base * 2 },
      ];
      const contractId = await approvedContractForDemo(db, services, rep, {
        customerId: customer.id, amountFen: base * 4, models: [DEMO_MODELS[(r + c) % DEMO_MODELS.length]!, DEMO_MODELS[3]!], instalments: plan,
        keyTerms: '分三期回款：首期到货验收后付 25%，二期安装调试后付 25%，余款 50% 质保金',
      });
      if (!contractId) continue;
      const ids = (await withSqlTransaction(db, (sql) => sql.rows<{ id: number }>(SQL`SELECT id FROM receivable WHERE contractId = ? ORDER BY seq`, [contractId]))).map((x) => Number(x.id));
      if (ids.length !== plan.length) continue;
      await withTransaction(db, async (m) => {
        // the first instalment paid: on time for most, two days late for every third customer
        const late = (r + c) % 3 === 2;
        await services.receivables.credit(m, {
          receivableId: ids[0]!, amountFen: base, method: 'bank_transfer', reference: `DEMO-BANK-${contractId}-1`,
          paidAt: localInstant(addDays(plan[0]!.dueDate, late ? 2 : -1), '15:00', policy.timeZone), byId: financeRow?.id ?? null,
        });
        // every other rep's second instalment is partly paid
        if (r % 2 === 1) {
          await services.receivables.credit(m, {
            receivableId: ids[1]!, amountFen: Math.round(base * 0.4), method: 'bank_transfer', reference: `DEMO-BANK-${contractId}-2`,
            paidAt: localInstant(addDays(today, -1), '10:30', policy.timeZone), byId: financeRow?.id ?? null,
          });
        }
      });
      made += ids.length;
    }
  }
  return made;
}
