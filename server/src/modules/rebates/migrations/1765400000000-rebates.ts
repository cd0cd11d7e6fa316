import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { migrationColumns } from '../../../db/migration-columns';

/** The rebate calculator: rule table versions and their rules, document types per customer, requests and their history. */
export class Rebates1765400000000 implements MigrationInterface {
  name = 'Rebates1765400000000';

  async up(q: QueryRunner): Promise<void> {
    const { id, int, str, ts, created, index } = migrationColumns(q);
    const text = (name: string) => ({ name, type: 'text' });
    const fen = (name: string, isNullable = false) => ({ name, type: 'bigint', isNullable });
    const key = (name: string, length: number) => ({ ...str(name, length), default: "''" });
    await q.createTable(
      new Table({
        name: 'rebate_rule_version',
        columns: [id(), str('effectiveFrom', 10), key('note', 200), int('ruleCount'), int('createdById'), created()],
        indices: [index('idx_rebate_version_effective', ['effectiveFrom', 'id'])],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'rebate_rule',
        columns: [
          id(), int('versionId'), int('rowNo'), key('grade', 10), key('customerType', 50), key('productModel', 60), key('deliveryCycle', 20),
          fen('minFen'), fen('maxFen', true), int('rateMinBp'), int('rateMaxBp'), text('documents'), int('payoutDelayDays'),
        ],
        indices: [index('idx_rebate_rule_version', ['versionId', 'rowNo'])],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'rebate_document',
        columns: [id(), int('customerId'), str('documentType', 30), int('attachmentId'), int('uploadedById'), created()],
        indices: [index('idx_rebate_document_customer', ['customerId', 'documentType']), new TableIndex({ name: 'uq_rebate_document_attachment', columnNames: ['attachmentId'], isUnique: true })],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'rebate_request',
        columns: [
          id(), int('customerId'), int('requesterId'), str('productModel', 60), str('deliveryCycle', 20), fen('amountFen'), int('rateBp'), fen('rebateFen'),
          int('rateMinBp'), int('rateMaxBp'), int('ruleId'), int('versionId'), text('documentsRequired'), text('documentsMissing'), str('expectedPayoutDate', 10),
          str('state', 20), { ...int('round'), default: 1 }, int('approvalId', true), str('reason', 200, true), key('note', 200), str('idempotencyKey', 100), created(),
          { ...ts('updatedAt'), default: created().default }, ts('decidedAt', true), ts('paidAt', true),
        ],
        indices: [
          index('idx_rebate_request_requester', ['requesterId', 'createdAt']),
          index('idx_rebate_request_state', ['state', 'createdAt']),
          index('idx_rebate_request_customer', ['customerId']),
          new TableIndex({ name: 'uq_rebate_request_idempotency', columnNames: ['requesterId', 'idempotencyKey'], isUnique: true }),
        ],
      }),
      true,
    );
    await q.createTable(
      new Table({
        name: 'rebate_request_event',
        columns: [id(), int('requestId'), str('fromState', 20, true), str('toState', 20), int('byId', true), str('reason', 200, true), text('documents'), ts('at')],
        indices: [index('idx_rebate_event_request', ['requestId', 'id'])],
      }),
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['rebate_request_event', 'rebate_request', 'rebate_document', 'rebate_rule', 'rebate_rule_version']) await q.dropTable(t, true);
  }
}
