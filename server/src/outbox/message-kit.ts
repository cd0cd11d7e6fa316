import type { Env } from '../config/env';
import type { Policy } from '../config/policy';
import { SQL, type Sql } from '../db/sql';
import { h5Link, instantToWallClock, type PageName, type PageParams } from '@anchor/shared';
import type { PlannedDelivery } from './message-builder';

export interface TeamRobots {
  wecomRobotKey: string | null;
  dingtalkRobotToken: string | null;
  dingtalkRobotSecret: string | null;
}

export interface MessagePerson {
  id: number;
  name: string;
  wecomUserId: string | null;
  wechatOpenId: string | null;
  teamId: number | null;
}

/** How a module's messages find people and team robots: given by the org module (it owns those tables). */
export interface MessageDirectory {
  /** anyone by id, active or not */
  person(sql: Sql, id: unknown): Promise<MessagePerson | null>;
  /** an active member by id */
  member(sql: Sql, id: unknown): Promise<MessagePerson | null>;
  /** active admins, for what has nobody above it */
  admins(sql: Sql): Promise<MessagePerson[]>;
  teamRobots(sql: Sql, teamId: number | null): Promise<TeamRobots | null>;
}

/** WeCom's longest duplicate check: an identical text to the same person within it is shown once. */
const DUPLICATE_CHECK_SECONDS = 4 * 3600;

/**
 * What every module's message planners share: links into the app, times in the team's zone, the
 * WeCom text and the team-robot news in each channel's format, and the people they go to.
 */
export class MessageKit {
  constructor(
    readonly env: Env,
    readonly policy: Policy,
    readonly directory: MessageDirectory,
  ) {}

  /** the WeCom app's agent id, or undefined when the app is not configured */
  get agentid(): number | undefined {
    return this.env.wecom?.agentId;
  }

  /** A stored instant as the team reads it: `YYYY-MM-DD HH:mm` in the policy time zone. */
  local(iso: string | null | undefined): string {
    if (!iso) return '';
    return instantToWallClock(new Date(iso), this.policy.timeZone).toISOString().slice(0, 16).replace('T', ' ');
  }

  /** A browser link into the app, built from the page table so it opens a page that exists. */
  link<P extends PageName>(page: P, params: PageParams<P> = {}): string {
    return h5Link(this.env.publicUrl, page, params);
  }

  member(sql: Sql, id: unknown): Promise<MessagePerson | null> {
    if (id === null || id === undefined) return Promise.resolve(null);
    return this.directory.member(sql, id);
  }

  person(sql: Sql, id: unknown): Promise<MessagePerson | null> {
    if (id === null || id === undefined) return Promise.resolve(null);
    return this.directory.person(sql, id);
  }

  admins(sql: Sql): Promise<MessagePerson[]> {
    return this.directory.admins(sql);
  }

  team(sql: Sql, teamId: number | null): Promise<TeamRobots | null> {
    if (teamId === null || teamId === undefined) return Promise.resolve(null);
    return this.directory.teamRobots(sql, teamId);
  }

  /** One send per consent: takes one of the member's subscribe-message consents; false when none is left. */
  async takeSubscribeConsent(sql: Sql, memberId: number, templateId: string): Promise<boolean> {
    return (await sql.exec('UPDATE subscribe_consent SET remaining = remaining - 1 WHERE memberId = ? AND templateId = ? AND remaining > 0', [memberId, templateId])) === 1;
  }

  /** A delivery's own record, as a resolver needs it (the response code a send or a click left). */
  async delivery(sql: Sql, id: number): Promise<{ responseCode: string | null } | null> {
    const [row] = await sql.rows<{ responseCode: string | null }>(SQL`SELECT responseCode FROM delivery WHERE id = ?`, [id]);
    return row ?? null;
  }

  /** The latest WeCom app delivery of a subject (its card, or the text sent instead). */
  async latestCard(sql: Sql, subject: string): Promise<{ status: string; responseCode: string | null; body: string } | null> {
    const [row] = await sql.rows<{ status: string; responseCode: string | null; body: string }>(
      SQL`SELECT status, responseCode, body FROM delivery WHERE subject = ? AND channel = 'wecom_app' ORDER BY id DESC LIMIT 1`,
      [subject],
    );
    return row ?? null;
  }

  /**
   * A WeCom app text to one person. Texts carry no task_id, so a resend after an answer was lost
   * (delivered, but we could not know) relies on WeCom's duplicate check to be shown once.
   */
  wecomText(userId: string, agentid: number, content: string): PlannedDelivery {
    return {
      channel: 'wecom_app',
      target: `wecom_app:${userId}`,
      body: { touser: userId, msgtype: 'text', agentid, text: { content }, enable_duplicate_check: 1, duplicate_check_interval: DUPLICATE_CHECK_SECONDS },
    };
  }

  /** The team robots (WeCom and DingTalk) that are configured, each with the same news in its own format. */
  robots(teamId: number | null, team: TeamRobots | null, news: { title: string; lines: string[]; url: string; button: string }): PlannedDelivery[] {
    const out: PlannedDelivery[] = [];
    if (!team || teamId === null) return out;
    if (team.wecomRobotKey) {
      out.push({
        channel: 'wecom_robot',
        target: `wecom_robot:team:${teamId}`,
        body: {
          msgtype: 'template_card',
          template_card: {
            card_type: 'text_notice',
            source: { desc: '锚点' },
            main_title: { title: news.title.slice(0, 26), desc: news.lines[0] ?? '' },
            sub_title_text: news.lines.slice(1).join('\n').slice(0, 200),
            card_action: { type: 1, url: news.url },
          },
        },
      });
    }
    if (team.dingtalkRobotToken && team.dingtalkRobotSecret) {
      out.push({
        channel: 'dingtalk_robot',
        target: `dingtalk_robot:team:${teamId}`,
        body: {
          msgtype: 'actionCard',
          actionCard: { title: news.title, text: `### ${news.title}\n\n${news.lines.map((l) => `- ${l}`).join('\n')}`, singleTitle: news.button, singleURL: news.url, btnOrientation: '0' },
        },
      });
    }
    return out;
  }
}
