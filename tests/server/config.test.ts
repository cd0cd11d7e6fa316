import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { DEFAULT_POLICY_PATH, loadPolicy, parsePolicy, ConfigError } from '../../server/src/config/policy';
import { readEnv, EnvError } from '../../server/src/config/env';
import { spawnServer } from '../support/spawn-server';

const defaultText = readFileSync(DEFAULT_POLICY_PATH, 'utf8');
const withChange = (change: (p: any) => void) => {
  const policy = parse(defaultText);
  change(policy);
  return stringify(policy);
};
const problems = (text: string): string[] => {
  try {
    parsePolicy(text, 'test.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('policy was accepted');
};

describe('policy file (config/policy.yaml)', () => {
  it('the shipped defaults load: six stages, 48 h confirmation, weights 30/25/25/20', () => {
    const policy = loadPolicy();
    expect(policy.stages.map((s) => s.label)).toEqual(['线索', '拜访', '方案', '报价', '签约', '交付']);
    expect(policy.limits).toMatchObject({ todoConfirmHours: 48, leadFirstTouchHours: 48, regradeIntervalHours: 72, overdueDays: 3 });
    expect(policy.grading.weights).toEqual({ paymentHistory: 0.3, inventorySpeed: 0.25, hospitalLevelActivity: 0.25, competitorPenetration: 0.2 });
    expect(policy.options.visitObjectives).toEqual(['建立联系', '推进方案', '促成签约', '处理异议', '收集反馈']);
    expect(policy.database).toEqual({ queryTimeoutSeconds: 10, acquireTimeoutSeconds: 10, queueLimit: 1000, retryAfterSeconds: 5 });
    expect(policy.signins).toEqual({ farDistanceMeters: 500, proposalSignins: 3, proposalMaxAccuracyMeters: 100 });
  });

  it('ships the task pools (finance, marketing, the chosen marketing lead, admin); a file without taskPools gets the same', () => {
    const policy = loadPolicy();
    expect(policy.taskPools).toEqual({
      finance: { label: '财务', roles: ['finance'] },
      marketing: { label: '市场部', roles: ['marketing'] },
      marketing_lead: { label: '市场负责人', roles: ['marketing'], chosen: true },
      admin: { label: '管理员', roles: ['admin'] },
    });
    expect(parsePolicy(withChange((p) => delete p.taskPools), 'test.yaml').taskPools).toEqual(policy.taskPools);
  });

  it.each<[string, (p: any) => void, RegExp]>([
    ['weights that do not add up to 1', (p) => (p.grading.weights.paymentHistory = 0.5), /^grading\.weights：.*权重之和必须等于 1/],
    ['a negative time limit', (p) => (p.limits.todoConfirmHours = -48), /^limits\.todoConfirmHours：必须是正数/],
    ['a time limit written as text', (p) => (p.limits.overdueDays = '三天'), /^limits\.overdueDays：/],
    ['stages reordered', (p) => p.stages.reverse(), /^stages：阶段必须依次为/],
    ['a seventh stage', (p) => p.stages.push({ code: 'lost', label: '丢单' }), /^stages/],
    ['an unknown time zone', (p) => (p.timeZone = 'Mars/Olympus'), /^timeZone：不是有效的 IANA 时区名/],
    ['duplicate objective options', (p) => p.options.visitObjectives.push('建立联系'), /^options\.visitObjectives：拜访目标选项不能重复/],
    ['an empty option list', (p) => (p.options.bottlenecks = []), /^options\.bottlenecks：业务瓶颈至少需要一个选项/],
    ['grade cut-offs out of order', (p) => (p.grading.grades[1].minScore = 90), /^grading\.grades：等级必须按最低分从高到低排列/],
    ['a misspelt key', (p) => (p.limits.todoConfirmHour = 48), /^limits：.*todoConfirmHour/],
    ['an anchor minimum longer than the field holds', (p) => (p.anchors.minLength.painPoint = 500), /^anchors\.minLength\.painPoint：不能大于 200/],
    ['an empty placeholder answer', (p) => p.anchors.placeholders.push(' '), /^anchors\.placeholders\.\d+：占位答案不能为空字符串/],
    ['an unbounded database queue', (p) => (p.database.queueLimit = 0), /^database\.queueLimit：必须至少为 1/],
    ['a wall screen reloading every 5 s', (p) => (p.dashboards.wall.refreshSeconds = 5), /^dashboards\.wall\.refreshSeconds：至少 10 秒/],
    ['a zero database timeout', (p) => (p.database.queryTimeoutSeconds = 0), /^database\.queryTimeoutSeconds：必须是正数/],
    ['an approval step in a pool taskPools does not define', (p) => (p.approvals.contract[2].pool = 'accounting'), /^approvals\.contract\.2\.pool：没有名为 accounting 的任务池（taskPools 中有：finance, marketing, marketing_lead, admin）/],
    ['an approval step in a pool that was removed', (p) => delete p.taskPools.finance, /^approvals\.contract\.2\.pool：没有名为 finance 的任务池/],
    ['a task pool without roles', (p) => (p.taskPools.marketing_lead.roles = []), /^taskPools\.marketing_lead\.roles：至少需要一个角色/],
    ['a task pool of an unknown role', (p) => (p.taskPools.finance.roles = ['accountant']), /^taskPools\.finance\.roles\.0：角色须为以下之一/],
    ['a task pool without a label', (p) => (p.taskPools.finance.label = ' '), /^taskPools\.finance\.label：名称不能为空/],
    ['a negative sign-in distance', (p) => (p.signins.farDistanceMeters = -500), /^signins\.farDistanceMeters：至少 10 米/],
    ['a sign-in distance as text', (p) => (p.signins.farDistanceMeters = '500米'), /^signins\.farDistanceMeters：/],
    ['a proposal from no sign-ins', (p) => (p.signins.proposalSignins = 0), /^signins\.proposalSignins：至少 1 次签到/],
  ])('rejects %s, naming the key path', (_title, change, expected) => {
    expect(problems(withChange(change)).some((line) => expected.test(line))).toBe(true);
  });

  it('rejects YAML that does not parse', () => {
    expect(problems('stages: [线索\nlimits: {')[0]).toMatch(/YAML 无法解析/);
  });

  it('the server refuses to start on a bad policy and says which key and why', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'anchor-policy-'));
    const file = path.join(dir, 'policy.yaml');
    writeFileSync(file, withChange((p) => (p.grading.weights.competitorPenetration = 0.4)));
    const failure = await spawnServer({ ANCHOR_POLICY: file, ANCHOR_DATA_DIR: dir }).then(
      async (s) => {
        await s.stop();
        throw new Error('server started with a bad policy');
      },
      (error: { code?: number; output?: string }) => error,
    );
    expect(failure.code).toBe(1);
    expect(failure.output).toContain('grading.weights：各维度权重之和必须等于 1');
  });
});

describe('environment', () => {
  it('a channel without credentials is off and reported with the variables it lacks', () => {
    const env = readEnv({ WECHAT_APP_ID: 'wx1' });
    expect(env.wechat).toBeNull();
    expect(env.offChannels).toContainEqual({ channel: 'WeChat 微信登录', missing: ['WECHAT_APP_SECRET'] });
    expect(env.offChannels.map((c) => c.channel)).toEqual(['WeCom 企业微信', 'DingTalk 钉钉', 'WeChat 微信登录', 'WeChat Pay 微信支付']);
  });

  it('with credentials a channel is on, and its API base can point at a simulator', () => {
    const env = readEnv({ WECOM_CORP_ID: 'ww1', WECOM_AGENT_ID: '1000002', WECOM_SECRET: 's', WECOM_API_BASE: 'http://127.0.0.1:9' });
    expect(env.wecom).toMatchObject({ corpId: 'ww1', agentId: 1000002, apiBase: 'http://127.0.0.1:9' });
    expect(readEnv({}).port).toBe(3000);
  });

  it('no DATABASE_URL means the embedded default in demo mode; a MySQL URL means production', () => {
    expect(readEnv({})).toMatchObject({ databaseUrl: undefined, demo: true });
    expect(readEnv({ DATABASE_URL: 'mysql://root@127.0.0.1/anchor' })).toMatchObject({ demo: false });
    expect(readEnv({ DATABASE_URL: 'mysql://root@127.0.0.1/anchor', ANCHOR_DEMO: '1' }).demo).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ DATABASE_URL: 'postgres://x' }, /DATABASE_URL/],
    [{ WECOM_CORP_ID: 'ww1', WECOM_AGENT_ID: 'abc', WECOM_SECRET: 's' }, /WECOM_AGENT_ID/],
    [{ WECOM_CORP_ID: 'ww1', WECOM_AGENT_ID: '1', WECOM_SECRET: 's', WECOM_AES_KEY: 'short' }, /WECOM_AES_KEY/],
  ])('rejects %j', (source, message) => {
    expect(() => readEnv(source)).toThrow(EnvError);
    expect(() => readEnv(source)).toThrow(message);
  });
});
