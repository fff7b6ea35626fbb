//! The analysts' report in a real browser: headless Chromium loads `report.html`, runs its
//! script, and must log nothing; the charts and the candidate tables must be in the DOM.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use censuslink_io::Lang;
use censuslink_reconcile::{
    BlockingRow, ComparisonSummary, CoverageRow, DuplicateRow, LevelSummary, ListCounts,
    MissingRow, ModelSummary, QualityFinding, QualitySeverity, ReportData, SourceCounts, Waterfall,
    WeightBin, WeightHistogram, WeightTerm, WeightThreshold, render_report,
};

/// The charts every report has, by id.
const CHARTS: [&str; 3] = ["coverage-township-chart", "coverage-area-chart", "weights-chart"];
/// The candidate tables, by id, each with at least one row.
const CANDIDATE_TABLES: [&str; 2] = ["missing-table", "duplicates-table"];
/// How long one Chromium run may take (it starts in about a second).
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(90);

/// Loads `report` in headless Chromium and asserts that it logged no console message and threw
/// no exception, that its script ran to the end, and that the DOM holds the charts (as `<svg>`
/// elements) and the candidate tables with rows. With `screenshot`, also writes a PNG of the
/// page there (1280 × 2400).
///
/// Without Chromium on PATH (`chromium`, `chromium-browser`) the check is skipped with a note,
/// unless `CENSUSLINK_BROWSER_TEST=required`, when it panics.
pub(crate) fn check_report_in_chromium(report: &Path, screenshot: Option<&Path>) {
    let Some(browser) = chromium_or_note(&format!("the browser check of {}", report.display()))
    else {
        return;
    };
    let loaded = load(&browser, report, &["--dump-dom"]);
    let errors = console_errors(&loaded.stderr);
    assert!(
        errors.is_empty(),
        "{} logged to the console:\n{}",
        report.display(),
        errors.join("\n")
    );
    check_dom(&loaded.stdout, report);

    if let Some(screenshot) = screenshot {
        let _ = std::fs::remove_file(screenshot);
        let argument = format!("--screenshot={}", screenshot.display());
        let shot = load(&browser, report, &[&argument, "--window-size=1280,2400"]);
        let errors = console_errors(&shot.stderr);
        assert!(errors.is_empty(), "{}:\n{}", report.display(), errors.join("\n"));
        let png = std::fs::read(screenshot).unwrap_or_else(|_| {
            panic!("chromium wrote no screenshot at {}: {}", screenshot.display(), shot.stderr)
        });
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is a PNG", screenshot.display());
    }
}

/// Chromium's path; when it is not installed, `None` after a note that `what` is skipped, or a
/// panic when `CENSUSLINK_BROWSER_TEST=required`.
fn chromium_or_note(what: &str) -> Option<PathBuf> {
    let browser = chromium();
    if browser.is_none() {
        if std::env::var("CENSUSLINK_BROWSER_TEST").as_deref() == Ok("required") {
            panic!(
                "chromium is missing (CENSUSLINK_BROWSER_TEST=required): install Debian's \
                 `chromium` package, or put `chromium` or `chromium-browser` on PATH"
            );
        }
        eprintln!(
            "note: chromium is not installed; skipping {what} \
             (set CENSUSLINK_BROWSER_TEST=required to make it fail)"
        );
    }
    browser
}

/// Chromium's path, from PATH.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser"].into_iter().find_map(|name| {
        std::env::split_paths(&path).map(|dir| dir.join(name)).find(|file| file.is_file())
    })
}

/// What one Chromium run printed.
struct Loaded {
    stdout: String,
    stderr: String,
}

/// Runs headless Chromium on `page` with `arguments` (`--dump-dom`, `--screenshot=...`), in a
/// profile of its own (so that parallel tests do not hand their page to each other's browser),
/// giving the page's scripts two seconds of virtual time.
fn load(browser: &Path, page: &Path, arguments: &[&str]) -> Loaded {
    let profile = tempfile::tempdir().expect("a temporary folder");
    // Output goes to files: a pipe left unread while waiting would fill and stall the browser.
    let stdout_path = profile.path().join("stdout");
    let stderr_path = profile.path().join("stderr");
    let file = |path: &Path| std::fs::File::create(path).expect("writable");
    let mut child = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"])
        .args(["--virtual-time-budget=2000", "--no-first-run", "--disable-extensions"])
        .arg(format!("--user-data-dir={}", profile.path().join("profile").display()))
        .args(arguments)
        .arg(file_url(&std::path::absolute(page).expect("an absolute path")))
        .stdin(Stdio::null())
        .stdout(file(&stdout_path))
        .stderr(file(&stderr_path))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("a child to wait for") {
            break status;
        }
        if started.elapsed() > CHROMIUM_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took more than {CHROMIUM_TIMEOUT:?} on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let read = |path: &Path| {
        String::from_utf8_lossy(&std::fs::read(path).expect("the output")).into_owned()
    };
    let loaded = Loaded { stdout: read(&stdout_path), stderr: read(&stderr_path) };
    assert!(status.success(), "chromium failed on {}: {status}\n{}", page.display(), loaded.stderr);
    loaded
}

/// `file://` and the path, its bytes outside `A-Za-z0-9-._~/` percent-encoded.
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for &byte in path.to_string_lossy().as_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                url.push(byte as char)
            }
            _ => url.push_str(&format!("%{byte:02X}")),
        }
    }
    url
}

/// The lines of Chromium's log that are the page's console messages or uncaught exceptions.
/// Chromium 156 logs every console call, `console.error` as `console.log`, as
///
/// ```text
/// [8930:8930:1202/045633.084073:INFO:CONSOLE:1] "my error text", source: file:///tmp/p.html (1)
/// [8930:8930:1202/045633.084175:INFO:CONSOLE:1] "Uncaught ReferenceError: undefinedFunction is not defined", source: file:///tmp/p.html (1)
/// ```
///
/// (older builds write `INFO:CONSOLE(1)]`): with no level to tell them apart, every console
/// message counts, since the report logs nothing. Chromium's own complaints (D-Bus, GPU) are
/// not the page's and do not count.
fn console_errors(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| {
            line.contains(":CONSOLE:") || line.contains(":CONSOLE(") || line.contains("Uncaught ")
        })
        .collect()
}

/// The DOM after the script ran: the charts, the candidate tables with rows, the script's mark.
fn check_dom(dom: &str, report: &Path) {
    let report = report.display();
    assert!(
        dom.contains("<body data-ready=\"true\""),
        "{report}: the script did not run to its end"
    );
    for id in CHARTS {
        assert_eq!(tag_of(dom, id), Some("svg"), "{report}: #{id} is an <svg>");
    }
    for id in CANDIDATE_TABLES {
        assert_eq!(tag_of(dom, id), Some("table"), "{report}: #{id} is a <table>");
        let rows = table_rows(dom, id);
        assert!(rows > 0, "{report}: #{id} has no rows");
    }
}

/// The tag name of the element with `id`.
fn tag_of<'a>(dom: &'a str, id: &str) -> Option<&'a str> {
    let at = dom.find(&format!(" id=\"{id}\""))?;
    let open = dom[..at].rfind('<')?;
    dom[open + 1..at].split_whitespace().next()
}

/// Rows in the body of the table with `id`.
fn table_rows(dom: &str, id: &str) -> usize {
    let Some(at) = dom.find(&format!(" id=\"{id}\"")) else {
        return 0;
    };
    let table = &dom[at..at + dom[at..].find("</table>").unwrap_or(dom.len() - at)];
    table.split_once("<tbody>").map_or(0, |(_, body)| body.matches("<tr").count())
}

#[test]
fn the_hand_built_report_renders_in_chromium_without_console_errors() {
    // With CENSUSLINK_REPORT_SCREENSHOT=/tmp/report-fixture.png the screenshot and the report
    // (/tmp/report-fixture.html) are kept for a look; else they go with a temporary folder.
    let folder = tempfile::tempdir().expect("a temporary folder");
    let screenshot = std::env::var_os("CENSUSLINK_REPORT_SCREENSHOT")
        .map_or_else(|| folder.path().join("report.png"), PathBuf::from);
    let report = screenshot.with_extension("html");
    std::fs::write(&report, render_report(&fixture(), Lang::Zh)).expect("writable");
    check_report_in_chromium(&report, Some(&screenshot));
    // The helpers the check counts with, on the report as written.
    let html = std::fs::read_to_string(&report).expect("the report");
    assert_eq!(table_rows(&html, "missing-table"), 12);
    assert_eq!(table_rows(&html, "duplicates-table"), 6);
    assert_eq!(tag_of(&html, "weights-chart"), Some("svg"));
}

#[test]
fn the_console_detector_catches_a_broken_page() {
    // What Chromium 156 printed for such a page, beside its own complaints.
    let logged = "[8930:8959:1202/045632.492228:ERROR:dbus/bus.cc:405] Failed to connect to the bus\n\
        [8930:8930:1202/045633.084073:INFO:CONSOLE:1] \"my error text\", source: file:///tmp/p.html (1)\n\
        [8930:8930:1202/045633.084175:INFO:CONSOLE:1] \"Uncaught ReferenceError: undefinedFunction \
        is not defined\", source: file:///tmp/p.html (1)\n\
        [1:1:0101/000000.000000:INFO:CONSOLE(7)] \"Uncaught TypeError: x\", source: file:///p (7)\n";
    let errors = console_errors(logged);
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[1].contains("undefinedFunction"));
    assert!(console_errors("[1:1:0101/000000.000000:ERROR:dbus/bus.cc:405] no bus\n").is_empty());

    // And what this machine's Chromium prints.
    let Some(browser) = chromium_or_note("the broken page in chromium") else {
        return;
    };
    let folder = tempfile::tempdir().expect("a temporary folder");
    let page = folder.path().join("broken page.html");
    std::fs::write(
        &page,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>broken</title>\
         </head><body><p>broken</p>\n<script>console.error(\"deliberate error\");</script>\n\
         <script>undefinedFunction()</script>\n</body></html>\n",
    )
    .expect("writable");
    let loaded = load(&browser, &page, &["--dump-dom"]);
    let errors = console_errors(&loaded.stderr);
    assert_eq!(errors.len(), 2, "{}", loaded.stderr);
    assert!(errors[0].contains("\"deliberate error\""), "{}", errors[0]);
    assert!(
        errors[1].contains("Uncaught ReferenceError: undefinedFunction is not defined"),
        "{}",
        errors[1]
    );
    assert!(loaded.stdout.contains("<p>broken</p>"), "the page loaded: {}", loaded.stdout);
}

/// A report of a made-up district with some of everything, as a run would fill it.
fn fixture() -> ReportData {
    let townships = [
        "东山街道",
        "秣陵街道",
        "汤山街道",
        "淳化街道",
        "禄口街道",
        "江宁街道",
        "谷里街道",
        "湖熟街道",
        "横溪街道",
        "麒麟街道",
    ];
    let coverage = |code: String, name: &str, census: u64, admin: u64, matched: u64| {
        let estimate = censuslink_reconcile::chapman(census, admin, matched);
        CoverageRow {
            code,
            name: name.to_owned(),
            census,
            admin,
            matched,
            population: estimate.population,
            low: estimate.low,
            high: estimate.high,
        }
    };
    let mut township_rows = vec![coverage(String::new(), "", 0, 12, 0)];
    let mut area_rows = Vec::new();
    for (idx, name) in townships.iter().enumerate() {
        let census = 700 + (idx as u64 * 397) % 2400;
        let admin = census + 10 - (idx as u64 * 7) % 25;
        let matched = census - 40 - (idx as u64 * 13) % 50;
        let code = format!("320115{:03}", idx + 1);
        township_rows.push(coverage(code.clone(), name, census, admin, matched));
        for area in 0..5u64 {
            let c = census / 5 + area * 11;
            let a = c + 3 - area * 2;
            let m = c - 12 - (idx as u64 + area * 5) % 20;
            area_rows.push(coverage(format!("{code}{:03}{:03}", area + 1, 1), "", c, a, m));
        }
    }
    let histogram = |link: &str, matches: f64| WeightHistogram {
        link: link.to_owned(),
        bins: (0..30)
            .map(|bin| {
                let low = -10.0 + 2.0 * bin as f64;
                let centre = low + 1.0;
                let non_matches = 5_000.0 * (-(centre + 10.0) / 3.0).exp();
                let true_matches = matches * (-((centre - 34.0) / 5.0).powi(2)).exp();
                WeightBin { low, high: low + 2.0, count: (non_matches + true_matches) as u64 }
            })
            .collect(),
    };
    let levels = |items: &[(&str, f64, f64)]| -> Vec<LevelSummary> {
        items.iter().map(|&(label, m, u)| LevelSummary { label: label.to_owned(), m, u }).collect()
    };
    let comparisons = vec![
        ComparisonSummary {
            field: "name".to_owned(),
            levels: levels(&[
                ("exact", 0.86, 0.0004),
                ("same reading", 0.05, 0.002),
                ("jaro_winkler >= 0.92", 0.04, 0.01),
                ("else", 0.05, 0.9876),
            ]),
        },
        ComparisonSummary {
            field: "id_number".to_owned(),
            levels: levels(&[
                ("exact", 0.95, 0.000_001_2),
                ("one digit", 0.02, 0.000_05),
                ("else", 0.03, 0.999_95),
            ]),
        },
        ComparisonSummary {
            field: "birth_date".to_owned(),
            levels: levels(&[
                ("exact as far as both say", 0.93, 0.0011),
                ("day and month swapped", 0.01, 0.000_02),
                ("else", 0.06, 0.9989),
            ]),
        },
        ComparisonSummary {
            field: "sex".to_owned(),
            levels: levels(&[("exact", 0.995, 0.5), ("else", 0.005, 0.5)]),
        },
    ];
    let explanation = |idx: usize| Waterfall {
        prior_weight: -20.2,
        terms: vec![
            WeightTerm { label: "name exact".to_owned(), weight: 13.3 - (idx % 3) as f64 * 4.0 },
            WeightTerm {
                label: "id_number else".to_owned(),
                weight: if idx.is_multiple_of(2) { -4.9 } else { 19.9 },
            },
            WeightTerm { label: "birth_date exact as far as both say".to_owned(), weight: 9.8 },
            WeightTerm { label: "sex exact".to_owned(), weight: 1.0 },
            WeightTerm { label: "residence_region same county".to_owned(), weight: -2.1 },
        ],
    };
    let missing = (0..12)
        .map(|idx| MissingRow {
            id: format!("{:016x}", 0x088f_da19_4621_80e8u64.wrapping_mul(idx as u64 + 1)),
            area: format!("320115{:03}{:03}00{}", idx % 10 + 1, 200 + idx, idx % 3 + 1),
            tier: (idx % 3 + 1) as u8,
            evidence_score: 6 - (idx % 3) as u32 * 2,
            sources: ["hukou;school;insurance", "hukou;insurance", "hukou"][idx % 3].to_owned(),
            nearest_probability: (idx % 4 != 3).then(|| 0.9 / (idx as f64 + 1.5)),
            explanation: (idx % 4 != 3).then(|| explanation(idx)),
        })
        .collect();
    let duplicates = (0..6)
        .map(|idx| DuplicateRow {
            id: format!("{:016x}", 0x009f_39b9_1b1b_e8b5u64.wrapping_mul(idx as u64 + 7)),
            area: format!("320115006205003;320115008010{:03}", idx),
            n_records: 2 + (idx % 2) as u64,
            probability: 1.0 - 0.013 * idx as f64,
            explanation: Some(explanation(idx + 1)),
        })
        .collect();
    let source = |name: &str, read: u64, rejected: u64, issues: u64, linked: u64| SourceCounts {
        name: name.to_owned(),
        role: name.to_owned(),
        read,
        usable: read - rejected,
        rejected,
        issues,
        linked,
        unlinked: read - rejected - linked,
    };
    ReportData {
        job: "sample-data/job.toml".to_owned(),
        reference_moment: "2020-11-01T00:00:00".to_owned(),
        run_date: "2024-05-06 10:30".to_owned(),
        sources: vec![
            source("census", 20_223, 0, 206, 19_901),
            source("hukou", 15_749, 0, 9, 15_707),
            source("birth", 142, 1, 0, 110),
            source("death", 144, 0, 0, 54),
            source("school", 1_660, 0, 0, 1_660),
            source("insurance", 19_280, 0, 35, 19_016),
        ],
        lists: ListCounts {
            links: 53_151,
            missing: 661,
            duplicates: 165,
            deceased: 6,
            births: 13,
            conflicts: 867,
        },
        district: coverage(String::new(), "", 19_400, 19_487, 18_869),
        assumptions: vec![
            "两份名单相互独立（在一份名单中不改变在另一份中的概率）。".to_owned(),
            "同一区域内每个人出现在各名单中的概率相同。".to_owned(),
            "标准时点人口封闭；匹配无误差（漏链使估计偏高，错链使之偏低）。".to_owned(),
        ],
        townships: township_rows,
        areas: area_rows,
        weights: vec![histogram("census ↔ hukou", 14_000.0), histogram("census ↔ census", 90.0)],
        thresholds: vec![
            WeightThreshold { label: "链接阈值".to_owned(), weight: 4.25 },
            WeightThreshold { label: "复核下限".to_owned(), weight: -2.0 },
        ],
        models: vec![ModelSummary {
            link: "census ↔ hukou".to_owned(),
            prior: 0.000_052,
            comparisons,
        }],
        blocking: vec![
            BlockingRow {
                link: "census ↔ hukou".to_owned(),
                rule: "id_number".to_owned(),
                blocks: 15_603,
                pairs: 15_950,
                largest_block: Some(4),
                capped_blocks: 0,
            },
            BlockingRow {
                link: "census ↔ hukou".to_owned(),
                rule: "name & birth_date".to_owned(),
                blocks: 14_880,
                pairs: 2_114,
                largest_block: Some(12),
                capped_blocks: 0,
            },
            BlockingRow {
                link: "census ↔ hukou".to_owned(),
                rule: "surname_reading & birth_year & residence_region".to_owned(),
                blocks: 9_421,
                pairs: 88_402,
                largest_block: None,
                capped_blocks: 3,
            },
        ],
        missing,
        duplicates,
        findings: vec![
            QualityFinding {
                source: "census".to_owned(),
                field: "id_number".to_owned(),
                finding: "校验码错误".to_owned(),
                count: 101,
                severity: QualitySeverity::Warning,
            },
            QualityFinding {
                source: "hukou".to_owned(),
                field: "name".to_owned(),
                finding: "<b>not bold</b>: a tag in the data stays text".to_owned(),
                count: 3,
                severity: QualitySeverity::Note,
            },
            QualityFinding {
                source: "birth".to_owned(),
                field: "mother_id".to_owned(),
                finding: "半数以上的值无法读取".to_owned(),
                count: 97,
                severity: QualitySeverity::Error,
            },
        ],
    }
}
