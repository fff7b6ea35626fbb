//! Closed code sets (sex, ethnicity, relation to head, record type, collection mode): raw codes
//! and names, as sources write them, to model values.
//!
//! Every parser trims the input, folds full-width ASCII (`１`, `Ｍ`, `（`) as NFKC does, drops
//! inner whitespace and ignores ASCII case; what it does not recognise is `None`, never an error
//! or a guess.
//!
//! ```
//! use censuslink_model::{Ethnicity, Relation, Sex};
//! use censuslink_standardize::codes::{ethnicity_name, parse_ethnicity, parse_relation, parse_sex};
//!
//! assert_eq!(parse_sex("女性"), Some(Sex::Female));
//! assert_eq!(parse_ethnicity("维吾尔"), Ethnicity::new(5));
//! assert_eq!(parse_ethnicity("05").map(ethnicity_name), Some("维吾尔族"));
//! assert_eq!(parse_relation("儿媳"), Some(Relation::ChildInLaw));
//! ```

use censuslink_model::{CollectionMode, Ethnicity, RecordType, RegisterStatus, Relation, Sex};

/// The sex written as `raw`: `男`, `男性`, `1`, `M`, `male` for male; `女`, `女性`, `2`, `F`,
/// `female` for female (GB/T 2261.1 codes; letters in any case). `None` for anything else,
/// including GB/T 2261.1's `0` (unknown) and `9` (unstated).
pub fn parse_sex(raw: &str) -> Option<Sex> {
    // The common codes as they usually arrive, before any folding.
    match raw {
        "男" | "1" => return Some(Sex::Male),
        "女" | "2" => return Some(Sex::Female),
        _ => {}
    }
    let text = ShortText::new(raw)?;
    match text.as_str() {
        "男" | "男性" | "1" | "m" | "male" => Some(Sex::Male),
        "女" | "女性" | "2" | "f" | "female" => Some(Sex::Female),
        _ => None,
    }
}

/// The ethnicity written as `raw`: a GB 3304 code (`1` to `56` with or without a leading zero,
/// `97`, `98`) or a name with or without the final `族` (`汉族`, `汉`, `蒙古`). Also accepted:
/// the colloquial `蒙族` and `维族`, the former official names `僮族` (壮族 until 1965), `佧佤族`
/// (佤族 until 1962), `崩龙族` (德昂族 until 1985) and `毛难族` (毛南族 until 1986); `其他`,
/// `未识别民族`, `其他(未识别民族)` for 97; `外国血统中国籍人士`, `外国血统`, `入籍` for 98.
/// `None` for anything else (`0`, `57`, `99`, unknown names).
pub fn parse_ethnicity(raw: &str) -> Option<Ethnicity> {
    // Han, nine in ten people, as it usually arrives, before any folding.
    if matches!(raw, "汉族" | "汉" | "01") {
        return Some(Ethnicity::HAN);
    }
    let text = ShortText::new(raw)?;
    let text = text.as_str();
    if let Some(code) = small_number(text) {
        return Ethnicity::new(code);
    }
    let code = match text {
        "其他"
        | "其它"
        | "未识别"
        | "未识别民族"
        | "其他未识别民族"
        | "其他(未识别民族)"
        | "其他民族" => 97,
        "外国血统中国籍人士" | "外国血统中国籍" | "外国血统" | "入籍" | "外国人入籍" => {
            98
        }
        "蒙族" => 2,
        "维族" => 5,
        "僮族" => 8,
        "佧佤族" | "佧佤" | "卡佤族" => 21,
        "毛难族" | "毛难" => 36,
        "崩龙族" | "崩龙" => 46,
        _ => {
            let base = text.strip_suffix('族').unwrap_or(text);
            let idx =
                ETHNICITY_NAMES.iter().position(|name| name.strip_suffix('族') == Some(base))?;
            idx as u8 + 1
        }
    };
    Ethnicity::new(code)
}

/// The full GB 3304 name of `e`: `汉族` for 01 to `基诺族` for 56, `其他未识别民族` for 97,
/// `外国血统中国籍人士` for 98.
pub fn ethnicity_name(e: Ethnicity) -> &'static str {
    match e.code() {
        97 => "其他未识别民族",
        98 => "外国血统中国籍人士",
        code => ETHNICITY_NAMES
            .get(usize::from(code).wrapping_sub(1))
            .copied()
            .expect("an Ethnicity code is 1..=56, 97 or 98"),
    }
}

/// The relation to the head of household written as `raw`: a census code `0` to `9` (also `00`
/// to `09`) or a name: `户主`/`本人`, `配偶`/`妻`/`夫`, `子女`/`子`/`女`/`儿子`/`女儿`,
/// `父母`/`父亲`/`母亲`, `岳父母或公婆`/`岳父`/`岳母`/`公公`/`婆婆`, `祖父母` (and the
/// maternal `外祖父母`), `媳婿`/`儿媳`/`女婿`, `孙子女`/`孙子`/`孙女` (and `外孙`...),
/// `兄弟姐妹`/`兄`/`弟`/`姐`/`妹`, `其他`. `None` for anything else.
pub fn parse_relation(raw: &str) -> Option<Relation> {
    let text = ShortText::new(raw)?;
    let text = text.as_str();
    if let Some(code) = small_number(text) {
        return Relation::ALL.get(usize::from(code)).copied();
    }
    let relation = match text {
        "户主" | "本人" => Relation::Head,
        "配偶" | "妻" | "夫" | "妻子" | "丈夫" => Relation::Spouse,
        "子女" | "子" | "女" | "儿子" | "女儿" | "儿" => Relation::Child,
        "父母" | "父亲" | "母亲" | "父" | "母" => Relation::Parent,
        "岳父母或公婆" | "岳父母" | "公婆" | "岳父" | "岳母" | "公公" | "婆婆" => {
            Relation::ParentInLaw
        }
        "祖父母" | "祖父" | "祖母" | "外祖父母" | "外祖父" | "外祖母" => {
            Relation::Grandparent
        }
        "媳婿" | "儿媳" | "女婿" => Relation::ChildInLaw,
        "孙子女" | "孙子" | "孙女" | "外孙子女" | "外孙" | "外孙子" | "外孙女" => {
            Relation::Grandchild
        }
        "兄弟姐妹" | "兄" | "弟" | "姐" | "妹" | "兄弟" | "姐妹" | "哥哥" | "弟弟" | "姐姐"
        | "妹妹" => Relation::Sibling,
        "其他" | "其它" => Relation::Other,
        _ => return None,
    };
    Some(relation)
}

/// The census record type written as `raw`: `常住`, `常住人口`, `resident` or `1` for
/// [`RecordType::Resident`]; `户在人不在`, `外出`, `registered_away` or `2` for
/// [`RecordType::RegisteredAway`]. `None` for anything else.
pub fn parse_record_type(raw: &str) -> Option<RecordType> {
    let text = ShortText::new(raw)?;
    match text.as_str() {
        "常住" | "常住人口" | "resident" | "1" => Some(RecordType::Resident),
        "户在人不在" | "外出" | "registered_away" | "registeredaway" | "2" => {
            Some(RecordType::RegisteredAway)
        }
        _ => None,
    }
}

/// How a census record was collected, written as `raw`: `自主填报`, `自填`, `self_report`,
/// `self` for [`CollectionMode::SelfReport`]; `普查员`, `普查员登记`, `入户`, `入户登记`,
/// `enumerator` for [`CollectionMode::Enumerator`]. `None` for anything else.
pub fn parse_collection_mode(raw: &str) -> Option<CollectionMode> {
    let text = ShortText::new(raw)?;
    match text.as_str() {
        "自主填报" | "自填" | "self_report" | "selfreport" | "self" => {
            Some(CollectionMode::SelfReport)
        }
        "普查员" | "普查员登记" | "入户" | "入户登记" | "enumerator" => {
            Some(CollectionMode::Enumerator)
        }
        _ => None,
    }
}

/// A register entry's status written as `raw`, in the words departments use: hukou
/// `人员状态` (`正常`, `死亡注销`, `迁出注销`, `注销`), insurance `参保状态` (`参保缴费`,
/// `暂停缴费`, `终止参保`), school `学籍状态` (`在籍`, `转出`, `休学`, `毕业`), or the
/// canonical names (`active`, `death_cancelled`, ...). `None` for anything else.
pub fn parse_status(raw: &str) -> Option<RegisterStatus> {
    let text = ShortText::new(raw)?;
    let text = text.as_str();
    if let Ok(status) = text.parse() {
        return Some(status);
    }
    let status = match text {
        "正常" | "在册" | "有效" | "参保缴费" | "正常参保" | "正常缴费" | "参保" | "在籍"
        | "在读" | "在校" => RegisterStatus::Active,
        "死亡注销" | "死亡" | "已死亡" => RegisterStatus::DeathCancelled,
        "迁出注销" | "迁出" | "已迁出" => RegisterStatus::MovedOut,
        "注销" | "已注销" | "出国注销" | "出境注销" | "参军注销" | "服兵役注销" | "其他注销" => {
            RegisterStatus::Cancelled
        }
        "暂停缴费" | "暂停参保" | "中断缴费" | "停保" | "暂停" => {
            RegisterStatus::Suspended
        }
        "终止参保" | "终止" | "退保" => RegisterStatus::Ended,
        "转出" | "转学" | "已转出" => RegisterStatus::TransferredOut,
        "休学" => RegisterStatus::OnLeave,
        "毕业" | "已毕业" | "结业" => RegisterStatus::Graduated,
        _ => return None,
    };
    Some(status)
}

/// NFKC's folding of the full-width ASCII block (U+FF01..=U+FF5E, `１` to `1`, `Ｘ` to `X`) and
/// of the ideographic space U+3000; every other character is returned unchanged.
pub(crate) fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// GB 3304 names in code order: `ETHNICITY_NAMES[code - 1]`.
const ETHNICITY_NAMES: [&str; 56] = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
];

/// Capacity of [`ShortText`]: longer than every name accepted here, so longer input matches
/// nothing.
const SHORT_TEXT_BYTES: usize = 64;

/// A code's text ready for matching, on the stack: trimmed, full-width folded, whitespace
/// dropped, ASCII lower-cased.
struct ShortText {
    bytes: [u8; SHORT_TEXT_BYTES],
    /// Invariant: `bytes[..len]` is valid UTF-8, written one whole character at a time.
    len: usize,
}

impl ShortText {
    /// `None` when the normalised text does not fit in [`SHORT_TEXT_BYTES`].
    fn new(raw: &str) -> Option<ShortText> {
        let mut text = ShortText { bytes: [0; SHORT_TEXT_BYTES], len: 0 };
        for c in raw.chars().map(fold_width).filter(|c| !c.is_whitespace()) {
            let c = c.to_ascii_lowercase();
            let end = text.len + c.len_utf8();
            let slot = text.bytes.get_mut(text.len..end)?;
            c.encode_utf8(slot);
            text.len = end;
        }
        Some(text)
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).expect("whole characters were written")
    }
}

/// The value of `text` when it is one or two ASCII digits (`7`, `07`, `56`), so at most 99.
fn small_number(text: &str) -> Option<u8> {
    match *text.as_bytes() {
        [units] if units.is_ascii_digit() => Some(units - b'0'),
        [tens, units] if tens.is_ascii_digit() && units.is_ascii_digit() => {
            Some((tens - b'0') * 10 + (units - b'0'))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use censuslink_model::{CollectionMode, Ethnicity, RecordType, RegisterStatus, Relation, Sex};

    use crate::codes::{
        ETHNICITY_NAMES, ethnicity_name, fold_width, parse_collection_mode, parse_ethnicity,
        parse_record_type, parse_relation, parse_sex, parse_status,
    };

    #[test]
    fn sex() {
        fn check(input: &str, expected: Option<Sex>) {
            assert_eq!(parse_sex(input), expected, "input {input:?}");
        }
        for male in ["男", "男性", "1", "M", "m", "male", "Male", " 男 ", "１", "Ｍ"] {
            check(male, Some(Sex::Male));
        }
        for female in ["女", "女性", "2", "F", "f", "female", "FEMALE", "２"] {
            check(female, Some(Sex::Female));
        }
        for unknown in ["", "0", "9", "未知", "男女", "3", "x", "01"] {
            check(unknown, None);
        }
    }

    #[test]
    fn ethnicity() {
        fn check(input: &str, expected_code: Option<u8>) {
            assert_eq!(parse_ethnicity(input).map(Ethnicity::code), expected_code, "{input:?}");
        }
        check("1", Some(1));
        check("01", Some(1));
        check("０１", Some(1));
        check("5", Some(5));
        check("05", Some(5));
        check("10", Some(10));
        check("56", Some(56));
        check("97", Some(97));
        check("98", Some(98));
        check("汉族", Some(1));
        check("汉", Some(1));
        check(" 汉族 ", Some(1));
        check("蒙古族", Some(2));
        check("蒙古", Some(2));
        check("蒙族", Some(2));
        check("维吾尔族", Some(5));
        check("维吾尔", Some(5));
        check("维族", Some(5));
        check("土家族", Some(15));
        check("土族", Some(30));
        check("土", Some(30));
        check("柯尔克孜族", Some(29));
        check("乌孜别克", Some(43));
        check("基诺族", Some(56));
        check("僮族", Some(8));
        check("崩龙族", Some(46));
        check("其他", Some(97));
        check("其他未识别民族", Some(97));
        check("其他（未识别民族）", Some(97));
        check("未识别民族", Some(97));
        check("外国血统中国籍人士", Some(98));
        check("入籍", Some(98));
        for unknown in ["", "0", "00", "57", "96", "99", "100", "001", "族", "汉汉", "Han"] {
            check(unknown, None);
        }
    }

    #[test]
    fn every_ethnicity_round_trips_through_its_name_and_code() {
        for code in (1..=56).chain([97, 98]) {
            let e = Ethnicity::new(code).expect("a GB 3304 code");
            let name = ethnicity_name(e);
            assert_eq!(parse_ethnicity(name), Some(e), "{name}");
            assert_eq!(parse_ethnicity(&code.to_string()), Some(e));
            assert_eq!(parse_ethnicity(&format!("{code:02}")), Some(e));
            if code <= 56 {
                let base = name.strip_suffix('族').expect("every GB 3304 group name ends in 族");
                assert_eq!(parse_ethnicity(base), Some(e), "{base}");
            }
        }
        assert_eq!(ethnicity_name(Ethnicity::HAN), "汉族");
        assert_eq!(ethnicity_name(Ethnicity::new(29).expect("29")), "柯尔克孜族");
        assert_eq!(ETHNICITY_NAMES.len(), 56);
    }

    #[test]
    fn relation() {
        fn check(input: &str, expected: Option<Relation>) {
            assert_eq!(parse_relation(input), expected, "input {input:?}");
        }
        for (code, relation) in Relation::ALL.iter().enumerate() {
            check(&code.to_string(), Some(*relation));
            check(&format!("{code:02}"), Some(*relation));
        }
        let names = [
            (Relation::Head, &["户主", "本人"][..]),
            (Relation::Spouse, &["配偶", "妻", "夫"]),
            (Relation::Child, &["子女", "子", "女", "儿子", "女儿"]),
            (Relation::Parent, &["父母", "父亲", "母亲"]),
            (Relation::ParentInLaw, &["岳父母或公婆", "岳父", "岳母", "公公", "婆婆"]),
            (Relation::Grandparent, &["祖父母", "外祖母"]),
            (Relation::ChildInLaw, &["媳婿", "儿媳", "女婿"]),
            (Relation::Grandchild, &["孙子女", "孙子", "孙女", "外孙女"]),
            (Relation::Sibling, &["兄弟姐妹", "兄", "弟", "姐", "妹"]),
            (Relation::Other, &["其他", "其它"]),
        ];
        for (relation, inputs) in names {
            for input in inputs {
                check(input, Some(relation));
            }
        }
        for unknown in ["", "10", "010", "-1", "朋友", "head"] {
            check(unknown, None);
        }
    }

    #[test]
    fn record_type() {
        fn check(input: &str, expected: Option<RecordType>) {
            assert_eq!(parse_record_type(input), expected, "input {input:?}");
        }
        check("常住", Some(RecordType::Resident));
        check("resident", Some(RecordType::Resident));
        check("1", Some(RecordType::Resident));
        check("户在人不在", Some(RecordType::RegisteredAway));
        check("外出", Some(RecordType::RegisteredAway));
        check("registered_away", Some(RecordType::RegisteredAway));
        check("2", Some(RecordType::RegisteredAway));
        check("", None);
        check("3", None);
        check("暂住", None);
    }

    #[test]
    fn collection_mode() {
        fn check(input: &str, expected: Option<CollectionMode>) {
            assert_eq!(parse_collection_mode(input), expected, "input {input:?}");
        }
        for self_report in ["自主填报", "自填", "self_report", "self", "SELF"] {
            check(self_report, Some(CollectionMode::SelfReport));
        }
        for enumerator in ["普查员", "入户", "enumerator"] {
            check(enumerator, Some(CollectionMode::Enumerator));
        }
        check("", None);
        check("电话", None);
    }

    #[test]
    fn register_status() {
        fn check(input: &str, expected: Option<RegisterStatus>) {
            assert_eq!(parse_status(input), expected, "input {input:?}");
        }
        for active in ["正常", "参保缴费", "在籍", "active", " ACTIVE "] {
            check(active, Some(RegisterStatus::Active));
        }
        check("死亡注销", Some(RegisterStatus::DeathCancelled));
        check("迁出注销", Some(RegisterStatus::MovedOut));
        check("出国注销", Some(RegisterStatus::Cancelled));
        check("暂停缴费", Some(RegisterStatus::Suspended));
        check("终止参保", Some(RegisterStatus::Ended));
        check("转出", Some(RegisterStatus::TransferredOut));
        check("休学", Some(RegisterStatus::OnLeave));
        check("毕业", Some(RegisterStatus::Graduated));
        check("death_cancelled", Some(RegisterStatus::DeathCancelled));
        check("", None);
        check("待定", None);
        assert!(RegisterStatus::MovedOut.is_closed() && !RegisterStatus::Suspended.is_closed());
    }

    #[test]
    fn width_folding() {
        assert_eq!(fold_width('９'), '9');
        assert_eq!(fold_width('Ｘ'), 'X');
        assert_eq!(fold_width('（'), '(');
        assert_eq!(fold_width('\u{3000}'), ' ');
        assert_eq!(fold_width('汉'), '汉');
    }

    #[test]
    fn overlong_input_matches_nothing() {
        assert_eq!(parse_sex(&"男".repeat(100)), None);
        assert_eq!(parse_ethnicity(&"9".repeat(100)), None);
    }
}
