import { API_BASE } from '../../api/client'
import { getToken } from '../../api/session'

interface ErrorBody {
  error?: { message?: string; fields?: Record<string, string> | null }
}

/** A file answer from the API, saved under a name (the export and the template need the token, so no plain link). */
export async function download(path: string, filename: string): Promise<void> {
  const token = getToken()
  const res = await fetch(`${API_BASE}/api/v1${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
  if (!res.ok) throw new Error(((await res.json().catch(() => ({}))) as ErrorBody).error?.message || `下载失败（${res.status}）`)
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export async function upload<T>(path: string, file: File): Promise<T> {
  const token = getToken()
  const form = new FormData()
  form.append('file', file, file.name)
  let res: Response
  try {
    res = await fetch(`${API_BASE}/api/v1${path}`, { method: 'POST', headers: token ? { Authorization: `Bearer ${token}` } : {}, body: form })
  } catch {
    throw new Error('网络连接失败，请检查网络后重试')
  }
  const body = (await res.json().catch(() => ({}))) as T & ErrorBody
  if (!res.ok) throw new Error(body.error?.message || `上传失败（${res.status}）`)
  return body
}

