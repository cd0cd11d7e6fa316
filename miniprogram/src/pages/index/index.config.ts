export default definePageConfig({
  navigationBarTitleText: '锚点 Anchor'
})
