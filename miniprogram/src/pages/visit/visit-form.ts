import { OTHER_ACTION, VISIT_FIELD_LABELS, parseVoiceNote, type VisitBody } from '@anchor/shared'
import type { Options } from '../../api/types'
import { localParts, teamTimeZone } from '../../utils/time'

/** The form's state: every field of the request body but the customer, the photos, the save time, the sign-in and the play copied (picked apart), none left out. */
export type VisitForm = Required<Omit<VisitBody, 'customerId' | 'photoIds' | 'savedAt' | 'signinId' | 'playKey'>>

export const EMPTY_VISIT: VisitForm = {
  objective: '',
  painPoint: '',
  dialogueSummary: '',
  bottleneck: '',
  valuePoint: '',
  agreedAction: '',
  agreedActionNote: '',
  nextFollowUpDate: '',
  nextFollowUpTime: '',
  nextFollowUpForm: '',
  alert: false,
  customerVerbatim: '',
  customerFeedback: '',
}

/**
 * Fields folded under 更多: only optional ones, so no required anchor hides there. An error in one
 * of them unfolds it. Nothing is preselected anywhere: every anchor is the rep's own choice.
 */
export const MORE_FIELDS: readonly string[] = ['alert', 'customerVerbatim']

/** The body as the shared schema expects it; empty choices are left out so the check names them. */
export function toRawVisit(form: VisitForm, customerId: number, photoIds: number[]): Record<string, unknown> {
  const raw: Record<string, unknown> = {
    customerId,
    objective: form.objective || undefined,
    painPoint: form.painPoint,
    dialogueSummary: form.dialogueSummary,
    bottleneck: form.bottleneck || undefined,
    valuePoint: form.valuePoint,
    agreedAction: form.agreedAction || undefined,
    nextFollowUpDate: form.nextFollowUpDate || undefined,
    nextFollowUpTime: form.nextFollowUpTime || undefined,
    nextFollowUpForm: form.nextFollowUpForm || undefined,
    alert: form.alert,
  }
  if (form.agreedAction === OTHER_ACTION) raw.agreedActionNote = form.agreedActionNote
  if (form.customerVerbatim.trim()) raw.customerVerbatim = form.customerVerbatim
  // optional: sent only when the rep tapped one
  if (form.customerFeedback) raw.customerFeedback = form.customerFeedback
  if (photoIds.length) raw.photoIds = photoIds
  return raw
}

export type VoiceFill = { ok: true; patch: Partial<VisitForm>; message: string } | { ok: false; message: string }

/** What a spoken or typed note fills in; never submits, the rep confirms. */
export function fillFromVoice(text: string, options: Options | null, now: Date): VoiceFill {
  const trimmed = text.trim()
  if (!trimmed) return { ok: false, message: '请先输入或说出拜访内容' }
  const note = parseVoiceNote(trimmed, {
    now,
    timeZone: teamTimeZone(),
    ...(options ? { agreedActions: options.agreedActions, followUpForms: options.followUpForms } : {}),
  })
  const L = VISIT_FIELD_LABELS
  const filled: string[] = []
  const patch: Partial<VisitForm> = {}
  if (note.painPoint) {
    patch.painPoint = note.painPoint
    filled.push(L.painPoint)
  }
  if (note.agreedAction && (!options || options.agreedActions.includes(note.agreedAction))) {
    patch.agreedAction = note.agreedAction
    filled.push(L.agreedAction)
  }
  if (note.nextFollowUpAt) {
    const { date, time } = localParts(note.nextFollowUpAt)
    patch.nextFollowUpDate = date
    // a time nobody said is not filled in: the rep picks it
    if (note.hasTime) patch.nextFollowUpTime = time
    filled.push(note.hasTime ? `${L.nextFollowUpDate} ${date} ${time}` : `${L.nextFollowUpDate} ${date}（未说时间，请选择）`)
  }
  if (note.form && (!options || options.followUpForms.includes(note.form))) {
    patch.nextFollowUpForm = note.form
    filled.push(L.nextFollowUpForm)
  }
  if (!filled.length) return { ok: false, message: '没有识别出可填写的内容，请手动填写' }
  return { ok: true, patch, message: `已填入：${filled.join('、')}。请核对后再提交` }
}
