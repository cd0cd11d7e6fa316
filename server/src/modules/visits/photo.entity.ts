import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn } from '../../db/columns';

/** An uploaded image; attached to a visit or a first touch when that is submitted. */
@Entity('photo')
export class Photo {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 100 })
  storageKey: string;

  @Column({ type: 'varchar', length: 20 })
  mimeType: 'image/jpeg' | 'image/png' | 'image/webp';

  @Column({ type: 'int' })
  bytes: number;

  @Column({ type: 'int' })
  uploadedById: number;

  @Index('idx_photo_visit')
  @Column({ type: 'int', nullable: true })
  visitId: number | null;

  @Column({ type: 'int', nullable: true })
  firstTouchId: number | null;

  /** the customer the photo documents, known once attached; decides who may see it */
  @Column({ type: 'int', nullable: true })
  customerId: number | null;

  @CreatedAtColumn()
  createdAt: Date;
}
