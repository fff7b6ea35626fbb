//! Bad input, table-driven: each way a department's file arrives broken, and what loading it
//! gives: an error naming the file and its problem, or its rows with the damage counted as
//! row issues; never a panic, a hang or memory out of proportion to the file.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, ListArray, RecordBatch, StringArray,
    StructArray, TimestampSecondArray, types::Int32Type,
};
use arrow_ipc::CompressionType;
use arrow_ipc::writer::IpcWriteOptions;
use censuslink_io::{Error, LoadedSource, Problem};
use censuslink_model::{Field, IdStatus, IssueKind};
use parquet::arrow::ArrowWriter;
use parquet::basic::{BrotliLevel, Compression, GzipLevel, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::{Fixture, source_job, write_parquet};

/// What loading a case must give.
enum Expect {
    /// An error about the file, with this problem (a format reader's message aside).
    Error(Problem),
    /// This many rows, and these row issues counted: (field, kind, rows).
    Rows(usize, &'static [(Option<Field>, IssueKind, usize)]),
    /// This many rows, whose values the function checks.
    Values(usize, fn(&LoadedSource)),
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

/// Two rows of the header's columns as a typed batch.
fn two_rows() -> RecordBatch {
    RecordBatch::try_from_iter([
        ("编号", Arc::new(StringArray::from(vec!["1", "2"])) as ArrayRef),
        ("姓名", Arc::new(StringArray::from(vec!["张伟", "李娜"])) as ArrayRef),
        (
            "身份证号",
            Arc::new(StringArray::from(vec!["11010519491231002X", "110105198001010024"]))
                as ArrayRef,
        ),
        ("出生日期", Arc::new(StringArray::from(vec!["1949-12-31", "1980-01-01"])) as ArrayRef),
    ])
    .expect("a batch")
}

/// `batch` as Parquet compressed by `compression`.
fn compressed_parquet(batch: &RecordBatch, compression: Compression) -> Vec<u8> {
    let props = WriterProperties::builder().set_compression(compression).build();
    let mut bytes = Vec::new();
    let mut writer =
        ArrowWriter::try_new(&mut bytes, batch.schema(), Some(props)).expect("a writer");
    writer.write(batch).expect("written");
    writer.close().expect("closed");
    bytes
}

/// `batch` as an Arrow IPC file compressed by `compression`.
fn compressed_arrow(batch: &RecordBatch, compression: CompressionType) -> Vec<u8> {
    let options =
        IpcWriteOptions::default().try_with_compression(Some(compression)).expect("a codec");
    let mut bytes = Vec::new();
    let mut writer =
        arrow_ipc::writer::FileWriter::try_new_with_options(&mut bytes, &batch.schema(), options)
            .expect("a writer");
    writer.write(batch).expect("written");
    writer.finish().expect("finished");
    drop(writer);
    bytes
}

/// `two_rows` with a column added.
fn with_column(name: &str, column: ArrayRef) -> RecordBatch {
    let batch = two_rows();
    let mut columns: Vec<(String, ArrayRef)> = batch
        .schema()
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(f, c)| (f.name().clone(), Arc::clone(c)))
        .collect();
    columns.push((name.to_owned(), column));
    RecordBatch::try_from_iter(columns).expect("a batch")
}

/// Birth dates stored as instants: local midnights in Beijing written as UTC (16:00 the day
/// before; 15:00 under the summer time of 1986 to 1991).
fn utc_timestamps() -> Vec<u8> {
    let seconds = |date: &str, hour_utc: i64| {
        let date = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("a date");
        let days = date.signed_duration_since(chrono::NaiveDate::default()).num_days();
        (days - 1) * 86_400 + hour_utc * 3600
    };
    let born =
        TimestampSecondArray::from(vec![seconds("1949-12-31", 16), seconds("1988-07-01", 15)])
            .with_timezone("UTC");
    let batch = two_rows();
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("编号", Arc::clone(batch.column(0))),
        ("姓名", Arc::clone(batch.column(1))),
        ("身份证号", Arc::clone(batch.column(2))),
        ("出生日期", Arc::new(born)),
    ];
    parquet_bytes(&RecordBatch::try_from_iter(columns).expect("a batch"))
}

/// A valid ID number that a float64 holds exactly (a multiple of 16 near 1.1 × 10^17): a
/// float's rounding can make one, and it must not read as valid.
fn float_exact_valid_id() -> f64 {
    let id = (110_105_198_001_010_000u64..)
        .step_by(16)
        .find(|n| {
            censuslink_standardize::id::standardize_id(&n.to_string()).status == IdStatus::Valid
        })
        .expect("one in a few dozen");
    id as f64
}

fn float_ids() -> Vec<u8> {
    let ids = Float64Array::from(vec![float_exact_valid_id(), 1.10105198001010e17]);
    let batch = two_rows();
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("编号", Arc::clone(batch.column(0))),
        ("姓名", Arc::clone(batch.column(1))),
        ("身份证号", Arc::new(ids)),
        ("出生日期", Arc::clone(batch.column(3))),
    ];
    parquet_bytes(&RecordBatch::try_from_iter(columns).expect("a batch"))
}

fn cases() -> Vec<Case> {
    let xlsx = merged_and_formula_xlsx();
    let parquet = wrongly_typed_parquet();
    let truncated = |bytes: &[u8]| bytes[..bytes.len() / 2].to_vec();
    let format = |format: &'static str| Problem::Format { format, message: String::new() };
    let mut cases = text_file_cases();
    cases.extend([
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
        Case {
            name: "a parquet file with a schema and no rows",
            file: "a.parquet",
            bytes: parquet_bytes(&two_rows().slice(0, 0)),
            source: "",
            expect: Expect::Error(Problem::NoRows),
        },
        Case {
            name: "a workbook with a header and no rows",
            file: "a.xlsx",
            bytes: {
                let mut workbook = rust_xlsxwriter::Workbook::new();
                let sheet = workbook.add_worksheet();
                for (col, title) in ["编号", "姓名", "身份证号", "出生日期"].into_iter().enumerate()
                {
                    sheet.write_string(0, col as u16, title).expect("written");
                }
                workbook.save_to_buffer().expect("a workbook")
            },
            source: "",
            expect: Expect::Error(Problem::NoRows),
        },
        Case {
            name: "an unmapped struct column",
            file: "a.parquet",
            bytes: parquet_bytes(&with_column(
                "地址",
                Arc::new(StructArray::from(vec![(
                    Arc::new(arrow_schema::Field::new("省", arrow_schema::DataType::Utf8, true)),
                    Arc::new(StringArray::from(vec!["江苏", "江苏"])) as ArrayRef,
                )])),
            )),
            source: "",
            expect: Expect::Rows(2, &[]),
        },
        Case {
            name: "a mapped list column",
            file: "a.parquet",
            bytes: {
                let batch = two_rows();
                let list = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
                    Some(vec![Some(1)]),
                    None,
                ]);
                let columns: Vec<(&str, ArrayRef)> = vec![
                    ("编号", Arc::clone(batch.column(0))),
                    ("姓名", Arc::clone(batch.column(1))),
                    ("身份证号", Arc::clone(batch.column(2))),
                    ("出生日期", Arc::new(list)),
                ];
                parquet_bytes(&RecordBatch::try_from_iter(columns).expect("a batch"))
            },
            source: "",
            expect: Expect::Error(Problem::NestedColumn { column: "出生日期".into() }),
        },
        Case {
            name: "birth dates as UTC instants of local midnights",
            file: "a.parquet",
            bytes: utc_timestamps(),
            source: "",
            expect: Expect::Values(2, |loaded| {
                let born: Vec<String> =
                    loaded.table.birth_date.iter().flatten().map(ToString::to_string).collect();
                assert_eq!(born, ["1949-12-31", "1988-07-01"], "the local calendar day");
            }),
        },
        Case {
            name: "ID numbers that passed through a float64 column",
            file: "a.parquet",
            bytes: float_ids(),
            source: "",
            expect: Expect::Values(2, all_truncated),
        },
    ]);
    cases.extend(delimiter_codec_and_cell_cases());
    cases
}

/// Text files: empty, binary, truncated, badly encoded, oversized, with duplicate headers.
fn text_file_cases() -> Vec<Case> {
    vec![
        Case {
            name: "empty file",
            file: "a.csv",
            bytes: Vec::new(),
            source: "",
            expect: Expect::Error(Problem::Empty),
        },
        Case {
            name: "a header and nothing else is an error, as an empty file is",
            file: "a.csv",
            bytes: HEADER.into(),
            source: "",
            expect: Expect::Error(Problem::NoRows),
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
    ]
}

/// Two ID numbers a float column damaged, as it damages them.
fn all_truncated(loaded: &LoadedSource) {
    assert_eq!(loaded.table.id.status, [IdStatus::ExcelTruncated; 2], "float IDs are damaged");
}

/// A delimiter sniffed and one named, an Excel 97-2003 workbook, every codec a department's
/// Parquet or Arrow file may use, and ID numbers as numeric spreadsheet cells.
fn delimiter_codec_and_cell_cases() -> Vec<Case> {
    let compressed = |compression| compressed_parquet(&two_rows(), compression);
    let mut cases = vec![
        Case {
            name: "a quoted field full of semicolons does not fool the delimiter sniffer",
            file: "a.csv",
            bytes: format!("{HEADER}1,\"张;伟;;;;;\",11010519491231002X,1949-12-31\n{ROWS}")
                .into_bytes(),
            source: "",
            expect: Expect::Values(3, |loaded| {
                assert_eq!(loaded.table.id.status, [IdStatus::Valid; 3], "columns split on commas");
            }),
        },
        Case {
            name: "a delimiter the job names",
            file: "a.txt",
            bytes: csv("").iter().map(|&b| if b == b',' { b'|' } else { b }).collect(),
            source: "delimiter = \"|\"",
            expect: Expect::Values(2, |loaded| {
                assert_eq!(loaded.table.id.status, [IdStatus::Valid; 2], "columns split on |");
            }),
        },
        Case {
            name: "an Excel 97-2003 workbook with an ID number as a float cell",
            file: "a.xls",
            bytes: std::fs::read(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/people.xls"),
            )
            .expect("the fixture"),
            source: "",
            expect: Expect::Values(3, |loaded| {
                let status = &loaded.table.id.status;
                assert_eq!(status, &[IdStatus::Valid, IdStatus::Valid, IdStatus::ExcelTruncated]);
            }),
        },
    ];
    let parquet_codecs = [
        ("parquet compressed with zstd", Compression::ZSTD(ZstdLevel::default())),
        ("parquet compressed with gzip", Compression::GZIP(GzipLevel::default())),
        ("parquet compressed with lz4", Compression::LZ4_RAW),
        ("parquet compressed with brotli", Compression::BROTLI(BrotliLevel::default())),
    ];
    cases.extend(parquet_codecs.into_iter().map(|(name, codec)| Case {
        name,
        file: "a.parquet",
        bytes: compressed(codec),
        source: "",
        expect: Expect::Rows(2, &[]),
    }));
    let arrow_codecs = [
        ("arrow compressed with lz4", CompressionType::LZ4_FRAME),
        ("arrow compressed with zstd", CompressionType::ZSTD),
    ];
    cases.extend(arrow_codecs.into_iter().map(|(name, codec)| Case {
        name,
        file: "a.arrow",
        bytes: compressed_arrow(&two_rows(), codec),
        source: "",
        expect: Expect::Rows(2, &[]),
    }));
    cases.push(Case {
        name: "ID numbers as numeric spreadsheet cells",
        file: "a.xlsx",
        bytes: {
            let mut workbook = rust_xlsxwriter::Workbook::new();
            let sheet = workbook.add_worksheet();
            for (col, title) in ["编号", "姓名", "身份证号", "出生日期"].into_iter().enumerate()
            {
                sheet.write_string(0, col as u16, title).expect("written");
            }
            for (row, id) in [float_exact_valid_id(), 1.10105198001010e17].into_iter().enumerate() {
                let row = row as u32 + 1;
                sheet.write_number(row, 0, f64::from(row)).expect("written");
                sheet.write_string(row, 1, "张伟").expect("written");
                sheet.write_number(row, 2, id).expect("written");
            }
            workbook.save_to_buffer().expect("a workbook")
        },
        source: "",
        expect: Expect::Values(2, all_truncated),
    });
    cases
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
            (Ok(loaded), Expect::Values(rows, check)) => {
                assert_eq!(loaded.n_rows(), rows, "{}: rows", case.name);
                check(&loaded);
            }
            (Err(err), _) => panic!("{}: unexpected error {err}", case.name),
            (Ok(loaded), Expect::Error(_)) => {
                panic!("{}: expected an error, read {} rows", case.name, loaded.n_rows())
            }
        }
    }
}
