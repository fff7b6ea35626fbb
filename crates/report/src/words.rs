//! The words analysts read for the names the code uses: fields and comparison levels, in
//! Chinese or English.

use censuslink_io::Lang;

/// A field's (or feature's) name in `lang`; an extra field keeps its own name.
pub fn field_name(field: &str, lang: Lang) -> &str {
    let zh = match field {
        "record_id" => "记录编号",
        "name" => "姓名",
        "other_names" => "曾用名",
        "sex" => "性别",
        "birth_date" => "出生日期",
        "id_number" => "身份证号",
        "ethnicity" => "民族",
        "hukou_region" => "户籍地",
        "hukou_address" => "户籍地址",
        "residence_region" => "现住地",
        "residence_address" => "现住地址",
        "enumeration_area" => "普查小区",
        "household_id" => "户编号",
        "relation" => "与户主关系",
        "record_type" => "登记类型",
        "event_date" => "事件日期",
        "mother_id" => "母亲身份证号",
        "mother_name" => "母亲姓名",
        "collection_mode" => "填报方式",
        "status" => "登记状态",
        "status_date" => "状态日期",
        "household" => "同户关系",
        _ => field,
    };
    lang.pick(zh, field)
}

/// A comparison level's label in `lang`; a label with a threshold (`jaro_winkler >= 0.92`)
/// keeps its own words.
pub fn level_label(label: &str, lang: Lang) -> &str {
    let zh = match label {
        "missing" => "缺失",
        "exact" => "完全一致",
        "else" => "不一致",
        "same reading" => "读音相同",
        "an other name agrees" => "曾用名或别名一致",
        "one character differs" => "一字之差",
        "similar reading" => "读音相近",
        "exact after 15 to 18" => "15 位转 18 位后一致",
        "one substitution" => "一位不同",
        "adjacent transposition" => "相邻两位颠倒",
        "first 15 digits exact" => "前 15 位一致",
        "same region and birth date, another sequence" => "地区与出生日期相同、顺序码不同",
        "both valid, birth dates differ" => "均为有效号码、出生日期不同",
        "exact as far as both say" => "双方所记部分一致",
        "same year and month" => "同年同月",
        "day and month swapped" => "日月颠倒",
        "one digit differs" => "一位数字不同",
        "within 50 days" => "相差 50 天内",
        "within a year" => "相差一年内",
        "same township" => "同乡镇",
        "same county" => "同区县",
        "same prefecture" => "同地市",
        "the household's other members link to this household" => "本户其他成员已比上对方同一户",
        _ => label,
    };
    lang.pick(zh, label)
}

#[cfg(test)]
mod tests {
    use censuslink_io::Lang;

    use super::{field_name, level_label};

    #[test]
    fn names_and_levels_read_in_chinese_and_stay_as_they_are_in_english() {
        assert_eq!(field_name("id_number", Lang::Zh), "身份证号");
        assert_eq!(field_name("id_number", Lang::En), "id_number");
        assert_eq!(field_name("postcode", Lang::Zh), "postcode", "an extra keeps its name");
        assert_eq!(level_label("day and month swapped", Lang::Zh), "日月颠倒");
        assert_eq!(level_label("jaro_winkler >= 0.92", Lang::Zh), "jaro_winkler >= 0.92");
    }
}
