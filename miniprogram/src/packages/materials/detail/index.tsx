import { useEffect, useState } from 'react'
import { Button, Image, Text, Video, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { API_BASE, errorMessage } from '../../../api/client'
import { authedImage, materialsApi, openDocument, KIND_TONES, type MaterialShare } from '../../../api/materials'
import { useRequest } from '../../../api/use-request'
import { NotFound, PageLoading } from '../../../components/load-state'
import { StatusTag } from '../../../components/tag'
import { backOr } from '../../../utils/nav'
import { formatInstant } from '../../../utils/time'
import '../index.css'
import './index.css'

/** The link and its QR code, to send in WeChat or show on the phone for the customer to scan. */
function ShareCard(props: { share: MaterialShare; onRevoke: () => void; busy: boolean }) {
  const { share } = props
  const [qr, setQr] = useState('')
  useEffect(() => {
    if (share.revokedAt) return
    let alive = true
    authedImage(share.qrUrl).then((src) => alive && setQr(src), () => undefined)
    return () => {
      alive = false
    }
  }, [share.qrUrl, share.revokedAt])
  const copy = () => void Taro.setClipboardData({ data: share.url }).catch(() => undefined)
  return (
    <View className='card share-card' id={`share-${share.id}`} data-token={share.token}>
      <View className='row row--between'>
        <Text className='share-card__summary'>{share.summary}</Text>
        {share.revokedAt ? <StatusTag>已撤回</StatusTag> : <StatusTag tone={share.openCount ? 'green' : 'orange'}>{share.openCount ? `已打开 ${share.openCount} 次` : '未打开'}</StatusTag>}
      </View>
      <Text className='muted share-card__line'>
        {share.customer ? `分享给 ${share.customer.name}` : '未指定客户'} · {formatInstant(share.createdAt)}
        {share.lastOpenedAt ? ` · 最近打开 ${formatInstant(share.lastOpenedAt)}` : ''}
      </Text>
      {share.revokedAt ? null : (
        <>
          <View className='row share-card__body'>
            {qr ? <Image className='share-card__qr' src={qr} mode='aspectFit' /> : <View className='share-card__qr state'>二维码加载中…</View>}
            <View className='share-card__link'>
              <Text className='share-card__url' selectable userSelect>{share.url}</Text>
              <Button className='btn btn--small' onClick={copy}>复制链接</Button>
              <Button className='btn btn--small share-card__revoke' disabled={props.busy} onClick={props.onRevoke}>撤回</Button>
            </View>
          </View>
          <Text className='muted share-card__line'>发给客户微信或请客户扫码，无需登录；每次打开都会记录</Text>
        </>
      )}
    </View>
  )
}

/**
 * One material: the video plays here (seeking asks the server for ranges), a PDF or Office file opens
 * in the phone's viewer, a script reads as text. 分享给客户 makes a link and QR code; its opens show here.
 */
export default function MaterialDetail() {
  const params = useRouter().params
  const id = Number(params.id)
  const customerId = Number(params.customerId) || undefined
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const data = useRequest(async () => {
    const [material, shares] = await Promise.all([materialsApi.get(id, customerId), materialsApi.shares(customerId)])
    return { material, shares: shares.items.filter((s) => s.materialId === id) }
  }, [id, customerId])

  if (data.status === 404) return <NotFound id='material-not-found' message='素材不存在或已下架' onBack={() => void backOr('materials')} />
  if (!data.data) return <PageLoading errorId='material-error' error={data.error} onRetry={data.reload} />
  const { material: m, shares } = data.data
  const src = m.playUrl ? `${API_BASE}${m.playUrl}` : ''

  const act = async (work: () => Promise<unknown>) => {
    setBusy(true)
    setError('')
    try {
      await work()
      data.reload()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <View className='page material'>
      <View className='row material__head'>
        <StatusTag tone={KIND_TONES[m.kind]}>{m.kindLabel}</StatusTag>
        <Text className='material__title' id='material-title'>{m.title}</Text>
      </View>
      {m.description ? <Text className='material__desc'>{m.description}</Text> : null}
      <View className='row material__tags'>
        {m.tags.map((t) => (
          <Text key={t.id} className='material__tag'>#{t.name}</Text>
        ))}
      </View>

      <View className='card material__content' id='material-content'>
        {m.kind === 'video' && src ? <Video id='material-video' className='material__video' src={src} controls showFullscreenBtn initialTime={0} /> : null}
        {m.kind === 'image' && src ? <Image className='material__image' src={src} mode='widthFix' /> : null}
        {m.kind === 'script' ? <Text className='material__script' selectable userSelect>{m.scriptText}</Text> : null}
        {(m.kind === 'pdf' || m.kind === 'office') && m.playUrl ? (
          <Button id='material-open' className='btn btn--block' onClick={() => void openDocument(m.playUrl!).catch((e) => setError(errorMessage(e)))}>
            {process.env.TARO_ENV === 'h5' ? '在新标签页打开' : '用手机打开'}{m.kind === 'pdf' ? ' PDF' : '文档'}
          </Button>
        ) : null}
      </View>

      {error ? <Text className='message-error' id='material-action-error'>{error}</Text> : null}
      <Button id='material-share' className='btn btn--primary btn--block material__share' disabled={busy} onClick={() => void act(() => materialsApi.share(m.id, customerId ?? null))}>
        {busy ? '生成中…' : customerId ? '分享给该客户（链接 + 二维码）' : '生成分享链接和二维码'}
      </Button>
      <View id='material-shares'>
        {shares.map((s) => (
          <ShareCard key={s.id} share={s} busy={busy} onRevoke={() => void act(() => materialsApi.revoke(s.id))} />
        ))}
      </View>
    </View>
  )
}
