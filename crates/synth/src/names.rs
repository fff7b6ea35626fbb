//! Names of the synthetic people: surnames by their frequency, given names by sex and birth
//! cohort, Uyghur names, and the character confusions of the error model (homophones,
//! look-alikes, traditional forms), after DOMAIN §3.
//!
//! Every table here is a slice or an array walked in order, so that a generator state gives the
//! same name on every run. Every name drawn is already in the form `normalize_name` gives
//! (simplified characters, U+00B7 between the parts of a Uyghur name): only the error model's
//! [`traditional`] brings traditional characters in.

use std::sync::LazyLock;

use censuslink_model::Sex;

use crate::rng::Rng;

/// The separator of the parts of a minority name (民委发〔2016〕33号): U+00B7 MIDDLE DOT.
pub(crate) const MIDDLE_DOT: char = '\u{00B7}';

/// A surname drawn by its frequency in the registered population (compound surnames included).
///
/// The table is `data/names-surnames.tsv` (about 400 surnames; its head says where each share
/// comes from). What is checked and what is estimated:
///
/// - verified (DOMAIN §3.1, 2010 census, NBS): 王 7.10 %, 李 6.96 %, 张 6.42 %, 刘 5.16 %,
///   陈 4.26 %, and the top 20 together 52.27 %;
/// - read from a press repost of the same NBS table, not checked against the original: the
///   shares of ranks 6 to 20 (杨 2.97 % ... 林 0.96 %);
/// - verified counts (DOMAIN §3.1, MPS 2020 report), taken over 1.4 bn people: the 14 compound
///   surnames, 欧阳 1.112 M (0.079 %) to 长孙 3 k, together 0.107 %;
/// - estimates, not published per surname: the shares of ranks 21 to 100 (order of the MPS 2020
///   list, a smooth curve from 0.90 % to 0.185 % that brings the top 100 to 85.00 %, between the
///   MPS figures 84.77 % for 2007 and 85.9 % for 2019), and of ranks 101 on (order from general
///   knowledge, shares decaying from 0.18 % to 0.006 %), among them the surnames read unlike
///   their characters' common reading: 单 解 仇 查 区 朴 盖 翟 (曾 and 覃 are in the top 100).
///
/// The thousands of rarer surnames (about 1.4 % of people) are not listed: their share is spread
/// over the rows from rank 101 on in proportion (each such row is drawn about 1.1 times as often
/// as its own share), so that the listed top 100 keep their 85 % of draws.
pub(crate) fn surname(rng: &mut Rng) -> &'static str {
    let table = &*SURNAMES;
    table.rows[table.draw(rng)].surname
}

/// A given name of one or two characters, from character pools that depend on sex and on the
/// birth cohort (born before 1960; 1960 to 1989; from 1990).
///
/// Names of one character make 10 % of the oldest cohort, 18 % of the middle one and 14 % of the
/// youngest: estimates, chosen so that a population of 2020 averages about 15 % (DOMAIN §3.2:
/// 14.22 % of all Han names in 2007; the 2020 name report, as reposted, gives a peak of 27.6 % for
/// some birth years and 6.3 % for the births of 2020). A one-character name is drawn from a pool
/// weighted by popularity (伟, 芳, 静, 磊 ... for the middle cohort). A third of the
/// two-character names are one of the popular full names of the sex and cohort (建国, 秀英 for the
/// old; 建军, 海燕 for the middle; 浩然, 梓涵, 一诺 for the young); the rest combine a first and a
/// second character, each drawn from its own weighted pool, never doubled. So common full names
/// such as 张伟, 王芳 and 李娜 really repeat: 伟 is about 1.2 % of the men born 1960 to 1989,
/// which makes 张伟 about 0.02 % of adults, near the 290 k of 1.3 bn that the MPS counted.
///
/// The pools of the two sexes are distinct but share some characters (文, 华, 平, 春, 晓, 子,
/// 梓, 一 ...); no pool holds a traditional character.
pub(crate) fn given_name(rng: &mut Rng, sex: Sex, birth_year: u16) -> String {
    let pool = given_name_pool(sex, Cohort::of(birth_year));
    if rng.chance(pool.one_char_share) {
        return draw_char(rng, pool.singles).to_string();
    }
    if rng.chance(POPULAR_SHARE) {
        return draw_word(rng, pool.popular).to_owned();
    }
    let first = draw_char(rng, pool.firsts);
    // A doubled character (婷婷) is a name of its own, in the popular lists only. No second
    // character weighs more than a sixth of its pool, so a few draws all but always differ; the
    // bound keeps the draw finite.
    for _ in 0..MAX_SECOND_DRAWS {
        let second = draw_char(rng, pool.seconds);
        if second != first {
            return [first, second].iter().collect();
        }
    }
    draw_word(rng, pool.popular).to_owned()
}

/// A Uyghur name in the "given·father's given" pattern (DOMAIN §3.3), with the U+00B7 separator,
/// e.g. 买买提·吐尔逊 / 古丽·艾买提; `father` is the father's own given part when known (children
/// carry it), else drawn from the men's names. The given part comes from the pool of `sex`. Both
/// pools are weighted by an estimate of popularity (买买提 and 古丽 the most common) and hold
/// some transliteration variants of one name (买买提/麦麦提, 古丽/姑丽, 阿不都拉/阿卜杜拉).
pub(crate) fn uyghur_name(rng: &mut Rng, sex: Sex, father: Option<&str>) -> String {
    let pool = match sex {
        Sex::Male => UYGHUR_MALE,
        Sex::Female => UYGHUR_FEMALE,
    };
    let given = draw_word(rng, pool);
    let father = match father {
        Some(father) => father,
        None => draw_word(rng, UYGHUR_MALE),
    };
    format!("{given}{MIDDLE_DOT}{father}")
}

/// The given part of a Uyghur name (the part before the dot), so that a father's can be passed
/// to his children. A name without a dot is all given part.
pub(crate) fn uyghur_given(name: &str) -> &str {
    match name.split_once(MIDDLE_DOT) {
        Some((given, _)) => given,
        None => name,
    }
}

/// A homophone of character `c` for the error model (same toneless pinyin, another character
/// commonly confused in names: 伟/玮/炜, 静/婧, 丽/莉/俐, 军/君/均, 芳/方, 娜/那, 磊/垒, 涛/滔,
/// 杰/洁, 强/墙 ...), or None if the table has none. The other members of `c`'s group are equally
/// likely.
pub(crate) fn homophone(rng: &mut Rng, c: char) -> Option<char> {
    confusable(rng, HOMOPHONES, c)
}

/// Whether [`homophone`] has one for `c`.
pub(crate) fn has_homophone(c: char) -> bool {
    HOMOPHONES.iter().any(|group| group.contains(c))
}

/// A look-alike (形近) character for the error model (己/已, 未/末, 王/玉, 日/曰, 土/士, 贝/见,
/// 汩/汨, 祎/袆, 戊/戌 ...), or None. The other members of `c`'s group are equally likely.
pub(crate) fn look_alike(rng: &mut Rng, c: char) -> Option<char> {
    confusable(rng, LOOK_ALIKES, c)
}

/// Whether [`look_alike`] has one for `c`.
pub(crate) fn has_look_alike(c: char) -> bool {
    LOOK_ALIKES.iter().any(|group| group.contains(c))
}

/// A traditional form of a simplified character (张→張, 刘→劉, 陈→陳, 黄→黃, 赵→趙, 杨→楊,
/// 吴→吳, 伟→偉, 华→華, 国→國, 丽→麗 ...) for the error model, or None. One form per character:
/// the one used in names where there are several (钟→鍾, not 鐘); every form maps back to its
/// simplified character under `normalize_name` (a test checks).
pub(crate) fn traditional(c: char) -> Option<char> {
    TRADITIONAL
        .iter()
        .find(|&&(simplified, _)| simplified == c)
        .map(|&(_, traditional)| traditional)
}

/// Share of two-character given names drawn from the popular list of the sex and cohort.
const POPULAR_SHARE: f64 = 1.0 / 3.0;

/// Draws of a second character that may repeat the first before a popular name is taken.
const MAX_SECOND_DRAWS: usize = 8;

/// Weighted members, grouped by weight: each tier is a positive weight and its members, which
/// are the characters of the text in a character pool and its words (split at single spaces) in
/// a name list. A member's probability is its tier's weight over the sum of all members' weights.
type Tiers = &'static [(f64, &'static str)];

/// The surname table, parsed once.
static SURNAMES: LazyLock<SurnameTable> =
    LazyLock::new(|| SurnameTable::parse(include_str!("../data/names-surnames.tsv")));

/// Where a surname's share comes from: the `basis` column of `names-surnames.tsv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Basis {
    /// The NBS table of the 2010 census (ranks 1 to 20).
    Census2010,
    /// Counts of the MPS 2020 report (compound surnames).
    Report2020,
    /// Estimated share of ranks 21 to 100.
    Estimate,
    /// Estimated share of rank 101 on; these rows also stand for the unlisted surnames.
    TailEstimate,
}

/// One surname of the table.
#[derive(Debug, Clone, Copy)]
struct SurnameRow {
    surname: &'static str,
    /// Its share of draws, in percent; the shares of the table add up to 100.
    percent: f64,
    basis: Basis,
}

/// The surname table, in file order (by rank, compounds last).
struct SurnameTable {
    rows: Vec<SurnameRow>,
    /// Running totals of `rows[..=i].percent`, for drawing by bisection.
    cumulative: Vec<f64>,
}

impl SurnameTable {
    fn parse(text: &'static str) -> SurnameTable {
        let mut rows: Vec<SurnameRow> = Vec::with_capacity(450);
        for line in text.lines().filter(|line| !line.is_empty() && !line.starts_with('#')) {
            let mut fields = line.split('\t');
            let (Some(surname), Some(percent), Some(basis), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                panic!("the bundled surname table has three columns: {line}");
            };
            let percent: f64 = percent.parse().expect("the bundled surname shares are numbers");
            let basis = match basis {
                "nbs2010" => Basis::Census2010,
                "mps2020" => Basis::Report2020,
                "est" => Basis::Estimate,
                "est-tail" => Basis::TailEstimate,
                other => panic!("the bundled surname table names a known basis, not {other}"),
            };
            rows.push(SurnameRow { surname, percent, basis });
        }
        let is_tail = |row: &SurnameRow| row.basis == Basis::TailEstimate;
        let tail_percent: f64 = rows.iter().filter(|row| is_tail(row)).map(|row| row.percent).sum();
        let other_percent: f64 =
            rows.iter().filter(|row| !is_tail(row)).map(|row| row.percent).sum();
        // The unlisted rarer surnames' share goes to the listed tail, in proportion, so that
        // the table adds up to 100 % and the listed top 100 keep their share of draws.
        let tail_factor = (100.0 - other_percent) / tail_percent;
        let mut cumulative = Vec::with_capacity(rows.len());
        let mut total = 0.0;
        for row in &mut rows {
            if is_tail(row) {
                row.percent *= tail_factor;
            }
            total += row.percent;
            cumulative.push(total);
        }
        SurnameTable { rows, cumulative }
    }

    /// The index of a row drawn by its share.
    fn draw(&self, rng: &mut Rng) -> usize {
        let total = *self.cumulative.last().expect("the bundled surname table is not empty");
        let target = rng.unit() * total;
        let idx = self.cumulative.partition_point(|&running| running <= target);
        idx.min(self.rows.len() - 1)
    }
}

/// The birth cohorts whose given names differ (DOMAIN §3.2; the MPS 2020 report's review of
/// names by decade: 建国/建华 and 英/兰 after 1949; 军/勇/英/丽 in the 1960s and 70s; 伟/磊/静/丽
/// in the 80s; 杰/浩/婷/雪 in the 90s; 梓/子/宇/辰/一 after 2000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cohort {
    /// Born before 1960.
    Before1960,
    /// Born 1960 to 1989.
    From1960To1989,
    /// Born 1990 or later.
    From1990,
}

impl Cohort {
    fn of(birth_year: u16) -> Cohort {
        match birth_year {
            ..1960 => Cohort::Before1960,
            1960..1990 => Cohort::From1960To1989,
            _ => Cohort::From1990,
        }
    }
}

/// The given-name tables of one sex and cohort. Weights are relative; estimates of popularity,
/// except where a comment names a source.
struct GivenNamePool {
    /// Probability that a given name has one character.
    one_char_share: f64,
    /// Characters of one-character names.
    singles: Tiers,
    /// First characters of composed two-character names.
    firsts: Tiers,
    /// Second characters of composed two-character names.
    seconds: Tiers,
    /// Popular full two-character names, drawn for [`POPULAR_SHARE`] of two-character names.
    popular: Tiers,
}

fn given_name_pool(sex: Sex, cohort: Cohort) -> &'static GivenNamePool {
    match (sex, cohort) {
        (Sex::Male, Cohort::Before1960) => &MALE_BEFORE_1960,
        (Sex::Male, Cohort::From1960To1989) => &MALE_1960_TO_1989,
        (Sex::Male, Cohort::From1990) => &MALE_FROM_1990,
        (Sex::Female, Cohort::Before1960) => &FEMALE_BEFORE_1960,
        (Sex::Female, Cohort::From1960To1989) => &FEMALE_1960_TO_1989,
        (Sex::Female, Cohort::From1990) => &FEMALE_FROM_1990,
    }
}

/// A character of a character pool, drawn by weight.
fn draw_char(rng: &mut Rng, tiers: Tiers) -> char {
    let (text, idx) = draw_member(rng, tiers, |text| text.chars().count());
    text.chars().nth(idx).expect("the member index is below the tier's count")
}

/// A word of a name list, drawn by weight.
fn draw_word(rng: &mut Rng, tiers: Tiers) -> &'static str {
    let (text, idx) = draw_member(rng, tiers, |text| text.split(' ').count());
    text.split(' ').nth(idx).expect("the member index is below the tier's count")
}

/// The tier text and the index in it of a member drawn by weight; `n_members` counts a tier's
/// members. The tiers are not empty and their weights are positive (tests check every table).
fn draw_member(
    rng: &mut Rng,
    tiers: Tiers,
    n_members: impl Fn(&str) -> usize,
) -> (&'static str, usize) {
    let total: f64 = tiers.iter().map(|&(weight, text)| weight * n_members(text) as f64).sum();
    let mut target = rng.unit() * total;
    for &(weight, text) in tiers {
        let n = n_members(text);
        let tier_total = weight * n as f64;
        if target < tier_total {
            return (text, ((target / weight) as usize).min(n - 1));
        }
        target -= tier_total;
    }
    let &(_, text) = tiers.last().expect("a table has a tier");
    (text, n_members(text) - 1)
}

/// Another member of the group of `groups` that holds `c`, each equally likely; None if no group
/// holds it. Every group has two members or more, and a character is in one group at most.
fn confusable(rng: &mut Rng, groups: &[&str], c: char) -> Option<char> {
    let group = groups.iter().find(|group| group.contains(c))?;
    let n_others = group.chars().count() - 1;
    let idx = rng.below(n_others as u64) as usize;
    group.chars().filter(|&other| other != c).nth(idx)
}

// Given-name pools. Common characters of each period, from the MPS name reports' reviews by
// decade (DOMAIN §3.2) and the most common given names (伟 芳 娜 敏 静 秀英 丽 强 磊 ...); the
// weights are estimates, set so that a top one-character name is about 1.2 % of its sex in the
// middle cohort (张伟 290 k of 85 M 张 is 0.34 %, a share that sits mostly in that cohort).

static MALE_BEFORE_1960: GivenNamePool = GivenNamePool {
    one_char_share: 0.10,
    singles: &[
        (5.0, "明"),
        (4.0, "忠德福贵生"),
        (3.0, "华平荣成祥山林海清发义军文"),
        (2.0, "才喜刚勇龙武全杰强"),
    ],
    firsts: &[
        (10.0, "建"),
        (8.0, "国"),
        (6.0, "志"),
        (5.0, "德永"),
        (4.0, "金文"),
        (3.0, "玉振长庆学春明福树宝有世光"),
        (2.0, "荣忠水天广家连洪"),
    ],
    seconds: &[
        (8.0, "华"),
        (6.0, "生"),
        (5.0, "国民明平"),
        (4.0, "林山成福贵祥荣发"),
        (3.0, "才海忠义和德清全军文兴良中"),
        (2.0, "武强春仁田元安"),
    ],
    popular: &[
        (3.0, "建国 建华"),
        (2.0, "国华 建军 和平 建平 德华 志强 国强"),
        (2.0, "国庆 振华 建中 国平 文华 建新 卫国 解放 志刚 援朝 建民 国良 跃进 爱国"),
        (1.0, "金生 福生 长生 树林 玉林 玉山 德明 金山 春生 德胜 国栋 志明 学文 宝山"),
        (1.0, "光明 胜利 建设 国兴 建林 志华 志成 金龙 金海 长林 长江 永生 永福 永华"),
        (1.0, "永祥 树森 德成 德全 文明 庆华 庆祥 光华 学军 新民 抗美 兴华 振国 金福"),
        (1.0, "福林 明华 海清 春林 玉成 宝林 宝华 德兴 国祥 荣华 忠诚 为民 世明 全福"),
    ],
};

static FEMALE_BEFORE_1960: GivenNamePool = GivenNamePool {
    one_char_share: 0.10,
    singles: &[
        (6.0, "英"),
        (5.0, "兰"),
        (4.0, "珍华梅"),
        (3.0, "芳琴凤萍平莲云"),
        (2.0, "秀玲霞荣娥翠花香"),
        (1.0, "敏丽洁"),
    ],
    firsts: &[
        (10.0, "秀"),
        (8.0, "桂玉"),
        (6.0, "淑"),
        (5.0, "凤"),
        (3.0, "美金兰素春翠月惠爱"),
        (2.0, "丽彩英文小冬红"),
        (1.0, "雪"),
    ],
    seconds: &[
        (10.0, "英"),
        (9.0, "兰"),
        (7.0, "珍"),
        (5.0, "芳华梅"),
        (4.0, "荣云香琴"),
        (3.0, "凤花莲霞娥芝菊"),
        (2.0, "清贞萍玲秀娟敏平仙珠枝"),
    ],
    popular: &[
        (5.0, "秀英"),
        (4.0, "桂英 秀兰"),
        (3.0, "玉兰 桂兰 秀珍 凤英 玉珍 玉英 兰英 秀荣"),
        (2.0, "桂珍 淑珍 秀云 桂荣 秀梅 淑兰 玉华 秀芳 淑英 桂芳 桂香 淑华 秀华 桂芝"),
        (2.0, "桂花 凤兰 玉梅"),
        (1.0, "金凤 玉芝 素珍 凤珍 春兰 翠兰 美兰 月英 玉凤 秀芝 凤芝 玉霞 秀霞 桂霞"),
        (1.0, "秀琴 淑芬 淑琴 素英 翠英 翠花 金花 金兰 美华 月兰 月华 春英 春花 玉琴"),
        (1.0, "玉香 玉花 秀香 秀花 凤琴 兰芳 爱华 爱珍 惠兰 惠珍 素芬 桂莲 秀莲 玉莲"),
    ],
};

static MALE_1960_TO_1989: GivenNamePool = GivenNamePool {
    one_char_share: 0.18,
    singles: &[
        (13.0, "伟"),
        (10.0, "勇军磊强"),
        (8.0, "涛杰"),
        (7.0, "斌鹏超刚"),
        (6.0, "峰波辉明"),
        (5.0, "亮健兵飞洋"),
        (4.0, "林东雷"),
        (3.0, "华平宁龙帅鑫凯浩俊"),
        (2.0, "坤彬毅"),
    ],
    firsts: &[
        (8.0, "建志"),
        (6.0, "海晓"),
        (5.0, "小国"),
        (4.0, "永文伟卫"),
        (3.0, "红俊立春明金宏"),
        (2.0, "振德学朝军新向东光爱"),
    ],
    seconds: &[
        (8.0, "军强"),
        (6.0, "伟华东明"),
        (5.0, "平峰刚勇涛波"),
        (4.0, "林杰辉斌鹏亮龙"),
        (3.0, "国民生飞文成兵新"),
        (2.0, "宇忠春江山"),
    ],
    popular: &[
        (2.0, "建军 志强 海涛 建平"),
        (2.0, "志刚 晓东 志勇 海波 海峰 晓明 晓峰 卫东 卫国 红军 国庆 建新 立新 志伟"),
        (2.0, "永强 建明 建伟 宏伟 国强 小军"),
        (1.0, "向东 永刚 俊杰 小龙 海龙 春雷 振华 德华 伟东 金龙 明亮 小刚 小明 小伟"),
        (1.0, "红卫 卫兵 东升 朝阳 建勇 志军 志明 志华 海军 海东 海明 晓军 晓辉 晓光"),
        (1.0, "晓伟 文军 文明 文斌 国栋 国伟 国平 光辉 立军 立明 立伟 宏亮 宏斌 俊峰"),
        (1.0, "俊伟 新华 新民 爱军 爱民 爱国 朝晖 春明 利民 学军 学兵 金平 德明 建华"),
    ],
};

static FEMALE_1960_TO_1989: GivenNamePool = GivenNamePool {
    one_char_share: 0.18,
    singles: &[
        (18.0, "芳静"),
        (17.0, "娜"),
        (16.0, "丽"),
        (14.0, "敏"),
        (12.0, "艳"),
        (10.0, "燕娟"),
        (9.0, "霞"),
        (8.0, "红"),
        (7.0, "丹玲萍"),
        (5.0, "颖晶婷琳莉洁梅"),
        (4.0, "英倩雪慧琴华平"),
        (3.0, "蕾云蓉莹"),
        (2.0, "宁洋欣佳璐楠薇虹"),
    ],
    firsts: &[
        (8.0, "丽晓"),
        (6.0, "小红"),
        (5.0, "春"),
        (4.0, "海"),
        (3.0, "秀玉美雪冬艳亚"),
        (2.0, "金文爱桂淑丹燕慧凤"),
        (1.0, "彩翠婷"),
    ],
    seconds: &[
        (8.0, "梅燕娟"),
        (7.0, "霞"),
        (6.0, "红丽芳"),
        (5.0, "华萍玲英艳"),
        (4.0, "敏静琴"),
        (3.0, "莉云洁婷丹慧兰芬平"),
        (2.0, "珍荣莲凤岚颖"),
    ],
    popular: &[
        (3.0, "丽娟 海燕 红梅 春梅 红霞"),
        (2.0, "小红 冬梅 丽华 雪梅 丽丽 晓燕 婷婷 丹丹 晓红 丽萍 艳红 晓丽 美玲 丽君"),
        (2.0, "红英 玉梅 彩霞 红艳 小燕 晓梅 春燕"),
        (1.0, "亚男 秀云 桂芳 金凤 艳玲 小玲 丽红 海霞 慧敏 秀梅 丽娜 丽霞 丽芳 丽敏"),
        (1.0, "丽琴 红燕 红玲 红丽 红芳 红萍 晓霞 晓玲 晓静 晓敏 晓琳 晓娟 艳芳 艳萍"),
        (1.0, "艳华 艳丽 燕妮 春红 春艳 春霞 秋菊 秋月 雪莲 雪芳 玉霞 玉玲 玉红 美华"),
        (1.0, "美娟 亚萍 亚丽 淑芳 慧玲 慧娟 静静 莉莉 娜娜 文静 文娟 小丽 小霞 小梅"),
    ],
};

static MALE_FROM_1990: GivenNamePool = GivenNamePool {
    one_char_share: 0.14,
    singles: &[
        (12.0, "杰"),
        (10.0, "浩宇"),
        (8.0, "鑫"),
        (7.0, "凯"),
        (6.0, "帅博晨阳"),
        (5.0, "豪旭昊磊"),
        (4.0, "轩航睿哲鹏超伟"),
        (3.0, "强涛俊毅森洋辰翔"),
        (2.0, "斌楠宁然健锐彬勇"),
    ],
    firsts: &[
        (10.0, "子浩宇"),
        (8.0, "梓"),
        (6.0, "一"),
        (5.0, "俊奕"),
        (4.0, "亦博天皓"),
        (3.0, "思嘉家明晨文泽志逸"),
        (2.0, "云铭睿雨佳沐锦景承煜宏"),
    ],
    seconds: &[
        (10.0, "轩"),
        (9.0, "辰宇"),
        (7.0, "豪"),
        (6.0, "然泽"),
        (5.0, "航杰"),
        (4.0, "博阳文晨睿哲宸"),
        (3.0, "涛鸣凯墨皓恒鑫涵翔昊铭"),
        (2.0, "毅霖锐川林成"),
        (1.0, "宁"),
    ],
    // The MPS reports' top newborn boys' names of 2018 to 2020 (浩宇, 浩然, 宇轩, 奕辰, 宇辰,
    // 亦辰, 子墨, 宇航, 梓豪, 亦宸 ...) with common names of the 1990s and 2000s.
    popular: &[
        (3.0, "浩然 子轩 浩宇 宇轩"),
        (2.0, "宇航 子豪 奕辰 梓豪 宇辰 子墨 俊杰 亦辰 一鸣 皓轩 博文 天宇 梓轩 家豪"),
        (1.0, "宇泽 浩轩 子涵 沐宸 亦宸 明轩 文博 思远 俊熙 晨阳 鑫磊 子杰 嘉豪 志豪"),
        (1.0, "鹏飞 家乐 俊豪 浩天 浩东 浩杰 宇飞 宇翔 宇豪 子健 子航 子睿 子恒 梓睿"),
        (1.0, "梓航 梓晨 俊宇 俊凯 嘉诚 嘉乐 嘉轩 泽宇 泽楷 博涛 博宇 天佑 天翔 一航"),
        (1.0, "一凡 一帆 雨泽 雨辰 思源 佳豪 睿泽 锦程 文轩 明哲 皓宇 志鹏 志远 铭轩"),
    ],
};

static FEMALE_FROM_1990: GivenNamePool = GivenNamePool {
    one_char_share: 0.14,
    singles: &[
        (10.0, "婷"),
        (8.0, "雪"),
        (6.0, "琪悦佳颖欣"),
        (5.0, "洁倩瑶静"),
        (4.0, "璐莹晴琳怡"),
        (3.0, "蕾薇丹娜敏楠晨然妍萌"),
        (2.0, "鑫宁月露茜洋玥萱涵"),
    ],
    firsts: &[
        (9.0, "梓"),
        (8.0, "子欣雨"),
        (6.0, "一诗思佳"),
        (5.0, "语可依"),
        (4.0, "梦紫若雅"),
        (3.0, "嘉艺心芷"),
        (2.0, "晨馨婉静文奕亦安书晓"),
    ],
    seconds: &[
        (10.0, "涵"),
        (8.0, "萱怡"),
        (7.0, "诺"),
        (6.0, "琪彤桐瑶妍"),
        (5.0, "欣悦"),
        (4.0, "雪婷琳然"),
        (3.0, "菲蕊汐颖晴月媛雯曦"),
        (2.0, "宁瑾淇璇静希"),
    ],
    // The MPS reports' top newborn girls' names of 2018 to 2020 (一诺, 依诺, 欣怡, 梓涵, 语桐,
    // 欣妍, 可欣, 语汐, 雨桐, 梦瑶, 子涵, 诗涵 ...) with common names of the 1990s and 2000s.
    popular: &[
        (3.0, "欣怡 梓涵 一诺 子涵"),
        (2.0, "诗涵 梓萱 雨桐 佳怡 可欣 依诺 雨涵 思琪 语桐 欣妍 梦瑶 雨萱 佳琪 子萱"),
        (1.0, "语汐 紫涵 梓琪 诗琪 欣然 思涵 雨欣 若曦 梦琪 婷婷 雅琪 佳欣 雪婷 佳慧"),
        (1.0, "欣悦 雨婷 思雨 梦洁 静怡 雅婷 诗雨 心怡 紫萱 雨彤 一涵 芷若 可馨 梦涵"),
        (1.0, "语嫣 思彤 欣彤 梓琳 紫琪 安琪 晓雪 雪莹 怡然 梦婷 佳颖 思颖 雅雯 语涵"),
        (1.0, "语欣 子怡 梓怡 诗雅 若汐 依依 可可 佳琳 欣雨 梦琳 馨月 晨曦 悦彤 书瑶"),
    ],
};

// Uyghur given names in their usual Chinese transliteration; weights are estimates (买买提 and
// 古丽 are the most common). Variant spellings of one name are kept apart on purpose
// (DOMAIN §3.3), at lower weight.

const UYGHUR_MALE: Tiers = &[
    (10.0, "买买提"),
    (7.0, "吐尔逊"),
    (6.0, "艾力"),
    (5.0, "艾买提 玉素甫 库尔班"),
    (4.0, "阿不都热合曼 努尔麦麦提 阿卜杜拉 艾合买提 热合曼"),
    (4.0, "艾尔肯 阿里木 亚森 肉孜"),
    (3.0, "麦麦提 伊力哈木 阿不都拉 买合木提 吾买尔 司马义 热依木 伊斯马伊力"),
    (3.0, "吐尔洪 阿迪力 艾山 依明 帕尔哈提 艾克拜尔 托合提 阿不力孜"),
    (2.0, "卡德尔 木合塔尔 塔依尔 喀斯木 吾守尔 买尔旦 居来提 艾尼瓦尔"),
    (2.0, "阿力甫 克依木 吐尔地 艾则孜"),
    (1.0, "热依穆"),
];

const UYGHUR_FEMALE: Tiers = &[
    (8.0, "古丽"),
    (6.0, "阿依古丽"),
    (4.0, "热依拉 帕提古丽 迪丽努尔 阿依努尔"),
    (3.0, "努尔尼沙 古丽娜尔 米热古丽 阿依夏木 玛依拉 阿米娜 努尔古丽"),
    (3.0, "迪丽拜尔 阿娜尔古丽 吐尔逊古丽"),
    (2.0, "热孜万古丽 再努尔 祖丽胡玛尔 帕丽达 左热古丽 米娜瓦尔 古再丽努尔"),
    (2.0, "阿丽亚 苏比努尔 再米拉 阿瓦古丽 布再纳普 热娜 祖丽菲娅 努尔比亚"),
    (2.0, "古丽米拉"),
    (1.0, "姑丽"),
];

/// Groups of characters that share a toneless reading (the group's syllable in the comment) and
/// are confused in names when dictated or typed by sound. A character is in one group at most.
const HOMOPHONES: &[&str] = &[
    "伟玮炜维卫薇巍威",       // wei
    "静婧靖晶菁京敬",         // jing
    "丽莉俐利立力理黎",       // li
    "军君均钧俊峻骏",         // jun
    "芳方舫",                 // fang
    "娜那纳",                 // na
    "磊垒蕾雷",               // lei
    "涛滔韬陶桃",             // tao
    "杰洁婕捷",               // jie
    "强墙蔷",                 // qiang
    "敏民旻珉闽岷",           // min
    "燕艳彦雁妍岩颜晏",       // yan
    "华桦骅",                 // hua
    "红宏洪鸿虹泓弘",         // hong
    "明鸣铭茗",               // ming
    "文雯闻汶",               // wen
    "辉晖慧惠徽",             // hui
    "峰锋丰枫风凤",           // feng
    "波博柏泊渤",             // bo
    "斌彬滨宾",               // bin
    "鹏朋彭",                 // peng
    "刚钢纲岗",               // gang
    "勇永涌咏泳",             // yong
    "平萍苹坪屏",             // ping
    "玲灵凌铃",               // ling
    "林琳霖淋麟",             // lin
    "婷亭庭廷",               // ting
    "娟鹃涓",                 // juan
    "霞侠夏",                 // xia
    "超朝潮",                 // chao
    "宇雨语玉羽禹昱煜钰瑜",   // yu
    "轩萱宣璇暄",             // xuan
    "涵含晗寒菡函",           // han
    "浩昊皓灏豪",             // hao
    "辰晨宸臣琛",             // chen
    "子梓紫姿",               // zi
    "一依伊怡亦奕艺逸毅仪宜", // yi
    "欣新馨心鑫昕",           // xin
    "思斯丝",                 // si
    "诗师施",                 // shi
    "佳家嘉加",               // jia
    "梅玫美媚",               // mei
    "英莹瑛颖影盈",           // ying
    "兰岚蓝澜",               // lan
    "秀绣琇",                 // xiu
    "桂贵",                   // gui
    "珍真贞桢祯振",           // zhen
    "国果",                   // guo
    "建健剑坚",               // jian
    "志智治芝之",             // zhi
    "东冬栋",                 // dong
    "洋阳扬杨",               // yang
    "琪琦淇棋奇祺",           // qi
    "雪学",                   // xue
    "倩茜芊",                 // qian
    "凯恺铠",                 // kai
    "龙隆珑",                 // long
    "亮靓良",                 // liang
    "晓小筱",                 // xiao
    "旭煦栩",                 // xu
    "宁凝柠",                 // ning
    "云芸昀韵",               // yun
    "荣蓉容融",               // rong
    "然冉",                   // ran
    "墨默陌",                 // mo
    "航杭",                   // hang
    "睿瑞锐蕊",               // rui
    "泽择",                   // ze
    "彤桐童同",               // tong
    "瑶遥尧姚",               // yao
    "萌蒙梦",                 // meng
    "悦月越玥岳跃",           // yue
    "琴勤芹秦",               // qin
];

/// Groups of characters alike in shape (形近字), confused in handwriting and OCR (DOMAIN §3.5).
/// A character is in one group at most.
const LOOK_ALIKES: &[&str] = &[
    "己已巳",
    "未末",
    "王玉壬",
    "日曰",
    "土士",
    "贝见",
    "汩汨",
    "祎袆",
    "戊戌戍",
    "人入八",
    "大太犬",
    "天夫",
    "干千于",
    "刀力",
    "田由甲申",
    "目且",
    "免兔",
    "折拆",
    "候侯",
    "斤斥",
    "拔拨",
    "准淮",
    "住往",
    "叉又",
    "辨辩辫",
    "茶荼",
    "苦若",
    "冶治",
    "官宫",
    "季李",
    "晴睛",
    "崇祟",
    "徽微",
    "汪注",
    "玲铃岭",
    "鸣呜",
    "乌鸟",
    "问间",
    "历厉",
    "亨享",
    "幸辛",
    "辉挥",
    "娟绢捐",
    "娇骄",
    "峻竣骏",
    "锋峰蜂",
    "涵函",
    "瑜榆渝愉",
    "琪棋旗",
    "洁浩",
    "杨扬",
    "婷停",
    "萍苹",
    "颖频",
    "莉梨",
];

/// Simplified name characters with their traditional form; the left column has no repeats.
const TRADITIONAL: &[(char, char)] = &[
    // Surnames.
    ('张', '張'),
    ('刘', '劉'),
    ('陈', '陳'),
    ('黄', '黃'),
    ('赵', '趙'),
    ('杨', '楊'),
    ('吴', '吳'),
    ('孙', '孫'),
    ('马', '馬'),
    ('罗', '羅'),
    ('郑', '鄭'),
    ('谢', '謝'),
    ('许', '許'),
    ('韩', '韓'),
    ('邓', '鄧'),
    ('冯', '馮'),
    ('萧', '蕭'),
    ('叶', '葉'),
    ('苏', '蘇'),
    ('吕', '呂'),
    ('卢', '盧'),
    ('钟', '鍾'),
    ('贾', '賈'),
    ('韦', '韋'),
    ('邹', '鄒'),
    ('闫', '閆'),
    ('龙', '龍'),
    ('陆', '陸'),
    ('顾', '顧'),
    ('龚', '龔'),
    ('钱', '錢'),
    ('严', '嚴'),
    ('汤', '湯'),
    ('庞', '龐'),
    ('蒋', '蔣'),
    ('谭', '譚'),
    ('贺', '賀'),
    ('万', '萬'),
    ('欧', '歐'),
    ('阳', '陽'),
    ('诸', '諸'),
    ('东', '東'),
    ('乔', '喬'),
    ('聂', '聶'),
    ('鲁', '魯'),
    ('关', '關'),
    // Given-name characters.
    ('伟', '偉'),
    ('华', '華'),
    ('国', '國'),
    ('丽', '麗'),
    ('军', '軍'),
    ('强', '強'),
    ('刚', '剛'),
    ('杰', '傑'),
    ('红', '紅'),
    ('兰', '蘭'),
    ('凤', '鳳'),
    ('艳', '艷'),
    ('静', '靜'),
    ('涛', '濤'),
    ('辉', '輝'),
    ('鹏', '鵬'),
    ('飞', '飛'),
    ('宁', '寧'),
    ('云', '雲'),
    ('凯', '凱'),
    ('轩', '軒'),
    ('诺', '諾'),
    ('颖', '穎'),
    ('莹', '瑩'),
    ('晓', '曉'),
    ('学', '學'),
    ('爱', '愛'),
    ('卫', '衛'),
    ('庆', '慶'),
    ('荣', '榮'),
    ('兴', '興'),
    ('贵', '貴'),
    ('宝', '寶'),
    ('胜', '勝'),
    ('义', '義'),
    ('长', '長'),
    ('娇', '嬌'),
    ('洁', '潔'),
    ('岚', '嵐'),
    ('颜', '顏'),
    ('鸣', '鳴'),
    ('铭', '銘'),
    ('锦', '錦'),
    ('锐', '銳'),
    ('涌', '湧'),
    ('诗', '詩'),
    ('语', '語'),
    ('梦', '夢'),
    ('丝', '絲'),
    ('亚', '亞'),
    ('婵', '嬋'),
    ('瑶', '瑤'),
    ('琼', '瓊'),
    ('玮', '瑋'),
    ('炜', '煒'),
    ('纬', '緯'),
    ('维', '維'),
    ('宽', '寬'),
    ('宪', '憲'),
    ('树', '樹'),
    ('发', '發'),
    ('进', '進'),
    ('继', '繼'),
    ('连', '連'),
    ('运', '運'),
    ('达', '達'),
    ('远', '遠'),
    ('丰', '豐'),
    ('汉', '漢'),
    ('会', '會'),
    ('纯', '純'),
];

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use censuslink_model::Sex;
    use censuslink_standardize::name::{is_homophone, normalize_name};

    use crate::names::{
        Basis, Cohort, GivenNamePool, HOMOPHONES, LOOK_ALIKES, MIDDLE_DOT, POPULAR_SHARE, SURNAMES,
        TRADITIONAL, Tiers, UYGHUR_FEMALE, UYGHUR_MALE, given_name, given_name_pool, homophone,
        look_alike, surname, traditional, uyghur_given, uyghur_name,
    };
    use crate::rng::Rng;

    const SEXES: [Sex; 2] = [Sex::Male, Sex::Female];
    const COHORTS: [Cohort; 3] = [Cohort::Before1960, Cohort::From1960To1989, Cohort::From1990];

    /// A birth year in each cohort.
    fn year_in(cohort: Cohort) -> u16 {
        match cohort {
            Cohort::Before1960 => 1950,
            Cohort::From1960To1989 => 1975,
            Cohort::From1990 => 2010,
        }
    }

    fn chars_of(tiers: Tiers) -> impl Iterator<Item = char> {
        tiers.iter().flat_map(|&(_, text)| text.chars())
    }

    fn words_of(tiers: Tiers) -> impl Iterator<Item = &'static str> {
        tiers.iter().flat_map(|&(_, text)| text.split(' '))
    }

    /// Every character a pool can put in a name.
    fn pool_chars(pool: &GivenNamePool) -> BTreeSet<char> {
        let mut chars: BTreeSet<char> = BTreeSet::new();
        chars.extend(chars_of(pool.singles).chain(chars_of(pool.firsts)));
        chars.extend(chars_of(pool.seconds).chain(words_of(pool.popular).flat_map(str::chars)));
        chars
    }

    /// Every character the pools of `sex` can put in a name, in any cohort.
    fn sex_chars(sex: Sex) -> BTreeSet<char> {
        COHORTS.iter().flat_map(|&cohort| pool_chars(given_name_pool(sex, cohort))).collect()
    }

    fn share(count: usize, n: usize) -> f64 {
        count as f64 / n as f64
    }

    // Surnames.

    /// Draws `n` surnames and counts them.
    fn surname_counts(seed: u64, n: usize) -> BTreeMap<&'static str, usize> {
        let mut rng = Rng::new(seed, 1);
        let mut counts = BTreeMap::new();
        for _ in 0..n {
            *counts.entry(surname(&mut rng)).or_insert(0) += 1;
        }
        counts
    }

    /// The share in percent of draws of `surnames` in `counts`, against the table's.
    fn check_surname_share(
        counts: &BTreeMap<&str, usize>,
        n: usize,
        surnames: &[&str],
        expected_percent: f64,
        tolerance_percent: f64,
    ) {
        let drawn: usize = surnames.iter().map(|s| counts.get(s).copied().unwrap_or(0)).sum();
        let percent = 100.0 * share(drawn, n);
        assert!(
            (percent - expected_percent).abs() <= tolerance_percent,
            "{surnames:?}: {percent:.3} % drawn, {expected_percent} % expected"
        );
    }

    #[test]
    fn the_surname_table_holds_its_figures() {
        let table = &*SURNAMES;
        let percent_of = |surname: &str| {
            table.rows.iter().find(|row| row.surname == surname).map(|row| row.percent)
        };
        // The verified 2010 census shares of the top five, and the top 20's 52.27 % (52.25 %
        // from the rounded shares).
        for (surname, percent) in
            [("王", 7.10), ("李", 6.96), ("张", 6.42), ("刘", 5.16), ("陈", 4.26)]
        {
            assert_eq!(percent_of(surname), Some(percent), "{surname}");
        }
        let top = |n: usize| table.rows.iter().take(n).map(|row| row.percent).sum::<f64>();
        assert!((top(20) - 52.25).abs() < 1e-9, "{}", top(20));
        assert!(table.rows.iter().take(20).all(|row| row.basis == Basis::Census2010));
        assert!(table.rows[20..100].iter().all(|row| row.basis == Basis::Estimate));
        assert!((top(100) - 85.0).abs() < 0.01, "{}", top(100));
        // Shares fall with rank through the top 100.
        assert!(table.rows[..100].windows(2).all(|pair| pair[0].percent >= pair[1].percent));
        // The compound surnames at their MPS 2020 counts over 1.4 bn.
        let compounds: Vec<_> =
            table.rows.iter().filter(|row| row.surname.chars().count() == 2).collect();
        assert_eq!(compounds.len(), 14);
        assert!(compounds.iter().all(|row| row.basis == Basis::Report2020));
        assert!((percent_of("欧阳").unwrap() - 1.112e6 / 1.4e9 * 100.0).abs() < 1e-5);
        assert!((percent_of("长孙").unwrap() - 3e3 / 1.4e9 * 100.0).abs() < 1e-5);
        let compound_percent: f64 = compounds.iter().map(|row| row.percent).sum();
        assert!((compound_percent - 0.1068).abs() < 1e-3, "{compound_percent}");
        // The surnames with special readings are there, at small shares.
        for surname in ["单", "曾", "区", "仇", "解", "朴", "查", "盖", "覃", "翟"] {
            let percent = percent_of(surname).unwrap_or_else(|| panic!("{surname} is listed"));
            assert!((0.005..1.0).contains(&percent), "{surname}: {percent}");
        }
        // The unlisted surnames add about a tenth to the tail; the whole adds up to 100 %.
        // 汤, rank 101, is listed at 0.182 %.
        let tail_factor = percent_of("汤").unwrap() / 0.182;
        assert!((1.05..1.2).contains(&tail_factor), "{tail_factor}");
        assert!((table.cumulative.last().unwrap() - 100.0).abs() < 1e-9);
        assert!(table.rows.len() > 400 && table.rows.iter().all(|row| row.percent > 0.0));
        let distinct: BTreeSet<_> = table.rows.iter().map(|row| row.surname).collect();
        assert_eq!(distinct.len(), table.rows.len(), "a surname is listed twice");
        assert!(table.rows.iter().all(|row| normalize_name(row.surname) == row.surname));
    }

    #[test]
    fn surnames_are_drawn_by_their_shares() {
        let n = 200_000;
        let counts = surname_counts(7, n);
        // Standard errors at n = 200,000: 0.057 % for 王, 0.022 % for 林, 0.007 % for the
        // compounds; the tolerances are about 5 of them.
        check_surname_share(&counts, n, &["王"], 7.10, 0.3);
        check_surname_share(&counts, n, &["李"], 6.96, 0.3);
        check_surname_share(&counts, n, &["张"], 6.42, 0.3);
        check_surname_share(&counts, n, &["刘"], 5.16, 0.3);
        check_surname_share(&counts, n, &["陈"], 4.26, 0.3);
        check_surname_share(&counts, n, &["林"], 0.96, 0.1);
        let compounds: Vec<&str> = SURNAMES
            .rows
            .iter()
            .filter(|row| row.basis == Basis::Report2020)
            .map(|row| row.surname)
            .collect();
        check_surname_share(&counts, n, &compounds, 0.107, 0.04);
        check_surname_share(&counts, n, &["欧阳"], 0.079, 0.035);
        let top_100: Vec<&str> = SURNAMES.rows.iter().take(100).map(|row| row.surname).collect();
        check_surname_share(&counts, n, &top_100, 85.0, 0.5);
        let top_20: Vec<&str> = SURNAMES.rows.iter().take(20).map(|row| row.surname).collect();
        check_surname_share(&counts, n, &top_20, 52.27, 0.5);
        // The tail is drawn too: hundreds of distinct surnames.
        assert!(counts.len() > 380, "{}", counts.len());
    }

    // Given names.

    #[test]
    fn given_name_pools_are_well_formed() {
        for sex in SEXES {
            for cohort in COHORTS {
                let pool = given_name_pool(sex, cohort);
                for tiers in [pool.singles, pool.firsts, pool.seconds, pool.popular] {
                    assert!(!tiers.is_empty());
                    assert!(tiers.iter().all(|&(weight, text)| weight > 0.0 && !text.is_empty()));
                }
                let mut seen = BTreeSet::new();
                for tiers in [pool.singles, pool.firsts, pool.seconds] {
                    seen.clear();
                    assert!(chars_of(tiers).all(|c| seen.insert(c)), "{sex:?} {cohort:?} repeats");
                    // No character weighs more than a sixth of its pool (see given_name).
                    let total: f64 =
                        tiers.iter().map(|&(w, text)| w * text.chars().count() as f64).sum();
                    assert!(
                        tiers.iter().all(|&(w, _)| w / total < 1.0 / 6.0),
                        "{sex:?} {cohort:?}"
                    );
                }
                let popular: Vec<&str> = words_of(pool.popular).collect();
                let distinct: BTreeSet<&str> = popular.iter().copied().collect();
                assert_eq!(distinct.len(), popular.len(), "{sex:?} {cohort:?} repeats a name");
                assert!(popular.iter().all(|name| name.chars().count() == 2), "{popular:?}");
                // Simplified characters only: a name is in its normalised form.
                assert!(
                    pool_chars(pool)
                        .iter()
                        .all(|&c| normalize_name(&c.to_string()) == c.to_string())
                );
            }
        }
    }

    #[test]
    fn given_names_have_the_cohorts_length_shares() {
        let n = 20_000;
        let mut rng = Rng::new(11, 2);
        for (sex, birth_year, expected_one_char) in [
            (Sex::Male, 1950, 0.10),
            (Sex::Female, 1950, 0.10),
            (Sex::Male, 1975, 0.18),
            (Sex::Female, 1975, 0.18),
            (Sex::Male, 2010, 0.14),
            (Sex::Female, 2010, 0.14),
        ] {
            let names: Vec<String> =
                (0..n).map(|_| given_name(&mut rng, sex, birth_year)).collect();
            assert!(names.iter().all(|name| (1..=2).contains(&name.chars().count())));
            let one_char = names.iter().filter(|name| name.chars().count() == 1).count();
            let one_char_share = share(one_char, n);
            // Standard error 0.0027 at most.
            assert!(
                (one_char_share - expected_one_char).abs() < 0.015,
                "{sex:?} {birth_year}: {one_char_share}"
            );
            // A third of the two-character names at least are popular full names (some composed
            // names coincide with them).
            let pool = given_name_pool(sex, Cohort::of(birth_year));
            let popular: BTreeSet<&str> = words_of(pool.popular).collect();
            let two_char = n - one_char;
            let n_popular = names.iter().filter(|name| popular.contains(name.as_str())).count();
            let popular_share = share(n_popular, two_char);
            assert!(
                (POPULAR_SHARE - 0.02..0.6).contains(&popular_share),
                "{sex:?} {birth_year}: {popular_share}"
            );
            // Composed names never double a character.
            let doubled = |name: &String| {
                let chars: Vec<char> = name.chars().collect();
                chars.len() == 2 && chars[0] == chars[1]
            };
            assert!(
                names
                    .iter()
                    .filter(|name| doubled(name))
                    .all(|name| popular.contains(name.as_str()))
            );
        }
        // Overall, weighted as a 2020 population (about 20 % born before 1960, 45 % 1960 to
        // 1989, 35 % later), about 15 % of names have one character.
        let overall: f64 = 0.20 * 0.10 + 0.45 * 0.18 + 0.35 * 0.14;
        assert!((overall - 0.15).abs() < 0.005, "{overall}");
    }

    #[test]
    fn given_names_respect_the_sexes_pools() {
        let male = sex_chars(Sex::Male);
        let female = sex_chars(Sex::Female);
        let male_only: BTreeSet<char> = male.difference(&female).copied().collect();
        let female_only: BTreeSet<char> = female.difference(&male).copied().collect();
        let shared: BTreeSet<char> = male.intersection(&female).copied().collect();
        // Worked values: what the tables define.
        for c in ['伟', '军', '强', '刚', '建', '豪', '轩', '杰'] {
            assert!(male_only.contains(&c), "{c} is for men only");
        }
        for c in ['芳', '娟', '婷', '秀', '桂', '萱', '娜', '霞'] {
            assert!(female_only.contains(&c), "{c} is for women only");
        }
        for c in ['文', '华', '平', '春', '子', '梓', '一', '晓'] {
            assert!(shared.contains(&c), "{c} is for both");
        }
        // Overlapping a little: most characters belong to one sex.
        assert!(shared.len() * 3 < male.len().min(female.len()), "{} shared", shared.len());
        let mut rng = Rng::new(13, 3);
        for cohort in COHORTS {
            for _ in 0..10_000 {
                let name = given_name(&mut rng, Sex::Female, year_in(cohort));
                assert!(name.chars().all(|c| !male_only.contains(&c)), "woman named {name}");
                let name = given_name(&mut rng, Sex::Male, year_in(cohort));
                assert!(name.chars().all(|c| !female_only.contains(&c)), "man named {name}");
            }
        }
    }

    #[test]
    fn given_names_follow_the_birth_cohort() {
        // The cohort boundaries.
        for (birth_year, cohort) in [
            (1900, Cohort::Before1960),
            (1959, Cohort::Before1960),
            (1960, Cohort::From1960To1989),
            (1989, Cohort::From1960To1989),
            (1990, Cohort::From1990),
            (2020, Cohort::From1990),
        ] {
            assert_eq!(Cohort::of(birth_year), cohort, "{birth_year}");
        }
        let mut rng = Rng::new(17, 4);
        for sex in SEXES {
            for cohort in COHORTS {
                let allowed = pool_chars(given_name_pool(sex, cohort));
                let names: BTreeSet<String> =
                    (0..10_000).map(|_| given_name(&mut rng, sex, year_in(cohort))).collect();
                for name in &names {
                    assert!(
                        name.chars().all(|c| allowed.contains(&c)),
                        "{sex:?} {cohort:?}: {name}"
                    );
                }
                // Worked values: names typical of each cohort appear in it and in no other.
                let typical = match (sex, cohort) {
                    (Sex::Male, Cohort::Before1960) => ["建国", "援朝"],
                    (Sex::Male, Cohort::From1960To1989) => ["卫东", "海涛"],
                    (Sex::Male, Cohort::From1990) => ["浩然", "宇轩"],
                    (Sex::Female, Cohort::Before1960) => ["秀英", "桂兰"],
                    (Sex::Female, Cohort::From1960To1989) => ["海燕", "丽娟"],
                    (Sex::Female, Cohort::From1990) => ["梓萱", "一诺"],
                };
                for name in typical {
                    assert!(names.contains(name), "{sex:?} {cohort:?} lacks {name}");
                    for other in COHORTS.iter().filter(|&&other| other != cohort) {
                        let other_pool = given_name_pool(sex, *other);
                        let is_in_other = words_of(other_pool.popular).any(|word| word == name)
                            || chars_of(other_pool.singles).any(|c| c.to_string() == name);
                        assert!(!is_in_other, "{name} is also in {other:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn common_full_names_repeat() {
        // 100,000 adults born 1940 to 2002, half of each sex.
        let mut rng = Rng::new(19, 5);
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for i in 0..100_000 {
            let sex = if i % 2 == 0 { Sex::Male } else { Sex::Female };
            let birth_year = rng.between(1940, 2002) as u16;
            let name = format!("{}{}", surname(&mut rng), given_name(&mut rng, sex, birth_year));
            *counts.entry(name).or_insert(0) += 1;
        }
        let (top_name, top_count) = counts.iter().max_by_key(|&(_, &count)| count).unwrap();
        // At the real rate, 290,607 张伟 of 1.3 bn would be 22 in 100,000; 王 is more common.
        assert!(*top_count >= 15, "{top_name} {top_count}");
        let mps_top_10 =
            ["张伟", "王伟", "李娜", "王芳", "李伟", "王静", "李静", "张敏", "刘伟", "张静"];
        for name in mps_top_10 {
            let count = counts.get(name).copied().unwrap_or(0);
            assert!(count >= 5, "{name} {count}");
        }
        // Many names repeat, most do not.
        let n_repeated = counts.values().filter(|&&count| count > 1).count();
        assert!(
            n_repeated > 1_000 && n_repeated * 4 < counts.len(),
            "{n_repeated} of {}",
            counts.len()
        );
    }

    #[test]
    fn draws_are_deterministic() {
        let draw_all = |seed| {
            let mut rng = Rng::new(seed, 6);
            let mut out = Vec::new();
            for year in [1930, 1970, 2015] {
                for sex in SEXES {
                    out.push(format!("{}{}", surname(&mut rng), given_name(&mut rng, sex, year)));
                    out.push(uyghur_name(&mut rng, sex, None));
                }
            }
            for c in ['伟', '静', '己', '王'] {
                out.push(format!("{:?}{:?}", homophone(&mut rng, c), look_alike(&mut rng, c)));
            }
            out
        };
        assert_eq!(draw_all(23), draw_all(23));
        assert_ne!(draw_all(23), draw_all(24));
    }

    // Uyghur names.

    #[test]
    fn uyghur_names_carry_the_fathers_given_name() {
        assert_eq!(uyghur_given("买买提·吐尔逊"), "买买提");
        assert_eq!(uyghur_given("古丽·艾买提"), "古丽");
        assert_eq!(uyghur_given("古丽"), "古丽");
        let male: BTreeSet<&str> = words_of(UYGHUR_MALE).collect();
        let female: BTreeSet<&str> = words_of(UYGHUR_FEMALE).collect();
        assert_eq!(male.len(), words_of(UYGHUR_MALE).count(), "a man's name is listed twice");
        assert_eq!(female.len(), words_of(UYGHUR_FEMALE).count(), "a woman's name is listed twice");
        assert!(male.is_disjoint(&female));
        for name in [
            "买买提",
            "艾力",
            "阿不都热合曼",
            "吐尔逊",
            "艾买提",
            "努尔麦麦提",
            "阿卜杜拉",
            "伊力哈木",
        ] {
            assert!(male.contains(name), "{name}");
        }
        for name in ["古丽", "阿依古丽", "热依拉", "帕提古丽", "迪丽努尔", "努尔尼沙"]
        {
            assert!(female.contains(name), "{name}");
        }
        let mut rng = Rng::new(29, 7);
        for i in 0..2_000 {
            let sex = if i % 3 == 0 { Sex::Female } else { Sex::Male };
            let father = uyghur_name(&mut rng, Sex::Male, None);
            let child = uyghur_name(&mut rng, sex, Some(uyghur_given(&father)));
            for name in [&father, &child] {
                assert_eq!(name.matches(MIDDLE_DOT).count(), 1, "{name}");
                assert_eq!(normalize_name(name), *name);
            }
            let (given, fathers_given) = child.split_once(MIDDLE_DOT).unwrap();
            assert_eq!(fathers_given, uyghur_given(&father));
            assert!(male.contains(fathers_given), "{father}");
            let pool = if sex == Sex::Male { &male } else { &female };
            assert!(pool.contains(given), "{sex:?} {child}");
        }
    }

    // The error model's characters.

    /// Checks that every character is in one group at most and every group has two or more.
    fn check_groups(groups: &[&str]) {
        let mut seen = BTreeSet::new();
        for group in groups {
            assert!(group.chars().count() >= 2, "{group}");
            for c in group.chars() {
                assert!(seen.insert(c), "{c} is in two groups");
            }
        }
    }

    #[test]
    fn homophones_share_a_toneless_reading() {
        check_groups(HOMOPHONES);
        for group in HOMOPHONES {
            for a in group.chars() {
                for b in group.chars().filter(|&b| b != a) {
                    assert!(is_homophone(a, b), "{a} {b} in {group}");
                }
            }
        }
        let mut rng = Rng::new(31, 8);
        // Worked values from DOMAIN §3.5.
        for (c, expected) in [
            ('伟', "玮炜"),
            ('静', "婧"),
            ('丽', "莉俐"),
            ('军', "君均"),
            ('芳', "方"),
            ('娜', "那"),
            ('磊', "垒"),
            ('涛', "滔"),
            ('杰', "洁"),
            ('强', "墙"),
        ] {
            let group = HOMOPHONES.iter().find(|group| group.contains(c)).unwrap();
            assert!(expected.chars().all(|e| group.contains(e)), "{c}: {group}");
            let drawn: BTreeSet<char> = (0..200).filter_map(|_| homophone(&mut rng, c)).collect();
            assert_eq!(
                drawn.len(),
                group.chars().count() - 1,
                "{c}: every other member, never itself"
            );
            assert!(!drawn.contains(&c));
        }
        assert_eq!(homophone(&mut rng, '犇'), None);
        assert_eq!(homophone(&mut rng, 'A'), None);
    }

    #[test]
    fn look_alikes_are_listed_once() {
        check_groups(LOOK_ALIKES);
        let mut rng = Rng::new(37, 9);
        for (c, expected) in [
            ('己', '已'),
            ('未', '末'),
            ('王', '玉'),
            ('日', '曰'),
            ('土', '士'),
            ('贝', '见'),
            ('汩', '汨'),
            ('祎', '袆'),
            ('戊', '戌'),
        ] {
            let drawn: BTreeSet<char> = (0..100).filter_map(|_| look_alike(&mut rng, c)).collect();
            assert!(drawn.contains(&expected), "{c}: {drawn:?}");
            assert!(!drawn.contains(&c));
        }
        assert_eq!(look_alike(&mut rng, '犇'), None);
    }

    #[test]
    fn traditional_forms_normalize_back() {
        let mut seen = BTreeSet::new();
        for &(simplified, traditional_form) in TRADITIONAL {
            assert!(seen.insert(simplified), "{simplified} is listed twice");
            assert_ne!(simplified, traditional_form);
            assert_eq!(normalize_name(&traditional_form.to_string()), simplified.to_string());
            assert_eq!(traditional(simplified), Some(traditional_form));
        }
        for (simplified, expected) in [
            ('张', '張'),
            ('刘', '劉'),
            ('陈', '陳'),
            ('黄', '黃'),
            ('赵', '趙'),
            ('杨', '楊'),
            ('吴', '吳'),
            ('伟', '偉'),
            ('华', '華'),
            ('国', '國'),
            ('丽', '麗'),
        ] {
            assert_eq!(traditional(simplified), Some(expected), "{simplified}");
        }
        assert_eq!(traditional('王'), None);
        assert_eq!(traditional('張'), None);
    }
}
