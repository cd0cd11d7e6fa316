export default definePageConfig({
  navigationBarTitleText: '编辑客户'
})
