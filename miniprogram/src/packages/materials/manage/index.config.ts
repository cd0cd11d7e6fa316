export default definePageConfig({ navigationBarTitleText: '素材管理' })
