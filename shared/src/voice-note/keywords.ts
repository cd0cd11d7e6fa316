import type { VoiceNoteForm } from './defaults';

// ─── the words reps use for actions and follow-up forms ──────────────────────────────────────────

/**
 * Action categories, strongest first. `trial` (试用, 体验 …) is a demo only when no sample is
 * promised with it: 「送样机过去试用」 and 「样品试用」 are samples, 「下周去试用」 a demo.
 */
export type Category = 'demo' | 'sample' | 'trial' | 'proposal' | 'other';
export const CATEGORY_ORDER: Category[] = ['demo', 'sample', 'trial', 'proposal', 'other'];
export const ACTION_WORDS: Record<Category, string[]> = {
  demo: ['演示', 'demo', '展示', '路演', '讲解'],
  sample: ['试用装', '试用品', '样品', '样机', '试剂', '小样', '打样', '拿样', '送样', '寄样', '样本', '样件', '样板'],
  trial: ['试用', '试机', '体验'],
  proposal: ['报价单', '报价', '报个价', '报一次价', '报一下价', '报下价', '方案', '资料', '彩页', 'ppt', '标书', '价格表', '产品手册', '清单'],
  other: ['签合同', '合同', '签约', '续约', '续签', '培训', '安装', '调试', '开会', '会议', '回款', '收款', '催款', '付款', '装机', '巡检', '保养', '维保', '招标', '投标', '参观', '考察', '验收', '送货', '发货'],
};

export const FORM_WORDS: Record<VoiceNoteForm, string[]> = {
  电话: ['打电话', '打个电话', '电话', '致电', '通话', '回电', '电联', '打给', 'call'],
  微信: ['发微信', '企业微信', '微信', '企微', 'vx', 'wx', 'v信'],
  上门: [
    '拜访', '上门', '面谈', '面聊', '当面', '登门', '去医院', '到医院', '去公司', '到公司', '到科室', '去他们', '去一趟', '跑一趟',
    '过去', '见面', '见个面', '见一面', '去他那', '到他那', '去见', '去谈', '去聊', '去汇报', '去坐坐', '去看看', '带给', '去给', '再去', '亲自去', '一起去',
    // a meal or a tea is a meeting in person
    '吃饭', '吃个饭', '吃顿饭', '便饭', '饭局', '喝茶', '喝个茶', '喝咖啡', '喝杯', '到院', '去科室', '现场', '去找',
  ],
};

/** 去/到 + a place (去二院, 到厂里, 去学校找…): a visit. */
export const PLACE_VISIT = /(?:去|到)[^，。,.；;！!？?\s]{0,4}?(?:医院|院里|[一二三四五六七八九\d]院|公司|厂里|工厂|厂区|店里|门店|学校|科室|单位|办公室|现场|园区|车间|家里|家中)/g;

/** Said before a keyword, these negate it (不用演示, 先不发方案). */
export const NEGATION = /(不用|不需要|不要|无需|没必要|暂不|暂时不|先不|别|不)$/;

/** A demo done over the network: no visit implied. */
export const REMOTE = /线上|远程|视频|在线|网上|腾讯会议|钉钉会议|会议软件/;

/** Before 过去, a verb that sends something rather than goes (寄过去, 发过去): not a visit. */
export const SENT_NOT_BROUGHT = /[寄发传邮递]$/;
export const BROUGHT = /[送带拿去跑开]$/;
