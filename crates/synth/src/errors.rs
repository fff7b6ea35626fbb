//! The error model: how a true value becomes the value a department's file shows. Each kind of
//! damage has a rate per source (`ErrorRates`), scaled by the job's `error_scale`; every damage
//! done is recorded, so the truth says what each record's values went through.

use censuslink_model::{DatePrecision, PartialDate, Role};

use crate::names;
use crate::rng::Rng;

/// One kind of damage done to a value on its way into a department's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Damage {
    /// A character of the name replaced by a homophone (伟 → 玮).
    NameHomophone,
    /// A character of the name replaced by a look-alike (己 → 已).
    NameLookAlike,
    /// A character of the given name dropped (张建国 → 张国).
    NameDropped,
    /// The last character of the name written twice (张伟 → 张伟伟).
    NameAdded,
    /// A character written in its traditional form (张 → 張).
    NameTraditional,
    /// The dot between the parts of a minority name written as another character or left out.
    NameSeparator,
    /// The person's former name (曾用名) given instead of the current one.
    FormerName,
    /// The name left empty.
    NameMissing,
    /// A placeholder where the name would be (`王芳之子`, `男婴`): a newborn not yet named.
    NamePlaceholder,
    /// A space inside or around the name.
    StraySpace,
    /// The ID's digits typed in full width (１２３).
    FullWidth,
    /// One digit of the ID replaced by another.
    IdSubstitution,
    /// Two adjacent, different characters of the ID swapped.
    IdTransposition,
    /// A parent's ID number given for a child.
    IdOfParent,
    /// The ID left empty.
    IdMissing,
    /// The ID turned into a number by a spreadsheet (`3.20115E+17`, `320115198503071000`).
    IdExcel,
    /// The ID in its old 15-digit form (no century, no check character).
    IdFifteen,
    /// Day and month of the birth date swapped (only where the day is 12 or less).
    DateDayMonthSwap,
    /// The birth date given by the lunar calendar: its numbers read as a Gregorian date, 21 to
    /// 50 days before the true one.
    DateLunar,
    /// The birth year one early, from a nominal age (虚岁) one above the true age.
    DateNominalAge,
    /// The birth date left empty.
    DateMissing,
}

impl Damage {
    /// The name used in the truth files.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Damage::NameHomophone => "name_homophone",
            Damage::NameLookAlike => "name_look_alike",
            Damage::NameDropped => "name_dropped_char",
            Damage::NameAdded => "name_added_char",
            Damage::NameTraditional => "name_traditional",
            Damage::NameSeparator => "name_separator",
            Damage::FormerName => "former_name",
            Damage::NameMissing => "name_missing",
            Damage::NamePlaceholder => "name_placeholder",
            Damage::StraySpace => "stray_space",
            Damage::FullWidth => "full_width",
            Damage::IdSubstitution => "id_substitution",
            Damage::IdTransposition => "id_transposition",
            Damage::IdOfParent => "id_of_parent",
            Damage::IdMissing => "id_missing",
            Damage::IdExcel => "id_excel",
            Damage::IdFifteen => "id_fifteen_digit",
            Damage::DateDayMonthSwap => "date_day_month_swap",
            Damage::DateLunar => "date_lunar",
            Damage::DateNominalAge => "date_nominal_age",
            Damage::DateMissing => "date_missing",
        }
    }
}

/// Rates of damage in one source's records. Each is the share of the records a damage can
/// apply to that get it: `name_missing` and `name_placeholder` of records whose person may not
/// be named yet, `name` of named records, `id_typo` of IDs not shown in 15 digits, `id_parent`
/// of children under 18 with a parent's ID at hand, `id_fifteen` of people born before 1950,
/// `date_swap` of dates whose day is 12 or less and differs from the month; the rest of all
/// records. A damage that would not change the value a source shows at its precision (a lunar
/// date in the same month of a year-and-month source) is not done.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ErrorRates {
    /// Of people with a former name (曾用名), the records that give it.
    pub(crate) former_name: f64,
    /// One character error in the name (homophone 40 %, traditional 20 %, look-alike 15 %,
    /// dropped 15 %, added 10 %, the next kind that applies when the drawn one cannot).
    pub(crate) name: f64,
    /// The name left empty, and a placeholder where it would be: one draw, so that together
    /// they are at most all of the records (the placeholder takes what the empty names leave).
    pub(crate) name_missing: f64,
    pub(crate) name_placeholder: f64,
    /// Of names with a dot (minority names): another separator or none.
    pub(crate) name_separator: f64,
    pub(crate) stray_space: f64,
    pub(crate) full_width: f64,
    /// One substitution or one adjacent transposition, equally likely; never on a 15-digit ID,
    /// which has no check digit to break.
    pub(crate) id_typo: f64,
    pub(crate) id_missing: f64,
    pub(crate) id_parent: f64,
    pub(crate) id_excel: f64,
    pub(crate) id_fifteen: f64,
    pub(crate) date_swap: f64,
    pub(crate) date_lunar: f64,
    pub(crate) date_nominal: f64,
    pub(crate) date_missing: f64,
}

impl ErrorRates {
    /// The rates of `role`'s records (docs/synthetic-data.md), times `scale`.
    pub(crate) fn standard(role: Role, scale: f64) -> ErrorRates {
        let rates = match role {
            // Self-reported and enumerator-entered: typos, lunar and nominal-age birth dates.
            Role::Census => ErrorRates {
                former_name: 0.2,
                name: 0.02,
                name_separator: 0.3,
                stray_space: 0.01,
                full_width: 0.005,
                id_typo: 0.01,
                id_missing: 0.01,
                date_lunar: 0.02,
                date_nominal: 0.01,
                date_missing: 0.002,
                ..ErrorRates::NONE
            },
            // The police register issues the IDs: clean but for old traditional entries and
            // a few birth dates never known (不详).
            Role::Hukou => ErrorRates {
                name: 0.005,
                stray_space: 0.002,
                id_typo: 0.001,
                date_swap: 0.002,
                date_missing: 0.001,
                ..ErrorRates::NONE
            },
            // Hospitals: the newborn's name often not yet given (empty or a placeholder); the
            // mother's ID typed in.
            Role::Birth => ErrorRates {
                name: 0.01,
                name_missing: 0.30,
                name_placeholder: 0.15,
                id_typo: 0.01,
                id_missing: 0.02,
                ..ErrorRates::NONE
            },
            // Death certificates: old 15-digit IDs of the elderly.
            Role::Death => ErrorRates {
                name: 0.01,
                id_typo: 0.005,
                id_missing: 0.02,
                id_fifteen: 0.25,
                date_swap: 0.005,
                ..ErrorRates::NONE
            },
            // Schools: a parent's ID given for the child, IDs typed in full width.
            Role::School => ErrorRates {
                name: 0.01,
                full_width: 0.01,
                id_typo: 0.01,
                id_missing: 0.02,
                id_parent: 0.01,
                ..ErrorRates::NONE
            },
            // Insurance: entered at many counters, passed through spreadsheets.
            Role::Insurance => ErrorRates {
                former_name: 0.05,
                name: 0.015,
                name_separator: 0.5,
                stray_space: 0.02,
                full_width: 0.02,
                id_typo: 0.01,
                id_missing: 0.01,
                id_parent: 0.005,
                id_excel: 0.02,
                id_fifteen: 0.05,
                date_swap: 0.01,
                date_lunar: 0.01,
                date_missing: 0.01,
                ..ErrorRates::NONE
            },
            // A district has no records without a role.
            Role::Records => ErrorRates::NONE,
        };
        rates.scaled(scale)
    }

    /// No damage at all.
    pub(crate) const NONE: ErrorRates = ErrorRates {
        former_name: 0.0,
        name: 0.0,
        name_missing: 0.0,
        name_placeholder: 0.0,
        name_separator: 0.0,
        stray_space: 0.0,
        full_width: 0.0,
        id_typo: 0.0,
        id_missing: 0.0,
        id_parent: 0.0,
        id_excel: 0.0,
        id_fifteen: 0.0,
        date_swap: 0.0,
        date_lunar: 0.0,
        date_nominal: 0.0,
        date_missing: 0.0,
    };

    fn scaled(self, scale: f64) -> ErrorRates {
        let s = |rate: f64| (rate * scale).clamp(0.0, 1.0);
        ErrorRates {
            former_name: s(self.former_name),
            name: s(self.name),
            name_missing: s(self.name_missing),
            name_placeholder: s(self.name_placeholder),
            name_separator: s(self.name_separator),
            stray_space: s(self.stray_space),
            full_width: s(self.full_width),
            id_typo: s(self.id_typo),
            id_missing: s(self.id_missing),
            id_parent: s(self.id_parent),
            id_excel: s(self.id_excel),
            id_fifteen: s(self.id_fifteen),
            date_swap: s(self.date_swap),
            date_lunar: s(self.date_lunar),
            date_nominal: s(self.date_nominal),
            date_missing: s(self.date_missing),
        }
    }
}

/// Damages values at one source's rates, recording what it did to the current record.
pub(crate) struct Damager<'a> {
    rng: &'a mut Rng,
    rates: &'a ErrorRates,
    /// What was done to the current record, in the order done.
    pub(crate) done: Vec<Damage>,
}

/// Separators written for the dot of a minority name, none of them U+00B7: a full stop, full
/// width or not, and a hyphen, which normalisation folds back, and a space and nothing, which
/// it cannot. All of them can be written in GBK (U+2022 • and U+30FB ・ cannot).
const SEPARATORS: [&str; 5] = ["．", ".", "-", " ", ""];

impl<'a> Damager<'a> {
    pub(crate) fn new(rng: &'a mut Rng, rates: &'a ErrorRates) -> Damager<'a> {
        Damager { rng, rates, done: Vec::new() }
    }

    /// A new record: forgets what was done to the last.
    pub(crate) fn next_record(&mut self) {
        self.done.clear();
    }

    /// The name a record starts from: the person's former name, at the `former_name` rate
    /// for someone who has one, else `name`.
    pub(crate) fn name_of<'n>(&mut self, name: &'n str, former: Option<&'n str>) -> &'n str {
        match former {
            Some(former) if self.hit(self.rates.former_name, Damage::FormerName) => former,
            _ => name,
        }
    }

    /// The name as written, or `None` when left empty. `unnamed` is what the record writes
    /// for a person not named yet (a newborn's certificate: `王芳之子`, `男婴`), or `None` for a
    /// record that always names its person; only the first may be left empty or show it.
    pub(crate) fn name(&mut self, name: &str, unnamed: Option<&str>) -> Option<String> {
        let (missing, placeholder) = (self.rates.name_missing, self.rates.name_placeholder);
        if let Some(unnamed) = unnamed.filter(|_| missing + placeholder > 0.0) {
            let draw = self.rng.unit();
            if draw < missing {
                self.done.push(Damage::NameMissing);
                return None;
            }
            if draw < missing + placeholder {
                self.done.push(Damage::NamePlaceholder);
                return Some(unnamed.to_owned());
            }
        }
        let mut chars: Vec<char> = name.chars().collect();
        if self.rng.chance(self.rates.name) {
            let damage = self.character_error(&mut chars);
            self.done.push(damage);
        }
        let mut written: String = chars.into_iter().collect();
        if written.contains(names::MIDDLE_DOT)
            && self.hit(self.rates.name_separator, Damage::NameSeparator)
        {
            let separator = SEPARATORS[self.rng.below(SEPARATORS.len() as u64) as usize];
            written = written.replace(names::MIDDLE_DOT, separator);
        }
        if self.hit(self.rates.stray_space, Damage::StraySpace) {
            written = stray_space(self.rng, &written);
        }
        Some(written)
    }

    /// One character error of the drawn kind, or of the next kind that applies.
    fn character_error(&mut self, chars: &mut Vec<char>) -> Damage {
        const KINDS: [Damage; 5] = [
            Damage::NameHomophone,
            Damage::NameTraditional,
            Damage::NameLookAlike,
            Damage::NameDropped,
            Damage::NameAdded,
        ];
        let first = self.rng.weighted(&[0.40, 0.20, 0.15, 0.15, 0.10]);
        (0..KINDS.len())
            .map(|offset| KINDS[(first + offset) % KINDS.len()])
            .find(|&kind| self.apply_character_error(kind, chars))
            .expect("a name can always take an added character")
    }

    fn apply_character_error(&mut self, kind: Damage, chars: &mut Vec<char>) -> bool {
        let rng = &mut *self.rng;
        // One character that `applies` to, drawn among those of the name, replaced by `draw`.
        let mut replace =
            |applies: fn(char) -> bool, draw: &dyn Fn(&mut Rng, char) -> Option<char>| {
                let positions: Vec<usize> =
                    (0..chars.len()).filter(|&i| applies(chars[i])).collect();
                if positions.is_empty() {
                    return false;
                }
                let at = positions[rng.below(positions.len() as u64) as usize];
                chars[at] = draw(rng, chars[at]).expect("applies");
                true
            };
        match kind {
            Damage::NameHomophone => replace(names::has_homophone, &names::homophone),
            Damage::NameLookAlike => replace(names::has_look_alike, &names::look_alike),
            Damage::NameTraditional => {
                replace(|c| names::traditional(c).is_some(), &|_, c| names::traditional(c))
            }
            // Only from a name of three characters or more, never the first (the surname).
            Damage::NameDropped if chars.len() >= 3 && !chars.contains(&names::MIDDLE_DOT) => {
                let at = 1 + rng.below(chars.len() as u64 - 1) as usize;
                chars.remove(at);
                true
            }
            Damage::NameAdded => {
                let last = *chars.last().expect("a name is not empty");
                chars.push(last);
                true
            }
            _ => false,
        }
    }

    /// The ID as written, or `None` when left empty. `parent` is the ID of a parent to give
    /// instead, for a child; `is_elderly` says whether the old 15-digit form may be shown.
    pub(crate) fn id(
        &mut self,
        id: Option<&str>,
        parent: Option<&str>,
        is_elderly: bool,
    ) -> Option<String> {
        let id = id?;
        if self.hit(self.rates.id_missing, Damage::IdMissing) {
            return None;
        }
        let mut written = match parent {
            Some(parent) if self.hit(self.rates.id_parent, Damage::IdOfParent) => parent.to_owned(),
            _ => id.to_owned(),
        };
        let is_fifteen = is_elderly && self.hit(self.rates.id_fifteen, Damage::IdFifteen);
        if is_fifteen {
            written = format!("{}{}", &written[..6], &written[8..17]);
        }
        // A 15-digit ID has no check digit: a typo there could pass for another valid ID.
        if !is_fifteen && self.rates.id_typo > 0.0 && self.rng.chance(self.rates.id_typo) {
            let damage = typo(self.rng, &mut written);
            self.done.push(damage);
        }
        let is_number = written.len() == 18 && written.bytes().all(|b| b.is_ascii_digit());
        let mut is_excel = false;
        if is_number && self.rates.id_excel > 0.0 && self.rng.chance(self.rates.id_excel) {
            let form = excel(self.rng, &written);
            // An ID ending in `000` already is unchanged by the `…000` form: no damage done.
            is_excel = form != written;
            if is_excel {
                self.done.push(Damage::IdExcel);
                written = form;
            }
        }
        if !is_excel && self.hit(self.rates.full_width, Damage::FullWidth) {
            written = written.chars().map(full_width).collect();
        }
        if self.hit(self.rates.stray_space, Damage::StraySpace) {
            written = stray_space(self.rng, &written);
        }
        Some(written)
    }

    /// The birth date as shown at `precision` (the source's: [`DatePrecision::Month`] for a
    /// year and month, [`DatePrecision::Day`] for a full date), or `None` when left empty. A
    /// lunar date that falls in the same month is no change at month precision, so it is not
    /// done, and the next kind of damage may be.
    pub(crate) fn birth_date(
        &mut self,
        birth: PartialDate,
        precision: DatePrecision,
    ) -> Option<PartialDate> {
        if self.hit(self.rates.date_missing, Damage::DateMissing) {
            return None;
        }
        let (year, month, day) =
            (birth.year(), birth.month().unwrap_or(1), birth.day().unwrap_or(1));
        if self.hit(self.rates.date_nominal, Damage::DateNominalAge) {
            // 29 February has no day in the year before.
            let date = PartialDate::new(year - 1, month, day)
                .or_else(|| PartialDate::new(year - 1, month, 28))
                .expect("a day of the year before");
            return Some(date);
        }
        if self.rates.date_lunar > 0.0 && self.rng.chance(self.rates.date_lunar) {
            let shift = self.rng.between(21, 50) as i32;
            let lunar = PartialDate::from_days_since_epoch(birth.to_days_since_epoch() - shift)
                .expect("a day in range");
            if shown(lunar, precision) != shown(birth, precision) {
                self.done.push(Damage::DateLunar);
                return Some(lunar);
            }
        }
        // Day and month differ, so the swap moves the month whatever the precision.
        if day <= 12 && day != month && self.hit(self.rates.date_swap, Damage::DateDayMonthSwap) {
            return PartialDate::new(year, day, month);
        }
        Some(birth)
    }

    /// Records `damage` with probability `rate`, and says whether it happened.
    fn hit(&mut self, rate: f64, damage: Damage) -> bool {
        let hit = rate > 0.0 && self.rng.chance(rate);
        if hit {
            self.done.push(damage);
        }
        hit
    }
}

/// One substitution of a digit among the first 17, or one swap of two adjacent, different
/// characters; a check digit catches either (ISO 7064 MOD 11-2 detects all of them).
fn typo(rng: &mut Rng, id: &mut String) -> Damage {
    let mut bytes = id.clone().into_bytes();
    let n_body = bytes.len().min(17);
    let swappable: Vec<usize> =
        (0..bytes.len() - 1).filter(|&i| bytes[i] != bytes[i + 1]).collect();
    let damage = if rng.chance(0.5) || swappable.is_empty() {
        let at = rng.below(n_body as u64) as usize;
        let digit = bytes[at] - b'0';
        bytes[at] = b'0' + (digit + 1 + rng.below(9) as u8) % 10;
        Damage::IdSubstitution
    } else {
        let at = swappable[rng.below(swappable.len() as u64) as usize];
        bytes.swap(at, at + 1);
        Damage::IdTransposition
    };
    *id = String::from_utf8(bytes).expect("ASCII stays ASCII");
    damage
}

/// The year, month and day of `date` that a source of `precision` shows.
pub(crate) fn shown(date: PartialDate, precision: DatePrecision) -> (u16, Option<u8>, Option<u8>) {
    match precision {
        DatePrecision::Year => (date.year(), None, None),
        DatePrecision::Month => (date.year(), date.month(), None),
        DatePrecision::Day => (date.year(), date.month(), date.day()),
    }
}

/// An 18-digit ID after a spreadsheet took it for a number: scientific notation as Excel's
/// General format shows it, or 15 significant digits and zeros as a number format keeps it.
fn excel(rng: &mut Rng, id: &str) -> String {
    if rng.chance(0.5) { excel_scientific(id) } else { format!("{}000", &id[..15]) }
}

/// An 18-digit number as Excel's General format shows it in a column of standard width: six
/// significant digits, rounded half up, trailing zeros of the mantissa dropped
/// (`320115198503071234` → `3.20115E+17`, `320115598503071234` → `3.20116E+17`).
fn excel_scientific(id: &str) -> String {
    let leading: u32 = id[..7].parse().expect("an all-digit ID");
    let (mut significant, mut exponent) = ((leading + 5) / 10, 17);
    if significant == 1_000_000 {
        (significant, exponent) = (100_000, 18);
    }
    let digits = significant.to_string();
    let fraction = digits[1..].trim_end_matches('0');
    let point = if fraction.is_empty() { "" } else { "." };
    format!("{}{point}{fraction}E+{exponent}", &digits[..1])
}

fn full_width(c: char) -> char {
    match c {
        '0'..='9' | 'X' => char::from_u32(u32::from(c) + 0xFEE0).expect("in the full-width block"),
        _ => c,
    }
}

/// The text with a space added at its start, its end or between two of its characters.
fn stray_space(rng: &mut Rng, text: &str) -> String {
    let n_chars = text.chars().count();
    let at = rng.below(n_chars as u64 + 1) as usize;
    let mut written = String::with_capacity(text.len() + 1);
    for (i, c) in text.chars().enumerate() {
        if i == at {
            written.push(' ');
        }
        written.push(c);
    }
    if at == n_chars {
        written.push(' ');
    }
    written
}

/// The damages of a record as the truth files write them: names joined by `;`.
pub(crate) fn describe(done: &[Damage]) -> String {
    done.iter().map(|damage| damage.as_str()).collect::<Vec<_>>().join(";")
}

#[cfg(test)]
mod tests {
    use censuslink_model::{DatePrecision, IdStatus, PartialDate, Role};
    use censuslink_standardize::id::standardize_id;
    use censuslink_standardize::name::normalize_name;

    use crate::errors::{Damage, Damager, ErrorRates, excel, excel_scientific, typo};
    use crate::rng::Rng;

    const ID: &str = "11010519491231002X";

    #[test]
    fn every_id_typo_breaks_the_check_digit() {
        let mut rng = Rng::new(1, 1);
        for _ in 0..2_000 {
            let mut id = ID.to_owned();
            let damage = typo(&mut rng, &mut id);
            assert_ne!(id, ID);
            let differing = id.bytes().zip(ID.bytes()).filter(|(a, b)| a != b).count();
            match damage {
                Damage::IdSubstitution => assert_eq!(differing, 1),
                Damage::IdTransposition => assert_eq!(differing, 2),
                other => panic!("{other:?}"),
            }
            assert_ne!(standardize_id(&id).status, IdStatus::Valid, "{id}");
        }
    }

    #[test]
    fn spreadsheets_show_ids_as_excel_does() {
        let mut rng = Rng::new(2, 1);
        let forms: Vec<String> = (0..40).map(|_| excel(&mut rng, "320115198503071234")).collect();
        assert!(forms.contains(&"3.20115E+17".to_owned()));
        assert!(forms.contains(&"320115198503071000".to_owned()));
        for form in forms {
            assert_eq!(standardize_id(&form).status, IdStatus::ExcelTruncated, "{form}");
        }
    }

    #[test]
    fn scientific_notation_rounds_and_drops_trailing_zeros() {
        for (id, shown) in [
            ("320115198503071234", "3.20115E+17"),
            ("320115598503071234", "3.20116E+17"),
            ("320100198503071234", "3.201E+17"),
            ("300000198503071234", "3E+17"),
            ("320199598503071234", "3.202E+17"),
            ("659999598503071234", "6.6E+17"),
            ("999999598503071234", "1E+18"),
        ] {
            assert_eq!(excel_scientific(id), shown, "{id}");
        }
        assert_eq!(standardize_id("3E+17").status, IdStatus::ExcelTruncated);
    }

    #[test]
    fn a_15_digit_id_takes_no_typo() {
        let rates = ErrorRates { id_fifteen: 1.0, id_typo: 1.0, ..ErrorRates::NONE };
        let mut rng = Rng::new(8, 1);
        let mut damager = Damager::new(&mut rng, &rates);
        let id = damager.id(Some(ID), None, true).expect("not missing");
        assert_eq!(id, "110105491231002");
        assert_eq!(damager.done, [Damage::IdFifteen]);
        damager.next_record();
        let id = damager.id(Some(ID), None, false).expect("not missing");
        assert_ne!(standardize_id(&id).status, IdStatus::Valid, "{id}");
    }

    #[test]
    fn an_unnamed_record_is_empty_or_a_placeholder_at_its_rates() {
        let rates = ErrorRates { name_missing: 0.30, name_placeholder: 0.15, ..ErrorRates::NONE };
        let mut rng = Rng::new(9, 1);
        let mut damager = Damager::new(&mut rng, &rates);
        let (mut n_missing, mut n_placeholder) = (0, 0);
        for _ in 0..10_000 {
            damager.next_record();
            let expected = match damager.name("王小明", Some("王芳之子")).as_deref() {
                None => {
                    n_missing += 1;
                    vec![Damage::NameMissing]
                }
                Some("王芳之子") => {
                    n_placeholder += 1;
                    vec![Damage::NamePlaceholder]
                }
                Some(name) => {
                    assert_eq!(name, "王小明");
                    vec![]
                }
            };
            assert_eq!(damager.done, expected);
            // A record that always names its person is never left unnamed.
            damager.next_record();
            assert_eq!(damager.name("王小明", None).as_deref(), Some("王小明"));
            assert!(damager.done.is_empty());
        }
        assert!((2_850..=3_150).contains(&n_missing), "{n_missing}");
        assert!((1_380..=1_620).contains(&n_placeholder), "{n_placeholder}");
    }

    #[test]
    fn cosmetic_damage_is_undone_by_standardization() {
        let id_rates = ErrorRates { full_width: 1.0, stray_space: 1.0, ..ErrorRates::NONE };
        let name_rates = ErrorRates { name_separator: 1.0, ..ErrorRates::NONE };
        let mut rng = Rng::new(4, 1);
        for _ in 0..200 {
            let mut damager = Damager::new(&mut rng, &id_rates);
            let id = damager.id(Some(ID), None, false).expect("not missing");
            assert_eq!(damager.done, [Damage::FullWidth, Damage::StraySpace]);
            let outcome = standardize_id(&id);
            assert_eq!(outcome.status, IdStatus::Repaired);
            assert_eq!(outcome.number.as_deref(), Some(ID));
            let mut damager = Damager::new(&mut rng, &name_rates);
            let name = damager.name("买买提·吐尔逊", None).expect("not missing");
            assert_ne!(name, "买买提·吐尔逊");
            // A space or no separator at all is a real variant; the others fold back.
            let normalized = normalize_name(&name);
            assert!(
                ["买买提·吐尔逊", "买买提 吐尔逊", "买买提吐尔逊"].contains(&normalized.as_ref()),
                "{name} → {normalized}"
            );
        }
    }

    #[test]
    fn name_errors_change_one_character() {
        let rates = ErrorRates { name: 1.0, ..ErrorRates::NONE };
        let mut rng = Rng::new(5, 1);
        let mut damager = Damager::new(&mut rng, &rates);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..500 {
            damager.next_record();
            let name = damager.name("王建伟", None).expect("not missing");
            assert_eq!(damager.done.len(), 1);
            let kind = damager.done[0];
            seen.insert(kind);
            let n_chars = name.chars().count();
            match kind {
                Damage::NameDropped => assert_eq!(n_chars, 2),
                Damage::NameAdded => assert_eq!(name, "王建伟伟"),
                _ => {
                    assert_eq!(n_chars, 3);
                    let differing =
                        name.chars().zip("王建伟".chars()).filter(|(a, b)| a != b).count();
                    assert_eq!(differing, 1, "{name}");
                }
            }
            if kind == Damage::NameTraditional {
                assert_eq!(normalize_name(&name), "王建伟", "traditional folds back");
            }
        }
        assert_eq!(seen.len(), 5, "every kind applies to 王建伟: {seen:?}");
    }

    #[test]
    fn birth_dates_move_as_each_damage_says() {
        let birth = PartialDate::new(1985, 3, 7).expect("a date");
        let one = |rates: ErrorRates, birth: PartialDate, precision: DatePrecision| {
            let mut rng = Rng::new(6, 1);
            let mut damager = Damager::new(&mut rng, &rates);
            let shown = damager.birth_date(birth, precision);
            (shown, damager.done)
        };
        let day = DatePrecision::Day;
        let swap = ErrorRates { date_swap: 1.0, ..ErrorRates::NONE };
        let swapped = one(swap.clone(), birth, day);
        assert_eq!(swapped, (PartialDate::new(1985, 7, 3), vec![Damage::DateDayMonthSwap]));
        let nominal = ErrorRates { date_nominal: 1.0, ..ErrorRates::NONE };
        assert_eq!(one(nominal.clone(), birth, day).0, PartialDate::new(1984, 3, 7));
        // Only 29 February lacks its day in the year before.
        let leap = PartialDate::new(1984, 2, 29).expect("a date");
        assert_eq!(one(nominal.clone(), leap, day).0, PartialDate::new(1983, 2, 28));
        let late = PartialDate::new(1985, 3, 31).expect("a date");
        assert_eq!(one(nominal, late, day).0, PartialDate::new(1984, 3, 31));
        let lunar_rates = ErrorRates { date_lunar: 1.0, ..ErrorRates::NONE };
        let (lunar, done) = one(lunar_rates.clone(), birth, day);
        let shift = birth.to_days_since_epoch() - lunar.expect("a date").to_days_since_epoch();
        assert!((21..=50).contains(&shift), "{shift}");
        assert_eq!(done, [Damage::DateLunar]);
        let missing = ErrorRates { date_missing: 1.0, ..ErrorRates::NONE };
        assert_eq!(one(missing, birth, day), (None, vec![Damage::DateMissing]));
        // No swap where day and month cannot be told apart.
        let mid = PartialDate::new(1985, 3, 17).expect("a date");
        assert_eq!(one(swap, mid, day), (Some(mid), vec![]));
        // At month precision a lunar date is done only when it moves the month: always from
        // the 21st or earlier, sometimes later in the month.
        let month = DatePrecision::Month;
        let mut rng = Rng::new(10, 1);
        let mut damager = Damager::new(&mut rng, &lunar_rates);
        let (mut n_done, mut n_kept) = (0, 0);
        for day in 1..=31 {
            let birth = PartialDate::new(1985, 3, day).expect("a date");
            for _ in 0..50 {
                damager.next_record();
                let shown = damager.birth_date(birth, month).expect("a date");
                let is_moved = shown.month() != birth.month();
                assert_eq!(damager.done == [Damage::DateLunar], is_moved, "{birth} → {shown}");
                assert!(is_moved || shown == birth);
                if day <= 21 {
                    assert!(is_moved, "{birth} → {shown}");
                }
                n_done += usize::from(is_moved);
                n_kept += usize::from(!is_moved);
            }
        }
        assert!(n_done > 0 && n_kept > 0, "{n_done} {n_kept}");
    }

    #[test]
    fn scale_zero_damages_nothing() {
        for role in Role::ALL {
            assert_eq!(ErrorRates::standard(role, 0.0), ErrorRates::NONE);
        }
        let doubled = ErrorRates::standard(Role::Insurance, 2.0);
        assert!((doubled.id_excel - 0.04).abs() < 1e-12, "{}", doubled.id_excel);
        // Clamped to a probability.
        assert!((ErrorRates::standard(Role::Birth, 5.0).name_missing - 1.0).abs() < 1e-12);
    }
}
