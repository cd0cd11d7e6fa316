import { useState } from 'react'
import { Button, Text, Textarea, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { ACTION_DONE_FIELD_LABELS, MAX_ACTION_DONE_PHOTOS, textLength, type ActionDoneView } from '@anchor/shared'
import { api, errorMessage, isApiError } from '../api/client'
import { formatInstant } from '../utils/time'
import { PhotoPicker } from './photo-picker'
import { PhotoThumbs } from './photo-thumbs'
import { StatusTag } from './tag'
import './action-done.css'

/** What POST /visits/:id/action-done and GET /agreed-actions answer for one visit. */
export interface AgreedActionState {
  visitId: number
  nextFollowUpAt: string | null
  actionDone: ActionDoneView | null
  canComplete: boolean
}

/** 「已完成 · 按时」 or 「已完成 · 逾期」: the tag on a card. */
export function ActionDoneTag(props: { done: ActionDoneView; id?: string }) {
  return (
    <StatusTag tone={props.done.onTime ? 'green' : 'orange'} className='action-done__tag'>
      {props.done.onTime ? '已完成 · 按时' : '已完成 · 逾期'}
    </StatusTag>
  )
}

/**
 * The agreed action of a visit: marked done (when, by whom, on time or not, its evidence), or the
 * 「标记完成」 button for its rep (or their supervisor), with an optional note and photos as evidence.
 * Used on the visit detail and on the rep's 待办 cards.
 */
export function ActionDone(props: {
  visitId: number
  done: ActionDoneView | null
  canComplete: boolean
  /** the card is compact: the evidence (note, photos) shows on the visit detail */
  compact?: boolean
  onChange: (state: AgreedActionState) => void
}) {
  const { visitId, done } = props
  const [open, setOpen] = useState(false)
  const [note, setNote] = useState('')
  const [photoIds, setPhotoIds] = useState<number[]>([])
  const [photosBusy, setPhotosBusy] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  if (done) {
    return (
      <View className='action-done action-done--done' id={`action-done-${visitId}`}>
        <View className='row action-done__line'>
          <ActionDoneTag done={done} />
          <Text className='muted action-done__when'>
            {formatInstant(done.at)}
            {done.by.name ? ` · ${done.by.name}` : ''}
          </Text>
        </View>
        {!props.compact && done.note ? <Text className='action-done__note'>{done.note}</Text> : null}
        {!props.compact && done.photoIds.length ? <PhotoThumbs ids={done.photoIds} /> : null}
      </View>
    )
  }
  if (!props.canComplete) return null

  const submit = async () => {
    if (busy) return
    if (photosBusy) {
      setError('照片还在上传，请稍候')
      return
    }
    setBusy(true)
    setError('')
    try {
      const state = await api.post<AgreedActionState>(`/visits/${visitId}/action-done`, { ...(note.trim() ? { note: note.trim() } : {}), photoIds })
      setOpen(false)
      props.onChange(state)
      void Taro.showToast({ title: state.actionDone?.onTime === false ? '已完成（已过跟进时间）' : '已标记完成', icon: 'success' })
    } catch (e) {
      // done already (from another phone, or by the supervisor): say so, with who and when
      setError(isApiError(e) && e.fields ? Object.values(e.fields).join('；') : errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  if (!open) {
    return (
      <View className='action-done' id={`action-done-${visitId}`}>
        {error ? <Text className='state--error action-done__error'>{error}</Text> : null}
        <Button id={`mark-done-${visitId}`} className='btn btn--primary action-done__mark' onClick={() => setOpen(true)}>
          标记完成
        </Button>
      </View>
    )
  }
  return (
    <View className='action-done action-done--form' id={`action-done-${visitId}`}>
      <Text className='field__label'>{ACTION_DONE_FIELD_LABELS.note}（选填）</Text>
      <Textarea
        id={`action-done-note-${visitId}`}
        className='textarea textarea--short'
        maxlength={200}
        placeholder='例如：方案已发给主任，对方已确认收到'
        value={note}
        onInput={(e) => setNote(e.detail.value)}
      />
      <Text className='muted action-done__count'>{textLength(note)} / 200</Text>
      <Text className='field__label'>{ACTION_DONE_FIELD_LABELS.photoIds}（选填）</Text>
      <PhotoPicker
        id={`action-done-photo-${visitId}`}
        max={MAX_ACTION_DONE_PHOTOS}
        onChange={(ids, uploading) => {
          setPhotoIds(ids)
          setPhotosBusy(uploading)
        }}
      />
      {error ? <Text className='state--error action-done__error'>{error}</Text> : null}
      <View className='row action-done__actions'>
        <Button id={`confirm-done-${visitId}`} className='btn btn--primary' disabled={busy} onClick={() => void submit()}>
          {busy ? '提交中…' : '确认完成'}
        </Button>
        <Button id={`cancel-done-${visitId}`} className='btn' disabled={busy} onClick={() => setOpen(false)}>
          取消
        </Button>
      </View>
    </View>
  )
}
