import type { ReactNode } from 'react'
import { Picker, Text, View } from '@tarojs/components'
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
  return <View className={`input picker-box ${props.value ? '' : 'picker-box--empty'}`}>{props.value || props.placeholder}</View>
}

/** A required choice from a list: the label, the picker, what is chosen, and its error. */
export function SelectField(props: {
  name: string
  label?: string
  required?: boolean
  error?: string
  options: string[]
  value: string
  placeholder: string
  /** what the box shows for a choice (default: the choice itself) */
  display?: (value: string) => string
  onChange: (value: string) => void
}) {
  return (
    <Field name={props.name} label={props.label} required={props.required} error={props.error}>
      <Picker
        id={props.name}
        mode='selector'
        range={props.options}
        value={Math.max(0, props.options.indexOf(props.value))}
        onChange={(e) => props.onChange(props.options[Number(e.detail.value)] ?? '')}
      >
        <PickerBox value={props.value ? (props.display ?? String)(props.value) : ''} placeholder={props.placeholder} />
      </Picker>
    </Field>
  )
}
