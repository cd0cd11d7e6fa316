export default definePageConfig({
  navigationBarTitleText: '拜访详情'
})
