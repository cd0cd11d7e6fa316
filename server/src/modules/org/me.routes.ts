import { ROLE_LABELS, can, meViewSchema, type MeView, type NamedRef } from '@anchor/shared';
import { route, type AnyRoute } from '../../http/route';
import type { TaskPools, TodoService } from '../tasks';
import type { Member } from './member.entity';
import { memberView, type OrgService } from './org.service';

/**
 * The open to-dos on a member's 待办 screen, counted the way that screen lists them (sectionsFor in
 * pages/todos, from the same matrix): a rep follows their own next actions, a supervisor confirms cards,
 * a director or admin confirms what is assigned to them and follows the escalations in reach; finance
 * and marketing have none.
 */
async function openTodos(todos: TodoService, member: Member): Promise<number> {
  const count = async (as: 'assignee' | 'rep' | 'escalated') => (await todos.list(member, { as, status: 'open', page: 1, pageSize: 1 })).total;
  let open = 0;
  if (can(member.role, 'todos.follow')) open += await count('rep');
  if (can(member.role, 'todos.confirm')) open += await count('assignee');
  if (can(member.role, 'todos.escalations.read')) open += await count('escalated');
  return open;
}

export function meRoutes(org: OrgService, todos: TodoService, pools: TaskPools): AnyRoute[] {
  return [
    route({
      method: 'get', path: '/me', tag: '登录', summary: '我的：当前成员、角色、团队与待办数（标签栏角标）', access: 'member',
      response: meViewSchema,
      handler: async (ctx): Promise<MeView> => {
        const member = ctx.state.member;
        const [team, manager] = await Promise.all([
          member.teamId === null ? null : org.teamById(member.teamId),
          member.managerId === null ? null : org.findActiveMember(member.managerId),
        ]);
        const regionId = member.regionId ?? null;
        const region = regionId === null ? null : await org.regionById(regionId);
        const ref = (row: { id: number; name: string } | null): NamedRef | null => (row ? { id: row.id, name: row.name } : null);
        return {
          ...memberView(member),
          roleLabel: ROLE_LABELS[member.role] ?? member.role,
          team: ref(team),
          region: ref(region),
          manager: ref(manager),
          openTodos: await openTodos(todos, member),
          canInvite: can(member.role, 'org.invites.manage') && member.teamId !== null,
          taskPools: await pools.of(member),
        };
      },
    }),
  ];
}
