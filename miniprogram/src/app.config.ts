export default defineAppConfig({
  pages: [
    'pages/index/index',
    'pages/customers/index',
    'pages/customer/index',
    'pages/visit/index',
    'pages/todos/index',
    'pages/customer-edit/index',
    'pages/visit-detail/index',
    'pages/me/index',
    'pages/tasks/index'
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
    },
    {
      root: 'packages/admin',
      pages: ['deliveries/index']
    },
    {
      root: 'packages/checkins',
      pages: ['index']
    },
    {
      root: 'packages/materials',
      pages: ['index', 'detail/index', 'manage/index']
    },
    {
      root: 'packages/receivables',
      pages: ['index']
    },
    {
      // contracts: list, detail with approval progress, the draft form (opened now and then)
      root: 'packages/contracts',
      pages: ['index', 'detail/index', 'edit/index']
    },
    {
      // the rebate calculator and my requests (rep); finance's rule table and request queue (console)
      root: 'packages/rebates',
      pages: ['index', 'rules/index', 'queue/index']
    },
    {
      // the directors' winning plays table (赢单打法)
      root: 'packages/plays',
      pages: ['index']
    },
    {
      // campaign task flows: the rep's targets (phone), the board and the create form (console)
      root: 'packages/campaigns',
      pages: ['index', 'board/index', 'edit/index']
    },
    {
      // the charts (echarts) live here only: the main package stays small
      root: 'packages/dashboards',
      pages: ['index', 'drill/index', 'wall/index']
    }
  ],
  // 客户 · 待办 · 我的, in the order of TAB_PAGES (shared/src/routes.ts); 待办 carries the open count as a badge.
  tabBar: {
    color: '#666666',
    selectedColor: '#fa2c19',
    backgroundColor: '#ffffff',
    borderStyle: 'black',
    list: [
      { pagePath: 'pages/customers/index', iconPath: 'assets/tab/customers.png', selectedIconPath: 'assets/tab/customers-active.png', text: '客户' },
      { pagePath: 'pages/todos/index', iconPath: 'assets/tab/todos.png', selectedIconPath: 'assets/tab/todos-active.png', text: '待办' },
      { pagePath: 'pages/me/index', iconPath: 'assets/tab/me.png', selectedIconPath: 'assets/tab/me-active.png', text: '我的' }
    ]
  },
  // Photos, the recorder (WechatSI) and location wait for the app's own consent sheet
  // (components/privacy-sheet.tsx through wx.onNeedPrivacyAuthorization).
  __usePrivacyCheck__: true,
  // 外勤签到: wx.getLocation must be declared to be callable, with the reason WeChat shows when asking.
  requiredPrivateInfos: ['getLocation'],
  permission: {
    'scope.userLocation': { desc: '用于在客户处外勤签到，计算与客户位置的距离' }
  },
  // WeChat simultaneous interpretation (语音输入); add the plugin to the mini-program in the WeChat admin.
  ...(process.env.TARO_ENV === 'weapp'
    ? { plugins: { WechatSI: { version: '0.3.5', provider: 'wx069ba97219f66d99' } } }
    : {}),
  // H5 (the web console): pages switch at once. A sliding page is wide for a moment and, as a console,
  // reads as lag rather than motion.
  ...(process.env.TARO_ENV === 'h5' ? { animation: false } : {}),
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTitleText: '锚点 Anchor',
    navigationBarTextStyle: 'black'
  }
})
