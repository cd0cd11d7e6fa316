import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { forgetOptions } from '../../miniprogram/src/api/options';
import VisitPage from '../../miniprogram/src/pages/visit/index';
import { shippedOptions } from './support/options';
import { fakeNetwork } from './support/taro';

const options = shippedOptions();
const visitPosts = () => fakeNetwork.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/api/v1/visits'));
const field = (name: string) => document.querySelector(`#field-${name}`)!;
const textarea = (id: string) => document.querySelector(`#${id}`) as HTMLTextAreaElement;

function answer(visits: () => { statusCode: number; data: unknown } = () => ({ statusCode: 201, data: { id: 99 } }), served = options) {
  fakeNetwork.handler = (req) => {
    if (req.url.endsWith('/api/v1/options')) return { statusCode: 200, data: served };
    if (req.url.endsWith('/api/v1/me/subscribe-consent')) return { statusCode: 200, data: { remaining: 1 } };
    if (req.url.endsWith('/api/v1/visits')) return visits();
    return { statusCode: 404, data: { error: { message: '不存在' } } };
  };
}

async function openForm() {
  render(<VisitPage />);
  await screen.findByText('提交拜访');
}

function fillTheRest() {
  fireEvent.change(textarea('voice-text'), { target: { value: '客户王总说安装太慢,下周二演示新方案' } });
  fireEvent.click(screen.getByText('识别'));
  fireEvent.click(screen.getByText('更多 ▾'));
  fireEvent.change(textarea('dialogueSummary'), { target: { value: '王总认可快速安装' } });
  fireEvent.change(document.querySelector('#valuePoint') as HTMLInputElement, { target: { value: '48 小时装好' } });
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

  it('shows 动作未闭环,请补全 and marks the missing anchors, sending nothing', async () => {
    await openForm();
    fireEvent.click(screen.getByText('提交拜访'));
    expect(await screen.findByText('动作未闭环,请补全')).toBeTruthy();
    expect(field('painPoint').classList.contains('field-error')).toBe(true);
    expect(field('nextFollowUpDate').classList.contains('field-error')).toBe(true);
    expect(field('agreedAction').classList.contains('field-error')).toBe(false); // preselected
    // an error under 更多 unfolds it
    expect(field('dialogueSummary').classList.contains('field-error')).toBe(true);
    expect(visitPosts()).toHaveLength(0);
  });

  it('the voice text fills pain point, action and next follow-up for the rep to check, and does not submit', async () => {
    await openForm();
    fireEvent.change(textarea('voice-text'), { target: { value: '客户王总说安装太慢,下周二演示新方案' } });
    fireEvent.click(screen.getByText('识别'));
    expect(textarea('painPoint').value).toBe('安装太慢');
    expect(field('agreedAction').textContent).toContain('安排演示');
    expect(field('nextFollowUpDate').textContent).toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(screen.getByText(/已填入: .*请核对后再提交/)).toBeTruthy();
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
    expect(sent.data).toMatchObject({ customerId: 7, painPoint: '安装太慢', agreedAction: '安排演示', valuePoint: '48 小时装好' });
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
    await waitFor(() => expect(fakeNetwork.toasts).toContain('网络不可用, 已保存待同步'));
    const Taro = (await import('./support/taro')).default;
    const queue = Taro.getStorageSync('anchor.visitQueue') as { key: string; body: { painPoint: string } }[];
    expect(queue).toHaveLength(1);
    expect(queue[0]!.key).toBe(visitPosts()[0]!.header?.['Idempotency-Key']);
    expect(queue[0]!.body.painPoint).toBe('安装太慢');
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
    expect(await screen.findByText('照片还在上传, 请稍候再提交')).toBeTruthy();
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
});
