import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { forgetOptions } from '../../miniprogram/src/api/options';
import VisitPage from '../../miniprogram/src/pages/visit/index';
import { shippedOptions } from './support/options';
import { fakeNetwork } from './support/taro';

const options = shippedOptions();
const visitPosts = () => fakeNetwork.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/api/v1/visits'));
const field = (name: string) => document.querySelector(`#field-${name}`)!;
const textarea = (id: string) => document.querySelector(`#${id}`) as HTMLTextAreaElement;
const input = (id: string) => document.querySelector(`#${id}`) as HTMLInputElement;
const select = (label: string) => document.querySelector(`select[aria-label="${label}"]`) as HTMLSelectElement;

/** Picks a row by its text, as a rep scrolls the picker to it and taps 确定. */
function choose(picker: string, row: string | RegExp) {
  const options = Array.from(select(picker).options);
  const index = options.findIndex((o) => (typeof row === 'string' ? o.textContent === row : row.test(o.textContent ?? '')));
  if (index < 0) throw new Error(`${picker} has no row ${row}: ${options.map((o) => o.textContent).join(', ')}`);
  fireEvent.change(select(picker), { target: { value: String(index) } });
}

function answer(visits: () => { statusCode: number; data: unknown } = () => ({ statusCode: 201, data: { id: 99 } }), served = options) {
  fakeNetwork.handler = (req) => {
    if (req.url.endsWith('/api/v1/options')) return { statusCode: 200, data: served };
    if (req.url.endsWith('/api/v1/me/subscribe-consent')) return { statusCode: 200, data: { remaining: 1 } };
    if (req.url.endsWith('/api/v1/visits')) return visits();
    if (req.url.endsWith('/api/v1/customers/7')) return { statusCode: 200, data: { id: 7, name: '上海仁济医院' } };
    return { statusCode: 404, data: { error: { message: '不存在' } } };
  };
}

async function openForm() {
  render(<VisitPage />);
  await screen.findByText('提交拜访');
}

function fillTheRest() {
  fireEvent.change(textarea('voice-text'), { target: { value: '客户王总说安装太慢，下周二演示新方案' } });
  fireEvent.click(screen.getByText('识别'));
  choose('objective', '推进方案');
  fireEvent.change(textarea('dialogueSummary'), { target: { value: '王总认可快速安装，想看三甲医院案例' } });
  choose('bottleneck', '集采降价压力');
  fireEvent.change(input('valuePoint'), { target: { value: '48 小时装好' } });
  choose('nextFollowUpTime-0', '14 时');
  choose('nextFollowUpTime-1', '30 分');
  choose('nextFollowUpForm', '上门');
}

beforeEach(() => {
  fakeNetwork.reset();
  forgetOptions();
  fakeNetwork.routerParams = { customerId: '7' };
  answer();
});

describe('新建拜访 form', () => {
  it('opens from a customer code\u2019s scene (c=<id>) as well as from the app', async () => {
    fakeNetwork.routerParams = { scene: encodeURIComponent('c=7') };
    await openForm();
    fillTheRest();
    fireEvent.click(screen.getByText('提交拜访'));
    await waitFor(() => expect(visitPosts()).toHaveLength(1));
    expect((visitPosts()[0]!.data as { customerId: number }).customerId).toBe(7);
  });

  it('names its customer, also when opened from a scanned code, and offers a way back', async () => {
    fakeNetwork.routerParams = { scene: encodeURIComponent('c=7') };
    await openForm();
    expect(await screen.findByText('上海仁济医院')).toBeTruthy();
    await waitFor(() => expect(fakeNetwork.navigationTitle).toBe('拜访 · 上海仁济医院'));
    expect(screen.getByText('‹ 返回')).toBeTruthy();
  });

  it('starts with every anchor empty: nothing is chosen for the rep', async () => {
    await openForm();
    for (const name of ['objective', 'bottleneck', 'agreedAction']) expect(field(name).querySelector('.picker-box')!.textContent).toBe('请选择…');
    expect(field('nextFollowUpForm').querySelector('.picker-box')!.textContent).toBe('请选择跟进形式');
    expect(field('nextFollowUpDate').querySelector('.picker-box')!.textContent).toBe('请选择日期');
    expect(field('nextFollowUpTime').querySelector('.picker-box')!.textContent).toBe('请选择时间');
    // each list opens on its unset row
    for (const name of ['objective', 'bottleneck', 'agreedAction', 'nextFollowUpForm', 'nextFollowUpDate', 'nextFollowUpTime-0', 'nextFollowUpTime-1']) {
      expect(select(name).selectedIndex).toBe(0);
    }
    expect(select('agreedAction').options[0]!.textContent).toBe('请选择…');
  });

  it('shows 动作未闭环，请补全 and names every missing anchor in one wording, sending nothing', async () => {
    await openForm();
    fireEvent.click(screen.getByText('提交拜访'));
    expect(await screen.findByText('动作未闭环，请补全')).toBeTruthy();
    const expected: Record<string, string> = {
      objective: '请选择本次核心目标', painPoint: '请填写客户痛点摘要', dialogueSummary: '请填写关键对话摘要', bottleneck: '请选择客户最大业务瓶颈',
      valuePoint: '请填写提供的价值点', agreedAction: '请选择约定动作', nextFollowUpDate: '请选择下次跟进日期', nextFollowUpTime: '请选择下次跟进时间',
      nextFollowUpForm: '请选择下次跟进形式',
    };
    for (const [name, message] of Object.entries(expected)) {
      expect(field(name).classList.contains('field-error')).toBe(true);
      expect(field(name).querySelector('.field__message')!.textContent).toBe(message);
    }
    expect(screen.getByText('更多 ▾')).toBeTruthy(); // nothing required is folded away
    expect(visitPosts()).toHaveLength(0);
  });

  it('confirming a picker on its unset row, or a time with only the hour, chooses nothing', async () => {
    await openForm();
    choose('agreedAction', '提供样品');
    expect(field('agreedAction').querySelector('.picker-box')!.textContent).toBe('提供样品');
    choose('agreedAction', '请选择…');
    expect(field('agreedAction').querySelector('.picker-box')!.textContent).toBe('请选择…');
    choose('nextFollowUpTime-0', '09 时');
    expect(field('nextFollowUpTime').querySelector('.picker-box')!.textContent).toBe('请选择时间');
    choose('nextFollowUpTime-1', '15 分');
    expect(field('nextFollowUpTime').querySelector('.picker-box')!.textContent).toBe('09:15');
    choose('nextFollowUpDate', /（明天）$/);
    expect(field('nextFollowUpDate').querySelector('.picker-box')!.textContent).toMatch(/^\d{2}-\d{2} 周.（明天）$/);
  });

  it('the required summary and value point are on the form, not under 更多, with counters', async () => {
    await openForm();
    expect(screen.getByText('更多 ▾')).toBeTruthy();
    expect(document.querySelector('#customerVerbatim')).toBeNull(); // folded: optional only
    expect(document.querySelector('#dialogueSummary-count')!.textContent).toBe('0 / 300');
    fireEvent.change(textarea('dialogueSummary'), { target: { value: '  王主任认可快速安装服务！ ' } });
    fireEvent.change(input('valuePoint'), { target: { value: '装得快' } });
    expect(document.querySelector('#dialogueSummary-count')!.textContent).toBe('12 / 300');
    expect(document.querySelector('#valuePoint-count')!.textContent).toBe('3 / 50');
    expect(document.querySelector('#valuePoint-count')!.classList.contains('field__counter--short')).toBe(true);
    expect(document.querySelector('#painPoint-count')!.textContent).toBe('0 / 200');
    expect(field('valuePoint').textContent).toContain('至少 4 个字');
  });

  it('placeholder answers and text too short are refused before sending, each field named', async () => {
    await openForm();
    fillTheRest();
    fireEvent.change(textarea('painPoint'), { target: { value: '无' } });
    fireEvent.change(textarea('dialogueSummary'), { target: { value: '同上。' } });
    fireEvent.change(input('valuePoint'), { target: { value: '好好好好' } });
    fireEvent.click(screen.getByText('提交拜访'));
    expect(await screen.findByText('客户痛点摘要不能只写「无」，请写出实际内容')).toBeTruthy();
    expect(screen.getByText('关键对话摘要不能只写「同上。」，请写出实际内容')).toBeTruthy();
    expect(screen.getByText('提供的价值点不能只是同一个字重复，请写出实际内容')).toBeTruthy();
    fireEvent.change(textarea('dialogueSummary'), { target: { value: '王总认可安装快' } });
    fireEvent.click(screen.getByText('提交拜访'));
    expect(await screen.findByText('关键对话摘要至少 10 个字（现在 7 个字）')).toBeTruthy();
    expect(visitPosts()).toHaveLength(0);
  });

  it('the minimums and placeholders come from the server’s policy (GET /options)', async () => {
    answer(undefined, { ...options, anchors: { minLength: { painPoint: 6, dialogueSummary: 10, valuePoint: 4 }, placeholders: ['还行'] } } as typeof options);
    await openForm();
    fillTheRest(); // pain point 安装太慢: enough for the shipped 4, not for 6
    fireEvent.change(input('valuePoint'), { target: { value: '还行' } });
    fireEvent.click(screen.getByText('提交拜访'));
    expect(await screen.findByText('客户痛点摘要至少 6 个字（现在 4 个字）')).toBeTruthy();
    expect(screen.getByText('提供的价值点不能只写「还行」，请写出实际内容')).toBeTruthy();
    expect(document.querySelector('#painPoint-count')!.classList.contains('field__counter--short')).toBe(true);
    expect(visitPosts()).toHaveLength(0);
  });

  it('the server’s refusal of a weak anchor is shown on that field', async () => {
    answer(() => ({ statusCode: 422, data: { error: { code: 'ACTION_NOT_CLOSED', message: '动作未闭环，请补全', fields: { painPoint: '客户痛点摘要不能只写「没有」，请写出实际内容' } } } }));
    await openForm();
    fillTheRest();
    fireEvent.click(screen.getByText('提交拜访'));
    expect(await screen.findByText('客户痛点摘要不能只写「没有」，请写出实际内容')).toBeTruthy();
    expect(field('painPoint').classList.contains('field-error')).toBe(true);
  });

  it('the voice text fills pain point, action and next follow-up for the rep to check, and does not submit', async () => {
    await openForm();
    fireEvent.change(textarea('voice-text'), { target: { value: '客户王总说安装太慢，下周二演示新方案' } });
    fireEvent.click(screen.getByText('识别'));
    expect(textarea('painPoint').value).toBe('安装太慢');
    expect(field('agreedAction').textContent).toContain('安排演示');
    expect(field('nextFollowUpDate').querySelector('.picker-box')!.textContent).toMatch(/^\d{2}-\d{2} 周二/);
    // no time was said: none is made up
    expect(field('nextFollowUpTime').querySelector('.picker-box')!.textContent).toBe('请选择时间');
    expect(screen.getByText(/^已填入：.*（未说时间，请选择）.*请核对后再提交$/)).toBeTruthy();
    expect(visitPosts()).toHaveLength(0);
  });

  it('a complete visit is sent once, with an idempotency key and the anchors', async () => {
    await openForm();
    fillTheRest();
    fireEvent.click(screen.getByText('提交拜访'));
    await waitFor(() => expect(fakeNetwork.toasts).toContain('拜访已提交'));
    expect(visitPosts()).toHaveLength(1);
    const sent = visitPosts()[0]!;
    expect(sent.header?.['Idempotency-Key']).toMatch(/^v-/);
    expect(sent.data).toMatchObject({
      customerId: 7, objective: '推进方案', painPoint: '安装太慢', bottleneck: '集采降价压力', agreedAction: '安排演示', valuePoint: '48 小时装好',
      nextFollowUpTime: '14:30', nextFollowUpForm: '上门',
    });
    const { nextFollowUpDate } = sent.data as { nextFollowUpDate: string };
    expect(new Date(`${nextFollowUpDate}T00:00:00Z`).getUTCDay()).toBe(2); // 下周二
  });

  it('with no network the visit is kept on the phone with its key, for 待同步', async () => {
    answer(() => {
      throw new Error('request:fail');
    });
    await openForm();
    fillTheRest();
    fireEvent.click(screen.getByText('提交拜访'));
    const pressed = Date.now();
    await waitFor(() => expect(fakeNetwork.toasts).toContain('网络不可用，已保存待同步'));
    const Taro = (await import('./support/taro')).default;
    const queue = Taro.getStorageSync('anchor.visitQueue') as { key: string; body: { painPoint: string; savedAt: string } }[];
    expect(queue).toHaveLength(1);
    expect(queue[0]!.key).toBe(visitPosts()[0]!.header?.['Idempotency-Key']);
    expect(queue[0]!.body.painPoint).toBe('安装太慢');
    // it keeps the moment the rep pressed save, for the server to store beside the upload time
    expect(Math.abs(new Date(queue[0]!.body.savedAt).getTime() - pressed)).toBeLessThan(5000);
    expect(queue[0]!.body.savedAt).toBe((visitPosts()[0]!.data as { savedAt: string }).savedAt);
  });

  it('waits for a photo still uploading, then sends its id with the visit', async () => {
    let finish!: () => void;
    fakeNetwork.chosenImages = ['blob:site-photo'];
    fakeNetwork.uploadHandler = () => new Promise((resolve) => (finish = () => resolve({ statusCode: 201, data: JSON.stringify({ id: 41 }) })));
    await openForm();
    fillTheRest();
    fireEvent.click(document.querySelector('#visit-photo-add')!);
    expect(await screen.findByText('上传中…')).toBeTruthy();
    fireEvent.click(screen.getByText('提交拜访'));
    expect(await screen.findByText('照片还在上传，请稍候再提交')).toBeTruthy();
    expect(visitPosts()).toHaveLength(0);
    await act(async () => finish());
    await waitFor(() => expect(screen.queryByText('上传中…')).toBeNull());
    fireEvent.click(screen.getByText('提交拜访'));
    await waitFor(() => expect(visitPosts()).toHaveLength(1));
    expect((visitPosts()[0]!.data as { photoIds: number[] }).photoIds).toEqual([41]);
    expect(fakeNetwork.uploads[0]).toMatchObject({ url: '/api/v1/photos', filePath: 'blob:site-photo', name: 'file' });
  });

  describe('on weapp, with a reminder template configured', () => {
    const TEMPLATE = 'tmpl-reminder-1';
    const consents = () => fakeNetwork.requests.filter((r) => r.url.endsWith('/api/v1/me/subscribe-consent'));
    beforeEach(() => {
      process.env.TARO_ENV = 'weapp';
      answer(undefined, { ...options, reminderTemplateId: TEMPLATE });
    });
    afterEach(() => {
      process.env.TARO_ENV = 'h5';
    });

    it('submitting asks consent for the reminder, and a 「允许」 is reported to the server', async () => {
      fakeNetwork.subscribeAnswer = { [TEMPLATE]: 'accept' };
      await openForm();
      fillTheRest();
      fireEvent.click(screen.getByText('提交拜访'));
      await waitFor(() => expect(visitPosts()).toHaveLength(1));
      expect(fakeNetwork.subscribeAsked).toEqual([[TEMPLATE]]);
      expect(consents().map((r) => r.data)).toEqual([{ templateId: TEMPLATE, accepted: 1 }]);
    });

    it('a refusal reports nothing and the visit is still sent', async () => {
      fakeNetwork.subscribeAnswer = { [TEMPLATE]: 'reject' };
      await openForm();
      fillTheRest();
      fireEvent.click(screen.getByText('提交拜访'));
      await waitFor(() => expect(visitPosts()).toHaveLength(1));
      expect(fakeNetwork.subscribeAsked).toHaveLength(1);
      expect(consents()).toHaveLength(0);
    });
  });

  it('offers the customer feedback as three chips, none chosen; the one tapped is sent, tapped again it is not', async () => {
    await openForm();
    const chips = Array.from(document.querySelectorAll('#customerFeedback .chip')).map((c) => c.textContent);
    expect(chips).toEqual(['积极', '中性', '消极']);
    expect(document.querySelector('#customerFeedback .chip--on')).toBeNull();
    fillTheRest();
    fireEvent.click(screen.getByText('消极'));
    fireEvent.click(screen.getByText('消极')); // changed their mind: nothing chosen
    fireEvent.click(screen.getByText('提交拜访'));
    await waitFor(() => expect(visitPosts()).toHaveLength(1));
    expect(visitPosts()[0]!.data).not.toHaveProperty('customerFeedback');
  });

  it('sends the chosen feedback with the visit', async () => {
    await openForm();
    fillTheRest();
    fireEvent.click(screen.getByText('积极'));
    expect(document.querySelector('#customerFeedback .chip--on')!.textContent).toBe('积极');
    fireEvent.click(screen.getByText('提交拜访'));
    await waitFor(() => expect(visitPosts()).toHaveLength(1));
    expect((visitPosts()[0]!.data as { customerFeedback: string }).customerFeedback).toBe('积极');
  });
});
