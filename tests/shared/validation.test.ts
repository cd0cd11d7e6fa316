import { z } from 'zod';
import { dbId, isoDate, labelled, makeFirstTouchSchema, validate } from '@anchor/shared';

const schema = makeFirstTouchSchema({ firstTouchMethods: ['电话', '微信', '上门'] } as Parameters<typeof makeFirstTouchSchema>[0]);

describe('field messages', () => {
  it('name the field for a plain rule', () => {
    const result = validate(schema, { method: '微信', verbatim: '话'.repeat(301), evidenceText: '聊天记录' });
    expect(result).toEqual({ ok: false, fields: { verbatim: '客户原话反应不能超过 300 个字' } });
  });

  it('word a missing or blank field one way: 请选择 what is picked, 请填写 what is written', () => {
    const form = z.object({
      name: labelled(z.string().trim().min(1), '客户名称'),
      notes: labelled(z.string(), '备注'),
      industry: labelled(z.enum(['公立医院', '民营医院']), '所属行业'),
      ownerId: dbId('负责人'),
      visitDate: isoDate('拜访日期'),
      alert: labelled(z.boolean(), '预警标记'),
    });
    expect(validate(form, { name: '   ' })).toEqual({
      ok: false,
      fields: { name: '请填写客户名称', notes: '请填写备注', industry: '请选择所属行业', ownerId: '请选择负责人', alert: '请选择预警标记', visitDate: '请选择拜访日期' },
    });
    expect(validate(schema, { method: '微信', verbatim: '', evidenceText: '聊天记录' })).toEqual({ ok: false, fields: { verbatim: '请填写客户原话反应' } });
  });

  it('keep a cross-field rule\u2019s sentence as written, without a label in front', () => {
    const result = validate(schema, { method: '电话', verbatim: '先发资料看看' });
    expect(result).toEqual({ ok: false, fields: { evidenceText: '请上传截图或粘贴聊天记录作为凭证' } });
  });
});
