//! What a command says while it works: a progress bar per stage with counts and rates on a
//! terminal, one plain line per finished stage otherwise (a log), nothing with `--quiet`. All
//! on standard error, and never a value from the data: stage names, source names and counts.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use censuslink_io::Lang;
use censuslink_reconcile::thousands;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Where progress goes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Progress {
    mode: Mode,
    lang: Lang,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Quiet,
    Bars,
    Lines,
}

impl Progress {
    /// Bars when standard error is a terminal, lines when not, nothing when `quiet`.
    pub(crate) fn new(quiet: bool, lang: Lang) -> Progress {
        let mode = match (quiet, std::io::stderr().is_terminal()) {
            (true, _) => Mode::Quiet,
            (false, true) => Mode::Bars,
            (false, false) => Mode::Lines,
        };
        Progress { mode, lang }
    }

    /// A stage counting `unit`s (rows, pairs), named `name`.
    pub(crate) fn stage(&self, name: String, unit: (&'static str, &'static str)) -> Stage {
        let bar = (self.mode == Mode::Bars).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            let unit = self.lang.pick(unit.0, unit.1);
            let template =
                format!("{{spinner}} {{msg}}  {{human_pos}} {unit}  {{per_sec}}  {{elapsed}}");
            bar.set_style(
                ProgressStyle::with_template(&template)
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message(name.clone());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Stage { progress: *self, name, unit, bar, started: Instant::now(), count: 0 }
    }
}

/// One stage under way.
pub(crate) struct Stage {
    progress: Progress,
    name: String,
    unit: (&'static str, &'static str),
    bar: Option<ProgressBar>,
    started: Instant,
    count: u64,
}

impl Stage {
    /// `n` more units done.
    pub(crate) fn add(&mut self, n: u64) {
        self.count += n;
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    /// A line about a part of the stage just done, above the bar (or as a log line).
    pub(crate) fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None if self.progress.mode == Mode::Lines => eprintln!("{line}"),
            None => {}
        }
    }

    /// The stage is done: the bar is cleared and the stage's line is printed in its place.
    /// Returns the seconds it took.
    pub(crate) fn finish(self) -> f64 {
        let Progress { mode, lang } = self.progress;
        let seconds = self.started.elapsed().as_secs_f64();
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if mode == Mode::Quiet {
            return seconds;
        }
        let unit = lang.pick(self.unit.0, self.unit.1);
        let count = thousands(self.count as usize);
        if self.count == 0 {
            eprintln!("{}  {seconds:.1} {}", self.name, lang.pick("秒", "s"));
        } else {
            let rate = thousands((self.count as f64 / seconds.max(1e-3)) as usize);
            eprintln!(
                "{}  {count} {unit}  {seconds:.1} {}  ({rate} {unit}/{})",
                self.name,
                lang.pick("秒", "s"),
                lang.pick("秒", "s")
            );
        }
        seconds
    }
}

/// A library run's progress, a stage at a time, as [`Progress`] shows it.
pub(crate) struct Bars {
    progress: Progress,
    stage: Option<Stage>,
}

impl Bars {
    pub(crate) fn new(progress: Progress) -> Bars {
        Bars { progress, stage: None }
    }
}

impl censuslink_reconcile::Progress for Bars {
    fn start(&mut self, stage: censuslink_reconcile::Stage<'_>) {
        use censuslink_reconcile::Stage::{Link, Read, Reconcile, Write};
        let lang = self.progress.lang;
        let (name, unit) = match stage {
            Read { source } => (format!("{} {source}", lang.pick("读取", "read")), ("行", "rows")),
            Reconcile => (lang.pick("比对与核对", "link and reconcile").to_owned(), ("", "")),
            Link => (lang.pick("链接", "link").to_owned(), ("", "")),
            Write => (lang.pick("写出结果", "write").to_owned(), ("个文件", "files")),
        };
        self.finish();
        self.stage = Some(self.progress.stage(name, unit));
    }

    fn add(&mut self, n: u64) {
        if let Some(stage) = &mut self.stage {
            stage.add(n);
        }
    }

    fn step(&mut self, step: &censuslink_reconcile::Step<'_>) {
        let Some(stage) = &self.stage else { return };
        let right = step.right.unwrap_or(step.left);
        // The link's own time: the registers' links are told once all of them are made (beside
        // the census deduplication), so the time between two steps says nothing of either.
        let seconds = step.times.total();
        let (candidates, links) = (thousands(step.candidates), thousands(step.links));
        stage.note(&self.progress.lang.pick(
            format!(
                "  比对 {} ↔ {right}  {candidates} 候选对  {links} 对比上  {seconds:.1} 秒",
                step.left
            ),
            format!(
                "  link {} ↔ {right}  {candidates} candidate pairs  {links} linked  {seconds:.1} s",
                step.left
            ),
        ));
    }

    fn finish(&mut self) {
        if let Some(stage) = self.stage.take() {
            stage.finish();
        }
    }
}
