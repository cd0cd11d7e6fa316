import { defineModule } from '../module';
import { Receivable, ReceivablePayment } from './receivable.entity';
import { receivableJobs } from './receivable.jobs';
import { receivableMessages } from './receivable.messages';
import { receivableRoutes } from './receivable.routes';
import { ReceivableService } from './receivable.service';
import { RECEIVABLE_ERRORS } from './receivables.errors';
import { Receivables1765600000000 } from './migrations/1765600000000-receivables';

export type { ReceivableService, Instalment, CreditInput, ReceivableRow, OrdersProvider } from './receivable.service';
export { receivableState } from './receivable.service';
export { seedReceivableDemo } from './receivable.demo';

export interface ReceivableExports {
  receivables: ReceivableService;
}

declare module '../module' {
  interface ModuleExports {
    receivables: ReceivableExports;
  }
}

/**
 * Receivables (回款, SPEC §9): an approved contract's instalments with due dates, reminders and the
 * overdue escalation; partial payments; manual records by finance with a voucher; credits from WeChat
 * Pay (the payments module) once per payment; the on-time rate per customer that grading reads.
 */
export const receivablesModule = defineModule({
  name: 'receivables',
  entities: [Receivable, ReceivablePayment],
  migrations: [Receivables1765600000000],
  errors: RECEIVABLE_ERRORS,
  permissions: ['receivables.read', 'receivables.record'],
  messages: receivableMessages,
  services: ({ db, policy, clock, use }): ReceivableExports => ({
    receivables: new ReceivableService(db, policy, clock, use('org').org, use('customers').customers, use('attachments').attachments),
  }),
  routes: (s) => receivableRoutes(s.receivables),
  jobs: (_s, { policy }) => receivableJobs(policy),
});
