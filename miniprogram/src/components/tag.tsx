import type { ReactNode } from 'react'
import { Tag } from '@nutui/nutui-react-taro'
// only this component's stylesheet: NutUI's full one is 230 KB of the package
import '@nutui/nutui-react-taro/dist/es/packages/tag/style/css'
import './tag.css'

export type Tone = 'plain' | 'red' | 'green' | 'orange'

const COLORS: Record<Tone, { background: string; color: string }> = {
  plain: { background: '#f0f2f5', color: '#555555' },
  red: { background: '#fff1f0', color: '#cf1322' },
  green: { background: '#f6ffed', color: '#389e0d' },
  orange: { background: '#fff7e6', color: '#d46b08' },
}

/** A small status label (stage, grade, 逾期, 待同步…). */
export function StatusTag(props: { tone?: Tone; className?: string; children: ReactNode }) {
  const { background, color } = COLORS[props.tone ?? 'plain']
  return (
    <Tag className={`tag ${props.className ?? ''}`} background={background} color={color}>
      {props.children}
    </Tag>
  )
}
