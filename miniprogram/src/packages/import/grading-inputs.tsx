import { useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import { download, upload } from './files'

interface Change {
  before: number | null
  after: number | null
}
interface GradingInputsReport {
  total: number
  valid: number
  invalidRows: number
  unchanged: number
  errors: Array<{ row: number; column: string | null; message: string }>
  ignoredColumns: string[]
  sample: Array<{ row: number; customerId: number; name: string; inventoryConsumptionSpeed: Change; competitorPenetration: Change }>
}
interface Committed {
  updated: number
  regraded: number
  gradeChanged: number
}

const shown = (v: number | null, unit = '') => (v === null ? '—' : `${v}${unit}`)

/** One input's change as the preview shows it: 40 → 80, 60%（不变）, or 35% → 已清空. */
function ChangeCell({ change, unit = '' }: { change: Change; unit?: string }) {
  if (change.before === change.after) return <Text className='muted'>{shown(change.after, unit)}（不变）</Text>
  return (
    <Text>
      {shown(change.before, unit)} → <Text className='import__new'>{change.after === null ? '已清空' : shown(change.after, unit)}</Text>
    </Text>
  )
}

/**
 * The grading input sheet (库存消耗速度, 竞品渗透率 from other systems): template, a preview of every row
 * (its problems, or each input before → after), then commit — all rows or none — and the customers regraded.
 */
export function GradingInputsImport() {
  const [file, setFile] = useState<File | null>(null)
  const [report, setReport] = useState<GradingInputsReport | null>(null)
  const [busy, setBusy] = useState<'' | 'preview' | 'commit' | 'download'>('')
  const [error, setError] = useState('')
  const [done, setDone] = useState<Committed | null>(null)

  const run = async (what: 'preview' | 'commit' | 'download', work: () => Promise<void>) => {
    setBusy(what)
    setError('')
    try {
      await work()
    } catch (e) {
      setError(e instanceof Error ? e.message : '出错了，请稍后重试')
    } finally {
      setBusy('')
    }
  }

  const preview = (chosen: File) =>
    run('preview', async () => {
      setReport(null)
      setDone(null)
      setReport(await upload<GradingInputsReport>('/grading/inputs/preview', chosen))
    })

  const commit = () =>
    run('commit', async () => {
      if (!file) return
      setDone(await upload<Committed>('/grading/inputs/commit', file))
      setReport(null)
      setFile(null)
    })

  return (
    <View id='grading-inputs'>
      <View className='row import__links'>
        <Button id='download-grading-template' className='btn btn--small' disabled={!!busy} onClick={() => void run('download', () => download('/grading/inputs/template.xlsx', '分级数据模板.xlsx'))}>
          下载分级数据模板
        </Button>
      </View>
      <View className='card'>
        <Text className='muted import__help'>
          {'从 ERP、进销存等系统导出的「库存消耗速度」（0–100）和「竞品渗透率」（0–100%，35 与 35% 相同），按客户编号或客户名称对应到客户。' +
            '空白单元格保持原值；填「清空」清除该项（分级时按缺失、中性分计）。导入后这些客户立即重新分级。'}
        </Text>
        <View className='row import__choose'>
          {/* the browser's own file button speaks the browser's language (Choose File): ours speaks Chinese */}
          <label htmlFor='grading-file' className='btn btn--small import__choose-btn'>
            选择 Excel 文件
          </label>
          <Text className='muted import__file-name' id='grading-file-name'>{file ? file.name : '未选择文件'}</Text>
        </View>
        <input
          id='grading-file'
          className='import__file-input'
          type='file'
          accept='.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
          onChange={(e) => {
            const chosen = e.currentTarget.files?.[0] ?? null
            setFile(chosen)
            if (chosen) void preview(chosen)
            e.currentTarget.value = ''
          }}
        />
        {busy === 'preview' ? <View className='state'>检查中…</View> : null}
      </View>

      {error ? (
        <View className='state state--error' id='grading-error'>
          {error}
        </View>
      ) : null}
      {done ? (
        <View className='card' id='grading-done'>
          <Text className='import__summary'>
            已更新 {done.updated} 家客户的分级数据，已重新分级 {done.regraded} 家{done.gradeChanged ? `，其中 ${done.gradeChanged} 家等级有变化` : '，等级均未变化'}。
          </Text>
        </View>
      ) : null}

      {report ? (
        <View className='card' id='grading-preview'>
          <Text className='import__summary' id='grading-summary'>
            共 {report.total} 行：可导入 {report.valid} 行{report.unchanged ? `（其中 ${report.unchanged} 行没有变化）` : ''}，有问题 {report.invalidRows} 行
            {report.ignoredColumns.length ? `；忽略的列：${report.ignoredColumns.join('、')}` : ''}
          </Text>
          {report.errors.length ? (
            <table className='import__table import__table--errors' id='grading-errors'>
              <thead>
                <tr>
                  <th>行号</th>
                  <th>列</th>
                  <th>问题</th>
                </tr>
              </thead>
              <tbody>
                {report.errors.map((e, i) => (
                  <tr key={i}>
                    <td>第 {e.row} 行</td>
                    <td>{e.column ?? '—'}</td>
                    <td>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {report.sample.length ? (
            <table className='import__table' id='grading-sample'>
              <thead>
                <tr>
                  <th>行号</th>
                  <th>客户</th>
                  <th>库存消耗速度</th>
                  <th>竞品渗透率</th>
                </tr>
              </thead>
              <tbody>
                {report.sample.map((r) => (
                  <tr key={r.row}>
                    <td>{r.row}</td>
                    <td>{r.name}</td>
                    <td>
                      <ChangeCell change={r.inventoryConsumptionSpeed} />
                    </td>
                    <td>
                      <ChangeCell change={r.competitorPenetration} unit='%' />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {report.sample.length < report.valid ? <Text className='muted'>（只列出前 {report.sample.length} 行）</Text> : null}
          {report.errors.length ? <Text className='state--error'>请改正上表中的问题后重新选择文件；有问题时不会导入任何一行。</Text> : null}
          <View className='row import__actions'>
            <Button id='commit-grading' className='btn btn--primary' disabled={!!busy || report.errors.length > 0 || report.valid === 0} onClick={() => void commit()}>
              {busy === 'commit' ? '导入中…' : `确认导入 ${report.valid} 行并重新分级`}
            </Button>
          </View>
        </View>
      ) : null}
    </View>
  )
}
