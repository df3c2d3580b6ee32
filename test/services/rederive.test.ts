import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/domain/article.ts'
import { deriveRecord, derivedLocalesOf, normalizeRecord } from '../../src/domain/derive.ts'
import type { Locale } from '../../src/domain/locale.ts'
import { ArticleRepository } from '../../src/services/article-repository.ts'
import { runMaintenance } from '../../src/services/maintenance.ts'
import { appOver, serviceOver } from '../support/app.ts'
import { MemoryObjectStore } from '../support/memory-store.ts'
import { loadSamples } from '../support/samples.ts'
import { sourceLettersIn, VARIANTS } from '../support/script-letters.ts'

const MOSCOW_ALT_SIMPLIFIED = '上合示范区—莫斯科格林伍德国际贸易中心园中园揭牌仪式'
const MOSCOW_ALT_TRADITIONAL = '上合示範區—莫斯科格林伍德國際貿易中心園中園揭牌儀式'

const altsOf = (html: string) => [...html.matchAll(/alt="([^"]*)"/g)].map((m) => m[1]!)

/** A variant as the release before attribute conversion stored it: `alt` left in the source script. */
function asEarlierRelease(variant: Article, source: Article): Article {
  const { derivation: _, ...rest } = variant
  const sourceAlts = altsOf(source.contentHtml ?? '')
  let i = 0
  const contentHtml = variant.contentHtml?.replace(/alt="[^"]*"/g, () => `alt="${sourceAlts[i++]}"`)
  return { ...rest, ...(contentHtml !== undefined && { contentHtml }) }
}

/** A store holding the samples with every variant derived by the earlier release. */
async function storeOfEarlierRelease(): Promise<{ store: MemoryObjectStore; variants: number }> {
  const store = new MemoryObjectStore()
  const repo = new ArticleRepository(store)
  let variants = 0
  for (const raw of loadSamples()) {
    const record = normalizeRecord(raw)
    await repo.putVersion(record)
    for (const target of derivedLocalesOf(record.locale)) {
      await repo.putVersion(asEarlierRelease(deriveRecord(record, target), record))
      variants++
    }
  }
  return { store, variants }
}

const maintain = (store: MemoryObjectStore) =>
  runMaintenance(store, serviceOver(store), {
    now: Date.now(),
    idempotencyMs: 3_600_000,
    changeLogMs: 3_600_000,
  })

async function contentOf(store: MemoryObjectStore, locale: Locale): Promise<string> {
  const response = await appOver(store).request(`/${locale}/sco.json`)
  const feed = (await response.json()) as { items: { content_html: string }[] }
  return feed.items.map((item) => item.content_html).join('\n')
}

describe('variants stored by an earlier release of the converters', () => {
  it('are derived again by the next maintenance run, so image descriptions reach readers converted', async () => {
    const { store, variants } = await storeOfEarlierRelease()
    expect(await contentOf(store, 'zh-hant')).toContain(MOSCOW_ALT_SIMPLIFIED)

    const report = await maintain(store)

    expect(report.variantsRederived).toBe(variants)
    const zhHant = await contentOf(store, 'zh-hant')
    expect(zhHant).toContain(MOSCOW_ALT_TRADITIONAL)
    expect(zhHant).not.toContain(MOSCOW_ALT_SIMPLIFIED)
    for (const { variant } of VARIANTS) {
      const alts = altsOf(await contentOf(store, variant))
      expect(alts.length).toBeGreaterThan(0)
      expect(alts.filter((alt) => sourceLettersIn(variant, alt).length > 0)).toEqual([])
    }
  })

  it('are derived again once: the next run reads one marker and stores nothing', async () => {
    const { store } = await storeOfEarlierRelease()
    await maintain(store)
    const keys = await store.list('articles/')
    expect((await maintain(store)).variantsRederived).toBe(0)
    expect(await store.list('articles/')).toEqual(keys)
  })

  it('leave a variant an editor sent, and one pulled after its source last changed, as they are', async () => {
    const { store } = await storeOfEarlierRelease()
    const repo = new ArticleRepository(store)
    const uz = loadSamples().find((r) => r.locale === 'uz' && r.id === 'sco-moscow-presentation')!
    const own: Article = { ...normalizeRecord(uz), locale: 'uz-cyrl', title: 'Таҳририят ёзган сарлавҳа' }
    await repo.putVersion(own)
    const kk = loadSamples().find((r) => r.locale === 'kk' && r.id === 'sco-moscow-presentation')!
    await repo.putRetraction('kk-latn', kk.id, '2026-01-01T00:00:00Z', true)

    await maintain(store)

    expect(await repo.current('uz-cyrl', uz.id)).toMatchObject({ kind: 'live', derived: false, record: own })
    expect(await repo.current('kk-latn', kk.id)).toMatchObject({ kind: 'retracted', derived: true })
  })
})
