import { isHan, type Span } from './text';

// ─── contact ──────────────────────────────────────────────────────────────────────────────────

const COMPOUND_SURNAMES = ['欧阳', '司马', '诸葛', '上官', '东方', '慕容', '令狐', '皇甫', '公孙', '尉迟', '长孙', '宇文', '司徒', '夏侯'];
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝';
/** Surnames that are also everyday words (向主任汇报, 高总价): they need a context before them. */
const WORDY_SURNAMES = '向于高成全时方应单文安常齐易宁尚符舒连车管司关华解施古万';
const TITLES = [
  '副院长', '护士长', '董事长', '总经理', '总监', '总工', '院长', '主任', '科长', '处长', '局长', '部长', '经理',
  '老师', '医生', '大夫', '教授', '主管', '老板', '厂长', '校长', '书记', '站长', '所长', '行长', '组长', '店长', '馆长',
  '总', '董', '工', '姐', '哥',
];
const SHORT_TITLES = '总董工姐哥';
/** Characters before a name that make "surname + title" a person (客户王总, 跟李主任, 见了张院长). */
const NAME_CONTEXT = '户人系跟和与找见约给访让请对向问陪带叫位了是到说的醒催等';
const NAME_STOP = /^(说|的|那|这|在|要|对|觉|反|嫌|抱|担|表|也|又|还|很|太|已|刚|跟|是|有|没|不|想|希|约|让|给|把|被|就|都|会|能|今|昨|后|下|上|和|同|答|电|微|那边|这边|明天|明早|明晚|明年|感|认|提|讲|称|问|目)/;
const NOT_GIVEN_NAME = ['方面', '方案', '高度', '关系', '单位', '关注', '全部', '全都', '时间', '方便', '成本', '管理'];

export function findContact(text: string): { name: string; span: Span } | null {
  const surnameAt = (i: number): string | null => {
    const two = text.slice(i, i + 2);
    if (COMPOUND_SURNAMES.indexOf(two) >= 0) return two;
    const ch = text[i]!;
    return SURNAMES.indexOf(ch) >= 0 ? ch : null;
  };
  for (let i = 0; i < text.length; i++) {
    const surname = surnameAt(i);
    if (!surname) continue;
    const before = text[i - 1];
    const inContext = !isHan(before) || NAME_CONTEXT.indexOf(before!) >= 0;
    // surname + title
    const afterSurname = i + surname.length;
    const title = TITLES.find((t) => text.startsWith(t, afterSurname));
    if (title) {
      const short = SHORT_TITLES.indexOf(title) >= 0;
      const next = text[afterSurname + title.length];
      const followed = !isHan(next) || /[说那这的也觉反嫌表认提讲问跟和在对看聊谈签]/.test(next!);
      const wordy = surname.length === 1 && WORDY_SURNAMES.indexOf(surname) >= 0;
      if ((!short && !wordy) || inContext || (short && !wordy && followed)) {
        return { name: surname + title, span: { start: i, end: afterSurname + title.length } };
      }
    }
    // 老张, 小王: a colleague-style name, standing alone before a verb or the clause's end
    const familiar = text[i - 1];
    if ((familiar === '老' || familiar === '小') && surname.length === 1 && WORDY_SURNAMES.indexOf(surname) < 0 && surname !== '师') {
      const next = text[afterSurname];
      if (!isHan(next) || /[说那这的也觉反嫌表认提讲问跟和在对看聊谈签]/.test(next!)) {
        return { name: familiar + surname, span: { start: i - 1, end: afterSurname } };
      }
    }
    // 客户/联系人/对接人 + full name
    const lead = text.slice(Math.max(0, i - 4), i);
    if (/(客户|联系人|对接人|联系人是|联系人叫|客户叫)[：:\s]?$/.test(lead)) {
      if (surname.length === 1 && WORDY_SURNAMES.indexOf(surname) >= 0 && !/[：:\s]$/.test(lead)) continue;
      let j = afterSurname;
      while (j < afterSurname + 2 && isHan(text[j]) && !NAME_STOP.test(text.slice(j)) && !TITLES.some((t) => text.startsWith(t, j))) j++;
      const given = text.slice(afterSurname, j);
      if (!given || NOT_GIVEN_NAME.indexOf(surname + given) >= 0 || NOT_GIVEN_NAME.indexOf(given) >= 0) continue;
      return { name: surname + given, span: { start: i, end: j } };
    }
  }
  return null;
}
