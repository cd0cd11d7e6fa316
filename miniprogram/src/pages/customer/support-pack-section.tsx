import { Text, View } from '@tarojs/components'
import { MATERIAL_KIND_LABELS, type MaterialKind } from '@anchor/shared'
import { api } from '../../api/client'
import { useRequest } from '../../api/use-request'
import { goTo } from '../../utils/nav'
import { formatInstant } from '../../utils/time'

export interface SupportPackPush {
  id: number
  grade: string
  pushedAt: string
  materials: Array<{ id: number; title: string; kind: string }>
}

/**
 * 支持包: the support pack pushed to the owner when the customer became A+ (policy grading.strategies),
 * its materials one tap away (opened for this customer), and the earlier pushes below. Shown only once a
 * pack was pushed; the WeCom text of a push links to this page.
 */
export function SupportPackSection({ id, reloadKey }: { id: number; reloadKey: string }) {
  const packs = useRequest(() => api.get<{ items: SupportPackPush[] }>(`/customers/${id}/support-packs`), [id, reloadKey])
  const items = packs.data?.items ?? []
  const latest = items[0]
  if (!latest) return null
  return (
    <View className='customer__section' id='customer-support-pack'>
      <Text className='customer__section-title'>支持包</Text>
      <Text className='customer__line muted' id='customer-support-pack-when'>
        升为 {latest.grade} 客户时推送 · {formatInstant(latest.pushedAt, true)} · {latest.materials.length} 份素材
      </Text>
      {latest.materials.map((m) => (
        <View key={m.id} className='card customer__pack-item' data-id={m.id} onClick={() => void goTo('material', { id: m.id, customerId: id })}>
          <Text className='customer__line'>
            {MATERIAL_KIND_LABELS[m.kind as MaterialKind] ?? m.kind} · {m.title} ›
          </Text>
        </View>
      ))}
      {items.slice(1, 4).map((p) => (
        <Text key={p.id} className='customer__line muted'>
          {formatInstant(p.pushedAt, true)} 推送 {p.materials.length} 份素材（升为 {p.grade}）
        </Text>
      ))}
    </View>
  )
}
