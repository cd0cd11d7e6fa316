import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import type { teamChannelSettingsSchema } from '@anchor/shared';
import { notFound } from '../../http/errors';
import type { Member } from './member.entity';
import type { OrgService } from './org.service';
import { TeamChannelSettings } from './team-channel-settings.entity';

export interface TeamChannelView {
  teamId: number;
  wecomRobotKey: string | null;
  dingtalkRobotToken: string | null;
  dingtalkRobotSecret: string | null;
  updatedAt: string | null;
}

/** Enough of a secret to recognise it, never enough to use it. */
const mask = (secret: string | null) => (secret ? `****${secret.slice(-4)}` : null);

export class TeamChannelsService {
  constructor(
    private readonly db: DataSource,
    private readonly org: OrgService,
  ) {}

  private view(teamId: number, row: TeamChannelSettings | null): TeamChannelView {
    return {
      teamId,
      wecomRobotKey: mask(row?.wecomRobotKey ?? null),
      dingtalkRobotToken: mask(row?.dingtalkRobotToken ?? null),
      dingtalkRobotSecret: mask(row?.dingtalkRobotSecret ?? null),
      updatedAt: row?.updatedAt.toISOString() ?? null,
    };
  }

  async get(teamId: number): Promise<TeamChannelView> {
    if (!(await this.org.teamById(teamId))) throw notFound('团队');
    return this.view(teamId, await this.db.getRepository(TeamChannelSettings).findOne({ where: { teamId } }));
  }

  /** The settings the channels use to deliver (unmasked); for the dispatcher, never for a response. */
  async secretsOf(teamId: number): Promise<TeamChannelSettings | null> {
    return this.db.getRepository(TeamChannelSettings).findOne({ where: { teamId } });
  }

  async update(admin: Member, teamId: number, input: z.output<typeof teamChannelSettingsSchema>): Promise<TeamChannelView> {
    if (!(await this.org.teamById(teamId))) throw notFound('团队');
    const repo = this.db.getRepository(TeamChannelSettings);
    const current = await repo.findOne({ where: { teamId } });
    const next = {
      teamId,
      wecomRobotKey: input.wecomRobotKey !== undefined ? input.wecomRobotKey : (current?.wecomRobotKey ?? null),
      dingtalkRobotToken: input.dingtalkRobotToken !== undefined ? input.dingtalkRobotToken : (current?.dingtalkRobotToken ?? null),
      dingtalkRobotSecret: input.dingtalkRobotSecret !== undefined ? input.dingtalkRobotSecret : (current?.dingtalkRobotSecret ?? null),
      updatedById: admin.id,
    };
    await repo.save(next);
    // A robot whose credentials were refused is tried again at the next pass, not after its probe wait.
    await this.db.query("UPDATE channel_health SET probeAt = NULL WHERE channel IN (?, ?) AND reason IS NOT NULL", [`wecom_robot:team:${teamId}`, `dingtalk_robot:team:${teamId}`]);
    return this.view(teamId, await repo.findOne({ where: { teamId } }));
  }
}
