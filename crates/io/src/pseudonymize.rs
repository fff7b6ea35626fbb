//! Keyed pseudonymization of a job's extracts: each source read and standardized as a run
//! would, then written as a UTF-8 CSV whose ID numbers, names, household numbers and addresses
//! are keyed pseudonyms (see `censuslink_standardize::pseudonym`), beside a job that reads
//! them. Every other mapped field is written standardized; a source's extra fields and its
//! raw columns are not written.

use std::fmt::Write as _;
use std::path::Path;

use censuslink_model::{
    Field, IdColumns, IdStatus, NameColumns, OTHER_NAMES_SEPARATOR, OTHER_READINGS_SEPARATOR,
    PersonTable, Relation,
};
use censuslink_standardize::pseudonym::{PREFIX, TOKEN_LEN};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{Error, Job, load};

/// The office's pseudonymization key, ready to make tokens.
#[derive(Clone)]
pub struct Key(Hmac<Sha256>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

impl Key {
    /// The shortest key taken, in bytes: as many as the hash gives.
    pub const MIN_LEN: usize = 32;

    /// A key from its bytes (trailing whitespace, a file's last newline, dropped); `None` when
    /// fewer than [`Key::MIN_LEN`] bytes are left.
    pub fn new(bytes: &[u8]) -> Option<Key> {
        let end = bytes.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |at| at + 1);
        let bytes = &bytes[..end];
        (bytes.len() >= Key::MIN_LEN)
            .then(|| Key(Hmac::new_from_slice(bytes).expect("HMAC takes a key of any length")))
    }

    /// The token of `value` among values of `domain` (`id`, `name`, ...): the first 128 bits
    /// of HMAC-SHA-256(key, domain ‖ 0 ‖ value), in hex after the prefix.
    pub fn token(&self, domain: &str, value: &str) -> String {
        let mut mac = self.0.clone();
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut token = String::with_capacity(TOKEN_LEN);
        token.push_str(PREFIX);
        for byte in &digest[..16] {
            write!(token, "{byte:02x}").expect("a String takes any text");
        }
        token
    }
}

/// What one source became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pseudonymized {
    /// The source's name.
    pub source: String,
    /// Rows read and written.
    pub rows: usize,
}

/// Writes `job`'s sources pseudonymized under `key` into the folder `out` (which must exist),
/// one `<source>.csv` each, and `job.toml` reading them.
pub fn pseudonymize(job: &Job, key: &Key, out: &Path) -> Result<Vec<Pseudonymized>, Error> {
    let mut job_text = format!(
        "# Pseudonymized by censuslink from {}: ID numbers, names, household numbers and\n\
         # addresses are keyed pseudonyms; the other fields are as standardized.\n\
         reference_moment = \"{}\"\nlang = \"{}\"\nmask_ids = {}\n",
        job.path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        job.reference_date,
        job.lang.as_str(),
        job.mask_ids
    );
    let mut done = Vec::with_capacity(job.sources.len());
    for source in &job.sources {
        let loaded = load(source, &job.path)?;
        // Every mapped field in field order, the record key apart (it comes first).
        let fields: Vec<Field> = Field::ALL
            .into_iter()
            .filter(|&f| f != Field::RecordId && source.fields.contains_key(&f))
            .collect();
        let file = format!("{}.csv", source.name);
        let path = out.join(&file);
        let cannot = |err: Box<dyn std::error::Error + Send + Sync>| Error::Write {
            path: path.clone(),
            source: err,
        };
        let mut writer = csv::Writer::from_path(&path).map_err(|err| cannot(err.into()))?;
        let header = std::iter::once("record_key").chain(fields.iter().map(|f| f.as_str()));
        writer.write_record(header).map_err(|err| cannot(err.into()))?;
        let table = &loaded.table;
        let mut cells: Vec<String> = Vec::with_capacity(fields.len() + 1);
        for row in 0..table.len() {
            cells.clear();
            cells.push(table.record_id.get(row).unwrap_or("").to_owned());
            cells.extend(fields.iter().map(|&f| cell(table, row, f, key).unwrap_or_default()));
            writer.write_record(&cells).map_err(|err| cannot(err.into()))?;
        }
        writer.flush().map_err(|err| cannot(err.into()))?;
        write!(
            job_text,
            "\n[[source]]\nname = \"{}\"\nrole = \"{}\"\npath = \"{file}\"\nformat = \"csv\"\n\
             encoding = \"utf-8\"\nkey = \"record_key\"\nmissing = [\"\"]\n[source.fields]\n",
            source.name,
            source.role.as_str()
        )
        .expect("a String takes any text");
        for field in &fields {
            writeln!(job_text, "{field} = \"{field}\"").expect("a String takes any text");
        }
        done.push(Pseudonymized { source: source.name.clone(), rows: table.len() });
    }
    let path = out.join("job.toml");
    std::fs::write(&path, job_text).map_err(|err| Error::Write { path, source: err.into() })?;
    Ok(done)
}

/// Row `row`'s value of `field`, pseudonymized where it identifies someone.
fn cell(table: &PersonTable, row: usize, field: Field, key: &Key) -> Option<String> {
    let shown = |value: Option<&dyn std::fmt::Display>| value.map(|v| v.to_string());
    match field {
        Field::Name => name(&table.name, row, key),
        Field::MotherName => name(&table.mother_name, row, key),
        Field::OtherNames => other_names(&table.other_names, row, key),
        Field::IdNumber => id(&table.id, row, key),
        Field::MotherId => id(&table.mother_id, row, key),
        Field::HukouAddress => table.hukou_address.get(row).map(|a| key.token("address", a)),
        Field::ResidenceAddress => {
            table.residence_address.get(row).map(|a| key.token("address", a))
        }
        Field::HouseholdId => table.household_id.get(row).map(|h| key.token("household", h)),
        Field::Sex => shown(table.sex[row].as_ref().map(|v| v as _)),
        Field::BirthDate => shown(table.birth_date[row].as_ref().map(|v| v as _)),
        Field::EventDate => shown(table.event_date[row].as_ref().map(|v| v as _)),
        Field::Ethnicity => shown(table.ethnicity[row].as_ref().map(|v| v as _)),
        Field::RecordType => shown(table.record_type[row].as_ref().map(|v| v as _)),
        Field::CollectionMode => shown(table.collection_mode[row].as_ref().map(|v| v as _)),
        Field::Status => shown(table.status[row].as_ref().map(|v| v as _)),
        Field::StatusDate => shown(table.status_date[row].as_ref().map(|v| v as _)),
        // By its code, which the reader takes back (its name is English).
        Field::Relation => table.relation[row]
            .and_then(|r| Relation::ALL.iter().position(|&x| x == r))
            .map(|code| format!("{code:02}")),
        Field::HukouRegion => table.hukou_region.get(row).map(str::to_owned),
        Field::ResidenceRegion => table.residence_region.get(row).map(str::to_owned),
        Field::EnumerationArea => table.enumeration_area.get(row).map(str::to_owned),
        Field::RecordId => table.record_id.get(row).map(str::to_owned),
    }
}

/// A name's tokens: its characters', its primary reading's and, when it has a surname, the
/// surname's reading's (its first syllables, one per character of the surname).
fn name(columns: &NameColumns, row: usize, key: &Key) -> Option<String> {
    let full = columns.full.get(row)?;
    let reading = columns.pinyin.get(row).unwrap_or("");
    Some(name_tokens(full, reading, columns.surname.get(row).unwrap_or(""), key))
}

/// Each of a record's other names as [`name`]'s tokens, joined as the names are.
fn other_names(columns: &NameColumns, row: usize, key: &Key) -> Option<String> {
    let full = columns.full.get(row)?;
    let readings = columns.pinyin.get(row).unwrap_or("");
    let surnames = columns.surname.get(row).unwrap_or("");
    let (mut readings, mut surnames) =
        (readings.split(OTHER_READINGS_SEPARATOR), surnames.split(OTHER_NAMES_SEPARATOR));
    let tokens: Vec<String> = full
        .split(OTHER_NAMES_SEPARATOR)
        .map(|full| {
            let (reading, surname) = (readings.next().unwrap_or(""), surnames.next().unwrap_or(""));
            name_tokens(full, reading, surname, key)
        })
        .collect();
    Some(tokens.join(&OTHER_NAMES_SEPARATOR.to_string()))
}

/// The tokens of a name `full` read `reading` whose surname is `surname`.
fn name_tokens(full: &str, reading: &str, surname: &str, key: &Key) -> String {
    let mut tokens = format!("{} {}", key.token("name", full), key.token("pinyin", reading));
    let n_surname = surname.chars().count();
    if n_surname > 0 {
        let end = reading.match_indices(' ').nth(n_surname - 1).map_or(reading.len(), |(at, _)| at);
        tokens.push(' ');
        tokens.push_str(&key.token("surname", &reading[..end]));
    }
    tokens
}

/// An ID number's token, for a number that can be compared (an 18-character one, valid or
/// not); none for a missing, truncated, temporary or malformed one.
fn id(columns: &IdColumns, row: usize, key: &Key) -> Option<String> {
    let comparable = !matches!(
        columns.status[row],
        IdStatus::Missing
            | IdStatus::ExcelTruncated
            | IdStatus::TemporaryNumber
            | IdStatus::Malformed
    );
    let number = columns.number.get(row).filter(|_| comparable)?;
    Some(match columns.status[row] {
        IdStatus::Pseudonym => number.to_owned(),
        _ => key.token("id", number),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_hmac_sha_256_under_the_key() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?"; a key that
        // short is refused by `Key::new`, so it is built directly here.
        let key = Key(Hmac::new_from_slice(b"Jefe").expect("any length"));
        let mut mac = key.0.clone();
        mac.update(b"what do ya want for nothing?");
        let digest: Vec<String> =
            mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            digest.concat(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // A token: the domain, a zero byte and the value, under the key; 128 bits shown.
        let (domain, value) = ("what do ya want", " for nothing?");
        let key = Key::new(&[7u8; 32]).expect("32 bytes");
        let token = key.token(domain, value);
        assert_eq!(token.len(), TOKEN_LEN);
        assert!(censuslink_standardize::pseudonym::is_token(&token));
        assert_eq!(token, key.token(domain, value), "the same value, the same token");
        assert_ne!(token, key.token("id", value), "domains apart");
        assert_ne!(token, Key::new(&[8u8; 32]).expect("32 bytes").token(domain, value));
    }

    #[test]
    fn a_short_key_is_refused() {
        assert!(Key::new(&[1u8; 31]).is_none());
        assert!(Key::new(b"0123456789abcdef0123456789abcdef\n").is_some());
        assert!(Key::new(b"0123456789abcdef0123456789abcde\n\n").is_none());
    }
}
