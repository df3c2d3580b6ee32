/**
 * Uzbek Latin → Cyrillic words whose Cyrillic spelling the letter rules cannot recover
 * (LOCALES.md §4, "Latin → Cyrillic hard cases"). Keys are lower-case Latin with oʻ/gʻ in U+02BB
 * and the tutuq belgisi in U+02BC; values are lower-case Cyrillic.
 *
 * A key matches the start of a word. Keys of six letters or more take any ending (federatsiyasi,
 * sentabrda); shorter keys only take the inflections in UZBEK_ENDINGS, so that `sirk` (цирк) does
 * not swallow `sirka` (сирка, vinegar).
 */
export const UZBEK_LATIN_EXCEPTIONS: ReadonlyMap<string, string> = new Map([
  // Names of our own that stay in Latin in Cyrillic text
  ['silkfeed', 'silkfeed'],
  // ц written s at the start of a word or after a consonant
  ['sirk', 'цирк'],
  ['sex', 'цех'],
  ['sement', 'цемент'],
  ['sentr', 'центр'],
  ['sentner', 'центнер'],
  ['sikl', 'цикл'],
  ['siklon', 'циклон'],
  ['antisiklon', 'антициклон'],
  ['silindr', 'цилиндр'],
  ['sink', 'цинк'],
  ['sitata', 'цитата'],
  ['senzura', 'цензура'],
  ['sivilizatsiya', 'цивилизация'],
  ['sunami', 'цунами'],
  ['kvars', 'кварц'],
  ['konsert', 'концерт'],
  ['konsern', 'концерн'],
  ['konsentr', 'концентр'],
  ['konsepsiya', 'концепция'],
  ['kansler', 'канцлер'],
  ['prinsip', 'принцип'],
  ['aksent', 'акцент'],
  ['fransuz', 'француз'],
  ['potensial', 'потенциал'],
  ['korrupsiya', 'коррупция'],
  ['gers', 'герц'],
  // ц written ts between vowels, where ts is usually т + с (ketsa, otsiz)
  ['litsey', 'лицей'],
  ['litsenziya', 'лицензия'],
  ['protsent', 'процент'],
  ['protsess', 'процесс'],
  ['protsedura', 'процедура'],
  ['dotsent', 'доцент'],
  ['ofitser', 'офицер'],
  ['retsept', 'рецепт'],
  ['vitse', 'вице'],
  ['shveytsariya', 'швейцария'],
  // -nsiya is usually -нция (konferensiya, Fransiya); these are -нсия
  ['pensiya', 'пенсия'],
  ['ekspansiya', 'экспансия'],
  // Russian loans that keep й before a vowel
  ['rayon', 'район'],
  ['mikrorayon', 'микрорайон'],
  ['mayor', 'майор'],
  ['mayonez', 'майонез'],
  ['yogurt', 'йогурт'],
  ['york', 'йорк'],
  ['poyabzal', 'пойабзал'],
  // lost ь, ъ, щ, ы
  ['mebel', 'мебель'],
  ['film', 'фильм'],
  ['bulyon', 'бульон'],
  ['batalyon', 'батальон'],
  ['pavilyon', 'павильон'],
  ['pochtalyon', 'почтальон'],
  ['kompyuter', 'компьютер'],
  ['intervyu', 'интервью'],
  ['premyer', 'премьер'],
  ['nyu', 'нью'],
  ['vyetnam', 'вьетнам'],
  ['myanma', 'мьянма'],
  ['polsha', 'польша'],
  ['belgiya', 'бельгия'],
  ['pyesa', 'пьеса'],
  ['obyekt', 'объект'],
  ['subyekt', 'субъект'],
  ['syezd', 'съезд'],
  ['podyezd', 'подъезд'],
  ['obshina', 'община'],
  ['vimpel', 'вымпел'],
  ['moʻjiza', 'мўъжиза'],
  ['moʻtabar', 'мўътабар'],
  ['moʻtadil', 'мўътадил'],
  // я written a
  ['sentabr', 'сентябр'],
  ['oktabr', 'октябр'],
])

/**
 * Inflectional endings a short exception key may carry (plural, possessive, case, and the common
 * derivational -chi, -lik, -li, -siz, -viy), in the order they stack.
 */
export const UZBEK_ENDINGS =
  /^(?:lar|lari|ning|ni|ga|ka|qa|da|dan|dagi|day|dek|gacha|i|si|im|imiz|ing|ingiz|ini|in|chi|chilar|lik|li|siz|viy|iy|mi|ku|u|yu|dir|ham)*$/
