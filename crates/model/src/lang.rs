//! The language of what analysts and field teams read.

/// The language of messages, worklists and the report: Chinese unless a job says `lang = "en"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    /// Chinese, the default.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The text in this language, of a pair written side by side.
    ///
    /// ```
    /// use censuslink_model::Lang;
    ///
    /// assert_eq!(Lang::En.pick("人口", "persons"), "persons");
    /// ```
    pub fn pick<T>(self, zh: T, en: T) -> T {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// The name job files and `--lang` use: `zh` or `en`.
    pub fn as_str(self) -> &'static str {
        self.pick("zh", "en")
    }
}

impl std::str::FromStr for Lang {
    type Err = crate::UnknownName;

    fn from_str(text: &str) -> Result<Lang, Self::Err> {
        match text {
            "zh" => Ok(Lang::Zh),
            "en" => Ok(Lang::En),
            _ => Err(crate::UnknownName(text.to_owned())),
        }
    }
}
