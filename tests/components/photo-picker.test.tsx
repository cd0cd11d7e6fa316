import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { PhotoPicker } from '../../miniprogram/src/components/photo-picker';
import { fakeNetwork } from './support/taro';

beforeEach(() => fakeNetwork.reset());

function renderPicker(max: number) {
  const reports: [number[], boolean][] = [];
  render(<PhotoPicker id='p' max={max} onChange={(ids, busy) => reports.push([ids, busy])} />);
  return { last: () => reports[reports.length - 1]! };
}

describe('photos from camera or album', () => {
  it('uploads what was picked and reports the ids; a failed upload says so and can be retried', async () => {
    let calls = 0;
    fakeNetwork.uploadHandler = () => {
      calls++;
      return calls === 2 ? { statusCode: 502, data: '' } : { statusCode: 201, data: JSON.stringify({ id: 100 + calls }) };
    };
    fakeNetwork.chosenImages = ['blob:a', 'blob:b'];
    const picker = renderPicker(9);
    fireEvent.click(document.querySelector('#p-add')!);
    expect(await screen.findByText('上传失败，点此重试')).toBeTruthy();
    await waitFor(() => expect(picker.last()).toEqual([[101], false]));
    fireEvent.click(screen.getByText('上传失败，点此重试'));
    await waitFor(() => expect(picker.last()).toEqual([[101, 103], false]));
    expect(screen.queryByText('上传失败，点此重试')).toBeNull();
    expect(screen.getByText('2/9')).toBeTruthy();
  });

  it.each([
    [413, '照片不能超过 5 MB'],
    [415, '只能上传 JPEG、PNG 或 WebP 图片'],
    [429, '今天上传的照片已达上限（200 张），请明天再传'],
  ])('a photo the server refuses (%i) shows the server’s reason, not a retry that would fail again', async (statusCode, message) => {
    fakeNetwork.uploadHandler = () => ({ statusCode, data: JSON.stringify({ error: { code: 'X', message } }) });
    fakeNetwork.chosenImages = ['blob:a'];
    const picker = renderPicker(9);
    fireEvent.click(document.querySelector('#p-add')!);
    expect(await screen.findByText(message)).toBeTruthy();
    expect(screen.queryByText('上传失败，点此重试')).toBeNull();
    await waitFor(() => expect(picker.last()).toEqual([[], false]));
    fireEvent.click(screen.getByText(message)); // tapping the reason does not upload the same file again
    expect(fakeNetwork.uploads).toHaveLength(1);
    await act(async () => fireEvent.click(screen.getByText('×')));
    expect(screen.queryByText(message)).toBeNull();
  });

  it('never takes more than the limit, and a removed photo leaves the list', async () => {
    let id = 0;
    fakeNetwork.uploadHandler = () => ({ statusCode: 201, data: JSON.stringify({ id: ++id }) });
    fakeNetwork.chosenImages = ['blob:a', 'blob:b', 'blob:c'];
    const picker = renderPicker(1);
    fireEvent.click(document.querySelector('#p-add')!);
    await waitFor(() => expect(picker.last()).toEqual([[1], false]));
    expect(fakeNetwork.uploads).toHaveLength(1);
    expect(document.querySelector('#p-add')).toBeNull(); // full
    await act(async () => fireEvent.click(screen.getByText('×')));
    expect(picker.last()).toEqual([[], false]);
    expect(document.querySelector('#p-add')).not.toBeNull();
  });

  it('a cancelled picker changes nothing', async () => {
    const picker = renderPicker(9);
    await act(async () => fireEvent.click(document.querySelector('#p-add')!));
    expect(picker.last()).toEqual([[], false]);
    expect(fakeNetwork.uploads).toHaveLength(0);
  });
});
