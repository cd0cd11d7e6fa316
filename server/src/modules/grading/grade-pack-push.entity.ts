import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../db/columns';

/**
 * One support pack pushed to a customer's owner when the customer became the policy's grade (A+):
 * the materials as they were then (id and title), so the customer page shows what was pushed even
 * after the tag moves on. `materialKey` (the ids, sorted) is what the flap rule compares.
 */
@Entity('grade_pack_push')
@Index('idx_grade_pack_push_customer', ['customerId', 'pushedAt'])
@Index('idx_grade_pack_push_owner', ['ownerId', 'pushedAt'])
export class GradePackPush {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  customerId: number;

  /** the owner it was pushed to */
  @Column({ type: 'int' })
  ownerId: number;

  /** the grade it was pushed for (A+) */
  @Column({ type: 'varchar', length: 8 })
  grade: string;

  /** the material ids, ascending, comma-separated: the same set is not pushed again within the flap window */
  @Column({ type: 'varchar', length: 600 })
  materialKey: string;

  /** [{ id, title, kind }] as pushed */
  @Column({ type: 'simple-json' })
  materials: Array<{ id: number; title: string; kind: string }>;

  @TimestampColumn()
  pushedAt: Date;
}
