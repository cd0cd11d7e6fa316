import type { CatalogCode } from '@anchor/shared';
import { errorThrower } from '../../http/errors';
import type { ErrorSpec } from '../module';

/** The daily check-ins' errors (the message names 打卡 and, where it helps, the window). */
export const CHECKIN_ERRORS = {
  /** this check-in (today's morning or evening, or the one after this visit) is already done */
  CHECKIN_DONE: { status: 409, message: '今天已经打过这次卡了，不能重复打卡' },
  /** before the window opens: refused, never stored as on time */
  CHECKIN_NOT_OPEN: { status: 422, message: '打卡时间还没到' },
  /** the evening check-in needs each of tomorrow's customers with an agreed action and a reminder */
  CHECKIN_INCOMPLETE: { status: 422, message: '晚间打卡未完成：明日重点客户需都有约定动作和跟进提醒' },
  /** after-visit check-in for a visit that is not the caller's submitted visit */
  CHECKIN_NO_VISIT: { status: 404, message: '拜访记录不存在' },
} as const satisfies Record<CatalogCode<'checkins'>, ErrorSpec>;

export const checkinError = errorThrower(CHECKIN_ERRORS);
