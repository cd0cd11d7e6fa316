import { Text, View } from '@tarojs/components'
import { can } from '@anchor/shared'
import { materialsApi } from '../api/materials'
import { getSession } from '../api/session'
import { useRequest } from '../api/use-request'
import { goTo } from '../utils/nav'
import './customer-materials.css'

/**
 * On a customer's page: materials fitting its stage, industry and last visit's bottleneck (why each
 * fits), and what the customer did with the ones shared to them (「王主任 打开了 《快装方案》 2 次」).
 */
export function CustomerMaterials(props: { customerId: number }) {
  const role = getSession()?.member.role
  const allowed = can(role, 'materials.read')
  const data = useRequest(async () => {
    if (!allowed) return null
    const [fit, shares] = await Promise.all([materialsApi.forCustomer(props.customerId), materialsApi.shares(props.customerId)])
    return { fit, shares: shares.items.filter((s) => !s.revokedAt) }
  }, [props.customerId, allowed])
  if (!allowed || !data.data) return null
  const { fit, shares } = data.data
  return (
    <View className='customer__section customer-materials' id='customer-materials'>
      <View className='row row--between'>
        <Text className='customer-materials__title'>推荐素材</Text>
        <Text className='customer-materials__more' id='customer-materials-all' onClick={() => void goTo('materials', { customerId: props.customerId })}>
          全部素材 ›
        </Text>
      </View>
      <Text className='muted customer-materials__hint'>
        按阶段「{fit.stage}」、行业「{fit.industry}」{fit.bottleneck ? `、最近拜访的瓶颈「${fit.bottleneck}」` : ''}推荐
      </Text>
      {shares.slice(0, 3).map((s) => (
        <Text key={s.id} className='customer-materials__opened' data-share={s.id}>
          {s.summary}
        </Text>
      ))}
      {fit.items.length === 0 ? <View className='state'>暂无匹配的素材</View> : null}
      {fit.items.slice(0, 5).map((m) => (
        <View key={m.id} className='card customer-materials__item' data-id={m.id} onClick={() => void goTo('material', { id: m.id, customerId: props.customerId })}>
          <Text className='customer-materials__name'>{m.kindLabel} · {m.title}</Text>
          <Text className='muted customer-materials__fits'>{(m.fits ?? []).join(' · ')}</Text>
        </View>
      ))}
    </View>
  )
}
