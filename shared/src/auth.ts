import { z } from 'zod';
import { dbId, labelled } from './validation';

export const mobilePhone = labelled(z.string().trim().regex(/^1[3-9]\d{9}$/, '必须是 11 位手机号'), '手机号');

const code = labelled(z.string().trim().min(1).max(128), '登录凭证 code');
const inviteCode = labelled(z.string().trim().min(4).max(32), '邀请码');

/** A first login carries the invite code from the team QR code; a team invite also needs who you are. */
export const miniProgramLoginSchema = z
  .object({
    code,
    inviteCode: inviteCode.optional(),
    name: labelled(z.string().trim().min(1).max(50), '姓名').optional(),
    phone: mobilePhone.optional(),
  })
  .strict();
export type MiniProgramLoginInput = z.output<typeof miniProgramLoginSchema>;

export const devLoginSchema = z.object({ phone: mobilePhone }).strict();

export const createInviteSchema = z
  .object({
    teamId: dbId('团队').optional(),
    memberId: dbId('成员').optional(),
  })
  .strict()
  .refine((v) => v.teamId !== undefined || v.memberId !== undefined, { message: '请指定团队或成员', path: ['teamId'] });
