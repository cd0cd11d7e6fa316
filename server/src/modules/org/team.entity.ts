import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn } from '../../db/columns';

@Entity('team')
export class Team {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 50 })
  name: string;

  @Index('idx_team_region')
  @Column({ type: 'int' })
  regionId: number;

  @CreatedAtColumn()
  createdAt: Date;
}
