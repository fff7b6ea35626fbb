//! A province's lists by county: a run whose census lies in several counties also writes each
//! county's candidates into `counties/<county code>/`, for that county's office. A candidate
//! is in the folder of every county it lies in: a person listed in two counties is a
//! duplicate candidate of both.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use censuslink_io::{Table, Values};
use censuslink_reconcile::{Input, Outcome, RecordRef};
use censuslink_standardize::region;

/// The lists a county's folder holds: those whose rows are candidates.
const LISTS: [&str; 5] = ["missing", "duplicates", "deceased", "births", "conflicts"];

/// Each county's rows of the candidate lists among `tables` (matched on `candidate_id`), for
/// the counties where the census counts residents; empty when there are fewer than two.
pub(crate) fn by_county(
    tables: &[(&'static str, Table)],
    outcome: &Outcome,
    inputs: &[Input<'_>],
) -> BTreeMap<String, Vec<(&'static str, Table)>> {
    let counties: BTreeSet<&str> = outcome
        .coverage
        .iter()
        .filter(|c| c.level == "county" && c.census > 0 && c.code.len() == 6)
        .map(|c| c.code.as_str())
        .collect();
    if counties.len() < 2 {
        return BTreeMap::new();
    }
    let placed = candidate_counties(outcome, inputs, &counties);
    let mut books: BTreeMap<String, Vec<(&'static str, Table)>> = BTreeMap::new();
    for (name, table) in tables.iter().filter(|(name, _)| LISTS.contains(name)) {
        let ids = table.columns.iter().find(|c| c.header == "candidate_id").map(|c| &c.values);
        let Some(Values::Text(ids)) = ids else { continue };
        let mut rows: BTreeMap<&str, Vec<usize>> =
            counties.iter().map(|&county| (county, Vec::new())).collect();
        for (row, id) in ids.iter().enumerate() {
            let of = id.as_deref().and_then(|id| placed.get(id));
            for county in of.into_iter().flatten() {
                if let Some(rows) = rows.get_mut(county.as_str()) {
                    rows.push(row);
                }
            }
        }
        for (county, rows) in rows {
            books.entry(county.to_owned()).or_default().push((name, table.take(&rows)));
        }
    }
    books
}

/// The counties each candidate lies in, by its ID: where its records are counted or placed
/// (the census area, else the finest place a register gives, else the census county an
/// address names).
fn candidate_counties(
    outcome: &Outcome,
    inputs: &[Input<'_>],
    census_counties: &BTreeSet<&str>,
) -> HashMap<String, Vec<String>> {
    let named: HashMap<&str, &str> = census_counties
        .iter()
        .filter_map(|&code| Some((region::region_name(region::parse_region(code)?)?, code)))
        .collect();
    let county = |r: RecordRef| {
        let coded = crate::tables::place(inputs, r).get(..6).map(str::to_owned);
        coded.or_else(|| {
            let (table, row) = (inputs[r.source].table, r.row as usize);
            let address = table.residence_address.get(row).or(table.hukou_address.get(row))?;
            named.get(region::address_county(address)?).map(|&code| code.to_owned())
        })
    };
    let of = |records: &mut dyn Iterator<Item = RecordRef>| {
        let counties: BTreeSet<String> = records.filter_map(county).collect();
        counties.into_iter().collect::<Vec<_>>()
    };
    let mut placed = HashMap::new();
    for m in &outcome.missing {
        let counties = match &m.area {
            Some(area) => vec![area.get(..6).unwrap_or(area).to_owned()],
            None => of(&mut m.records.iter().copied()),
        };
        placed.insert(m.id.clone(), counties);
    }
    for d in &outcome.duplicates {
        placed.insert(d.id.clone(), of(&mut d.records.iter().copied()));
    }
    for d in &outcome.deceased {
        placed.insert(d.id.clone(), of(&mut std::iter::once(d.census)));
    }
    for b in &outcome.births {
        placed.insert(b.id.clone(), of(&mut std::iter::once(b.record)));
    }
    for c in &outcome.conflicts {
        placed.insert(c.id.clone(), of(&mut std::iter::once(c.record)));
    }
    placed
}
