import { ACTION_NOT_CLOSED_MESSAGE, type CatalogCode } from '@anchor/shared';
import { errorThrower } from '../../http/errors';
import type { ErrorSpec } from '../module';

/** The visits module's errors: visits and first touches (photos are attachments). */
export const VISIT_ERRORS = {
  /** saved offline longer ago than the policy accepts (the message names the day) */
  VISIT_TOO_OLD: { status: 422, message: '离线保存的拜访记录已过期，无法提交' },
  /** no agreed action with a next follow-up: the visit did not close */
  ACTION_NOT_CLOSED: { status: 422, message: ACTION_NOT_CLOSED_MESSAGE },
  /** a first touch for a customer that is not a lead waiting for one */
  NOT_AWAITING_FIRST_TOUCH: { status: 409, message: '该客户不是待首次触达的线索' },
  /** a first touch for a lead that already has one (also the loser of two at once) */
  FIRST_TOUCH_RECORDED: { status: 409, message: '该客户已有首次触达记录' },
  /** 标记完成 a second time (also the loser of two at once): the message says when and by whom */
  AGREED_ACTION_DONE: { status: 409, message: '该约定动作已标记完成，不能重复标记' },
  /** 标记完成 on a visit without an agreed action and next follow-up (one stage automation left waiting) */
  NO_AGREED_ACTION: { status: 409, message: '该拜访还没有约定动作，无法标记完成' },
  /** 补设跟进 on a customer whose latest visit's action is already done: a new promise comes from a new contact */
  FOLLOW_UP_ACTION_DONE: { status: 409, message: '该客户最近一次拜访的约定动作已完成：要约定新的下一步，请先记录一次拜访' },
} as const satisfies Record<CatalogCode<'visits'>, ErrorSpec>;

export const visitError = errorThrower(VISIT_ERRORS);
