import { describe, expect, it } from 'vitest'
import { readPairs } from './pairs.ts'
import { kazakhCyrillicToLatin, kazakhCyrillicToLatinHtml } from '../../../src/domain/script/kazakh.ts'
import { toTurkicLowerCase, toTurkicUpperCase } from '../../../src/domain/script/turkic-case.ts'

const PAIRS = readPairs('kk-cyrl-latn.tsv')

/** LOCALES.md §5: [Cyrillic, Latin lower, Latin title, Latin capitals]. */
const LETTERS: Array<[string, string, string, string]> = [
  ['а', 'a', 'A', 'A'],
  ['ә', 'ä', 'Ä', 'Ä'],
  ['б', 'b', 'B', 'B'],
  ['в', 'v', 'V', 'V'],
  ['г', 'g', 'G', 'G'],
  ['ғ', 'ğ', 'Ğ', 'Ğ'],
  ['д', 'd', 'D', 'D'],
  ['е', 'e', 'E', 'E'],
  ['ё', 'io', 'İo', 'İO'],
  ['ж', 'j', 'J', 'J'],
  ['з', 'z', 'Z', 'Z'],
  ['и', 'i', 'İ', 'İ'],
  ['й', 'i', 'İ', 'İ'],
  ['і', 'ı', 'I', 'I'],
  ['к', 'k', 'K', 'K'],
  ['қ', 'q', 'Q', 'Q'],
  ['л', 'l', 'L', 'L'],
  ['м', 'm', 'M', 'M'],
  ['н', 'n', 'N', 'N'],
  ['ң', 'ñ', 'Ñ', 'Ñ'],
  ['о', 'o', 'O', 'O'],
  ['ө', 'ö', 'Ö', 'Ö'],
  ['п', 'p', 'P', 'P'],
  ['р', 'r', 'R', 'R'],
  ['с', 's', 'S', 'S'],
  ['т', 't', 'T', 'T'],
  ['у', 'u', 'U', 'U'],
  ['ұ', 'ū', 'Ū', 'Ū'],
  ['ү', 'ü', 'Ü', 'Ü'],
  ['ф', 'f', 'F', 'F'],
  ['х', 'h', 'H', 'H'],
  ['һ', 'h', 'H', 'H'],
  ['ц', 'ts', 'Ts', 'TS'],
  ['ч', 'tş', 'Tş', 'TŞ'],
  ['ш', 'ş', 'Ş', 'Ş'],
  ['щ', 'şş', 'Şş', 'ŞŞ'],
  ['ъ', '', '', ''],
  ['ы', 'y', 'Y', 'Y'],
  ['ь', '', '', ''],
  ['э', 'e', 'E', 'E'],
  ['ю', 'iu', 'İu', 'İU'],
  ['я', 'ia', 'İa', 'İA'],
]

describe('kazakhCyrillicToLatin: the 2021 letter table', () => {
  it('covers all 42 letters of the Kazakh Cyrillic alphabet', () => {
    expect(LETTERS.map(([c]) => c).join('')).toBe('аәбвгғдеёжзийікқлмнңоөпрстуұүфхһцчшщъыьэюя')
  })

  it.each(LETTERS)(
    'writes %s as %s, %s in title case and %s in capitals',
    (cyrillic, lower, titled, capitals) => {
      expect(kazakhCyrillicToLatin(`б${cyrillic}`)).toBe(`b${lower}`)
      expect(kazakhCyrillicToLatin(`${cyrillic.toUpperCase()}б`)).toBe(`${titled}b`)
      expect(kazakhCyrillicToLatin(`${cyrillic.toUpperCase()}Б`)).toBe(`${capitals}B`)
    },
  )

  it('uses the Turkic pairs: и, й → i / İ and і → ı / I, never i̇ or a plain I for и', () => {
    expect(kazakhCyrillicToLatin('Иран ИРАН ілім ІЛІМ Ілияс ІЛИЯС')).toBe('İran İRAN ılım ILIM Iliias ILİİAS')
    expect(kazakhCyrillicToLatin('Иран ИРАН Ілияс ІЛИЯС')).not.toMatch(/i\u0307|\u0307/)
  })

  it('reproduces the LOCALES.md samples', () => {
    expect(kazakhCyrillicToLatin('Қазақстан Республикасы')).toBe('Qazaqstan Respublikasy')
    expect(kazakhCyrillicToLatin('кісі шаһарының үйіне')).toBe('kısı şaharynyñ üiıne')
    expect(kazakhCyrillicToLatin('2022 ж. 6 қараша, жексенбі, 13:12')).toBe(
      '2022 j. 6 qaraşa, jeksenbı, 13:12',
    )
  })

  it('writes the adapted ö and ü in the Russian loans of its word list, and the mechanical io and iu elsewhere', () => {
    expect(kazakhCyrillicToLatin('Актёр, АКТЁРЛАР, режиссёрдың шофёры')).toBe(
      'Aktör, AKTÖRLAR, rejissördyñ şoföry',
    )
    expect(kazakhCyrillicToLatin('Бюро, бюрократия, ЖЮРИ, брошюра')).toBe('Büro, bürokratiia, JÜRİ, broşüra')
    expect(kazakhCyrillicToLatin('юбилей, компьютер, қоян')).toBe('iubilei, kompiuter, qoian')
  })

  it('emits NFC, from decomposed input too (и + breve, е + diaeresis)', () => {
    const out = kazakhCyrillicToLatin('ай а\u0438\u0306 ЁЛКА ә ү')
    expect(out).toBe('ai ai İOLKA ä ü')
    expect(out).toBe(out.normalize('NFC'))
    expect(kazakhCyrillicToLatin('и\u0306е\u0308')).toBe('iio')
  })

  it('leaves Latin letters, digits, links and other scripts alone', () => {
    expect(kazakhCyrillicToLatin('iPhone 15, MBA, https://akorda.kz/kz/news және info@gov.kz, 上海')).toBe(
      'iPhone 15, MBA, https://akorda.kz/kz/news jäne info@gov.kz, 上海',
    )
  })
})

describe('kazakhCyrillicToLatin: real words and phrases', () => {
  it(`has at least 100 pairs (${PAIRS.length})`, () => {
    expect(PAIRS.length).toBeGreaterThanOrEqual(100)
  })

  it.each(PAIRS)('writes %s as %s', (cyrillic, latin) => {
    expect(kazakhCyrillicToLatin(cyrillic)).toBe(latin)
  })

  it('keeps every expected output in NFC', () => {
    for (const [, latin] of PAIRS) expect(latin).toBe(latin.normalize('NFC'))
  })
})

describe('Turkic casing', () => {
  it('upper-cases i to İ and ı to I', () => {
    expect(toTurkicUpperCase('iı kısı respublikasy')).toBe('İI KISI RESPUBLİKASY')
  })

  it('lower-cases İ to i and I to ı, never to i̇', () => {
    expect(toTurkicLowerCase('İI KISI RESPUBLİKASY')).toBe('iı kısı respublikasy')
    expect(toTurkicLowerCase('I\u0307STANBUL')).toBe('istanbul')
    expect(toTurkicLowerCase('İSTANBUL')).not.toContain('\u0307')
  })

  it('agrees with the tr locale of ICU', () => {
    const sample = 'Qazaqstan İran ılım ÜİINE şaharynyñ Ğ Ū Ö Ä Ñ'
    expect(toTurkicUpperCase(sample)).toBe(sample.toLocaleUpperCase('tr'))
    expect(toTurkicLowerCase(sample)).toBe(sample.toLocaleLowerCase('tr'))
  })

  it('round-trips any converter output', () => {
    for (const [, latin] of PAIRS)
      expect(toTurkicLowerCase(toTurkicUpperCase(latin))).toBe(toTurkicLowerCase(latin))
  })
})

describe('HTML', () => {
  it('converts text nodes and human-text attributes, and leaves markup, other attributes and entities intact', () => {
    const html =
      `<h2 title='Қазақстан'>Қазақстан &amp; Өзбекстан</h2><p>Ақорда: <a href="https://akorda.kz/кк">сайт</a>` +
      `&nbsp;«Doing Business with Russia»<!-- түсініктеме --><style>.ұ{}</style></p>`
    expect(kazakhCyrillicToLatinHtml(html)).toBe(
      `<h2 title='Qazaqstan'>Qazaqstan &amp; Özbekstan</h2><p>Aqorda: <a href="https://akorda.kz/кк">sait</a>` +
        `&nbsp;«Doing Business with Russia»<!-- түсініктеме --><style>.ұ{}</style></p>`,
    )
  })
})
