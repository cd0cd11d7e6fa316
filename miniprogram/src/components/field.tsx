import type { ReactNode } from 'react'
import { Text, View } from '@tarojs/components'
import './field.css'

/** A labelled form field; `field-error` and the message make a missing anchor easy to spot. */
export function Field(props: { name: string; label?: string; required?: boolean; error?: string; className?: string; children: ReactNode }) {
  return (
    <View id={`field-${props.name}`} className={`field ${props.className ?? ''} ${props.error ? 'field-error' : ''}`}>
      {props.label ? (
        <Text className='field__label'>
          {props.label}
          {props.required ? <Text className='field__required'> *</Text> : null}
        </Text>
      ) : null}
      {props.children}
      {props.error ? <Text className='field__message'>{props.error}</Text> : null}
    </View>
  )
}

/** What a Picker shows before and after a choice. */
export function PickerBox(props: { value: string; placeholder: string }) {
  return <View className={`picker-box ${props.value ? '' : 'picker-box--empty'}`}>{props.value || props.placeholder}</View>
}
