/** The p-th percentile of ascending values (nearest rank, 0 < p ≤ 100). */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
