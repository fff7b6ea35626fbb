//! Standardized values of coded fields and dates.

use std::fmt;
use std::str::FromStr;

use crate::UnknownName;

/// Generates the canonical-name conversions of a closed code set.
macro_rules! code_names {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in code order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The canonical name used in job files and outputs.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
        }

        impl FromStr for $ty {
            type Err = UnknownName;

            fn from_str(s: &str) -> Result<$ty, UnknownName> {
                $ty::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| UnknownName(s.to_owned()))
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Sex as registered. Unknown sex is `Option::None`, never a third value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sex {
    /// 男; odd ID sequence number.
    Male,
    /// 女; even ID sequence number.
    Female,
}

code_names!(Sex { Male => "male", Female => "female" });

/// The type of a census person record (DOMAIN §4: who is enumerated in each area).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordType {
    /// Lived in the enumeration area on the night before the reference moment.
    Resident,
    /// Hukou in the area but living elsewhere: the legitimate second listing.
    RegisteredAway,
}

code_names!(RecordType { Resident => "resident", RegisteredAway => "registered_away" });

/// How a census record was collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CollectionMode {
    /// Self-report online (自主填报).
    SelfReport,
    /// Entered by an enumerator (普查员).
    Enumerator,
}

code_names!(CollectionMode { SelfReport => "self_report", Enumerator => "enumerator" });

/// A register entry's status as its department keeps it: whether the entry is live, and if
/// not, why. Hukou `人员状态`, insurance `参保状态`, school `学籍状态`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegisterStatus {
    /// A live entry: hukou 正常, insurance 参保缴费, school 在籍.
    Active,
    /// Hukou cancelled on death (死亡注销).
    DeathCancelled,
    /// Hukou cancelled on moving out (迁出注销).
    MovedOut,
    /// Hukou cancelled for another reason (出国注销, 参军注销, 注销).
    Cancelled,
    /// Insurance contributions suspended (暂停缴费, 中断缴费): often a person insured here who
    /// lives elsewhere.
    Suspended,
    /// Insurance ended (终止参保).
    Ended,
    /// School: transferred out (转出).
    TransferredOut,
    /// School: on leave (休学).
    OnLeave,
    /// School: graduated (毕业).
    Graduated,
}

code_names!(RegisterStatus {
    Active => "active",
    DeathCancelled => "death_cancelled",
    MovedOut => "moved_out",
    Cancelled => "cancelled",
    Suspended => "suspended",
    Ended => "ended",
    TransferredOut => "transferred_out",
    OnLeave => "on_leave",
    Graduated => "graduated",
});

impl RegisterStatus {
    /// Whether the entry was closed: a hukou cancelled, an insurance ended, a pupil gone. A
    /// closed entry dated before the census moment says the person had left the register by
    /// then.
    pub fn is_closed(self) -> bool {
        !matches!(
            self,
            RegisterStatus::Active | RegisterStatus::Suspended | RegisterStatus::OnLeave
        )
    }
}

/// Relation to the head of household, with the census short form's codes (item D2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Relation {
    /// 0 户主.
    Head,
    /// 1 配偶.
    Spouse,
    /// 2 子女.
    Child,
    /// 3 父母.
    Parent,
    /// 4 岳父母或公婆.
    ParentInLaw,
    /// 5 祖父母.
    Grandparent,
    /// 6 媳婿.
    ChildInLaw,
    /// 7 孙子女.
    Grandchild,
    /// 8 兄弟姐妹.
    Sibling,
    /// 9 其他.
    Other,
}

code_names!(Relation {
    Head => "head",
    Spouse => "spouse",
    Child => "child",
    Parent => "parent",
    ParentInLaw => "parent_in_law",
    Grandparent => "grandparent",
    ChildInLaw => "child_in_law",
    Grandchild => "grandchild",
    Sibling => "sibling",
    Other => "other",
});

impl Relation {
    /// The census short-form code, 0 to 9.
    pub fn census_code(self) -> u8 {
        Relation::ALL.iter().position(|&r| r == self).expect("every variant is in ALL") as u8
    }
}

/// Ethnicity as its GB 3304 code: 1 to 56 for the 56 recognised groups, 97 for other
/// unrecognised groups, 98 for naturalised people of foreign origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ethnicity(u8);

impl Ethnicity {
    /// Han (汉族), code 01.
    pub const HAN: Ethnicity = Ethnicity(1);

    /// The ethnicity with this GB 3304 code, if the code exists.
    pub fn new(code: u8) -> Option<Ethnicity> {
        matches!(code, 1..=56 | 97 | 98).then_some(Ethnicity(code))
    }

    /// The GB 3304 code.
    pub fn code(self) -> u8 {
        self.0
    }
}

impl fmt::Display for Ethnicity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

/// How much of a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DatePrecision {
    /// Year only.
    Year,
    /// Year and month (the census's 出生年月).
    Month,
    /// Year, month and day.
    Day,
}

/// A proleptic Gregorian date known to day, month or year precision.
///
/// Invariant: `year` is in 1000..=2100 (written with four digits); `month` is 0 (unknown) or 1..=12; `day` is 0 (unknown)
/// or a day that exists in that month; a known day implies a known month. Ordering is
/// chronological, with an unknown part sorting before every known one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    year: u16,
    month: u8,
    day: u8,
}

impl PartialDate {
    /// Earliest year accepted: the first written with four digits. A job narrows the range to
    /// what its records can hold (1800 on for people alive or recently dead).
    pub const MIN_YEAR: u16 = 1000;
    /// Latest year accepted.
    pub const MAX_YEAR: u16 = 2100;

    /// A date; `month` and `day` may be 0 for unknown. `None` when the date does not exist
    /// (February 30th, month 13, a day without a month, a year outside 1000..=2100).
    pub fn new(year: u16, month: u8, day: u8) -> Option<PartialDate> {
        let is_valid = (PartialDate::MIN_YEAR..=PartialDate::MAX_YEAR).contains(&year)
            && month <= 12
            && (day == 0 || (month != 0 && day <= days_in_month(year, month)));
        is_valid.then_some(PartialDate { year, month, day })
    }

    /// The date packed as the integer `yyyymmdd`, with unknown parts as zeros.
    pub fn to_yyyymmdd(self) -> u32 {
        u32::from(self.year) * 10_000 + u32::from(self.month) * 100 + u32::from(self.day)
    }

    /// The inverse of [`PartialDate::to_yyyymmdd`].
    pub fn from_yyyymmdd(packed: u32) -> Option<PartialDate> {
        let year = u16::try_from(packed / 10_000).ok()?;
        PartialDate::new(year, (packed / 100 % 100) as u8, (packed % 100) as u8)
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1..=12, if known.
    pub fn month(self) -> Option<u8> {
        (self.month != 0).then_some(self.month)
    }

    /// The day of the month, if known.
    pub fn day(self) -> Option<u8> {
        (self.day != 0).then_some(self.day)
    }

    /// How much of the date is known.
    pub fn precision(self) -> DatePrecision {
        match (self.month, self.day) {
            (0, _) => DatePrecision::Year,
            (_, 0) => DatePrecision::Month,
            _ => DatePrecision::Day,
        }
    }

    /// Days since 1970-01-01 of the first known day (the 1st of the month or of January when
    /// those are unknown); the Arrow `Date32` representation.
    pub fn to_days_since_epoch(self) -> i32 {
        // Howard Hinnant's days_from_civil.
        let (month, day) = (self.month.max(1) as i32, self.day.max(1) as i32);
        let year = self.year as i32 - i32::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The day-precision date `days` after 1970-01-01, if its year is in range.
    pub fn from_days_since_epoch(days: i32) -> Option<PartialDate> {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = year_of_era + era * 400 + i32::from(month <= 2);
        PartialDate::new(u16::try_from(year).ok()?, month as u8, day as u8)
    }
}

impl fmt::Display for PartialDate {
    /// `1987-05-06`, `1987-05` or `1987`, by precision.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if self.month != 0 {
            write!(f, "-{:02}", self.month)?;
        }
        if self.day != 0 {
            write!(f, "-{:02}", self.day)?;
        }
        Ok(())
    }
}

/// Days in `month` (1..=12) of the Gregorian `year`.
fn days_in_month(year: u16, month: u8) -> u8 {
    let is_leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    match month {
        2 if is_leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use crate::{DatePrecision, Ethnicity, PartialDate, RecordType, Relation, Sex};

    #[test]
    fn dates_check_the_calendar() {
        assert!(PartialDate::new(2000, 2, 29).is_some(), "2000 is a leap year");
        assert!(PartialDate::new(1900, 2, 29).is_none(), "1900 is not");
        assert!(PartialDate::new(1987, 2, 30).is_none());
        assert!(PartialDate::new(1987, 13, 0).is_none());
        assert!(PartialDate::new(1987, 0, 6).is_none(), "a day needs a month");
        assert!(PartialDate::new(999, 1, 1).is_none());
        assert_eq!(PartialDate::new(1642, 12, 25).unwrap().to_days_since_epoch(), -119_441);
        assert_eq!(PartialDate::from_days_since_epoch(-119_441), PartialDate::new(1642, 12, 25));
        assert_eq!(PartialDate::new(1987, 0, 0).unwrap().precision(), DatePrecision::Year);
        assert_eq!(PartialDate::new(1987, 5, 6).unwrap().to_string(), "1987-05-06");
        assert_eq!(PartialDate::new(1987, 5, 6).unwrap().to_yyyymmdd(), 19_870_506);
        assert_eq!(PartialDate::from_yyyymmdd(19_870_500), PartialDate::new(1987, 5, 0));
    }

    #[test]
    fn epoch_days_round_trip() {
        assert_eq!(PartialDate::new(1970, 1, 1).unwrap().to_days_since_epoch(), 0);
        assert_eq!(PartialDate::new(2020, 11, 1).unwrap().to_days_since_epoch(), 18_567);
        assert_eq!(PartialDate::new(1900, 3, 1).unwrap().to_days_since_epoch(), -25_508);
        for days in (-62_000..47_000).step_by(7) {
            let date = PartialDate::from_days_since_epoch(days).unwrap();
            assert_eq!(date.to_days_since_epoch(), days);
        }
        assert_eq!(PartialDate::new(1987, 5, 0).unwrap().to_days_since_epoch(), 6_329);
    }

    #[test]
    fn codes_have_canonical_names() {
        assert_eq!("female".parse::<Sex>(), Ok(Sex::Female));
        assert_eq!("registered_away".parse::<RecordType>(), Ok(RecordType::RegisteredAway));
        assert_eq!(Relation::Grandchild.census_code(), 7);
        assert_eq!(Ethnicity::new(57), None);
        assert_eq!(Ethnicity::new(5).unwrap().to_string(), "05");
    }
}
