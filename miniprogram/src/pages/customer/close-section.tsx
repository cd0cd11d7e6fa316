import { useEffect, useState } from 'react'
import { Button, Input, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { DEFAULT_LOST_REASONS, OTHER_LOST_REASON, can, type Role } from '@anchor/shared'
import { api, errorMessage, isApiError } from '../../api/client'
import { loadOptions } from '../../api/options'
import type { Customer } from '../../api/types'
import { StatusTag } from '../../components/tag'
import { formatInstant } from '../../utils/time'

/**
 * 关闭/丢单 on the customer page: whoever works the customer closes it as lost with a reason from the
 * policy (其他 with a few words); a closed customer says why, and a supervisor (or above) reopens it.
 */
export function CloseSection(props: { customer: Customer; role: Role | undefined; onChange: (customer: Customer) => void }) {
  const { customer, role } = props
  const [open, setOpen] = useState(false)
  const [reasons, setReasons] = useState<string[]>(DEFAULT_LOST_REASONS)
  const [reason, setReason] = useState('')
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [fields, setFields] = useState<Record<string, string>>({})

  useEffect(() => {
    void loadOptions()
      .then((o) => o.lostReasons?.length && setReasons(o.lostReasons))
      .catch(() => undefined)
  }, [])

  const call = async (path: string, body: Record<string, unknown>, done: string) => {
    setBusy(true)
    setError('')
    setFields({})
    try {
      const updated = await api.post<Customer>(`/customers/${customer.id}/${path}`, body)
      setOpen(false)
      props.onChange(updated)
      void Taro.showToast({ title: done, icon: 'success' })
    } catch (e) {
      if (isApiError(e) && e.fields) setFields(e.fields)
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const closed = customer.closed
  if (closed) {
    return (
      <View className='card customer__closed' id='customer-closed'>
        <View className='row row--between'>
          <StatusTag tone='red'>已丢单</StatusTag>
          <Text className='muted'>{formatInstant(closed.at, true)}</Text>
        </View>
        <Text className='customer__line' id='customer-closed-reason'>
          原因：{closed.text}
        </Text>
        <Text className='customer__line muted'>
          在「{customer.stageLabel}」阶段关闭{closed.by?.name ? ` · ${closed.by.name}` : ''}
        </Text>
        {error ? <Text className='customer__line state--error'>{error}</Text> : null}
        {can(role, 'customers.reopen') ? (
          <Button id='reopen-customer' className='btn btn--block' disabled={busy} onClick={() => void call('reopen', {}, '已重新打开')}>
            {busy ? '提交中…' : '重新打开'}
          </Button>
        ) : null}
      </View>
    )
  }
  if (!can(role, 'customers.close')) return null
  if (!open) {
    return (
      <Text id='close-customer' className='customer__close-link' onClick={() => setOpen(true)}>
        关闭客户（丢单）›
      </Text>
    )
  }
  return (
    <View className='card customer__close-form' id='close-form'>
      <Text className='field__label'>
        丢单原因<Text className='field__required'> *</Text>
      </Text>
      <View className='row customer__reasons'>
        {reasons.map((r) => (
          <View key={r} id={`lost-reason-${r}`} className={`chip ${reason === r ? 'chip--on' : ''}`} onClick={() => (setReason(r), setError(''), setFields(({ reason: _, ...rest }) => rest))}>
            {r}
          </View>
        ))}
      </View>
      {fields.reason ? <Text className='customer__line state--error'>{fields.reason}</Text> : null}
      <Text className='field__label'>原因说明{reason === OTHER_LOST_REASON ? <Text className='field__required'> *</Text> : '（选填）'}</Text>
      <Input id='lost-note' className='input' maxlength={100} placeholder='例如：竞品签了三年独家' value={note} onInput={(e) => (setNote(e.detail.value), setError(''), setFields(({ note: _, ...rest }) => rest))} />
      {fields.note ? <Text className='customer__line state--error'>{fields.note}</Text> : null}
      {error && !Object.keys(fields).length ? <Text className='customer__line state--error'>{error}</Text> : null}
      <View className='row customer__close-actions'>
        <Button
          id='confirm-close'
          className='btn btn--danger'
          disabled={busy}
          onClick={() => void call('close', { ...(reason ? { reason } : {}), ...(note.trim() ? { note: note.trim() } : {}) }, '已关闭（丢单）')}
        >
          {busy ? '提交中…' : '确认丢单'}
        </Button>
        <Button id='cancel-close' className='btn' disabled={busy} onClick={() => setOpen(false)}>
          取消
        </Button>
      </View>
    </View>
  )
}
