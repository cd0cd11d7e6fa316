import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { DEFAULT_POLICY_PATH, loadPolicy, parsePolicy, ConfigError } from '../../server/src/config/policy';
import { optionPoints, scoreCustomer } from '../../server/src/modules/grading/grading.score';

const policy = loadPolicy();
const defaultText = readFileSync(DEFAULT_POLICY_PATH, 'utf8');
const problems = (change: (p: any) => void): string[] => {
  const p = parse(defaultText);
  change(p);
  try {
    parsePolicy(stringify(p), 'test.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('policy was accepted');
};

describe('customer grading model', () => {
  it('scores a hand-computed customer exactly (weights 30/25/25/20)', () => {
    const r = scoreCustomer(
      { paymentOnTimeRate: 90, inventoryConsumptionSpeed: 80, competitorPenetration: 30, hospitalLevel: '三级乙等', departmentActivity: '中' },
      policy,
    );
    // hospital: 三级乙等 80, activity: 中 50 → 65; competitor 100 − 30 = 70
    expect(r.subScores).toEqual({ paymentHistory: 90, inventorySpeed: 80, hospitalLevelActivity: 65, competitorPenetration: 70 });
    // 0.30·90 + 0.25·80 + 0.25·65 + 0.20·70 = 27 + 20 + 16.25 + 14 = 77.25 → 77.3 → A (≥ 70, < 85)
    expect(r.score).toBe(77.3);
    expect(r.grade).toBe('A');
    expect(r.missing).toEqual([]);
    expect(r.weights).toEqual({ paymentHistory: 0.3, inventorySpeed: 0.25, hospitalLevelActivity: 0.25, competitorPenetration: 0.2 });
  });

  it('top customer is A+, bottom is C', () => {
    const top = scoreCustomer({ paymentOnTimeRate: 100, inventoryConsumptionSpeed: 100, competitorPenetration: 0, hospitalLevel: '三级甲等', departmentActivity: '高' }, policy);
    expect([top.score, top.grade]).toEqual([100, 'A+']);
    const bottom = scoreCustomer({ paymentOnTimeRate: 0, inventoryConsumptionSpeed: 0, competitorPenetration: 100, hospitalLevel: '未定级', departmentActivity: '低' }, policy);
    expect([bottom.score, bottom.grade]).toEqual([0, 'C']);
  });

  it('missing inputs take the neutral 50 and are listed as missing, never NaN', () => {
    const r = scoreCustomer({}, policy);
    expect(r.subScores).toEqual({ paymentHistory: 50, inventorySpeed: 50, hospitalLevelActivity: 50, competitorPenetration: 50 });
    expect(r.missing).toEqual(['paymentHistory', 'inventorySpeed', 'hospitalLevelActivity', 'competitorPenetration']);
    expect(r.score).toBe(50);
    expect(r.grade).toBe('B');
    const odd = scoreCustomer({ paymentOnTimeRate: Number.NaN, inventoryConsumptionSpeed: 250, competitorPenetration: -3, hospitalLevel: '不存在', departmentActivity: null }, policy);
    expect(Object.values(odd.subScores).every(Number.isFinite)).toBe(true);
    expect(odd.missing).toHaveLength(4);
  });

  it('with only hospital level or only activity known, that one alone counts', () => {
    expect(scoreCustomer({ hospitalLevel: '二级甲等' }, policy).subScores.hospitalLevelActivity).toBe(60);
    expect(scoreCustomer({ departmentActivity: '高' }, policy).subScores.hospitalLevelActivity).toBe(100);
    expect(scoreCustomer({ departmentActivity: '高' }, policy).missing).not.toContain('hospitalLevelActivity');
  });

  it('an option without policy points scores by its position: first 100, last 0', () => {
    expect(optionPoints('高', ['高', '中', '低'], undefined)).toBe(100);
    expect(optionPoints('中', ['高', '中', '低'], undefined)).toBe(50);
    expect(optionPoints('低', ['高', '中', '低'], undefined)).toBe(0);
    expect(optionPoints('别的', ['高', '中', '低'], undefined)).toBeNull();
  });

  it('start-up refuses negative weights, weights not adding up to 1, and points for unknown options, naming the key', () => {
    expect(problems((p) => (p.grading.weights.paymentHistory = -0.1)).join('\n')).toMatch(/^grading\.weights\.paymentHistory：/m);
    expect(problems((p) => (p.grading.weights.inventorySpeed = 0.5))).toEqual(['grading.weights：各维度权重之和必须等于 1']);
    expect(problems((p) => (p.grading.optionPoints.hospitalLevels['四级'] = 10))).toEqual(['grading.optionPoints.hospitalLevels.四级：选项「四级」不在 options.hospitalLevels 中']);
    expect(problems((p) => (p.grading.optionPoints.departmentActivity['高'] = 101)).join('\n')).toMatch(/^grading\.optionPoints\.departmentActivity\.高：/m);
    expect(problems((p) => (p.grading.neutralScore = -1)).join('\n')).toMatch(/^grading\.neutralScore：/m);
  });
});
