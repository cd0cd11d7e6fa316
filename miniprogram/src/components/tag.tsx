import type { ReactNode } from 'react'
import { Tag } from '@nutui/nutui-react-taro'
// only this component's stylesheet: NutUI's full one is 230 KB of the package
import '@nutui/nutui-react-taro/dist/es/packages/tag/style/css'
import './tag.css'

export type Tone = 'plain' | 'red' | 'green' | 'orange'

// design tokens (styles/tokens.css), not hex values
const COLORS: Record<Tone, { background: string; color: string }> = {
  plain: { background: 'var(--color-fill)', color: 'var(--color-text-secondary)' },
  red: { background: 'var(--color-danger-soft)', color: 'var(--color-danger)' },
  green: { background: 'var(--color-success-soft)', color: 'var(--color-success)' },
  orange: { background: 'var(--color-warning-soft)', color: 'var(--color-warning)' },
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
