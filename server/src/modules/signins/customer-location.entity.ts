import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../db/columns';

/**
 * Where a customer is (GCJ-02), kept by this module keyed by customer id: entered by a supervisor or
 * admin (source `set`), or proposed from the first good sign-ins (source `signins`, confirmedAt null
 * until the supervisor confirms it). Only a confirmed or entered location measures sign-ins.
 */
@Entity('customer_location')
@Index('idx_customer_location_proposed', ['confirmedAt'])
export class CustomerLocation {
  @PrimaryColumn({ type: 'int' })
  customerId: number;

  @Column({ type: 'double' })
  lat: number;

  @Column({ type: 'double' })
  lng: number;

  @Column({ type: 'varchar', length: 10 })
  source: 'set' | 'signins';

  /** sign-ins the proposal was made from */
  @Column({ type: 'int', nullable: true })
  sampleCount: number | null;

  @TimestampColumn()
  proposedAt: Date;

  /** when it became the customer's location (entered, or a proposal confirmed); null: still proposed */
  @TimestampColumn({ nullable: true })
  confirmedAt: Date | null;

  @Column({ type: 'int', nullable: true })
  confirmedById: number | null;
}
