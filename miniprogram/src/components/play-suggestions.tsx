import { useEffect, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import type { PlaySuggestions as Suggestions, PlayView } from '@anchor/shared'
import { api } from '../api/client'
import './play-suggestions.css'

/**
 * 赢单打法: what worked before for the bottleneck the rep just picked (their region's visits that moved a
 * customer forward). Only shown, never filled in: 复制 puts a play's value point into the value-point field
 * when the rep taps it, and the visit then records which play it was.
 */
export function PlaySuggestions(props: { bottleneck: string; objective: string; customerId: number; copiedKey: string | null; onCopy: (play: PlayView) => void }) {
  const { bottleneck, objective, customerId } = props
  const [state, setState] = useState<{ for: string; data: Suggestions | null; failed: boolean } | null>(null)
  useEffect(() => {
    if (!bottleneck) return
    let live = true
    const query = `bottleneck=${encodeURIComponent(bottleneck)}${objective ? `&objective=${encodeURIComponent(objective)}` : ''}${customerId ? `&customerId=${customerId}` : ''}`
    api
      .get<Suggestions>(`/plays/suggestions?${query}`)
      .then((data) => live && setState({ for: bottleneck, data, failed: false }))
      // offline or the server away: the form works without suggestions
      .catch(() => live && setState({ for: bottleneck, data: null, failed: true }))
    return () => {
      live = false
    }
  }, [bottleneck, objective, customerId])
  if (!bottleneck || !state || state.for !== bottleneck) return null
  const plays = state.data?.plays ?? []
  return (
    <View className='plays' id='play-suggestions'>
      <Text className='plays__title'>赢单打法参考 · {bottleneck}</Text>
      {state.failed && <Text className='plays__reason'>暂时无法加载打法建议</Text>}
      {!state.failed && plays.length === 0 && <Text className='plays__reason'>{state.data?.reason ?? '暂无打法建议'}</Text>}
      {plays.map((play, i) => (
        <View key={play.key} className={`plays__item${props.copiedKey === play.key ? ' plays__item--copied' : ''}`}>
          <View className='plays__text'>
            <Text className='plays__value'>{play.valuePoint}</Text>
            <Text className='plays__figure'>{play.label}</Text>
            {(play.topAction || play.customerSegment) && (
              <Text className='plays__meta'>
                {[play.topAction ? `常配合：${play.topAction}` : '', play.customerSegment ? `同类客户 ${play.customerSegment.label}` : ''].filter(Boolean).join(' · ')}
              </Text>
            )}
          </View>
          <Button id={`copy-play-${i}`} className='btn btn--small plays__copy' onClick={() => props.onCopy(play)}>
            {props.copiedKey === play.key ? '已复制' : '复制'}
          </Button>
        </View>
      ))}
    </View>
  )
}
