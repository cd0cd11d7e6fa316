export default definePageConfig({
  navigationBarTitleText: '销售行动大屏'
})
