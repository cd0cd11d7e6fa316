export default definePageConfig({
  navigationBarTitleText: '每日打卡'
})
