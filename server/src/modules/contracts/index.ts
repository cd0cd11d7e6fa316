import { defineModule } from '../module';
import { Contract, ContractSupport } from './contract.entity';
import { contractApprovalKind, contractHooks, contractSupportKind } from './contract.kinds';
import { contractMessages } from './contract.messages';
import { contractRoutes } from './contract.routes';
import { ContractService } from './contract.service';
import { CONTRACT_ERRORS } from './contracts.errors';
import { Contracts1765400000000 } from './migrations/1765400000000-contracts';

export type { ContractService, ReceivableInput, ContractApprovedListener } from './contract.service';
/** The receivables hand-off: what `createForContract(manager, input)` takes, read in the deciding transaction. */
export { receivableInputFor } from './contract.service';
export { CONTRACT_APPROVAL_KIND, CONTRACT_SUPPORT_KIND } from './contract.kinds';

export interface ContractExports {
  contracts: ContractService;
}

declare module '../module' {
  interface ModuleExports {
    contracts: ContractExports;
  }
}

/**
 * Contracts (合同审批, SPEC §9): drafts with lines, instalments that add up to the amount, key terms and
 * scans; submission runs policy approvals.contract through the task engine (a task kind with hooks); the
 * last approval moves the customer to 签约 and hands the instalments on (`whenApproved`); 需市场支持 asks
 * the marketing lead pool, who answer with text and materials.
 */
export const contractsModule = defineModule({
  name: 'contracts',
  entities: [Contract, ContractSupport],
  migrations: [Contracts1765400000000],
  errors: CONTRACT_ERRORS,
  permissions: ['contracts.submit', 'contracts.read', 'contracts.approve', 'marketing.support.answer'],
  messages: contractMessages,
  taskKinds: [contractApprovalKind, contractSupportKind],
  services: ({ db, policy, clock, use }): ContractExports => {
    const { tasks, approvals } = use('tasks');
    const contracts = new ContractService(
      db, policy, clock, use('org').org, use('customers').customers, tasks, approvals, use('attachments').attachments, use('visits').timeline, use('materials').materials,
    );
    // the chain's hooks reach this data source's service (taskKinds are declared once, for every app)
    contractHooks.set(db, { approved: (d) => contracts.approved(d), rejected: (d) => contracts.rejected(d) });
    // an approved contract's instalments become receivables in the approving transaction
    const { receivables } = use('receivables');
    contracts.whenApproved((manager, input) => receivables.createForContract(manager, input));
    return { contracts };
  },
  routes: (s, { policy }) => contractRoutes(s.contracts, policy.uploads.contractScanMaxMegabytes * 1024 * 1024),
});

export { approvedContractForDemo, DEMO_MODELS, seedContractsForDemo } from './contract.demo';
