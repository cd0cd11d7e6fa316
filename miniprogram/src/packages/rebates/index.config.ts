export default definePageConfig({ navigationBarTitleText: '返点计算器' })
