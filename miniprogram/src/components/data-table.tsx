import type { ReactNode } from 'react'
import { Text, View } from '@tarojs/components'
import './data-table.css'

export interface DataColumn<T> {
  key: string
  title: string
  /** A CSS grid track: '2fr', 'minmax(120px, 1fr)', '96PX'… Default 1fr. */
  width?: string
  /** Right-aligned (numbers, dates). */
  align?: 'left' | 'right'
  render: (row: T) => ReactNode
}

export interface DataTableProps<T> {
  id?: string
  columns: readonly DataColumn<T>[]
  rows: readonly T[]
  rowKey: (row: T) => string | number
  /** Extra classes per row (state such as overdue, or a class tests and other pages rely on). */
  rowClassName?: (row: T) => string
  onRowClick?: (row: T) => void
  /** Shown in place of rows when there are none (nothing while loading: pass null). */
  empty?: ReactNode
}

/**
 * A list as a table, for the web console: a header row naming each column and one row per record,
 * laid out on one CSS grid so columns line up. Rows are clickable when onRowClick is given.
 */
export function DataTable<T>(props: DataTableProps<T>) {
  const template = props.columns.map((c) => c.width ?? '1fr').join(' ')
  const cellClass = (c: DataColumn<T>) => `data-table__cell data-table__cell--${c.key} ${c.align === 'right' ? 'data-table__cell--right' : ''}`
  return (
    <View className='data-table' id={props.id}>
      <View className='data-table__head' style={{ gridTemplateColumns: template }}>
        {props.columns.map((c) => (
          <Text key={c.key} className={`${cellClass(c)} data-table__title`}>
            {c.title}
          </Text>
        ))}
      </View>
      {props.rows.map((row) => (
        <View
          key={props.rowKey(row)}
          className={`data-table__row ${props.onRowClick ? 'data-table__row--link' : ''} ${props.rowClassName?.(row) ?? ''}`}
          data-id={props.rowKey(row)}
          style={{ gridTemplateColumns: template }}
          onClick={props.onRowClick ? () => props.onRowClick!(row) : undefined}
        >
          {props.columns.map((c) => (
            <View key={c.key} className={cellClass(c)}>
              {c.render(row)}
            </View>
          ))}
        </View>
      ))}
      {!props.rows.length && props.empty ? <View className='data-table__empty'>{props.empty}</View> : null}
    </View>
  )
}
