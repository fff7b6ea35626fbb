//! The small accuracy matrix: districts of other seeds, error scales and census layouts than
//! the sample's, each generated, run and evaluated by the binary as `benches/accuracy.sh` does
//! at scale. What is asserted is that every list and the coverage estimate are scored from the
//! run's own outputs (the scores' arithmetic is worked out by hand in reconcile's evaluate
//! tests); the floors are the matrix's to report, not this test's to assert.

use std::path::Path;

use serde_json::Value;

use crate::censuslink;

/// One cell: persons, seed, error scale, layout.
const CELLS: [(u32, u32, &str, &str); 2] =
    [(20_000, 11, "0.5", "classic"), (20_000, 12, "2", "census2020")];

/// Generates, runs and evaluates one cell in `root`; its evaluation.
fn evaluate_cell(root: &Path, (persons, seed, scale, layout): (u32, u32, &str, &str)) -> Value {
    let district = root.join(format!("{layout}-{seed}"));
    let out = root.join(format!("{layout}-{seed}-out"));
    censuslink()
        .args(["synth", "--quiet", "--persons", &persons.to_string(), "--seed", &seed.to_string()])
        .args(["--error-scale", scale, "--layout", layout, "--out"])
        .arg(&district)
        .assert()
        .success();
    censuslink()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(district.join("job.toml"))
        .assert()
        .code(&[0, 1][..]);
    censuslink()
        .args(["evaluate", "--quiet", "--truth"])
        .arg(district.join("truth"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    serde_json::from_slice(&std::fs::read(out.join("evaluation.json")).expect("evaluation.json"))
        .expect("JSON")
}

#[test]
fn every_cell_of_the_small_matrix_is_scored() {
    let root = tempfile::tempdir().expect("a temporary folder");
    for cell in CELLS {
        let evaluation = evaluate_cell(root.path(), cell);
        let count = |list: &str, what: &str| evaluation[list][what].as_u64().expect("a count");
        let share = |list: &str, what: &str| evaluation[list][what].as_f64().expect("a share");
        for list in ["links", "missing", "duplicates", "deceased", "births", "conflicts"] {
            let (reported, correct, expected) =
                (count(list, "reported"), count(list, "correct"), count(list, "expected"));
            assert!(reported > 0 && expected > 0, "{cell:?} {list}: {evaluation}");
            assert!(correct <= reported, "{cell:?} {list}");
            let precision = correct as f64 / reported as f64;
            assert!((share(list, "precision") - precision).abs() < 1e-12, "{cell:?} {list}");
            assert!((0.0..=1.0).contains(&share(list, "recall")), "{cell:?} {list}");
        }
        // The tiers add up to the list, and the list is cut down its ranking.
        let detail = &evaluation["missing_detail"];
        let tiers = detail["tiers"].as_array().expect("tiers");
        let sum =
            |what: &str| tiers.iter().map(|t| t[what].as_u64().expect("a count")).sum::<u64>();
        assert_eq!(sum("reported"), count("missing", "reported"), "{cell:?}");
        assert_eq!(sum("correct"), count("missing", "correct"), "{cell:?}");
        assert!(detail["omitted"].as_u64().expect("a count") >= count("missing", "expected"));
        for at in ["precision_at_70", "precision_at_95"] {
            let precision = detail[at].as_f64();
            assert!(precision.is_none_or(|p| (0.0..=1.0).contains(&p)), "{cell:?}: {detail}");
        }
        // The estimate is scored against the persons the truth says live in the district.
        let coverage = &evaluation["coverage"];
        let residents = coverage["true_residents"].as_u64().expect("a count");
        assert!((20_000..20_100).contains(&residents), "{cell:?}: {coverage}");
        let estimate = coverage["estimate"].as_f64().expect("an estimate");
        let error = coverage["relative_error"].as_f64().expect("an error");
        assert!((error - (estimate - residents as f64) / residents as f64).abs() < 1e-12);
        assert!(coverage["holds_truth"].is_boolean(), "{cell:?}: {coverage}");
    }
}
