import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** 需要沟通: when the supervisor asked the rep to talk about a to-do (first request), and who. */
export class TodoDiscuss1764600000000 implements MigrationInterface {
  name = 'TodoDiscuss1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('todo', new TableColumn({ name: 'discussRequestedAt', type: 'datetime', precision: 3, isNullable: true }));
    await q.addColumn('todo', new TableColumn({ name: 'discussRequestedVia', type: 'varchar', length: '10', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('todo', 'discussRequestedVia');
    await q.dropColumn('todo', 'discussRequestedAt');
  }
}
