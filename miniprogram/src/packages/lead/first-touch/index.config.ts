export default definePageConfig({
  navigationBarTitleText: '首次触达'
})
