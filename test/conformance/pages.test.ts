import { describe, expect, it } from 'vitest'
import { LOCALES } from '../../src/domain/locale.ts'
import { sampleApp } from '../support/app.ts'
import { attrOf, findAll, parseMarkup, xmllintProblems } from '../support/html.ts'
import { readRfc822 } from './rfc822.ts'

// Every human page and OPML list the sample catalogue produces, checked like the feeds: by the
// same xmllint, and parsed back.
async function everyOutput() {
  const { app } = await sampleApp()
  const html: Record<string, string> = {}
  const opml: Record<string, string> = {}
  for (const locale of LOCALES) {
    html[`directory.${locale}.html`] = await (await app.request(`/?lang=${locale}`)).text()
    opml[`feeds.${locale}.opml`] = await (await app.request(`/${locale}/feeds.opml`)).text()
    opml[`all.${locale}.opml`] = await (await app.request(`/feeds.opml?lang=${locale}`)).text()
    for (const feed of ['latest', 'sco']) {
      html[`${feed}.${locale}.html`] = await (await app.request(`/${locale}/${feed}`)).text()
    }
  }
  return { app, html, opml }
}

describe('pages and OPML of the sample catalogue', () => {
  it('are well-formed: every page as HTML and as XML, every OPML list as XML', async () => {
    const { html, opml } = await everyOutput()
    expect(Object.keys(html)).toHaveLength(LOCALES.length * 3)
    expect(await xmllintProblems(html, 'html')).toEqual([])
    expect(await xmllintProblems(html, 'xml')).toEqual([])
    expect(await xmllintProblems(opml, 'xml')).toEqual([])
  })

  it('OPML parses back to OPML 2.0 whose every feed and page URL answers', async () => {
    const { app, opml } = await everyOutput()
    for (const [name, text] of Object.entries(opml)) {
      const doc = parseMarkup(text).opml as Record<string, unknown>
      expect(attrOf(doc, 'version'), name).toBe('2.0')
      const head = doc.head as Record<string, unknown>
      expect(String(head.title).length, name).toBeGreaterThan(0)
      expect(readRfc822(String(head.dateModified)), name).toHaveProperty('instant')
      const feeds = findAll(doc.body, 'outline').filter((o) => attrOf(o, 'type') === 'rss')
      expect(feeds.length, name).toBe(name.startsWith('all.') ? LOCALES.length * 3 : 3)
      for (const outline of feeds) {
        for (const attr of ['text', 'title', 'xmlUrl', 'htmlUrl', 'language']) {
          expect(attrOf(outline, attr), `${name} ${attr}`).toBeTruthy()
        }
      }
    }
    const all = parseMarkup(opml['all.zh.opml']!).opml as Record<string, unknown>
    for (const outline of findAll(all.body, 'outline').filter((o) => attrOf(o, 'type') === 'rss')) {
      for (const url of [attrOf(outline, 'xmlUrl')!, attrOf(outline, 'htmlUrl')!]) {
        expect(url.startsWith('https://feeds.silkfeed.test/'), url).toBe(true)
        const res = await app.request(url.slice('https://feeds.silkfeed.test'.length))
        expect(res.status, url).toBe(200)
      }
    }
  })
})
