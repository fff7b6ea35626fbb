//! Bad input, table-driven: each way a department's file arrives broken, and what loading it
//! gives: an error naming the file and its problem, or its rows with the damage counted as
//! row issues; never a panic, a hang or memory out of proportion to the file.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, ListArray, RecordBatch, types::Int32Type,
};
use censuslink_io::{Error, Problem};
use censuslink_model::{Field, IdStatus, IssueKind};

use crate::{Fixture, source_job, write_parquet};

/// What loading a case must give.
enum Expect {
    /// An error about the file, with this problem (a format reader's message aside).
    Error(Problem),
    /// This many rows, and these row issues counted: (field, kind, rows).
    Rows(usize, &'static [(Option<Field>, IssueKind, usize)]),
}

struct Case {
    name: &'static str,
    file: &'static str,
    bytes: Vec<u8>,
    /// Keys of the source besides its path (an encoding, say).
    source: &'static str,
    expect: Expect,
}

const HEADER: &str = "编号,姓名,身份证号,出生日期\n";
const ROWS: &str = "1,张伟,11010519491231002X,1949-12-31\n2,李娜,110105198001010024,1980-01-01\n";
const FIELDS: &str = "name = \"姓名\"\nid_number = \"身份证号\"\nbirth_date = \"出生日期\"";

fn csv(rows: &str) -> Vec<u8> {
    format!("{HEADER}{ROWS}{rows}").into_bytes()
}

fn parquet_bytes(batch: &RecordBatch) -> Vec<u8> {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("t.parquet");
    write_parquet(&path, batch);
    std::fs::read(path).expect("written")
}

/// A parquet file whose columns are not text: numbers for the name, floats for the ID (as a
/// spreadsheet keeps them), booleans for the birth date, and a list nobody mapped.
fn wrongly_typed_parquet() -> Vec<u8> {
    let batch = RecordBatch::try_from_iter([
        ("编号", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
        ("姓名", Arc::new(Int64Array::from(vec![Some(42), None, Some(7)])) as ArrayRef),
        ("身份证号", Arc::new(Float64Array::from(vec![3.20102199001011e17, 1.5, 0.0])) as ArrayRef),
        ("出生日期", Arc::new(BooleanArray::from(vec![true, false, true])) as ArrayRef),
        (
            "标签",
            Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
                Some(vec![Some(1)]),
                None,
                Some(vec![]),
            ])) as ArrayRef,
        ),
    ])
    .expect("a batch");
    parquet_bytes(&batch)
}

/// A workbook with a name merged over two rows, a name and an ID written as formulas (with
/// and without a cached result), and a formula that failed.
fn merged_and_formula_xlsx() -> Vec<u8> {
    use rust_xlsxwriter::{Format, Formula, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, title) in ["编号", "姓名", "身份证号", "出生日期"].into_iter().enumerate()
    {
        sheet.write_string(0, col as u16, title).expect("written");
    }
    for row in 1..=4u32 {
        sheet.write_number(row, 0, f64::from(row)).expect("written");
    }
    sheet.merge_range(1, 1, 2, 1, "张伟", &Format::new()).expect("merged");
    sheet.write_string(1, 2, "11010519491231002X").expect("written");
    sheet.write_string(2, 2, "110105198001010024").expect("written");
    sheet.write_formula(3, 1, Formula::new("=\"李\"&\"娜\"").set_result("李娜")).expect("written");
    sheet.write_formula(3, 2, "=A4*2").expect("written");
    sheet.write_formula(4, 1, Formula::new("=1/0").set_result("#DIV/0!")).expect("written");
    sheet.write_string(4, 2, "110105199002020042").expect("written");
    for row in 1..=4u32 {
        sheet.write_string(row, 3, "1990-02-02").expect("written");
    }
    workbook.save_to_buffer().expect("a workbook")
}

fn cases() -> Vec<Case> {
    let xlsx = merged_and_formula_xlsx();
    let parquet = wrongly_typed_parquet();
    let truncated = |bytes: &[u8]| bytes[..bytes.len() / 2].to_vec();
    let format = |format: &'static str| Problem::Format { format, message: String::new() };
    vec![
        Case {
            name: "empty file",
            file: "a.csv",
            bytes: Vec::new(),
            source: "",
            expect: Expect::Error(Problem::Empty),
        },
        Case {
            name: "a header and nothing else is a file of no rows",
            file: "a.csv",
            bytes: HEADER.into(),
            source: "",
            expect: Expect::Rows(0, &[]),
        },
        Case {
            name: "binary garbage",
            file: "a.csv",
            bytes: (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect(),
            source: "",
            expect: Expect::Error(Problem::Binary),
        },
        Case {
            name: "truncated inside a quoted field",
            file: "a.csv",
            bytes: csv("3,\"王"),
            source: "",
            expect: Expect::Rows(3, &[(None, IssueKind::WrongFieldCount, 1)]),
        },
        Case {
            name: "invalid UTF-8 in a UTF-8 file",
            file: "a.csv",
            bytes: [csv(""), b"3,\xE5\xBC\xFF\xFE,110105199002020042,1990-02-02\n".to_vec()]
                .concat(),
            source: "encoding = \"utf-8\"",
            expect: Expect::Rows(
                3,
                &[(None, IssueKind::BadEncoding, 1), (Some(Field::Name), IssueKind::NotAName, 1)],
            ),
        },
        Case {
            name: "a GBK file declared UTF-8",
            file: "a.csv",
            bytes: encoding_rs::GBK.encode(&format!("{HEADER}{ROWS}")).0.into_owned(),
            source: "encoding = \"utf-8\"",
            expect: Expect::Error(Problem::Encoding { declared: "utf-8", detected: "gb18030" }),
        },
        Case {
            name: "a 10 MB field",
            file: "a.csv",
            bytes: csv(&format!("3,{},110105199002020042,1990-02-02\n", "张".repeat(3_500_000))),
            source: "",
            expect: Expect::Rows(3, &[(Some(Field::Name), IssueKind::TooLong, 1)]),
        },
        Case {
            name: "duplicate headers",
            file: "a.csv",
            bytes: "编号,姓名,姓名,身份证号,出生日期\n1,张伟,张伟,11010519491231002X,1949\n".into(),
            source: "",
            expect: Expect::Error(Problem::DuplicateColumn { column: "姓名".into() }),
        },
        Case {
            name: "truncated parquet",
            file: "a.parquet",
            bytes: truncated(&parquet),
            source: "",
            expect: Expect::Error(format("parquet")),
        },
        Case {
            name: "parquet with the wrong types",
            file: "a.parquet",
            bytes: parquet,
            source: "",
            expect: Expect::Rows(
                3,
                &[
                    (Some(Field::Name), IssueKind::NotAName, 2),
                    (Some(Field::BirthDate), IssueKind::DateUnparseable, 3),
                    // A float keeps 15 significant digits of an ID number, not 18.
                    (Some(Field::IdNumber), IssueKind::Id(IdStatus::ExcelTruncated), 1),
                    (Some(Field::IdNumber), IssueKind::Id(IdStatus::Malformed), 2),
                ],
            ),
        },
        Case {
            name: "truncated xlsx",
            file: "a.xlsx",
            bytes: truncated(&xlsx),
            source: "",
            expect: Expect::Error(format("xlsx")),
        },
        Case {
            name: "xlsx with merged and formula cells",
            file: "a.xlsx",
            bytes: xlsx,
            source: "",
            expect: Expect::Rows(
                4,
                &[
                    (Some(Field::IdNumber), IssueKind::Id(IdStatus::Malformed), 1),
                    (None, IssueKind::SpreadsheetError, 1),
                ],
            ),
        },
    ]
}

#[test]
fn bad_input_gives_an_error_or_counted_row_issues() {
    for case in cases() {
        let fixture = Fixture::new();
        fixture.file(case.file, &case.bytes);
        let result = fixture.load(&source_job(case.file, case.source, FIELDS));
        match (result, case.expect) {
            (Err(Error::Malformed { path, problem }), Expect::Error(expected)) => {
                assert!(path.ends_with(case.file), "{}: names the file", case.name);
                match (&problem, &expected) {
                    (Problem::Format { format, .. }, Problem::Format { format: wanted, .. }) => {
                        assert_eq!(format, wanted, "{}", case.name);
                    }
                    _ => assert_eq!(problem, expected, "{}", case.name),
                }
            }
            (Ok(loaded), Expect::Rows(rows, issues)) => {
                assert_eq!(loaded.n_rows(), rows, "{}: rows", case.name);
                assert_eq!(loaded.rows_read, rows, "{}: rows read", case.name);
                let mut counted: Vec<(Option<Field>, IssueKind, usize)> = Vec::new();
                for issue in &loaded.issues {
                    match counted.iter_mut().find(|(f, k, _)| *f == issue.field && *k == issue.kind)
                    {
                        Some(entry) => entry.2 += 1,
                        None => counted.push((issue.field, issue.kind, 1)),
                    }
                }
                counted.sort();
                let mut expected = issues.to_vec();
                expected.sort();
                assert_eq!(counted, expected, "{}: row issues", case.name);
            }
            (Err(err), _) => panic!("{}: unexpected error {err}", case.name),
            (Ok(loaded), Expect::Error(_)) => {
                panic!("{}: expected an error, read {} rows", case.name, loaded.n_rows())
            }
        }
    }
}
