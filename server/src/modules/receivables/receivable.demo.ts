import { addDays, localDay, localInstant } from '@anchor/shared';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { withSqlTransaction } from '../../db/sql';
import { withTransaction } from '../../db/transaction';
import type { CustomerService } from '../customers';
import { activeMembersWithRole, type Member, type OrgService } from '../org';
import type { ReceivableService } from './receivable.service';

/**
 * The demo's receivables: for the first customers of each rep, a contract's three instalments in every
 * state — paid (on time, by bank transfer), overdue or partly paid, and due soon (payable by WeChat Pay in
 * the sandbox). Contract ids are the demo's own numbers (the contracts module names its contracts).
 */
export async function seedReceivableDemo(
  db: DataSource,
  policy: Policy,
  clock: Clock,
  services: { receivables: ReceivableService; org: OrgService; customers: CustomerService },
): Promise<number> {
  const reps = (await Promise.all((await withSqlTransaction(db, (sql) => activeMembersWithRole(sql, 'rep'))).map((m) => services.org.findActiveMember(m.id)))).filter((m): m is Member => !!m);
  const [financeRow] = await withSqlTransaction(db, (sql) => activeMembersWithRole(sql, 'finance'));
  const today = localDay(clock.now(), policy.timeZone);
  let contractId = 880_000;
  let made = 0;
  for (const [r, rep] of reps.slice(0, 8).entries()) {
    const customers = (await services.customers.list(rep, { page: 1, pageSize: 2 } as never)).items;
    for (const [c, customer] of customers.entries()) {
      const base = 20_000_00 * (1 + ((r + c) % 4));
      const plan = [
        { seq: 1, dueDate: addDays(today, -45 + r), amountFen: base },
        { seq: 2, dueDate: addDays(today, c === 0 ? -(3 + r) : 4 + r), amountFen: base },
        { seq: 3, dueDate: addDays(today, 20 + 3 * r), amountFen: base * 2 },
      ];
      const ids = await withTransaction(db, (m) => services.receivables.createForContract(m, { contractId: ++contractId, customerId: customer.id, ownerId: rep.id, instalments: plan }));
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
