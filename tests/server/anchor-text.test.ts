import { loadPolicy } from '../../server/src/config/policy';
import { Visit } from '../../server/src/modules/visits/visit.entity';
import { startHarness, type Harness } from '../support/harness';
import { buildOrg, type OrgFixture } from '../support/org-fixture';
import { api } from '../support/http';
import { completeVisit, submitVisit } from '../support/visit-fixture';

// Text anchors must say something: a minimum real length (config/policy.yaml `anchors:`) and no
// placeholder answers. The server refuses with 422 naming each field; the app uses the same rules.
let h: Harness;
let org: OrgFixture;
let customer: number;

beforeAll(async () => {
  h = await startHarness();
  org = await buildOrg(h);
  customer = (await api(h.url, 'POST', '/api/v1/customers', { token: org.token(org.repA), json: { name: '苏州市立医院', industry: '公立医院', stage: 'proposal' } })).body.id;
});
afterAll(() => h.close());

const visitCount = () => h.db.getRepository(Visit).count();
const send = (change: Record<string, unknown>) => submitVisit(h, org.token(org.repA), { ...completeVisit(customer), ...change });

describe('text anchors that say nothing are refused, naming the field', () => {
  it.each<[string, string, string, RegExp]>([
    ['pain point 无', 'painPoint', '无', /^客户痛点摘要不能只写「无」，请写出实际内容$/],
    ['pain point 无。 (with punctuation)', 'painPoint', ' 无。 ', /^客户痛点摘要不能只写「无。」/],
    ['pain point 暂无', 'painPoint', '暂无', /客户痛点摘要不能只写「暂无」/],
    ['summary 同上', 'dialogueSummary', '同上', /^关键对话摘要不能只写「同上」/],
    ['summary XXX (any case)', 'dialogueSummary', 'XXX', /关键对话摘要不能只写「XXX」/],
    ['summary of one repeated character', 'dialogueSummary', '啊啊啊啊啊啊啊啊啊啊啊啊', /^关键对话摘要不能只是同一个字重复/],
    ['value point of one repeated digit', 'valuePoint', '1111', /^提供的价值点不能只是同一个字重复/],
    ['value point of only punctuation', 'valuePoint', '。。。，，！', /^提供的价值点不能只有标点符号/],
    ['summary of only punctuation and spaces', 'dialogueSummary', '…… —— ？？ ......', /^关键对话摘要不能只有标点符号/],
    ['pain point of 3 characters', 'painPoint', '太慢了', /^客户痛点摘要至少 4 个字（现在 3 个字）$/],
    ['pain point padded with spaces to look long', 'painPoint', '   太慢了      ', /至少 4 个字（现在 3 个字）/],
    ['summary of 8 characters', 'dialogueSummary', '王主任认可安装快', /^关键对话摘要至少 10 个字（现在 8 个字）$/],
    ['value point of 3 characters', 'valuePoint', '装得快', /^提供的价值点至少 4 个字（现在 3 个字）$/],
  ])('%s', async (_title, field, value, message) => {
    const before = await visitCount();
    const res = await send({ [field]: value });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'ACTION_NOT_CLOSED', message: '动作未闭环，请补全' });
    expect(Object.keys(res.body.error.fields)).toEqual([field]);
    expect(res.body.error.fields[field]).toMatch(message);
    expect(await visitCount()).toBe(before);
  });

  it('names every weak anchor at once, each with its own reason', async () => {
    const res = await send({ painPoint: '无', dialogueSummary: '同上', valuePoint: '好' });
    expect(res.status).toBe(422);
    expect(res.body.error.fields).toEqual({
      painPoint: '客户痛点摘要不能只写「无」，请写出实际内容',
      dialogueSummary: '关键对话摘要不能只写「同上」，请写出实际内容',
      valuePoint: '提供的价值点至少 4 个字（现在 1 个字）',
    });
  });

  it('text exactly at the minimum is accepted; Chinese characters count one each', async () => {
    const res = await send({ painPoint: '安装太慢', dialogueSummary: '王主任认可快速安装服务', valuePoint: '当天装好' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ painPoint: '安装太慢', dialogueSummary: '王主任认可快速安装服务', valuePoint: '当天装好' });
  });

  it('a real answer that merely contains a placeholder word is accepted', async () => {
    const res = await send({ painPoint: '暂无预算，明年再议' });
    expect(res.status).toBe(201);
  });

  it('the app gets the same rules from GET /options', async () => {
    const res = await api(h.url, 'GET', '/api/v1/options', { token: org.token(org.repA) });
    expect(res.status).toBe(200);
    expect(res.body.anchors).toEqual(h.policy.anchors);
    expect(res.body.anchors.minLength).toEqual({ painPoint: 4, dialogueSummary: 10, valuePoint: 4 });
    expect(res.body.anchors.placeholders).toEqual(expect.arrayContaining(['无', '同上', '暂无', 'xxx']));
  });
});

describe('the rules come from policy', () => {
  let strict: Harness;
  let strictOrg: OrgFixture;
  let strictCustomer: number;
  beforeAll(async () => {
    const policy = loadPolicy();
    strict = await startHarness({ policy: { ...policy, anchors: { minLength: { painPoint: 6, dialogueSummary: 10, valuePoint: 4 }, placeholders: ['还行'] } } });
    strictOrg = await buildOrg(strict);
    strictCustomer = (await api(strict.url, 'POST', '/api/v1/customers', { token: strictOrg.token(strictOrg.repA), json: { name: '无锡市人民医院', industry: '公立医院', stage: 'proposal' } })).body.id;
  });
  afterAll(() => strict.close());

  it('a longer minimum and another placeholder list apply on the server and in /options', async () => {
    const token = strictOrg.token(strictOrg.repA);
    const short = await submitVisit(strict, token, { ...completeVisit(strictCustomer), painPoint: '安装太慢了' });
    expect(short.body.error.fields).toEqual({ painPoint: '客户痛点摘要至少 6 个字（现在 5 个字）' });
    const placeholder = await submitVisit(strict, token, { ...completeVisit(strictCustomer), valuePoint: '还行！' });
    expect(placeholder.body.error.fields).toEqual({ valuePoint: '提供的价值点不能只写「还行！」，请写出实际内容' });
    // a text that merely starts with 无 is a real answer
    const ok = await submitVisit(strict, token, { ...completeVisit(strictCustomer), painPoint: '无法按时安装调试' });
    expect(ok.status).toBe(201);
    expect((await api(strict.url, 'GET', '/api/v1/options', { token })).body.anchors.minLength.painPoint).toBe(6);
  });
});
