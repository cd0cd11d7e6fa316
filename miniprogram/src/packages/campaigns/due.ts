/** A step is due by the end of its day: shown as 「11-27 23:59 前」, not as the next day's 00:00. */
export const lastMinute = (iso: string): string => new Date(Date.parse(iso) - 60_000).toISOString()
