import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { signBody } from '../../src/http/signature.ts'
import { PartnerRegistry } from '../../src/services/partner-registry.ts'
import { ADMIN_SECRET, adminRequest } from '../support/admin.ts'
import { appOver, sampleApp, TEST_SECRET } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { postRepublish } from '../support/webhook.ts'

const story: Article = {
  id: 'sco-breaking',
  locale: 'ru',
  title: 'Срочно: новое соглашение ШОС',
  url: 'https://news.silkfeed.dev/ru/2026/11/24/sco-breaking',
  publishedAt: '2026-11-24T10:00:00+03:00',
  sections: ['sco'],
}

interface ProblemDocument {
  code: string
  title: string
  detail: string
  problems?: { path: string; message: string }[]
}

/** Text in the script of each editor locale (and English for `en`). */
const SCRIPT: Record<string, RegExp> = {
  en: /^[\x20-\x7E…“”–]+$/,
  ru: /[\u0400-\u04FF]/,
  kk: /[\u0400-\u04FF]/,
  zh: /[\u4E00-\u9FFF]/,
  uz: /(?:[bdfghjklmnpqrstvxyz][aeiou]){2}/,
}
const LANGUAGES = ['en', 'zh', 'ru', 'kk', 'uz'] as const

// What zod, V8 and TextDecoder say by themselves: never what the client is told.
const RUNTIME_ENGLISH =
  /Invalid input|expected \w+, received|Unexpected token|Unexpected end|" is not valid JSON|encoded data|encoding|position \d/i

async function send(
  payload: unknown,
  language: string,
  options: { raw?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; problem: ProblemDocument }> {
  const { app } = await sampleApp()
  const res = await postRepublish(app, payload, {
    ...options,
    headers: { 'accept-language': language, ...options.headers },
  })
  return { status: res.status, problem: (await res.json()) as ProblemDocument }
}

async function sendBytes(
  bytes: Uint8Array<ArrayBuffer>,
  language: string,
): Promise<{ status: number; problem: ProblemDocument }> {
  const { app } = await sampleApp()
  const signature = await signBody(bytes, TEST_SECRET, Date.now() / 1000)
  const res = await app.request('/webhooks/republish', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'silkfeed-signature': signature,
      'accept-language': language,
    },
    body: bytes,
  })
  return { status: res.status, problem: (await res.json()) as ProblemDocument }
}

function messageAt(problem: ProblemDocument, path: string): string {
  const found = problem.problems?.find((p) => p.path === path)
  expect(found, `${path} in ${JSON.stringify(problem.problems)}`).toBeDefined()
  return found!.message
}

describe('422 problem messages say what to fix, in the language asked for', () => {
  it.each(LANGUAGES)('%s: every message of a bad record comes from the locale files', async (language) => {
    const { status, problem } = await send(
      { upsert: [{ id: 'x', url: 'news/1', sections: ['SCO Desk'] }] },
      language,
    )
    expect(status).toBe(422)
    expect(problem.problems!.length).toBeGreaterThanOrEqual(5)
    for (const { message } of problem.problems!) {
      expect(message).not.toMatch(RUNTIME_ENGLISH)
      expect(message, message).toMatch(SCRIPT[language]!)
    }
  })

  it('names a missing field as required, a wrong type by the type it must have, and keeps the JSON path', async () => {
    const en = (await send({ upsert: [{ id: 'x', locale: 'ru', title: 5 }] }, 'en')).problem
    expect(messageAt(en, '$.upsert[0].url')).toBe('is required: add it')
    expect(messageAt(en, '$.upsert[0].title')).toBe('must be a string')
    const ru = (await send({ upsert: [{ id: 'x', locale: 'ru', title: 5 }] }, 'ru')).problem
    expect(ru.title).toBe('Некорректные данные')
    expect(messageAt(ru, '$.upsert[0].url')).toBe('обязательное поле: добавьте его')
    expect(messageAt(ru, '$.upsert[0].title')).toBe('должно быть строкой')
  })

  it('lists what is allowed, and the limits, in the message', async () => {
    const { problem } = await send(
      {
        upsert: [{ ...story, locale: 'en', title: 'x'.repeat(501), url: 'ftp://x.test/' }],
        rebuild: ['sports'],
      },
      'ru',
    )
    expect(messageAt(problem, '$.upsert[0].locale')).toBe(
      'должно быть одним из значений: zh, ru, kk, uz, uz-cyrl, kk-latn, zh-hant',
    )
    expect(messageAt(problem, '$.upsert[0].title')).toBe('должно содержать не более 500 символов')
    expect(messageAt(problem, '$.upsert[0].url')).toMatch(/^должно быть абсолютным URL.*https:\/\//)
    expect(messageAt(problem, '$.rebuild[0]')).toMatch(/^должно называть ленту: .*sco/)
  })

  it('answers a body that is not an object with what it must be', async () => {
    const { status, problem } = await send([1, 2], 'kk')
    expect(status).toBe(422)
    expect(messageAt(problem, '$')).toBe('JSON нысаны ({…}) болуы керек')
  })

  it('refuses an Idempotency-Key of 201 characters in the client’s language', async () => {
    const { status, problem } = await send({ rebuild: ['sco'] }, 'ru', {
      headers: { 'idempotency-key': 'k'.repeat(201) },
    })
    expect(status).toBe(422)
    expect(messageAt(problem, 'header Idempotency-Key')).toBe('должно содержать от 1 до 200 символов')
  })
})

describe('a body that is not JSON in UTF-8', () => {
  it('is BODY_NOT_UTF8 (not MALFORMED_JSON) when its bytes are not UTF-8, with the offset', async () => {
    const bytes = new TextEncoder().encode('{"rebuild":["sco"]} ')
    bytes[bytes.length - 1] = 0xff
    const en = await sendBytes(bytes, 'en')
    expect(en.status).toBe(400)
    expect(en.problem.code).toBe('BODY_NOT_UTF8')
    expect(en.problem.detail).toMatch(/UTF-8: the byte at offset 19 /)
    expect(en.problem.detail).not.toMatch(RUNTIME_ENGLISH)
    const ru = await sendBytes(bytes, 'ru')
    expect(ru.problem.code).toBe('BODY_NOT_UTF8')
    expect(ru.problem.detail).toMatch(/^Тело запроса не в кодировке UTF-8: байт со смещением 19 /)
  })

  it('finds the first bad byte after valid multi-byte characters', async () => {
    // "Ш" is two bytes; then a lone continuation byte.
    const bytes = new Uint8Array([...new TextEncoder().encode('{"a":"Ш'), 0x80, 0x22, 0x7d])
    const { problem } = await sendBytes(bytes, 'en')
    expect(problem.code).toBe('BODY_NOT_UTF8')
    expect(problem.detail).toMatch(/offset 8 /)
  })

  it.each([
    ['{"upsert": [', 'en', /ends too early, at line 1, column 13/],
    ['{\n  "rebuild": ["sco"],\n  "upsert": }', 'en', /unexpected character at line 3, column 13/],
    ['{"rebuild": ["sco"]} x', 'ru', /неожиданный символ в строке 1, столбце 22/],
    ["{'rebuild': 1}", 'zh', /第 1 行第 2 列出现意外字符/],
  ])('locates malformed JSON %j by line and column (%s)', async (raw, language, reason) => {
    const { status, problem } = await send(undefined, language, { raw })
    expect(status).toBe(400)
    expect(problem.code).toBe('MALFORMED_JSON')
    expect(problem.detail).toMatch(reason)
    expect(problem.detail).not.toMatch(RUNTIME_ENGLISH)
  })
})

describe('one 422 lists every problem, cross-field checks included', () => {
  it('reports a duplicate story and updatedAt before publishedAt alongside field errors', async () => {
    const { status, problem } = await send(
      {
        upsert: [
          { ...story, title: '' },
          { ...story, summary: 7, updatedAt: '2020-01-01T00:00:00Z' },
        ],
        retract: [{ id: 'gone', reason: 'lost' }],
        extra: true,
      },
      'en',
    )
    expect(status).toBe(422)
    expect(messageAt(problem, '$.upsert[0].title')).toBe('must not be empty')
    expect(messageAt(problem, '$.upsert[1].summary')).toBe('must be a string')
    expect(messageAt(problem, '$.retract[0].reason')).toBe(
      'must be one of: kill, withdrawn, correction-pending',
    )
    expect(messageAt(problem, '$')).toBe('has unknown field(s) "extra"; remove them')
    expect(messageAt(problem, '$.upsert[1].updatedAt')).toBe('must not be earlier than publishedAt')
    expect(messageAt(problem, '$.upsert[1]')).toBe(
      'repeats the story and locale of $.upsert[0] (id “sco-breaking”, locale “ru”); send each story in each locale once',
    )
    expect(problem.problems).toHaveLength(6)
    expect(problem.detail).toMatch(/Problems found: 6\./)
  })

  it('reports each cross-field problem once when nothing else is wrong', async () => {
    const { problem } = await send({ upsert: [story, { ...story, updatedAt: '2020-01-01T00:00:00Z' }] }, 'en')
    expect(problem.problems!.map((p) => p.path).sort()).toEqual(['$.upsert[1]', '$.upsert[1].updatedAt'])
  })

  it('says an empty payload is empty even when it also has an unknown field', async () => {
    const { problem } = await send({ upsert: [], publish: true }, 'ru')
    expect(messageAt(problem, '$')).toBeDefined()
    expect(problem.problems!.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        'содержит неизвестные поля "publish"; удалите их',
        'пусто: передайте хотя бы одно из полей upsert, retract, rebuild',
      ]),
    )
  })
})

describe('the admin API', () => {
  it('writes its 422 messages in the client’s language', async () => {
    const store = new MemoryObjectStore()
    const registry = new PartnerRegistry(store, {
      now: () => Date.now(),
      freshMs: 2000,
      randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
    })
    const app = appOver(store, {}, undefined, {}, undefined, {
      partners: registry,
      adminSecrets: [ADMIN_SECRET],
    })
    const res = await adminRequest(
      app,
      'POST',
      '/admin/partners',
      { locales: ['en'], quota: 0 },
      {
        headers: { 'accept-language': 'uz' },
      },
    )
    expect(res.status).toBe(422)
    const problem = (await res.json()) as ProblemDocument
    expect(messageAt(problem, '$.name')).toBe('majburiy maydon: uni qoʻshing')
    expect(messageAt(problem, '$.locales[0]')).toMatch(/^quyidagi qiymatlardan biri boʻlishi kerak: zh, ru/)
    expect(messageAt(problem, '$.quota')).toBe('1 dan kam boʻlmasligi kerak')
  })
})
