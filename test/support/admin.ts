import { adminSignedBytes, signBody } from '../../src/http/signature.ts'

export const ADMIN_SECRET = 'admin-secret-0123456789abcdef'

type RequestApp = { request: (input: string, init?: RequestInit) => Response | Promise<Response> }

/** Sends an /admin/partners request signed like the CLI does (overridable for the bad cases). */
export async function adminRequest(
  app: RequestApp,
  method: 'GET' | 'POST',
  path: string,
  payload?: unknown,
  options: {
    secret?: string
    t?: number
    signedPath?: string
    signature?: string | null
    headers?: Record<string, string>
  } = {},
): Promise<Response> {
  const body = payload === undefined ? '' : JSON.stringify(payload)
  const bytes = adminSignedBytes(method, options.signedPath ?? path, new TextEncoder().encode(body))
  const signature =
    options.signature === undefined
      ? await signBody(bytes, options.secret ?? ADMIN_SECRET, options.t ?? Date.now() / 1000)
      : options.signature
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers }
  if (signature !== null) headers['silkfeed-signature'] = signature
  return app.request(path, { method, headers, body: method === 'GET' ? undefined : body })
}

/** Creates a partner through the admin API; its id and its key. */
export async function createPartner(
  app: RequestApp,
  definition: object,
): Promise<{ id: string; key: string }> {
  const res = await adminRequest(app, 'POST', '/admin/partners', definition)
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`)
  return (await res.json()) as { id: string; key: string }
}
