import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

export class VisitsTodos1764400000000 implements MigrationInterface {
  name = 'VisitsTodos1764400000000';

  async up(q: QueryRunner): Promise<void> {
    const sqlite = q.connection.options.type === 'better-sqlite3';
    const now = sqlite ? "(strftime('%Y-%m-%d %H:%M:%f','now'))" : 'CURRENT_TIMESTAMP(3)';
    const id = (): TableColumnOptions => ({ name: 'id', type: sqlite ? 'integer' : 'int', isPrimary: true, isGenerated: true, generationStrategy: 'increment' });
    const int = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'int', isNullable });
    const str = (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });
    const ts = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable });
    const created = (): TableColumnOptions => ({ ...ts('createdAt'), default: now });
    const table = (name: string, columns: TableColumnOptions[], indices: TableIndex[] = []) => q.createTable(new Table({ name, columns, indices }), true);

    await q.addColumns('customer', [new TableColumn(ts('leadAssignedAt', true)), new TableColumn(ts('firstTouchDueAt', true)), new TableColumn(ts('firstTouchAt', true))]);

    await table(
      'visit',
      [
        id(), int('customerId'), int('memberId'), str('objective', 20, true), str('painPoint', 200, true), str('dialogueSummary', 300, true),
        str('bottleneck', 50, true), str('valuePoint', 50, true), str('agreedAction', 20, true), str('agreedActionNote', 100, true),
        ts('nextFollowUpAt', true), str('nextFollowUpForm', 10, true), { name: 'alert', type: 'boolean', default: sqlite ? 0 : false },
        str('customerVerbatim', 300, true), ts('submittedAt', true), created(),
      ],
      [
        new TableIndex({ name: 'idx_visit_customer', columnNames: ['customerId', 'submittedAt'] }),
        new TableIndex({ name: 'idx_visit_member', columnNames: ['memberId', 'submittedAt'] }),
      ],
    );
    await table(
      'photo',
      [id(), str('storageKey', 100), str('mimeType', 20), int('bytes'), int('uploadedById'), int('visitId', true), int('firstTouchId', true), int('customerId', true), created()],
      [new TableIndex({ name: 'idx_photo_visit', columnNames: ['visitId'] })],
    );
    await table(
      'first_touch',
      [id(), int('customerId'), int('memberId'), str('method', 10), str('verbatim', 300), str('evidenceText', 1000, true), int('evidencePhotoId', true), ts('touchedAt'), ts('dueAt')],
      [new TableIndex({ name: 'uq_first_touch_customer', columnNames: ['customerId'], isUnique: true })],
    );
    await table(
      'todo',
      [
        id(), str('kind', 30), int('customerId'), int('visitId', true), int('assigneeId'), int('repId'), { name: 'snapshot', type: 'text' },
        ts('dueAt'), ts('confirmedAt', true), int('confirmedById', true), str('confirmedVia', 10, true), str('confirmComment', 200, true), ts('escalatedAt', true), created(),
      ],
      [
        new TableIndex({ name: 'idx_todo_assignee', columnNames: ['assigneeId', 'confirmedAt'] }),
        new TableIndex({ name: 'idx_todo_rep', columnNames: ['repId', 'createdAt'] }),
        new TableIndex({ name: 'idx_todo_visit', columnNames: ['visitId'] }),
      ],
    );
    await table(
      'outbox_message',
      [
        id(), str('kind', 40), int('teamId', true), { name: 'payload', type: 'text' }, { name: 'attempts', type: 'int', default: 0 },
        ts('nextAttemptAt'), ts('deliveredAt', true), ts('failedAt', true), str('lastError', 500, true), created(),
      ],
      [new TableIndex({ name: 'idx_outbox_pending', columnNames: ['deliveredAt', 'failedAt', 'nextAttemptAt'] })],
    );
    await table(
      'job',
      [
        id(), str('kind', 40), ts('dueAt'), { name: 'payload', type: 'text' }, str('subject', 60, true), { ...str('status', 10), default: "'pending'" },
        { name: 'attempts', type: 'int', default: 0 }, ts('leaseUntil', true), str('lastError', 500, true), created(),
      ],
      [new TableIndex({ name: 'idx_job_due', columnNames: ['status', 'dueAt'] }), new TableIndex({ name: 'idx_job_subject', columnNames: ['subject'] })],
    );
    await table(
      'idempotency_key',
      [id(), int('memberId'), str('key', 100), str('route', 100), str('requestHash', 64), int('responseStatus'), { name: 'responseBody', type: 'text', isNullable: true }, created()],
      [new TableIndex({ name: 'uq_idempotency_member_key', columnNames: ['memberId', 'key'], isUnique: true })],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const name of ['idempotency_key', 'job', 'outbox_message', 'todo', 'first_touch', 'photo', 'visit']) await q.dropTable(name, true);
    for (const column of ['firstTouchAt', 'firstTouchDueAt', 'leadAssignedAt']) await q.dropColumn('customer', column);
  }
}
