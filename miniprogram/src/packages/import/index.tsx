import { useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import { download, upload } from './files'
import { GradingInputsImport } from './grading-inputs'
import { backOr, goTo } from '../../utils/nav'
import './index.css'

interface ImportReport {
  total: number
  valid: number
  invalidRows: number
  errors: Array<{ row: number; column: string | null; message: string }>
  ignoredColumns: string[]
  sample: Array<{ row: number; name: string; industry: string; stage: string; owner: string }>
}

/**
 * Web console: Excel import — choose a file, see every bad row with its reason in a table, then
 * commit (all rows or none). The export of the visible customers sits beside it.
 */
export default function CustomerImport() {
  const [mode, setMode] = useState<'customers' | 'grading'>('customers')
  const [file, setFile] = useState<File | null>(null)
  const [report, setReport] = useState<ImportReport | null>(null)
  const [busy, setBusy] = useState<'' | 'preview' | 'commit' | 'download'>('')
  const [error, setError] = useState('')
  const [imported, setImported] = useState<number | null>(null)

  if (process.env.TARO_ENV !== 'h5') {
    return (
      <View className='page'>
        <View className='state'>Excel 导入请在电脑浏览器中打开网页版使用</View>
        <Button className='btn btn--block' onClick={() => void backOr('customers')}>
          返回
        </Button>
      </View>
    )
  }

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
      setImported(null)
      setReport(await upload<ImportReport>('/customers/import/preview', chosen))
    })

  const commit = () =>
    run('commit', async () => {
      if (!file) return
      const done = await upload<{ imported: number }>('/customers/import/commit', file)
      setImported(done.imported)
      setReport(null)
      setFile(null)
    })

  const header = (
    <>
      <View className='row row--between'>
        <Text className='import__title'>{mode === 'customers' ? '导入客户（Excel）' : '导入分级数据（Excel）'}</Text>
        <Button id='back' className='btn btn--small' onClick={() => void backOr('customers')}>
          ‹ 返回
        </Button>
      </View>
      <View className='row import__tabs'>
        <View id='import-tab-customers' className={`chip ${mode === 'customers' ? 'chip--on' : ''}`} onClick={() => setMode('customers')}>
          客户
        </View>
        <View id='import-tab-grading' className={`chip ${mode === 'grading' ? 'chip--on' : ''}`} onClick={() => setMode('grading')}>
          分级数据
        </View>
      </View>
    </>
  )

  if (mode === 'grading') {
    return (
      <View className='page import'>
        {header}
        <GradingInputsImport />
      </View>
    )
  }

  return (
    <View className='page import'>
      {header}
      <View className='row import__links'>
        <Button id='download-template' className='btn btn--small' disabled={!!busy} onClick={() => void run('download', () => download('/customers/import/template.xlsx', '客户导入模板.xlsx'))}>
          下载导入模板
        </Button>
        <Button id='export-customers' className='btn btn--small' disabled={!!busy} onClick={() => void run('download', () => download('/customers/export.xlsx', '客户列表.xlsx'))}>
          导出客户
        </Button>
      </View>
      <View className='card'>
        <Text className='muted'>第一步：选择按模板填写的 .xlsx 文件，系统逐行检查，不会写入任何数据。</Text>
        <View className='row import__choose'>
          {/* the browser's own file button speaks the browser's language (Choose File): ours speaks Chinese */}
          <label htmlFor='import-file' className='btn btn--small import__choose-btn'>
            选择 Excel 文件
          </label>
          <Text className='muted import__file-name' id='import-file-name'>{file ? file.name : '未选择文件'}</Text>
        </View>
        <input
          id='import-file'
          className='import__file-input'
          type='file'
          accept='.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
          onChange={(e) => {
            const chosen = e.currentTarget.files?.[0] ?? null
            setFile(chosen)
            if (chosen) void preview(chosen)
          }}
        />
        {busy === 'preview' ? <View className='state'>检查中…</View> : null}
      </View>

      {error ? (
        <View className='state state--error' id='import-error'>
          {error}
        </View>
      ) : null}
      {imported !== null ? (
        <View className='card' id='import-done'>
          <Text className='import__summary'>已导入 {imported} 家客户。</Text>
          <Button className='btn btn--primary btn--block' onClick={() => void goTo('customers')}>
            查看客户列表
          </Button>
        </View>
      ) : null}

      {report ? (
        <View className='card' id='import-preview'>
          <Text className='import__summary' id='import-summary'>
            共 {report.total} 行：可导入 {report.valid} 行，有问题 {report.invalidRows} 行
            {report.ignoredColumns.length ? `；忽略的列：${report.ignoredColumns.join('、')}` : ''}
          </Text>
          {report.errors.length ? (
            <table className='import__table import__table--errors' id='import-errors'>
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
            <table className='import__table' id='import-sample'>
              <thead>
                <tr>
                  <th>行号</th>
                  <th>客户名称</th>
                  <th>所属行业</th>
                  <th>当前阶段</th>
                  <th>负责人</th>
                </tr>
              </thead>
              <tbody>
                {report.sample.map((r) => (
                  <tr key={r.row}>
                    <td>{r.row}</td>
                    <td>{r.name}</td>
                    <td>{r.industry}</td>
                    <td>{r.stage}</td>
                    <td>{r.owner}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {report.errors.length ? <Text className='state--error'>请改正上表中的问题后重新选择文件；有问题时不会导入任何一行。</Text> : null}
          <View className='row import__actions'>
            <Button id='commit-import' className='btn btn--primary' disabled={!!busy || report.errors.length > 0 || report.valid === 0} onClick={() => void commit()}>
              {busy === 'commit' ? '导入中…' : `确认导入 ${report.valid} 行`}
            </Button>
          </View>
        </View>
      ) : null}
    </View>
  )
}
