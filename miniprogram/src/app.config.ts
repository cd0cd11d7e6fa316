export default defineAppConfig({
  pages: [
    'pages/index/index',
    'pages/customers/index',
    'pages/customer/index',
    'pages/visit/index',
    'pages/todos/index'
  ],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#fff',
    navigationBarTitleText: '锚点 Anchor',
    navigationBarTextStyle: 'black'
  }
})
