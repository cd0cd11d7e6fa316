import { Text, View } from '@tarojs/components'
import type { CampaignStepView } from '@anchor/shared'
import { campaignsApi } from '../../../api/campaigns'
import { useRequest } from '../../../api/use-request'
import { PageLoading } from '../../../components/load-state'
import { StatusTag } from '../../../components/tag'
import { goTo } from '../../../utils/nav'
import { lastMinute } from '../due'
import { formatInstant } from '../../../utils/time'

export interface DrillQuery {
  title: string
  repId?: number
  teamId?: number
  seq?: number
  state?: string
}

const RECORD_LABEL = { visit: '拜访', share: '分享', stage: '阶段变化' } as const

/** The board's drill-down: the targets behind a number, each step with the record that completed it (tap: the visit or the customer). */
export function Drill(props: { campaignId: number; steps: CampaignStepView[]; query: DrillQuery; onClose: () => void }) {
  const { title, ...query } = props.query
  const data = useRequest(() => campaignsApi.targets(props.campaignId, query), [props.campaignId, JSON.stringify(query)])
  return (
    <View id='board-drill' className='card board__drill'>
      <View className='row row--between'>
        <Text className='board__name'>{title}</Text>
        <Text id='board-drill-close' className='board__link' onClick={props.onClose}>
          收起
        </Text>
      </View>
      {!data.data ? (
        <PageLoading errorId='drill-error' error={data.error} onRetry={data.reload} />
      ) : (
        <View className='board__drill-list'>
          <Text className='muted'>共 {data.data.total} 位目标客户</Text>
          {data.data.items.map((t) => (
            <View key={t.id} className='board__drill-row' data-customer={t.customer.id}>
              <View className='row row--between'>
                <Text className='board__link' onClick={() => void goTo('customer', { id: t.customer.id })}>
                  {t.customer.name}
                </Text>
                <Text className='muted'>
                  {t.owner.name}
                  {t.state === 'dropped' ? ' · 已移出' : ''}
                  {t.openException ? ` · 异常：${t.openException.reason}` : ''}
                </Text>
              </View>
              <View className='row board__drill-steps'>
                {t.steps.map((s, i) => {
                  const step = props.steps[i]
                  if (s.done && s.record) {
                    const record = s.record
                    return (
                      <Text key={s.seq} className='board__drill-step board__drill-step--done' onClick={() => void (record.kind === 'visit' ? goTo('visitDetail', { id: record.id }) : goTo('customer', { id: t.customer.id }))}>
                        {s.seq}. {step?.title}：{RECORD_LABEL[record.kind]} {formatInstant(record.at)}
                      </Text>
                    )
                  }
                  return (
                    <Text key={s.seq} className={`board__drill-step ${s.overdue ? 'board__drill-step--late' : ''}`}>
                      {s.seq}. {step?.title}：{s.overdue ? '已逾期' : '未完成'}
                      {s.dueAt ? `（${formatInstant(lastMinute(s.dueAt))} 前）` : ''}
                    </Text>
                  )
                })}
              </View>
              {t.converted ? <StatusTag tone='green'>已达成</StatusTag> : null}
            </View>
          ))}
        </View>
      )}
    </View>
  )
}
