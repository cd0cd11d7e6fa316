export default definePageConfig({
  navigationBarTitleText: '任务',
  enablePullDownRefresh: true
})
