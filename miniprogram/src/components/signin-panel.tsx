import { useEffect, useState } from 'react'
import { Button, Input, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { can, type CoordSystem, type CustomerLocationView, type SigninView } from '@anchor/shared'
import { errorMessage, isApiError } from '../api/client'
import { getSession } from '../api/session'
import { confirmCustomerLocation, currentPosition, customerLocation, mySigninsToday, PositionError, setCustomerLocation, signInAt } from '../api/signins'
import './signin-panel.css'

const fixed = (n: number | null) => (n === null ? '' : n.toFixed(6))

/** 已签到 · 120 m in green, 距离客户 3.2 km (or a vague fix) in orange. */
export function SigninChip(props: { signin: Pick<SigninView, 'chip' | 'tooFar' | 'inaccurate'> | null; id?: string }) {
  const tone = !props.signin ? 'plain' : props.signin.tooFar || props.signin.inaccurate ? 'orange' : 'green'
  const text = props.signin ? `${props.signin.chip}${props.signin.inaccurate ? ' · 定位精度差' : ''}` : '未签到'
  return (
    <View id={props.id} className={`signin-chip signin-chip--${tone}`}>
      <Text>{text}</Text>
    </View>
  )
}

/** The set-location form: coordinates typed (GCJ-02, as Chinese maps give them) or the phone's position. */
function LocationForm(props: { customerId: number; onSaved: (l: CustomerLocationView) => void; onCancel: () => void }) {
  const [lat, setLat] = useState('')
  const [lng, setLng] = useState('')
  const [system, setSystem] = useState<CoordSystem>('gcj02')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const [note, setNote] = useState('')

  const useMine = async () => {
    setBusy(true)
    setNote('')
    try {
      const p = await currentPosition()
      setLat(p.lat.toFixed(6))
      setLng(p.lng.toFixed(6))
      setSystem(p.coordSystem)
      setErrors({})
      setNote(`当前位置（精度约 ${p.accuracy} m${p.coordSystem === 'wgs84' ? '，浏览器定位为 WGS-84，保存时换算' : ''}）`)
    } catch (e) {
      setNote(e instanceof PositionError ? e.message : errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const save = async () => {
    const nLat = Number(lat)
    const nLng = Number(lng)
    const local: Record<string, string> = {}
    if (lat.trim() === '' || !Number.isFinite(nLat)) local.lat = '纬度必须是数字'
    else if (Math.abs(nLat) > 90) local.lat = '纬度必须在 -90 到 90 之间'
    if (lng.trim() === '' || !Number.isFinite(nLng)) local.lng = '经度必须是数字'
    else if (Math.abs(nLng) > 180) local.lng = '经度必须在 -180 到 180 之间'
    setErrors(local)
    if (Object.keys(local).length) return
    setBusy(true)
    try {
      props.onSaved(await setCustomerLocation(props.customerId, { lat: nLat, lng: nLng, coordSystem: system }))
      void Taro.showToast({ title: '客户位置已保存', icon: 'success' })
    } catch (e) {
      if (isApiError(e) && Object.keys(e.fields).length) setErrors(e.fields)
      else setNote(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <View className='signin-panel__form' id='location-form'>
      <View className={`field ${errors.lat ? 'field-error' : ''}`}>
        <Text className='field__label'>纬度</Text>
        <Input id='location-lat' className='input' type='digit' value={lat} placeholder='如 31.230400' onInput={(e) => (setLat(e.detail.value), setSystem('gcj02'))} />
        {errors.lat ? <Text className='field__message'>{errors.lat}</Text> : null}
      </View>
      <View className={`field ${errors.lng ? 'field-error' : ''}`}>
        <Text className='field__label'>经度</Text>
        <Input id='location-lng' className='input' type='digit' value={lng} placeholder='如 121.473700' onInput={(e) => (setLng(e.detail.value), setSystem('gcj02'))} />
        {errors.lng ? <Text className='field__message'>{errors.lng}</Text> : null}
      </View>
      <Text className='muted signin-panel__hint'>{note || '手动输入请用 GCJ-02 坐标（微信、腾讯地图、高德地图的坐标）'}</Text>
      <View className='row signin-panel__actions'>
        <Button id='use-my-position' className='btn btn--small' disabled={busy} onClick={() => void useMine()}>
          用我当前位置
        </Button>
        <View className='gap' />
        <Button id='cancel-location' className='btn btn--small' onClick={props.onCancel}>
          取消
        </Button>
        <View className='gap' />
        <Button id='save-location' className='btn btn--small btn--primary' disabled={busy} onClick={() => void save()}>
          保存位置
        </Button>
      </View>
    </View>
  )
}

/**
 * The customer page's 外勤签到 card: sign in here, today's sign-in, and where the customer is — set,
 * proposed from the first sign-ins (the supervisor confirms it), or not yet known.
 */
export function SigninPanel(props: { customerId: number; proposalCount?: number }) {
  const { customerId } = props
  const role = getSession()?.member.role
  const canSignIn = can(role, 'signins.create')
  const [location, setLocation] = useState<CustomerLocationView | null>(null)
  const [today, setToday] = useState<SigninView | null>(null)
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState('')
  const [editing, setEditing] = useState(false)

  const load = async () => {
    try {
      const [loc, mine] = await Promise.all([customerLocation(customerId), canSignIn ? mySigninsToday(customerId) : Promise.resolve(null)])
      setLocation(loc)
      setToday(mine?.items[0] ?? null)
    } catch (e) {
      setMessage(errorMessage(e))
    }
  }

  useEffect(() => {
    void load()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [customerId])

  const signIn = async () => {
    setBusy(true)
    setMessage('')
    try {
      const s = await signInAt(customerId)
      setToday(s)
      void Taro.showToast({ title: s.tooFar ? s.chip : '签到成功', icon: s.tooFar ? 'none' : 'success' })
      // the sign-in may have completed a proposal
      setLocation(await customerLocation(customerId))
    } catch (e) {
      setMessage(e instanceof PositionError ? e.message : errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const confirm = async () => {
    setBusy(true)
    try {
      setLocation(await confirmCustomerLocation(customerId))
      void Taro.showToast({ title: '已确认客户位置', icon: 'success' })
    } catch (e) {
      setMessage(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const where = location && location.lat !== null ? `${fixed(location.lat)}, ${fixed(location.lng)}` : ''
  return (
    <View className='card signin-panel' id='signin-panel'>
      <View className='row row--between'>
        <Text className='signin-panel__title'>外勤签到</Text>
        {canSignIn ? (
          <Button id='signin-now' className='btn btn--small btn--primary' disabled={busy} onClick={() => void signIn()}>
            {busy ? '定位中…' : today ? '再次签到' : '签到'}
          </Button>
        ) : null}
      </View>
      {canSignIn ? (
        <View className='row signin-panel__today'>
          <Text className='muted'>今日</Text>
          <SigninChip id='signin-today' signin={today} />
        </View>
      ) : null}
      {location ? (
        <View id='location-status' className={`signin-panel__location signin-panel__location--${location.status}`}>
          {location.status === 'set' ? (
            <Text className='customer__line'>
              客户位置：{where}
              {location.setBy ? <Text className='muted'>（{location.source === 'signins' ? '由签到推算，' : ''}{location.setBy.name} 确认）</Text> : null}
            </Text>
          ) : location.status === 'proposed' ? (
            <Text className='customer__line'>
              建议位置：{where}
              <Text className='muted'>（由前 {location.sampleCount} 次签到推算，待主管确认）</Text>
            </Text>
          ) : (
            <Text className='customer__line muted'>客户位置尚未设置：主管可直接设置，或由前几次签到推算建议位置</Text>
          )}
        </View>
      ) : null}
      {location?.canManage && !editing ? (
        <View className='row signin-panel__actions'>
          {location.status === 'proposed' ? (
            <Button id='confirm-location' className='btn btn--small btn--primary' disabled={busy} onClick={() => void confirm()}>
              确认建议位置
            </Button>
          ) : null}
          {location.status === 'proposed' ? <View className='gap' /> : null}
          <Button id='set-location' className='btn btn--small' onClick={() => setEditing(true)}>
            {location.status === 'none' ? '设置客户位置' : '修改位置'}
          </Button>
        </View>
      ) : null}
      {editing ? <LocationForm customerId={customerId} onCancel={() => setEditing(false)} onSaved={(l) => (setLocation(l), setEditing(false))} /> : null}
      {message ? (
        <Text id='signin-error' className='message-error signin-panel__message'>
          {message}
        </Text>
      ) : null}
    </View>
  )
}

/**
 * The visit form's sign-in row: today's own sign-ins at this customer, the newest free one picked
 * (tap another to pick it); with none, 未签到 and a button to sign in now.
 */
export function VisitSignin(props: { customerId: number; value: number | null; onChange: (id: number | null) => void; error?: string }) {
  const [items, setItems] = useState<SigninView[]>([])
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState('')
  const canSignIn = can(getSession()?.member.role, 'signins.create')

  useEffect(() => {
    if (!canSignIn) return
    mySigninsToday(props.customerId)
      .then((page) => {
        const free = page.items.filter((s) => s.visitId === null)
        setItems(free)
        if (free[0] && props.value === null) props.onChange(free[0].id)
      })
      .catch(() => undefined) // offline: the visit goes without one
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.customerId])

  const signIn = async () => {
    setBusy(true)
    setMessage('')
    try {
      const s = await signInAt(props.customerId)
      setItems((prev) => [s, ...prev])
      props.onChange(s.id)
    } catch (e) {
      setMessage(e instanceof PositionError ? e.message : errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  if (!canSignIn) return null
  return (
    <View id='field-signinId' className={`field ${props.error ? 'field-error' : ''}`}>
      <Text className='field__label'>外勤签到</Text>
      <View className='row visit-signin' id='visit-signin'>
        {items.length === 0 ? <SigninChip id='visit-signin-chip' signin={null} /> : null}
        {items.map((s) => (
          <View
            key={s.id}
            id={`visit-signin-${s.id}`}
            className={`visit-signin__choice ${s.id === props.value ? 'visit-signin__choice--selected' : ''}`}
            onClick={() => props.onChange(s.id === props.value ? null : s.id)}
          >
            <SigninChip id={s.id === props.value ? 'visit-signin-chip' : undefined} signin={s} />
          </View>
        ))}
        <View className='gap' />
        <Button id='visit-signin-now' className='btn btn--small' disabled={busy} onClick={() => void signIn()}>
          {busy ? '定位中…' : items.length ? '重新签到' : '签到'}
        </Button>
      </View>
      {message || props.error ? <Text className='field__message'>{props.error || message}</Text> : null}
    </View>
  )
}
