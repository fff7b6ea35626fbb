//! Unit and property tests of the name module: normalisation, pinyin, surname split, outcomes.

use pinyin::{Pinyin, ToPinyinMulti};
use proptest::prelude::*;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use crate::name::normalize::{normalize_general, normalize_han};
use crate::name::reading::SYLLABLES;
use crate::name::surname::COMPOUND_SURNAMES;
use crate::name::{
    NameOutcome, StandardName, is_homophone, normalize_name, standardize_general, standardize_han,
    standardize_name,
};

/// Standardizes `raw`, failing the test unless it is a name.
fn name(raw: &str) -> StandardName {
    match standardize_name(raw) {
        NameOutcome::Name(name) => name,
        other => panic!("{raw:?} is not a name: {other:?}"),
    }
}

#[test]
fn normalizes() {
    #[track_caller]
    fn check(input: &str, expected: &str) {
        assert_eq!(normalize_name(input), expected, "input {input:?}");
    }

    // Full-width letters and spaces, U+3000, tabs.
    check("ＺＨＡＮＧ　ＳＡＮ", "ZHANG SAN");
    check("ｗｅｉ", "WEI");
    check("张ａ", "张A");
    check("张　伟", "张伟");
    check(" 张 伟 ", "张伟");
    check("张\t伟\r\n", "张伟");
    check("王 小 明", "王小明");
    check("zhang   san", "ZHANG SAN");
    check("  zhang\u{3000}san  ", "ZHANG SAN");
    check("徐 wei", "徐WEI");
    // Every middle-dot look-alike.
    for dot in [
        '\u{00B7}', '\u{0387}', '\u{30FB}', '\u{FF65}', '\u{2022}', '\u{2027}', '\u{2219}',
        '\u{22C5}', '\u{FF0E}', '\u{002E}', '\u{FE52}', '\u{318D}', '\u{2E31}', '\u{A78F}',
    ] {
        check(&format!("买买提{dot}吐尔逊"), "买买提·吐尔逊");
        check(&format!("阿{dot}木"), "阿·木");
    }
    // Dots: trimmed, runs collapsed, spaces around them absorbed.
    check("·买买提··吐尔逊·", "买买提·吐尔逊");
    check("买买提 · 吐尔逊", "买买提·吐尔逊");
    check("买买提．．吐尔逊", "买买提·吐尔逊");
    check("JOHN.SMITH", "JOHN·SMITH");
    // A space or hyphen between non-Latin parts of a name longer than 3 units.
    check("买买提 吐尔逊", "买买提·吐尔逊");
    check("买买提-吐尔逊", "买买提·吐尔逊");
    check("买买提 — 吐尔逊", "买买提·吐尔逊");
    check("扎西 顿珠", "扎西·顿珠");
    check("阿依古丽 买买提 吐尔逊", "阿依古丽·买买提·吐尔逊");
    check("张-三", "张三");
    check("张 三丰", "张三丰");
    check("欧阳 娜娜", "欧阳娜娜");
    check("歐陽 娜娜", "欧阳娜娜");
    check("司 马 相 如", "司马相如");
    check("王 WEI", "王WEI");
    check("jean-pierre", "JEAN-PIERRE");
    check("jean - pierre  dupont", "JEAN-PIERRE DUPONT");
    check("徐 jean-pierre", "徐JEAN-PIERRE");
    check("xi'an", "XI'AN");
    // Traditional to simplified, one way.
    check("張偉", "张伟");
    check("劉德華", "刘德华");
    check("陳", "陈");
    check("黃", "黄");
    check("趙", "赵");
    check("楊", "杨");
    check("吳", "吴");
    check("蕭", "萧");
    check("閆", "闫");
    check("鍾", "钟");
    check("於梨華", "於梨华");
    check("乾隆", "乾隆");
    check("乾", "乾");
    check("薴", "苎");
    check("张伟", "张伟");
    check("肖", "肖");
    check("阎", "阎");
    // NFKC: Kangxi radicals, compatibility ideographs, full-width question mark.
    check("⼀", "一");
    check("王⼀", "王一");
    check("王\u{2F08}", "王人");
    check("\u{F900}", "岂");
    check("张？", "张?");
    // Invisible characters.
    check("张\u{200B}伟", "张伟");
    check("\u{FEFF}张伟\u{200D}", "张伟");
    check("张\u{0000}伟\u{007F}", "张伟");
    check("葛\u{E0100}伟", "葛伟");
    // Supplementary planes and private use kept.
    check("徐㼆", "徐㼆");
    check("𠮷野", "𠮷野");
    check("张\u{E000}", "张\u{E000}");
    // Latin case.
    check("Müller", "MÜLLER");
    check("straße", "STRAßE");
    check("i\u{0307}", "İ");
    // Nothing left.
    check("", "");
    check(" \u{3000}\t", "");
    check("·.·", "");
    check("-", "");
}

#[test]
fn reads_surnames() {
    #[track_caller]
    fn check(input: &str, expected_primary: &str) {
        assert_eq!(name(input).pinyin_primary(), expected_primary, "input {input:?}");
    }

    check("单伟", "shan wei");
    check("曾伟", "zeng wei");
    check("区伟", "ou wei");
    check("仇伟", "qiu wei");
    check("解伟", "xie wei");
    check("朴伟", "piao wei");
    check("查伟", "zha wei");
    check("盖伟", "ge wei");
    check("召伟", "shao wei");
    check("缪伟", "miao wei");
    check("繁伟", "po wei");
    check("覃伟", "qin wei");
    check("翟伟", "zhai wei");
    check("尉迟恭", "yu chi gong");
    check("万俟卨", "mo qi xie");
    check("长孙无忌", "zhang sun wu ji");
    check("澹台灭明", "tan tai mie ming");
    check("乐伟", "yue wei");
    check("员伟", "yun wei");
    check("黑伟", "he wei");
    check("葛伟", "ge wei");
    check("种伟", "chong wei");
    check("秘伟", "bi wei");
    check("句伟", "gou wei");
    check("冼伟", "xian wei");
    check("阚伟", "kan wei");
    check("过伟", "guo wei");
    check("华伟", "hua wei");
    check("任伟", "ren wei");
    check("褚伟", "chu wei");
    check("折伟", "she wei");
    check("能伟", "nai wei");
    check("都伟", "du wei");
    check("卜伟", "bu wei");
    check("尉伟", "wei wei");
    check("长伟", "chang wei");
    check("單偉", "shan wei");
    // Only the surname takes a surname reading.
    check("王单", "wang dan");
    check("王曾", "wang ceng");
    check("单", "dan");
    // Minority names have no surname.
    check("单·曾", "dan ceng");
}

#[test]
fn reads_pinyin() {
    #[track_caller]
    fn check(input: &str, expected_readings: &str) {
        assert_eq!(name(input).pinyin_readings(), expected_readings, "input {input:?}");
    }

    check("单伟", "shan|dan|chan wei");
    check("曾曾", "zeng|ceng ceng|zeng");
    check("尉迟恭", "yu|wei|yun chi gong");
    check("黑伟", "he|hei wei");
    check("买买提", "mai mai ti|di|chi|shi");
    check("买买提·吐尔逊", "mai mai ti|di|chi|shi tu er xun");
    check("徐㼆", "xu ying");
    // Wildcards and characters without a reading.
    check("张?", "zhang ?");
    check("张？", "zhang ?");
    check("张*", "zhang ?");
    check("张□", "zhang ?");
    check("张\u{E000}", "zhang ?");
    check("张𠮷", "zhang ?");
    check("张3", "zhang ?");
    // Latin letter runs.
    check("WEI", "wei");
    check("zhang san", "zhang san");
    check("ZHANGWEI", "zhang wei");
    check("jiangang", "jian gang");
    check("xi'an", "xi an");
    check("xian", "xian");
    check("LV", "lü");
    check("lyu bu", "lü bu");
    check("徐wei", "xu wei");
    check("JOHN SMITH", "? ?");
    check("JEAN-PIERRE", "? pi er re");
    check("MÜLLER", "?");
}

#[test]
fn reads_homophones() {
    #[track_caller]
    fn check(a: char, b: char, expected: bool) {
        assert_eq!(is_homophone(a, b), expected, "{a} vs {b}");
        assert_eq!(is_homophone(b, a), expected, "{b} vs {a}");
    }

    check('张', '章', true);
    check('卜', '不', true);
    check('杜', '都', true);
    check('阿', '阿', true);
    check('張', '张', true);
    check('张', '王', false);
    check('丽', '莉', true);
    check('?', '?', false);
    check('A', 'A', false);
    check('𠮷', '吉', false);

    // Transliteration variants agree character by character on some reading...
    let abdu: Vec<char> = "阿卜杜".chars().collect();
    let abudu: Vec<char> = "阿不都".chars().collect();
    assert!(abdu.iter().zip(&abudu).all(|(&a, &b)| is_homophone(a, b)));
    // ...though their primary readings differ.
    assert_eq!(name("阿卜杜").pinyin_primary(), "a bo du");
    assert_eq!(name("阿不都").pinyin_primary(), "a bu dou");
    assert_eq!(name("买买提").pinyin_primary(), name("麦麦提").pinyin_primary());
    assert_eq!(name("古丽").pinyin_primary(), name("姑丽").pinyin_primary());
}

#[test]
fn splits_surnames() {
    #[track_caller]
    fn check(input: &str, expected_surname: &str, expected_given: &str) {
        let name = name(input);
        assert_eq!(
            (name.surname.as_str(), name.given.as_str()),
            (expected_surname, expected_given)
        );
    }

    check("欧阳娜娜", "欧阳", "娜娜");
    check("司马光", "司马", "光");
    check("诸葛亮", "诸葛", "亮");
    check("歐陽娜娜", "欧阳", "娜娜");
    check("爱新觉罗溥仪", "爱新觉罗", "溥仪");
    check("张伟", "张", "伟");
    check("王小明", "王", "小明");
    check("单于飞", "单", "于飞");
    check("欧阳", "欧", "阳");
    check("张", "", "张");
    check("买买提·吐尔逊", "", "买买提·吐尔逊");
    check("买买提 吐尔逊", "", "买买提·吐尔逊");
    check("zhang san", "ZHANG", "SAN");
    check("OUYANG NANA", "OUYANG", "NANA");
    check("WEI", "", "WEI");
    check("徐WEI", "徐", "WEI");
    check("?伟", "?", "伟");
}

#[test]
fn classifies_outcomes() {
    #[track_caller]
    fn check(input: &str, expected: NameOutcome) {
        assert_eq!(standardize_name(input), expected, "input {input:?}");
    }

    for missing in ["", "   ", "\u{3000}", "·", "..", "\u{200B}", "无", "不详", "NULL", "n/a"] {
        check(missing, NameOutcome::Missing);
    }
    for placeholder in [
        "某某之子",
        "之女",
        "之男",
        "张丽之子",
        "张丽之女",
        "张丽之长女",
        "婴",
        "婴儿",
        "嬰兒",
        "男婴",
        "女婴",
        "张丽男婴",
        "小孩",
        "无名",
        "无名氏",
        "新生儿",
        "宝宝",
        "王宝宝",
        "大宝",
        "二宝",
        "某某",
        "张某",
        "欧阳某某",
        "baby",
    ] {
        check(placeholder, NameOutcome::Placeholder);
    }
    for not_a_name in ["123", "-", "—", "--", "??", "□□", "１２３", "#", "0.5", "(1)"] {
        check(not_a_name, NameOutcome::NotAName);
    }

    // Close to placeholders, but names.
    for raw in ["张之洞", "贾宝玉", "李婴宁", "王宝宝贝", "张某某某某", "\u{E000}\u{E001}"]
    {
        assert_eq!(name(raw).full, raw);
    }
    assert_eq!(
        standardize_name("單　偉"),
        NameOutcome::Name(StandardName {
            full: "单伟".to_owned(),
            surname: "单".to_owned(),
            given: "伟".to_owned(),
            pinyin: vec![vec!["shan", "dan", "chan"].into(), vec!["wei"].into()],
        })
    );
}

#[test]
fn finds_every_placeholder() {
    #[track_caller]
    fn check(input: &str) {
        assert_eq!(standardize_name(input), NameOutcome::Placeholder, "input {input:?}");
    }

    // Every exact placeholder, so that none is cut off by the check of the last character.
    let exact = "婴 婴儿 男婴 女婴 小孩 孩子 小孩子 无名 无名氏 新生儿 \
        宝宝 宝贝 男宝 女宝 大宝 二宝 三宝 四宝 小宝 某 某某 男 女 \
        男孩 女孩 儿子 女儿 长子 长女 次子 次女 未取名 未起名 \
        未命名 待取名 待定 baby BABYBOY babygirl INFANT newborn";
    for exact in exact.split_whitespace() {
        check(exact);
    }
    check("Baby Boy");
    check("BABY GIRL");
    // Every suffix.
    for suffix in ["男婴", "女婴", "婴儿", "新生儿", "之子", "之女", "之男", "之儿", "之婴"]
    {
        check(&format!("张丽{suffix}"));
    }
    for order in ["长", "次", "大", "小", "一", "二", "三", "四", "五"] {
        check(&format!("张丽之{order}子"));
    }
    check("王宝宝");
    check("张某");
    check("欧阳某某");
}

#[test]
fn tables_are_consistent() {
    // Every reading the pinyin crate yields is in SYLLABLES, which is sorted for binary search.
    let mut seen = std::collections::BTreeSet::new();
    for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
        for syllable in c.to_pinyin_multi().into_iter().flatten().map(Pinyin::plain) {
            seen.insert(syllable);
        }
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), SYLLABLES);

    assert!(COMPOUND_SURNAMES.is_sorted_by_key(|&(compound, _)| compound));
    for (compound, readings) in COMPOUND_SURNAMES {
        assert_eq!(compound.chars().count(), readings.len(), "{compound}");
        assert_eq!(name(&format!("{compound}伟")).surname, compound);
    }

    // OpenCC's 4,113 entries less the 15 characters that are also simplified.
    assert_eq!(crate::name::t2s::n_changed(), 4098);
}

/// Every character of the planes in use (BMP, SMP, SIP, TIP, tags and variation selectors, the
/// start of each private-use plane), alone and between a Latin letter and Hanzi, normalises
/// idempotently and standardizes without panicking. Planes 4-13 are unassigned.
#[test]
fn every_char_normalizes_idempotently() {
    let planes = [0..0x4_0000, 0xE_0000..0xE_1000, 0xF_0000..0xF_0100, 0x10_0000..0x10_0100];
    for c in planes.into_iter().flatten().filter_map(char::from_u32) {
        for raw in [c.to_string(), format!("i{c}张伟")] {
            let once = normalize_name(&raw);
            assert_eq!(normalize_name(&once), once, "input {raw:?}");
            if let NameOutcome::Name(name) = standardize_name(&raw) {
                assert_eq!(name.full, once);
            }
        }
    }
}

/// The Hanzi paths (`standardize_han`, `normalize_han`) give what the general ones give for
/// every main-block ideograph alone, as a surname, as a given name, after a compound surname,
/// in a placeholder and in a minority name. They, and the general path's NFKC check, rely on
/// each being a letter and an NFKC-stable starter.
#[test]
fn han_paths_match_general_on_every_ideograph() {
    for c in '\u{4E00}'..='\u{9FFF}' {
        assert!(c.is_alphabetic(), "{c:?}");
        assert!(c.to_string().nfkc().eq([c]), "{c:?}");
        assert_eq!(is_nfkc_quick([c].into_iter()), IsNormalized::Yes, "{c:?}");
        assert_eq!(canonical_combining_class(c), 0, "{c:?}");
        for raw in [
            c.to_string(),
            format!("{c}伟"),
            format!("王{c}"),
            format!("欧阳{c}"),
            format!("{c}之子"),
            format!("买买提·{c}"),
        ] {
            check_han_paths(&raw);
        }
    }
}

#[test]
fn han_paths_match_general_on_compound_surnames() {
    for (compound, _) in COMPOUND_SURNAMES {
        for suffix in ["", "伟", "娜娜", "某", "某某", "之子", "·伟", "歐陽"] {
            check_han_paths(&format!("{compound}{suffix}"));
        }
    }
}

#[test]
fn han_paths_take_every_dot() {
    // Every middle-dot look-alike and what NFKC makes of some (U+119E, U+2024).
    for dot in [
        '\u{00B7}', '\u{0387}', '\u{119E}', '\u{16EB}', '\u{2022}', '\u{2024}', '\u{2027}',
        '\u{2219}', '\u{22C5}', '\u{2E31}', '\u{30FB}', '\u{318D}', '\u{A78F}', '\u{FE52}',
        '\u{FF0E}', '\u{FF65}', '.',
    ] {
        let minority = format!("买买提{dot}吐尔逊");
        assert_eq!(normalize_han(&minority).as_deref(), Some("买买提·吐尔逊"), "{dot:?}");
        for raw in [minority, format!("{dot}張{dot}{dot}偉{dot}"), dot.to_string()] {
            check_han_paths(&raw);
        }
    }
}

/// Checks that the Hanzi paths, where they take `raw`, agree with the general ones.
#[track_caller]
fn check_han_paths(raw: &str) {
    if let Some(normalized) = normalize_han(raw) {
        assert_eq!(normalized, normalize_general(raw), "input {raw:?}");
    }
    if let Some(outcome) = standardize_han(raw) {
        assert_eq!(outcome, standardize_general(raw), "input {raw:?}");
    }
}

/// Characters that exercise every branch of normalisation.
const ALPHABET: &[char] = &[
    '张', '伟', '欧', '阳', '娜', '单', '曾', '尉', '迟', '买', '提', '吐', '之', '子', '某', '宝',
    '張', '劉', '薴', '乾', '於', '歐', '陽', '⼀', '豈', '㼆', '𠮷', 'a', 'z', 'I', 'W', 'E', 'ß',
    'ǰ', 'é', 'Ｚ', '1', '?', '*', '□', '\'', '/', ' ', '\u{3000}', '\t', '-', '—', '.', '·', '・',
    '･', '•', '‧', '．', 'ㆍ', '\u{0301}', '\u{0307}', '\u{200B}', '\u{FEFF}', '\u{E000}',
    '\u{FE0F}', '\u{0000}',
];

fn name_like() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..12)
        .prop_map(|chars| chars.into_iter().collect())
}

/// Characters of common names and those that the Hanzi paths treat specially: compound
/// surnames, surnames read differently, placeholders and missing-value tokens, traditional
/// characters (俓 and 倲 simplify outside the main block), characters outside it, every kind
/// of dot, and a few that NFKC could combine with a neighbour.
const HAN_ALPHABET: &[char] = &[
    '王', '李', '张', '刘', '陈', '伟', '芳', '娜', '涵', '欧', '阳', '司', '马', '诸', '葛', '上',
    '官', '长', '孙', '万', '俟', '爱', '新', '觉', '罗', '叶', '赫', '那', '拉', '单', '曾', '尉',
    '迟', '之', '子', '女', '男', '儿', '婴', '宝', '某', '小', '孩', '生', '大', '次', '无', '名',
    '氏', '不', '详', '空', '暂', '張', '劉', '陳', '歐', '陽', '單', '嬰', '兒', '寶', '無', '俓',
    '倲', '薴', '乾', '於', '㐀', '〇', '𠮷', '豈', '.', '·', '•', '‧', '・', '．', '･', 'ㆍ',
    '\u{119E}', '\u{0387}', '\u{2024}', '\u{FE52}', '\u{1100}', '\u{0301}', ' ', '-', 'A',
];

fn han_like() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(HAN_ALPHABET), 0..11)
        .prop_map(|chars| chars.into_iter().collect())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        name_like(),
        any::<String>(),
        prop::collection::vec(any::<char>(), 0..8).prop_map(|chars| chars.into_iter().collect())
    ]
}

proptest! {
    #[test]
    fn standardize_never_panics(raw in any_text()) {
        let _ = standardize_name(&raw);
    }

    #[test]
    fn normalize_is_idempotent(raw in any_text()) {
        let once = normalize_name(&raw);
        prop_assert_eq!(normalize_name(&once), once);
    }

    #[test]
    fn full_is_normalized(raw in any_text()) {
        if let NameOutcome::Name(name) = standardize_name(&raw) {
            prop_assert_eq!(&name.full, &normalize_name(&raw));
            prop_assert!(!name.pinyin.iter().any(|readings| readings.is_empty()));
        }
    }

    #[test]
    fn standardize_is_idempotent(raw in any_text()) {
        if let NameOutcome::Name(name) = standardize_name(&raw) {
            prop_assert_eq!(standardize_name(&name.full), NameOutcome::Name(name));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn han_paths_match_general(raw in prop_oneof![3 => han_like(), 1 => any_text()]) {
        if let Some(normalized) = normalize_han(&raw) {
            prop_assert_eq!(normalized, normalize_general(&raw));
        }
        if let Some(outcome) = standardize_han(&raw) {
            prop_assert_eq!(outcome, standardize_general(&raw));
        }
    }
}
