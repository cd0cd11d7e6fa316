export default defineAppConfig({
  pages: [
    'pages/index/index',
    'pages/customers/index',
    'pages/customer/index',
    'pages/visit/index',
    'pages/todos/index',
    'pages/customer-edit/index',
    'pages/visit-detail/index'
  ],
  // Pages a rep opens now and then load on demand and stay out of the main package.
  subPackages: [
    {
      root: 'packages/lead',
      pages: ['first-touch/index']
    },
    {
      root: 'packages/import',
      pages: ['index']
    }
  ],
  // WeChat simultaneous interpretation (语音输入); add the plugin to the mini-program in the WeChat admin.
  ...(process.env.TARO_ENV === 'weapp'
    ? { plugins: { WechatSI: { version: '0.3.5', provider: 'wx069ba97219f66d99' } } }
    : {}),
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#fff',
    navigationBarTitleText: '锚点 Anchor',
    navigationBarTextStyle: 'black'
  }
})
