import { ROLE_LABELS, type Role } from '@anchor/shared';
import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../../clock';
import type { Policy } from '../../config/policy';
import { SQL, sqlOf, type Sql } from '../../db/sql';
import { withTransaction } from '../../db/transaction';
import { invalid } from '../../http/errors';
import { activeMembersWithRoles, membersById, type Member, type OrgService } from '../org';
import { TaskPoolMember } from './task-pool-member.entity';
import { taskError } from './tasks.errors';

/** A pool of policy taskPools. */
export interface PoolDefinition {
  id: string;
  label: string;
  roles: Role[];
  /** only the members an admin picked act (while none is picked: every active member of its roles) */
  chosen: boolean;
}

/** A person a pool's task goes to. */
export interface PoolPerson {
  id: number;
  name: string;
  role: Role;
  wecomUserId: string | null;
  teamId: number | null;
}

/** GET /task-pools: one pool as the admin sees it. */
export interface TaskPoolView {
  id: string;
  label: string;
  roles: Role[];
  roleLabels: string[];
  chosen: boolean;
  /** picked members still active in the pool's roles (chosen pools; empty otherwise) */
  members: { id: number; name: string }[];
  /** who may be picked: the active members of its roles (chosen pools; empty otherwise) */
  candidates: { id: number; name: string }[];
  /** who acts on its tasks now */
  actors: number;
  /** a chosen pool nobody is picked for: everyone of its roles acts meanwhile */
  warning: string | null;
}

/**
 * Task pools (policy `taskPools`): who acts on a task waiting in a pool. A pool is the active members
 * of its roles; a `chosen` pool is only those an admin picked among them, or — while none of them is
 * picked (or every one picked has left or changed role) — all of them, so a pool task never waits for
 * no one. A stored pool id policy no longer defines means the role of that name (the ids of the first
 * pools were role names), else nobody (its tasks escalate to the admins).
 */
export class PoolBook {
  constructor(protected readonly policy: Policy) {}

  all(): PoolDefinition[] {
    return Object.entries(this.policy.taskPools).map(([id, p]) => ({ id, label: p.label, roles: [...p.roles], chosen: p.chosen === true }));
  }

  get(id: string): PoolDefinition | null {
    const p = Object.prototype.hasOwnProperty.call(this.policy.taskPools, id) ? this.policy.taskPools[id] : undefined;
    return p ? { id, label: p.label, roles: [...p.roles], chosen: p.chosen === true } : null;
  }

  /** A pool's label (a stored id policy no longer has: the role's name, else the id). */
  label(id: string): string {
    return this.get(id)?.label ?? ROLE_LABELS[id as Role] ?? id;
  }

  protected rolesOf(id: string): readonly string[] {
    return this.get(id)?.roles ?? (id in ROLE_LABELS ? [id] : []);
  }

  /** The picked members of a chosen pool who still count: active, with one of its roles. */
  protected async picked(sql: Sql, pool: PoolDefinition): Promise<number[]> {
    const rows = await sql.rows<{ memberId: number }>(SQL`SELECT memberId FROM task_pool_member WHERE pool = ? ORDER BY memberId`, [pool.id]);
    const people = await membersById(sql, rows.map((r) => Number(r.memberId)));
    return [...people.values()].filter((m) => m.active && pool.roles.includes(m.role)).map((m) => m.id);
  }

  /** Who acts on `poolId`'s tasks now (its cards go to each of them). */
  async actors(sql: Sql, poolId: string): Promise<PoolPerson[]> {
    const everyone = (await activeMembersWithRoles(sql, this.rolesOf(poolId))) as PoolPerson[];
    const pool = this.get(poolId);
    if (!pool?.chosen) return everyone;
    const picked = new Set(await this.picked(sql, pool));
    return picked.size ? everyone.filter((m) => picked.has(m.id)) : everyone;
  }
}

/** The pools with what needs the database beyond a planner's transaction: a member's pools, the admin's view and edit. */
export class TaskPools extends PoolBook {
  constructor(
    private readonly db: DataSource,
    policy: Policy,
    private readonly clock: Clock,
    private readonly org: OrgService,
  ) {
    super(policy);
  }

  /**
   * The pools `member` acts in: the ids of policy pools, plus their role's name when no policy pool has
   * that id (older rows named roles).
   */
  async idsOf(member: Pick<Member, 'id' | 'role' | 'deactivatedAt'>, manager: EntityManager = this.db.manager): Promise<Set<string>> {
    const ids = new Set<string>();
    if (member.deactivatedAt) return ids;
    for (const pool of this.all()) {
      if (!pool.roles.includes(member.role)) continue;
      if (!pool.chosen) {
        ids.add(pool.id);
        continue;
      }
      const picked = await this.pickedIds(manager, pool);
      if (picked.length === 0 || picked.includes(member.id)) ids.add(pool.id);
    }
    if (!this.get(member.role)) ids.add(member.role);
    return ids;
  }

  /** As `picked`, through TypeORM (outside a planner's transaction). */
  private async pickedIds(manager: EntityManager, pool: PoolDefinition): Promise<number[]> {
    const rows = await manager.getRepository(TaskPoolMember).find({ where: { pool: pool.id } });
    const people = await this.org.membersByIds(rows.map((r) => r.memberId));
    return [...people.values()].filter((m) => !m.deactivatedAt && pool.roles.includes(m.role)).map((m) => m.id).sort((a, b) => a - b);
  }

  /** The pools the app names on the 任务 screen's 池 tab: policy pools `member` acts in. */
  async of(member: Pick<Member, 'id' | 'role' | 'deactivatedAt'>): Promise<{ id: string; label: string }[]> {
    const ids = await this.idsOf(member);
    return this.all().filter((p) => ids.has(p.id)).map((p) => ({ id: p.id, label: p.label }));
  }

  /** Whether `member` could act in the pool by role alone (a chosen pool's member not picked: refused, not hidden). */
  hasRoleOf(poolId: string, member: Pick<Member, 'role'>): boolean {
    return this.rolesOf(poolId).includes(member.role);
  }

  list(): Promise<TaskPoolView[]> {
    return withTransaction(this.db, (manager) => this.listIn(sqlOf(manager)));
  }

  private async listIn(sql: Sql): Promise<TaskPoolView[]> {
    const out: TaskPoolView[] = [];
    for (const pool of this.all()) {
      const everyone = await activeMembersWithRoles(sql, pool.roles);
      const picked = pool.chosen ? new Set(await this.picked(sql, pool)) : new Set<number>();
      const roleLabels = pool.roles.map((r) => ROLE_LABELS[r] ?? r);
      out.push({
        id: pool.id, label: pool.label, roles: pool.roles, roleLabels, chosen: pool.chosen,
        members: everyone.filter((m) => picked.has(m.id)).map((m) => ({ id: m.id, name: m.name })),
        candidates: pool.chosen ? everyone.map((m) => ({ id: m.id, name: m.name })) : [],
        actors: picked.size ? picked.size : everyone.length,
        warning:
          pool.chosen && picked.size === 0
            ? `尚未选定「${pool.label}」的成员：在选定之前，所有在职的${roleLabels.join('、')}成员都可处理该池的任务`
            : null,
      });
    }
    return out;
  }

  /** An admin picks a chosen pool's members (an empty list: nobody picked, everyone of its roles acts). */
  async setMembers(admin: Pick<Member, 'id'>, poolId: string, memberIds: number[]): Promise<TaskPoolView> {
    const pool = this.get(poolId);
    if (!pool) throw taskError('TASK_POOL_NOT_FOUND', { message: `没有名为 ${poolId.slice(0, 40)} 的任务池` });
    if (!pool.chosen) throw taskError('TASK_POOL_NOT_CHOSEN', { message: `「${pool.label}」由其角色的全部在职成员组成，无需选定成员` });
    const ids = [...new Set(memberIds)];
    if (ids.length > 50) throw invalid({ memberIds: '成员至多选 50 人' });
    const people = await this.org.membersByIds(ids);
    const roleLabels = pool.roles.map((r) => ROLE_LABELS[r] ?? r).join('或');
    for (const id of ids) {
      const m = people.get(id);
      if (!m || m.deactivatedAt) throw invalid({ memberIds: `成员 #${id} 不存在或已停用` });
      if (!pool.roles.includes(m.role)) throw invalid({ memberIds: `成员「${m.name}」不是${roleLabels}角色，不能加入「${pool.label}」` });
    }
    await withTransaction(this.db, async (manager) => {
      const repo = manager.getRepository(TaskPoolMember);
      await repo.delete({ pool: pool.id });
      const now = this.clock.now();
      if (ids.length) await repo.insert(ids.map((memberId) => ({ pool: pool.id, memberId, chosenById: admin.id, chosenAt: now })));
    });
    return (await this.list()).find((p) => p.id === pool.id)!;
  }
}
