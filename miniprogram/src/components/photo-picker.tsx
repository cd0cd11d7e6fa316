import { useEffect, useRef, useState } from 'react'
import { Image, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { errorMessage, isApiError, uploadFile } from '../api/client'
import { PRIVACY_REFUSED_PHOTO, isPrivacyRefusal } from '../api/privacy'
import './photo-picker.css'

interface PickedPhoto {
  key: string
  localPath: string
  id?: number
  uploading: boolean
  error?: string
  /** a network or server failure, worth another try; a refusal (size, type, quota) is not */
  retryable?: boolean
}

export interface PhotoPickerProps {
  /** Prefix of the element ids: `<id>-add`, `<id>-item`. */
  id: string
  max: number
  addLabel?: string
  /** Called with the uploaded photo ids and whether an upload is still running. */
  onChange: (photoIds: number[], busy: boolean) => void
}

let sequence = 0

/** Photos from camera or album, uploaded as soon as they are picked so the form only carries ids. */
export function PhotoPicker({ id, max, addLabel = '拍照 / 相册', onChange }: PhotoPickerProps) {
  const [photos, setPhotos] = useState<PickedPhoto[]>([])
  // why the camera/album did not open (privacy consent refused), so the button does not just do nothing
  const [refusal, setRefusal] = useState('')
  const report = useRef(onChange)
  report.current = onChange

  useEffect(() => {
    report.current(
      photos.filter((p) => p.id !== undefined).map((p) => p.id!),
      photos.some((p) => p.uploading),
    )
  }, [photos])

  const patch = (key: string, change: Partial<PickedPhoto>) =>
    setPhotos((list) => list.map((p) => (p.key === key ? { ...p, ...change } : p)))

  const upload = async (key: string, localPath: string) => {
    patch(key, { uploading: true, error: undefined })
    try {
      const stored = await uploadFile<{ id: number }>('/photos', localPath)
      patch(key, { uploading: false, id: stored.id })
    } catch (e) {
      // The server says why it refused a photo (too large, not an image, over the quota): show that.
      const refused = isApiError(e) && e.status >= 400 && e.status < 500 && e.status !== 408
      patch(key, { uploading: false, error: refused ? errorMessage(e) : '上传失败，点此重试', retryable: !refused })
    }
  }

  const choose = async () => {
    const room = max - photos.length
    if (room <= 0) return
    let chosen: string[]
    try {
      const res = await Taro.chooseImage({ count: room, sizeType: ['compressed'], sourceType: ['camera', 'album'] })
      chosen = res.tempFilePaths.slice(0, room)
      setRefusal('')
    } catch (e) {
      setRefusal(isPrivacyRefusal(e) ? PRIVACY_REFUSED_PHOTO : '')
      return // refused or cancelled
    }
    const added = chosen.map((localPath) => ({ key: `p${++sequence}`, localPath, uploading: true }))
    setPhotos((list) => [...list, ...added])
    for (const p of added) void upload(p.key, p.localPath)
  }

  const remove = (key: string) => setPhotos((list) => list.filter((p) => p.key !== key))

  return (
    <View className='photo-picker'>
      {photos.map((p) => (
        <View key={p.key} className={`photo-picker__item ${id}-item ${p.error ? 'photo-picker__item--failed' : ''}`}>
          <Image className='photo-picker__image' src={p.localPath} mode='aspectFill' />
          {p.uploading ? <Text className='photo-picker__status'>上传中…</Text> : null}
          {p.error ? (
            <Text
              className='photo-picker__status photo-picker__status--error'
              onClick={p.retryable ? () => void upload(p.key, p.localPath) : undefined}
            >
              {p.error}
            </Text>
          ) : null}
          <View className='photo-picker__remove' onClick={() => remove(p.key)}>
            ×
          </View>
        </View>
      ))}
      {photos.length < max ? (
        <View id={`${id}-add`} className='photo-picker__add' onClick={() => void choose()}>
          <Text className='photo-picker__plus'>+</Text>
          <Text className='photo-picker__add-label'>{addLabel}</Text>
        </View>
      ) : null}
      <Text className='muted photo-picker__count'>
        {photos.length}/{max}
      </Text>
      {refusal ? (
        <Text id={`${id}-refused`} className='photo-picker__refused'>
          {refusal}
        </Text>
      ) : null}
    </View>
  )
}
