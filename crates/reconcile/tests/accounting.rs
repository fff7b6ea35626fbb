//! The row accounting over generated jobs: whatever the rows (names, ID numbers and dates
//! valid, damaged or missing; blank lines; rows of nothing), every data row of each file is
//! linked, unlinked or rejected, exactly once.

use std::fmt::Write as _;

use censuslink_io::Job;
use proptest::prelude::*;

/// A row: name, ID number and birth month, each from a pool with damage and gaps.
fn row() -> impl Strategy<Value = (usize, usize, usize)> {
    (0..NAMES.len(), 0..IDS.len(), 0..BIRTHS.len())
}

const NAMES: [&str; 8] = ["张伟", "王芳", "張偉", "欧阳 娜娜", "", "陈静之女", "???", "李娜"];
const IDS: [&str; 7] = [
    "11010519491231002X",
    "110105194912310021",
    "11010519491231002x",
    "3.20102E+17",
    "",
    "320102199003071234",
    "32010219900307123",
];
const BIRTHS: [&str; 5] = ["1949-12", "194912", "", "1990-03", "13月"];

fn csv(rows: &[(usize, usize, usize)], blank_every: usize) -> String {
    let mut text = String::from("编号,姓名,公民身份号码,出生年月\n");
    for (k, &(name, id, birth)) in rows.iter().enumerate() {
        if blank_every > 0 && k % blank_every == 0 {
            text.push('\n');
        }
        writeln!(text, "R{k},{},{},{}", NAMES[name], IDS[id], BIRTHS[birth]).expect("a string");
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn every_row_read_is_linked_unlinked_or_rejected(
        census in prop::collection::vec(row(), 2..40),
        hukou in prop::collection::vec(row(), 2..40),
        blank_every in 0usize..7,
    ) {
        let folder = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(folder.path().join("census.csv"), csv(&census, blank_every)).expect("writable");
        std::fs::write(folder.path().join("hukou.csv"), csv(&hukou, 0)).expect("writable");
        let mut job = String::from("reference_moment = \"2020-11-01\"\n");
        for (name, role) in [("census", "census"), ("hukou", "hukou")] {
            write!(
                job,
                "[[source]]\nname = \"{name}\"\nrole = \"{role}\"\npath = \"{name}.csv\"\nkey = \"编号\"\n\
                 [source.fields]\nname = \"姓名\"\nid_number = \"公民身份号码\"\nbirth_date = \"出生年月\"\n"
            )
            .expect("a string");
        }
        let job = Job::parse(&job, &folder.path().join("job.toml")).expect("a valid job");
        let run = censuslink_reconcile::run_job(&job).expect("the job runs");
        let inputs = run.inputs();
        let rows_read: Vec<usize> = run.sources.iter().map(|(_, _, l)| l.rows_read).collect();
        let accounts = censuslink_reconcile::account(&inputs, &run.outcome.links, &rows_read)
            .expect("the accounting adds up");
        for (account, rows) in accounts.iter().zip([census.len(), hukou.len()]) {
            prop_assert_eq!(account.read, rows);
            prop_assert_eq!(account.linked + account.unlinked + account.rejected, rows);
        }
    }
}
