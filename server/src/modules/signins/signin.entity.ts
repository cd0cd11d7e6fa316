import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { CoordSystem } from '@anchor/shared';
import { CreatedAtColumn } from '../../db/columns';

/**
 * One on-site sign-in: where the rep's phone said it was at a customer, how sure it was, and how far
 * that is from the customer's location (null while the customer has none confirmed; filled in when
 * one is set). Read by dashboards per member and day, and per customer.
 */
@Entity('signin')
@Index('idx_signin_member_day', ['memberId', 'localDay'])
@Index('idx_signin_customer', ['customerId', 'createdAt'])
@Index('idx_signin_visit', ['visitId'])
export class Signin {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  customerId: number;

  @Column({ type: 'int' })
  memberId: number;

  /** the point as the phone gave it, in `coordSystem` */
  @Column({ type: 'double' })
  lat: number;

  @Column({ type: 'double' })
  lng: number;

  @Column({ type: 'varchar', length: 8 })
  coordSystem: CoordSystem;

  /** metres, as the phone reported */
  @Column({ type: 'double' })
  accuracy: number;

  /** metres to the customer's location (GCJ-02), rounded */
  @Column({ type: 'int', nullable: true })
  distance: number | null;

  @Column({ type: 'boolean', default: false })
  tooFar: boolean;

  @Column({ type: 'boolean', default: false })
  inaccurate: boolean;

  /** the rep's local day in the policy time zone (YYYY-MM-DD) */
  @Column({ type: 'varchar', length: 10 })
  localDay: string;

  /** the visit that links it (one visit, one sign-in) */
  @Column({ type: 'int', nullable: true })
  visitId: number | null;

  @CreatedAtColumn()
  createdAt: Date;
}
