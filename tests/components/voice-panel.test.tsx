import { act, fireEvent, render, screen } from '@testing-library/react';
import { VoicePanel } from '../../miniprogram/src/pages/visit/voice-panel';
import { shippedOptions } from './support/options';

/** WechatSI's record-recognition manager as the plugin hands it out (plugin wx069ba97219f66d99). */
const manager = {
  started: [] as { lang: string; duration: number }[],
  stopped: 0,
  onStop: null as ((res: { result?: string }) => void) | null,
  onError: null as ((res: { retcode?: number; msg?: string }) => void) | null,
  start(options: { lang: string; duration: number }) {
    this.started.push(options);
  },
  stop() {
    this.stopped++;
  },
};

beforeAll(() => {
  (globalThis as { requirePlugin?: unknown }).requirePlugin = (name: string) => {
    if (name !== 'WechatSI') throw new Error(`no plugin ${name}`);
    return { getRecordRecognitionManager: () => manager };
  };
});
beforeEach(() => {
  process.env.TARO_ENV = 'weapp'; // inlined by the weapp build; read while rendering here
  manager.started = [];
  manager.stopped = 0;
});
afterEach(() => {
  process.env.TARO_ENV = 'h5';
});

describe('语音速记 on weapp (WechatSI)', () => {
  it('dictates in Chinese into the text box; 识别 fills the form, nothing more', async () => {
    const fills: unknown[] = [];
    render(<VoicePanel options={shippedOptions()} onFill={(patch) => fills.push(patch)} />);
    fireEvent.click(await screen.findByText('按此说话'));
    expect(manager.started).toEqual([{ lang: 'zh_CN', duration: 60000 }]);
    expect(screen.getByText('停止')).toBeTruthy();
    fireEvent.click(screen.getByText('停止'));
    expect(manager.stopped).toBe(1);
    act(() => manager.onStop!({ result: '客户王总说安装太慢,下周二演示新方案' }));
    expect((document.querySelector('#voice-text') as HTMLTextAreaElement).value).toBe('客户王总说安装太慢,下周二演示新方案');
    expect(fills).toHaveLength(0);
    fireEvent.click(screen.getByText('识别'));
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ painPoint: '安装太慢', agreedAction: '安排演示' });
  });

  it('says what went wrong in words the rep can act on', async () => {
    render(<VoicePanel options={shippedOptions()} onFill={() => undefined} />);
    fireEvent.click(await screen.findByText('按此说话'));
    act(() => manager.onError!({ retcode: -30003, msg: 'audio too short' }));
    expect(screen.getByText('说话时间太短，请重试')).toBeTruthy();
    expect(screen.getByText('按此说话')).toBeTruthy(); // ready again
  });
});
