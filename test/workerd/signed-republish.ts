import { exports } from 'cloudflare:workers'
import { signBody } from '../../src/http/signature.ts'

/** The Worker under test, as the workerd tests call it. */
export const worker = (
  exports as { default: { fetch(input: string, init?: RequestInit): Promise<Response> } }
).default

// The secret the workerd project binds as WEBHOOK_SECRETS (vitest.config.mts).
const SECRET = 'workerd-test-secret-0123456789abcdef'

/** POSTs a republish body to the Worker, signed now with the bound secret. */
export async function postSignedRepublish(body: string): Promise<Response> {
  const signature = await signBody(new TextEncoder().encode(body), SECRET, Date.now() / 1000)
  return worker.fetch('https://feeds.silkfeed.test/webhooks/republish', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'silkfeed-signature': signature },
    body,
  })
}
