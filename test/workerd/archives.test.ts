import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { postSignedRepublish, worker } from './signed-republish.ts'

const BASE = 'https://feeds.silkfeed.test'

describe('archives in workerd, against s3rver', () => {
  it('serves the archive the current feed links, with its ETag, 304 and gzip', async () => {
    // 60 Kazakh stories of January and February 2020, older than the samples: `latest` keeps 50
    // stories (the samples and the newest of these), so January's first ones are archived.
    const upsert = Array.from({ length: 60 }, (_, n) => ({
      id: `workerd-archive-${n}`,
      locale: 'kk',
      title: `Мұрағат жаңалығы ${n}`,
      url: `https://news.silkfeed.dev/kk/workerd-archive-${n}`,
      publishedAt: new Date(Date.parse('2020-01-01T06:00:00Z') + n * 86_400_000).toISOString(),
      sections: ['workerd-archive'],
    }))
    const body = JSON.stringify({ upsert })
    const res = await postSignedRepublish(body)
    expect(res.status).toBe(200)

    const xml = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (n) => n === 'link' || n === 'entry',
    })
    const current = xml.parse(await (await worker.fetch(`${BASE}/kk/latest.atom`)).text()).feed as {
      link: { rel: string; href: string }[]
      entry: { id: string }[]
    }
    const prev = current.link.find((l) => l.rel === 'prev-archive')?.href
    expect(prev).toBe(`${BASE}/kk/latest/archive/2020-01.atom`)

    const archive = await worker.fetch(prev!, { headers: { 'accept-encoding': 'identity' } })
    expect(archive.status).toBe(200)
    expect(archive.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8')
    expect(archive.headers.get('cache-control')).toBe('public, max-age=86400, must-revalidate')
    const text = await archive.text()
    const feed = xml.parse(text).feed as { entry: { id: string }[]; link: { rel: string; href: string }[] }
    expect(feed).toHaveProperty('fh:archive')
    expect(feed.link.find((l) => l.rel === 'current')?.href).toBe(`${BASE}/kk/latest.atom`)
    // January's stories that left the window: at least the first 16 (other tests' newer Kazakh
    // stories, stored in the same bucket, may push out more), each in the archive exactly once.
    const idOf = (n: number) => `tag:silkfeed.dev,2026:article/workerd-archive-${n}/kk`
    const inWindow = new Set(current.entry.map((e) => e.id))
    const left = Array.from({ length: 31 }, (_, n) => idOf(n)).filter((id) => !inWindow.has(id))
    expect(left.length).toBeGreaterThanOrEqual(16)
    expect(feed.entry.map((e) => e.id).sort()).toEqual(left.sort())
    const again = await worker.fetch(prev!, { headers: { 'if-none-match': archive.headers.get('etag')! } })
    expect(again.status).toBe(304)
    const gzip = await worker.fetch(prev!, { headers: { 'accept-encoding': 'gzip' } })
    expect(gzip.headers.get('content-encoding')).toBe('gzip')
    expect(await gzip.text()).toBe(text)

    const outside = await worker.fetch(`${BASE}/kk/latest/archive/2019-12.atom`)
    expect(outside.status).toBe(404)
    expect(((await outside.json()) as { code: string }).code).toBe('ARCHIVE_MONTH_NOT_FOUND')
  }, 90_000)
})
