import { useState } from 'react'
import { Button, Input, Text, View } from '@tarojs/components'
import { useRouter } from '@tarojs/taro'
import { ROLE_LABELS, can } from '@anchor/shared'
import { materialsApi, KIND_TONES, type Material } from '../../api/materials'
import { getSession } from '../../api/session'
import { useRequest } from '../../api/use-request'
import { NotFound, PageLoading } from '../../components/load-state'
import { StatusTag } from '../../components/tag'
import { backOr, goTo } from '../../utils/nav'
import './index.css'

/** One material in a list: kind, title, description, tags; and, for a customer, why it fits. */
export function MaterialCard(props: { m: Material; customerId?: number }) {
  const { m } = props
  return (
    <View className='card material-card' data-id={m.id} onClick={() => void goTo('material', { id: m.id, ...(props.customerId ? { customerId: props.customerId } : {}) })}>
      <View className='row material-card__head'>
        <StatusTag tone={KIND_TONES[m.kind]}>{m.kindLabel}</StatusTag>
        <Text className='material-card__title'>{m.title}</Text>
      </View>
      {m.description ? <Text className='muted material-card__desc'>{m.description}</Text> : null}
      <View className='row material-card__tags'>
        {m.fits?.map((f) => (
          <Text key={f} className='material-card__fit'>{f}</Text>
        ))}
        {m.tags.map((t) => (
          <Text key={t.id} className='material-card__tag'>#{t.name}</Text>
        ))}
      </View>
    </View>
  )
}

/**
 * 营销素材: browse by scenario tag and search by text (Chinese substrings). Opened from a customer's page
 * (`customerId`), a share made from here is for that customer.
 */
export default function Materials() {
  const role = getSession()?.member.role
  // a link or an old page reached by a role without materials: say so, and only 返回 (重试 cannot help)
  if (!can(role, 'materials.read')) {
    return <NotFound id='materials-forbidden' message={`你的岗位（${role ? ROLE_LABELS[role] : '未登录'}）不使用营销素材`} onBack={() => void backOr('me')} />
  }
  return <MaterialBrowser />
}

function MaterialBrowser() {
  const params = useRouter().params
  const customerId = Number(params.customerId) || undefined
  const [q, setQ] = useState('')
  const [query, setQuery] = useState('')
  const [tagId, setTagId] = useState<number | undefined>(Number(params.tag) || undefined)
  const role = getSession()?.member.role
  const data = useRequest(async () => {
    const [tags, page] = await Promise.all([materialsApi.tags(), materialsApi.list({ q: query || undefined, tagId, pageSize: 100 })])
    return { tags, page }
  }, [query, tagId])

  if (!data.data) return <PageLoading errorId='materials-error' error={data.error} onRetry={data.reload} />
  const { tags, page } = data.data
  return (
    <View className='page materials'>
      <View className='row row--between materials__top'>
        <Text className='materials__title'>营销素材</Text>
        {can(role, 'materials.manage') || can(role, 'materials.usage.read') ? (
          <Button id='materials-manage' className='btn btn--small' onClick={() => void goTo('materialsManage')}>
            {can(role, 'materials.manage') ? '管理素材' : '使用情况'}
          </Button>
        ) : null}
      </View>
      <View className='row materials__search'>
        <Input id='materials-q' className='input materials__input' value={q} placeholder='搜索标题、简介、标签' confirmType='search' onInput={(e) => setQ(e.detail.value)} onConfirm={() => setQuery(q.trim())} />
        <Button id='materials-search' className='btn btn--small btn--primary' onClick={() => setQuery(q.trim())}>
          搜索
        </Button>
      </View>
      <View className='row materials__chips'>
        <View className={`chip ${tagId === undefined ? 'chip--on' : ''}`} onClick={() => setTagId(undefined)}>
          全部
        </View>
        {tags.map((t) => (
          <View key={t.id} className={`chip material-tag-chip ${tagId === t.id ? 'chip--on' : ''}`} data-tag={t.name} onClick={() => setTagId(t.id)}>
            {t.name}
          </View>
        ))}
      </View>
      <Text className='muted materials__count'>共 {page.total} 个素材{customerId ? ' · 分享时将记在该客户名下' : ''}</Text>
      <View id='material-list' className='materials__list'>
        {page.items.length === 0 ? <View className='state'>没有符合条件的素材</View> : null}
        {page.items.map((m) => (
          <MaterialCard key={m.id} m={m} customerId={customerId} />
        ))}
      </View>
    </View>
  )
}
