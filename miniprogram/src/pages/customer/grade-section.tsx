import { useEffect, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import { api, errorMessage } from '../../api/client'
import { formatInstant } from '../../utils/time'

type Dimension = 'paymentHistory' | 'inventorySpeed' | 'hospitalLevelActivity' | 'competitorPenetration'
interface GradeRun {
  grade: string
  score: number
  subScores: Record<Dimension, number>
  missing: Dimension[]
  reason: string
  gradedAt: string
}

const LABELS: Record<Dimension, string> = {
  paymentHistory: '回款准时率',
  inventorySpeed: '库存消耗速度',
  hospitalLevelActivity: '医院等级与科室活跃度',
  competitorPenetration: '竞品渗透率（越低越好）',
}
const DIMENSIONS = Object.keys(LABELS) as Dimension[]
const WHY: Record<string, string> = { on_demand: '手动重新分级', scheduled: '定时分级（每 72 小时）', demo_seed: '演示数据' }

/** The customer's grade with its reason (four sub-scores, which inputs were missing) and its history. */
export function GradeSection({ id, canRegrade, onGraded }: { id: number; canRegrade: boolean; onGraded: () => void }) {
  const [runs, setRuns] = useState<GradeRun[]>([])
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)

  const load = async () => {
    try {
      setRuns((await api.get<{ items: GradeRun[] }>(`/customers/${id}/grades`)).items)
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

  const latest = runs[0]
  return (
    <View className='customer__section' id='customer-grade'>
      <View className='row row--between'>
        <Text className='customer__section-title'>客户分级</Text>
        {canRegrade ? (
          <Button id='customer-regrade' className='btn btn--small' disabled={busy} onClick={() => void regrade()}>
            重新分级
          </Button>
        ) : null}
      </View>
      {error ? <View className='state state--error'>{error}</View> : null}
      {!latest && !error ? <View className='state'>尚未分级</View> : null}
      {latest ? (
        <View className='card'>
          <Text className='customer__line' id='customer-grade-latest'>
            {latest.grade} 级 · {latest.score} 分 · {WHY[latest.reason] ?? latest.reason} · {formatInstant(latest.gradedAt, true)}
          </Text>
          {DIMENSIONS.map((d) => (
            <Text key={d} className='customer__line'>
              {LABELS[d]}：{latest.subScores[d]} 分{latest.missing.includes(d) ? '（缺少数据，按中性值计）' : ''}
            </Text>
          ))}
        </View>
      ) : null}
      {runs.slice(1).map((r, i) => (
        <Text key={i} className='customer__line muted'>
          {formatInstant(r.gradedAt, true)} {r.grade} 级 {r.score} 分（{WHY[r.reason] ?? r.reason}）
        </Text>
      ))}
    </View>
  )
}
