export default definePageConfig({ navigationBarTitleText: '新建专项' })
