import { serve, type ServerType } from '@hono/node-server'
import { XMLParser } from 'fast-xml-parser'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sampleApp } from '../support/app.ts'
import { ROOT } from '../support/samples.ts'

// Debian's chromium, driven by playwright-core (no downloaded browser). Without it the test fails
// with the package to install; it never skips.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // No network: every host name fails to resolve except the test server's address.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
]
const SCREENSHOTS = join(ROOT, 'test/.artifacts/screenshots')

let server: ServerType | undefined
let base = ''
let profile = ''
let browser: BrowserContext | undefined
/** Requests the browser made anywhere but the test server. */
const offsite: string[] = []

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not at ${CHROMIUM}; the browser test needs it. Install it: apt-get install -y chromium ` +
        '(or set CHROMIUM_PATH).',
    )
  }
  const { app } = await sampleApp()
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  mkdirSync(SCREENSHOTS, { recursive: true })
  profile = mkdtempSync(join(tmpdir(), 'silkfeed-chromium-'))
  // One browser for the file; a fresh profile so nothing cached or remembered leaks in.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  })
  browser.on('request', (request) => {
    if (!request.url().startsWith(`${base}/`)) offsite.push(request.url())
  })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
  if (profile) rmSync(profile, { recursive: true, force: true })
})

function contentOf(format: 'atom' | 'json', text: string): { language: string; items: number } {
  if (format === 'json') {
    const feed = JSON.parse(text) as { language: string; items: unknown[] }
    return { language: feed.language, items: feed.items.length }
  }
  const feed = new XMLParser({ ignoreAttributes: false }).parse(text).feed
  return { language: feed['@_xml:lang'], items: [feed.entry].flat().length }
}

describe('the directory in headless Chromium, without network', () => {
  it.each([
    {
      accept: 'kk',
      locale: 'kk',
      tag: 'kk',
      title: 'Silkfeed арналарының каталогы',
      labels: ['Соңғы тақырыптар', 'Жазылу'],
      date: /^2022 ж\. \d{1,2} (қазан|қараша), \d\d:\d\d$/,
      feed: 'sco',
      format: 'atom' as const,
      type: 'application/atom+xml; charset=utf-8',
    },
    {
      accept: 'uz-Cyrl,ru;q=0.5',
      locale: 'uz-cyrl',
      tag: 'uz-Cyrl',
      title: 'Silkfeed ленталари каталоги',
      labels: ['Сўнгги сарлавҳалар', 'Обуна бўлиш'],
      date: /^2022-йил \d{1,2}-(октябр|ноябр), \d\d:\d\d$/,
      feed: 'latest',
      format: 'json' as const,
      type: 'application/feed+json; charset=utf-8',
    },
  ])(
    'shows / in $locale for Accept-Language $accept, and a subscribe link delivers the $format feed',
    async ({ accept, locale, tag, title, labels, date, feed, format, type }) => {
      const page = await browser!.newPage()
      await page.setExtraHTTPHeaders({ 'accept-language': accept })
      await page.goto(`${base}/`)
      expect(await page.getAttribute('html', 'lang')).toBe(tag)
      expect(await page.title()).toBe(title)
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(title)
      // The visitor's locale comes first, its labels and dates in that language and script.
      const own = page.locator('main > section').first()
      expect(await own.getAttribute('id')).toBe(locale)
      const visible = await own.innerText()
      for (const label of labels) expect(visible).toContain(label)
      const dates = await own.locator('time').allInnerTexts()
      expect(dates.length).toBeGreaterThan(0)
      for (const text of dates) expect(text).toMatch(date)
      await page.screenshot({ path: join(SCREENSHOTS, `directory-${locale}.png`), fullPage: true })

      const link = own.locator(`a[href="/${locale}/${feed}.${format}"]`)
      expect(await link.isVisible()).toBe(true)
      const url = `${base}/${locale}/${feed}.${format}`
      const [response] = await Promise.all([page.waitForResponse((r) => r.url() === url), link.click()])
      expect(response.status()).toBe(200)
      expect(response.headers()['content-type']).toBe(type)
      const delivered = contentOf(format, await response.text())
      expect(delivered.language).toBe(tag)
      expect(delivered.items).toBeGreaterThanOrEqual(4)
      await page.waitForURL(url)
      await page.screenshot({ path: join(SCREENSHOTS, `feed-${locale}-${feed}.${format}.png`) })
      await page.close()
      expect(offsite).toEqual([])
    },
  )

  it('switches the page language with its links', async () => {
    const page = await browser!.newPage()
    await page.setExtraHTTPHeaders({ 'accept-language': 'kk' })
    await page.goto(`${base}/`)
    await page.getByRole('navigation').getByRole('link', { name: 'Ўзбекча' }).click()
    await page.waitForURL(`${base}/?lang=uz-cyrl`)
    expect(await page.getAttribute('html', 'lang')).toBe('uz-Cyrl')
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Silkfeed ленталари каталоги')
    await page.close()
    expect(offsite).toEqual([])
  })
})
