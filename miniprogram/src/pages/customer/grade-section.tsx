import { useEffect, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import { api, errorMessage } from '../../api/client'
import { StatusTag } from '../../components/tag'
import { formatInstant } from '../../utils/time'
import './grade-section.css'

type Dimension = 'paymentHistory' | 'inventorySpeed' | 'hospitalLevelActivity' | 'competitorPenetration'
interface GradeRun {
  grade: string
  score: number
  subScores: Record<Dimension, number>
  missing: Dimension[]
  reason: string
  gradedAt: string
}
interface GradeHistory {
  items: GradeRun[]
  weights: Record<Dimension, number>
}

const LABELS: Record<Dimension, string> = {
  paymentHistory: '回款准时率',
  inventorySpeed: '库存消耗速度',
  hospitalLevelActivity: '医院等级与科室活跃度',
  competitorPenetration: '竞品渗透率（越低得分越高）',
}
const DIMENSIONS = Object.keys(LABELS) as Dimension[]
const WHY: Record<string, string> = { on_demand: '手动重新分级', scheduled: '定时分级', import: '分级数据导入' }
/** History shown before 「展开全部」. */
const FIRST_RUNS = 6

const percent = (w: number) => `${Math.round(w * 1000) / 10}%`

/**
 * The customer's grade and why: the latest run's four sub-scores with their weights (a missing input is
 * marked, scored neutral), and the history of runs, newest first, each with its reason and any change.
 */
export function GradeSection({ id, canRegrade, onGraded }: { id: number; canRegrade: boolean; onGraded: () => void }) {
  const [history, setHistory] = useState<GradeHistory | null>(null)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const [all, setAll] = useState(false)

  const load = async () => {
    try {
      setHistory(await api.get<GradeHistory>(`/customers/${id}/grades`))
      setError('')
    } catch (e) {
      setError(errorMessage(e))
    }
  }
  useEffect(() => {
    void load()
  }, [id])

  const regrade = async () => {
    setBusy(true)
    try {
      await api.post(`/customers/${id}/grade`)
      await load()
      onGraded()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const runs = history?.items ?? []
  const latest = runs[0]
  const shown = all ? runs : runs.slice(0, FIRST_RUNS)
  return (
    <View className='customer__section grade' id='customer-grade'>
      <View className='row row--between'>
        <Text className='customer__section-title'>客户分级</Text>
        {canRegrade ? (
          <Button id='customer-regrade' className='btn btn--small' disabled={busy} onClick={() => void regrade()}>
            {busy ? '分级中…' : '重新分级'}
          </Button>
        ) : null}
      </View>
      {error ? <View className='state state--error'>{error}</View> : null}
      {history && !latest && !error ? <View className='state'>尚未分级</View> : null}
      <View className='grade__body'>
        {latest && history ? (
          <View className='card grade__card'>
            <View className='grade__head' id='customer-grade-latest'>
              <Text className='grade__badge'>{latest.grade}</Text>
              <View className='grade__summary'>
                <Text className='grade__score'>{latest.score} 分</Text>
                <Text className='grade__why muted'>
                  {WHY[latest.reason] ?? latest.reason} · {formatInstant(latest.gradedAt, true)}
                </Text>
              </View>
            </View>
            <View className='grade__dims' id='customer-grade-dims'>
              <View className='grade__dim grade__dim--head muted'>
                <Text className='grade__dim-label'>维度</Text>
                <Text className='grade__dim-weight'>权重</Text>
                <Text className='grade__dim-score'>得分</Text>
              </View>
              {DIMENSIONS.map((d) => (
                <View key={d} className='grade__dim' id={`grade-dim-${d}`}>
                  <View className='grade__dim-label'>
                    <Text>{LABELS[d]}</Text>
                    {latest.missing.includes(d) ? (
                      <StatusTag tone='orange' className='grade__missing'>
                        缺失（按中性分）
                      </StatusTag>
                    ) : null}
                  </View>
                  <Text className='grade__dim-weight'>{percent(history.weights[d])}</Text>
                  <Text className='grade__dim-score'>{latest.subScores[d]}</Text>
                </View>
              ))}
            </View>
          </View>
        ) : null}
        {runs.length ? (
          <View className='card grade__history' id='customer-grade-history'>
            <Text className='grade__history-title'>分级历史（共 {runs.length} 次，最新在前）</Text>
            {shown.map((r, i) => {
              const before = runs[i + 1]
              const changed = before && before.grade !== r.grade
              return (
                <View key={`${r.gradedAt}-${i}`} className='grade__run'>
                  <Text className='grade__run-time muted'>{formatInstant(r.gradedAt, true)}</Text>
                  <Text className={`grade__run-grade ${changed ? 'grade__run-grade--changed' : ''}`}>{changed ? `${before.grade} → ${r.grade}` : r.grade}</Text>
                  <Text className='grade__run-score'>{r.score} 分</Text>
                  <Text className='grade__run-why muted'>{WHY[r.reason] ?? r.reason}</Text>
                </View>
              )
            })}
            {runs.length > FIRST_RUNS ? (
              <View id='customer-grade-more' className='grade__more' onClick={() => setAll(!all)}>
                {all ? '收起' : `展开全部 ${runs.length} 次`}
              </View>
            ) : null}
          </View>
        ) : null}
      </View>
    </View>
  )
}
