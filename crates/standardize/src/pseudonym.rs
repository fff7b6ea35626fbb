//! Keyed pseudonyms, as `censuslink pseudonymize` writes them in place of ID numbers, names,
//! household numbers and addresses, and as the standardizers recognise them. A token is
//! `psn:` and 32 lower-case hex digits: the first 128 bits of an HMAC-SHA-256 of the value
//! under the office's key, so that equal values give equal tokens and no one without the key
//! can tell which value a token stands for (an unkeyed hash of an ID number would be undone by
//! hashing every possible number). A name is three tokens separated by spaces: of its
//! characters, of its pinyin reading and of its surname's reading, so that linkage can still
//! tell "the same name" from "a homophone" and block on the surname.

/// What every token starts with.
pub const PREFIX: &str = "psn:";

/// Characters of a token: the prefix and 32 hex digits.
pub const TOKEN_LEN: usize = PREFIX.len() + 32;

/// Whether `text` is a token.
pub fn is_token(text: &str) -> bool {
    text.len() == TOKEN_LEN
        && text.starts_with(PREFIX)
        && text.bytes().skip(PREFIX.len()).all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The three tokens of a pseudonymized name: its characters', its reading's and its
/// surname's reading's; `None` when `text` is not one.
pub fn name_tokens(text: &str) -> Option<[&str; 3]> {
    let mut parts = text.split(' ');
    let tokens = [parts.next()?, parts.next()?, parts.next()?];
    (parts.next().is_none() && tokens.iter().all(|t| is_token(t))).then_some(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_recognised_exactly() {
        let token = "psn:0123456789abcdef0123456789abcdef";
        assert!(is_token(token));
        assert!(!is_token("psn:0123456789ABCDEF0123456789abcdef"), "lower case only");
        assert!(!is_token(&token[..TOKEN_LEN - 1]));
        assert!(!is_token("xyz:0123456789abcdef0123456789abcdef"));
        let name = format!("{token} {token} {token}");
        assert_eq!(name_tokens(&name), Some([token; 3]));
        assert_eq!(name_tokens(&format!("{token} {token}")), None);
        assert_eq!(name_tokens(&format!("{name} {token}")), None);
        assert_eq!(name_tokens("张 伟 明"), None);
    }
}
