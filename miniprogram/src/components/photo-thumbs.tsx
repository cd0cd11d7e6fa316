import { useEffect, useState } from 'react'
import { Image, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { API_BASE } from '../api/client'
import { getToken } from '../api/session'
import './photo-thumbs.css'

// Photos are only served with the member's token, which an <Image src> cannot send: each is downloaded
// once with it (a temp file on weapp, a blob URL on H5) and shown from there.
const downloaded = new Map<number, Promise<string>>()

function localCopy(id: number): Promise<string> {
  let pending = downloaded.get(id)
  if (!pending) {
    const token = getToken()
    pending = Taro.downloadFile({ url: `${API_BASE}/api/v1/photos/${id}`, header: token ? { Authorization: `Bearer ${token}` } : {} }).then((res) => {
      if (res.statusCode !== 200 || !res.tempFilePath) throw new Error(`photo ${id}: ${res.statusCode}`)
      return res.tempFilePath
    })
    pending.catch(() => downloaded.delete(id)) // a failed download is tried again next time
    downloaded.set(id, pending)
  }
  return pending
}

/** Dropped at logout with the session that fetched them. */
export function forgetPhotos(): void {
  downloaded.clear()
}

/** A record's photos as thumbnails; a tap opens them full screen. */
export function PhotoThumbs(props: { ids: number[] }) {
  const [paths, setPaths] = useState<Record<number, string | null>>({})

  useEffect(() => {
    let alive = true
    for (const id of props.ids) {
      localCopy(id).then(
        (path) => alive && setPaths((p) => ({ ...p, [id]: path })),
        () => alive && setPaths((p) => ({ ...p, [id]: null })),
      )
    }
    return () => {
      alive = false
    }
  }, [props.ids.join(',')]) // eslint-disable-line react-hooks/exhaustive-deps

  if (!props.ids.length) return null
  const shown = props.ids.map((id) => paths[id]).filter((p): p is string => !!p)
  return (
    <View className='photo-thumbs'>
      {props.ids.map((id) =>
        paths[id] ? (
          <Image
            key={id}
            className='photo-thumbs__image'
            src={paths[id]!}
            mode='aspectFill'
            onClick={(e) => {
              e.stopPropagation() // inside a tappable card: enlarge the photo, do not open the card
              void Taro.previewImage({ urls: shown, current: paths[id]! })
            }}
          />
        ) : (
          <View key={id} className='photo-thumbs__image photo-thumbs__placeholder'>
            <Text>{paths[id] === null ? '加载失败' : '…'}</Text>
          </View>
        ),
      )}
    </View>
  )
}
