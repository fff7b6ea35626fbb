//! `censuslink explain`: a pair of records, or the pairs behind a candidate, field by field,
//! under the models a run trained (its `models.json`).

use std::path::PathBuf;

use censuslink_io::{Job, Lang};
use censuslink_linkage::Explanation;
use censuslink_reconcile::{HouseholdLinks, Input, LinkModel, RecordRef};
use censuslink_report::{CandidatePairs, RecordName, SavedModel, field_name};
use serde_json::json;

use crate::run::start_threads;
use crate::{failure, left, right};

#[derive(clap::Args)]
pub(crate) struct ExplainArgs {
    /// The job file of the run.
    #[arg(default_value = "sample-data/job.toml")]
    pub(crate) job: PathBuf,
    /// The run's output folder.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// A candidate ID from the run's lists (missing, duplicates, deceased).
    #[arg(long, conflicts_with = "records", required_unless_present = "records")]
    candidate: Option<String>,
    /// Two records as the lists name them, `source:key`, e.g. `census:3201 hukou:3202`.
    #[arg(long, num_args = 2, value_names = ["LEFT", "RIGHT"])]
    records: Option<Vec<String>>,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// Worker threads; 0 uses one per core.
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

pub(crate) fn explain(args: &ExplainArgs, lang: Option<Lang>) -> anyhow::Result<()> {
    let job = Job::load(&args.job)?;
    let lang = lang.unwrap_or(job.lang);
    start_threads(args.threads)?;
    let models_path = args.out.join("models.json");
    let saved = SavedModel::read_all(&models_path).ok_or_else(|| {
        let shown = models_path.display();
        failure(
            format!("无法读取 {shown}；先用 censuslink run 生成，或用 --out 指向运行的输出文件夹"),
            format!(
                "cannot read {shown}; make it with censuslink run first, or point --out at \
                     the run's output folder"
            ),
        )
    })?;
    let census = job
        .sources
        .iter()
        .find(|s| s.role == censuslink_model::Role::Census)
        .map_or("census", |s| s.name.as_str());
    let pairs: Vec<(RecordName, RecordName)> = match (&args.candidate, &args.records) {
        (Some(id), _) => {
            let Some(CandidatePairs { list, pairs }) =
                censuslink_report::candidate_pairs(&args.out, id, census)?
            else {
                return Err(failure(
                    format!("{} 的清单中没有候选 `{id}`", args.out.display()),
                    format!("no candidate `{id}` in the lists of {}", args.out.display()),
                ));
            };
            if pairs.is_empty() {
                return Err(failure(
                    format!("候选 `{id}`（{list}）没有可解释的记录对：没有普查记录与它相近"),
                    format!(
                        "candidate `{id}` ({list}) has no pair to explain: no census record came \
                         near it"
                    ),
                ));
            }
            pairs
        }
        (None, Some(records)) => {
            let name = |text: &String| -> anyhow::Result<RecordName> {
                text.split_once(':').map(|(s, k)| (s.to_owned(), k.to_owned())).ok_or_else(|| {
                    failure(
                        format!("`{text}` 不是 source:key 的形式（如 census:3201）"),
                        format!("`{text}` is not of the form source:key (census:3201)"),
                    )
                })
            };
            vec![(name(&records[0])?, name(&records[1])?)]
        }
        (None, None) => unreachable!("clap requires --candidate or --records"),
    };

    // Load only the sources the pairs name.
    let mut job = job;
    job.sources.retain(|s| pairs.iter().any(|(a, b)| a.0 == s.name || b.0 == s.name));
    for (a, b) in &pairs {
        for (source, _) in [a, b] {
            if !job.sources.iter().any(|s| &s.name == source) {
                return Err(failure(
                    format!("作业中没有数据源 `{source}`"),
                    format!("the job has no source `{source}`"),
                ));
            }
        }
    }
    let (loaded, _) = censuslink_reconcile::load_sources(&job, None, &mut ())?;
    let inputs: Vec<Input<'_>> =
        loaded.iter().map(|(name, role, l)| Input { name, role: *role, table: &l.table }).collect();
    let index = |name: &str| inputs.iter().position(|i| i.name == name);
    let find = |(source, key): &RecordName| -> anyhow::Result<RecordRef> {
        let i = index(source).unwrap_or_default();
        let table = inputs[i].table;
        (0..table.len())
            .find(|&row| table.record_id.get(row) == Some(key.as_str()))
            .map(|row| RecordRef { source: i, row: row as u32 })
            .ok_or_else(|| {
                failure(
                    format!("数据源 {source} 中没有编号为 `{key}` 的记录"),
                    format!("source {source} has no record of key `{key}`"),
                )
            })
    };

    let mut explained: Vec<(String, String, String, Explanation)> = Vec::new();
    for (a, b) in &pairs {
        let (ra, rb) = (find(a)?, find(b)?);
        // The link that joins the two records' sources (explain_pair declines the others).
        let found = saved.iter().find_map(|m| {
            let link = LinkModel {
                left: index(&m.left)?,
                right: match &m.right {
                    Some(right) => Some(index(right)?),
                    None => None,
                },
                model: m.model.clone(),
                rules: Vec::new(),
                training: Default::default(),
                // The household's evidence, when the household pass linked these two.
                household: m.household.as_ref().and_then(|household| {
                    let key = |r: RecordRef| inputs[r.source].table.record_id.get(r.row as usize);
                    let (left, right) = (key(ra)?, key(rb)?);
                    let decided = household.links.iter().any(|(l, r)| {
                        (l.as_str(), r.as_str()) == (left, right)
                            || (l.as_str(), r.as_str()) == (right, left)
                    });
                    let pair = if ra.source == index(&m.left)? {
                        (ra.row, rb.row)
                    } else {
                        (rb.row, ra.row)
                    };
                    decided.then(|| HouseholdLinks { weight: household.weight, pairs: vec![pair] })
                }),
                weights: Default::default(),
                threshold: m.threshold,
                times: Default::default(),
            };
            let explanation = censuslink_reconcile::explain_pair(&inputs, &link, ra, rb)?;
            let name = format!("{} ↔ {}", m.left, m.right.as_deref().unwrap_or(&m.left));
            Some((name, explanation))
        });
        let Some((link_name, explanation)) = found else {
            return Err(failure(
                format!(
                    "{} 中没有比对 {} 与 {} 的模型；用同一作业重新运行",
                    models_path.display(),
                    a.0,
                    b.0
                ),
                format!(
                    "{} has no model linking {} with {}; rerun the job",
                    models_path.display(),
                    a.0,
                    b.0
                ),
            ));
        };
        explained.push((
            format!("{}:{}", a.0, a.1),
            format!("{}:{}", b.0, b.1),
            link_name,
            explanation,
        ));
    }

    if args.json {
        let json: Vec<_> = explained
            .iter()
            .map(|(a, b, link, e)| json!({ "left": a, "right": b, "link": link, "explanation": e }))
            .collect();
        println!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(());
    }
    for (a, b, link, explanation) in &explained {
        print_explanation(a, b, link, explanation, lang);
    }
    Ok(())
}

fn print_explanation(a: &str, b: &str, link: &str, e: &Explanation, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    println!();
    println!("{a} ↔ {b}   ({} {link})", t("模型", "model"));
    println!(
        "{} {} {} {} {}",
        left(t("字段", "field"), 20),
        left(t("水平", "level"), 34),
        right(t("权重", "weight"), 8),
        right(t("词频调整", "tf adjust"), 10),
        right(t("累计", "running"), 8)
    );
    let signed = |x: f64| format!("{x:+.2}");
    println!(
        "{} {} {}",
        left(t("先验", "prior"), 20),
        left("", 34 + 1 + 8 + 1 + 10),
        right(&signed(e.prior_weight), 8)
    );
    let mut running = e.prior_weight;
    for field in &e.comparisons {
        running += field.weight + field.tf_adjustment;
        println!(
            "{} {} {} {} {}",
            left(field_name(&field.feature, lang), 20),
            left(&format!("{} ({})", field.label.text(lang), field.level), 34),
            right(&signed(field.weight), 8),
            right(&signed(field.tf_adjustment), 10),
            right(&signed(running), 8)
        );
    }
    println!(
        "{} {:+.2}   {} {:.6}",
        t("匹配权重", "match weight"),
        e.total,
        t("匹配概率", "match probability"),
        e.probability
    );
}
