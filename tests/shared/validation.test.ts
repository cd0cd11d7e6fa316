import { makeFirstTouchSchema, validate } from '@anchor/shared';

const schema = makeFirstTouchSchema({ firstTouchMethods: ['电话', '微信', '上门'] } as Parameters<typeof makeFirstTouchSchema>[0]);

describe('field messages', () => {
  it('name the field for a plain rule', () => {
    const result = validate(schema, { method: '微信', verbatim: '', evidenceText: '聊天记录' });
    expect(result).toEqual({ ok: false, fields: { verbatim: '客户原话反应不能为空' } });
  });

  it('keep a cross-field rule\u2019s sentence as written, without a label in front', () => {
    const result = validate(schema, { method: '电话', verbatim: '先发资料看看' });
    expect(result).toEqual({ ok: false, fields: { evidenceText: '请上传截图或粘贴聊天记录作为凭证' } });
  });
});
