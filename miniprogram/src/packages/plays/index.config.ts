export default definePageConfig({ navigationBarTitleText: '赢单打法' })
