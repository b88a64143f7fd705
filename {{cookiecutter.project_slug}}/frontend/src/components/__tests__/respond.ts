import { vi } from 'vitest'

/** Replace fetch with one that answers each "METHOD /path" from the table, as Django would. */
export function answerFetch(table: Record<string, { status?: number; body: unknown }>) {
  const fetch = vi.fn(async (path: string, init?: RequestInit) => {
    const key = `${init?.method ?? 'GET'} ${path}`
    const answer = table[key]
    if (!answer) throw new Error(`unexpected request ${key}`)
    return new Response(JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { 'Content-Type': 'application/json' },
    })
  })
  vi.stubGlobal('fetch', fetch)
  return fetch
}
