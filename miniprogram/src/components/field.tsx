import type { ReactNode } from 'react'
import { Picker, Text, View } from '@tarojs/components'
import './field.css'

/** The row every list picker starts on: confirming it chooses nothing, so nothing is chosen for the rep. */
export const UNSET_ROW = '请选择…'

/** `12 / 300` under a text anchor; below the policy's minimum it says how many are needed. */
export interface FieldCount {
  length: number
  max: number
  min?: number
}

/** A labelled form field; `field-error` and the message make a missing anchor easy to spot. */
export function Field(props: { name: string; label?: string; required?: boolean; error?: string; className?: string; count?: FieldCount; children: ReactNode }) {
  const { count } = props
  const short = !!count && count.length > 0 && !!count.min && count.length < count.min
  return (
    <View id={`field-${props.name}`} className={`field ${props.className ?? ''} ${props.error ? 'field-error' : ''}`}>
      {props.label ? (
        <Text className='field__label'>
          {props.label}
          {props.required ? <Text className='field__required'> *</Text> : null}
        </Text>
      ) : null}
      {props.children}
      {count ? (
        <View className='field__foot'>
          <Text className='field__hint'>{count.min && count.min > 1 ? `至少 ${count.min} 个字` : ''}</Text>
          <Text id={`${props.name}-count`} className={`field__counter ${short ? 'field__counter--short' : ''}`}>
            {`${count.length} / ${count.max}`}
          </Text>
        </View>
      ) : null}
      {props.error ? <Text className='field__message'>{props.error}</Text> : null}
    </View>
  )
}

/** What a Picker shows before and after a choice. */
export function PickerBox(props: { value: string; placeholder: string }) {
  return <View className={`input picker-box ${props.value ? '' : 'picker-box--empty'}`}>{props.value || props.placeholder}</View>
}

/**
 * A required choice from a list. The list starts on 请选择…: a rep who opens it and taps 确定
 * without moving has chosen nothing (Taro's picker answers the row it shows, never "nothing").
 */
export function SelectField(props: {
  name: string
  label?: string
  required?: boolean
  error?: string
  options: string[]
  value: string
  placeholder?: string
  /** what the box shows for a choice (default: the choice itself) */
  display?: (value: string) => string
  onChange: (value: string) => void
}) {
  const range = [UNSET_ROW, ...props.options]
  return (
    <Field name={props.name} label={props.label} required={props.required} error={props.error}>
      <Picker
        id={props.name}
        mode='selector'
        range={range}
        value={props.options.indexOf(props.value) + 1}
        onChange={(e) => props.onChange(props.options[Number(e.detail.value) - 1] ?? '')}
      >
        <PickerBox value={props.value ? (props.display ?? String)(props.value) : ''} placeholder={props.placeholder ?? UNSET_ROW} />
      </Picker>
    </Field>
  )
}
