import { createElement, Fragment, type PropsWithChildren } from 'react'
import Taro, { useDidShow, useLaunch } from '@tarojs/taro'
import { flushQueue } from './api/visit-queue'
import { ConsoleNav } from './components/console-nav'

import './styles/tokens.css'
import './app.css'

function flushQuietly() {
  flushQueue().catch(() => undefined)
}

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    // 网络恢复时补发离线保存的拜访 (同一 Idempotency-Key, 服务端只存一次)
    Taro.onNetworkStatusChange((res) => {
      if (res.isConnected) flushQuietly()
    })
    if (process.env.TARO_ENV === 'h5' && typeof window !== 'undefined') {
      window.addEventListener('online', flushQuietly)
    }
    flushQuietly()
  })

  useDidShow(() => {
    flushQuietly()
  })

  // children 是将要会渲染的页面; the H5 console's navigation goes before them (the router hides pages by :last-child)
  if (process.env.TARO_ENV === 'h5') return createElement(Fragment, null, createElement(ConsoleNav), children)
  return children
}

export default App
