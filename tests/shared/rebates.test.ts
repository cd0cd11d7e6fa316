import { CONTRACT_LIMITS, addWorkingDays, checkRuleTable, listedModel, formatPercentBp, formatYuan, matchRule, percentToBp, rebateFen, ruleIndex, yuanToFen, type RebateRuleInput } from '@anchor/shared';

// Money in fen shown as ¥1,234.56, the working-day count of the payout day, and which rule a calculation takes.
describe('money', () => {
  it('formats fen as yuan with thousands separators and two decimals', () => {
    expect(formatYuan(123456)).toBe('¥1,234.56');
    expect(formatYuan(0)).toBe('¥0.00');
    expect(formatYuan(5)).toBe('¥0.05');
    expect(formatYuan(1_000_000_000_00)).toBe('¥1,000,000,000.00');
    expect(formatYuan(-120)).toBe('-¥1.20');
  });
  it('reads what a person types as yuan, refusing more than two decimals or words', () => {
    expect(yuanToFen('1234.5')).toBe(123450);
    expect(yuanToFen('¥1,234.56')).toBe(123456);
    expect(yuanToFen('１２０００')).toBe(1_200_000);
    expect(yuanToFen('12 万')).toBeNull();
    expect(yuanToFen('1.234')).toBeNull();
    expect(yuanToFen('-5')).toBeNull();
    expect(yuanToFen('')).toBeNull();
  });
  it("the contract form reads amounts with the same function, up to the contract schema's ceiling and not a fen more", () => {
    expect(yuanToFen('12,345.60')).toBe(1_234_560);
    expect(yuanToFen(String(CONTRACT_LIMITS.maxAmountFen / 100))).toBe(CONTRACT_LIMITS.maxAmountFen);
    expect(yuanToFen(`${CONTRACT_LIMITS.maxAmountFen / 100}.01`)).toBeNull();
  });
  it('percent ↔ basis points, and the rebate rounded to the fen', () => {
    expect(percentToBp('3.5%')).toBe(350);
    expect(percentToBp('3')).toBe(300);
    expect(percentToBp('101')).toBeNull();
    expect(formatPercentBp(350)).toBe('3.5%');
    expect(formatPercentBp(1000)).toBe('10%');
    expect(rebateFen(12_345_67, 350)).toBe(43_210); // 432.0985 yuan → ¥432.10
  });
});

describe('the payout day: working days by the check-in calendar', () => {
  const calendar = { workingWeekdays: [1, 2, 3, 4, 5], holidays: ['2026-10-01', '2026-10-02'], makeUpWorkdays: ['2026-10-10'] };
  it('skips weekends and holidays and counts a make-up Saturday (调休)', () => {
    expect(addWorkingDays('2026-11-20', 1, calendar)).toBe('2026-11-23'); // Friday → Monday
    expect(addWorkingDays('2026-09-30', 1, calendar)).toBe('2026-10-05'); // over 国庆 1–2 and the weekend
    expect(addWorkingDays('2026-10-09', 1, calendar)).toBe('2026-10-10'); // Friday → the make-up Saturday
    expect(addWorkingDays('2026-11-21', 0, calendar)).toBe('2026-11-23'); // 0 on a Saturday: the next working day
    expect(addWorkingDays('2026-11-20', 0, calendar)).toBe('2026-11-20');
  });
});

describe('which rule a calculation takes', () => {
  const base = { grade: '', customerType: '', productModel: '', deliveryCycle: '', rateMinBp: 100, rateMaxBp: 200, documents: [], payoutDelayDays: 1 };
  const rules: RebateRuleInput[] = [
    { ...base, minFen: 0, maxFen: null },
    { ...base, grade: 'A', productModel: 'gx-200', minFen: 0, maxFen: 100 },
    { ...base, grade: 'A', productModel: 'GX-200', minFen: 100, maxFen: null, rateMinBp: 300, rateMaxBp: 400 },
  ];
  const q = { grade: 'A', customerType: '公立医院', productModel: 'ＧＸ-200', deliveryCycle: '30天' };
  it('the most specific matching rule; [min, max) on both sides of an edge; models compare ignoring width and case', () => {
    expect(matchRule(rules, { ...q, amountFen: 99 })).toBe(rules[1]);
    expect(matchRule(rules, { ...q, amountFen: 100 })).toBe(rules[2]);
    expect(matchRule(rules, { ...q, grade: 'B', amountFen: 100 })).toBe(rules[0]);
    const indexed = ruleIndex(rules);
    for (const amountFen of [0, 99, 100, 5000]) expect(indexed({ ...q, amountFen })).toBe(matchRule(rules, { ...q, amountFen }));
  });
  it('the table check: the same key in other widths is one key (an overlap), open bands only last', () => {
    const choices = { grades: ['A'], customerTypes: [], productModels: ['GX-200'], deliveryCycles: [], documentTypes: [] };
    expect(checkRuleTable(rules, choices)).toEqual([]);
    const clash = checkRuleTable([...rules, { ...base, grade: 'A', productModel: 'GX-200', minFen: 50, maxFen: 60 }], choices);
    expect(clash.map((p) => p.row)).toEqual([4]);
    expect(clash[0]!.message).toBe('第 2 行（¥0.00–¥1.00）与第 4 行（¥0.50–¥0.60）的金额区间重叠（同一规则键 A · 不限 · GX-200 · 不限）');
  });
  it('product models come from the policy list (the contracts\' list): other spellings read as the listed one, others are named with the list', () => {
    const models = ['US-5000 超声诊断仪', 'GX-200'];
    expect(listedModel(' ｕｓ-5000 超声诊断仪 ', models)).toBe('US-5000 超声诊断仪');
    expect(listedModel('GX-2000', models)).toBeNull();
    const problems = checkRuleTable([{ ...base, productModel: 'GX-2000', minFen: 0, maxFen: null }, { ...base, productModel: 'gx-200', minFen: 0, maxFen: null }], { grades: [], customerTypes: [], productModels: models, deliveryCycles: [], documentTypes: [] });
    expect(problems).toEqual([{ row: 1, column: '产品型号', message: '产品型号「GX-2000」不在可选范围内（US-5000 超声诊断仪、GX-200，或留空表示不限）' }]);
  });
});
