//! The missing list on a hand-made district: what each register status does to a person's
//! place on it, and what their hukou household says.

use std::fmt::Write as _;

use censuslink_reconcile::residence::{Evidence, Part, Term};
use censuslink_reconcile::{JobRun, Missing, run_job};

/// A valid citizen ID number of the district (320115) for a birth day and a sequence number.
fn id_number(birth: &str, sequence: usize) -> String {
    let body = format!("320115{birth}{sequence:03}");
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// One person of the district: where the census lists them and what the registers say.
struct Person {
    household: usize,
    /// `Some(true)` listed as living here, `Some(false)` not at all.
    listed: bool,
    /// 人员状态 and 注销日期.
    hukou: (&'static str, &'static str),
    /// 参保状态, or no insurance entry.
    insurance: Option<&'static str>,
    /// Listed at the hukou household as living elsewhere (户口在本户外出), in this county (an
    /// empty code: the place not given). Listed as living here too, it is in another household.
    away_to: Option<&'static str>,
}

/// The district: 80 households of three, all with a hukou entry. The census lists households
/// 0-69, but for the people the test looks at; households 70-79 live elsewhere, unlisted, half
/// of them insured with contributions suspended. In the listed households, every seventh
/// person's insurance is suspended too, so that the census shows what a suspension says.
fn district() -> Vec<Person> {
    let mut people = Vec::new();
    for household in 0..80 {
        for member in 0..3 {
            let away = household >= 70;
            let n = household * 3 + member;
            people.push(Person {
                household,
                listed: !away,
                hukou: ("正常", ""),
                insurance: if away {
                    (member != 2).then_some("暂停缴费")
                } else if n % 7 == 0 {
                    Some("暂停缴费")
                } else {
                    Some("参保缴费")
                },
                away_to: None,
            });
        }
    }
    people
}

/// The people the test looks at, by index, and what is done to them.
const OMITTED: usize = 3 * 10; // unlisted, insurance paid
const SUSPENDED: usize = 3 * 11; // unlisted, insurance suspended
const DIED: usize = 3 * 12; // unlisted, hukou cancelled on death before the moment
const MOVED_LATER: usize = 3 * 13; // unlisted, hukou cancelled on moving out after it
const HUKOU_ONLY_HERE: usize = 3 * 14; // unlisted, no insurance, household listed here
const HUKOU_ONLY_AWAY: usize = 3 * 75 + 2; // unlisted, no insurance, household unlisted
const MOVED_HERE: usize = 3 * 15; // listed at home as living in the district, not where they do
const MOVED_AWAY: usize = 3 * 16; // listed at home as living in another county
const ABROAD: usize = 3 * 17; // listed at home as living elsewhere, no place (abroad)

fn run(people: &[Person]) -> JobRun {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let (mut census, mut hukou, mut insurance) = (
        String::from("编号,户编号,姓名,身份证号,性别,出生年月,人员类别,普查小区,现住地\n"),
        String::from("户籍编号,户号,姓名,公民身份号码,性别,出生日期,人员状态,注销日期\n"),
        String::from("参保人编号,姓名,证件号码,性别,出生日期,参保状态\n"),
    );
    const SURNAMES: [&str; 10] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
    const GIVEN: [&str; 24] = [
        "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
        "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "玉兰",
    ];
    for (n, person) in people.iter().enumerate() {
        let name = format!("{}{}", SURNAMES[n % 10], GIVEN[n / 10]);
        let birth = format!("1985{:02}{:02}", n % 12 + 1, n % 28 + 1);
        let id = id_number(&birth, n);
        let sex = if n % 2 == 0 { "男" } else { "女" };
        let day = format!("{}-{}-{}", &birth[..4], &birth[4..6], &birth[6..]);
        let (household, month) = (person.household, &birth[..6]);
        if let Some(county) = person.away_to {
            writeln!(
                census,
                "A{n},{household},{name},{id},{sex},{month},2,320115001001001,{county}"
            )
            .expect("a String takes any text");
        }
        if person.listed {
            let at = household + if person.away_to.is_some() { 100 } else { 0 };
            writeln!(census, "C{n},{at},{name},{id},{sex},{month},1,320115001001001,")
                .expect("a String takes any text");
        }
        let (status, cancelled) = person.hukou;
        writeln!(hukou, "H{n},{},{name},{id},{sex},{day},{status},{cancelled}", person.household)
            .expect("a String takes any text");
        if let Some(status) = person.insurance {
            writeln!(insurance, "Y{n},{name},{id},{sex},{day},{status}")
                .expect("a String takes any text");
        }
    }
    let write = |name: &str, text: &str| {
        std::fs::write(folder.path().join(name), text).expect("a writable folder");
    };
    write("census.csv", &census);
    write("hukou.csv", &hukou);
    write("insurance.csv", &insurance);
    write(
        "job.toml",
        r#"
        reference_moment = "2020-11-01"
        [[source]]
        name = "census"
        role = "census"
        path = "census.csv"
        key = "编号"
        fields = { household_id = "户编号", name = "姓名", id_number = "身份证号", sex = "性别", birth_date = "出生年月", record_type = "人员类别", enumeration_area = "普查小区", residence_region = "现住地" }
        [[source]]
        name = "hukou"
        role = "hukou"
        path = "hukou.csv"
        key = "户籍编号"
        fields = { household_id = "户号", name = "姓名", id_number = "公民身份号码", sex = "性别", birth_date = "出生日期", status = "人员状态", status_date = "注销日期" }
        [[source]]
        name = "insurance"
        role = "insurance"
        path = "insurance.csv"
        key = "参保人编号"
        fields = { name = "姓名", id_number = "证件号码", sex = "性别", birth_date = "出生日期", status = "参保状态" }
        "#,
    );
    let job = censuslink_io::Job::load(&folder.path().join("job.toml")).expect("a valid job");
    run_job(&job).expect("a readable job")
}

/// The missing candidate holding hukou entry `H{n}`.
fn candidate(run: &JobRun, n: usize) -> Option<&Missing> {
    let key = format!("hukou:H{n}");
    run.outcome.missing.iter().find(|m| m.records.iter().any(|&r| run.key(r) == key))
}

fn terms(missing: &Missing) -> Vec<Term> {
    missing
        .evidence
        .iter()
        .filter_map(|&(part, _)| match part {
            Part::Term(term) => Some(term),
            _ => None,
        })
        .collect()
}

#[test]
fn statuses_and_households_move_a_person_on_the_missing_list() {
    let mut people = district();
    for n in [OMITTED, SUSPENDED, DIED, MOVED_LATER, HUKOU_ONLY_HERE, HUKOU_ONLY_AWAY] {
        people[n].listed = false;
    }
    people[MOVED_HERE].listed = false;
    people[MOVED_HERE].away_to = Some("320115");
    people[MOVED_AWAY].listed = false;
    people[MOVED_AWAY].away_to = Some("310101");
    people[ABROAD].listed = false;
    people[ABROAD].away_to = Some("");
    people[SUSPENDED].insurance = Some("暂停缴费");
    people[DIED].hukou = ("死亡注销", "2020-05-01");
    people[MOVED_LATER].hukou = ("迁出注销", "2020-12-01");
    people[HUKOU_ONLY_HERE].insurance = None;
    let run = run(&people);

    // A death cancelled before the moment takes the person off the list, into the count; a
    // move-out cancelled after it does not (the person was registered here at the moment).
    assert_eq!(candidate(&run, DIED), None);
    assert_eq!(run.outcome.cancelled, 1);
    let moved = candidate(&run, MOVED_LATER).expect("still a candidate");

    // A suspended insurance lowers the probability: the census lists few of the suspended.
    let omitted = candidate(&run, OMITTED).expect("a candidate");
    let suspended = candidate(&run, SUSPENDED).expect("a candidate");
    assert!(terms(omitted).contains(&Term::InsuranceActive));
    assert!(terms(suspended).contains(&Term::InsuranceSuspended));
    assert!(
        suspended.probability < omitted.probability,
        "{} against {}",
        suspended.probability,
        omitted.probability
    );
    assert!((moved.probability - omitted.probability).abs() < 1e-12, "the same evidence");

    // The household: a member of a household the census lists here is likelier a resident
    // than a member of a household it lists nowhere.
    let here = candidate(&run, HUKOU_ONLY_HERE).expect("a candidate");
    let away = candidate(&run, HUKOU_ONLY_AWAY).expect("a candidate");
    assert!(terms(here).contains(&Term::HouseholdHere), "{:?}", terms(here));
    assert!(terms(away).contains(&Term::HouseholdUnlisted), "{:?}", terms(away));
    assert!(
        here.probability > away.probability,
        "{} against {}",
        here.probability,
        away.probability
    );

    // Listed at home as living elsewhere in the district and not where they live: a missed
    // resident by the census's own word. Listed as living in another county, or with no place
    // where the census names places (abroad, or a code it could not read): not a candidate.
    let moved_here = candidate(&run, MOVED_HERE).expect("a candidate");
    assert_eq!(terms(moved_here), [Term::ListedAwayHere]);
    assert_eq!(moved_here.probability, 1.0);
    assert_eq!(candidate(&run, MOVED_AWAY), None);
    assert_eq!(candidate(&run, ABROAD).map(|m| m.probability), None);

    // The list is ordered by probability, each candidate's parts add up to its log.
    let probabilities: Vec<f64> = run.outcome.missing.iter().map(|m| m.probability).collect();
    assert!(probabilities.windows(2).all(|w| w[0] >= w[1]));
    for m in &run.outcome.missing {
        let (model, record): (Vec<_>, Vec<_>) =
            m.evidence.iter().partition(|(part, _)| *part != Part::UnlinkedCensusRecord);
        let model: f64 = model.iter().map(|(_, w)| w).sum();
        let record: f64 = record.iter().map(|(_, w)| w).sum();
        assert!((model.exp().min(1.0) * record.exp() - m.probability).abs() < 1e-9);
    }
}

#[test]
fn a_listing_at_home_that_names_no_place_is_weighed_by_those_listed_both_ways() {
    // In households 60-69 the first member has moved within the district: the census lists
    // them at home as living elsewhere without saying where (a layout without 现住地), and
    // where they live for households 60-64 only; 65-69's were missed there.
    let mut people = district();
    for household in 60..70 {
        let person = &mut people[3 * household];
        person.away_to = Some("");
        person.listed = household < 65;
    }
    people[OMITTED].listed = false;
    let run = run(&people);

    // Listed both ways, whichever listing the links took: not a candidate.
    for household in 60..65 {
        assert_eq!(candidate(&run, 3 * household).map(|m| m.probability), None, "{household}");
    }
    // Listed only at home: a candidate, with the same registers and household as a person not
    // listed at all but for the term, whose cell holds the four listed both ways with insurance
    // paid (the fifth's is suspended) and the five listed only at home.
    let model = run.outcome.residence.as_ref().expect("a model");
    let omitted = candidate(&run, OMITTED).expect("a candidate");
    assert_eq!(
        terms(omitted),
        [Term::Hukou, Term::InsuranceActive, Term::AgeYoungAdult, Term::HouseholdHere]
    );
    let evidence = [Term::Hukou, Term::InsuranceActive, Term::AgeYoungAdult, Term::HouseholdHere]
        .into_iter()
        .fold(Evidence::default().with(Term::ListedAway), Evidence::with);
    let (listed, unlisted) = model.cells[&evidence];
    assert_eq!(listed, 4.0);
    assert!((unlisted - 5.0).abs() < 1e-3, "{unlisted}: five, each but for an unlinked record");
    for household in 65..70 {
        let moved = candidate(&run, 3 * household).expect("a candidate");
        assert!(terms(moved).contains(&Term::ListedAway), "{:?}", terms(moved));
        assert!((moved.probability - model.probability(evidence)).abs() < 1e-3);
        assert!(
            0.0 < moved.probability && moved.probability < omitted.probability,
            "{} against {}",
            moved.probability,
            omitted.probability
        );
        // What the listed alone would say: of those listed with this evidence, 4 here and 5
        // only at home, a half person added each way.
        assert!((moved.uncorrected - 4.5 / 10.0).abs() < 1e-12, "{}", moved.uncorrected);
    }
}
