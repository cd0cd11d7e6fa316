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
