//! Worklists for field teams: per township, a sheet per enumeration area (or village, for
//! people the registers place no finer), the candidates to visit with what identifies them, in
//! the job's language (Chinese by default), ID numbers masked unless the job asks otherwise.

use std::collections::BTreeMap;

use censuslink_io::{Column, Lang, Table, Values};
use censuslink_model::PersonTable;

use censuslink_reconcile::{Input, Outcome, RecordRef};

/// An ID number as a worklist shows it: the first four and last four characters, the rest as
/// `*` (`5117**********123X`); shorter values are masked whole.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 12 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    chars[..4].iter().chain(std::iter::repeat_n(&'*', n - 8)).chain(&chars[n - 4..]).collect()
}

/// How worklists show ID numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdNumbers {
    /// Masked but the first and last four characters (the default: see [`mask_id`]).
    Masked,
    /// Whole, when the job asks for it (`mask_ids = false`).
    Shown,
}

/// One row of a worklist.
struct Row {
    kind: (&'static str, &'static str),
    id: String,
    /// A missing candidate's probability of residence, as shown; empty for others.
    probability: String,
    record: RecordRef,
    records: String,
}

/// The columns, in Chinese and in English.
const HEADERS: [(&str, &str); 11] = [
    ("类型", "kind"),
    ("候选编号", "candidate"),
    ("居住概率", "probability"),
    ("姓名", "name"),
    ("性别", "sex"),
    ("出生日期", "birth date"),
    ("公民身份号码", "ID number"),
    ("地址", "address"),
    ("记录", "records"),
    ("核查结果", "outcome"),
    ("备注", "note"),
];

/// The sheet (and workbook) of candidates placed nowhere.
const UNPLACED: (&str, &str) = ("未定位", "unplaced");

/// The worklists of `outcome`: township code → sheets (area or village code, table), in code
/// order, in `lang`. Missing, duplicate and deceased candidates; births and conflicts are
/// office work.
pub fn worklists(
    outcome: &Outcome,
    inputs: &[Input<'_>],
    ids: IdNumbers,
    lang: Lang,
) -> BTreeMap<String, Vec<(String, Table)>> {
    let table = |r: RecordRef| inputs[r.source].table;
    let named = |r: RecordRef| r.name(inputs);
    // Where to look: the census area, else the finest place a register gives.
    let place = |r: RecordRef| {
        let t = table(r);
        let row = r.row as usize;
        [&t.enumeration_area, &t.hukou_region, &t.residence_region]
            .iter()
            .find_map(|column| column.get(row).filter(|code| code.len() >= 9))
            .unwrap_or("")
            .to_owned()
    };
    let mut rows: Vec<(String, Row)> = Vec::new();
    for m in &outcome.missing {
        let record = *m
            .records
            .iter()
            .find(|&&r| table(r).name.full.get(r.row as usize).is_some())
            .unwrap_or(&m.records[0]);
        let spot = m
            .area
            .clone()
            .unwrap_or_else(|| m.records.iter().map(|&r| place(r)).max().unwrap_or_default());
        let records = m.records.iter().map(|&r| named(r)).collect::<Vec<_>>().join(";");
        rows.push((
            spot,
            Row {
                kind: ("漏登候选", "missing"),
                id: m.id.clone(),
                probability: format!("{:.2}", m.probability),
                record,
                records,
            },
        ));
    }
    for d in &outcome.duplicates {
        let records = d.records.iter().map(|&r| named(r)).collect::<Vec<_>>().join(";");
        for &record in &d.records {
            rows.push((
                place(record),
                Row {
                    kind: ("重复登记候选", "duplicate"),
                    id: d.id.clone(),
                    probability: String::new(),
                    record,
                    records: records.clone(),
                },
            ));
        }
    }
    for d in &outcome.deceased {
        let records = format!("{};{}", named(d.census), named(d.death));
        rows.push((
            place(d.census),
            Row {
                kind: ("死亡仍登记", "deceased"),
                id: d.id.clone(),
                probability: String::new(),
                record: d.census,
                records,
            },
        ));
    }

    let mut books: BTreeMap<String, BTreeMap<String, Vec<Row>>> = BTreeMap::new();
    for (spot, row) in rows {
        let unplaced = lang.pick(UNPLACED.0, UNPLACED.1);
        let township = spot.get(..9).unwrap_or(unplaced).to_owned();
        let sheet = if spot.is_empty() { unplaced.to_owned() } else { spot };
        books.entry(township).or_default().entry(sheet).or_default().push(row);
    }
    books
        .into_iter()
        .map(|(township, sheets)| {
            let sheets = sheets
                .into_iter()
                .map(|(name, rows)| (name, sheet_table(&rows, inputs, ids, lang)))
                .collect();
            (township, sheets)
        })
        .collect()
}

fn sheet_table(rows: &[Row], inputs: &[Input<'_>], ids: IdNumbers, lang: Lang) -> Table {
    let value = |row: &Row, column: usize| -> Option<String> {
        let t: &PersonTable = inputs[row.record.source].table;
        let i = row.record.row as usize;
        match column {
            0 => Some(lang.pick(row.kind.0, row.kind.1).to_owned()),
            1 => Some(row.id.clone()),
            2 => Some(row.probability.clone()).filter(|p| !p.is_empty()),
            3 => t.name.full.get(i).map(str::to_owned),
            4 => t.sex[i].map(|s| {
                let (zh, en) = match s {
                    censuslink_model::Sex::Male => ("男", "male"),
                    censuslink_model::Sex::Female => ("女", "female"),
                };
                lang.pick(zh, en).to_owned()
            }),
            5 => t.birth_date[i].map(|d| d.to_string()),
            6 => t.id.number.get(i).map(|id| match ids {
                IdNumbers::Masked => mask_id(id),
                IdNumbers::Shown => id.to_owned(),
            }),
            7 => t.residence_address.get(i).or(t.hukou_address.get(i)).map(str::to_owned),
            8 => Some(row.records.clone()),
            _ => None,
        }
    };
    Table {
        columns: HEADERS
            .iter()
            .enumerate()
            .map(|(c, &(zh, en))| Column {
                header: lang.pick(zh, en).to_owned(),
                values: Values::Text(rows.iter().map(|row| value(row, c)).collect()),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use crate::worklists::mask_id;

    #[test]
    fn ids_are_masked_but_their_ends() {
        assert_eq!(mask_id("51170219800101123X"), "5117**********123X");
        assert_eq!(mask_id("511702800101123"), "5117*******1123");
        assert_eq!(mask_id("123"), "***");
    }
}
