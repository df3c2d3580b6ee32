import { describe, expect, it } from 'vitest'
import { readPairs } from './pairs.ts'
import {
  simplifiedToTraditional,
  simplifiedToTraditionalHtml,
  TRADITIONAL_CHINESE_TAG,
} from '../../../src/domain/script/chinese.ts'

describe('simplifiedToTraditional', () => {
  it.each([
    ['头发', '頭髮'],
    ['干燥', '乾燥'],
    ['干部', '幹部'],
    ['后来', '後來'],
    ['皇后', '皇后'],
    ['一只猫', '一隻貓'],
  ])('converts %s to %s at phrase level (LOCALES.md §7)', (simplified, traditional) => {
    expect(simplifiedToTraditional(simplified)).toBe(traditional)
  })

  const PAIRS = readPairs('zh-hans-hant.tsv')

  it('has at least 100 real words and phrases to convert', () => {
    expect(PAIRS.length).toBeGreaterThanOrEqual(100)
  })

  it.each(PAIRS)('converts %s to %s', (simplified, traditional) => {
    expect(simplifiedToTraditional(simplified)).toBe(traditional)
  })

  it('converts the words in running text as it does alone', () => {
    const text = PAIRS.map(([s]) => s).join('，')
    expect(simplifiedToTraditional(text)).toBe(PAIRS.map(([, t]) => t).join('，'))
  })

  it('uses Taiwan standard forms, not the OpenCC reference forms', () => {
    expect(simplifiedToTraditional('里面 为了 群众 着急 峰会 面条')).toBe('裡面 為了 群眾 著急 峰會 麵條')
    expect(TRADITIONAL_CHINESE_TAG).toBe('zh-Hant-TW')
  })

  it('keeps mainland vocabulary (no twp phrase swaps)', () => {
    expect(simplifiedToTraditional('软件 信息 打印机 联系')).toBe('軟件 信息 打印機 聯繫')
  })

  it('converts news vocabulary', () => {
    expect(simplifiedToTraditional('上海合作组织峰会在乌兹别克斯坦撒马尔罕举行')).toBe(
      '上海合作組織峰會在烏茲別克斯坦撒馬爾罕舉行',
    )
    expect(simplifiedToTraditional('哈萨克斯坦总统托卡耶夫')).toBe('哈薩克斯坦總統托卡耶夫')
  })

  it('reads 个 before a word beginning with 中 as the measure word 個, keeping the literary 箇中', () => {
    expect(simplifiedToTraditional('迎来疫情后首个中国地方经贸代表团')).toBe(
      '迎來疫情後首個中國地方經貿代表團',
    )
    expect(simplifiedToTraditional('坚持一个中国原则，建设一个中心')).toBe('堅持一個中國原則，建設一個中心')
    expect(simplifiedToTraditional('个中滋味，个中原委，个中人')).toBe('箇中滋味，箇中原委，箇中人')
  })

  it('reads 并 before a verb beginning with 发 as "and" (並), keeping 併發 for "concurrent"', () => {
    expect(simplifiedToTraditional('外交部发表声明并发布了照片，并发出警告')).toBe(
      '外交部發表聲明並發佈了照片，並發出警告',
    )
    expect(simplifiedToTraditional('请签名，并发送 t=<Unix 秒数>')).toBe('請簽名，並發送 t=<Unix 秒數>')
    expect(simplifiedToTraditional('高并发系统，并发症')).toBe('高併發系統，併發症')
  })

  it('writes quotations with corner brackets, 「」 outside and 『』 inside (LOCALES.md §6)', () => {
    expect(simplifiedToTraditional('阿拉木图是“苹果之城”，依托‘双园互动’')).toBe(
      '阿拉木圖是「蘋果之城」，依託『雙園互動』',
    )
    expect(simplifiedToTraditional('他说：“这是‘一带一路’合作。”')).toBe('他說：「這是『一帶一路』合作。」')
  })

  it('keeps an apostrophe between Latin letters', () => {
    expect(simplifiedToTraditional('O’Brien说“it’s ‘Rock’”')).toBe('O’Brien說「it’s 『Rock』」')
  })

  it('leaves Latin, digits, punctuation and links alone', () => {
    expect(simplifiedToTraditional('据新华社报道（Xinhua），2022年9月：https://例子.中国/头发')).toBe(
      '據新華社報道（Xinhua），2022年9月：https://例子.中国/头发',
    )
  })
})

describe('simplifiedToTraditionalHtml', () => {
  it('writes quotations with corner brackets in text, attributes and character references', () => {
    expect(
      simplifiedToTraditionalHtml(
        '<p title="“头发”">“后来”，&ldquo;后来&rdquo;，&#8216;后来&#x2019;，O&rsquo;Brien &amp; <b>‘</b>头发<b>’</b></p>',
      ),
    ).toBe('<p title="「頭髮」">「後來」，「後來」，『後來』，O’Brien &amp; <b>『</b>頭髮<b>』</b></p>')
  })

  it('keeps an apostrophe after a Latin word that ends an element (<b>Trump</b>’s)', () => {
    expect(simplifiedToTraditionalHtml('<p><b>Trump</b>’s 说：‘<em>一带一路</em>’</p>')).toBe(
      '<p><b>Trump</b>’s 說：『<em>一帶一路</em>』</p>',
    )
  })

  it('converts text nodes and human-text attributes, and leaves markup, other attributes and entities intact', () => {
    const html = `<p title="头发" data-x='后来'>头发&amp;后来 <a href="/新闻/后来">一只猫</a><script>var s = '后来'</script></p>`
    expect(simplifiedToTraditionalHtml(html)).toBe(
      `<p title="頭髮" data-x='后来'>頭髮&amp;後來 <a href="/新闻/后来">一隻貓</a><script>var s = '后来'</script></p>`,
    )
  })
})
