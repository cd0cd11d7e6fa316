import { useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import { useRouter } from '@tarojs/taro'
import { CONTRACT_STATES, CONTRACT_STATE_LABELS, ROLE_LABELS, can, formatYuan, type ContractState } from '@anchor/shared'
import { CONTRACT_STATE_TONES, contractsApi } from '../../api/contracts'
import { useTeamTimeZone } from '../../api/options'
import { getSession } from '../../api/session'
import { useRequest } from '../../api/use-request'
import { NotFound, PageLoading } from '../../components/load-state'
import { StatusTag } from '../../components/tag'
import { backOr, goTo } from '../../utils/nav'
import { formatInstant } from '../../utils/time'
import './index.css'

/** 合同: the contracts in the caller's reach by state (a customer's, when opened from its page). */
export default function Contracts() {
  const role = getSession()?.member.role
  if (!can(role, 'contracts.read')) {
    return <NotFound id='contracts-forbidden' message={`你的岗位（${role ? ROLE_LABELS[role] : '未登录'}）不查看合同`} onBack={() => void backOr('me')} />
  }
  return <ContractList />
}

function ContractList() {
  useTeamTimeZone()
  const params = useRouter().params
  const customerId = Number(params.customerId) || undefined
  const [state, setState] = useState<ContractState | undefined>(CONTRACT_STATES.includes(params.state as ContractState) ? (params.state as ContractState) : undefined)
  const role = getSession()?.member.role
  const data = useRequest(() => contractsApi.list({ state, customerId, pageSize: 100 }), [state, customerId])
  if (!data.data) return <PageLoading errorId='contracts-error' error={data.error} onRetry={data.reload} />
  const page = data.data
  return (
    <View className='page contracts'>
      <View className='row row--between contracts__top'>
        <Text className='contracts__title'>合同</Text>
        {customerId && can(role, 'contracts.submit') ? (
          <Button id='contracts-new' className='btn btn--small btn--primary' onClick={() => void goTo('contractEdit', { customerId })}>
            新建合同
          </Button>
        ) : null}
      </View>
      <View className='row contracts__chips'>
        <View id='contracts-state-all' className={`chip ${state === undefined ? 'chip--on' : ''}`} onClick={() => setState(undefined)}>
          全部
        </View>
        {CONTRACT_STATES.map((s) => (
          <View key={s} id={`contracts-state-${s}`} className={`chip ${state === s ? 'chip--on' : ''}`} onClick={() => setState(s)}>
            {CONTRACT_STATE_LABELS[s]}
          </View>
        ))}
      </View>
      <Text className='muted contracts__count'>共 {page.total} 份合同{customerId && page.items[0] ? ` · ${page.items[0].customer.name}` : ''}</Text>
      <View id='contract-list' className='contracts__list'>
        {page.items.length === 0 ? <View className='state'>没有符合条件的合同{can(role, 'contracts.submit') ? '（在客户页点「新建合同」起草）' : ''}</View> : null}
        {page.items.map((c) => (
          <View key={c.id} className='card contract-card' data-id={c.id} id={`contract-${c.id}`} onClick={() => void goTo('contract', { id: c.id })}>
            <View className='row row--between'>
              <Text className='contract-card__title'>
                {c.number} · {c.customer.name}
              </Text>
              <StatusTag tone={CONTRACT_STATE_TONES[c.state]}>{c.stateLabel}</StatusTag>
            </View>
            <View className='row row--between contract-card__meta'>
              <Text className='contract-card__amount'>{formatYuan(c.amountFen)}</Text>
              <Text className='muted'>{c.owner.name} · {formatInstant(c.updatedAt)}</Text>
            </View>
            {c.waitingAt ? <Text className='muted contract-card__line'>审批中：{c.waitingAt}</Text> : null}
            {c.state === 'rejected' && c.rejectReason ? <Text className='contract__reject contract-card__line'>驳回：{c.rejectReason}</Text> : null}
            {c.needsMarketing ? <Text className='muted contract-card__line'>需市场支持</Text> : null}
          </View>
        ))}
      </View>
    </View>
  )
}
