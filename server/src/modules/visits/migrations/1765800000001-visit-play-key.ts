import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addColumnsInPlace, dropColumns } from '../../../db/add-columns';

/**
 * visit.playKey: the winning play (赢单打法, module plays) whose value point the rep copied into this
 * visit's form, when they then submitted it; null otherwise. Lets the plays table compare new reps'
 * stage-advance rate with and without a play.
 */
export class VisitPlayKey1765800000001 implements MigrationInterface {
  name = 'VisitPlayKey1765800000001';

  async up(q: QueryRunner): Promise<void> {
    await addColumnsInPlace(q, 'visit', [{ name: 'playKey', type: 'varchar(16)' }]);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropColumns(q, 'visit', ['playKey']);
  }
}
