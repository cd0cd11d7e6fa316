import { Text } from '@tarojs/components'
import type { Customer } from '../../api/types'
import { DataTable, type DataColumn } from '../../components/data-table'
import { StatusTag } from '../../components/tag'
import { formatInstant } from '../../utils/time'
import { goTo } from '../../utils/nav'
import { customerOverdue } from '../../api/options'

// Rows keep the list's class names (customer-item, customer-item__name…): tests and links find a
// customer the same way at phone and console width.
const COLUMNS: readonly DataColumn<Customer>[] = [
  {
    key: 'name',
    title: '客户名称',
    width: 'minmax(180px, 2fr)',
    render: (c) => (
      <>
        <Text className='customer-item__name'>{c.name}</Text>
        {c.closed ? <StatusTag className='customer-item__closed'>已丢单</StatusTag> : customerOverdue(c) ? <StatusTag tone='red' className='customer-item__overdue'>逾期</StatusTag> : null}
      </>
    ),
  },
  { key: 'stage', title: '阶段', width: '96px', render: (c) => <StatusTag className='customer-item__stage'>{c.stageLabel || c.stage}</StatusTag> },
  { key: 'grade', title: '等级', width: '72px', render: (c) => (c.grade ? <StatusTag>{c.grade} 级</StatusTag> : <Text className='muted'>—</Text>) },
  { key: 'industry', title: '行业', width: 'minmax(96px, 1fr)', render: (c) => c.industry ?? '—' },
  { key: 'city', title: '城市', width: '88px', render: (c) => c.city ?? '—' },
  { key: 'contact', title: '联系人', width: 'minmax(88px, 1fr)', render: (c) => c.contactName ?? '—' },
  { key: 'owner', title: '负责人', width: '96px', render: (c) => <Text className='customer-item__owner'>{c.owner?.name ?? '—'}</Text> },
  {
    key: 'last',
    title: '最近跟进',
    width: '150px',
    align: 'right',
    render: (c) => <Text className='customer-item__last'>{c.lastFollowUpAt ? formatInstant(c.lastFollowUpAt) : '尚未跟进'}</Text>,
  },
]

/** The customers list at console width: one row per customer, every column at a glance. */
export function CustomerTable(props: { items: readonly Customer[] }) {
  return (
    <DataTable
      id='customers-table'
      columns={COLUMNS}
      rows={props.items}
      rowKey={(c) => c.id}
      rowClassName={(c) => `customer-item ${customerOverdue(c) ? 'customer-item--overdue' : ''}`}
      onRowClick={(c) => void goTo('customer', { id: c.id })}
    />
  )
}
