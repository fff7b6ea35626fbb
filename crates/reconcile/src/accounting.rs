//! Row accounting: every row a source's file gave is linked, unlinked or rejected, and
//! nothing else; each count made apart, so that a row lost or counted twice shows.

use censuslink_model::Lang;

use crate::pipeline::{Input, Link};

/// One source's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RowAccount {
    /// Data rows the file gave (the reader's count).
    pub read: usize,
    /// Usable rows in at least one link.
    pub linked: usize,
    /// Usable rows in no link.
    pub unlinked: usize,
    /// Rows that cannot be linked (no name and no ID number, say).
    pub rejected: usize,
}

/// A row accounting that does not add up: a bug, and the run fails rather than hand on lists
/// that may have lost someone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountingError {
    /// The table holds more or fewer rows than the file gave.
    #[error("source {name}: {read} rows read, {held} held")]
    RowsLost {
        /// The source's name.
        name: String,
        /// Rows the reader gave.
        read: usize,
        /// Rows linked, unlinked and rejected.
        held: usize,
    },
    /// A rejected row is in a link, or a link names a row the source does not have.
    #[error("source {name}: a link names a rejected or absent row")]
    BadLink {
        /// The source's name.
        name: String,
    },
}

impl AccountingError {
    /// The error as one line in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (AccountingError::RowsLost { name, read, held }, Lang::Zh) => format!(
                "数据源 {name}：读入 {read} 行，核算只有 {held} 行（程序错误，请报告；本次结果未写出）"
            ),
            (AccountingError::BadLink { name }, Lang::Zh) => format!(
                "数据源 {name}：有比对指向被拒绝或不存在的行（程序错误，请报告；本次结果未写出）"
            ),
            (err, Lang::En) => format!("{err} (a bug: please report it; no output was written)"),
        }
    }
}

/// Each source's rows counted as linked, unlinked or rejected, checked against `rows_read`
/// (one per input, from the reader).
pub fn account(
    inputs: &[Input<'_>],
    links: &[Link],
    rows_read: &[usize],
) -> Result<Vec<RowAccount>, AccountingError> {
    let mut linked: Vec<Vec<bool>> = inputs.iter().map(|i| vec![false; i.table.len()]).collect();
    for link in links {
        for r in [link.left, link.right] {
            let usable =
                inputs[r.source].table.rejected.get(r.row as usize).is_some_and(Option::is_none);
            if !usable {
                return Err(AccountingError::BadLink { name: inputs[r.source].name.to_owned() });
            }
            linked[r.source][r.row as usize] = true;
        }
    }
    inputs
        .iter()
        .zip(&linked)
        .zip(rows_read)
        .map(|((input, linked), &read)| {
            let table = input.table;
            let mut account = RowAccount { read, linked: 0, unlinked: 0, rejected: 0 };
            for (row, &is_linked) in linked.iter().enumerate() {
                match (table.rejected[row].is_some(), is_linked) {
                    (true, _) => account.rejected += 1,
                    (false, true) => account.linked += 1,
                    (false, false) => account.unlinked += 1,
                }
            }
            let held = account.linked + account.unlinked + account.rejected;
            if held != read {
                return Err(AccountingError::RowsLost { name: input.name.to_owned(), read, held });
            }
            Ok(account)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use censuslink_model::{PersonTable, RejectReason, Role};

    use super::*;
    use crate::pipeline::RecordRef;

    fn table(n: usize, rejected: &[usize]) -> PersonTable {
        let mut table = PersonTable::default();
        for row in 0..n {
            table.row.push(row as u64 + 1);
            table.fill_to(row + 1);
        }
        for &row in rejected {
            table.rejected[row] = Some(RejectReason::NoNameNoId);
        }
        table
    }

    fn link(left: (usize, u32), right: (usize, u32)) -> Link {
        Link {
            left: RecordRef { source: left.0, row: left.1 },
            right: RecordRef { source: right.0, row: right.1 },
            weight: 10.0,
        }
    }

    #[test]
    fn rows_are_counted_linked_unlinked_or_rejected_and_a_lost_row_fails() {
        let (census, hukou) = (table(4, &[3]), table(3, &[]));
        let inputs = [
            Input { name: "census", role: Role::Census, table: &census },
            Input { name: "hukou", role: Role::Hukou, table: &hukou },
        ];
        // Census row 0 linked twice (to two hukou rows) counts once.
        let links = [link((0, 0), (1, 0)), link((0, 0), (1, 2)), link((0, 1), (1, 1))];
        let accounts = account(&inputs, &links, &[4, 3]).expect("adds up");
        assert_eq!(accounts[0], RowAccount { read: 4, linked: 2, unlinked: 1, rejected: 1 });
        assert_eq!(accounts[1], RowAccount { read: 3, linked: 3, unlinked: 0, rejected: 0 });
        // The reader gave a row the table does not hold.
        let err = account(&inputs, &links, &[5, 3]).expect_err("a row lost");
        assert_eq!(err, AccountingError::RowsLost { name: "census".into(), read: 5, held: 4 });
        assert!(err.message(Lang::Zh).contains("读入 5 行"));
        // A link to a rejected row, and one past the table.
        for bad in [link((0, 3), (1, 0)), link((0, 0), (1, 7))] {
            let err = account(&inputs, &[bad], &[4, 3]).expect_err("a bad link");
            assert!(matches!(err, AccountingError::BadLink { .. }));
        }
    }
}
