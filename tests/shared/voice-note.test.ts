import { parseVoiceNote, type VoiceNote } from '@anchor/shared';

// Friday 2026-11-27, 10:00 in Shanghai. This week: Mon 11-23 … Sun 11-29; next week: 11-30 … 12-06;
// the week after: 12-07 … 12-13.
const FRI_10AM = new Date('2026-11-27T02:00:00Z');
const SHANGHAI = 'Asia/Shanghai';

type Expected = Omit<VoiceNote<string, string>, 'nextFollowUpAt'> & { nextFollowUpAt?: string };

/** The instant as Shanghai wall-clock time with its offset, e.g. 2026-12-01T09:00:00+08:00. */
function shanghai(d: Date): string {
  return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 19) + '+08:00';
}
function readable(result: VoiceNote<string, string>): Expected {
  const { nextFollowUpAt, ...rest } = result;
  return nextFollowUpAt ? { ...rest, nextFollowUpAt: shanghai(nextFollowUpAt) } : rest;
}
function parseAt(now: Date, sentence: string): Expected {
  return readable(parseVoiceNote(sentence, { now, timeZone: SHANGHAI }));
}

const friday: Array<[string, Expected]> = [
  // The spec's example, verbatim.
  ['客户王总说安装太慢,下周二演示新方案', { painPoint: '安装太慢', agreedAction: '安排演示', nextFollowUpAt: '2026-12-01T09:00:00+08:00', hasTime: false, form: '上门', contactName: '王总' }],
  ['李主任反映耗材太贵，明天下午三点给她打电话，发一份新的报价单', { painPoint: '耗材太贵', agreedAction: '发送方案', nextFollowUpAt: '2026-11-28T15:00:00+08:00', hasTime: true, form: '电话', contactName: '李主任' }],
  ['张院长担心售后跟不上，下下周一上门拜访', { painPoint: '售后跟不上', nextFollowUpAt: '2026-12-07T09:00:00+08:00', hasTime: false, form: '上门', contactName: '张院长' }],
  ['刘科长觉得操作太复杂，这周五下午两点半过去演示', { painPoint: '操作太复杂', agreedAction: '安排演示', nextFollowUpAt: '2026-11-27T14:30:00+08:00', hasTime: true, form: '上门', contactName: '刘科长' }],
  ['陈护士长抱怨试剂供货不及时，后天上午十点送样品过去', { painPoint: '试剂供货不及时', agreedAction: '提供样品', nextFollowUpAt: '2026-11-29T10:00:00+08:00', hasTime: true, form: '上门', contactName: '陈护士长' }],
  ['赵老师嫌价格高，3月20号再联系，先发资料', { painPoint: '价格高', agreedAction: '发送方案', nextFollowUpAt: '2027-03-20T09:00:00+08:00', hasTime: false, contactName: '赵老师' }],
  ['周经理说目前的系统经常卡顿，下个月5号上门演示', { painPoint: '目前的系统经常卡顿', agreedAction: '安排演示', nextFollowUpAt: '2026-12-05T09:00:00+08:00', hasTime: false, form: '上门', contactName: '周经理' }],
  ['吴医生说样机不够用，三天后微信跟进', { painPoint: '样机不够用', nextFollowUpAt: '2026-11-30T09:00:00+08:00', hasTime: false, form: '微信', contactName: '吴医生' }],
  // 今天拜访了… is narration: the follow-up is 下周三, the form the one said with it.
  ['今天拜访了王总，他说预算不够，下周三下午两点半电话沟通', { painPoint: '预算不够', nextFollowUpAt: '2026-12-02T14:30:00+08:00', hasTime: true, form: '电话', contactName: '王总' }],
  ['客户张伟说对接流程太长，月底前发方案', { painPoint: '对接流程太长', agreedAction: '发送方案', nextFollowUpAt: '2026-11-30T09:00:00+08:00', hasTime: false, contactName: '张伟' }],
  ['明早九点给李主任打电话确认样品数量', { agreedAction: '提供样品', nextFollowUpAt: '2026-11-28T09:00:00+08:00', hasTime: true, form: '电话', contactName: '李主任' }],
  // 周五 alone on a Friday: the coming Friday, today excluded.
  ['周五晚上八点跟孙总微信沟通报价', { agreedAction: '发送方案', nextFollowUpAt: '2026-12-04T20:00:00+08:00', hasTime: true, form: '微信', contactName: '孙总' }],
  ['大后天去医院拜访刘主任', { nextFollowUpAt: '2026-11-30T09:00:00+08:00', hasTime: false, form: '上门', contactName: '刘主任' }],
  ['十天后电话回访黄经理，看看试用效果', { nextFollowUpAt: '2026-12-07T09:00:00+08:00', hasTime: false, form: '电话', contactName: '黄经理' }],
  ['下午三点一刻给王总发微信', { nextFollowUpAt: '2026-11-27T15:15:00+08:00', hasTime: true, form: '微信', contactName: '王总' }],
  ['客户反映说明书看不懂，下周1安排培训', { painPoint: '说明书看不懂', agreedAction: '其他', nextFollowUpAt: '2026-11-30T09:00:00+08:00', hasTime: false }],
  ['星期三上午去拜访马院长，带样机过去', { agreedAction: '提供样品', nextFollowUpAt: '2026-12-02T09:00:00+08:00', hasTime: false, form: '上门', contactName: '马院长' }],
  ['礼拜天晚上发方案给郑总', { agreedAction: '发送方案', nextFollowUpAt: '2026-11-29T19:00:00+08:00', hasTime: false, contactName: '郑总' }],
  // Today with no clock time, 09:00 already past: the next whole hour.
  ['这周五给客户做个demo', { agreedAction: '安排演示', nextFollowUpAt: '2026-11-27T11:00:00+08:00', hasTime: false, form: '上门' }],
  ['15号上午10点半上门演示', { agreedAction: '安排演示', nextFollowUpAt: '2026-12-15T10:30:00+08:00', hasTime: true, form: '上门' }],
  ['下午14:30跟何主任电话沟通', { nextFollowUpAt: '2026-11-27T14:30:00+08:00', hasTime: true, form: '电话', contactName: '何主任' }],
  ['联系人李晓明说安装调试太慢了，12月5日再去一趟', { painPoint: '安装调试太慢', nextFollowUpAt: '2026-12-05T09:00:00+08:00', hasTime: false, form: '上门', contactName: '李晓明' }],
  ['王总那边安装太慢，下周二演示', { painPoint: '安装太慢', agreedAction: '安排演示', nextFollowUpAt: '2026-12-01T09:00:00+08:00', hasTime: false, form: '上门', contactName: '王总' }],
  ['郭总说价格可以接受，下周二签合同', { agreedAction: '其他', nextFollowUpAt: '2026-12-01T09:00:00+08:00', hasTime: false, contactName: '郭总' }],
  ['本周六上午拜访徐总', { nextFollowUpAt: '2026-11-28T09:00:00+08:00', hasTime: false, form: '上门', contactName: '徐总' }],
  ['3天后发报价单给杨经理', { agreedAction: '发送方案', nextFollowUpAt: '2026-11-30T09:00:00+08:00', hasTime: false, contactName: '杨经理' }],
  ['下周日下午去科室演示', { agreedAction: '安排演示', nextFollowUpAt: '2026-12-06T14:00:00+08:00', hasTime: false, form: '上门' }],
  ['周日下午去科室演示', { agreedAction: '安排演示', nextFollowUpAt: '2026-11-29T14:00:00+08:00', hasTime: false, form: '上门' }],
  // A time with no date: today if still ahead, else tomorrow.
  ['八点打电话给客户', { nextFollowUpAt: '2026-11-28T08:00:00+08:00', hasTime: true, form: '电话' }],
  ['九点半给客户打电话', { nextFollowUpAt: '2026-11-28T09:30:00+08:00', hasTime: true, form: '电话' }],
  ['两点半到医院找林主任', { nextFollowUpAt: '2026-11-27T14:30:00+08:00', hasTime: true, form: '上门', contactName: '林主任' }],
  ['今晚八点微信联系宋总', { nextFollowUpAt: '2026-11-27T20:00:00+08:00', hasTime: true, form: '微信', contactName: '宋总' }],
  ['后天中午12点约胡院长吃饭面谈', { nextFollowUpAt: '2026-11-29T12:00:00+08:00', hasTime: true, form: '上门', contactName: '胡院长' }],
  ['11月30号上午给曹科长送试剂', { agreedAction: '提供样品', nextFollowUpAt: '2026-11-30T09:00:00+08:00', hasTime: false, contactName: '曹科长' }],
  ['下个月底之前提供样品', { agreedAction: '提供样品', nextFollowUpAt: '2026-12-31T09:00:00+08:00', hasTime: false }],
  ['今天下午三点已经约了王总明天见面', { nextFollowUpAt: '2026-11-28T09:00:00+08:00', hasTime: false, form: '上门', contactName: '王总' }],
  ['客户那边说不需要演示，下周二发报价', { agreedAction: '发送方案', nextFollowUpAt: '2026-12-01T09:00:00+08:00', hasTime: false }],
  ['冯总觉得我们的价格比竞品高，想要更详细的报价单，周四下午电话', { painPoint: '我们的价格比竞品高', agreedAction: '发送方案', nextFollowUpAt: '2026-12-03T14:00:00+08:00', hasTime: false, form: '电话', contactName: '冯总' }],
  ['客户说操作界面太难用，我们下周三去培训', { painPoint: '操作界面太难用', agreedAction: '其他', nextFollowUpAt: '2026-12-02T09:00:00+08:00', hasTime: false }],
  ['邓老师说科室经费紧张，约了下周四下午4点上门', { painPoint: '科室经费紧张', nextFollowUpAt: '2026-12-03T16:00:00+08:00', hasTime: true, form: '上门', contactName: '邓老师' }],
  ['下周五前寄小样给彭医生', { agreedAction: '提供样品', nextFollowUpAt: '2026-12-04T09:00:00+08:00', hasTime: false, contactName: '彭医生' }],
  ['王总说最大的问题是安装太慢，两周后上门演示', { painPoint: '安装太慢', agreedAction: '安排演示', nextFollowUpAt: '2026-12-11T09:00:00+08:00', hasTime: false, form: '上门', contactName: '王总' }],
  ['跟王姐约了明天下午见面', { nextFollowUpAt: '2026-11-28T14:00:00+08:00', hasTime: false, form: '上门', contactName: '王姐' }],
  // 担心 stays before an object that alone names no problem (issue 10 item 11: 「他担心售后」 → 担心售后).
  ['欧阳主任担心数据安全，下个星期二过去做个演示', { painPoint: '担心数据安全', agreedAction: '安排演示', nextFollowUpAt: '2026-12-01T09:00:00+08:00', hasTime: false, form: '上门', contactName: '欧阳主任' }],
  ['黄工说设备老是报警，明天上午10点电话回访', { painPoint: '设备老是报警', nextFollowUpAt: '2026-11-28T10:00:00+08:00', hasTime: true, form: '电话', contactName: '黄工' }],
  ['刘总：价格太贵，明天下午两点再谈', { painPoint: '价格太贵', nextFollowUpAt: '2026-11-28T14:00:00+08:00', hasTime: true, contactName: '刘总' }],
  ['张主任说他们科室今年预算砍了一半，12月10号再去拜访', { painPoint: '他们科室今年预算砍了一半', nextFollowUpAt: '2026-12-10T09:00:00+08:00', hasTime: false, form: '上门', contactName: '张主任' }],
  // Outside our own grammar: chrono-node's parse of the rest of the sentence.
  ['一个月后再电话回访', { nextFollowUpAt: '2026-12-27T09:00:00+08:00', hasTime: false, form: '电话' }],
  ['半个月后再去拜访', { nextFollowUpAt: '2026-12-11T09:00:00+08:00', hasTime: false, form: '上门' }],
  ['过两天再给韩总打电话', { nextFollowUpAt: '2026-11-29T09:00:00+08:00', hasTime: false, form: '电话', contactName: '韩总' }],
  ['客户李明反映培训不到位，下周一安排培训', { painPoint: '培训不到位', agreedAction: '其他', nextFollowUpAt: '2026-11-30T09:00:00+08:00', hasTime: false, contactName: '李明' }],
  // Full-width digits as some input methods type them.
  ['３月２０号下午３点半寄样品给周主任', { agreedAction: '提供样品', nextFollowUpAt: '2027-03-20T15:30:00+08:00', hasTime: true, contactName: '周主任' }],
  ['下下周三上午九点去演示', { agreedAction: '安排演示', nextFollowUpAt: '2026-12-09T09:00:00+08:00', hasTime: true, form: '上门' }],
  ['二十天后发标书', { agreedAction: '发送方案', nextFollowUpAt: '2026-12-17T09:00:00+08:00', hasTime: false }],
  ['周一下午三点四十给赵院长打电话', { nextFollowUpAt: '2026-11-30T15:40:00+08:00', hasTime: true, form: '电话', contactName: '赵院长' }],
  ['后天晚上七点半微信跟进', { nextFollowUpAt: '2026-11-29T19:30:00+08:00', hasTime: true, form: '微信' }],
  ['明天中午一点半跟钱科长面谈', { nextFollowUpAt: '2026-11-28T13:30:00+08:00', hasTime: true, form: '上门', contactName: '钱科长' }],
  // Two dates: the earliest is the next follow-up.
  ['下周二或者下周三去演示', { agreedAction: '安排演示', nextFollowUpAt: '2026-12-01T09:00:00+08:00', hasTime: false, form: '上门' }],
  // Bringing a sample machine to try is a sample promise, not a demo (issue 10 item 11).
  ['孙主任说现在用的设备故障率高，每周一都要停机检修，下周四带样机过去试用', { painPoint: '现在用的设备故障率高', agreedAction: '提供样品', nextFollowUpAt: '2026-12-03T09:00:00+08:00', hasTime: false, form: '上门', contactName: '孙主任' }],
  ['客户觉得挺好，就是担心培训跟不上，礼拜三去医院培训', { painPoint: '培训跟不上', agreedAction: '其他', nextFollowUpAt: '2026-12-02T09:00:00+08:00', hasTime: false, form: '上门' }],
  ['郑科长问能不能先试用一个月，下个月初送样机过去', { agreedAction: '提供样品', nextFollowUpAt: '2026-12-01T09:00:00+08:00', hasTime: false, form: '上门', contactName: '郑科长' }],
];

// No follow-up date in these: nextFollowUpAt stays undefined (past dates are narration).
const noDate: Array<[string, Expected]> = [
  ['客户说安装太慢', { painPoint: '安装太慢' }],
  ['高总说价格太高，先发报价单', { painPoint: '价格太高', agreedAction: '发送方案', contactName: '高总' }],
  ['王总说下周再联系', { contactName: '王总' }],
  ['昨天拜访了梁主任', { contactName: '梁主任' }],
  ['上周五给罗总送了样机，他说用着还行', { contactName: '罗总' }],
  ['这周三去拜访', { form: '上门' }],
  ['今天拜访了王总，客户说价格太贵', { painPoint: '价格太贵', contactName: '王总' }],
  ['价格再便宜一点就好了', {}],
  ['客户说有两点问题要解决，回头再说', { painPoint: '有两点问题要解决' }],
  ['董事长说要考虑一下', {}],
  ['我向主任汇报一下', {}],
  ['提高总体效率', {}],
];

describe('parseVoiceNote, now = Fri 2026-11-27 10:00 Shanghai', () => {
  test.each(friday)('%s', (sentence, expected) => {
    expect(parseAt(FRI_10AM, sentence)).toStrictEqual(expected);
  });
});

describe('parseVoiceNote without a follow-up date', () => {
  test.each(noDate)('%s', (sentence, expected) => {
    expect(parseAt(FRI_10AM, sentence)).toStrictEqual(expected);
  });

  test.each(['', '   ', '，。！', 'Hello, please call me tomorrow at 3pm', '😀👍🎉', '👍 OK 👌'])('odd input %p → {}', (sentence) => {
    expect(parseVoiceNote(sentence, { now: FRI_10AM, timeZone: SHANGHAI })).toStrictEqual({});
  });

  test('never throws, even on non-strings, garbage and very long input', () => {
    expect(parseVoiceNote(null as unknown as string)).toStrictEqual({});
    expect(parseVoiceNote(42 as unknown as string, { now: FRI_10AM })).toStrictEqual({});
    expect(() => parseVoiceNote('号号号日日日点点点周周周一一一十十十🙂'.repeat(200), { now: FRI_10AM })).not.toThrow();
    expect(() => parseVoiceNote('客户王总说安装太慢,下周二演示新方案'.repeat(500), { now: FRI_10AM })).not.toThrow();
    expect(() => parseVoiceNote('明天下午三点', { now: new Date('invalid') })).not.toThrow();
  });
});

describe('parseVoiceNote with another now', () => {
  // 23:30 on Friday 11-27 in Shanghai (15:30 UTC).
  const LATE_EVENING = new Date('2026-11-27T15:30:00Z');
  // 01:30 on Saturday 11-28 in Shanghai, still Friday 17:30 in UTC: dates must follow the local day.
  const AFTER_MIDNIGHT = new Date('2026-11-27T17:30:00Z');
  // Wednesday 2026-12-30, 10:00 in Shanghai.
  const YEAR_END = new Date('2026-12-30T02:00:00Z');
  // Thursday 2026-12-31, 10:00 (the last day of the month).
  const DEC_31 = new Date('2026-12-31T02:00:00Z');
  // Sunday 2027-01-31, 10:00.
  const JAN_31 = new Date('2027-01-31T02:00:00Z');

  const cases: Array<[string, Date, string, Expected]> = [
    ['23:30', LATE_EVENING, '明天上午给王总打电话', { nextFollowUpAt: '2026-11-28T09:00:00+08:00', hasTime: false, form: '电话', contactName: '王总' }],
    ['23:30', LATE_EVENING, '八点打电话给客户', { nextFollowUpAt: '2026-11-28T08:00:00+08:00', hasTime: true, form: '电话' }],
    ['23:30', LATE_EVENING, '今天晚上八点微信联系宋总', { form: '微信', contactName: '宋总' }],
    ['23:30', LATE_EVENING, '周六去拜访', { nextFollowUpAt: '2026-11-28T09:00:00+08:00', hasTime: false, form: '上门' }],
    ['01:30 Sat', AFTER_MIDNIGHT, '明天上午给王总打电话', { nextFollowUpAt: '2026-11-29T09:00:00+08:00', hasTime: false, form: '电话', contactName: '王总' }],
    ['01:30 Sat', AFTER_MIDNIGHT, '周六去拜访', { nextFollowUpAt: '2026-12-05T09:00:00+08:00', hasTime: false, form: '上门' }],
    ['01:30 Sat', AFTER_MIDNIGHT, '下周二演示', { agreedAction: '安排演示', nextFollowUpAt: '2026-12-01T09:00:00+08:00', hasTime: false, form: '上门' }],
    ['Wed 12-30', YEAR_END, '月底前发报价单给李主任', { agreedAction: '发送方案', nextFollowUpAt: '2026-12-31T09:00:00+08:00', hasTime: false, contactName: '李主任' }],
    ['Wed 12-30', YEAR_END, '下个月5号上门演示', { agreedAction: '安排演示', nextFollowUpAt: '2027-01-05T09:00:00+08:00', hasTime: false, form: '上门' }],
    ['Wed 12-30', YEAR_END, '下周三下午两点半电话沟通', { nextFollowUpAt: '2027-01-06T14:30:00+08:00', hasTime: true, form: '电话' }],
    ['Wed 12-30', YEAR_END, '5号去拜访', { nextFollowUpAt: '2027-01-05T09:00:00+08:00', hasTime: false, form: '上门' }],
    ['Wed 12-30', YEAR_END, '1月3号上午十点去医院演示', { agreedAction: '安排演示', nextFollowUpAt: '2027-01-03T10:00:00+08:00', hasTime: true, form: '上门' }],
    ['Wed 12-30', YEAR_END, '大后天电话', { nextFollowUpAt: '2027-01-02T09:00:00+08:00', hasTime: false, form: '电话' }],
    ['Wed 12-30', YEAR_END, '明年3月5号再跟进', { nextFollowUpAt: '2027-03-05T09:00:00+08:00', hasTime: false }],
    ['Thu 12-31', DEC_31, '下个月底前发方案', { agreedAction: '发送方案', nextFollowUpAt: '2027-01-31T09:00:00+08:00', hasTime: false }],
    ['Thu 12-31', DEC_31, '月底前寄样品', { agreedAction: '提供样品', nextFollowUpAt: '2026-12-31T11:00:00+08:00', hasTime: false }],
    ['Sun 01-31', JAN_31, '下个月30号签合同', { agreedAction: '其他', nextFollowUpAt: '2027-02-28T09:00:00+08:00', hasTime: false }],
    ['Sun 01-31', JAN_31, '30号签合同', { agreedAction: '其他', nextFollowUpAt: '2027-03-30T09:00:00+08:00', hasTime: false }],
  ];
  test.each(cases)('%s: %s', (_label, now, sentence, expected) => {
    expect(parseAt(now, sentence)).toStrictEqual(expected);
  });
});

describe('parseVoiceNote options', () => {
  test('maps onto configured agreed actions and follow-up forms', () => {
    const options = {
      now: FRI_10AM,
      timeZone: SHANGHAI,
      agreedActions: ['发方案', '演示', '送样品', '签合同', '其它'],
      followUpForms: ['电话沟通', '微信', '上门拜访', '视频会议'],
    };
    expect(readable(parseVoiceNote('下周二签合同，先打电话', options))).toStrictEqual({
      agreedAction: '签合同', nextFollowUpAt: '2026-12-01T09:00:00+08:00', hasTime: false, form: '电话沟通',
    });
    expect(readable(parseVoiceNote('客户王总说安装太慢,下周二演示新方案', options))).toStrictEqual({
      painPoint: '安装太慢', agreedAction: '演示', nextFollowUpAt: '2026-12-01T09:00:00+08:00', hasTime: false, form: '上门拜访', contactName: '王总',
    });
    expect(readable(parseVoiceNote('明天下午三点视频会议演示', options))).toStrictEqual({
      agreedAction: '演示', nextFollowUpAt: '2026-11-28T15:00:00+08:00', hasTime: true, form: '视频会议',
    });
    expect(readable(parseVoiceNote('后天培训', options))).toStrictEqual({
      agreedAction: '其它', nextFollowUpAt: '2026-11-29T09:00:00+08:00', hasTime: false,
    });
    // No 其他 in the list: an action outside it is left out rather than forced onto another option.
    expect(readable(parseVoiceNote('后天培训', { now: FRI_10AM, agreedActions: ['发送方案', '安排演示'] }))).toStrictEqual({
      nextFollowUpAt: '2026-11-29T09:00:00+08:00', hasTime: false,
    });
  });

  test('dates follow the given time zone, not the machine or UTC', () => {
    // FRI_10AM is Thursday 21:00 in New York: 明天 is Friday 11-27 there, 15:00 EST = 20:00 UTC.
    const ny = parseVoiceNote('明天下午三点', { now: FRI_10AM, timeZone: 'America/New_York' });
    expect(ny.nextFollowUpAt?.toISOString()).toBe('2026-11-27T20:00:00.000Z');
    const sh = parseVoiceNote('明天下午三点', { now: FRI_10AM, timeZone: SHANGHAI });
    expect(sh.nextFollowUpAt?.toISOString()).toBe('2026-11-28T07:00:00.000Z');
    // Time zone is the default; an explicit offset wins over the zone name.
    expect(parseVoiceNote('明天下午三点', { now: FRI_10AM }).nextFollowUpAt?.toISOString()).toBe('2026-11-28T07:00:00.000Z');
    const fixed = parseVoiceNote('明天下午三点', { now: FRI_10AM, timeZone: 'America/New_York', utcOffsetMinutes: 480 });
    expect(fixed.nextFollowUpAt?.toISOString()).toBe('2026-11-28T07:00:00.000Z');
  });
});
