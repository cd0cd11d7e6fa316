// Winning plays (赢单打法, SPEC §11): what the visit form's suggestions and the directors' plays table read.

/** One play as the app shows it. */
export interface PlayView {
  /** stable key (hash of the merged text, bottleneck and objective): what a visit records when the rep copied it */
  key: string;
  bottleneck: string;
  objective: string;
  /** the value point to copy: the most used wording among those merged */
  valuePoint: string;
  /** other wordings merged into it */
  variants: string[];
  /** the agreed action most often promised when it worked */
  topAction: string | null;
  actions: Array<{ action: string; advanced: number }>;
  /** visits that used it in the window */
  visits: number;
  /** of those, followed by a lasting stage advance (the support count) */
  advanced: number;
  /** advanced ÷ visits, 0…1 */
  successRate: number;
  /** 「近 90 天 14 次拜访后推进到下一阶段 · 成功率 38 %」 */
  label: string;
  /** per industry / hospital level, where that segment worked often enough (policy plays.segmentMinSupport) */
  segments: Array<{ kind: 'industry' | 'hospitalLevel'; value: string; visits: number; advanced: number; successRate: number }>;
  /** the segment of the visit's customer, when the play has figures for it (suggestions only) */
  customerSegment?: { kind: 'industry' | 'hospitalLevel'; value: string; label: string } | null;
  hidden: boolean;
}

/** GET /plays/suggestions: the top plays for a bottleneck, or none with the reason. */
export interface PlaySuggestions {
  bottleneck: string;
  plays: PlayView[];
  /** why there are none (a bottleneck no longer in the options, too little data, not computed yet); null when there are */
  reason: string | null;
  computedAt: string | null;
}

export interface PlayRate {
  visits: number;
  advanced: number;
  /** advanced ÷ visits, null without visits */
  rate: number | null;
}

/** GET /plays: the directors' table, per bottleneck, with the new reps' effectiveness split. */
export interface PlaysTable {
  regionId: number;
  regions: Array<{ id: number; name: string }>;
  computedAt: string | null;
  windowDays: number;
  minSupport: number;
  bottlenecks: Array<{ bottleneck: string; plays: PlayView[] }>;
  /** new reps (joined fewer than newRepDays before the visit): stage-advance rate with a copied play and without */
  effectiveness: { newRepDays: number; used: PlayRate; notUsed: PlayRate };
}

/** 「近 90 天 14 次拜访后推进到下一阶段 · 成功率 38 %」 */
export function playFigureLabel(windowDays: number, advanced: number, visits: number): string {
  return `近 ${windowDays} 天 ${advanced} 次拜访后推进到下一阶段 · 成功率 ${percentOf(advanced, visits)} %`;
}

/** A whole percent, 0 without a denominator. */
export function percentOf(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 100) : 0;
}
