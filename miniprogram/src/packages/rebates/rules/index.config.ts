export default definePageConfig({ navigationBarTitleText: '返点政策' })
