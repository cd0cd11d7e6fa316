export default definePageConfig({ navigationBarTitleText: '回款' })
