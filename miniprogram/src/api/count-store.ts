import { useEffect, useState } from 'react'

/** A number kept at module level (a badge's count) that components follow: set it anywhere, each `useCount()` re-renders. */
export interface CountStore {
  get(): number
  set(next: number): void
  /** the current count, kept up to date (a hook) */
  useCount(): number
}

export function countStore(): CountStore {
  let count = 0
  const listeners = new Set<(count: number) => void>()
  return {
    get: () => count,
    set(next) {
      count = next
      listeners.forEach((fn) => fn(count))
    },
    useCount() {
      const [value, setValue] = useState(count)
      useEffect(() => {
        listeners.add(setValue)
        setValue(count)
        return () => {
          listeners.delete(setValue)
        }
      }, [])
      return value
    },
  }
}
