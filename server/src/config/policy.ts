import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { policySchema, type Policy } from '../../../config/schema';

export type { Policy };

export const DEFAULT_POLICY_PATH = path.resolve(__dirname, '../../../config/policy.yaml');

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} 配置有误：\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function parsePolicy(text: string, source: string): Policy {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new ConfigError(source, [`YAML 无法解析：${(error as Error).message}`]);
  }
  const result = policySchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      source,
      result.error.issues.map((issue) => `${issue.path.join('.') || '（根）'}：${issue.message}`),
    );
  }
  return result.data;
}

export function loadPolicy(file = process.env.ANCHOR_POLICY ?? DEFAULT_POLICY_PATH): Policy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`无法读取文件：${(error as Error).message}`]);
  }
  return parsePolicy(text, file);
}
