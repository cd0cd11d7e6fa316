import { useState } from 'react'
import { Button, Input, Text, Textarea, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { MATERIAL_KINDS, MATERIAL_KIND_LABELS, can, type MaterialKind } from '@anchor/shared'
import { errorMessage, isApiError, uploadFile } from '../../../api/client'
import { materialsApi, type MaterialUsage } from '../../../api/materials'
import { loadOptions } from '../../../api/options'
import { getSession } from '../../../api/session'
import { useRequest } from '../../../api/use-request'
import { DataTable, type DataColumn } from '../../../components/data-table'
import { Field } from '../../../components/field'
import { PageLoading } from '../../../components/load-state'
import { StatusTag } from '../../../components/tag'
import { goTo } from '../../../utils/nav'
import '../index.css'
import './index.css'

type UsageRow = MaterialUsage['materials'][number]
type RepRow = MaterialUsage['reps'][number]
const ACCEPT: Record<MaterialKind, string> = { video: 'video/mp4', pdf: 'application/pdf', image: 'image/jpeg,image/png,image/webp', script: '', office: '.docx,.xlsx,.pptx' }

/** Chips to pick several of a list (tags, stages, industries, bottlenecks). */
function MultiChips(props: { id: string; options: Array<{ value: string; label: string }>; value: string[]; onChange: (v: string[]) => void }) {
  return (
    <View className='row manage__chips' id={props.id}>
      {props.options.map((o) => {
        const on = props.value.includes(o.value)
        return (
          <View key={o.value} className={`chip ${on ? 'chip--on' : ''}`} data-value={o.label} onClick={() => props.onChange(on ? props.value.filter((v) => v !== o.value) : [...props.value, o.value])}>
            {o.label}
          </View>
        )
      })}
    </View>
  )
}

/** Picks one file: the browser's file input on H5, a chat file on weapp. Answers a path uploadFile takes. */
async function pickFile(kind: MaterialKind): Promise<{ path: string; name: string } | null> {
  if (process.env.TARO_ENV === 'h5') {
    return new Promise((resolve) => {
      const input = document.createElement('input')
      input.type = 'file'
      input.accept = ACCEPT[kind]
      input.onchange = () => {
        const file = input.files?.[0]
        resolve(file ? { path: URL.createObjectURL(file), name: file.name } : null)
      }
      input.click()
    })
  }
  const res = await Taro.chooseMessageFile({ count: 1, type: kind === 'video' ? 'video' : kind === 'image' ? 'image' : 'file' })
  const f = res.tempFiles[0]
  return f ? { path: f.path, name: f.name } : null
}

/**
 * 素材管理 (marketing; admins): upload a material with its tags and fit hints, keep the tag list, retire
 * materials; and usage per material and per rep (supervisors and directors see their reach's usage).
 */
export default function ManageMaterials() {
  const role = getSession()?.member.role
  const manages = can(role, 'materials.manage')
  const [form, setForm] = useState({ title: '', description: '', kind: 'pdf' as MaterialKind, scriptText: '', tagIds: [] as string[], stages: [] as string[], industries: [] as string[], bottlenecks: [] as string[] })
  const [file, setFile] = useState<{ path: string; name: string } | null>(null)
  const [fields, setFields] = useState<Record<string, string>>({})
  const [notice, setNotice] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const [newTag, setNewTag] = useState('')
  const data = useRequest(async () => {
    const [tags, materials, usage, options] = await Promise.all([
      manages ? materialsApi.tags(true) : Promise.resolve([]),
      manages ? materialsApi.list({ retired: 'include', pageSize: 100 }) : Promise.resolve({ items: [], total: 0, page: 1, pageSize: 100 }),
      can(role, 'materials.usage.read') ? materialsApi.usage() : Promise.resolve(null),
      loadOptions(),
    ])
    return { tags, materials: materials.items, usage, options }
  }, [])
  if (!data.data) return <PageLoading errorId='manage-error' error={data.error} onRetry={data.reload} />
  const { tags, materials, usage, options } = data.data

  const run = async (work: () => Promise<string>) => {
    setBusy(true)
    setError('')
    setNotice('')
    setFields({})
    try {
      setNotice(await work())
      data.reload()
    } catch (e) {
      setError(errorMessage(e))
      if (isApiError(e)) setFields(e.fields)
    } finally {
      setBusy(false)
    }
  }
  const save = () =>
    run(async () => {
      let attachmentId: number | null = null
      if (form.kind !== 'script') {
        if (!file) throw Object.assign(new Error('请先选择文件'), {})
        attachmentId = (await uploadFile<{ id: number }>('/attachments?purpose=material', file.path)).id
      }
      const saved = await materialsApi.create({
        kind: form.kind, title: form.title, description: form.description, attachmentId, scriptText: form.kind === 'script' ? form.scriptText : null,
        tagIds: form.tagIds.map(Number), stages: form.stages, industries: form.industries, bottlenecks: form.bottlenecks,
      })
      setForm({ ...form, title: '', description: '', scriptText: '' })
      setFile(null)
      return `已上架「${saved.title}」`
    })

  const usageColumns: DataColumn<UsageRow>[] = [
    { key: 'title', title: '素材', width: 'minmax(160px, 2fr)', render: (r) => <Text>{r.title}{r.retired ? '（已下架）' : ''}</Text> },
    { key: 'views', title: '浏览', width: '72PX', align: 'right', render: (r) => <Text>{r.views}</Text> },
    { key: 'downloads', title: '下载', width: '72PX', align: 'right', render: (r) => <Text>{r.downloads}</Text> },
    { key: 'shares', title: '分享', width: '72PX', align: 'right', render: (r) => <Text>{r.shares}</Text> },
    { key: 'opens', title: '客户打开', width: '96PX', align: 'right', render: (r) => <Text>{r.opens}</Text> },
    { key: 'never', title: '从未打开的销售', width: 'minmax(160px, 2fr)', render: (r) => <Text className='muted'>{r.neverOpened.length ? r.neverOpened.map((p) => p.name).join('、') : '—'}</Text> },
  ]
  const repColumns: DataColumn<RepRow>[] = [
    { key: 'name', title: '销售', width: 'minmax(100px, 1fr)', render: (r) => <Text>{r.name}</Text> },
    { key: 'opened', title: '看过的素材', width: '110PX', align: 'right', render: (r) => <Text>{r.materialsOpened}</Text> },
    { key: 'views', title: '浏览', width: '72PX', align: 'right', render: (r) => <Text>{r.views}</Text> },
    { key: 'downloads', title: '下载', width: '72PX', align: 'right', render: (r) => <Text>{r.downloads}</Text> },
    { key: 'shares', title: '分享', width: '72PX', align: 'right', render: (r) => <Text>{r.shares}</Text> },
    { key: 'opens', title: '客户打开', width: '96PX', align: 'right', render: (r) => <Text>{r.opens}</Text> },
  ]
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch })

  return (
    <View className='page manage'>
      <View className='row row--between'>
        <Text className='manage__title'>{manages ? '素材管理' : '素材使用情况'}</Text>
        <Button className='btn btn--small' onClick={() => void goTo('materials')}>素材库</Button>
      </View>
      {notice ? <Text id='manage-notice' className='manage__notice'>{notice}</Text> : null}
      {error ? <Text id='manage-error-text' className='message-error'>{error}</Text> : null}

      {manages ? (
        <View className='manage__columns'>
          <View className='card manage__form' id='material-form'>
            <Text className='manage__subtitle'>上传素材</Text>
            <Field name='kind' label='类型' required>
              <View className='row manage__chips'>
                {MATERIAL_KINDS.map((k) => (
                  <View key={k} className={`chip kind-chip ${form.kind === k ? 'chip--on' : ''}`} data-kind={k} onClick={() => { set({ kind: k }); setFile(null) }}>
                    {MATERIAL_KIND_LABELS[k]}
                  </View>
                ))}
              </View>
            </Field>
            <Field name='title' label='标题' required error={fields.title}>
              <Input id='material-title-input' className='input' value={form.title} maxlength={60} placeholder='如：快装方案介绍' onInput={(e) => set({ title: e.detail.value })} />
            </Field>
            <Field name='description' label='简介' error={fields.description}>
              <Textarea id='material-description' className='textarea manage__textarea' value={form.description} maxlength={500} placeholder='给销售看的一两句说明' onInput={(e) => set({ description: e.detail.value })} />
            </Field>
            {form.kind === 'script' ? (
              <Field name='scriptText' label='话术内容' required error={fields.scriptText}>
                <Textarea id='material-script' className='textarea manage__textarea manage__textarea--tall' value={form.scriptText} maxlength={5000} onInput={(e) => set({ scriptText: e.detail.value })} />
              </Field>
            ) : (
              <Field name='file' label='文件' required error={fields.file || fields.attachmentId}>
                <View className='row manage__file'>
                  <Button id='material-pick' className='btn btn--small' onClick={() => void pickFile(form.kind).then((f) => f && setFile(f))}>选择文件</Button>
                  <Text id='material-file-name' className='muted'>{file ? file.name : '未选择（PDF、MP4、图片或 Word/Excel/PowerPoint）'}</Text>
                </View>
              </Field>
            )}
            <Field name='tagIds' label='场景标签' error={fields.tagIds}>
              <MultiChips id='material-tags' options={tags.filter((t) => !t.retiredAt).map((t) => ({ value: String(t.id), label: t.name }))} value={form.tagIds} onChange={(v) => set({ tagIds: v })} />
            </Field>
            <Field name='stages' label='适用阶段' error={fields.stages}>
              <MultiChips id='material-stages' options={options.stages.map((s) => ({ value: s.code, label: s.label }))} value={form.stages} onChange={(v) => set({ stages: v })} />
            </Field>
            <Field name='industries' label='适用行业' error={fields.industries}>
              <MultiChips id='material-industries' options={options.industries.map((s) => ({ value: s, label: s }))} value={form.industries} onChange={(v) => set({ industries: v })} />
            </Field>
            <Field name='bottlenecks' label='适用瓶颈' error={fields.bottlenecks}>
              <MultiChips id='material-bottlenecks' options={options.bottlenecks.map((s) => ({ value: s, label: s }))} value={form.bottlenecks} onChange={(v) => set({ bottlenecks: v })} />
            </Field>
            <Button id='material-save' className='btn btn--primary btn--block' disabled={busy} onClick={() => void save()}>{busy ? '上传中…' : '上架'}</Button>
          </View>

          <View className='card manage__tags' id='tag-admin'>
            <Text className='manage__subtitle'>场景标签</Text>
            <View className='row manage__new-tag'>
              <Input id='new-tag' className='input manage__tag-input' value={newTag} maxlength={30} placeholder='新标签，如：术后随访关怀' onInput={(e) => setNewTag(e.detail.value)} />
              <Button id='add-tag' className='btn btn--small' disabled={busy} onClick={() => void run(async () => { const t = await materialsApi.createTag(newTag.trim()); setNewTag(''); return `已添加标签「${t.name}」` })}>添加</Button>
            </View>
            {tags.map((t) => (
              <View key={t.id} className='row row--between manage__tag-row' data-tag={t.name}>
                <Text className={t.retiredAt ? 'muted' : ''}>{t.name}{t.retiredAt ? '（已停用）' : ` · ${t.materialCount ?? 0} 个素材`}</Text>
                <View className='row manage__tag-actions'>
                  <Button className='btn btn--small' disabled={busy} onClick={() => void Taro.showModal({ title: '重命名标签', editable: true, placeholderText: t.name } as Taro.showModal.Option).then((r) => { const name = (r as { content?: string }).content?.trim(); if (r.confirm && name) void run(async () => { await materialsApi.updateTag(t.id, { name }); return `已改名为「${name}」` }) })}>改名</Button>
                  <Button className='btn btn--small' disabled={busy} onClick={() => void run(async () => { await materialsApi.updateTag(t.id, { retired: !t.retiredAt }); return t.retiredAt ? `已恢复「${t.name}」` : `已停用「${t.name}」` })}>{t.retiredAt ? '恢复' : '停用'}</Button>
                </View>
              </View>
            ))}
          </View>
        </View>
      ) : null}

      {manages ? (
        <View id='manage-materials'>
          <Text className='manage__subtitle manage__section'>全部素材</Text>
          {materials.map((m) => (
            <View key={m.id} className='card row row--between manage__row' data-id={m.id}>
              <View className='row manage__row-title'>
                <StatusTag tone={m.retiredAt ? 'plain' : 'green'}>{m.retiredAt ? '已下架' : m.kindLabel}</StatusTag>
                <Text>{m.title}</Text>
              </View>
              <Button className='btn btn--small material-retire' disabled={busy} onClick={() => void run(async () => { await materialsApi.retire(m.id, !m.retiredAt); return m.retiredAt ? `已恢复「${m.title}」` : `已下架「${m.title}」（销售不再看到，分享链接失效）` })}>
                {m.retiredAt ? '恢复' : '下架'}
              </Button>
            </View>
          ))}
        </View>
      ) : null}

      {usage ? (
        <View id='material-usage' className='manage__usage'>
          <Text className='manage__subtitle manage__section'>近 30 天使用情况 · 按素材</Text>
          <DataTable id='usage-by-material' columns={usageColumns} rows={usage.materials} rowKey={(r) => r.id} empty={<Text className='muted'>还没有素材</Text>} />
          <Text className='manage__subtitle manage__section'>按销售</Text>
          <DataTable id='usage-by-rep' columns={repColumns} rows={usage.reps} rowKey={(r) => r.id} empty={<Text className='muted'>范围内没有销售</Text>} />
        </View>
      ) : null}
    </View>
  )
}
