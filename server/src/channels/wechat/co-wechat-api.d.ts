/** The parts of co-wechat-api 3.11.0 (plain CommonJS, no types of its own) that Anchor uses. */
declare module 'co-wechat-api' {
  namespace WechatAPI {
    interface StoredToken {
      accessToken: string;
      /** epoch ms, compared with Date.now() */
      expireTime: number;
    }
    interface RequestOptions {
      method?: string;
      data?: string | Buffer;
      dataType?: string;
      headers?: Record<string, string>;
      /** httpx: connect and read timeout, ms */
      timeout?: number;
      agent?: import('node:http').Agent;
    }
  }

  class WechatAPI {
    constructor(
      appid: string,
      appsecret: string,
      getToken?: () => Promise<WechatAPI.StoredToken | null | undefined>,
      saveToken?: (token: WechatAPI.StoredToken | null) => Promise<void>,
      tokenFromCustom?: boolean,
    );
    appid: string;
    appsecret: string;
    getToken: () => Promise<WechatAPI.StoredToken | null | undefined>;
    saveToken: (token: WechatAPI.StoredToken | null) => Promise<void>;
    /** https://api.weixin.qq.com/cgi-bin/ */
    prefix: string;
    /** https://api.weixin.qq.com/sns/ */
    snsPrefix: string;
    /** https://api.weixin.qq.com/wxa/ */
    wxaPrefix: string;
    payPrefix: string;
    merchantPrefix: string;
    customservicePrefix: string;
    setOpts(opts: WechatAPI.RequestOptions): void;
    /** JSON (parsed) for application/json and text/plain answers, a Buffer for anything else; throws on errcode ≠ 0 */
    request(url: string, opts?: WechatAPI.RequestOptions, retry?: number): Promise<unknown>;
    getAccessToken(): Promise<WechatAPI.StoredToken>;
    ensureAccessToken(): Promise<WechatAPI.StoredToken>;
    code2Session(jsCode: string): Promise<unknown>;
    sendSubscribeMessage(openid: string, templateId: string, page: string | undefined, data: unknown): Promise<unknown>;
    getWXACodeUnlimit(scene: string, page?: string, width?: number): Promise<unknown>;
  }

  export = WechatAPI;
}
