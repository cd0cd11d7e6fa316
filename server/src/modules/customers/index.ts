import { defineModule } from '../module';
import { CUSTOMER_ERRORS } from './customers.errors';
import { CustomerExcel } from './customer-excel';
import { CustomerOwnerChange, CustomerStageChange } from './customer-history.entity';
import { Customer } from './customer.entity';
import { customerMessages } from './customer.messages';
import { customerRoutes } from './customer.routes';
import { CustomerService } from './customer.service';
import { flagUntouchedLeads } from './first-touch-due.job';
import { CustomerClosed1765210000001 } from './migrations/1765210000001-customer-closed';
import { CustomerLeadIndex1765300000001 } from './migrations/1765300000001-customer-lead-index';

export type { CustomerService } from './customer.service';
export { adjustWaitingVisits, claimFirstTouch, customerForVisitStatement, customerName, followedUpStatement, leadClockOf, setGradeStatement, customersForGrading, setGradesStatement, customersForGradingByIds, customersForInputSheet, setGradingInputsStatement, type CustomerForVisit } from './customer.sql';
// The import's hardened .xlsx reader (limits, worker thread), for other modules' sheets (the grading inputs).
export { readFirstSheetOffThread } from './xlsx-off-thread';
export { readImportSheet, type ImportColumn, type ImportSheet } from './xlsx-import';
export { XlsxRefusal, headerMatcher, type XlsxCell, type XlsxSheet } from './xlsx-reader';
export type { GradingInputs } from './customer.entity';

export interface CustomerExports {
  customers: CustomerService;
  customerExcel: CustomerExcel;
}

declare module '../module' {
  interface ModuleExports {
    customers: CustomerExports;
  }
}

/** Customers, their stages and owners, search, and the Excel import/export. */
export const customersModule = defineModule({
  name: 'customers',
  entities: [Customer, CustomerStageChange, CustomerOwnerChange],
  migrations: [CustomerClosed1765210000001, CustomerLeadIndex1765300000001],
  errors: CUSTOMER_ERRORS,
  permissions: ['customers.read', 'customers.export', 'customers.create', 'customers.update', 'customers.stage', 'customers.import', 'customers.assign', 'customers.close', 'customers.reopen'],
  messages: customerMessages,
  services: ({ db, policy, clock, use }): CustomerExports => {
    const { org } = use('org');
    const customers = new CustomerService(db, policy, clock, org);
    return { customers, customerExcel: new CustomerExcel(db, policy, clock, org, customers) };
  },
  routes: (s) => customerRoutes(s.customers, s.customerExcel),
  jobs: () => ({ 'lead.first_touch_due': flagUntouchedLeads }),
});
