import { attachmentsModule } from './attachments';
import { campaignsModule } from './campaigns';
import { checkinsModule } from './checkins';
import { contractsModule } from './contracts';
import { customersModule } from './customers';
import { dashboardsModule } from './dashboards';
import { gradingModule } from './grading';
import { homeModule } from './home';
import { materialsModule } from './materials';
import type { AnyModule } from './module';
import { orgModule } from './org';
import { paymentsModule } from './payments';
import { playsModule } from './plays';
import { receivablesModule } from './receivables';
import { rebatesModule } from './rebates';
import { signinsModule } from './signins';
import { tasksModule } from './tasks';
import { visitsModule } from './visits';

/**
 * The server's modules, in the order their services are built (a module may `use` those above it in
 * its services; routes and jobs see them all). Adding a module: its folder, and one line here.
 */
export const serverModules = (): readonly AnyModule[] => [
  orgModule,
  customersModule,
  attachmentsModule,
  tasksModule,
  signinsModule,
  visitsModule,
  checkinsModule,
  homeModule,
  materialsModule,
  // receivables before grading (its on-time rate feeds paymentHistory); payments after receivables and tasks
  receivablesModule,
  paymentsModule,
  // after materials and tasks: a grade change pushes a support pack and opens a review task
  gradingModule,
  dashboardsModule,
  // after customers, tasks, visits and materials: a contract's chain, its 签约 stage change, its support request
  contractsModule,
  // after tasks and attachments: a request is an approval in the finance pool; its documents are attachments
  rebatesModule,
  // after customers and org: reads visits and stage history, suggests on the visit form
  playsModule,
  // after customers, attachments, tasks and materials: targets follow their customer's owner, exceptions are tasks,
  // progress reads visits, shares and stage changes
  campaignsModule,
];
// A function, not a constant: the modules import the platform, which reads this list; read at call time,
// every module is loaded by then whichever file was imported first.
