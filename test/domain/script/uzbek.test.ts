import { describe, expect, it } from 'vitest'
import { readPairs } from './pairs.ts'
import { uzbekLatinToCyrillic, uzbekLatinToCyrillicHtml } from '../../../src/domain/script/uzbek.ts'
import { uzbekCyrillicToLatin, uzbekCyrillicToLatinHtml } from '../../../src/domain/script/uzbek-to-latin.ts'

const CYRILLIC_TO_LATIN = readPairs('uz-cyrl-latn.tsv')
const LATIN_TO_CYRILLIC = readPairs('uz-latn-cyrl.tsv')

/** LOCALES.md §4, the letters without context rules: [Cyrillic, Latin]. */
const PLAIN_LETTERS: Array<[string, string]> = [
  ['а', 'a'],
  ['б', 'b'],
  ['в', 'v'],
  ['г', 'g'],
  ['д', 'd'],
  ['ж', 'j'],
  ['з', 'z'],
  ['и', 'i'],
  ['й', 'y'],
  ['к', 'k'],
  ['л', 'l'],
  ['м', 'm'],
  ['н', 'n'],
  ['о', 'o'],
  ['п', 'p'],
  ['р', 'r'],
  ['с', 's'],
  ['т', 't'],
  ['у', 'u'],
  ['ф', 'f'],
  ['х', 'x'],
  ['ҳ', 'h'],
  ['қ', 'q'],
  ['ғ', 'gʻ'],
  ['ў', 'oʻ'],
  ['ч', 'ch'],
  ['ш', 'sh'],
  ['ё', 'yo'],
  ['ю', 'yu'],
  ['я', 'ya'],
  ['э', 'e'],
  ['щ', 'sh'],
  ['ы', 'i'],
]

const title = (latin: string) => latin.charAt(0).toUpperCase() + latin.slice(1)

describe('uzbekCyrillicToLatin: the letter table', () => {
  it.each(PLAIN_LETTERS)('writes %s as %s, in lower case, title case and capitals', (cyrillic, latin) => {
    expect(uzbekCyrillicToLatin(`б${cyrillic}`)).toBe(`b${latin}`)
    expect(uzbekCyrillicToLatin(`${cyrillic.toUpperCase()}б`)).toBe(`${title(latin)}b`)
    expect(uzbekCyrillicToLatin(`${cyrillic.toUpperCase()}Б`)).toBe(`${latin.toUpperCase()}B`)
  })

  it('writes oʻ and gʻ with U+02BB and the tutuq belgisi with U+02BC', () => {
    expect(uzbekCyrillicToLatin('ў ғ маъно')).toBe('o\u02BB g\u02BB ma\u02BCno')
  })

  it('writes capitals the way the word is written: Шаҳар → Shahar, ШАҲАР → SHAHAR', () => {
    expect(uzbekCyrillicToLatin('Шаҳар ШАҲАР шаҳар')).toBe('Shahar SHAHAR shahar')
    expect(uzbekCyrillicToLatin('Чорсу ЧОРСУ Ёшлар ЁШЛАР Юнус ЮНУС Ялта ЯЛТА')).toBe(
      'Chorsu CHORSU Yoshlar YOSHLAR Yunus YUNUS Yalta YALTA',
    )
  })

  it('writes a capital digraph at the end of an all-capital abbreviation in capitals', () => {
    expect(uzbekCyrillicToLatin('АҚШ ШҲТ МДҲ ЎзА')).toBe('AQSH SHHT MDH OʻzA')
  })

  it('writes a single capital initial in title case', () => {
    expect(uzbekCyrillicToLatin('Ш. Мирзиёев, Ю. Шукуров, Ч. Айтматов')).toBe(
      'Sh. Mirziyoyev, Yu. Shukurov, Ch. Aytmatov',
    )
  })
})

describe('uzbekCyrillicToLatin: the context rules of 1995', () => {
  it.each([
    ['етти', 'yetti', 'at the start of a word'],
    ['Ер', 'Yer', 'at the start of a capitalized word'],
    ['ЕВРОПА', 'YEVROPA', 'at the start of an all-capital word'],
    ['қаерда', 'qayerda', 'after a vowel'],
    ['поезд', 'poyezd', 'after a vowel'],
    ['объект', 'obyekt', 'after ъ'],
    ['Вьетнам', 'Vyetnam', 'after ь'],
    ['кеча', 'kecha', 'after a consonant (e)'],
    ['янги-ер', 'yangi-yer', 'after a hyphen, a new word'],
  ])('writes е in %s as %s (%s)', (cyrillic, latin) => {
    expect(uzbekCyrillicToLatin(cyrillic)).toBe(latin)
  })

  it.each([
    ['цирк', 'sirk', 'at the start of a word'],
    ['кварц', 'kvars', 'at the end of a word'],
    ['шприц', 'shpris', 'at the end of a word, after a vowel'],
    ['функция', 'funksiya', 'after a consonant'],
    ['антициклон', 'antisiklon', 'after a prefix'],
    ['федерация', 'federatsiya', 'after a vowel inside a word'],
    ['ЦЕХ', 'SEX', 'at the start of an all-capital word'],
    ['ФЕДЕРАЦИЯ', 'FEDERATSIYA', 'after a vowel inside an all-capital word'],
    ['Цинк', 'Sink', 'at the start of a capitalized word'],
  ])('writes ц in %s as %s (%s)', (cyrillic, latin) => {
    expect(uzbekCyrillicToLatin(cyrillic)).toBe(latin)
  })

  it('writes ъ as ʼ, drops it after ў and before е, ё, ю, я', () => {
    expect(uzbekCyrillicToLatin('маъно мўъжиза объект съёмка адъютант МАЪНО')).toBe(
      'maʼno moʻjiza obyekt syomka adyutant MAʼNO',
    )
  })

  it('drops ь, except that ьо becomes yo', () => {
    expect(uzbekCyrillicToLatin('мебель Польша бульон БУЛЬОН компьютер')).toBe(
      'mebel Polsha bulyon BULYON kompyuter',
    )
  })

  it('writes сҳ as sʼh, distinct from ш', () => {
    expect(uzbekCyrillicToLatin('Исҳоқ ИСҲОҚ Ишоқ')).toBe('Isʼhoq ISʼHOQ Ishoq')
  })

  it('writes the months сентябр and октябр as sentabr and oktabr, with or without ь and endings', () => {
    expect(uzbekCyrillicToLatin('сентябр октябр Сентябрь ОКТЯБРЬ 1-сентябрдан ноябр')).toBe(
      'sentabr oktabr Sentabr OKTABR 1-sentabrdan noyabr',
    )
  })

  it('leaves Latin letters, digits, links and other scripts alone', () => {
    expect(
      uzbekCyrillicToLatin(
        '«Doing Business with Russia» ва MBA: https://президент.уз/ru, press@gov.uz, 2024 йил, 上海',
      ),
    ).toBe('«Doing Business with Russia» va MBA: https://президент.уз/ru, press@gov.uz, 2024 yil, 上海')
  })

  it('accepts decomposed input (у + breve, и + breve) and composes it first', () => {
    expect(uzbekCyrillicToLatin('у\u0306збек и\u0306ил')).toBe('oʻzbek yil')
  })
})

describe('uzbekCyrillicToLatin: real words and phrases', () => {
  it(`has at least 100 pairs (${CYRILLIC_TO_LATIN.length})`, () => {
    expect(CYRILLIC_TO_LATIN.length).toBeGreaterThanOrEqual(100)
  })

  it.each(CYRILLIC_TO_LATIN)('writes %s as %s', (cyrillic, latin) => {
    expect(uzbekCyrillicToLatin(cyrillic)).toBe(latin)
  })
})

/** LOCALES.md §4, Latin letters and digraphs: [Latin, Cyrillic], inside a word (after b). */
const LATIN_UNITS: Array<[string, string]> = [
  ['a', 'а'],
  ['b', 'б'],
  ['d', 'д'],
  ['e', 'е'],
  ['f', 'ф'],
  ['g', 'г'],
  ['h', 'ҳ'],
  ['i', 'и'],
  ['j', 'ж'],
  ['k', 'к'],
  ['l', 'л'],
  ['m', 'м'],
  ['n', 'н'],
  ['o', 'о'],
  ['p', 'п'],
  ['q', 'қ'],
  ['r', 'р'],
  ['s', 'с'],
  ['t', 'т'],
  ['u', 'у'],
  ['v', 'в'],
  ['x', 'х'],
  ['y', 'й'],
  ['z', 'з'],
  ['oʻ', 'ў'],
  ['gʻ', 'ғ'],
  ['sh', 'ш'],
  ['ch', 'ч'],
  ['yo', 'ё'],
  ['yu', 'ю'],
  ['ya', 'я'],
  ['ye', 'е'],
  ['ng', 'нг'],
  ['ʼ', 'ъ'],
]

describe('uzbekLatinToCyrillic: the letter table', () => {
  it.each(LATIN_UNITS)('writes %s as %s, in lower case, title case and capitals', (latin, cyrillic) => {
    expect(uzbekLatinToCyrillic(`bob${latin}b`)).toBe(`боб${cyrillic}б`)
    const titled = title(latin) === latin ? cyrillic : title(cyrillic) // ʼ has no case
    expect(uzbekLatinToCyrillic(`B${title(latin)}bob matn`)).toBe(`Б${titled}боб матн`)
    expect(uzbekLatinToCyrillic(`BOB${latin.toUpperCase()}BO`)).toBe(`БОБ${cyrillic.toUpperCase()}БО`)
  })

  it('writes e as э at the start of a word and after a vowel, е elsewhere', () => {
    expect(uzbekLatinToCyrillic('ekran Eron poeziya aeroport Venesuela kecha')).toBe(
      'экран Эрон поэзия аэропорт Венесуэла кеча',
    )
  })

  it('writes ye as е, after a vowel too', () => {
    expect(uzbekLatinToCyrillic('yetti Yevropa qayerda poyezd')).toBe('етти Европа қаерда поезд')
  })

  it('keeps y and oʻ apart in yoʻl, and writes yo as ё elsewhere', () => {
    expect(uzbekLatinToCyrillic('yoʻl YOʻL yoshlar dunyo')).toBe('йўл ЙЎЛ ёшлар дунё')
  })

  it('writes sʼh as сҳ and sh as ш (Ishoq without the mark is read as Ишоқ)', () => {
    expect(uzbekLatinToCyrillic("Isʼhoq Is'hoq Ishoq ISʼHOQ")).toBe('Исҳоқ Исҳоқ Ишоқ ИСҲОҚ')
  })

  it('writes ts as тс by default (ketsa, otsiz) and as ц in tsiya/tsion after a vowel', () => {
    expect(uzbekLatinToCyrillic('ketsa otsiz aytsa federatsiya militsioner ratsion koeffitsiyent')).toBe(
      'кетса отсиз айтса федерация милиционер рацион коэффициент',
    )
  })

  it('writes ts at the start of a word as ц (tsirk, Tsindao), and sz as цз in Chinese names', () => {
    expect(uzbekLatinToCyrillic('tsirk Tsindao TSEMENT Si Szinpin Lyu Szyanszyun')).toBe(
      'цирк Циндао ЦЕМЕНТ Си Цзинпин Лю Цзянцзюн',
    )
    expect(uzbekLatinToCyrillic('ketsa otsiz SI SZINPIN')).toBe('кетса отсиз СИ ЦЗИНПИН')
  })

  it('writes ksiya/ksion and nsiya with ц, but keeps s in aksioma and pensiya', () => {
    expect(
      uzbekLatinToCyrillic('aksiya reaksion funksiya konferensiya Fransiya aksioma pensiya pensioner'),
    ).toBe('акция реакцион функция конференция Франция аксиома пенсия пенсионер')
  })

  it('takes ц, й, ь, ъ, щ, ы and я from the exception list, with endings', () => {
    expect(
      uzbekLatinToCyrillic(
        'sirk sirkda sex sexlari kvars rayon rayonlarda mayor mebel obshina vimpel moʻjiza sentabrdan obyektlari',
      ),
    ).toBe(
      'цирк циркда цех цехлари кварц район районларда майор мебель община вымпел мўъжиза сентябрдан объектлари',
    )
  })

  it('does not let a short exception swallow a different word (sirka is vinegar, not a circus)', () => {
    expect(uzbekLatinToCyrillic('sirka sexr')).toBe('сирка сехр')
  })

  it('keeps the case of an exception: RAYONLAR, Sirk, sirk', () => {
    expect(uzbekLatinToCyrillic('Sirk sirk, RAYONLAR Rayon')).toBe('Цирк цирк, РАЙОНЛАР Район')
  })

  it('accepts every apostrophe look-alike', () => {
    expect(
      uzbekLatinToCyrillic("O'zbekiston O‘zbekiston O’zbekiston O`zbekiston ta'lim ta’lim G‘ulom tog'"),
    ).toBe('Ўзбекистон Ўзбекистон Ўзбекистон Ўзбекистон таълим таълим Ғулом тоғ')
  })
})

describe('uzbekLatinToCyrillic: what is not Uzbek stays in Latin', () => {
  it('never converts URLs, domains or e-mail addresses', () => {
    expect(uzbekLatinToCyrillic("Manba: https://kun.uz/news/o'zbekiston, Kun.uz va press@gov.uz")).toBe(
      "Манба: https://kun.uz/news/o'zbekiston, Kun.uz ва press@gov.uz",
    )
  })

  it('keeps foreign all-capital acronyms of 2–5 letters but converts Uzbek ones', () => {
    expect(uzbekLatinToCyrillic('MBA dasturi, SCO va IT sohasi; SHHT, BMT, AQSH, MDH va NATO')).toBe(
      'MBA дастури, SCO ва IT соҳаси; ШҲТ, БМТ, АҚШ, МДҲ ва НАТО',
    )
  })

  it('keeps a field that is a lone foreign acronym (a tag, a credit, an author) in Latin', () => {
    for (const field of ['MBA', 'AFP', 'AP', 'EPA', 'IT', 'AFP/EPA']) {
      expect(uzbekLatinToCyrillic(field)).toBe(field)
    }
    expect(uzbekLatinToCyrillic('BMT')).toBe('БМТ')
    expect(uzbekLatinToCyrillic('TOSHKENT')).toBe('ТОШКЕНТ')
  })

  it('keeps a lone acronym in an HTML text run or attribute in Latin, and converts all-capital headlines', () => {
    expect(
      uzbekLatinToCyrillicHtml('<p><a href="/mba">MBA</a> dasturi, <img alt="AFP" src="x.jpg"></p>'),
    ).toBe('<p><a href="/mba">MBA</a> дастури, <img alt="AFP" src="x.jpg"></p>')
    expect(uzbekLatinToCyrillicHtml('<h1>XALQ <b>SOʻZI</b></h1><h2>BMT</h2>')).toBe(
      '<h1>ХАЛҚ <b>СЎЗИ</b></h1><h2>БМТ</h2>',
    )
  })

  it('converts every word of an all-capital headline, or of an all-capital phrase in running text', () => {
    expect(uzbekLatinToCyrillic('XALQ SOʻZI')).toBe('ХАЛҚ СЎЗИ')
    expect(uzbekLatinToCyrillic('gazeta: «XALQ SOʻZI» va MBA')).toBe('газета: «ХАЛҚ СЎЗИ» ва MBA')
    expect(uzbekLatinToCyrillic('shior: YANGI KUN, MBA SHHT')).toBe('шиор: ЯНГИ КУН, MBA ШҲТ')
  })

  it('keeps words with letters Uzbek Latin lacks (w, c outside ch, accented letters)', () => {
    expect(uzbekLatinToCyrillic('Société Générale va Washington shahri')).toBe(
      'Société Générale ва Washington шаҳри',
    )
  })

  it('keeps capitalized words that directly follow such a word: Financial Times, Wall Street Journal', () => {
    expect(uzbekLatinToCyrillic('Financial Times va Wall Street Journal gazetalari')).toBe(
      'Financial Times ва Wall Street Journal газеталари',
    )
  })

  it('converts an English name without such letters: the heuristic is not a language detector', () => {
    expect(uzbekLatinToCyrillic('Reuters xabar berdi')).toBe('Реутерс хабар берди')
  })

  it('keeps a whole quotation that contains such a word', () => {
    expect(uzbekLatinToCyrillic('«Doing Business with Russia» forumi va “Yangi Oʻzbekiston” gazetasi')).toBe(
      '«Doing Business with Russia» форуми ва “Янги Ўзбекистон” газетаси',
    )
  })
})

describe('uzbekLatinToCyrillic: real words and phrases', () => {
  it(`has at least 100 pairs (${LATIN_TO_CYRILLIC.length})`, () => {
    expect(LATIN_TO_CYRILLIC.length).toBeGreaterThanOrEqual(100)
  })

  it.each(LATIN_TO_CYRILLIC)('writes %s as %s', (latin, cyrillic) => {
    expect(uzbekLatinToCyrillic(latin)).toBe(cyrillic)
  })
})

/** Cyrillic spellings the Latin alphabet cannot tell apart: Октябрь and Октябр are both Oktabr. */
const LOSSY_ROUND_TRIPS = ['Октябрь']

describe('Cyrillic → Latin → Cyrillic', () => {
  const failures = CYRILLIC_TO_LATIN.filter(
    ([cyrillic]) => uzbekLatinToCyrillic(uzbekCyrillicToLatin(cyrillic)) !== cyrillic,
  ).map(([cyrillic]) => cyrillic)

  it(`gives back the original word for ${CYRILLIC_TO_LATIN.length - failures.length} of ${CYRILLIC_TO_LATIN.length} pairs`, () => {
    expect(failures).toEqual(LOSSY_ROUND_TRIPS)
  })

  it('loses only what the Latin alphabet cannot carry', () => {
    expect(uzbekCyrillicToLatin('Октябрь')).toBe('Oktabr')
    expect(uzbekLatinToCyrillic('Oktabr')).toBe('Октябр')
  })
})

describe('HTML', () => {
  const html =
    `<p class='lead' data-title="Шаҳар">Тошкент &amp; Самарқанд&nbsp;— <a href='https://kun.uz/uz/news'>ЎзА</a>` +
    ` <!-- изоҳ --><script>var шаҳар = 'x'</script><img alt='маъно' src="/o'z.png">маъно</p>`

  it('converts Cyrillic text nodes and human-text attributes to Latin and leaves markup, other attributes and entities intact', () => {
    expect(uzbekCyrillicToLatinHtml(html)).toBe(
      `<p class='lead' data-title="Шаҳар">Toshkent &amp; Samarqand&nbsp;— <a href='https://kun.uz/uz/news'>OʻzA</a>` +
        ` <!-- изоҳ --><script>var шаҳар = 'x'</script><img alt='maʼno' src="/o'z.png">maʼno</p>`,
    )
  })

  it('converts Latin text nodes to Cyrillic, resolving apostrophe references between letters', () => {
    const latin =
      `<h1 title='O&#39;zbekiston'>O&#8217;zbekiston &amp; MBA</h1>` +
      `<p>Batafsil: <a href="https://kun.uz/o'zbek">kun.uz</a>, &laquo;ta&rsquo;lim&raquo; &#8216;Kino&#8217;</p>`
    expect(uzbekLatinToCyrillicHtml(latin)).toBe(
      `<h1 title='Ўзбекистон'>Ўзбекистон &amp; MBA</h1>` +
        `<p>Батафсил: <a href="https://kun.uz/o'zbek">kun.uz</a>, &laquo;таълим&raquo; &#8216;Кино&#8217;</p>`,
    )
  })

  it('keeps a foreign quotation whole when its marks are character references', () => {
    expect(
      uzbekLatinToCyrillicHtml(
        '<p>&#8220;Doing Business with Russia&#8221; MBA dasturi, &ldquo;Doing Business with Russia&rdquo;, ' +
          '&laquo;Wall Street&raquo; va &ldquo;Yangi Oʻzbekiston&rdquo; gazetasi</p>',
      ),
    ).toBe(
      '<p>&#8220;Doing Business with Russia&#8221; MBA дастури, &ldquo;Doing Business with Russia&rdquo;, ' +
        '&laquo;Wall Street&raquo; ва &ldquo;Янги Ўзбекистон&rdquo; газетаси</p>',
    )
  })

  it('round-trips the text of a fragment', () => {
    const cyrillic = '<ul><li>Шанхай ҳамкорлик ташкилоти</li><li>Ўзбекистон Республикаси</li></ul>'
    expect(uzbekLatinToCyrillicHtml(uzbekCyrillicToLatinHtml(cyrillic))).toBe(cyrillic)
  })
})
