//! The analysts' report in a real browser: headless Chromium loads `report.html`, runs its
//! script, and must log nothing; the charts and the candidate tables must be in the DOM.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The charts every report has, by id (a run given a truth has the reliability diagram too).
const CHARTS: [&str; 3] = ["coverage-township-chart", "coverage-area-chart", "weights-chart"];
/// The candidate tables, by id, each with at least one row.
const CANDIDATE_TABLES: [&str; 2] = ["missing-table", "duplicates-table"];
/// How long one Chromium run may take (it starts in about a second).
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(90);

/// Loads `report` in headless Chromium and asserts that it logged no console message and threw
/// no exception, that its script ran to the end, and that the DOM holds the charts (as `<svg>`
/// elements, `more_charts` too) and the candidate tables with rows. With `screenshot`, also
/// writes a PNG of the page there (1280 × 2400).
///
/// Without Chromium on PATH (`chromium`, `chromium-browser`) the check is skipped with a note,
/// unless `CENSUSLINK_BROWSER_TEST=required`, when it panics.
pub(crate) fn check_report_in_chromium(
    report: &Path,
    more_charts: &[&str],
    screenshot: Option<&Path>,
) {
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
    check_dom(&loaded.stdout, report, more_charts);

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

/// Loads a linkage's `report.html` (`censuslink link`, `dedupe`) in headless Chromium: nothing
/// logged to the console, the script run to its end, the weights drawn, no census section.
/// Skipped as [`check_report_in_chromium`] is.
pub(crate) fn check_linkage_report_in_chromium(report: &Path) {
    let Some(browser) = chromium_or_note(&format!("the browser check of {}", report.display()))
    else {
        return;
    };
    let loaded = load(&browser, report, &["--dump-dom"]);
    let errors = console_errors(&loaded.stderr);
    assert!(errors.is_empty(), "{}:\n{}", report.display(), errors.join("\n"));
    let dom = &loaded.stdout;
    assert!(dom.contains("<body data-ready=\"true\""), "the script did not run to its end");
    assert_eq!(tag_of(dom, "weights-chart"), Some("svg"));
    assert_eq!(tag_of(dom, "coverage-area-chart"), None, "no census chart");
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
fn check_dom(dom: &str, report: &Path, more_charts: &[&str]) {
    let report = report.display();
    assert!(
        dom.contains("<body data-ready=\"true\""),
        "{report}: the script did not run to its end"
    );
    for id in CHARTS.iter().chain(more_charts) {
        assert_eq!(tag_of(dom, id), Some("svg"), "{report}: #{id} is an <svg>");
    }
    for id in CANDIDATE_TABLES {
        assert_eq!(tag_of(dom, id), Some("table"), "{report}: #{id} is a <table>");
        let rows = table_rows(dom, id);
        assert!(rows > 0, "{report}: #{id} has no rows");
    }
}

/// The tag name of the element with `id`.
pub(crate) fn tag_of<'a>(dom: &'a str, id: &str) -> Option<&'a str> {
    let at = dom.find(&format!(" id=\"{id}\""))?;
    let open = dom[..at].rfind('<')?;
    dom[open + 1..at].split_whitespace().next()
}

/// Rows in the body of the table with `id`.
pub(crate) fn table_rows(dom: &str, id: &str) -> usize {
    let Some(at) = dom.find(&format!(" id=\"{id}\"")) else {
        return 0;
    };
    let table = &dom[at..at + dom[at..].find("</table>").unwrap_or(dom.len() - at)];
    table.split_once("<tbody>").map_or(0, |(_, body)| body.matches("<tr").count())
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
