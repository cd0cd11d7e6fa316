import { useEffect, useState } from 'react'
import { Button, Input, Picker, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { CAMPAIGN_STEP_KINDS, CAMPAIGN_STEP_KIND_LABELS, ROLE_LABELS, can, type CampaignFilter, type CampaignStepKind, type StageCode } from '@anchor/shared'
import { campaignsApi, type SheetMatch, type TargetPreview } from '../../../api/campaigns'
import { errorMessage, isApiError } from '../../../api/client'
import { materialsApi, type Material } from '../../../api/materials'
import { loadOptions } from '../../../api/options'
import { getSession } from '../../../api/session'
import type { Options } from '../../../api/types'
import { Field, PickerBox, SelectField } from '../../../components/field'
import { NotFound } from '../../../components/load-state'
import { upload } from '../../import/files'
import { backOr, replaceWith } from '../../../utils/nav'
import { addDaysLocal, todayLocal } from '../../../utils/time'
import './index.css'

interface StepDraft {
  title: string
  kind: CampaignStepKind
  objective: string
  materialId: number | null
  stage: string
  dueDays: string
}

const newStep = (kind: CampaignStepKind = 'visit', dueDays = 3): StepDraft => ({ title: '', kind, objective: '', materialId: null, stage: '', dueDays: String(dueDays) })
type FilterKey = 'industries' | 'grades' | 'stages' | 'hospitalLevels'

/** 新建专项: name, period, goal; targets by filter or xlsx list; script pack and materials; ordered steps with due offsets and evidence. */
export default function CampaignEdit() {
  const role = getSession()?.member.role
  if (!can(role, 'campaigns.manage')) {
    return <NotFound id='campaign-edit-forbidden' message={`你的岗位（${role ? ROLE_LABELS[role] : '未登录'}）不能创建专项任务`} onBack={() => void backOr('me')} />
  }
  return <EditForm />
}

function EditForm() {
  const [options, setOptions] = useState<Options | null>(null)
  const [materials, setMaterials] = useState<Material[]>([])
  const [name, setName] = useState('')
  const [startsOn, setStartsOn] = useState(todayLocal())
  const [endsOn, setEndsOn] = useState(addDaysLocal(60))
  const [goalStage, setGoalStage] = useState<StageCode>('proposal')
  const [goalCount, setGoalCount] = useState('10')
  const [mode, setMode] = useState<'filter' | 'list'>('filter')
  const [filter, setFilter] = useState<Record<FilterKey, string[]>>({ industries: [], grades: [], stages: [], hospitalLevels: [] })
  const [cities, setCities] = useState('')
  const [preview, setPreview] = useState<TargetPreview | null>(null)
  const [sheet, setSheet] = useState<SheetMatch | null>(null)
  const [scriptId, setScriptId] = useState<number | null>(null)
  const [materialIds, setMaterialIds] = useState<number[]>([])
  const [steps, setSteps] = useState<StepDraft[]>([{ ...newStep('visit', 3), title: '上门推进方案', objective: '推进方案' }])
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [message, setMessage] = useState('')
  const [saving, setSaving] = useState(false)

  useEffect(() => {
    void loadOptions().then(setOptions)
    void materialsApi.list({ pageSize: 100 }).then((p) => setMaterials(p.items))
  }, [])

  const filterBody = (): CampaignFilter | null => {
    if (mode !== 'filter') return null
    const cityList = cities.split(/[,，、\s]+/).map((c) => c.trim()).filter(Boolean)
    return { ...filter, stages: filter.stages as StageCode[], cities: cityList }
  }
  const customerIds = () => (mode === 'list' ? (sheet?.matched.map((m) => m.id) ?? []) : [])
  const toggle = (key: FilterKey, value: string) => setFilter((f) => ({ ...f, [key]: f[key].includes(value) ? f[key].filter((v) => v !== value) : [...f[key], value] }))
  const editStep = (i: number, patch: Partial<StepDraft>) => setSteps((list) => list.map((s, j) => (j === i ? { ...s, ...patch } : s)))
  const stageLabel = (code: string) => options?.stages.find((s) => s.code === code)?.label ?? code

  const runPreview = async () => {
    try {
      setPreview(await campaignsApi.preview(filterBody(), []))
    } catch (e) {
      setMessage(errorMessage(e))
    }
  }
  const pickSheet = async (file: File) => {
    setMessage('')
    try {
      setSheet(await upload<SheetMatch>('/campaigns/targets/xlsx', file))
    } catch (e) {
      setMessage(errorMessage(e))
    }
  }
  const save = async (launch: boolean) => {
    setSaving(true)
    setErrors({})
    setMessage('')
    try {
      const created = await campaignsApi.create({
        name: name.trim(), startsOn, endsOn, goalStage, goalCount: Number(goalCount) || 0, filter: filterBody(), customerIds: customerIds(),
        scriptMaterialId: scriptId, materialIds, launch,
        steps: steps.map((s) => ({
          title: s.title.trim() || CAMPAIGN_STEP_KIND_LABELS[s.kind], kind: s.kind, objective: s.kind === 'visit' ? s.objective || null : null,
          materialId: s.kind === 'share' ? s.materialId : null, stage: s.kind === 'stage' ? s.stage || null : null, dueDays: Number(s.dueDays),
        })),
      })
      void Taro.showToast({ title: launch ? '已启动，销售已收到任务' : '已保存为草稿', icon: 'none' })
      void replaceWith('campaignBoard', { id: created.id })
    } catch (e) {
      setErrors(isApiError(e) ? e.fields : {})
      setMessage(errorMessage(e))
    } finally {
      setSaving(false)
    }
  }

  if (!options) return <View className='state'>加载中…</View>
  const scripts = materials.filter((m) => m.kind === 'script')
  const chipRow = (key: FilterKey, values: Array<{ value: string; label: string }>) => (
    <View className='row edit__chips'>
      {values.map((v) => (
        <View key={v.value} id={`filter-${key}-${v.value}`} className={`chip ${filter[key].includes(v.value) ? 'chip--on' : ''}`} onClick={() => toggle(key, v.value)}>
          {v.label}
        </View>
      ))}
    </View>
  )
  const plain = (list: string[]) => list.map((v) => ({ value: v, label: v }))
  return (
    <View className='page edit'>
      <Text className='edit__title'>新建专项任务</Text>
      <View className='edit__grid'>
        <View className='card edit__section'>
          <Field name='name' label='专项名称' required error={errors.name}>
            <Input id='campaign-name' className='input' maxlength={60} placeholder='如：Q1 骨科关节置换专项攻坚' value={name} onInput={(e) => setName(e.detail.value)} />
          </Field>
          <View className='row edit__pair'>
            <Field name='startsOn' label='开始日期' required error={errors.startsOn}>
              <Picker mode='date' value={startsOn} onChange={(e) => setStartsOn(e.detail.value)}>
                <PickerBox value={startsOn} placeholder='选择日期' />
              </Picker>
            </Field>
            <Field name='endsOn' label='结束日期' required error={errors.endsOn}>
              <Picker mode='date' value={endsOn} onChange={(e) => setEndsOn(e.detail.value)}>
                <PickerBox value={endsOn} placeholder='选择日期' />
              </Picker>
            </Field>
          </View>
          <View className='row edit__pair'>
            <SelectField name='goalStage' label='目标：客户推进到' required options={options.stages.map((s) => s.code)} display={stageLabel} value={goalStage} onChange={(v) => setGoalStage(v as StageCode)} error={errors.goalStage} />
            <Field name='goalCount' label='目标客户数' required error={errors.goalCount}>
              <Input id='campaign-goal-count' className='input' type='number' value={goalCount} onInput={(e) => setGoalCount(e.detail.value)} />
            </Field>
          </View>
        </View>

        <View className='card edit__section'>
          <Text className='edit__subtitle'>目标客户（保留各自的负责人）</Text>
          <View className='row edit__chips'>
            <View id='targets-by-filter' className={`chip ${mode === 'filter' ? 'chip--on' : ''}`} onClick={() => setMode('filter')}>按条件筛选</View>
            <View id='targets-by-list' className={`chip ${mode === 'list' ? 'chip--on' : ''}`} onClick={() => setMode('list')}>按名单（Excel）</View>
          </View>
          {mode === 'filter' ? (
            <View className='edit__filter'>
              <Text className='muted'>行业</Text>
              {chipRow('industries', plain(options.industries))}
              <Text className='muted'>客户等级</Text>
              {chipRow('grades', plain(options.grades))}
              <Text className='muted'>阶段</Text>
              {chipRow('stages', options.stages.map((s) => ({ value: s.code, label: s.label })))}
              <Text className='muted'>医院等级</Text>
              {chipRow('hospitalLevels', plain((options as Options & { hospitalLevels?: string[] }).hospitalLevels ?? []))}
              <Input id='filter-cities' className='input' placeholder='城市（多个用逗号分隔，如 上海市，杭州市）' value={cities} onInput={(e) => setCities(e.detail.value)} />
              <Button id='targets-preview' className='btn btn--small' onClick={() => void runPreview()}>
                预览匹配的客户
              </Button>
              {preview ? (
                <Text id='targets-preview-count' className='edit__preview'>
                  匹配 {preview.total} 位客户{preview.items.length ? `：${preview.items.slice(0, 8).map((c) => `${c.name}（${c.owner.name}）`).join('、')}${preview.total > 8 ? ' 等' : ''}` : ''}
                </Text>
              ) : null}
            </View>
          ) : (
            <View className='edit__filter'>
              {process.env.TARO_ENV === 'h5' ? (
                <input id='targets-file' type='file' accept='.xlsx' onChange={(e) => { const f = e.currentTarget.files?.[0]; if (f) void pickSheet(f); e.currentTarget.value = '' }} />
              ) : (
                <Text className='muted'>请在电脑端网页（控制台）上传客户名单</Text>
              )}
              <Text className='muted'>名单第一行可写「客户名称」，按名称匹配你管理范围内的客户</Text>
              {sheet ? (
                <View id='targets-sheet'>
                  <Text className='edit__preview'>匹配到 {sheet.matched.length} 位客户</Text>
                  {sheet.unmatched.map((u) => (
                    <Text key={u.row} className='message-error edit__line'>第 {u.row} 行「{u.name}」：{u.reason}</Text>
                  ))}
                </View>
              ) : null}
            </View>
          )}
          {errors.targets || errors.customerIds ? <Text className='message-error'>{errors.targets ?? errors.customerIds}</Text> : null}
        </View>

        <View className='card edit__section'>
          <Text className='edit__subtitle'>话术包与素材（来自素材中心）</Text>
          <SelectField name='scriptMaterialId' label='话术包' options={scripts.map((m) => String(m.id))} display={(v) => scripts.find((m) => String(m.id) === v)?.title ?? v} value={scriptId ? String(scriptId) : ''} onChange={(v) => setScriptId(v ? Number(v) : null)} error={errors.scriptMaterialId} />
          <Text className='muted'>素材（可多选）</Text>
          <View className='row edit__chips'>
            {materials.filter((m) => m.kind !== 'script').map((m) => (
              <View key={m.id} id={`material-${m.id}`} className={`chip ${materialIds.includes(m.id) ? 'chip--on' : ''}`} onClick={() => setMaterialIds((ids) => (ids.includes(m.id) ? ids.filter((x) => x !== m.id) : [...ids, m.id]))}>
                {m.title}
              </View>
            ))}
          </View>
          {errors.materialIds ? <Text className='message-error'>{errors.materialIds}</Text> : null}
        </View>

        <View className='card edit__section edit__steps'>
          <Text className='edit__subtitle'>进度步骤（按顺序；期限为启动后第几天，须逐步递增）</Text>
          {steps.map((s, i) => {
            const err = (f: string) => errors[`steps.${i}.${f}`]
            return (
              <View key={i} id={`step-${i}`} className='edit__step'>
                <View className='row row--between'>
                  <Text className='edit__step-no'>第 {i + 1} 步</Text>
                  {steps.length > 1 ? <Text className='edit__remove' onClick={() => setSteps((l) => l.filter((_, j) => j !== i))}>删除</Text> : null}
                </View>
                <View className='row edit__pair'>
                  <Field name={`step-${i}-title`} label='名称' error={err('title')}>
                    <Input className='input' maxlength={40} placeholder={CAMPAIGN_STEP_KIND_LABELS[s.kind]} value={s.title} onInput={(e) => editStep(i, { title: e.detail.value })} />
                  </Field>
                  <SelectField name={`step-${i}-kind`} label='凭证' required options={[...CAMPAIGN_STEP_KINDS]} display={(v) => CAMPAIGN_STEP_KIND_LABELS[v as CampaignStepKind]} value={s.kind} onChange={(v) => editStep(i, { kind: (v || 'visit') as CampaignStepKind })} error={err('kind')} />
                  <Field name={`step-${i}-due`} label='第几天' required error={err('dueDays')}>
                    <Input className='input' type='number' value={s.dueDays} onInput={(e) => editStep(i, { dueDays: e.detail.value })} />
                  </Field>
                </View>
                {s.kind === 'visit' ? <SelectField name={`step-${i}-objective`} label='拜访目标' required options={options.visitObjectives} value={s.objective} onChange={(v) => editStep(i, { objective: v })} error={err('objective')} /> : null}
                {s.kind === 'share' ? (
                  <SelectField name={`step-${i}-material`} label='素材（不选：专项素材中任一）' options={materials.map((m) => String(m.id))} display={(v) => materials.find((m) => String(m.id) === v)?.title ?? v} value={s.materialId ? String(s.materialId) : ''} onChange={(v) => editStep(i, { materialId: v ? Number(v) : null })} error={err('materialId')} />
                ) : null}
                {s.kind === 'stage' ? <SelectField name={`step-${i}-stage`} label='推进到阶段' required options={options.stages.map((x) => x.code)} display={stageLabel} value={s.stage} onChange={(v) => editStep(i, { stage: v })} error={err('stage')} /> : null}
              </View>
            )
          })}
          <Button id='step-add' className='btn btn--small' onClick={() => setSteps((l) => [...l, newStep('visit', Number(l.at(-1)?.dueDays ?? 0) + 3)])}>
            添加步骤
          </Button>
        </View>
      </View>
      {message ? <Text id='campaign-edit-error' className='message-error edit__message'>{message}</Text> : null}
      <View className='row edit__actions'>
        <Button id='campaign-save' className='btn' disabled={saving} onClick={() => void save(false)}>
          保存草稿
        </Button>
        <Button id='campaign-launch' className='btn btn--primary' disabled={saving} onClick={() => void save(true)}>
          保存并启动
        </Button>
      </View>
    </View>
  )
}
