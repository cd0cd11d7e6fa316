import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn } from '../../db/columns';

/**
 * One uploaded file of any module: a visit's photo, a first touch's screenshot, later a material's PDF
 * or video. Uploaded first (owner unknown: the form is still open), attached to its owner when the
 * owner is saved; one never attached is swept after the purpose's hours.
 */
@Entity('attachment')
@Index('idx_attachment_owner', ['ownerKind', 'ownerId'])
@Index('idx_attachment_uploader', ['uploadedById', 'createdAt'])
@Index('idx_attachment_unattached', ['attachedAt', 'createdAt'])
export class Attachment {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  /** what it belongs to (`visit`, `first_touch`, …); null until attached */
  @Column({ type: 'varchar', length: 30, nullable: true })
  ownerKind: string | null;

  @Column({ type: 'int', nullable: true })
  ownerId: number | null;

  /** decides the allowed types, size and who may upload (attachment.purposes.ts) */
  @Column({ type: 'varchar', length: 30 })
  purpose: string;

  /** the customer the file documents, once attached: whose scope covers it may see it */
  @Column({ type: 'int', nullable: true })
  customerId: number | null;

  @Column({ type: 'int' })
  uploadedById: number;

  @Column({ type: 'int' })
  size: number;

  /** sniffed from the bytes, never the client's claim */
  @Column({ type: 'varchar', length: 100 })
  contentType: string;

  /** hex SHA-256 of the bytes; null only on photos moved over from before attachments */
  @Column({ type: 'varchar', length: 64, nullable: true })
  sha256: string | null;

  @Column({ type: 'varchar', length: 200 })
  storageKey: string;

  /** set when the checksum pass over moved-over photos found no object under the key (it is not tried again) */
  @TimestampColumn({ nullable: true })
  missingAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @TimestampColumn({ nullable: true })
  attachedAt: Date | null;
}
