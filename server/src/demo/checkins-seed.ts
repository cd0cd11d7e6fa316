import { Between, type EntityManager } from 'typeorm';
import { addDays, agreedActionText, dayWindow, isWorkingDay, localDay, localInstant, visitWindow } from '@anchor/shared';
import type { Policy } from '../config/policy';
import { Checkin, CheckinWindow } from '../modules/checkins/checkin.entity';
import type { Member } from '../modules/org/member.entity';
import { Visit } from '../modules/visits/visit.entity';

const NEEDS = ['确认快装方案的演示时间', '集采后的价格底线', '科室培训排期', '样品试用反馈', '回款计划确认', '竞品替换的临床数据', '设备科预算审批进度'];
const MIN = 60_000;

/**
 * A month of daily check-ins for the demo team, so the home line and the team's day have a history: the
 * working days of the last 30 (policy calendar), most on time, some late, a few missing (as the window-end
 * job writes them), and one after each submitted visit. Today is left to the person trying the demo.
 */
export async function seedCheckins(m: EntityManager, policy: Policy, now: Date, seeded: () => number, members: Member[], ownedBy: Map<number, Array<{ id: number; name: string }>>): Promise<void> {
  // Today's rows draw from a generator of their own: the shared sequence stays as it was for what is seeded
  // after the check-ins (the grade history's story depends on it).
  let t = 20261203;
  const ownDraws = () => ((t = (Math.imul(t, 1103515245) + 12345) >>> 0), t / 2 ** 32);
  let random = seeded;
  const tz = policy.timeZone;
  const rules = policy.checkins;
  const today = localDay(now, tz);
  const rows: Partial<Checkin>[] = [];
  const windows: Partial<CheckinWindow>[] = [];
  const status = (): Checkin['status'] => {
    const r = random();
    return r < 0.78 ? 'on_time' : r < 0.9 ? 'late' : 'missing';
  };
  const within = (w: { opens: Date; closes: Date }, s: Checkin['status']) =>
    s === 'on_time' ? new Date(w.opens.getTime() + random() * (w.closes.getTime() - w.opens.getTime())) : new Date(w.closes.getTime() + (5 + random() * 90) * MIN);
  // Today too, up to now (a window still open: done by most, the rest still to do; one closed: as any day),
  // so the demo's team has a day in progress rather than every window of it missing and chased at start-up.
  const nowMs = now.getTime();
  const upToNow = (w: { opens: Date; closes: Date }): Checkin['status'] | null => {
    if (nowMs >= w.closes.getTime()) return status();
    if (nowMs <= w.opens.getTime() || random() < 0.3) return null;
    return 'on_time';
  };
  const at = (w: { opens: Date; closes: Date }, s: Checkin['status']) => new Date(Math.min(within(w, s).getTime(), nowMs - MIN));
  for (let back = 30; back >= 0; back--) {
    if (back === 0) random = ownDraws;
    const day = addDays(today, -back);
    if (!isWorkingDay(day, rules)) continue;
    for (const kind of ['morning', 'evening'] as const) if (nowMs >= dayWindow(kind, day, rules, tz).closes.getTime()) windows.push({ day, kind });
    for (const member of members) {
      const own = ownedBy.get(member.id) ?? [];
      for (const kind of ['morning', 'evening'] as const) {
        const w = dayWindow(kind, day, rules, tz);
        const s = upToNow(w);
        if (!s) continue;
        const key = own.length ? own[Math.floor(random() * own.length)]! : null;
        const tomorrow = own.slice(0, 3).map((c) => ({ customerId: c.id, customerName: c.name, agreedAction: '安排演示', nextFollowUpAt: localInstant(addDays(day, 1), '14:30', tz).toISOString() }));
        rows.push({
          memberId: member.id, teamId: member.teamId, day, kind, slot: kind, visitId: null, customerId: kind === 'morning' ? key?.id ?? null : null, status: s,
          answers: s === 'missing' ? null : JSON.stringify(kind === 'morning' ? { customerName: key?.name ?? null, coreNeed: NEEDS[Math.floor(random() * NEEDS.length)] } : { tomorrow: addDays(day, 1), customers: tomorrow }),
          checkedInAt: s === 'missing' ? null : at(w, s), windowClosesAt: w.closes, remindedAt: s === 'missing' ? w.closes : null, createdAt: s === 'missing' ? w.closes : at(w, s),
        });
      }
      const visits = await m.getRepository(Visit).find({
        where: { memberId: member.id, submittedAt: Between(localInstant(day, '00:00', tz), localInstant(addDays(day, 1), '00:00', tz)) },
        select: { id: true, customerId: true, submittedAt: true, customerVerbatim: true, dialogueSummary: true, agreedAction: true, agreedActionNote: true },
      });
      for (const v of visits) {
        const w = visitWindow(v.submittedAt!, rules);
        const s = upToNow(w);
        if (!s) continue;
        rows.push({
          memberId: member.id, teamId: member.teamId, day, kind: 'visit', slot: `visit:${v.id}`, visitId: v.id, customerId: v.customerId, status: s,
          answers: s === 'missing' ? null : JSON.stringify({ customerWords: (v.customerVerbatim || v.dialogueSummary || '').slice(0, 300), promisedAction: v.agreedAction ? agreedActionText(v.agreedAction, v.agreedActionNote) : '', corrected: random() < 0.2 }),
          checkedInAt: s === 'missing' ? null : at(w, s), windowClosesAt: w.closes, remindedAt: s === 'missing' ? w.closes : null, createdAt: new Date(Math.min(w.closes.getTime(), nowMs)),
        });
      }
    }
  }
  for (let i = 0; i < rows.length; i += 200) await m.createQueryBuilder().insert().into(Checkin).values(rows.slice(i, i + 200)).updateEntity(false).execute();
  if (windows.length) await m.createQueryBuilder().insert().into(CheckinWindow).values(windows).updateEntity(false).execute();
}
