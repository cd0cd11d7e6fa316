import { useEffect, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import type { LocationProposals } from '@anchor/shared'
import { errorMessage } from '../../api/client'
import { confirmCustomerLocation } from '../../api/signins'
import { goTo } from '../../utils/nav'
import { formatInstant } from '../../utils/time'

/**
 * 位置待确认 on the supervisor's (and admin's) home: customers whose location was proposed from their first
 * sign-ins, each confirmed in one tap here (the name opens the customer for a closer look). Until it is
 * confirmed no sign-in at that customer is measured, so 已签到 · 120 m cannot show.
 */
const COLLAPSED = 3

export function LocationProposalsCard(props: { proposals: LocationProposals; onConfirmed: () => void }) {
  const [items, setItems] = useState(props.proposals.items)
  const [count, setCount] = useState(props.proposals.count)
  const [busy, setBusy] = useState(0)
  const [error, setError] = useState('')
  // three at first, so the customer list stays in reach on the home screen; the rest on a tap
  const [open, setOpen] = useState(false)
  useEffect(() => {
    setItems(props.proposals.items)
    setCount(props.proposals.count)
  }, [props.proposals])

  if (!count) return null
  const confirm = async (customerId: number) => {
    setBusy(customerId)
    setError('')
    try {
      await confirmCustomerLocation(customerId)
      setItems((list) => list.filter((p) => p.customerId !== customerId))
      setCount((n) => n - 1)
      void Taro.showToast({ title: '已确认客户位置', icon: 'success' })
      // the next waiting ones move up
      if (count > items.length) props.onConfirmed()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(0)
    }
  }
  return (
    <View className='card location-proposals' id='location-proposals'>
      <View className='row row--between'>
        <Text className='home-summary__count'>位置待确认 {count}</Text>
      </View>
      <Text className='muted location-proposals__hint'>由最初几次签到推算的客户位置。确认后，签到才显示与客户的距离。</Text>
      {error ? <Text className='message-error'>{error}</Text> : null}
      {(open ? items : items.slice(0, COLLAPSED)).map((p) => (
        <View key={p.customerId} className='row row--between home-summary__item location-proposal' data-id={p.customerId}>
          <View className='location-proposal__body' onClick={() => void goTo('customer', { id: p.customerId })}>
            <Text className='home-summary__name home-summary__link location-proposal__name'>{p.customerName}</Text>
            <Text className='muted location-proposal__meta'>
              负责人 {p.owner.name || '—'} · {p.sampleCount ?? '?'} 次签到 · {formatInstant(p.proposedAt)}
            </Text>
            <Text className='muted location-proposal__meta'>
              {p.lat.toFixed(5)}, {p.lng.toFixed(5)}（GCJ-02）
            </Text>
          </View>
          <Button id={`confirm-location-${p.customerId}`} className='btn btn--small btn--primary location-proposal__confirm' disabled={busy === p.customerId} onClick={() => void confirm(p.customerId)}>
            {busy === p.customerId ? '确认中…' : '确认'}
          </Button>
        </View>
      ))}
      {!open && items.length > COLLAPSED ? (
        <Text id='location-proposals-more' className='home-summary__link location-proposals__more' onClick={() => setOpen(true)}>
          展开其余 {items.length - COLLAPSED} 家
        </Text>
      ) : null}
      {open && count > items.length ? <Text className='muted location-proposals__more'>还有 {count - items.length} 家，确认上面的后显示</Text> : null}
    </View>
  )
}
