import { useState } from 'react'
import { Button, Input, Text, View } from '@tarojs/components'
import Taro, { useLoad } from '@tarojs/taro'
import { ROLE_LABELS } from '@anchor/shared'
import { api, errorMessage, isApiError } from '../../api/client'
import { getSession, saveSession } from '../../api/session'
import type { LoginResult } from '../../api/types'
import { inWecom, loginCode } from '../../utils/login-code'
import { takeReturnTarget } from '../../utils/return-to'
import './index.css'

const DEMO_ACCOUNTS = [
  { phone: '13800000101', name: '王小明', role: 'rep' as const },
  { phone: '13800000011', name: '陈主管', role: 'supervisor' as const },
  { phone: '13800000001', name: '周建国', role: 'director' as const },
]

/** 小程序码的 scene (URL 编码, 形如 "invite=ABC" 或直接是邀请码) 或 invite 参数 → 邀请码. */
function inviteFromParams(params: Record<string, string | undefined>): string | undefined {
  if (params.invite) return decodeURIComponent(params.invite)
  if (!params.scene) return undefined
  const scene = decodeURIComponent(params.scene)
  const match = /(?:^|[&?])(?:invite|i)=([^&]+)/.exec(scene)
  return match ? match[1] : scene
}

function goHome() {
  void Taro.reLaunch({ url: '/pages/customers/index' })
}

export default function Index() {
  const IS_H5 = process.env.TARO_ENV === 'h5'
  const [phone, setPhone] = useState('')
  const [name, setName] = useState('')
  const [inviteCode, setInviteCode] = useState<string | undefined>()
  const [needProfile, setNeedProfile] = useState(false)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState('')

  const finish = (result: LoginResult) => {
    saveSession({ token: result.token, expiresAt: result.expiresAt ?? null, member: result.member })
    void Taro.showToast({ title: `欢迎，${result.member.name}`, icon: 'none' })
    // A chat link opened before login: back to the screen it named.
    const back = takeReturnTarget()
    if (back) void Taro.reLaunch({ url: back })
    else goHome()
  }

  const devLogin = async (value: string) => {
    const trimmed = value.trim()
    if (!/^1\d{10}$/.test(trimmed)) {
      setError('请输入 11 位手机号')
      return
    }
    setLoading(true)
    setError('')
    try {
      finish(await api.post<LoginResult>('/auth/dev-login', { phone: trimmed }))
    } catch (e) {
      setError(isApiError(e) && e.status === 404 ? '演示登录未开放（服务器未处于演示模式）' : errorMessage(e))
    } finally {
      setLoading(false)
    }
  }

  const wechatLogin = async (invite = inviteCode, withProfile = needProfile) => {
    setLoading(true)
    setError('')
    try {
      const { code, path } = await loginCode()
      const body: Record<string, string> = { code }
      if (invite) body.inviteCode = invite
      if (withProfile) {
        if (name.trim()) body.name = name.trim()
        if (phone.trim()) body.phone = phone.trim()
      }
      finish(await api.post<LoginResult>(path, body))
    } catch (e) {
      if (isApiError(e) && (e.fields.name || e.fields.phone)) setNeedProfile(true)
      setError(isApiError(e) ? e.message : `${inWecom() ? '企业微信' : '微信'}登录失败，请重试`)
    } finally {
      setLoading(false)
    }
  }

  useLoad((params: Record<string, string | undefined>) => {
    if (getSession()) {
      goHome()
      return
    }
    if (!IS_H5) {
      const invite = inviteFromParams(params)
      setInviteCode(invite)
      void wechatLogin(invite, false)
    }
  })

  return (
    <View className='index'>
      <Text className='index__title'>锚点 Anchor</Text>
      <Text className='index__subtitle'>一分钟记拜访，主管确认下一步</Text>

      {error ? (
        <Text id='login-error' className='message-error'>
          {error}
        </Text>
      ) : null}

      {IS_H5 ? (
        <View className='card'>
          <Text className='index__label'>手机号（演示模式）</Text>
          <Input
            id='phone'
            className='input'
            type='number'
            maxlength={11}
            placeholder='请输入手机号'
            value={phone}
            onInput={(e) => setPhone(e.detail.value)}
            onConfirm={() => void devLogin(phone)}
          />
          <View className='gap' />
          <Button id='login' className='btn btn--primary btn--block' disabled={loading} onClick={() => void devLogin(phone)}>
            {loading ? '登录中…' : '登录'}
          </Button>
          <Text className='index__label index__label--quick'>演示账号一键登录</Text>
          <View className='index__quick'>
            {DEMO_ACCOUNTS.map((account) => (
              <Button
                key={account.phone}
                id={`demo-${account.role}`}
                className='btn btn--small index__quick-btn'
                disabled={loading}
                onClick={() => {
                  setPhone(account.phone)
                  void devLogin(account.phone)
                }}
              >
                {account.name} · {ROLE_LABELS[account.role]}
              </Button>
            ))}
          </View>
        </View>
      ) : (
        <View className='card'>
          {inviteCode ? <Text className='muted'>邀请码：{inviteCode}</Text> : null}
          {needProfile ? (
            <View>
              <Text className='index__label'>姓名</Text>
              <Input id='name' className='input' placeholder='请输入姓名' value={name} onInput={(e) => setName(e.detail.value)} />
              <Text className='index__label'>手机号</Text>
              <Input id='phone' className='input' type='number' maxlength={11} placeholder='请输入手机号' value={phone} onInput={(e) => setPhone(e.detail.value)} />
              <View className='gap' />
            </View>
          ) : null}
          <Button id='wechat-login' className='btn btn--primary btn--block' disabled={loading} onClick={() => void wechatLogin()}>
            {loading ? '登录中…' : inWecom() ? '企业微信登录' : '微信登录'}
          </Button>
        </View>
      )}
    </View>
  )
}
