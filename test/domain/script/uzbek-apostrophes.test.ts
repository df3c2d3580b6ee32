import { describe, expect, it } from 'vitest'
import {
  decodeApostropheReferences,
  normalizeUzbekLatin,
  normalizeUzbekLatinHtml,
} from '../../../src/domain/script/uzbek-apostrophes.ts'

const OK = 'O\u02BBzbekiston' // U+02BB
const TAALIM = 'ta\u02BClim' // U+02BC

describe('normalizeUzbekLatin', () => {
  it.each([
    ["O'zbekiston", 'U+0027'],
    ['O‘zbekiston', 'U+2018'],
    ['O’zbekiston', 'U+2019'],
    ['O`zbekiston', 'U+0060'],
    ['O´zbekiston', 'U+00B4'],
    ['Oʼzbekiston', 'U+02BC'],
    ['Oʻzbekiston', 'U+02BB'],
  ])('writes oʻ with U+02BB whatever the editor typed (%s, %s)', (input) => {
    expect(normalizeUzbekLatin(input)).toBe(OK)
  })

  it('normalizes gʻ in lower and upper case, inside and at the end of a word', () => {
    expect(normalizeUzbekLatin("G'afur G‘ulom, tog' va bog’")).toBe('Gʻafur Gʻulom, togʻ va bogʻ')
    expect(normalizeUzbekLatin("O'ZBEKISTON TOG'LARI")).toBe('OʻZBEKISTON TOGʻLARI')
  })

  it.each([
    ["ta'lim", TAALIM],
    ['ta’lim', TAALIM],
    ['ta‘lim', TAALIM],
    ['taʻlim', TAALIM],
    ["Qur'on", 'Qurʼon'],
    ["san'at", 'sanʼat'],
    ["e'lon", 'eʼlon'],
  ])('writes the tutuq belgisi between other letters with U+02BC (%s)', (input, expected) => {
    expect(normalizeUzbekLatin(input)).toBe(expected)
  })

  it('leaves apostrophes that are not between letters alone', () => {
    expect(normalizeUzbekLatin("80-'yillar, ' , men' u")).toBe("80-'yillar, ' , men' u")
  })

  it('keeps single quotation marks that open and close a quotation', () => {
    expect(normalizeUzbekLatin("'Kino' va 'O'zbekiston' so'zlari")).toBe("'Kino' va 'Oʻzbekiston' soʻzlari")
    expect(normalizeUzbekLatin('‘Bog‘’ filmi')).toBe('‘Bogʻ’ filmi')
  })

  it('does not carry an unclosed quotation into the next paragraph', () => {
    expect(normalizeUzbekLatin("'90-yillar\ntog'")).toBe("'90-yillar\ntogʻ")
  })

  it('leaves URLs and e-mail addresses alone', () => {
    expect(normalizeUzbekLatin("https://kun.uz/o'zbek-tili va o'zbek@mail.uz, o'zbek")).toBe(
      "https://kun.uz/o'zbek-tili va o'zbek@mail.uz, oʻzbek",
    )
  })

  it('is idempotent', () => {
    const once = normalizeUzbekLatin("O'zbekiston ta'lim 'Kino' tog'")
    expect(normalizeUzbekLatin(once)).toBe(once)
  })
})

describe('normalizeUzbekLatinHtml', () => {
  it('normalizes text nodes and human-text attributes, and ends single-quoted values where browsers do', () => {
    const html = `<a href='https://kun.uz/x' title='O&#39;zbek'>O'zbekiston</a> <img alt='ta'lim'>`
    expect(normalizeUzbekLatinHtml(html)).toBe(
      `<a href='https://kun.uz/x' title='Oʻzbek'>${OK}</a> <img alt='ta'lim'>`,
    )
  })

  it('resolves apostrophe references between letters and keeps every other reference', () => {
    expect(normalizeUzbekLatinHtml('<p>O&#8217;zbekiston &amp; ta&rsquo;lim &#8216;Kino&#8217;</p>')).toBe(
      `<p>${OK} &amp; ${TAALIM} &#8216;Kino&#8217;</p>`,
    )
  })

  it('decodes only apostrophe references that sit between two letters', () => {
    expect(decodeApostropheReferences('O&#x2BB;z &#39;a tog&apos; a&amp;b')).toBe(
      "O'z &#39;a tog&apos; a&amp;b",
    )
  })
})
