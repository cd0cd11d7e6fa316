// The slice of @tarojs/taro the pages use, kept in memory; the network answers from `fakeNetwork`.
import { useEffect } from 'react';

type RequestOptions = { url: string; method?: string; header?: Record<string, string>; data?: unknown };
type Reply = { statusCode: number; data: unknown; header?: Record<string, string> };
type UploadOptions = { url: string; filePath: string; name: string; header?: Record<string, string> };

export const fakeNetwork = {
  requests: [] as RequestOptions[],
  /** the last title a page set on its navigation bar */
  navigationTitle: '',
  uploads: [] as UploadOptions[],
  /** Answers a request; throw to simulate no network. */
  handler: (_req: RequestOptions): Reply => ({ statusCode: 404, data: { error: { message: '未配置' } } }),
  uploadHandler: (_req: UploadOptions): Reply | Promise<Reply> => ({ statusCode: 201, data: JSON.stringify({ id: 1 }) }),
  chosenImages: [] as string[],
  /** What wx.login answers; getSystemInfoSync().environment is 'wxwork' inside WeCom. */
  loginCode: 'wx-code-1',
  environment: undefined as string | undefined,
  /** The user's answer in wx.requestSubscribeMessage's dialog, per template id. */
  subscribeAnswer: {} as Record<string, string>,
  subscribeAsked: [] as string[][],
  routerParams: {} as Record<string, string>,
  toasts: [] as string[],
  /** chooseImage fails with this (e.g. a refused privacy authorization) instead of picking. */
  chooseImageError: null as null | { errMsg: string; errno?: number },
  /** wx.showModal: what it said, and whether the person taps 确定. */
  modals: [] as string[],
  modalConfirm: true,
  /** Pages opened with reLaunch / switchTab / redirectTo / navigateTo, in order. */
  navigations: [] as string[],
  /** The tab bar badges set (index → text; removed: deleted). */
  tabBadges: {} as Record<number, string>,
  /** What the app registered with wx.onNeedPrivacyAuthorization (weapp only). */
  privacyListener: null as null | ((resolve: (o: { event: string; buttonId?: string }) => void, info: { referrer: string }) => void),
  reset() {
    this.navigationTitle = '';
    this.requests = [];
    this.uploads = [];
    this.toasts = [];
    this.chosenImages = [];
    this.routerParams = {};
    this.loginCode = 'wx-code-1';
    this.environment = undefined;
    this.subscribeAnswer = {};
    this.subscribeAsked = [];
    this.chooseImageError = null;
    this.modals = [];
    this.modalConfirm = true;
    this.navigations = [];
    this.tabBadges = {};
    storage.clear();
  },
};

const storage = new Map<string, unknown>();
const listeners = new Map<string, Set<(...args: unknown[]) => void>>();

const Taro = {
  request: async (options: RequestOptions) => {
    fakeNetwork.requests.push(options);
    return fakeNetwork.handler(options);
  },
  uploadFile: async (options: UploadOptions) => {
    fakeNetwork.uploads.push(options);
    return fakeNetwork.uploadHandler(options);
  },
  chooseImage: async (options: { count: number }) => {
    if (fakeNetwork.chooseImageError) throw fakeNetwork.chooseImageError;
    if (!fakeNetwork.chosenImages.length) throw new Error('chooseImage:fail cancel');
    return { tempFilePaths: fakeNetwork.chosenImages.slice(0, options.count) };
  },
  getStorageSync: (key: string) => (storage.has(key) ? JSON.parse(JSON.stringify(storage.get(key))) : ''),
  setStorageSync: (key: string, value: unknown) => void storage.set(key, JSON.parse(JSON.stringify(value))),
  removeStorageSync: (key: string) => void storage.delete(key),
  showToast: async (options: { title: string }) => void fakeNetwork.toasts.push(options.title),
  pageScrollTo: async () => undefined,
  setNavigationBarTitle: async (o: { title: string }) => void (fakeNetwork.navigationTitle = o.title),
  getCurrentPages: () => [{}, {}],
  navigateBack: async () => undefined,
  navigateTo: async (o: { url: string }) => void fakeNetwork.navigations.push(o.url),
  redirectTo: async (o: { url: string }) => void fakeNetwork.navigations.push(o.url),
  reLaunch: async (o: { url: string }) => void fakeNetwork.navigations.push(o.url),
  switchTab: async (o: { url: string }) => void fakeNetwork.navigations.push(o.url),
  showModal: async (o: { title?: string; content: string }) => {
    fakeNetwork.modals.push(o.content);
    return { confirm: fakeNetwork.modalConfirm, cancel: !fakeNetwork.modalConfirm };
  },
  setTabBarBadge: async (o: { index: number; text: string }) => void (fakeNetwork.tabBadges[o.index] = o.text),
  removeTabBarBadge: async (o: { index: number }) => void delete fakeNetwork.tabBadges[o.index],
  onNeedPrivacyAuthorization: (listener: NonNullable<typeof fakeNetwork.privacyListener>) => void (fakeNetwork.privacyListener = listener),
  openPrivacyContract: () => undefined,
  stopPullDownRefresh: () => undefined,
  requestSubscribeMessage: async (options: { tmplIds: string[] }) => {
    fakeNetwork.subscribeAsked.push(options.tmplIds);
    return { errMsg: 'requestSubscribeMessage:ok', ...fakeNetwork.subscribeAnswer };
  },
  login: async () => ({ code: fakeNetwork.loginCode, errMsg: 'login:ok' }),
  getSystemInfoSync: () => ({ environment: fakeNetwork.environment, platform: 'devtools' }),
  eventCenter: {
    on: (name: string, fn: (...args: unknown[]) => void) => void (listeners.get(name) ?? listeners.set(name, new Set()).get(name)!).add(fn),
    off: (name: string, fn: (...args: unknown[]) => void) => void listeners.get(name)?.delete(fn),
    trigger: (name: string, ...args: unknown[]) => listeners.get(name)?.forEach((fn) => fn(...args)),
  },
};

export const useRouter = () => ({ params: fakeNetwork.routerParams });
// a page shows when it mounts (later shows are not simulated)
export const useDidShow = (fn: () => void) => useEffect(() => fn(), []); // eslint-disable-line react-hooks/exhaustive-deps
export const useLoad = (fn: (params: Record<string, string>) => void) =>
  useEffect(() => fn(fakeNetwork.routerParams), []); // eslint-disable-line react-hooks/exhaustive-deps
export const usePullDownRefresh = () => undefined;
export default Taro;
