import type { CatalogCode } from '@anchor/shared';
import { errorThrower } from '../../http/errors';
import type { ErrorSpec } from '../module';

/** The contracts module's errors. */
export const CONTRACT_ERRORS = {
  /** editing a contract that is in approval or approved (only a draft or a rejected one changes) */
  CONTRACT_NOT_EDITABLE: { status: 409, message: '合同审批中或已通过，不能修改（只有草稿或被驳回的合同可以修改）' },
  /** submitting one already in approval or approved */
  CONTRACT_NOT_SUBMITTABLE: { status: 409, message: '合同已在审批中或已通过，不能再次提交' },
  /** drafting or submitting for a customer closed as lost */
  CONTRACT_CUSTOMER_CLOSED: { status: 409, message: '客户已关闭（丢单），不能为其起草或提交合同' },
  /** answering 需市场支持 on a contract that asked for none */
  CONTRACT_NO_SUPPORT: { status: 404, message: '该合同没有市场支持请求' },
  /** answering twice */
  CONTRACT_SUPPORT_ANSWERED: { status: 409, message: '该市场支持请求已答复' },
} as const satisfies Record<CatalogCode<'contracts'>, ErrorSpec>;

export const contractError = errorThrower(CONTRACT_ERRORS);
