/**
 * One spelling for what is one thing, so that the model does not have to learn
 * every keyboard's way of writing a word: Arabic and Urdu letter forms, marks
 * people add or leave out, digits of three scripts, stretched letters ("bohatttt"),
 * and the common spellings of Roman Urdu words as typed on phones.
 */

/** Arabic code points typed on Arabic keyboards for Urdu letters, and the Urdu letter they stand for. */
const LETTERS: ReadonlyMap<string, string> = new Map([
  ['\u064A', '\u06CC'], // ي Arabic yeh → ی Farsi/Urdu yeh
  ['\u0649', '\u06CC'], // ى alef maksura → ی
  ['\u06D0', '\u06CC'], // ې
  ['\u0643', '\u06A9'], // ك Arabic kaf → ک keheh
  ['\u0647', '\u06C1'], // ه Arabic heh → ہ heh goal
  ['\u06D5', '\u06C1'], // ە
  ['\u0629', '\u06C1'], // ة teh marbuta → ہ
  ['\u06C3', '\u06C1'], // ۃ
  ['\u06C2', '\u06C1'], // ۂ heh goal with hamza: the hamza is a mark many leave out
  ['\u0623', '\u0627'], // أ → ا
  ['\u0625', '\u0627'], // إ → ا
  ['\u0671', '\u0627'], // ٱ → ا
  ['\u0622', '\u0627'], // آ → ا: "اپ" and "آپ" are both typed
  ['\u0624', '\u0648'], // ؤ → و
  ['\u06D3', '\u06D2'], // ۓ → ے
]);

/** Harakat, Quranic marks, superscript alef, tatweel, and the joiners that change nothing for meaning. */
const MARKS = /[\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200B-\u200F\u2066-\u2069\uFEFF]/g;

/** Urdu/Persian (U+06F0–9) and Arabic-Indic (U+0660–9) digits. */
const DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;

/** Punctuation of the Arabic script that separates like its Latin counterpart. */
const PUNCTUATION: ReadonlyMap<string, string> = new Map([
  ['\u06D4', '.'], // ۔ Urdu full stop
  ['\u060C', ','], // ، Arabic comma
  ['\u061B', ';'], // ؛
  ['\u061F', '?'], // ؟
  ['\u066A', '%'],
  ['\u066B', '.'],
  ['\u066C', ','],
]);

/**
 * Roman Urdu as typed: each group lists the spellings seen for one word; the
 * first is the one kept. Only words whose variants do not collide with an
 * English word of another meaning (so "h" → "hai" but not "me" → "mein").
 */
const ROMAN_GROUPS: readonly (readonly string[])[] = [
  ['nahi', 'nhi', 'nai', 'nahin', 'nahee', 'nahii', 'nhin', 'nahe', 'nae', 'ni', 'nhe', 'nahen'],
  ['hai', 'h', 'hy', 'hay', 'hae', 'haii'],
  ['hain', 'hn', 'hen', 'hein', 'hai.n'],
  ['kar', 'kr', 'karr'],
  ['karo', 'kro', 'karu', 'kru'],
  ['karna', 'krna', 'karnaa'],
  ['karne', 'krne', 'karny', 'krny'],
  ['kiya', 'kia', 'kya', 'kiyaa', 'kea'],
  ['kyun', 'kyu', 'kyon', 'kiyun', 'kiun', 'q', 'kyoon', 'kiyon'],
  ['bohat', 'bahut', 'bht', 'bhot', 'bohot', 'buhat', 'bahot', 'bhaut'],
  ['mein', 'mai', 'mien', 'mei', 'men', 'myn'],
  ['se', 'sy', 'say', 'sey'],
  ['ke', 'k', 'ky', 'kay', 'kai'],
  ['ko', 'ku', 'kou'],
  ['raha', 'rha', 'rahaa', 'reha'],
  ['rahi', 'rhi', 'rahee', 'rehi'],
  ['rahe', 'rhe', 'rahay', 'rhy', 'rahy'],
  ['gaya', 'gya', 'gea', 'geya', 'gia'],
  ['gayi', 'gai', 'gyi', 'gayee', 'gayi', 'gae', 'gaee', 'gye'],
  ['tha', 'thaa', 'tah'],
  ['thi', 'thee', 'thy'],
  ['diya', 'dia', 'diyaa', 'deya'],
  ['liya', 'lia', 'leya'],
  ['paise', 'pese', 'paisay', 'pesay', 'paisy', 'pesy', 'paisa', 'pesa', 'paisey'],
  ['bijli', 'bijlee', 'bjli', 'bijly', 'bejli', 'bijlii'],
  ['pani', 'paani', 'panee', 'pany'],
  ['shikayat', 'shikayet', 'shkayat', 'shikait', 'shikayt', 'shakayat', 'shikaayat'],
  ['koi', 'koe', 'koyi'],
  ['abhi', 'abi', 'abhe'],
  ['kab', 'kb'],
  ['sab', 'sb'],
  ['tak', 'tk', 'tuk'],
  ['wala', 'wla', 'waala'],
  ['wali', 'wli', 'waali'],
  ['wale', 'wle', 'waale', 'waly', 'wly'],
  ['phir', 'fir', 'phr', 'pher', 'phr'],
  ['bhi', 'bhe', 'bi'],
  ['hua', 'hoa', 'huwa', 'howa'],
  ['hui', 'hoi', 'huwi', 'hoyi'],
  ['hoga', 'hoega', 'hogaa'],
  ['hum', 'hm', 'ham'],
  ['ap', 'aap', 'aapp'],
  ['apna', 'apnaa'],
  ['mera', 'mra', 'meraa'],
  ['meri', 'mri', 'mere', 'mery'],
  ['humara', 'hamara', 'hmara', 'humaara'],
  ['humari', 'hamari', 'hmari', 'hamare', 'humare', 'hmare', 'hamary', 'humary'],
  ['please', 'plz', 'pls', 'plx', 'plzz', 'plese'],
  ['din', 'dino', 'dinon'],
  ['mahina', 'mahine', 'mahiny', 'mahinay', 'mahena'],
  ['saal', 'sal'],
  ['sahab', 'sahib', 'sb.', 'saab', 'sahb'],
  ['jaldi', 'jldi', 'jalde'],
  ['madad', 'mdd', 'madat'],
  ['masla', 'maslaa', 'mas\'la', 'masala'],
  ['ghar', 'gher', 'ghr'],
  ['wapas', 'wapis', 'waps'],
  ['lekin', 'lakin', 'lkn', 'laikin'],
  ['kuch', 'kch', 'kuchh'],
  ['kaha', 'kha'],
  ['baat', 'bat'],
  ['aur', 'or', 'aor'],
  ['yeh', 'ye', 'yah', 'yai'],
  ['woh', 'wo', 'vo', 'voh'],
  ['kaise', 'kese', 'kaisay', 'kesay'],
  ['raqam', 'rakam', 'raqm'],
  ['qist', 'kist', 'qisat', 'kisht', 'qisht'],
  ['zameen', 'zamin', 'zmeen', 'zameenn'],
  ['ilaqa', 'elaqa', 'ilaqe', 'ilaqay', 'ilaaqa', 'ilaqay'],
  ['hospital', 'aspatal', 'haspatal', 'hsptl', 'haspataal', 'aspataal', 'hospitl'],
  ['dawai', 'dawa', 'dwai', 'dawaai', 'dawaiyan'],
  ['school', 'skool', 'iskool', 'sakool'],
  ['ustad', 'ustaad', 'ustaz'],
  ['thana', 'thane', 'thaney', 'thanay'],
  ['shanakhti', 'shnakhti', 'shanakhty'],
  ['account', 'acount', 'akount', 'acc', 'a/c', 'accnt'],
  ['number', 'no.', 'numbr', 'nmbr', 'namber'],
  ['message', 'msg', 'masg', 'mesage', 'massage', 'msj'],
];

const ROMAN: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  for (const group of ROMAN_GROUPS) {
    const head = group[0] as string;
    for (const variant of group) if (!map.has(variant)) map.set(variant, head);
  }
  return map;
})();

const MAPPED = new RegExp(`[${[...LETTERS.keys(), ...PUNCTUATION.keys()].join('')}]`, 'g');

/** The letter/digit level: safe on any text, keeps word boundaries and punctuation. */
export function normalizeChars(text: string): string {
  let out = text.normalize('NFKC').replace(MARKS, '');
  out = out.replace(DIGITS, (d) => String((d.codePointAt(0) as number) & 0x0f));
  const mapped = out.replace(MAPPED, (ch) => LETTERS.get(ch) ?? PUNCTUATION.get(ch) ?? ch);
  // Stretched letters ("plzzzz", "بہتتتت") keep at most two.
  return mapped.toLowerCase().replace(/(\p{L})\1{2,}/gu, '$1$1');
}

/** Words: letters, digits and marks joined; everything else separates. */
const WORD = /[\p{L}\p{M}\p{N}]+(?:['’.\/][\p{L}\p{N}]+)*/gu;

/** Normalised tokens: chars normalised, Roman Urdu spellings folded. */
export function tokens(text: string): string[] {
  const out: string[] = [];
  for (const match of normalizeChars(text).matchAll(WORD)) {
    const word = match[0];
    out.push(ROMAN.get(word) ?? word);
  }
  return out;
}

/** The whole normalisation as one string (what tests and the corrections export see). */
export function normalize(text: string): string {
  return tokens(text).join(' ');
}
