import type { TaskKindDefinition } from '../tasks';

export const CAMPAIGN_EXCEPTION_KIND = 'campaign_exception';

/** What an exception's task card shows, frozen when the rep reports it. */
export interface CampaignExceptionSnapshot {
  campaignId: number;
  campaignName: string;
  exceptionId: number;
  customer: { id: number; name: string };
  rep: { id: number; name: string };
  reason: string;
  note: string;
  hasPhoto: boolean;
}

/**
 * 专项异常: a rep's blocker on a target, in the campaign owner's hands. The owner answers, reassigns the
 * target or drops it on the campaign board (each settles the task); 知道了 on the chat card settles it as
 * answered without words. Not acted on within policy campaigns.exceptionAnswerHours: the owner's manager hears.
 */
export const campaignExceptionKind: TaskKindDefinition = {
  name: CAMPAIGN_EXCEPTION_KIND,
  label: '专项异常',
  actions: ['confirm', 'comment'],
  actionLabels: { confirm: '知道了' },
  dueHours: (policy) => policy.campaigns.exceptionAnswerHours,
  escalateTo: 'manager',
  render: (snapshot) => {
    const s = snapshot as Partial<CampaignExceptionSnapshot>;
    return {
      title: `${s.customer?.name ?? ''} · ${s.reason ?? ''}`,
      lines: [
        `专项：${s.campaignName ?? ''}`,
        `客户：${s.customer?.name ?? ''}`,
        `上报人：${s.rep?.name ?? ''}`,
        `原因：${s.reason ?? ''}`,
        ...(s.note ? [`说明：${s.note.slice(0, 60)}`] : []),
        ...(s.hasPhoto ? ['附照片：是'] : []),
      ],
    };
  },
};
