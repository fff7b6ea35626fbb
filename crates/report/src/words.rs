//! The words analysts read for the names the code uses: fields, in Chinese or English (a
//! comparison level says its own: `censuslink_linkage::LevelName::text`).

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

#[cfg(test)]
mod tests {
    use censuslink_io::Lang;

    use super::field_name;

    #[test]
    fn field_names_read_in_chinese_and_stay_as_they_are_in_english() {
        assert_eq!(field_name("id_number", Lang::Zh), "身份证号");
        assert_eq!(field_name("id_number", Lang::En), "id_number");
        assert_eq!(field_name("postcode", Lang::Zh), "postcode", "an extra keeps its name");
    }
}
