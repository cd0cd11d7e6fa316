export default definePageConfig({
  navigationBarTitleText: '仪表盘'
})
