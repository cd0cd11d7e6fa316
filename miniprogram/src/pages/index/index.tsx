import { View, Text } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { Button } from '@nutui/nutui-react-taro'
import { DEFAULT_STAGE_LABELS, STAGE_CODES } from '@anchor/shared'
import './index.css'

export default function Index() {
  // 占位：尚未接入登录接口
  const handleDemoLogin = () => {
    void Taro.showToast({ title: '演示登录暂未开放', icon: 'none' })
  }

  return (
    <View className='index'>
      <Text className='index__title'>锚点 Anchor</Text>
      <Text className='index__subtitle'>销售动作管理</Text>
      <View className='index__login'>
        <Button type='primary' block onClick={handleDemoLogin}>
          演示登录
        </Button>
      </View>
      <View className='index__stages'>
        {STAGE_CODES.map((code) => (
          <Text key={code} className='index__stage'>
            {DEFAULT_STAGE_LABELS[code]}
          </Text>
        ))}
      </View>
    </View>
  )
}
