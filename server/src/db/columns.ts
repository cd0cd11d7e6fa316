import { Column, CreateDateColumn, UpdateDateColumn, type ColumnOptions, type ValueTransformer } from 'typeorm';

// Every column states its type: tsx/esbuild emit no decorator metadata, so TypeORM cannot infer one.
export const TimestampColumn = (options: ColumnOptions = {}) => Column({ type: 'datetime', precision: 3, ...options });
export const CreatedAtColumn = () => CreateDateColumn({ type: 'datetime', precision: 3 });
export const UpdatedAtColumn = () => UpdateDateColumn({ type: 'datetime', precision: 3 });

/**
 * For a datetime a user's file once wrote: MySQL's zero date reads back as an Invalid Date, whose
 * toISOString() throws, so a page listing the row would answer 500. It reads as no date instead.
 */
export const unreadableDateAsNull: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: unknown) => (value instanceof Date && Number.isNaN(value.getTime()) ? null : value),
};
