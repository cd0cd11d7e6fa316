/** The built-in agreed actions and follow-up forms, used when the product passes no lists of its own. */
export const VOICE_NOTE_DEFAULT_ACTIONS = ['发送方案', '安排演示', '提供样品', '其他'] as const;
export const VOICE_NOTE_DEFAULT_FORMS = ['电话', '微信', '上门'] as const;
export type VoiceNoteAction = (typeof VOICE_NOTE_DEFAULT_ACTIONS)[number];
export type VoiceNoteForm = (typeof VOICE_NOTE_DEFAULT_FORMS)[number];
