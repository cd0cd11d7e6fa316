import { ROLES, type Role } from './org';

/**
 * Who may do what: one matrix of module actions × roles, read by the server's route table (RouteSpec.can),
 * its services (scope of records) and the app (which buttons and pages a role sees). Change a right here
 * and all three follow; tests/server/authz-matrix.test.ts walks every route × every role against it.
 *
 * A grant is the reach over records the action touches: `own` (records the member owns or made),
 * `team` (their team's), `region` (their region's), `all`. An action that is not about records is
 * granted with `all`. A role without a grant may not do it (`scopeOf` answers `none`).
 */
export type ScopeRule = 'own' | 'team' | 'region' | 'all' | 'none';
type Grant = Exclude<ScopeRule, 'none'>;

interface ActionSpec {
  /** what the person reads in a refusal: 你的岗位（财务）不能「…」 */
  label: string;
  grants: Partial<Record<Role, Grant>>;
}

// The usual reach of each role in the org tree (a supervisor their team, a director their region).
const READ_ALL: Partial<Record<Role, Grant>> = { rep: 'own', supervisor: 'team', director: 'region', finance: 'all', marketing: 'all', admin: 'all' };
// Those who work customers (finance and marketing only read them).
const SALES: Partial<Record<Role, Grant>> = { rep: 'own', supervisor: 'team', director: 'region', admin: 'all' };
const MANAGERS: Partial<Record<Role, Grant>> = { supervisor: 'team', director: 'region', admin: 'all' };
const ADMIN: Partial<Record<Role, Grant>> = { admin: 'all' };

const MATRIX = {
  // customers
  'customers.read': { label: '查看客户', grants: READ_ALL },
  'customers.export': { label: '导出客户', grants: READ_ALL },
  'customers.create': { label: '新建客户', grants: SALES },
  'customers.update': { label: '修改客户', grants: SALES },
  'customers.stage': { label: '变更客户阶段', grants: SALES },
  'customers.import': { label: '导入客户', grants: SALES },
  'customers.assign': { label: '改派客户负责人', grants: MANAGERS },
  // 关闭/丢单: whoever works the customer closes it as lost; only a manager reopens it
  'customers.close': { label: '关闭客户（丢单）', grants: SALES },
  'customers.reopen': { label: '重新打开已丢单客户', grants: MANAGERS },
  // visits (photos and first touches are part of a visit)
  'visits.read': { label: '查看拜访记录', grants: READ_ALL },
  'visits.create': { label: '记录拜访', grants: SALES },
  // 标记完成 of a visit's agreed action: the visit's rep (own) or the supervisor of the rep's team
  'visits.actions.complete': { label: '标记约定动作完成', grants: { rep: 'own', supervisor: 'team' } },
  // on-site sign-in (外勤签到): at a customer in reach; its location is set or confirmed by a supervisor or admin
  'signins.create': { label: '外勤签到', grants: SALES },
  'signins.read': { label: '查看签到记录', grants: SALES },
  'signins.location.manage': { label: '设置客户位置', grants: { supervisor: 'team', admin: 'all' } },
  // to-dos: a rep follows their own next actions; managers confirm cards; directors and admins follow escalations
  'todos.follow': { label: '跟进自己的下一步动作', grants: { rep: 'own' } },
  'todos.confirm': { label: '确认待办', grants: MANAGERS },
  'todos.escalations.read': { label: '查看超时升级的待办', grants: { director: 'region', admin: 'all' } },
  // org
  'org.invites.manage': { label: '生成或作废邀请码', grants: MANAGERS },
  'org.members.manage': { label: '管理成员会话', grants: ADMIN },
  'org.members.edit': { label: '修改成员资料（入职日期）', grants: ADMIN },
  'channels.manage': { label: '设置团队群机器人', grants: ADMIN },
  // task pools (policy taskPools): an admin picks who acts for a `chosen` pool (e.g. the marketing lead)
  'tasks.pools.manage': { label: '选定任务池成员', grants: ADMIN },
  'deliveries.manage': { label: '管理消息投递', grants: ADMIN },
  // the coming modules (SPEC 6–10): their rights are decided here, before their routes exist
  // dashboards: managers over their reach; a rep sees their own rows (their team's means and median only as
  // the yardstick). Customer demands (word cloud, business counters) also to marketing (materials answer
  // them) and finance (second quotes and delivery questions reach pricing and payment).
  'dashboards.read': { label: '查看仪表盘', grants: { rep: 'own', supervisor: 'team', director: 'region', admin: 'all' } },
  'dashboards.demand.read': { label: '查看客户需求与业务计数', grants: { rep: 'own', supervisor: 'team', director: 'region', finance: 'all', marketing: 'all', admin: 'all' } },
  'checkins.create': { label: '每日打卡', grants: { rep: 'own', supervisor: 'own' } },
  'checkins.team.read': { label: '查看团队打卡', grants: MANAGERS },
  'checkins.calendar.read': { label: '查看打卡日历的配置提醒', grants: ADMIN },
  'materials.read': { label: '查看营销素材', grants: { rep: 'all', supervisor: 'all', director: 'all', marketing: 'all', admin: 'all' } },
  'materials.manage': { label: '管理营销素材', grants: { marketing: 'all', admin: 'all' } },
  'materials.usage.read': { label: '查看素材使用情况', grants: { supervisor: 'team', director: 'region', marketing: 'all', admin: 'all' } },
  // rebates: finance (and admins) keep the rule table, everyone who sells reads it; a rep or supervisor
  // calculates and requests for customers in reach; finance decides and marks paid; marketing has no part
  'rebates.policy.manage': { label: '维护返点政策', grants: { finance: 'all', admin: 'all' } },
  'rebates.policy.read': { label: '查看返点政策', grants: { rep: 'all', supervisor: 'all', director: 'all', finance: 'all', admin: 'all' } },
  'rebates.request.create': { label: '申请返点', grants: { rep: 'own', supervisor: 'team' } },
  'rebates.request.read': { label: '查看返点申请', grants: { rep: 'own', supervisor: 'team', director: 'region', finance: 'all', admin: 'all' } },
  'rebates.request.review': { label: '审核返点申请', grants: { finance: 'all' } },
  'contracts.submit': { label: '提交合同', grants: { rep: 'own', supervisor: 'team' } },
  'contracts.read': { label: '查看合同', grants: READ_ALL },
  'contracts.approve': { label: '审批合同', grants: { supervisor: 'team', director: 'region', finance: 'all' } },
  'receivables.read': { label: '查看回款', grants: { rep: 'own', supervisor: 'team', director: 'region', finance: 'all', admin: 'all' } },
  'receivables.record': { label: '登记回款', grants: { finance: 'all' } },
  // a WeChat Pay Native order for a receivable: whoever collects it (its rep, their managers) and finance
  'payments.order': { label: '发起微信支付收款', grants: { rep: 'own', supervisor: 'team', director: 'region', finance: 'all' } },
  'marketing.support.answer': { label: '处理市场支持请求', grants: { marketing: 'all' } },
  'campaigns.manage': { label: '管理专项任务', grants: { supervisor: 'team', director: 'region' } },
  'campaigns.participate': { label: '参与专项任务', grants: { rep: 'own', supervisor: 'team' } },
  // winning plays (赢单打法): whoever fills visits sees their region's plays as suggestions; directors and admins the table and hide
  'plays.read': { label: '查看赢单打法建议', grants: SALES },
  'plays.manage': { label: '管理赢单打法', grants: { director: 'region', admin: 'all' } },
} as const satisfies Record<string, ActionSpec>;

export type Action = keyof typeof MATRIX;
export const ACTIONS = Object.keys(MATRIX) as Action[];

/** May a member of this role do this at all? */
export function can(role: Role | null | undefined, action: Action): boolean {
  return !!role && (MATRIX[action].grants as Partial<Record<Role, Grant>>)[role] !== undefined;
}

/** Over which records: own / team / region / all, or none when the role may not do it. */
export function scopeOf(role: Role | null | undefined, action: Action): ScopeRule {
  return (role && (MATRIX[action].grants as Partial<Record<Role, Grant>>)[role]) || 'none';
}

export function actionLabel(action: Action): string {
  return MATRIX[action].label;
}

/** The roles granted an action (for docs, OpenAPI and tests). */
export function rolesFor(action: Action): Role[] {
  return ROLES.filter((r) => can(r, action));
}

/** Who may be a customer's owner (负责人): those whose own customers they are. */
export const CUSTOMER_OWNER_ROLES: readonly Role[] = ['rep', 'supervisor'];
