//! Source roles and the canonical person fields every source is mapped onto.

use std::fmt;
use std::str::FromStr;

/// A name that is not one of a closed set of names (a role, a field, a code); carries the
/// rejected name so that the job layer can say which one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName(pub String);

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown name `{}`", self.0)
    }
}

impl std::error::Error for UnknownName {}

/// What a source is to the census office: the census itself or one department's register; or,
/// to a linkage without census semantics (`censuslink link`, `dedupe`), person records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// The census person records (普查).
    Census,
    /// Police household registration (户籍).
    Hukou,
    /// Birth certificates (出生医学证明).
    Birth,
    /// Death records.
    Death,
    /// Student registry (学籍).
    School,
    /// Medical insurance enrolment (医保).
    Insurance,
    /// Person records of no role in a census: what a source without `role` is. Linked and
    /// deduplicated, never reconciled.
    Records,
}

impl Role {
    /// Every role of a census reconciliation, in the order reports list them.
    pub const ALL: [Role; 6] =
        [Role::Census, Role::Hukou, Role::Birth, Role::Death, Role::School, Role::Insurance];

    /// The name used in job files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Census => "census",
            Role::Hukou => "hukou",
            Role::Birth => "birth",
            Role::Death => "death",
            Role::School => "school",
            Role::Insurance => "insurance",
            Role::Records => "records",
        }
    }
}

impl FromStr for Role {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Role, UnknownName> {
        (Role::ALL.into_iter().chain([Role::Records]))
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownName(s.to_owned()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a field's raw text is turned into a standardized value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Kept as text after whitespace trimming (keys, addresses, area codes).
    Text,
    /// A person's name: normalised, split, read in pinyin.
    Name,
    /// A citizen ID number (GB 11643).
    IdNumber,
    /// A calendar date at day, month or year precision.
    Date,
    /// A statistical division code (GB/T 2260 and its 9- and 12-digit extensions).
    Region,
    /// A closed set of codes (sex, ethnicity, record type, ...), mappable per source.
    Code,
}

/// A canonical person field. Every source maps some of its columns onto these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// The source's own record key.
    RecordId,
    /// The person's name (姓名).
    Name,
    /// The person's other names: former names (曾用名), aliases; several per record.
    OtherNames,
    /// Sex (性别).
    Sex,
    /// Date of birth; the census records year and month only.
    BirthDate,
    /// Citizen ID number (公民身份号码), or a student number carrying one.
    IdNumber,
    /// Ethnicity (民族), GB 3304.
    Ethnicity,
    /// Region code of the hukou place (户籍地).
    HukouRegion,
    /// Address of the hukou place, as the source writes it.
    HukouAddress,
    /// Region code of the place of residence (现住地).
    ResidenceRegion,
    /// Address of the place of residence, as the source writes it.
    ResidenceAddress,
    /// Census enumeration area (普查小区) code.
    EnumerationArea,
    /// Household identifier (户编号), in the source's own numbering.
    HouseholdId,
    /// Relation to the head of household (与户主关系), census codes 0-9.
    Relation,
    /// Census record type: usual resident here, or registered here but living elsewhere.
    RecordType,
    /// The date of the event the source records (death, birth, enrolment, ...).
    EventDate,
    /// The mother's ID number (birth records).
    MotherId,
    /// The mother's name (birth records).
    MotherName,
    /// How a census record was collected: self-report online or by an enumerator.
    CollectionMode,
    /// A register entry's status (人员状态, 参保状态, 学籍状态).
    Status,
    /// The day the status took effect (注销日期, 终止日期).
    StatusDate,
}

impl Field {
    /// Every field, in output column order.
    pub const ALL: [Field; 21] = [
        Field::RecordId,
        Field::Name,
        Field::OtherNames,
        Field::Sex,
        Field::BirthDate,
        Field::IdNumber,
        Field::Ethnicity,
        Field::HukouRegion,
        Field::HukouAddress,
        Field::ResidenceRegion,
        Field::ResidenceAddress,
        Field::EnumerationArea,
        Field::HouseholdId,
        Field::Relation,
        Field::RecordType,
        Field::EventDate,
        Field::MotherId,
        Field::MotherName,
        Field::CollectionMode,
        Field::Status,
        Field::StatusDate,
    ];

    /// The name used in job files and output columns.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::RecordId => "record_id",
            Field::Name => "name",
            Field::OtherNames => "other_names",
            Field::Sex => "sex",
            Field::BirthDate => "birth_date",
            Field::IdNumber => "id_number",
            Field::Ethnicity => "ethnicity",
            Field::HukouRegion => "hukou_region",
            Field::HukouAddress => "hukou_address",
            Field::ResidenceRegion => "residence_region",
            Field::ResidenceAddress => "residence_address",
            Field::EnumerationArea => "enumeration_area",
            Field::HouseholdId => "household_id",
            Field::Relation => "relation",
            Field::RecordType => "record_type",
            Field::EventDate => "event_date",
            Field::MotherId => "mother_id",
            Field::MotherName => "mother_name",
            Field::CollectionMode => "collection_mode",
            Field::Status => "status",
            Field::StatusDate => "status_date",
        }
    }

    /// How the field's raw text is standardized.
    pub fn kind(self) -> FieldKind {
        match self {
            Field::RecordId
            | Field::HukouAddress
            | Field::ResidenceAddress
            | Field::EnumerationArea
            | Field::HouseholdId => FieldKind::Text,
            Field::Name | Field::OtherNames | Field::MotherName => FieldKind::Name,
            Field::IdNumber | Field::MotherId => FieldKind::IdNumber,
            Field::BirthDate | Field::EventDate | Field::StatusDate => FieldKind::Date,
            Field::HukouRegion | Field::ResidenceRegion => FieldKind::Region,
            Field::Sex
            | Field::Ethnicity
            | Field::Relation
            | Field::RecordType
            | Field::CollectionMode
            | Field::Status => FieldKind::Code,
        }
    }
}

impl FromStr for Field {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Field, UnknownName> {
        Field::ALL.into_iter().find(|f| f.as_str() == s).ok_or_else(|| UnknownName(s.to_owned()))
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use crate::{Field, Role};

    #[test]
    fn names_round_trip() {
        for field in Field::ALL {
            assert_eq!(field.as_str().parse::<Field>(), Ok(field));
        }
        for role in Role::ALL.into_iter().chain([Role::Records]) {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!("姓名".parse::<Field>().unwrap_err().0, "姓名");
    }
}
