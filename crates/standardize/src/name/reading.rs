//! Toneless pinyin readings of name characters, Latin letter runs read as pinyin syllables, and
//! the homophone test.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use pinyin::{Pinyin, ToPinyinMulti};

/// The reading of a wildcard or of a character with no reading.
pub(crate) const UNKNOWN_READING: &str = "?";

/// Longest syllable in bytes: `zhuang` is 6, `lüe` is 4.
const MAX_SYLLABLE_BYTES: usize = 6;

/// Every toneless syllable the `pinyin` crate yields, sorted by bytes (a test checks both).
/// Latin letter runs are matched against it so that they borrow its `'static` strings.
pub(crate) static SYLLABLES: [&str; 426] = [
    "a", "ai", "an", "ang", "ao", "ba", "bai", "ban", "bang", "bao", "bei", "ben", "beng", "bi",
    "bian", "biang", "biao", "bie", "bin", "bing", "bo", "bong", "bu", "ca", "cai", "can", "cang",
    "cao", "ce", "cei", "cen", "ceng", "cha", "chai", "chan", "chang", "chao", "che", "chen",
    "cheng", "chi", "chong", "chou", "chu", "chua", "chuai", "chuan", "chuang", "chui", "chun",
    "chuo", "ci", "cong", "cou", "cu", "cuan", "cui", "cun", "cuo", "da", "dai", "dan", "dang",
    "dao", "de", "dei", "den", "deng", "di", "dia", "dian", "diao", "die", "din", "ding", "diu",
    "dong", "dou", "du", "duan", "dui", "dun", "duo", "e", "ei", "en", "eng", "er", "fa", "fan",
    "fang", "fei", "fen", "feng", "fiao", "fo", "fou", "fu", "ga", "gai", "gan", "gang", "gao",
    "ge", "gei", "gen", "geng", "gong", "gou", "gu", "gua", "guai", "guan", "guang", "gui", "gun",
    "guo", "ha", "hai", "han", "hang", "hao", "he", "hei", "hen", "heng", "hm", "hng", "hong",
    "hou", "hu", "hua", "huai", "huan", "huang", "hui", "hun", "huo", "ji", "jia", "jian", "jiang",
    "jiao", "jie", "jin", "jing", "jiong", "jiu", "ju", "juan", "jue", "jun", "ka", "kai", "kan",
    "kang", "kao", "ke", "kei", "ken", "keng", "kong", "kou", "ku", "kua", "kuai", "kuan", "kuang",
    "kui", "kun", "kuo", "la", "lai", "lan", "lang", "lao", "le", "lei", "len", "leng", "li",
    "lia", "lian", "liang", "liao", "lie", "lin", "ling", "liu", "lo", "long", "lou", "lu", "luan",
    "lun", "luo", "lü", "lüe", "m", "ma", "mai", "man", "mang", "mao", "me", "mei", "men", "meng",
    "mi", "mian", "miao", "mie", "min", "ming", "miu", "mo", "mou", "mu", "n", "na", "nai", "nan",
    "nang", "nao", "ne", "nei", "nen", "neng", "ng", "ni", "nia", "nian", "niang", "niao", "nie",
    "nin", "ning", "niu", "nong", "nou", "nu", "nuan", "nun", "nuo", "nü", "nüe", "o", "ou", "pa",
    "pai", "pan", "pang", "pao", "pei", "pen", "peng", "pi", "pian", "piao", "pie", "pin", "ping",
    "po", "pou", "pu", "qi", "qia", "qian", "qiang", "qiao", "qie", "qin", "qing", "qiong", "qiu",
    "qu", "quan", "que", "qun", "ran", "rang", "rao", "re", "ren", "reng", "ri", "rong", "rou",
    "ru", "rua", "ruan", "rui", "run", "ruo", "sa", "sai", "san", "sang", "sao", "se", "sen",
    "seng", "sha", "shai", "shan", "shang", "shao", "she", "shei", "shen", "sheng", "shi", "shou",
    "shu", "shua", "shuai", "shuan", "shuang", "shui", "shun", "shuo", "si", "song", "sou", "su",
    "suan", "sui", "sun", "suo", "ta", "tai", "tan", "tang", "tao", "te", "tei", "teng", "ti",
    "tian", "tiao", "tie", "ting", "tong", "tou", "tu", "tuan", "tui", "tun", "tuo", "wa", "wai",
    "wan", "wang", "wei", "wen", "weng", "wo", "wong", "wu", "xi", "xia", "xian", "xiang", "xiao",
    "xie", "xin", "xing", "xiong", "xiu", "xu", "xuan", "xue", "xun", "ya", "yan", "yang", "yao",
    "ye", "yi", "yin", "ying", "yo", "yong", "you", "yu", "yuan", "yue", "yun", "za", "zai", "zan",
    "zang", "zao", "ze", "zei", "zen", "zeng", "zha", "zhai", "zhan", "zhang", "zhao", "zhe",
    "zhei", "zhen", "zheng", "zhi", "zhong", "zhou", "zhu", "zhua", "zhuai", "zhuan", "zhuang",
    "zhui", "zhun", "zhuo", "zi", "zong", "zou", "zu", "zuan", "zui", "zun", "zuo", "ê",
];

/// The toneless readings of `c`, primary first, without repeats (the crate lists one syllable
/// once per tone). `first`, a surname reading, goes first if given. A character with no reading
/// (wildcards `?`, `*`, `□`, private-use code points, Latin letters, 𠮷) yields `["?"]` unless a
/// surname reading is given. Borrowed from a table built once, except where a surname reading
/// reorders them.
#[inline]
pub(crate) fn char_readings(c: char, first: Option<&'static str>) -> Readings {
    let readings = table_readings(c);
    match first {
        None if readings.is_empty() => Cow::Borrowed(&UNKNOWN),
        None => Cow::Borrowed(readings),
        Some(first) => readings_with_first(readings, first),
    }
}

/// The readings of one entry of a name: borrowed from static tables in all but rare cases.
pub(crate) type Readings = Cow<'static, [&'static str]>;

/// `["?"]`: the readings of a character with none.
static UNKNOWN: [&str; 1] = [UNKNOWN_READING];

/// `readings`, a character's, with `first` moved or added to the front: the surname reading.
fn readings_with_first(readings: &'static [&'static str], first: &'static str) -> Readings {
    if readings.first() == Some(&first) {
        return Cow::Borrowed(readings);
    }
    let rest = readings.iter().copied().filter(|&syllable| syllable != first);
    Cow::Owned(std::iter::once(first).chain(rest).collect())
}

/// The deduplicated toneless readings of `c` from the `pinyin` crate; empty when it has none.
#[inline]
fn table_readings(c: char) -> &'static [&'static str] {
    /// Basic-plane characters by code point; the rest in [`supplementary_readings`].
    static BASIC: LazyLock<Vec<Box<[&'static str]>>> = LazyLock::new(|| {
        (0..=0xFFFF).map(|code| char::from_u32(code).map(readings_of).unwrap_or_default()).collect()
    });
    match BASIC.get(c as usize) {
        Some(readings) => readings,
        None => supplementary_readings(c),
    }
}

/// [`table_readings`] of a character past the basic plane (CJK extensions B and later).
fn supplementary_readings(c: char) -> &'static [&'static str] {
    static SUPPLEMENTARY: LazyLock<HashMap<char, Box<[&'static str]>>> = LazyLock::new(|| {
        (0x1_0000..=0x10_FFFF)
            .filter_map(char::from_u32)
            .map(|c| (c, readings_of(c)))
            .filter(|(_, readings)| !readings.is_empty())
            .collect()
    });
    SUPPLEMENTARY.get(&c).map_or(&[], |readings| readings)
}

fn readings_of(c: char) -> Box<[&'static str]> {
    let Some(multi) = c.to_pinyin_multi() else { return Box::default() };
    let mut readings = Vec::with_capacity(multi.count());
    for syllable in multi.into_iter().map(Pinyin::plain) {
        if !readings.contains(&syllable) {
            readings.push(syllable);
        }
    }
    readings.into_boxed_slice()
}

/// Whether the toneless reading sets of `a` and `b` intersect; false if either has no reading.
pub(crate) fn share_reading(a: char, b: char) -> bool {
    let (Some(a), Some(b)) = (a.to_pinyin_multi(), b.to_pinyin_multi()) else { return false };
    a.into_iter().any(|pa| b.into_iter().any(|pb| pa.plain() == pb.plain()))
}

/// Appends the readings of a run of Latin letters: one entry per pinyin syllable if the run
/// spells pinyin ("WEI" → wei; "ZHANGWEI" → zhang, wei; "LV" → lü), else one `["?"]`, since an
/// arbitrary spelling has no `'static` syllable to borrow.
pub(crate) fn push_latin_run(run: &str, readings: &mut Vec<Readings>) {
    let lower: String = run.chars().flat_map(char::to_lowercase).collect();
    match segment(&lower) {
        Some(syllables) => readings.extend(
            syllables.into_iter().map(|syllable| Cow::Borrowed(std::slice::from_ref(syllable))),
        ),
        None => readings.push(Cow::Borrowed(&UNKNOWN)),
    }
}

/// Whether `c` is read as nothing: a separator inside a name (middle dot, the space and hyphen
/// of Latin names, apostrophes as in XI'AN).
pub(crate) fn is_silent(c: char) -> bool {
    matches!(c, '·' | ' ' | '-' | '\'' | '\u{2019}' | '\u{02BC}')
}

/// Splits lower-case `run` into pinyin syllables: fewest syllables, and a syllable starting with
/// a vowel counts extra unless first, as pinyin would need an apostrophe before it
/// ("jiangang" → jian gang, not jiang ang). `None` if no split exists.
fn segment(run: &str) -> Option<Vec<&'static &'static str>> {
    let n = run.len();
    // best[i]: cost of the best split of run[i..] and the syllable that starts it.
    let mut best: Vec<Option<(u32, &'static &'static str, usize)>> = vec![None; n + 1];
    if let Some(last) = best.get_mut(n) {
        *last = Some((0, &UNKNOWN[0], n));
    }
    for start in (0..n).rev() {
        if !run.is_char_boundary(start) {
            continue;
        }
        let mut chosen: Option<(u32, &'static &'static str, usize)> = None;
        for end in (start + 1..=(start + MAX_SYLLABLE_BYTES).min(n)).rev() {
            let Some(piece) = run.get(start..end) else { continue };
            let Some(syllable) = latin_syllable(piece) else { continue };
            let Some(Some((rest_cost, _, _))) = best.get(end) else { continue };
            let needs_apostrophe = start > 0 && syllable.starts_with(['a', 'o', 'e']);
            let cost = rest_cost + 1 + u32::from(needs_apostrophe);
            if chosen.is_none_or(|(best_cost, _, _)| cost < best_cost) {
                chosen = Some((cost, syllable, end));
            }
        }
        if let Some(slot) = best.get_mut(start) {
            *slot = chosen;
        }
    }
    let mut syllables = Vec::new();
    let mut at = 0;
    while at < n {
        let (_, syllable, next) = (*best.get(at)?)?;
        syllables.push(syllable);
        at = next;
    }
    Some(syllables)
}

/// The `'static` pinyin syllable spelled by lower-case `piece`, accepting the keyboard and
/// passport spellings of ü (lv, lyu, lue). Interjection syllables (m, n, ng, hm, hng, ê) are not
/// read from Latin text: a lone initial is far likelier.
fn latin_syllable(piece: &str) -> Option<&'static &'static str> {
    let spelled = match piece {
        "lv" | "lyu" => "lü",
        "nv" | "nyu" => "nü",
        "lve" | "lue" => "lüe",
        "nve" | "nue" => "nüe",
        "m" | "n" | "ng" | "hm" | "hng" | "ê" => return None,
        _ => piece,
    };
    SYLLABLES.binary_search(&spelled).ok().and_then(|i| SYLLABLES.get(i))
}
