export default definePageConfig({ navigationBarTitleText: '营销素材' })
