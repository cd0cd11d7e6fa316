import { Column, CreateDateColumn, UpdateDateColumn, type ColumnOptions } from 'typeorm';

// Every column states its type: tsx/esbuild emit no decorator metadata, so TypeORM cannot infer one.
export const TimestampColumn = (options: ColumnOptions = {}) => Column({ type: 'datetime', precision: 3, ...options });
export const CreatedAtColumn = () => CreateDateColumn({ type: 'datetime', precision: 3 });
export const UpdatedAtColumn = () => UpdateDateColumn({ type: 'datetime', precision: 3 });
