//! Seeded generators of benchmark data: departmental extracts of stated size.

use std::fmt::Write as _;
use std::path::Path;

/// A small deterministic generator (SplitMix64), so that benches need no extra dependency and
/// the same seed always gives the same file.
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "欧阳", "单", "曾", "司马",
];
/// Characters of given names; a given name is one or two of them, so that a million rows hold
/// several hundred thousand distinct names, as a district does.
const GIVEN: [char; 120] = [
    '伟', '芳', '娜', '秀', '英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟',
    '涛', '明', '超', '兰', '霞', '平', '刚', '桂', '子', '涵', '一', '诺', '宇', '轩', '浩', '然',
    '欣', '怡', '建', '国', '志', '雪', '梅', '海', '燕', '文', '华', '玉', '婷', '晨', '鑫', '佳',
    '琪', '梓', '萱', '俊', '辉', '鹏', '飞', '波', '斌', '宁', '欢', '莉', '琳', '颖', '倩', '婧',
    '博', '睿', '泽', '昊', '晓', '东', '红', '春', '秋', '冬', '林', '森', '金', '银', '凤', '龙',
    '虎', '彪', '峰', '岩', '川', '江', '河', '湖', '光', '亮', '荣', '贵', '福', '寿', '喜', '乐',
    '安', '康', '德', '仁', '义', '礼', '智', '信', '忠', '孝', '诚', '恒', '坤', '乾', '婉', '嘉',
    '蕾', '薇', '璐', '瑶', '露', '霖', '雯', '馨',
];
const COUNTIES: [&str; 6] = ["320102", "320104", "320105", "320106", "320111", "320113"];

/// Writes a hukou-like CSV of `n_rows` persons (UTF-8, dates in mixed formats, about 2 % of
/// IDs damaged) and a job file mapping it; returns the job file's path.
pub(crate) fn write_hukou_extract(folder: &Path, n_rows: usize, seed: u64) -> std::path::PathBuf {
    let mut rng = SplitMix64::new(seed);
    let mut text = String::with_capacity(n_rows * 120);
    text.push_str("户籍编号,姓名,身份证号,性别,出生日期,民族,户籍地代码,户籍地址\n");
    for idx in 0..n_rows {
        let county = rng.pick(&COUNTIES);
        let (year, month, day) = (1930 + rng.below(90), 1 + rng.below(12), 1 + rng.below(28));
        let seq = rng.below(1000);
        let is_male = seq % 2 == 1;
        let body = format!("{county}{year:04}{month:02}{day:02}{seq:03}");
        let body_bytes: [u8; 17] = body.as_bytes().try_into().expect("17 digits");
        let check = censuslink_standardize::id::check_character(&body_bytes) as char;
        let mut id = format!("{body}{check}");
        if rng.below(50) == 0 {
            id = id.to_lowercase().replace('9', "９");
        }
        let mut name = format!("{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN));
        if rng.below(10) < 8 {
            name.push(*rng.pick(&GIVEN));
        }
        let date = match idx % 3 {
            0 => format!("{year}-{month:02}-{day:02}"),
            1 => format!("{year}{month:02}{day:02}"),
            _ => format!("{year}/{month}/{day}"),
        };
        let sex = if is_male { "男" } else { "女" };
        let ethnicity = if rng.below(20) == 0 { "回族" } else { "汉族" };
        let township = 1 + rng.below(12);
        writeln!(
            text,
            "H{idx:08},{name},{id},{sex},{date},{ethnicity},{county}{township:03},江苏省南京市某区某街道{}号",
            1 + rng.below(300)
        )
        .expect("writing to a String cannot fail");
    }
    std::fs::write(folder.join("hukou.csv"), text).expect("the bench folder is writable");
    let job = r#"reference_moment = "2020-11-01T00:00:00"

[[source]]
name = "hukou"
role = "hukou"
path = "hukou.csv"
key = "户籍编号"

[source.fields]
name = "姓名"
id_number = "身份证号"
sex = "性别"
birth_date = "出生日期"
ethnicity = "民族"
hukou_region = "户籍地代码"
hukou_address = "户籍地址"
"#;
    let job_path = folder.join("job.toml");
    std::fs::write(&job_path, job).expect("the bench folder is writable");
    job_path
}
