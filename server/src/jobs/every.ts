import schedule from 'node-schedule';

/** Wakes `wake` every `seconds` (within the minute) and once right away; cancel() stops it. */
export function every(seconds: number, wake: () => void): schedule.Job {
  const rule = new schedule.RecurrenceRule();
  rule.second = Array.from({ length: Math.ceil(60 / seconds) }, (_, i) => Math.round(i * seconds) % 60);
  const job = schedule.scheduleJob(rule, wake);
  wake();
  return job;
}
