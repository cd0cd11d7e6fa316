import type { CatalogCode } from '@anchor/shared';
import { errorThrower } from '../http/errors';
import type { ErrorSpec } from '../modules/module';

/** The outbox's errors: what an admin's resend of a delivery may be refused with. */
export const OUTBOX_ERRORS = {
  /** the card's to-do was confirmed meanwhile: a resend would put a stale 「确认」 button before the supervisor */
  DELIVERY_TODO_CONFIRMED: { status: 409, message: '这张待办卡片的待办已确认，不再重新发送（否则主管会收到仍带「确认」按钮的卡片）' },
  /** only failed, dead or unknown deliveries go again (the message names the delivery's status) */
  DELIVERY_NOT_RESENDABLE: { status: 409, message: '只有发送失败、死信或结果未知的投递可以重新发送' },
} as const satisfies Record<CatalogCode<'outbox'>, ErrorSpec>;

export const outboxError = errorThrower(OUTBOX_ERRORS);
