// The JSON API of the Django app (<project>/api/). Requests go to the page's own origin: the
// Vite dev server proxies /api/ to Django in development, Django or nginx serve it in production.

export interface CurrentUser {
  authenticated: boolean
  username: string
  email: string
  is_staff: boolean
  /** The session's CSRF token, to send back with every unsafe request. */
  csrf_token: string
}

/** The report of /health/: each service is "ok" or "error: <reason>", listed for staff only. */
export interface ServiceStatus {
  status: 'ok' | 'error'
  services?: Record<string, string>
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

// Django keeps its CSRF cookie out of reach of scripts (CSRF_COOKIE_HTTPONLY), so the API hands
// the token over in every CurrentUser answer; signing in rotates it.
let csrfToken = ''

async function request<T>(method: string, path: string, body?: unknown, acceptStatus: number[] = []): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (!SAFE_METHODS.has(method)) headers['X-CSRFToken'] = csrfToken
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok && !acceptStatus.includes(response.status)) {
    const detail = await response.json().then((data: { detail?: string }) => data.detail, () => undefined)
    throw new ApiError(response.status, detail ?? `${method} ${path} answered ${response.status}`)
  }
  return (await response.json()) as T
}

async function session(method: string, path: string, body?: unknown): Promise<CurrentUser> {
  const user = await request<CurrentUser>(method, path, body)
  csrfToken = user.csrf_token
  return user
}

export const api = {
  me: () => session('GET', '/api/me/'),
  signIn: (username: string, password: string) => session('POST', '/api/session/', { username, password }),
  signOut: () => session('DELETE', '/api/session/'),
  // Like /health/, it answers 503 with the same report when a service is down.
  status: () => request<ServiceStatus>('GET', '/api/health/', undefined, [503]),
}
