import type { EntityManager } from 'typeorm';
import type { Policy } from '../../config/policy';
import type { Sql } from '../../db/sql';
import type { NewMessage } from '../../outbox/outbox';
import type { TaskActionName } from './task-action.entity';
import type { EscalationTarget, Task } from './task.entity';

/** What a person may do with a task (escalate is the server's). */
export type PersonAction = Exclude<TaskActionName, 'escalate'>;

/** Actions that settle a task. */
export const SETTLING: readonly PersonAction[] = ['confirm', 'approve', 'reject'];

/** Actions that need words (a reason, a comment): a chat button cannot carry them, so the card links into the app. */
export const NEEDS_WORDS: readonly PersonAction[] = ['reject', 'comment', 'reassign'];

/** An approval as its owner's hooks see it. */
export interface ApprovalDecision {
  approval: { id: number; kind: string; subjectType: string; subjectId: number; requesterId: number; amountFen: number | null };
  byId: number;
  reason: string | null;
  now: Date;
  /** the deciding transaction: whatever the hook writes commits with the decision, or not at all */
  manager: EntityManager;
  sql: Sql;
}

/**
 * A kind of task, declared by the module that owns its subject (`taskKinds` in its definition): what
 * may be done with it (and so the buttons its card shows), when it falls due, who hears when nobody
 * acts, and what its card says. An approval kind adds hooks run when the chain is decided.
 */
export interface TaskKindDefinition {
  name: string;
  /** Chinese name shown on cards and lists (e.g. 合同审批) */
  label: string;
  actions: readonly PersonAction[];
  /** the kind's own words for an action's button, e.g. confirm → 复核完成 (default: 确认, 同意 …) */
  actionLabels?: Partial<Record<PersonAction, string>>;
  /** hours after creation when it escalates (from policy, never a literal) */
  dueHours(policy: Policy): number;
  escalateTo: EscalationTarget;
  /** the card's title and lines, from the snapshot frozen at creation; times in the policy's zone (`timeZone`) */
  render(snapshot: Record<string, unknown>, timeZone: string): { title: string; lines: string[] };
  /**
   * The messages a change sends, when the kind keeps its own (the visit next action keeps the to-do's
   * messages and timers, so old cards and queued deliveries go on working). Absent: the engine's own.
   */
  legacy?: {
    settled(task: Task, byId: number, via: string): NewMessage[];
    talk(task: Task, byId: number): NewMessage[];
    escalationJob(task: Task): { kind: string; subject: string };
  };
  /**
   * approval kinds whose hooks write their own message to the requester (the rebate request tells the rep
   * each state of its own, documents missing included): the engine's 「审批通过/驳回」 text is not sent, so
   * the requester hears of a decision once
   */
  quietDecision?: boolean;
  /** approval kinds: the whole chain approved (runs once, in the deciding transaction) */
  onApproved?(decision: ApprovalDecision): Promise<void>;
  /** approval kinds: a step rejected, with its reason (the chain ends) */
  onRejected?(decision: ApprovalDecision): Promise<void>;
}

/** The kinds every module declared, looked up by name (built when first needed: later modules declare kinds too). */
export class TaskKinds {
  private kinds: Map<string, TaskKindDefinition> | null = null;

  constructor(private readonly source: () => readonly TaskKindDefinition[]) {}

  private all(): Map<string, TaskKindDefinition> {
    if (!this.kinds) {
      const map = new Map<string, TaskKindDefinition>();
      for (const kind of this.source()) {
        if (map.has(kind.name)) throw new Error(`task kind ${kind.name} is declared twice`);
        map.set(kind.name, kind);
      }
      this.kinds = map;
    }
    return this.kinds;
  }

  find(name: string): TaskKindDefinition | null {
    return this.all().get(name) ?? null;
  }

  get(name: string): TaskKindDefinition {
    const kind = this.find(name);
    if (!kind) throw new Error(`unknown task kind ${name}: declare it in a module's taskKinds`);
    return kind;
  }
}
