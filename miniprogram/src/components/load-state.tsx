import { Button, Text, View } from '@tarojs/components'

/** A failed request: what went wrong, in words, and a way to try again. */
export function ErrorRetry(props: { id: string; message: string; onRetry: () => void }) {
  return (
    <View className='state state--error' id={props.id}>
      <Text>{props.message}</Text>
      <View className='gap' />
      <Button className='btn btn--small' onClick={props.onRetry}>
        重试
      </Button>
    </View>
  )
}

/** A page whose data has not arrived: 加载中…, or the error with 重试. */
export function PageLoading(props: { errorId: string; error: string; onRetry: () => void }) {
  return (
    <View className='page'>
      {props.error ? <ErrorRetry id={props.errorId} message={props.error} onRetry={props.onRetry} /> : <View className='state'>加载中…</View>}
    </View>
  )
}

/** A record that is gone or out of the person's scope: say so, and offer nothing but 返回. */
export function NotFound(props: { id: string; message: string; backId?: string; className?: string; onBack: () => void }) {
  return (
    <View className={`page ${props.className ?? ''}`}>
      <View className='state' id={props.id}>
        {props.message}
      </View>
      <Button id={props.backId ?? 'back'} className='btn btn--block' onClick={props.onBack}>
        返回
      </Button>
    </View>
  )
}
