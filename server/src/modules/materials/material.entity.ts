import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, TimestampColumn, UpdatedAtColumn } from '../../db/columns';

/** A scenario tag (二级医院首次拜访 …): data marketing edits; a retired tag is kept on old materials, not offered for new ones. */
@Entity('material_tag')
@Index('uq_material_tag_name', ['name'], { unique: true })
export class MaterialTag {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 30 })
  name: string;

  @TimestampColumn({ nullable: true })
  retiredAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}

/** One marketing material: a file (attachment of purpose `material`) or a script's text, with its fit hints. */
@Entity('material')
@Index('idx_material_retired', ['retiredAt', 'id'])
export class Material {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 60 })
  title: string;

  @Column({ type: 'varchar', length: 500 })
  description: string;

  /** video / pdf / image / script / office */
  @Column({ type: 'varchar', length: 10 })
  kind: string;

  @Column({ type: 'int', nullable: true })
  attachmentId: number | null;

  @Column({ type: 'text', nullable: true })
  scriptText: string | null;

  /** fit hints: JSON arrays of option codes/labels from config (stages, industries, bottlenecks) */
  @Column({ type: 'simple-json' })
  stages: string[];

  @Column({ type: 'simple-json' })
  industries: string[];

  @Column({ type: 'simple-json' })
  bottlenecks: string[];

  /** lower-cased title + description + tag names: a substring search reads one column */
  @Column({ type: 'varchar', length: 800 })
  searchText: string;

  @Column({ type: 'int' })
  createdById: number;

  /** hidden from reps from then on; kept (with its usage and shares) for history */
  @TimestampColumn({ nullable: true })
  retiredAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}

@Entity('material_tag_link')
@Index('idx_material_tag_link_tag', ['tagId', 'materialId'])
export class MaterialTagLink {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  materialId: number;

  @Column({ type: 'int' })
  tagId: number;
}

/** One view, download or share of a material by a member (and the customer it was for, if any). */
@Entity('material_usage')
@Index('idx_material_usage_member', ['memberId', 'at'])
@Index('idx_material_usage_material', ['materialId', 'at'])
@Index('idx_material_usage_at', ['at'])
export class MaterialUsage {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  materialId: number;

  @Column({ type: 'int' })
  memberId: number;

  @Column({ type: 'int', nullable: true })
  customerId: number | null;

  /** view / download / share */
  @Column({ type: 'varchar', length: 10 })
  action: string;

  @TimestampColumn()
  at: Date;
}

/** A link a rep handed out for one material (optionally to one customer): opened without a login, revocable. */
@Entity('material_share')
@Index('uq_material_share_token', ['token'], { unique: true })
@Index('idx_material_share_member', ['memberId', 'createdAt'])
@Index('idx_material_share_customer', ['customerId', 'createdAt'])
export class MaterialShare {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  /** 32 url-safe random characters (192 bits): unguessable */
  @Column({ type: 'varchar', length: 43 })
  token: string;

  @Column({ type: 'int' })
  materialId: number;

  @Column({ type: 'int' })
  memberId: number;

  @Column({ type: 'int', nullable: true })
  customerId: number | null;

  @Column({ type: 'int', default: 0 })
  openCount: number;

  /** set once, by the first open: the rep is told then, and only then */
  @TimestampColumn({ nullable: true })
  firstOpenedAt: Date | null;

  @TimestampColumn({ nullable: true })
  lastOpenedAt: Date | null;

  @TimestampColumn({ nullable: true })
  revokedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}

/** One open of a share link by whoever holds it; a video's watched seconds come later from the page's beacon. */
@Entity('material_share_open')
@Index('idx_material_share_open_share', ['shareId', 'openedAt'])
@Index('idx_material_share_open_customer', ['customerId', 'openedAt'])
export class MaterialShareOpen {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'int' })
  shareId: number;

  @Column({ type: 'int', nullable: true })
  customerId: number | null;

  /** random, handed to the page: the beacon names the open it reports on */
  @Column({ type: 'varchar', length: 32 })
  beaconKey: string;

  @TimestampColumn()
  openedAt: Date;

  @Column({ type: 'int', nullable: true })
  watchedSeconds: number | null;
}
