import Ajv2020 from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { sampleApp } from '../support/app.ts'
import { exampleApp, otherMethods, probesFor } from '../support/openapi-probes.ts'

interface Documented {
  description: string
  headers?: Record<string, unknown>
  content?: Record<string, { schema?: { $ref?: string } }>
}
type Paths = Record<string, Record<string, { responses: Record<string, Documented> }>>
interface Doc {
  paths: Paths
  components: { schemas: Record<string, object> }
}

async function openApi(): Promise<Doc> {
  const { app } = await sampleApp()
  return (await (await app.request('/openapi.json')).json()) as Doc
}

const PROBLEM_REF = '#/components/schemas/Problem'

/** What is wrong with an answer as the document describes it (nothing: an empty list). */
async function mismatches(
  doc: Doc,
  validate: (body: unknown) => boolean,
  res: Response,
  documented?: Documented,
) {
  if (!documented) return ['status not documented']
  const found: string[] = []
  const type = res.headers.get('content-type') ?? ''
  if (type.startsWith('application/problem+json')) {
    // HEAD answers carry the problem's headers without its body.
    const text = await res.text()
    const body = text === '' ? undefined : (JSON.parse(text) as unknown)
    if (body !== undefined && !validate(body)) found.push(`body not a Problem: ${text}`)
    const ref = documented.content?.['application/problem+json']?.schema?.$ref
    if (documented.content && ref !== PROBLEM_REF) found.push('documented without the Problem schema')
  }
  if (res.status === 405 && !documented.headers?.Allow) found.push('405 documented without Allow')
  return found
}

describe('the statuses /openapi.json documents', () => {
  it('include every status each operation answers, problems with the Problem schema', async () => {
    const doc = await openApi()
    const validate = new Ajv2020({ strict: false }).compile(doc.components.schemas.Problem!)
    const failures: string[] = []
    const seen = new Set<number>()
    for (const probe of await probesFor(doc.paths)) {
      const res = await probe.send()
      seen.add(res.status)
      const documented = doc.paths[probe.template]![probe.method]!.responses[String(res.status)]
      const operation = `${probe.method.toUpperCase()} ${probe.template} (${probe.label}) → ${res.status}`
      for (const found of await mismatches(doc, validate, res, documented))
        failures.push(`${operation}: ${found}`)
    }
    expect(failures).toEqual([])
    // The probes reach every refusal they are meant to (a probe that stopped doing so would hide one).
    const meant = [200, 201, 204, 302, 400, 401, 403, 404, 410, 413, 415, 422, 429, 503]
    expect([...seen].sort()).toEqual(expect.arrayContaining(meant))
  }, 60_000)

  it('include, on every operation, the 405 with Allow that other methods on its path get', async () => {
    const doc = await openApi()
    const validate = new Ajv2020({ strict: false }).compile(doc.components.schemas.Problem!)
    const { app, path } = await exampleApp()
    const failures: string[] = []
    for (const [template, operations] of Object.entries(doc.paths)) {
      for (const method of otherMethods(Object.keys(operations))) {
        const res = await app.request(path(template), { method })
        if (res.status !== 405 || !res.headers.get('allow')) {
          failures.push(`${method} ${template} → ${res.status}, allow ${res.headers.get('allow')}`)
        }
        for (const [listed, operation] of Object.entries(operations)) {
          const documented = operation.responses['405']
          for (const found of await mismatches(doc, validate, res.clone(), documented)) {
            failures.push(`${listed.toUpperCase()} ${template} (${method} → 405): ${found}`)
          }
        }
      }
    }
    expect(failures).toEqual([])
  })

  it('describe every problem an operation answers with the Problem schema', async () => {
    const doc = await openApi()
    const failures: string[] = []
    for (const [template, operations] of Object.entries(doc.paths)) {
      for (const [method, { responses }] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(responses)) {
          if (Number(status) < 400 || method === 'head' || template === '/readyz') continue
          const ref = response.content?.['application/problem+json']?.schema?.$ref
          if (ref !== PROBLEM_REF) failures.push(`${method.toUpperCase()} ${template} ${status}`)
        }
      }
    }
    expect(failures).toEqual([])
  })
})
