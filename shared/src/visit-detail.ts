/**
 * What GET /api/v1/visits/:id answers: the visit with every anchor, whose customer and rep it is, and
 * the to-do it created (with whether the caller may confirm it). The visit-detail page renders it.
 */
export interface VisitDetailTodo {
  id: number;
  status: 'open' | 'confirmed';
  assignee: { id: number; name: string };
  dueAt: string;
  overdue: boolean;
  confirmedAt: string | null;
  confirmedBy: { id: number; name: string } | null;
  discussRequestedAt: string | null;
  escalatedAt: string | null;
  /** the caller is the one who confirms it (or asks to talk first) */
  canConfirm: boolean;
}

export interface VisitDetail {
  id: number;
  status: 'pending' | 'submitted';
  customer: { id: number; name: string };
  rep: { id: number; name: string };
  objective: string | null;
  painPoint: string | null;
  dialogueSummary: string | null;
  bottleneck: string | null;
  valuePoint: string | null;
  agreedAction: string | null;
  agreedActionNote: string | null;
  /** agreedAction as read, 「其他」 with its note */
  agreedActionText: string;
  nextFollowUpAt: string | null;
  nextFollowUpForm: string | null;
  alert: boolean;
  customerVerbatim: string | null;
  photoIds: number[];
  submittedAt: string | null;
  createdAt: string;
  todo: VisitDetailTodo | null;
}
