export default definePageConfig({ navigationBarTitleText: '返点审核' })
