import { z } from 'zod';
import { STAGE_CODES } from '../shared/src/stages';
import { VISIT_TEXT_MAX } from '../shared/src/visits';
import { ROLES } from '../shared/src/org';

const optionList = (what: string) =>
  z
    .array(z.string().trim().min(1, `${what}选项不能为空字符串`).max(50))
    .min(1, `${what}至少需要一个选项`)
    .refine((list) => new Set(list).size === list.length, `${what}选项不能重复`);

const positiveNumber = z.number().positive('必须是正数');

/** One step of an approval chain: who acts on it, and (optionally) the amount from which it is added. */
const approvalStep = z
  .object({
    assignee: z.enum(['supervisor', 'director', 'pool'], { message: '审批人须为 supervisor（申请人的主管）、director（大区总监）或 pool（任务池）' }),
    /** a pool id of `taskPools` (checked against that section once the whole file is read) */
    pool: z.string().regex(/^[a-z][a-z_]{1,39}$/, '任务池须为 taskPools 中的名称（小写英文和下划线）').optional(),
    minAmountFen: z.number().int('金额门槛须为整数（分）').min(0, '金额门槛不能为负数').optional(),
  })
  .strict()
  .refine((s) => (s.assignee === 'pool') === (s.pool !== undefined), { message: '只有 assignee 为 pool 的步骤须写 pool（任务池），其他步骤不写' });
/**
 * A named task pool: who may act on a task waiting in it. Any active member of its roles; a `chosen`
 * pool (e.g. the marketing lead) only the members an admin picked among them (while nobody is picked,
 * every active member of its roles, and the admin is warned).
 */
const taskPool = z
  .object({
    label: z.string().trim().min(1, '名称不能为空').max(20, '名称至多 20 个字'),
    roles: z
      .array(z.enum(ROLES, { message: `角色须为以下之一：${ROLES.join(', ')}` }))
      .min(1, '至少需要一个角色')
      .refine((list) => new Set(list).size === list.length, '角色不能重复'),
    chosen: z.boolean().optional(),
  })
  .strict();

/** The pools when a policy file has no `taskPools`: ids finance / marketing / admin keep meaning their role (stored tasks name them). */
export const DEFAULT_TASK_POOLS = {
  finance: { label: '财务', roles: ['finance'] },
  marketing: { label: '市场部', roles: ['marketing'] },
  marketing_lead: { label: '市场负责人', roles: ['marketing'], chosen: true },
  admin: { label: '管理员', roles: ['admin'] },
} as const satisfies Record<string, z.input<typeof taskPool>>;
/** A wall-clock time of day in the policy time zone. */
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '须为 HH:mm（00:00–23:59）');
/** A check-in window within one local day: it opens before it closes (a window never crosses midnight). */
const checkinWindow = z
  .object({ opens: hhmm, closes: hhmm })
  .strict()
  .refine((w) => w.opens < w.closes, { message: '打卡窗口的开始时间（opens）必须早于结束时间（closes），且不跨零点', path: ['closes'] });
const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '须为 YYYY-MM-DD')
  .refine((v) => {
    const d = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
  }, '不是有效的日期');
const checkinsPolicy = z
  .object({
    morning: checkinWindow,
    afterVisitMinutes: z.number().int('必须是整数（分钟）').min(1, '至少 1 分钟').max(24 * 60, '不能超过 1440 分钟'),
    evening: checkinWindow,
    workingWeekdays: z
      .array(z.number().int().min(1, '星期须为 1（周一）到 7（周日）').max(7, '星期须为 1（周一）到 7（周日）'))
      .refine((d) => new Set(d).size === d.length, '星期不能重复'),
    holidays: z.array(isoDay).max(1000).default([]),
    makeUpWorkdays: z.array(isoDay).max(1000).default([]),
  })
  .strict()
  .refine((c) => c.morning.closes <= c.evening.opens, { message: '早间窗口须在晚间窗口开始前结束', path: ['evening', 'opens'] })
  .refine((c) => !c.holidays.some((d) => c.makeUpWorkdays.includes(d)), { message: '同一天不能既是节假日又是调休工作日', path: ['makeUpWorkdays'] });
export const DEFAULT_CHECKINS = {
  morning: { opens: '07:00', closes: '10:00' },
  afterVisitMinutes: 30,
  evening: { opens: '17:00', closes: '22:00' },
  workingWeekdays: [1, 2, 3, 4, 5],
  holidays: [] as string[],
  makeUpWorkdays: [] as string[],
};

/** Dashboards: thresholds of SPEC §5's metrics (README «Metrics»). */
const phraseList = z.array(z.string().trim().min(2, '短语至少 2 个字').max(20, '短语至多 20 个字')).min(1, '至少需要一个短语').max(100);
const keyAction = z
  .object({
    id: z.string().regex(/^[a-z][a-z_]{1,39}$/, '须为小写英文和下划线'),
    label: z.string().trim().min(1, '名称不能为空').max(30, '名称至多 30 个字'),
    trigger: z.enum(['lead_assigned', 'visit_submitted'], { message: '触发须为 lead_assigned（线索分配）或 visit_submitted（拜访提交）' }),
    completion: z.enum(['first_touch', 'supervisor_confirmed'], { message: '完成须为 first_touch（首次触达）或 supervisor_confirmed（主管确认）' }),
    deadlineHours: z.number().positive('必须是正数').max(24 * 90, '不能超过 2160 小时'),
  })
  .strict()
  .refine((a) => (a.trigger === 'lead_assigned') === (a.completion === 'first_touch'), { message: '线索分配只能由首次触达完成，拜访提交只能由主管确认完成', path: ['completion'] });
export const DEFAULT_DASHBOARDS = {
  behaviour: { redAbove: 1.3, minVisits: 3 },
  visitQuality: { fakeBusyPainChars: 15, followUpGraceHours: 12, realPushAbove: 0.92 },
  efficiency: { hoursPerDay: 8 },
  wall: { refreshSeconds: 60 },
  board: { newRepDays: 90, recordFilledWithinHours: 48 },
  penetration: {
    markAt: 0.85,
    months: 6,
    keyActions: [
      { id: 'lead_touch', label: '线索 48 小时内触达', trigger: 'lead_assigned', completion: 'first_touch', deadlineHours: 48 },
      { id: 'supervisor_confirm', label: '主管 48 小时内确认', trigger: 'visit_submitted', completion: 'supervisor_confirmed', deadlineHours: 48 },
    ],
  },
  wordCloud: { topTerms: 50, minTermChars: 2 },
  counters: {
    secondQuotePhrases: ['二次报价', '重新报价', '再报价', '再报一次', '重报价', '再报个价', '重新核价', '价格再算'],
    deliveryPhrases: ['交货', '发货', '到货', '送货', '物流', '配送', '交付', '什么时候到', '几时到', '安装时间'],
    deliveryWithinDays: 7,
  },
} as const;
const dashboardsPolicy = z
  .object({
    behaviour: z.object({ redAbove: z.number().min(1, '不能小于 1').max(10), minVisits: z.number().int('必须是整数').min(1, '至少 1 次').max(1000) }).strict(),
    visitQuality: z
      .object({
        fakeBusyPainChars: z.number().int('必须是整数').min(1).max(200),
        followUpGraceHours: z.number().min(0).max(24 * 7),
        realPushAbove: z.number().min(0).max(1, '是比例：0 到 1 之间').default(0.92),
      })
      .strict(),
    efficiency: z.object({ hoursPerDay: z.number().positive('必须是正数').max(24, '一天至多 24 小时') }).strict().default({ hoursPerDay: 8 }),
    board: z
      .object({
        newRepDays: z.number().int('必须是整数（天）').min(1).max(730),
        recordFilledWithinHours: z.number().positive('必须是正数').max(24 * 30),
      })
      .strict()
      .default({ newRepDays: 90, recordFilledWithinHours: 48 }),
    penetration: z
      .object({
        markAt: z.number().min(0).max(1, '是比例：0 到 1 之间'),
        months: z.number().int('必须是整数').min(1).max(24),
        keyActions: z.array(keyAction).min(1, '至少需要一个关键动作').max(20).refine((l) => new Set(l.map((a) => a.id)).size === l.length, '关键动作的 id 不能重复'),
      })
      .strict(),
    wordCloud: z.object({ topTerms: z.number().int().min(1).max(500), minTermChars: z.number().int().min(1).max(10) }).strict(),
    counters: z.object({ secondQuotePhrases: phraseList, deliveryPhrases: phraseList, deliveryWithinDays: z.number().int('必须是整数（天）').min(1).max(90) }).strict(),
    // the wall screen (大屏) asks again every this many seconds
    wall: z.object({ refreshSeconds: z.number().int('必须是整数（秒）').min(10, '至少 10 秒').max(3600, '最多 3600 秒') }).strict().default({ refreshSeconds: 60 }),
  })
  .strict();

/** The weekly digest in chat (README «Weekly digest»): when it goes out, in the policy time zone. */
const weeklyDigestPolicy = z
  .object({
    weekday: z.number().int('星期须为 1（周一）到 7（周日）').min(1, '星期须为 1（周一）到 7（周日）').max(7, '星期须为 1（周一）到 7（周日）'),
    time: hhmm,
    catchUpHours: z.number().int('必须是整数（小时）').min(1, '至少 1 小时').max(24 * 6, '不能超过 144 小时（下一期周报之前）'),
    onDayOff: z.enum(['next_working_day', 'skip'], { message: '须为 next_working_day（顺延到本周第一个工作日）或 skip（本周不发）' }),
    moves: z.number().int('必须是整数').min(1, '至少 1 项').max(6, '至多 6 项'),
  })
  .strict();
export const DEFAULT_WEEKLY_DIGEST = { weekday: 1, time: '08:30', catchUpHours: 24, onDayOff: 'next_working_day', moves: 3 } as const;

/** Winning plays (赢单打法, README «Metrics»): what counts as a visit that worked, and when a play is shown. */
const playsPolicy = z
  .object({
    lookbackDays: z.number().int('必须是整数（天）').min(7, '至少 7 天').max(730, '不能超过 730 天'),
    advanceWithinDays: z.number().int('必须是整数（天）').min(1, '至少 1 天').max(180, '不能超过 180 天'),
    holdDays: z.number().int('必须是整数（天）').min(0, '不能为负数').max(180, '不能超过 180 天'),
    minSupport: z.number().int('必须是整数').min(1, '至少 1 次').max(1000),
    segmentMinSupport: z.number().int('必须是整数').min(1, '至少 1 次').max(1000),
    similarity: z.number().gt(0, '必须大于 0').max(1, '不能大于 1'),
    suggestions: z.number().int('必须是整数').min(1, '至少 1 条').max(10, '至多 10 条'),
    newRepDays: z.number().int('必须是整数（天）').min(1, '至少 1 天').max(730),
  })
  .strict();
export const DEFAULT_PLAYS = { lookbackDays: 90, advanceWithinDays: 30, holdDays: 30, minSupport: 5, segmentMinSupport: 3, similarity: 0.5, suggestions: 3, newRepDays: 90 } as const;

/** how often a recurring job runs, in whole minutes */
const everyMinutes = (max: number) => z.number().int('必须是整数（分钟）').min(1, '至少 1 分钟').max(max, `不能超过 ${max} 分钟`);

export const policySchema = z
  .object({
    timeZone: z.string().refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, '不是有效的 IANA 时区名（例如 Asia/Shanghai）'),
    stages: z
      .array(z.object({ code: z.enum(STAGE_CODES), label: z.string().trim().min(1).max(10) }).strict())
      .refine(
        (list) => list.length === STAGE_CODES.length && list.every((s, i) => s.code === STAGE_CODES[i]),
        `阶段必须依次为 ${STAGE_CODES.join(', ')}（只可修改名称）`,
      )
      .refine((list) => new Set(list.map((s) => s.label)).size === list.length, '阶段名称不能重复'),
    overdueExcludedStages: z.array(z.enum(STAGE_CODES)),
    options: z
      .object({
        industries: optionList('行业'),
        hospitalLevels: optionList('医院等级'),
        departmentActivity: optionList('科室活跃度'),
        visitObjectives: optionList('拜访目标'),
        bottlenecks: optionList('业务瓶颈'),
        agreedActions: optionList('约定动作'),
        followUpForms: optionList('跟进形式'),
        firstTouchMethods: optionList('首次触达方式'),
        // optional on a visit; the first option is the positive one (an effective contact needs it)
        customerFeedback: optionList('客户反馈').default(['积极', '中性', '消极']),
        // 关闭/丢单 reasons; the one named 其他 needs a note
        lostReasons: optionList('丢单原因').default(['价格', '竞品锁定', '预算取消', '联系人离职', '其他']),
        // a contract line's product model (合同产品明细); the rebate calculator's rules name the same models
        productModels: optionList('产品型号').default(['其他']),
      })
      .strict(),
    limits: z
      .object({
        todoConfirmHours: positiveNumber,
        leadFirstTouchHours: positiveNumber,
        regradeIntervalHours: positiveNumber,
        overdueDays: positiveNumber,
        nextFollowUpHorizonDays: positiveNumber,
        reminderLeadMinutes: positiveNumber,
        sessionTtlDays: positiveNumber,
        inviteTtlDays: positiveNumber,
        offlineVisitMaxAgeDays: positiveNumber.max(365),
        offlineTimeShownAfterMinutes: z.number().min(0).max(24 * 60),
      })
      .strict(),
    anchors: z
      .object({
        minLength: z
          .object({
            painPoint: z.number().int().min(1).max(VISIT_TEXT_MAX.painPoint),
            dialogueSummary: z.number().int().min(1).max(VISIT_TEXT_MAX.dialogueSummary),
            valuePoint: z.number().int().min(1).max(VISIT_TEXT_MAX.valuePoint),
          })
          .strict(),
        placeholders: z.array(z.string().trim().min(1, '占位答案不能为空字符串').max(20)).max(200),
      })
      .strict(),
    grading: z
      .object({
        weights: z
          .object({
            paymentHistory: z.number().min(0).max(1),
            inventorySpeed: z.number().min(0).max(1),
            hospitalLevelActivity: z.number().min(0).max(1),
            competitorPenetration: z.number().min(0).max(1),
          })
          .strict()
          .refine((w) => Math.abs(Object.values(w).reduce((a, b) => a + b, 0) - 1) < 1e-6, {
            message: '各维度权重之和必须等于 1',
          }),
        // Option → points for the hospital level / department activity dimension. An option not listed
        // falls back to its position in options.* (first 100, last 0, evenly between).
        optionPoints: z
          .object({
            hospitalLevels: z.record(z.string(), z.number().min(0).max(100)).optional(),
            departmentActivity: z.record(z.string(), z.number().min(0).max(100)).optional(),
          })
          .strict()
          .optional(),
        // Score a dimension takes when its input is missing (shown as missing, never NaN).
        neutralScore: z.number().min(0).max(100).default(50),
        grades: z
          .array(z.object({ grade: z.string().trim().min(1).max(4), minScore: z.number().min(0).max(100) }).strict())
          .min(2, '至少需要两个等级')
          .refine((g) => g.every((x, i) => i === 0 || x.minScore < g[i - 1]!.minScore), '等级必须按最低分从高到低排列')
          .refine((g) => g[g.length - 1]?.minScore === 0, '最后一个等级的最低分必须为 0，以便每个客户都有等级'),
        // What a grade change sets off (README "Customer grading"); a rule left out is off.
        strategies: z
          .object({
            // becoming `grade`: the owner is pushed the current materials tagged `tag` (WeCom text + the app)
            supportPack: z
              .object({
                grade: z.string().trim().min(1).max(4),
                tag: z.string().trim().min(1).max(30),
                // the same material set is not pushed to the same customer again within this many days
                flapDays: z.number().min(0).max(365),
                // at most this many materials in one pack (the newest)
                maxMaterials: z.number().int().min(1).max(50),
              })
              .strict()
              .optional(),
            // becoming `grade`: a review task for the owner's supervisor, due in dueHours, escalating to the director
            review: z.object({ grade: z.string().trim().min(1).max(4), dueHours: positiveNumber }).strict().optional(),
          })
          .strict()
          .default({}),
      })
      .strict(),
    jobs: z
      .object({
        pollSeconds: positiveNumber.max(3600),
        leaseSeconds: positiveNumber.max(3600),
        batchSize: z.number().int().min(1).max(5000),
        maxAttempts: z.number().int().min(1).max(100),
      })
      .strict(),
    // Periodic work: each kind is one job row that, when done, writes its next occurrence.
    recurring: z
      .object({
        'attachments.sweep': z.object({ everyMinutes: everyMinutes(60 * 24 * 31) }).strict(),
        'callbacks.forget_nonces': z.object({ everyMinutes: everyMinutes(60 * 24) }).strict(),
        // a window's end must be noticed within minutes: the missing row and the one reminder follow it
        'checkins.window_end': z.object({ everyMinutes: everyMinutes(60) }).strict().default({ everyMinutes: 5 }),
        // the dashboards' visit rollup: moves its cut to today after midnight, and recounts days whose visits changed
        'dashboards.rollup': z.object({ everyMinutes: everyMinutes(60 * 24) }).strict().default({ everyMinutes: 10 }),
        // WeChat Pay orders still open are queried: a payment whose notification never came is settled by this
        'payments.query_open': z.object({ everyMinutes: everyMinutes(60) }).strict().default({ everyMinutes: 5 }),
        // winning plays mined again from the visits of the window (plays below)
        'plays.mine': z.object({ everyMinutes: everyMinutes(60 * 24 * 7) }).strict().default({ everyMinutes: 360 }),
        // campaign steps past due: the rep is reminded once, then (supervisorAfterHours later) the supervisor once
        'campaigns.overdue': z.object({ everyMinutes: everyMinutes(60 * 24) }).strict().default({ everyMinutes: 30 }),
      })
      .strict(),
    // Daily three check-ins: windows in the policy time zone and the working calendar (nobody is chased off it).
    checkins: checkinsPolicy.default(DEFAULT_CHECKINS),
    outbox: z
      .object({
        deadLetterAttempts: z.number().int().min(1).max(1000),
        deadLetterHours: positiveNumber.max(24 * 30),
      })
      .strict(),
    channelHealth: z
      .object({
        credentialProbeSeconds: z.number().int().min(60, '不得小于 60（每分钟至多探测一次）').max(3600),
        recoveryProbeSeconds: z.number().int().min(5).max(60),
        outageAfterFailures: z.number().int().min(1).max(100),
      })
      .strict(),
    uploads: z
      .object({
        photoMaxMegabytes: positiveNumber.max(50),
        unattachedPhotoHours: z.number().int().min(1).max(24 * 30),
        unattachedMaterialHours: z.number().int().min(1).max(24 * 30),
        // a contract scan uploaded but never saved with a contract is deleted after this
        unattachedContractScanHours: z.number().int().min(1).max(24 * 30).default(72),
        // each scanned contract (PDF, JPEG, PNG)
        contractScanMaxMegabytes: positiveNumber.max(100).default(20),
        photoDailyQuota: z.number().int().min(1).max(10000),
        // materials (PDF, MP4, Office) are read into memory on upload: bounded well below the server's RAM
        materialMaxMegabytes: positiveNumber.max(200),
        // with object storage, a download larger than this is answered with a redirect to a presigned URL
        presignAboveMegabytes: z.number().min(0).max(1024),
        presignedUrlSeconds: z.number().int().min(10).max(3600),
        // each sweep reads at most this many old photos back from the store to checksum them
        checksumBatch: z.number().int().min(1).max(10000),
      })
      .strict(),
    import: z
      .object({
        maxRows: z.number().int().positive().max(100000),
        maxFileMegabytes: positiveNumber.max(100),
        earliestFollowUpDate: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, '须为 YYYY-MM-DD')
          .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && v >= '1900-01-01', '须为 1900-01-01 之后的有效日期'),
        maxInflatedMegabytes: positiveNumber.max(1000),
      })
      .strict(),
    // On-site sign-in: how far from the customer (or how inaccurate) a sign-in may be before it is flagged,
    // and how a customer without a location gets one proposed from its first good sign-ins.
    signins: z
      .object({
        farDistanceMeters: z.number().int('必须是整数（米）').min(10, '至少 10 米').max(100000, '不能超过 100000 米'),
        proposalSignins: z.number().int('必须是整数').min(1, '至少 1 次签到').max(50, '不能超过 50 次签到'),
        proposalMaxAccuracyMeters: z.number().int('必须是整数（米）').min(1, '至少 1 米').max(10000, '不能超过 10000 米'),
      })
      .strict()
      .default({ farDistanceMeters: 500, proposalSignins: 3, proposalMaxAccuracyMeters: 100 }),
    // Receivables: when the rep is reminded (days before and on the due day, at remindAt local time) and
    // how many days past due an unpaid instalment escalates to the rep's supervisor.
    receivables: z
      .object({
        remindDaysBefore: z.number().int('必须是整数（天）').min(0, '不能为负').max(60, '不能超过 60 天'),
        remindAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '须为 HH:MM'),
        overdueGraceDays: z.number().int('必须是整数（天）').min(0, '不能为负').max(180, '不能超过 180 天'),
      })
      .strict()
      .default({ remindDaysBefore: 3, remindAt: '09:00', overdueGraceDays: 7 }),
    // WeChat Pay: how long a Native pay QR code stays payable, the notification's allowed clock skew, and
    // how old an open order must be before the recurring job asks WeChat Pay about it; how often each
    // server downloads the platform certificates, and how soon an unknown serial may fetch them again.
    payments: z
      .object({
        orderExpireMinutes: z.number().int('必须是整数（分钟）').min(5, '至少 5 分钟').max(60 * 24 * 7, '不能超过 7 天'),
        notifySkewSeconds: z.number().int('必须是整数（秒）').min(30, '至少 30 秒').max(900, '不能超过 900 秒'),
        queryAfterMinutes: z.number().int('必须是整数（分钟）').min(1, '至少 1 分钟').max(60 * 24, '不能超过 1 天'),
        queryBatch: z.number().int('必须是整数').min(1).max(1000),
        certificateRefreshMinutes: z.number().int('必须是整数（分钟）').min(10, '至少 10 分钟').max(60 * 24, '不能超过 1 天'),
        certificateFetchGapSeconds: z.number().int('必须是整数（秒）').min(1, '至少 1 秒').max(3600, '不能超过 1 小时'),
      })
      .strict()
      .default({ orderExpireMinutes: 120, notifySkewSeconds: 300, queryAfterMinutes: 5, queryBatch: 100, certificateRefreshMinutes: 720, certificateFetchGapSeconds: 60 }),
    // The rebate calculator: the choices its rule table names (delivery cycles, document types), the
    // size of one rebate document and how long one uploaded but never filed is kept.
    rebates: z
      .object({
        deliveryCycles: optionList('交付周期'),
        documentTypes: optionList('返点单据'),
        documentMaxMegabytes: positiveNumber.max(100),
        unattachedDocumentHours: positiveNumber.max(24 * 30),
      })
      .strict()
      .default({ deliveryCycles: ['现货', '30天', '60天', '90天'], documentTypes: ['合同扫描件', '发票', '出库单', '签收单'], documentMaxMegabytes: 10, unattachedDocumentHours: 24 }),
    // Tasks: how long an approval step may wait before it escalates.
    tasks: z.object({ approvalStepHours: positiveNumber.max(24 * 30) }).strict().default({ approvalStepHours: 48 }),
    // Contracts (合同): how long marketing has for a 需市场支持 request before it escalates (to the admins).
    contracts: z.object({ marketingSupportHours: positiveNumber.max(24 * 30) }).strict().default({ marketingSupportHours: 48 }),
    // Campaign task flows (专项任务): the reasons a rep may give for a blocked target, how long the owner has to
    // answer one, and how long after a step's reminder to the rep its supervisor hears of it.
    campaigns: z
      .object({
        exceptionReasons: optionList('异常原因'),
        exceptionAnswerHours: positiveNumber.max(24 * 30),
        supervisorAfterHours: positiveNumber.max(24 * 30),
      })
      .strict()
      .default({ exceptionReasons: ['客户拒绝', '竞品锁定', '联系人离职', '其他'], exceptionAnswerHours: 48, supervisorAfterHours: 48 }),
    // Named task pools: id → label, roles, and whether an admin picks its members (chosen).
    taskPools: z
      .record(z.string().regex(/^[a-z][a-z_]{1,39}$/, '任务池名称须为小写英文和下划线（2–40 个字符）'), taskPool)
      .default(DEFAULT_TASK_POOLS as unknown as Record<string, z.input<typeof taskPool>>),
    // Approval chains per kind: ordered steps; a step with minAmountFen is added only from that amount on.
    approvals: z
      .record(z.string().regex(/^[a-z][a-z_]{1,39}$/, '审批类型须为小写英文和下划线'), z.array(approvalStep).min(1, '审批链至少需要一个步骤').max(10, '审批链至多 10 个步骤'))
      .default({}),
    // Dashboards: the thresholds behind the metrics' colours, flags and marks, the key actions, the counters' phrases.
    dashboards: dashboardsPolicy.default(DEFAULT_DASHBOARDS as unknown as z.output<typeof dashboardsPolicy>),
    // The weekly digest: each supervisor and director's card with the figures that moved most, on a weekday and time.
    weeklyDigest: weeklyDigestPolicy.default(DEFAULT_WEEKLY_DIGEST),
    // Winning plays: the windows, the minimum support, the similarity that merges two value points.
    plays: playsPolicy.default(DEFAULT_PLAYS),
    // Database trouble answers 503 within these bounds instead of holding a request open.
    database: z
      .object({
        queryTimeoutSeconds: positiveNumber.max(600),
        acquireTimeoutSeconds: positiveNumber.max(600),
        queueLimit: z.number().int().min(1, '必须至少为 1（排队必须有上限）').max(100000),
        retryAfterSeconds: z.number().int().min(1).max(3600),
      })
      .strict()
      .default({ queryTimeoutSeconds: 10, acquireTimeoutSeconds: 10, queueLimit: 1000, retryAfterSeconds: 5 }),
  })
  .strict()
  .superRefine((p, ctx) => {
    // An approval step waiting in a pool nobody defined would wait for nobody: refuse it at start-up.
    for (const [kind, steps] of Object.entries(p.approvals)) {
      steps.forEach((step, i) => {
        if (step.pool !== undefined && !Object.prototype.hasOwnProperty.call(p.taskPools, step.pool)) {
          ctx.addIssue({ code: 'custom', path: ['approvals', kind, i, 'pool'], message: `没有名为 ${step.pool} 的任务池（taskPools 中有：${Object.keys(p.taskPools).join(', ')}）` });
        }
      });
    }
    // A strategy fires on a grade the model can give, so a typo cannot silently turn it off.
    const grades = p.grading.grades.map((g) => g.grade);
    for (const key of ['supportPack', 'review'] as const) {
      const rule = p.grading.strategies[key];
      if (rule && !grades.includes(rule.grade)) {
        ctx.addIssue({ code: 'custom', path: ['grading', 'strategies', key, 'grade'], message: `等级「${rule.grade}」不在 grading.grades 中` });
      }
    }
    // A point mapping may only name options that exist, so a typo cannot silently score nothing.
    const points = p.grading.optionPoints;
    for (const key of ['hospitalLevels', 'departmentActivity'] as const) {
      for (const option of Object.keys(points?.[key] ?? {})) {
        if (!p.options[key].includes(option)) {
          ctx.addIssue({ code: 'custom', path: ['grading', 'optionPoints', key, option], message: `选项「${option}」不在 options.${key} 中` });
        }
      }
    }
  });

export type Policy = z.infer<typeof policySchema>;
