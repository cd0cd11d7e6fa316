import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addColumnsInPlace, dropColumns } from '../../../db/add-columns';

/**
 * visit.customerFeedback: the customer's reaction (积极 / 中性 / 消极, policy options.customerFeedback),
 * optional. visit.actionDone*: the agreed action marked done by its rep (or their supervisor) — when, by
 * whom, a note, and whether that was by the visit's next follow-up time (kept as decided then, so a
 * later edit of the follow-up does not rewrite history). Evidence photos are attachments owned by
 * `visit_action`.
 */
export class VisitFeedbackActionDone1765210000002 implements MigrationInterface {
  name = 'VisitFeedbackActionDone1765210000002';

  async up(q: QueryRunner): Promise<void> {
    await addColumnsInPlace(q, 'visit', [
      { name: 'customerFeedback', type: 'varchar(10)' },
      { name: 'actionDoneAt', type: 'datetime' },
      { name: 'actionDoneById', type: 'int' },
      { name: 'actionDoneNote', type: 'varchar(200)' },
      { name: 'actionDoneOnTime', type: 'boolean' },
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropColumns(q, 'visit', ['customerFeedback', 'actionDoneAt', 'actionDoneById', 'actionDoneNote', 'actionDoneOnTime']);
  }
}
