import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A member the demo seed created: only these may use dev-login, and their presence marks a demo database. */
@Entity('demo_member')
export class DemoMember {
  @PrimaryColumn({ type: 'int' })
  memberId: number;

  @Column({ type: 'varchar', length: 20, unique: true })
  phone: string;
}
