import { useCallback, useEffect, useRef, useState } from 'react'
import { errorMessage, isApiError } from './client'

export interface RequestState<T> {
  data: T | null
  /** A message a person can read; '' while loading or after success. */
  error: string
  /** The failed request's HTTP status (404 for a record that is gone or out of scope), 0 otherwise. */
  status: number
  loading: boolean
  /** Loads again (after an edit, or from a 重试 button). */
  reload: () => void
  /** Replaces the data in place (an optimistic update after a confirm, say). */
  setData: (update: T | null | ((prev: T | null) => T | null)) => void
}

/**
 * One page's data: loading and error state written once instead of in every page. `deps` are what
 * the request depends on (an id from the route); an answer that arrives after a newer request started
 * is dropped, so a fast tap on another customer never shows the previous one.
 */
export function useRequest<T>(load: () => Promise<T>, deps: readonly unknown[]): RequestState<T> {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState('')
  const [status, setStatus] = useState(0)
  const [loading, setLoading] = useState(true)
  const seq = useRef(0)
  const loadRef = useRef(load)
  loadRef.current = load

  const run = useCallback(() => {
    const mine = ++seq.current
    setLoading(true)
    setError('')
    setStatus(0)
    loadRef
      .current()
      .then((value) => {
        if (mine === seq.current) setData(value)
      })
      .catch((e: unknown) => {
        if (mine !== seq.current) return
        setError(errorMessage(e))
        setStatus(isApiError(e) ? e.status : 0)
      })
      .finally(() => {
        if (mine === seq.current) setLoading(false)
      })
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps)

  useEffect(run, [run])

  return { data, error, status, loading, reload: run, setData }
}
