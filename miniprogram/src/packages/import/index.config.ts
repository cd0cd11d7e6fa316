export default definePageConfig({
  navigationBarTitleText: 'Excel 导入'
})
