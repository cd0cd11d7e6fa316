// The slice of @tarojs/taro the pages use, kept in memory; the network answers from `fakeNetwork`.
import { useEffect } from 'react';

type RequestOptions = { url: string; method?: string; header?: Record<string, string>; data?: unknown };
type Reply = { statusCode: number; data: unknown };
type UploadOptions = { url: string; filePath: string; name: string; header?: Record<string, string> };

export const fakeNetwork = {
  requests: [] as RequestOptions[],
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
  reset() {
    this.requests = [];
    this.uploads = [];
    this.toasts = [];
    this.chosenImages = [];
    this.routerParams = {};
    this.loginCode = 'wx-code-1';
    this.environment = undefined;
    this.subscribeAnswer = {};
    this.subscribeAsked = [];
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
    if (!fakeNetwork.chosenImages.length) throw new Error('chooseImage:fail cancel');
    return { tempFilePaths: fakeNetwork.chosenImages.slice(0, options.count) };
  },
  getStorageSync: (key: string) => (storage.has(key) ? JSON.parse(JSON.stringify(storage.get(key))) : ''),
  setStorageSync: (key: string, value: unknown) => void storage.set(key, JSON.parse(JSON.stringify(value))),
  removeStorageSync: (key: string) => void storage.delete(key),
  showToast: async (options: { title: string }) => void fakeNetwork.toasts.push(options.title),
  pageScrollTo: async () => undefined,
  getCurrentPages: () => [{}, {}],
  navigateBack: async () => undefined,
  navigateTo: async () => undefined,
  redirectTo: async () => undefined,
  reLaunch: async () => undefined,
  setNavigationBarTitle: async () => undefined,
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
export const useDidShow = () => undefined;
export const useLoad = (fn: (params: Record<string, string>) => void) =>
  useEffect(() => fn(fakeNetwork.routerParams), []); // eslint-disable-line react-hooks/exhaustive-deps
export const usePullDownRefresh = () => undefined;
export default Taro;
