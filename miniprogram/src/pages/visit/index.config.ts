export default definePageConfig({
  navigationBarTitleText: '新建拜访'
})
