import { useEffect, useRef, useState } from 'react'
import { Button, Text, Textarea, View } from '@tarojs/components'
import type { Options } from '../../api/types'
import { speechAvailable, startListening, type Listening } from '../../utils/speech'
import { fillFromVoice, type VisitForm } from './visit-form'

/** 语音速记: dictate or type one sentence, 识别 fills the form for the rep to check. */
export function VoicePanel(props: { options: Options | null; onFill: (patch: Partial<VisitForm>) => void }) {
  const [text, setText] = useState('')
  const [result, setResult] = useState('')
  const [recording, setRecording] = useState(false)
  const [canRecord, setCanRecord] = useState(false)
  const listening = useRef<Listening | null>(null)

  useEffect(() => {
    setCanRecord(speechAvailable())
    return () => listening.current?.stop()
  }, [])

  const parse = () => {
    const fill = fillFromVoice(text, props.options, new Date())
    if (fill.ok) props.onFill(fill.patch)
    setResult(fill.message)
  }

  const toggleRecord = () => {
    if (recording) {
      listening.current?.stop()
      return
    }
    try {
      listening.current = startListening({
        onText: (heard) => setText((t) => (t ? `${t}，${heard}` : heard)),
        onError: (message) => setResult(message),
        onEnd: () => setRecording(false),
      })
      if (!listening.current) return
      setRecording(true)
      setResult('正在听…说完后点「停止」')
    } catch {
      setRecording(false)
      setResult('无法启动语音识别，请直接输入文字')
    }
  }

  return (
    <View className='card visit__voice'>
      <Text className='field__label'>语音速记（说一句，自动填写）</Text>
      <Textarea
        id='voice-text'
        className='textarea textarea--short'
        maxlength={2000}
        placeholder='例：王总说安装太慢，下周二上午十点上门演示新方案'
        value={text}
        onInput={(e) => setText(e.detail.value)}
      />
      <View className='row visit__voice-actions'>
        {canRecord ? (
          <Button id='voice-record' className={`btn btn--small ${recording ? 'btn--primary' : ''}`} onClick={toggleRecord}>
            {recording ? '停止' : '按此说话'}
          </Button>
        ) : null}
        {canRecord ? <View className='gap' /> : null}
        <Button id='voice-parse' className='btn btn--small' onClick={parse}>
          识别
        </Button>
      </View>
      {result ? (
        <Text id='voice-result' className='muted visit__voice-result'>
          {result}
        </Text>
      ) : null}
    </View>
  )
}
