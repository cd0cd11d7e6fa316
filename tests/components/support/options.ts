import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Options } from '../../../miniprogram/src/api/types';

/** GET /api/v1/options as the server answers it, from the shipped config/policy.yaml. */
export function shippedOptions(): Options {
  const policy = parse(readFileSync(path.resolve(__dirname, '../../../config/policy.yaml'), 'utf8'));
  return {
    timeZone: policy.timeZone,
    stages: policy.stages,
    overdueExcludedStages: policy.overdueExcludedStages,
    grades: policy.grading.grades.map((g: { grade: string }) => g.grade),
    ...policy.options,
    limits: policy.limits,
    anchors: policy.anchors,
    reminderTemplateId: null,
  };
}
