//! The one policy for reading an `OTEL_*` or `WALREC_*` variable, for every part of the crate:
//! an unset or blank value (spaces only) is unset, as the OpenTelemetry specification says of
//! an empty one; a value is trimmed of surrounding spaces; a value that is not valid UTF-8 is
//! an error naming the variable, never mistaken for unset. (Enumerated values are matched in
//! any case by their parsers.)

use std::ffi::OsString;

/// A variable is set to something that is not valid UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} is set but is not valid UTF-8; set it to UTF-8 text, or unset it")]
pub(crate) struct NotUnicode(pub(crate) &'static str);

/// `name`'s value by the policy, from `value` as the environment gave it.
pub(crate) fn policy(
    name: &'static str,
    value: Option<OsString>,
) -> Result<Option<String>, NotUnicode> {
    let Some(value) = value else {
        return Ok(None);
    };
    let text = value.into_string().map_err(|_| NotUnicode(name))?;
    let trimmed = text.trim();
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

/// `name`'s value in the process environment, by the policy.
pub(crate) fn read(name: &'static str) -> Result<Option<String>, NotUnicode> {
    policy(name, std::env::var_os(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStringExt;

    #[test]
    fn blank_is_unset_values_are_trimmed_and_bad_bytes_named() {
        let read = |raw: &str| policy("X", Some(raw.into()));
        assert_eq!(read("  "), Ok(None));
        assert_eq!(read(" a b "), Ok(Some("a b".into())));
        assert_eq!(policy("X", None), Ok(None));
        let bad = OsString::from_vec(b"\xff".to_vec());
        assert_eq!(policy("X", Some(bad)), Err(NotUnicode("X")));
    }
}
