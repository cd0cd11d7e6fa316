import { useEffect, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import type { TaskPoolView } from '@anchor/shared'
import { errorMessage, isApiError } from '../../api/client'
import { listTaskPools, setTaskPoolMembers } from '../../api/task-pools'

/**
 * Admin: who acts for each task pool that needs picking (policy taskPools `chosen`, e.g. 市场负责人).
 * Tap members to pick them, then 保存. While nobody is picked every member of the pool's roles acts,
 * and the card says so; role pools are listed with the roles they follow.
 */
export function TaskPoolsCard() {
  const [pools, setPools] = useState<TaskPoolView[] | null>(null)
  const [picked, setPicked] = useState<Record<string, number[]>>({})
  const [busy, setBusy] = useState<string | null>(null)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [saved, setSaved] = useState<Record<string, boolean>>({})
  const [loadError, setLoadError] = useState('')

  const load = async () => {
    setLoadError('')
    try {
      const { items } = await listTaskPools()
      setPools(items)
      setPicked(Object.fromEntries(items.map((p) => [p.id, p.members.map((m) => m.id)])))
    } catch (e) {
      setLoadError(errorMessage(e))
    }
  }
  useEffect(() => {
    void load()
  }, [])

  const toggle = (pool: string, id: number) => {
    setSaved((s) => ({ ...s, [pool]: false }))
    setPicked((p) => {
      const now = p[pool] ?? []
      return { ...p, [pool]: now.includes(id) ? now.filter((x) => x !== id) : [...now, id] }
    })
  }

  const save = async (pool: TaskPoolView) => {
    setBusy(pool.id)
    setErrors((e) => ({ ...e, [pool.id]: '' }))
    try {
      const updated = await setTaskPoolMembers(pool.id, picked[pool.id] ?? [])
      setPools((list) => (list ?? []).map((p) => (p.id === updated.id ? updated : p)))
      setPicked((p) => ({ ...p, [pool.id]: updated.members.map((m) => m.id) }))
      setSaved((s) => ({ ...s, [pool.id]: true }))
    } catch (e) {
      setErrors((errs) => ({ ...errs, [pool.id]: isApiError(e) && e.fields.memberIds ? e.fields.memberIds : errorMessage(e) }))
    } finally {
      setBusy(null)
    }
  }

  return (
    <View className='card me__pools' id='task-pools'>
      <Text className='me__section-title'>任务池</Text>
      <Text className='muted me__line'>任务可交给一个池，池里任何一人处理即可（先处理者为准）。</Text>
      {loadError ? (
        <View>
          <Text className='message-error' id='task-pools-error'>{loadError}</Text>
          <Button className='btn btn--small' onClick={() => void load()}>重试</Button>
        </View>
      ) : null}
      {pools === null && !loadError ? <Text className='muted me__line'>加载中…</Text> : null}
      {(pools ?? []).map((pool) => (
        <View key={pool.id} className='me__pool' id={`task-pool-${pool.id}`}>
          <View className='row row--between'>
            <Text className='me__pool-name'>{pool.label}</Text>
            <Text className='muted'>{pool.chosen ? `由管理员选定（${pool.roleLabels.join('、')}）` : `全部${pool.roleLabels.join('、')}`}</Text>
          </View>
          {pool.warning ? (
            <Text className='me__pool-warning' id={`task-pool-${pool.id}-warning`}>
              {pool.warning}
            </Text>
          ) : null}
          {pool.chosen ? (
            <View>
              {pool.candidates.length === 0 ? <Text className='muted me__line'>暂无可选的在职成员</Text> : null}
              <View className='row me__pool-members'>
                {pool.candidates.map((c) => (
                  <View
                    key={c.id}
                    id={`task-pool-${pool.id}-member-${c.id}`}
                    className={`chip ${(picked[pool.id] ?? []).includes(c.id) ? 'chip--on' : ''}`}
                    onClick={() => toggle(pool.id, c.id)}
                  >
                    {c.name}
                  </View>
                ))}
              </View>
              {errors[pool.id] ? (
                <Text className='message-error' id={`task-pool-${pool.id}-error`}>
                  {errors[pool.id]}
                </Text>
              ) : null}
              <View className='row me__pool-actions'>
                <Button id={`task-pool-${pool.id}-save`} className='btn btn--small btn--primary' disabled={busy !== null} onClick={() => void save(pool)}>
                  {busy === pool.id ? '保存中…' : '保存'}
                </Button>
                {saved[pool.id] ? <Text className='muted me__pool-saved' id={`task-pool-${pool.id}-saved`}>已保存</Text> : null}
              </View>
            </View>
          ) : null}
        </View>
      ))}
    </View>
  )
}
