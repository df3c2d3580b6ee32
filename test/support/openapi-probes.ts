import { adminSignedBytes, signBody } from '../../src/http/signature.ts'
import { StorageUnavailableError, type ObjectStore } from '../../src/ports/object-store.ts'
import { storeArticles } from '../../src/services/seed.ts'
import { ADMIN_SECRET, adminRequest, createPartner } from './admin.ts'
import { appOver } from './app.ts'
import { MemoryObjectStore, overriding } from './memory-store.ts'
import { catalogWithLimit, loadSamples } from './samples.ts'
import { postRepublish } from './webhook.ts'

type RequestApp = { request: (input: string, init?: RequestInit) => Response | Promise<Response> }

/** One request, and the operation of the OpenAPI document (path template, method) it is sent to. */
interface Probe {
  template: string
  method: string
  label: string
  send: () => Promise<Response>
}

const failure = () => Promise.reject(new StorageUnavailableError('storage down (test)'))
/** A store every call of which fails as an unreachable bucket does. */
const failingStore = (): ObjectStore =>
  overriding(new MemoryObjectStore(), {
    get: failure,
    getIfChanged: failure,
    put: failure,
    list: failure,
    delete: failure,
    ping: failure,
  })

const extra = { adminSecrets: [ADMIN_SECRET], metrics: { render: () => '', token: 'metrics-token' } }
const WRONG_KEY = `sf_${'A'.repeat(43)}`
const WRONG = { locale: 'xx', feed: 'nope', format: 'txt', id: 'no-such-story', month: '1999-01' }

/** A template filled in with `values`. */
const fill = (template: string, values: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`)

/** An admin request signed over a raw body (a malformed one included). */
async function signedRaw(app: RequestApp, method: string, path: string, body: string) {
  const bytes = adminSignedBytes(method, path, new TextEncoder().encode(body))
  const signature = await signBody(bytes, ADMIN_SECRET, Date.now() / 1000)
  const headers = { 'content-type': 'application/json', 'silkfeed-signature': signature }
  return app.request(path, { method, headers, body: method === 'GET' ? undefined : body })
}

/**
 * Every request that leads each documented operation to one of its answers: the example filled in,
 * each path parameter wrong, partner keys that are wrong, revoked, spent or outside their agreement,
 * bad queries and bodies, unsigned admin and webhook calls, and all of it again over a storage that
 * fails. The app, not a list, says which status each gets.
 */
export async function probesFor(paths: Record<string, Record<string, unknown>>): Promise<Probe[]> {
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  const catalog = catalogWithLimit(2) // windows of 2 stories: the samples have archives
  const app = appOver(store, {}, undefined, {}, catalog, extra)
  const failing = appOver(failingStore(), {}, undefined, {}, catalog, extra)
  const good = await createPartner(app, { name: 'Reader', quota: 100_000 })
  const target = await createPartner(app, { name: 'Admin target' })
  const revoked = await createPartner(app, { name: 'Revoked' })
  await adminRequest(app, 'POST', `/admin/partners/${revoked.id}/revoke`, {})
  const spent = await createPartner(app, { name: 'Spent', quota: 1 })
  await app.request(`/p/${spent.key}/feeds.opml`)
  const outside = await createPartner(app, { name: 'Outside', feeds: ['sco'], locales: ['zh'] })
  // The change log kept an hour, on a clock the probes move: a cursor then outlives it.
  let clock = Date.now()
  const aged = appOver(
    new MemoryObjectStore(),
    { now: () => clock, changeLogMs: 3_600_000 },
    undefined,
    {},
    catalog,
    extra,
  )
  const agedKey = (await createPartner(aged, { name: 'Aged' })).key
  const expired = async (path: string, method: string) => {
    const { next_cursor: cursor } = (await (await aged.request(path)).json()) as { next_cursor: string }
    clock += 2 * 3_600_000
    return aged.request(`${path}?cursor=${encodeURIComponent(cursor)}`, { method })
  }
  const keys = { wrong: WRONG_KEY, revoked: revoked.key, spent: spent.key, outside: outside.key }
  const example = { locale: 'ru', feed: 'sco', format: 'rss', id: 'sco-roadshow-overview', month: '2022-10' }

  const probes: Probe[] = []
  for (const [template, operations] of Object.entries(paths)) {
    for (const method of Object.keys(operations)) {
      const add = (label: string, send: () => Response | Promise<Response>) =>
        probes.push({ template, method, label, send: async () => send() })
      const M = method.toUpperCase()
      if (template.startsWith('/admin/')) {
        const path = fill(template, { id: target.id })
        const body = template.endsWith('/revoke')
          ? '{}'
          : template === '/admin/partners'
            ? '{"name":"X"}'
            : ''
        const sendAs = (a: RequestApp, p: string, b = body) => signedRaw(a, M, p, M === 'GET' ? '' : b)
        add('example', () => sendAs(app, path))
        add('unknown id', () => sendAs(app, fill(template, { id: 'nope' })))
        add('unsigned', () => app.request(path, { method: M }))
        add('storage failing', () => sendAs(failing, path))
        if (M === 'POST') {
          add('malformed JSON', () => sendAs(app, path, '{"name":'))
          add('invalid body', () => sendAs(app, path, '{"name":"","keyId":5}'))
          add('too large', () => sendAs(app, path, `"${'x'.repeat(17 * 1024)}"`))
        }
        continue
      }
      if (template === '/webhooks/republish' && M === 'OPTIONS') {
        add('example', () => app.request(template, { method: M }))
        add('storage failing', () => failing.request(template, { method: M }))
        continue
      }
      if (template === '/webhooks/republish') {
        add('example', () => postRepublish(app, { rebuild: ['sco'] }))
        add('unsigned', () => app.request(template, { method: M, body: '{}' }))
        add('malformed JSON', () => postRepublish(app, undefined, { raw: '{"rebuild":' }))
        add('invalid payload', () => postRepublish(app, { rebuild: 'everything' }))
        add('too large', () => postRepublish(app, undefined, { raw: `"${'x'.repeat(65 * 1024)}"` }))
        add('not JSON', () => postRepublish(app, {}, { headers: { 'content-type': 'text/plain' } }))
        add('storage failing', () => postRepublish(failing, { rebuild: ['sco'] }))
        continue
      }
      const path = fill(template, { ...example, key: good.key })
      const send = (a: RequestApp, p: string, headers: Record<string, string> = {}) =>
        a.request(p, { method: M, headers })
      add('example', () => send(app, path))
      add('storage failing', () => send(failing, path))
      if (template === '/metrics') add('no token', () => send(app, path))
      for (const name of Object.keys(WRONG) as (keyof typeof WRONG)[]) {
        if (!template.includes(`{${name}}`)) continue
        add(`unknown ${name}`, () =>
          send(app, fill(template, { ...example, key: good.key, [name]: WRONG[name] })),
        )
      }
      if (template.includes('{id}')) {
        add('malformed id', () => send(app, fill(template, { ...example, id: 'bad id' })))
      }
      if (template.includes('{month}')) {
        add('not a month', () => send(app, fill(template, { ...example, month: '2026-13' })))
      }
      for (const [label, key] of Object.entries(keys)) {
        if (template.includes('{key}'))
          add(`${label} key`, () => send(app, fill(template, { ...example, key })))
        else add(`${label} bearer key`, () => send(app, path, { authorization: `Bearer ${key}` }))
      }
      if (template.endsWith('/changes')) {
        add('expired cursor', () => expired(fill(template, { ...example, key: agedKey }), M))
      }
      for (const query of ['lang=xx', 'cursor=not-a-cursor', 'wait=99', 'wait=1&wait=1']) {
        add(`?${query}`, () => send(app, `${path}?${query}`))
      }
    }
  }
  return probes
}

/** Methods a path does not list (OPTIONS aside, which every path answers or leaves to the 404). */
export function otherMethods(listed: readonly string[]): string[] {
  return ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].filter((m) => !listed.includes(m.toLowerCase()))
}

/** The app the 405 probes are sent to (the same configuration as `probesFor`'s). */
export async function exampleApp() {
  const store = new MemoryObjectStore()
  await storeArticles(store, loadSamples())
  const app = appOver(store, {}, undefined, {}, catalogWithLimit(2), extra)
  const { key, id } = await createPartner(app, { name: 'Reader' })
  const example = { locale: 'ru', feed: 'sco', format: 'rss', month: '2022-10', key }
  return {
    app,
    path: (template: string) =>
      fill(template, { ...example, id: template.startsWith('/admin/') ? id : 'sco-roadshow-overview' }),
  }
}
