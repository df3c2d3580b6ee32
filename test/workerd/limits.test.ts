import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { signBody } from '../../src/http/signature.ts'

const worker = (exports as { default: { fetch(input: string, init?: RequestInit): Promise<Response> } })
  .default

// The secret the workerd project binds as WEBHOOK_SECRETS (vitest.config.mts).
const SECRET = 'workerd-test-secret-0123456789abcdef'
const URL_ = 'https://feeds.silkfeed.test/webhooks/republish'
const encoder = new TextEncoder()

async function signed(body: string, contentType = 'application/json') {
  const signature = await signBody(encoder.encode(body), SECRET, Date.now() / 1000)
  return { 'content-type': contentType, 'silkfeed-signature': signature }
}

describe('the webhook in workerd judges a request before reading its body', () => {
  it('answers an unsigned request whose body never ends with 401', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('{"rebuild":'))
      },
    })
    const res = await worker.fetch(URL_, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit)
    expect(res.status).toBe(401)
    expect(((await res.json()) as { code: string }).code).toBe('BAD_SIGNATURE')
  })

  it('refuses a UTF-16 body with 415', async () => {
    const body = JSON.stringify({ rebuild: ['sco'] })
    const res = await worker.fetch(URL_, {
      method: 'POST',
      headers: await signed(body, 'application/json; charset=utf-16'),
      body,
    })
    expect(res.status).toBe(415)
  })

  it('quotes a huge unknown field name only as a short excerpt', async () => {
    const body = JSON.stringify({ rebuild: ['sco'], [`q${'w'.repeat(500_000)}`]: 1 })
    const res = await worker.fetch(URL_, { method: 'POST', headers: await signed(body), body })
    const text = await res.text()
    expect(res.status).toBe(422)
    expect(text.length).toBeLessThan(2000)
    const { problems } = JSON.parse(text) as { problems: { message: string }[] }
    expect(problems[0]!.message).toContain(`"q${'w'.repeat(99)}…"`)
  })
})

describe('readiness in workerd', () => {
  it('answers many concurrent /readyz from one storage probe', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => worker.fetch('https://feeds.silkfeed.test/readyz')),
    )
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as {
      status: string
      storage: { checkedAt: string }
    }[]
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200))
    const checked = new Set(bodies.map((b) => b.storage.checkedAt))
    expect(checked.size).toBe(1)
    expect(Date.parse([...checked][0]!)).toBeGreaterThan(0)
    // A later request within READY_CACHE_MS is answered from the same probe.
    const later = (await (await worker.fetch('https://feeds.silkfeed.test/readyz')).json()) as {
      storage: { checkedAt: string }
    }
    expect(later.storage.checkedAt).toBe([...checked][0])
  })
})
