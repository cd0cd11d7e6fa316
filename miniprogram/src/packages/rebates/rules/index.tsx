import { Fragment, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import { useRouter } from '@tarojs/taro'
import {
  ANY_LABEL, ROLE_LABELS, bandLabel, can, checkRuleTable, formatPercentBp, percentToBp, yuanToFen,
  type RebateRuleInput, type RuleProblem,
} from '@anchor/shared'
import { errorMessage, isApiError } from '../../../api/client'
import { rebatesApi } from '../../../api/rebates'
import { getSession } from '../../../api/session'
import { useRequest } from '../../../api/use-request'
import { NotFound, PageLoading } from '../../../components/load-state'
import { download, upload } from '../../import/files'
import { backOr } from '../../../utils/nav'
import './index.css'

/** One row as finance types it: amounts in yuan, rates in %, as text until saved. */
interface Draft {
  grade: string
  customerType: string
  productModel: string
  deliveryCycle: string
  min: string
  max: string
  rateMin: string
  rateMax: string
  documents: string[]
  days: string
}

const toDraft = (r: RebateRuleInput): Draft => ({
  grade: r.grade, customerType: r.customerType, productModel: r.productModel, deliveryCycle: r.deliveryCycle,
  min: String(r.minFen / 100), max: r.maxFen === null ? '' : String(r.maxFen / 100),
  rateMin: formatPercentBp(r.rateMinBp).replace('%', ''), rateMax: formatPercentBp(r.rateMaxBp).replace('%', ''), documents: [...r.documents], days: String(r.payoutDelayDays),
})

/** A draft as the API takes it, or the cells that do not read (named like the server's row errors). */
function fromDraft(d: Draft, row: number): RebateRuleInput | RuleProblem {
  const minFen = yuanToFen(d.min)
  const maxFen = d.max.trim() ? yuanToFen(d.max) : null
  const rateMinBp = percentToBp(d.rateMin)
  const rateMaxBp = percentToBp(d.rateMax)
  const days = /^\d{1,3}$/.test(d.days.trim()) ? Number(d.days) : null
  if (minFen === null) return { row, column: '金额下限', message: `金额下限「${d.min}」不是有效金额（元）` }
  if (d.max.trim() && maxFen === null) return { row, column: '金额上限', message: `金额上限「${d.max}」不是有效金额（元）` }
  if (rateMinBp === null || rateMaxBp === null) return { row, column: '返点', message: '返点须为 0–100 之间的百分比' }
  if (days === null || days > 365) return { row, column: '打款周期', message: '打款周期须为 0–365 的整数（工作日）' }
  return { grade: d.grade, customerType: d.customerType, productModel: d.productModel.trim(), deliveryCycle: d.deliveryCycle, minFen, maxFen, rateMinBp, rateMaxBp, documents: d.documents, payoutDelayDays: days }
}

const EMPTY: Draft = { grade: '', customerType: '', productModel: '', deliveryCycle: '', min: '0', max: '', rateMin: '1', rateMax: '2', documents: [], days: '10' }

/**
 * 返点政策 (web console): finance keeps the rule table here. Each save is a new version in force from its
 * day (the old ones stay, listed above the table); rows whose amount bands overlap or leave a gap for the
 * same key are named before saving (the same check the server makes). Excel export and import beside it.
 */
export default function RebateRules() {
  const role = getSession()?.member.role
  if (!can(role, 'rebates.policy.read')) {
    return <NotFound id='rebate-rules-forbidden' message={`你的岗位（${role ? ROLE_LABELS[role] : '未登录'}）不查看返点政策`} onBack={() => void backOr('me')} />
  }
  if (process.env.TARO_ENV !== 'h5') {
    return <NotFound id='rebate-rules-h5' message='返点政策请在电脑浏览器中打开网页版维护' onBack={() => void backOr('me')} />
  }
  return <RuleTable />
}

function RuleTable() {
  const params = useRouter().params
  const [versionId, setVersionId] = useState<number | undefined>(Number(params.versionId) || undefined)
  const data = useRequest(() => rebatesApi.table(versionId ? { versionId } : {}), [versionId])
  const manage = can(getSession()?.member.role, 'rebates.policy.manage')
  const [drafts, setDrafts] = useState<Draft[] | null>(null)
  const [effectiveFrom, setEffectiveFrom] = useState('')
  const [note, setNote] = useState('')
  const [problems, setProblems] = useState<RuleProblem[]>([])
  const [message, setMessage] = useState('')
  const [busy, setBusy] = useState(false)
  const [imported, setImported] = useState<{ file: File; errors: RuleProblem[]; count: number } | null>(null)

  if (!data.data) return <PageLoading errorId='rebate-rules-error' error={data.error} onRetry={data.reload} />
  const t = data.data
  const { choices } = t

  const startEdit = () => {
    setDrafts(t.rules.length ? t.rules.map(toDraft) : [{ ...EMPTY }])
    setEffectiveFrom(t.today)
    setNote('')
    setProblems([])
    setMessage('')
  }
  const edit = (i: number, patch: Partial<Draft>) => setDrafts((ds) => ds!.map((d, k) => (k === i ? { ...d, ...patch } : d)))

  const save = async () => {
    if (!drafts) return
    const read = drafts.map((d, i) => fromDraft(d, i + 1))
    const bad = read.filter((r): r is RuleProblem => 'message' in r)
    const rules = read.filter((r): r is RebateRuleInput => !('message' in r))
    const found = bad.length ? bad : checkRuleTable(rules, choices)
    setProblems(found)
    if (found.length) return setMessage(`有 ${new Set(found.map((p) => p.row)).size} 行有误，未保存`)
    setBusy(true)
    try {
      const saved = await rebatesApi.saveVersion({ effectiveFrom, note, rules })
      setDrafts(null)
      setMessage(`已保存为第 ${saved.version} 版，自 ${saved.effectiveFrom} 起生效`)
      setVersionId(saved.id)
    } catch (e) {
      setMessage(errorMessage(e))
      if (isApiError(e)) setProblems(Object.entries(e.fields).flatMap(([k, v]) => (/^第(\d+)行$/.test(k) ? [{ row: Number(/\d+/.exec(k)![0]), column: null, message: v }] : [])))
    } finally {
      setBusy(false)
    }
  }

  const preview = async (file: File) => {
    setMessage('')
    try {
      const report = await upload<{ errors: RuleProblem[]; rules: unknown[] }>('/rebate-rules/import/preview', file)
      setImported({ file, errors: report.errors, count: report.rules.length })
      setEffectiveFrom(t.today)
    } catch (e) {
      setMessage(errorMessage(e))
    }
  }
  const commitImport = async () => {
    if (!imported) return
    setBusy(true)
    try {
      const saved = await upload<{ id: number; version: number; effectiveFrom: string }>(`/rebate-rules/import/commit?effectiveFrom=${effectiveFrom}&note=${encodeURIComponent(note)}`, imported.file)
      setImported(null)
      setMessage(`已导入为第 ${saved.version} 版，自 ${saved.effectiveFrom} 起生效`)
      setVersionId(saved.id)
    } catch (e) {
      setMessage(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const rowProblems = (row: number) => problems.filter((p) => p.row === row)
  const select = (value: string, options: readonly string[], onChange: (v: string) => void, id: string) => (
    <select id={id} className='rules__select' value={value} onChange={(e) => onChange(e.currentTarget.value)}>
      <option value=''>{ANY_LABEL}</option>
      {/* a value the policy no longer lists (a version saved before): shown as it is, named as a row problem on save */}
      {value && !options.includes(value) ? <option value={value}>{value}（不在列表中）</option> : null}
      {options.map((o) => (
        <option key={o} value={o}>{o}</option>
      ))}
    </select>
  )

  return (
    <View className='page page--wide rules'>
      <View className='row row--between rules__head'>
        <Text className='rules__title'>返点政策</Text>
        <View className='row rules__actions'>
          <Button id='rules-export' className='btn btn--small' onClick={() => void download(`/rebate-rules/export.xlsx${t.version ? `?versionId=${t.version.id}` : ''}`, t.version ? `返点政策-第${t.version.version}版.xlsx` : '返点政策模板.xlsx').catch((e) => setMessage(errorMessage(e)))}>
            导出 Excel
          </Button>
          {manage ? (
            <>
              <label htmlFor='rules-import-file' className='btn btn--small rules__import'>导入 Excel</label>
              <input id='rules-import-file' className='rules__file' type='file' accept='.xlsx' onChange={(e) => { const f = e.currentTarget.files?.[0]; if (f) void preview(f); e.currentTarget.value = '' }} />
              {!drafts ? <Button id='rules-new' className='btn btn--small btn--primary' onClick={startEdit}>编辑为新版本</Button> : null}
            </>
          ) : null}
        </View>
      </View>

      <View className='row rules__versions' id='rules-versions'>
        {t.versions.length === 0 ? <Text className='muted'>还没有返点政策{manage ? '：点「编辑为新版本」或导入 Excel' : ''}</Text> : null}
        {t.versions.map((v) => (
          <View key={v.id} className={`chip ${t.version?.id === v.id ? 'chip--on' : ''}`} data-id={v.id} onClick={() => setVersionId(v.id)}>
            第 {v.version} 版 · {v.effectiveFrom} 起{v.id === t.inForceId ? '（生效中）' : v.effectiveFrom > t.today ? '（待生效）' : ''}
          </View>
        ))}
      </View>
      {t.version && !drafts ? (
        <Text className='muted rules__meta'>
          第 {t.version.version} 版，{t.version.ruleCount} 条规则，{t.version.createdBy?.name ?? ''} 保存{t.version.note ? `：${t.version.note}` : ''}
        </Text>
      ) : null}
      {t.version && !drafts && t.problems?.length ? (
        <View className='state state--error' id='rules-stale'>
          第 {t.version.version} 版有 {new Set(t.problems.map((p) => p.row)).size} 行的取值已不在政策列表中（如产品型号），计算器不采用这些行；编辑为新版本时须改为列表中的值
        </View>
      ) : null}
      {message ? <View className={`state ${problems.length || /失败|有误|不能/.test(message) ? 'state--error' : 'rules__ok'}`} id='rules-message'>{message}</View> : null}

      {imported ? (
        <View className='card' id='rules-import-preview'>
          <Text className='rules__subtitle'>导入预览：{imported.file.name}，{imported.count} 条规则{imported.errors.length ? `，${new Set(imported.errors.map((e) => e.row)).size} 行有问题` : '，全部可导入'}</Text>
          {imported.errors.length ? (
            <table className='rules__table'>
              <thead><tr><th>行号</th><th>列</th><th>问题</th></tr></thead>
              <tbody>
                {imported.errors.map((e, i) => (
                  <tr key={i}><td>第 {e.row} 行</td><td>{e.column ?? '—'}</td><td>{e.message}</td></tr>
                ))}
              </tbody>
            </table>
          ) : (
            <View className='row rules__save'>
              <Text>生效日期</Text>
              <input id='rules-import-date' className='input rules__date' type='date' value={effectiveFrom} min={t.today} onChange={(e) => setEffectiveFrom(e.currentTarget.value)} />
              <Button id='rules-import-commit' className='btn btn--primary btn--small' disabled={busy} onClick={() => void commitImport()}>确认导入为新版本</Button>
            </View>
          )}
          <Button className='btn btn--small' onClick={() => setImported(null)}>取消</Button>
        </View>
      ) : null}

      <View className='rules__scroll'>
      <table className={`rules__table ${drafts ? 'rules__table--edit' : ''}`} id='rules-table'>
        <thead>
          <tr>
            <th>行</th><th>客户等级</th><th>客户类型</th><th>产品型号</th><th>交付周期</th><th>金额区间（元）</th><th>返点（%）</th><th>所需单据</th><th>打款周期</th>
            {drafts ? <th /> : null}
          </tr>
        </thead>
        <tbody>
          {drafts
            ? drafts.map((d, i) => (
                <Fragment key={i}>
                  <tr className={rowProblems(i + 1).length ? 'rules__row--bad' : ''} data-row={i + 1}>
                    <td>{i + 1}</td>
                    <td>{select(d.grade, choices.grades, (v) => edit(i, { grade: v }), `rule-${i}-grade`)}</td>
                    <td>{select(d.customerType, choices.customerTypes, (v) => edit(i, { customerType: v }), `rule-${i}-type`)}</td>
                    <td>{select(d.productModel, choices.productModels ?? [], (v) => edit(i, { productModel: v }), `rule-${i}-model`)}</td>
                    <td>{select(d.deliveryCycle, choices.deliveryCycles, (v) => edit(i, { deliveryCycle: v }), `rule-${i}-cycle`)}</td>
                    <td className='rules__band'>
                      <input id={`rule-${i}-min`} className='rules__input rules__input--num' value={d.min} onChange={(e) => edit(i, { min: e.currentTarget.value })} />
                      <Text> – </Text>
                      <input id={`rule-${i}-max`} className='rules__input rules__input--num' value={d.max} placeholder='不设上限' onChange={(e) => edit(i, { max: e.currentTarget.value })} />
                    </td>
                    <td className='rules__band'>
                      <input id={`rule-${i}-rate-min`} className='rules__input rules__input--rate' value={d.rateMin} onChange={(e) => edit(i, { rateMin: e.currentTarget.value })} />
                      <Text> – </Text>
                      <input id={`rule-${i}-rate-max`} className='rules__input rules__input--rate' value={d.rateMax} onChange={(e) => edit(i, { rateMax: e.currentTarget.value })} />
                    </td>
                    <td>
                      {choices.documentTypes.map((doc) => (
                        <Text key={doc} className={`rules__doc ${d.documents.includes(doc) ? 'rules__doc--on' : ''}`} onClick={() => edit(i, { documents: d.documents.includes(doc) ? d.documents.filter((x) => x !== doc) : [...d.documents, doc] })}>
                          {doc}
                        </Text>
                      ))}
                    </td>
                    <td><input id={`rule-${i}-days`} className='rules__input rules__input--rate' value={d.days} onChange={(e) => edit(i, { days: e.currentTarget.value })} /> 个工作日</td>
                    <td><Text className='rules__remove' onClick={() => setDrafts(drafts.filter((_, k) => k !== i))}>删除</Text></td>
                  </tr>
                  {rowProblems(i + 1).length ? (
                    <tr className='rules__problem'><td colSpan={10}>{rowProblems(i + 1).map((p) => p.message).join('；')}</td></tr>
                  ) : null}
                </Fragment>
              ))
            : t.rules.map((r) => (
                <tr key={r.id} data-row={r.row} className={t.problems?.some((p) => p.row === r.row) ? 'rules__row--bad' : ''} title={t.problems?.filter((p) => p.row === r.row).map((p) => p.message).join('；') || undefined}>
                  <td>{r.row}</td>
                  <td>{r.grade || ANY_LABEL}</td>
                  <td>{r.customerType || ANY_LABEL}</td>
                  <td>{r.productModel || ANY_LABEL}</td>
                  <td>{r.deliveryCycle || ANY_LABEL}</td>
                  <td>{bandLabel(r)}</td>
                  <td>{formatPercentBp(r.rateMinBp)} – {formatPercentBp(r.rateMaxBp)}</td>
                  <td>{r.documents.join('、') || '—'}</td>
                  <td>{r.payoutDelayDays} 个工作日</td>
                </tr>
              ))}
        </tbody>
      </table>
      </View>

      {drafts ? (
        <View className='card rules__save' id='rules-save-bar'>
          <Button id='rules-add' className='btn btn--small' onClick={() => setDrafts([...drafts, { ...EMPTY }])}>添加一行</Button>
          <Text>生效日期</Text>
          <input id='rules-effective' className='input rules__date' type='date' value={effectiveFrom} min={t.today} onChange={(e) => setEffectiveFrom(e.currentTarget.value)} />
          <input id='rules-note' className='input rules__note' value={note} placeholder='说明（可选），如 2027 年第一季度政策' onChange={(e) => setNote(e.currentTarget.value)} />
          <Button id='rules-save' className='btn btn--primary btn--small' disabled={busy} onClick={() => void save()}>{busy ? '保存中…' : '保存为新版本'}</Button>
          <Button className='btn btn--small' onClick={() => { setDrafts(null); setProblems([]); setMessage('') }}>取消</Button>
          {message ? <Text className={problems.length ? 'rules__save-error' : 'rules__ok'} id='rules-save-message'>{message}</Text> : null}
        </View>
      ) : null}
    </View>
  )
}
