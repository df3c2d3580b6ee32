import { signBody } from '../../src/http/signature.ts'
import { TEST_SECRET } from './app.ts'

const encoder = new TextEncoder()

/** POSTs a payload to the webhook, signed like a CMS would (overridable for the bad cases). */
export async function postRepublish(
  app: { request: (input: string, init?: RequestInit) => Response | Promise<Response> },
  payload: unknown,
  options: { secret?: string; t?: number; headers?: Record<string, string>; raw?: string } = {},
): Promise<Response> {
  const body = options.raw ?? JSON.stringify(payload)
  const signature = await signBody(
    encoder.encode(body),
    options.secret ?? TEST_SECRET,
    options.t ?? Date.now() / 1000,
  )
  return app.request('/webhooks/republish', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'silkfeed-signature': signature, ...options.headers },
    body,
  })
}
