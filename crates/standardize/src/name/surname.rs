//! Surnames: the compound-surname list, the surname split, and surname readings that differ
//! from a character's most frequent reading.

use std::sync::LazyLock;

use crate::name::normalize::{MIDDLE_DOT, is_latin_letter};

/// Compound (and Manchu clan) surnames with the reading of each character, sorted by bytes so
/// that the candidates for a first character are found by binary search (a test checks the
/// order). Not listed, on purpose: compounds whose first character is a common single surname
/// and whose second often starts a given name (单于, 乐正, 宗政, 谷梁, 梁丘, 段干); 单于X is far
/// likelier 单 + 于X.
pub(crate) const COMPOUND_SURNAMES: [(&str, &[&str]); 63] = [
    ("万俟", &["mo", "qi"]),
    ("上官", &["shang", "guan"]),
    ("东方", &["dong", "fang"]),
    ("东郭", &["dong", "guo"]),
    ("东门", &["dong", "men"]),
    ("亓官", &["qi", "guan"]),
    ("仉督", &["zhang", "du"]),
    ("令狐", &["ling", "hu"]),
    ("仲孙", &["zhong", "sun"]),
    ("公冶", &["gong", "ye"]),
    ("公孙", &["gong", "sun"]),
    ("公羊", &["gong", "yang"]),
    ("公良", &["gong", "liang"]),
    ("公西", &["gong", "xi"]),
    ("南宫", &["nan", "gong"]),
    ("南门", &["nan", "men"]),
    ("叶赫那拉", &["ye", "he", "na", "la"]),
    ("司寇", &["si", "kou"]),
    ("司徒", &["si", "tu"]),
    ("司空", &["si", "kong"]),
    ("司马", &["si", "ma"]),
    ("呼延", &["hu", "yan"]),
    ("壤驷", &["rang", "si"]),
    ("夏侯", &["xia", "hou"]),
    ("太叔", &["tai", "shu"]),
    ("太史", &["tai", "shi"]),
    ("夹谷", &["jia", "gu"]),
    ("子车", &["zi", "ju"]),
    ("宇文", &["yu", "wen"]),
    ("完颜", &["wan", "yan"]),
    ("宰父", &["zai", "fu"]),
    ("尉迟", &["yu", "chi"]),
    ("左丘", &["zuo", "qiu"]),
    ("巫马", &["wu", "ma"]),
    ("归海", &["gui", "hai"]),
    ("微生", &["wei", "sheng"]),
    ("慕容", &["mu", "rong"]),
    ("拓跋", &["tuo", "ba"]),
    ("欧阳", &["ou", "yang"]),
    ("淳于", &["chun", "yu"]),
    ("漆雕", &["qi", "diao"]),
    ("澹台", &["tan", "tai"]),
    ("濮阳", &["pu", "yang"]),
    ("爱新觉罗", &["ai", "xin", "jue", "luo"]),
    ("独孤", &["du", "gu"]),
    ("申屠", &["shen", "tu"]),
    ("百里", &["bai", "li"]),
    ("皇甫", &["huang", "fu"]),
    ("端木", &["duan", "mu"]),
    ("第五", &["di", "wu"]),
    ("羊舌", &["yang", "she"]),
    ("西门", &["xi", "men"]),
    ("诸葛", &["zhu", "ge"]),
    ("贺兰", &["he", "lan"]),
    ("赫连", &["he", "lian"]),
    ("轩辕", &["xuan", "yuan"]),
    ("钟离", &["zhong", "li"]),
    ("钮祜禄", &["niu", "hu", "lu"]),
    ("长孙", &["zhang", "sun"]),
    ("闻人", &["wen", "ren"]),
    ("闾丘", &["lü", "qiu"]),
    ("颛孙", &["zhuan", "sun"]),
    ("鲜于", &["xian", "yu"]),
];

/// The surname at the start of a normalised name, as [`split_surname`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Surname {
    /// Byte length of the surname in the name; 0 when it has none.
    pub(crate) len: usize,
    /// The reading of each character of the surname, in order, when the surname reading of
    /// one differs from the character's most frequent one (单 → shan, 尉迟 → yu chi); else
    /// empty. Never longer than the surname in characters.
    pub(crate) readings: &'static [&'static str],
}

impl Surname {
    /// No surname.
    const NONE: Surname = Surname { len: 0, readings: &[] };
}

/// Look-up tables for [`compound_prefix_from`], built once from [`COMPOUND_SURNAMES`].
struct CompoundIndex {
    /// One bit per code point up to the largest first character of a compound: whether a
    /// compound starts with it. Characters past the end start none.
    first_chars: Vec<u64>,
    /// The first two characters of each compound as a [`pair_key`], in the order of
    /// [`COMPOUND_SURNAMES`], which sorts them too.
    first_pairs: Vec<u64>,
}

static COMPOUND_INDEX: LazyLock<CompoundIndex> = LazyLock::new(CompoundIndex::build);

/// The surname at the start of normalised `full`: none (length 0) for a name with a middle dot
/// (minority names: given·father), or a single unit. The surname is the longest listed
/// compound surname it starts with, else its first character; in a name starting with a Latin
/// letter, its first word ("ZHANG SAN" → ZHANG). Something must follow it.
pub(crate) fn split_surname(full: &str) -> Surname {
    if full.contains(MIDDLE_DOT) {
        return Surname::NONE;
    }
    let Some(first) = full.chars().next() else { return Surname::NONE };
    let surname = if is_latin_letter(first) {
        let len = full
            .find(|c: char| !(is_latin_letter(c) || c == '-' || c == '\''))
            .unwrap_or(full.len());
        Surname { len, readings: &[] }
    } else {
        match compound_prefix(full) {
            Some((compound, readings)) if compound.len() < full.len() => {
                Surname { len: compound.len(), readings }
            }
            _ => Surname { len: first.len_utf8(), readings: single_surname_reading(first) },
        }
    };
    let has_given =
        full.get(surname.len..).is_some_and(|rest| !rest.trim_start_matches(' ').is_empty());
    if has_given { surname } else { Surname::NONE }
}

/// [`split_surname`] of a name of main-block ideographs only: its text `full` and its
/// characters `chars`, already decoded.
pub(crate) fn split_han_surname(full: &str, chars: &[char]) -> Surname {
    // A single character has no surname; with two or more, something follows the first.
    let [first, second, ..] = *chars else { return Surname::NONE };
    match compound_prefix_from(full, [first, second]) {
        Some((compound, readings)) if compound.len() < full.len() => {
            Surname { len: compound.len(), readings }
        }
        _ => Surname { len: first.len_utf8(), readings: single_surname_reading(first) },
    }
}

/// Whether `s` is exactly a listed compound surname.
pub(crate) fn is_compound(s: &str) -> bool {
    compound_prefix(s).is_some_and(|(compound, _)| compound.len() == s.len())
}

/// The longest listed compound surname `s` starts with, and its readings.
fn compound_prefix(s: &str) -> Option<(&'static str, &'static [&'static str])> {
    let mut chars = s.chars();
    compound_prefix_from(s, [chars.next()?, chars.next()?])
}

/// [`compound_prefix`] of `s`, whose first two characters are `first_pair`. Runs once per
/// name: most first characters start no compound and are rejected by one bit; the others are
/// found by the two characters as one integer, not as strings.
fn compound_prefix_from(
    s: &str,
    first_pair: [char; 2],
) -> Option<(&'static str, &'static [&'static str])> {
    let index = &*COMPOUND_INDEX;
    let first = u32::from(first_pair[0]) as usize;
    let word = index.first_chars.get(first / 64).copied().unwrap_or(0);
    if word & (1 << (first % 64)) == 0 {
        return None;
    }
    let key = pair_key(first_pair);
    let start = index.first_pairs.partition_point(|&p| p < key);
    let n_same = index.first_pairs[start..].iter().take_while(|&&p| p == key).count();
    COMPOUND_SURNAMES[start..start + n_same]
        .iter()
        .filter(|(compound, _)| s.starts_with(compound))
        .max_by_key(|(compound, _)| compound.len())
        .copied()
}

/// Two characters as one integer that sorts as the pair does, and as their UTF-8 bytes do.
fn pair_key([first, second]: [char; 2]) -> u64 {
    (u64::from(first) << 32) | u64::from(second)
}

/// Surname readings of single characters whose most frequent reading is another.
fn single_surname_reading(c: char) -> &'static [&'static str] {
    match c {
        '单' => &["shan"],
        '曾' => &["zeng"],
        '区' => &["ou"],
        '仇' => &["qiu"],
        '解' => &["xie"],
        '朴' => &["piao"],
        '查' => &["zha"],
        '盖' => &["ge"],
        '召' => &["shao"],
        '缪' => &["miao"],
        '繁' => &["po"],
        '覃' => &["qin"],
        '翟' => &["zhai"],
        '乐' => &["yue"],
        '员' => &["yun"],
        '黑' => &["he"],
        '葛' => &["ge"],
        '种' => &["chong"],
        '秘' => &["bi"],
        '句' => &["gou"],
        '冼' => &["xian"],
        '阚' => &["kan"],
        '过' => &["guo"],
        '华' => &["hua"],
        '任' => &["ren"],
        '褚' => &["chu"],
        '折' => &["she"],
        '能' => &["nai"],
        '洗' => &["xian"],
        '都' => &["du"],
        '贲' => &["ben"],
        '祭' => &["zhai"],
        '逄' => &["pang"],
        '柏' => &["bai"],
        '薄' => &["bo"],
        '藏' => &["zang"],
        '沈' => &["shen"],
        '宿' => &["su"],
        '莘' => &["shen"],
        '尉' => &["wei"],
        '长' => &["chang"],
        '阿' => &["a"],
        '卜' => &["bu"],
        '谌' => &["chen"],
        '斗' => &["dou"],
        '车' => &["che"],
        '纪' => &["ji"],
        '燕' => &["yan"],
        '宁' => &["ning"],
        '相' => &["xiang"],
        '曲' => &["qu"],
        '叶' => &["ye"],
        '万' => &["wan"],
        '佘' => &["she"],
        _ => &[],
    }
}

impl CompoundIndex {
    fn build() -> CompoundIndex {
        let pairs: Vec<[char; 2]> = COMPOUND_SURNAMES
            .iter()
            .map(|(compound, _)| {
                let mut chars = compound.chars();
                [chars.next().unwrap_or_default(), chars.next().unwrap_or_default()]
            })
            .collect();
        let max_first =
            pairs.iter().map(|&[first, _]| u32::from(first) as usize).max().unwrap_or(0);
        let mut first_chars = vec![0u64; max_first / 64 + 1];
        for &[first, _] in &pairs {
            let code = u32::from(first) as usize;
            if let Some(word) = first_chars.get_mut(code / 64) {
                *word |= 1 << (code % 64);
            }
        }
        CompoundIndex { first_chars, first_pairs: pairs.into_iter().map(pair_key).collect() }
    }
}
