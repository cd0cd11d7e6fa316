import { useEffect, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import {
  PRIVACY_AGREE_BUTTON_ID,
  agreePrivacy,
  installPrivacyListener,
  openPrivacyContract,
  refusePrivacy,
  subscribePrivacy,
  type PrivacyRequest,
} from '../api/privacy'
import './privacy-sheet.css'

/**
 * The app's own consent sheet for WeChat's privacy authorization: shown when a photo pick or a
 * recording needs it, agreed through a button with open-type agreePrivacyAuthorization (the only
 * agreement WeChat accepts). Put it on every page that calls a privacy API.
 */
export function PrivacySheet() {
  const [request, setRequest] = useState<PrivacyRequest | null>(null)

  useEffect(() => {
    installPrivacyListener()
    return subscribePrivacy(setRequest)
  }, [])

  if (!request) return null
  return (
    <View className='privacy-sheet' id='privacy-sheet'>
      <View className='privacy-sheet__mask' onClick={refusePrivacy} />
      <View className='privacy-sheet__panel'>
        <Text className='privacy-sheet__title'>用户隐私保护提示</Text>
        <Text className='privacy-sheet__text'>
          拍照、选图和语音输入需要使用相机、相册和麦克风。照片只用于拜访记录，语音只用于转成文字。使用前请阅读并同意
        </Text>
        <Text id='privacy-contract' className='privacy-sheet__link' onClick={openPrivacyContract}>
          《锚点隐私保护指引》
        </Text>
        <Text className='privacy-sheet__text'>不同意也可以继续填写其他内容。</Text>
        <View className='row privacy-sheet__actions'>
          <Button id='privacy-refuse' className='btn privacy-sheet__btn' onClick={refusePrivacy}>
            暂不同意
          </Button>
          <View className='gap' />
          <Button
            id={PRIVACY_AGREE_BUTTON_ID}
            className='btn btn--primary privacy-sheet__btn'
            openType='agreePrivacyAuthorization'
            onAgreePrivacyAuthorization={agreePrivacy}
          >
            同意并继续
          </Button>
        </View>
      </View>
    </View>
  )
}
