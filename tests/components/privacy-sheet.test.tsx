import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { PrivacySheet } from '../../miniprogram/src/components/privacy-sheet';
import { PhotoPicker } from '../../miniprogram/src/components/photo-picker';
import { fakeNetwork } from './support/taro';

// WeChat holds a privacy API call (chooseImage, the recorder) until the app's own sheet answers.
// The listener is registered once per app run (the platform keeps one), so these tests share it.
function ask(referrer = 'chooseImage') {
  const answers: Array<{ event: string; buttonId?: string }> = [];
  act(() => fakeNetwork.privacyListener!((o) => answers.push(o), { referrer }));
  return answers;
}

beforeEach(() => fakeNetwork.reset());

describe('the privacy consent sheet', () => {
  it('is hidden until WeChat asks, and registers the platform listener', () => {
    render(<PrivacySheet />);
    expect(fakeNetwork.privacyListener).not.toBeNull();
    expect(document.querySelector('#privacy-sheet')).toBeNull();
  });

  it('agreeing goes through the open-type="agreePrivacyAuthorization" button and lets the held call continue', () => {
    render(<PrivacySheet />);
    const answers = ask();
    expect(screen.getByText('用户隐私保护提示')).toBeTruthy();
    expect(screen.getByText('《锚点隐私保护指引》')).toBeTruthy();
    const agree = document.querySelector('#privacy-agree')!;
    expect(agree.getAttribute('data-open-type')).toBe('agreePrivacyAuthorization');
    fireEvent.click(agree);
    expect(answers).toEqual([{ event: 'exposureAuthorization' }, { event: 'agree', buttonId: 'privacy-agree' }]);
    expect(document.querySelector('#privacy-sheet')).toBeNull();
  });

  it('暂不同意 fails only the held call; the page stays usable', () => {
    render(
      <div>
        <PrivacySheet />
        <button id='other'>保存</button>
      </div>,
    );
    const answers = ask();
    fireEvent.click(screen.getByText('暂不同意'));
    expect(answers[answers.length - 1]).toEqual({ event: 'disagree' });
    expect(document.querySelector('#privacy-sheet')).toBeNull();
    expect(document.querySelector('#other')).not.toBeNull();
  });

  it('after a refusal the photo button says why instead of doing nothing', async () => {
    render(<PhotoPicker id='p' max={9} onChange={() => undefined} />);
    fakeNetwork.chooseImageError = { errMsg: 'chooseImage:fail privacy permission is not authorized', errno: 104 };
    await act(async () => fireEvent.click(document.querySelector('#p-add')!));
    await waitFor(() => expect(document.querySelector('#p-refused')?.textContent).toContain('未同意隐私保护指引，无法拍照或选图'));
    // a plain cancel says nothing, and a later pick clears the message
    fakeNetwork.chooseImageError = { errMsg: 'chooseImage:fail cancel' };
    await act(async () => fireEvent.click(document.querySelector('#p-add')!));
    expect(document.querySelector('#p-refused')).toBeNull();
  });
});
