import { fireEvent, render, screen } from '@testing-library/react';
import { DataTable, type DataColumn } from '../../miniprogram/src/components/data-table';

interface Row {
  id: number;
  name: string;
  city: string | null;
  overdue: boolean;
}

const columns: DataColumn<Row>[] = [
  { key: 'name', title: '客户名称', width: '2fr', render: (r) => r.name },
  { key: 'city', title: '城市', width: '96px', render: (r) => r.city ?? '—' },
  { key: 'state', title: '状态', align: 'right', render: (r) => (r.overdue ? '逾期' : '正常') },
];
const rows: Row[] = [
  { id: 1, name: '瑞金医院', city: '上海', overdue: true },
  { id: 2, name: '华山医院', city: null, overdue: false },
];

describe('DataTable (lists in the web console)', () => {
  it('names each column once and shows one row per record, cells in column order', () => {
    render(<DataTable id='t' columns={columns} rows={rows} rowKey={(r) => r.id} />);
    const head = document.querySelector('.data-table__head')!;
    expect(Array.from(head.children).map((c) => c.textContent)).toEqual(['客户名称', '城市', '状态']);
    const body = Array.from(document.querySelectorAll('.data-table__row')).map((row) => Array.from(row.children).map((c) => c.textContent));
    expect(body).toEqual([
      ['瑞金医院', '上海', '逾期'],
      ['华山医院', '—', '正常'],
    ]);
  });

  it('header and rows share one grid, so the columns line up', () => {
    render(<DataTable columns={columns} rows={rows} rowKey={(r) => r.id} />);
    const templates = Array.from(document.querySelectorAll('.data-table__head, .data-table__row')).map((el) => (el as HTMLElement).style.gridTemplateColumns);
    expect(new Set(templates)).toEqual(new Set(['2fr 96px 1fr']));
  });

  it('a row opens its record and carries the classes it is given', () => {
    const opened: number[] = [];
    render(<DataTable columns={columns} rows={rows} rowKey={(r) => r.id} onRowClick={(r) => opened.push(r.id)} rowClassName={(r) => (r.overdue ? 'customer-item customer-item--overdue' : 'customer-item')} />);
    fireEvent.click(screen.getByText('华山医院'));
    expect(opened).toEqual([2]);
    expect(document.querySelectorAll('.customer-item')).toHaveLength(2);
    expect(document.querySelectorAll('.customer-item--overdue')).toHaveLength(1);
    expect(document.querySelector('[data-id="1"]')!.className).toContain('data-table__row--link');
  });

  it('says so when there is nothing to list', () => {
    render(<DataTable columns={columns} rows={[]} rowKey={(r: Row) => r.id} empty='还没有客户' />);
    expect(screen.getByText('还没有客户')).toBeTruthy();
    expect(document.querySelectorAll('.data-table__row')).toHaveLength(0);
  });
});
