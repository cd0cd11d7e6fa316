import { z } from 'zod';
import { isoDate, labelled } from './validation';

export const ROLES = ['rep', 'supervisor', 'director', 'finance', 'marketing', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  rep: '销售代表',
  supervisor: '直属主管',
  director: '区域总监',
  finance: '财务',
  marketing: '市场',
  admin: '管理员',
};

const nullableSecret = (pattern: RegExp, hint: string, title: string) =>
  labelled(z.string().trim().regex(pattern, hint).nullable().optional(), title);

/** An admin's edit of a team's chat robots; null clears a value, absent leaves it. */
export const teamChannelSettingsSchema = z
  .object({
    wecomRobotKey: nullableSecret(/^[0-9A-Za-z-]{8,64}$/, '格式不正确（webhook 地址中 key= 之后的部分）', '企业微信群机器人 key'),
    dingtalkRobotToken: nullableSecret(/^[0-9A-Za-z]{16,128}$/, '格式不正确（webhook 地址中 access_token= 之后的部分）', '钉钉机器人 access_token'),
    dingtalkRobotSecret: nullableSecret(/^SEC[0-9A-Za-z]{8,125}$/, '格式不正确（以 SEC 开头的加签密钥）', '钉钉机器人加签密钥'),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: '没有要修改的内容' });

/** An admin's edit of a member (PATCH /members/:id): today only the join date (入职日期, a local day). */
export const memberEditSchema = z
  .object({
    joinedAt: isoDate('入职日期'),
  })
  .strict();
export type MemberEditInput = z.output<typeof memberEditSchema>;
