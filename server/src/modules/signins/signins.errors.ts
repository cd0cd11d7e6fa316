import type { CatalogCode } from '@anchor/shared';
import { errorThrower } from '../../http/errors';
import type { ErrorSpec } from '../module';

/** The signins module's errors. */
export const SIGNIN_ERRORS = {
  /** confirming a proposed location for a customer that has none proposed (nor any location) */
  NO_LOCATION_PROPOSAL: { status: 409, message: '该客户还没有待确认的建议位置' },
  /** a visit naming a sign-in that is not the rep's own, today, at that customer, unlinked */
  SIGNIN_NOT_LINKABLE: { status: 422, message: '只能关联你今天在该客户的签到（且未关联其他拜访）' },
} as const satisfies Record<CatalogCode<'signins'>, ErrorSpec>;

export const signinError = errorThrower(SIGNIN_ERRORS);
