export default definePageConfig({ navigationBarTitleText: '专项看板' })
