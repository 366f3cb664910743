//! Environment variable substitution in a scalar value, as the configuration data model
//! defines it ("Environment variable substitution", `configuration/data-model.md` of the
//! OpenTelemetry specification):
//!
//! - `${NAME}` and `${env:NAME}` become the variable's value; `NAME` is a letter or `_`, then
//!   letters, digits and `_`. An unset variable becomes the empty string.
//! - `${NAME:-default}` becomes `default` when the variable is unset or empty.
//! - `$$` is an escape for one `$`, and the `$` it yields never starts a reference: the input
//!   is consumed left to right, escape by escape, and each stretch between escapes is matched
//!   against the reference syntax on its own (`$${A}` is the text `${A}`, `$$${A}` is `$` and
//!   `A`'s value).
//! - A substituted value is used as is: a `${...}` inside it is not substituted again.
//! - Anything else of the form `${...}` (`${1A}`, `${A:?x}`, `${}`) is an error, never left
//!   in place.
//!
//! Only scalar values are substituted, never mapping keys, and the result stays one scalar
//! (a value holding `a: b` or a newline is a string, not YAML structure): the caller passes
//! one scalar's text at a time, after the YAML is parsed.

use std::ffi::OsString;

use crate::otlp::config::Lookup;

/// Why a scalar could not be substituted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum SubstError {
    /// A `${...}` that is not a valid reference (the reference as written).
    Invalid(String),
    /// The variable is set but its value is not UTF-8 (its name).
    NotUnicode(String),
}

impl std::fmt::Display for SubstError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SubstError::Invalid(reference) => write!(
                f,
                "{reference} is not a valid substitution: expected ${{NAME}}, ${{env:NAME}} or \
                 ${{NAME:-default}}, NAME a letter or _ then letters, digits or _ \
                 (write $$ for a literal $)"
            ),
            SubstError::NotUnicode(name) => write!(
                f,
                "the environment variable {name} it substitutes is not valid UTF-8"
            ),
        }
    }
}

/// `raw` with its references substituted from `lookup`.
pub(super) fn substitute(raw: &str, lookup: &Lookup<'_>) -> Result<String, SubstError> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(escape) = rest.find("$$") {
        stretch(&rest[..escape], lookup, &mut out)?;
        out.push('$');
        rest = &rest[escape + 2..];
    }
    stretch(rest, lookup, &mut out)?;
    Ok(out)
}

/// Substitutes the references of one stretch of text that holds no `$$`.
fn stretch(text: &str, lookup: &Lookup<'_>, out: &mut String) -> Result<(), SubstError> {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let body_and_rest = &rest[start + 2..];
        let Some(end) = body_and_rest.find('}') else {
            // No closing brace: not a reference of either kind; the text stays.
            out.push_str(&rest[start..]);
            return Ok(());
        };
        let body = &body_and_rest[..end];
        let (name, default) =
            reference(body).ok_or_else(|| SubstError::Invalid(format!("${{{body}}}")))?;
        out.push_str(&value(name, default, lookup)?);
        rest = &body_and_rest[end + 1..];
    }
    out.push_str(rest);
    Ok(())
}

/// The name and default of a valid reference's body (what stands between `${` and `}`).
fn reference(body: &str) -> Option<(&str, Option<&str>)> {
    let body = body.strip_prefix("env:").unwrap_or(body);
    let name_end = body
        .char_indices()
        .find(|&(i, c)| !(c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(body.len(), |(i, _)| i);
    let (name, tail) = body.split_at(name_end);
    if name.is_empty() {
        return None;
    }
    if tail.is_empty() {
        return Some((name, None));
    }
    let default = tail.strip_prefix(":-")?;
    (!default.contains('\n')).then_some((name, Some(default)))
}

/// The variable's value; its default (or the empty string) when it is unset or empty.
fn value(name: &str, default: Option<&str>, lookup: &Lookup<'_>) -> Result<String, SubstError> {
    let found = lookup(name)
        .map(OsString::into_string)
        .transpose()
        .map_err(|_| SubstError::NotUnicode(name.to_owned()))?;
    Ok(match (found, default) {
        (Some(value), Some(default)) if value.is_empty() => default.to_owned(),
        (Some(value), _) => value,
        (None, default) => default.unwrap_or_default().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The environment of the data model's table of examples.
    fn env(name: &str) -> Option<OsString> {
        let value = match name {
            "STRING_VALUE" => "value",
            "BOOL_VALUE" => "true",
            "INT_VALUE" => "1",
            "FLOAT_VALUE" => "1.1",
            "INVALID_MAP_VALUE" => "value\nkey:value",
            "DO_NOT_REPLACE_ME" => "Never use this value",
            "REPLACE_ME" => "${DO_NOT_REPLACE_ME}",
            "VALUE_WITH_ESCAPE" => "value$$",
            "EMPTY" => "",
            _ => return None,
        };
        Some(value.into())
    }

    fn sub(raw: &str) -> Result<String, SubstError> {
        substitute(raw, &env)
    }

    #[test]
    fn references_are_replaced_by_values_or_defaults() {
        assert_eq!(sub("${STRING_VALUE}").unwrap(), "value");
        assert_eq!(sub("${env:STRING_VALUE}").unwrap(), "value");
        assert_eq!(
            sub("foo ${STRING_VALUE} ${FLOAT_VALUE}").unwrap(),
            "foo value 1.1"
        );
        assert_eq!(sub("${UNDEFINED_KEY}").unwrap(), "");
        assert_eq!(sub("${UNDEFINED_KEY:-fallback}").unwrap(), "fallback");
        assert_eq!(sub("${EMPTY:-fallback}").unwrap(), "fallback");
        assert_eq!(sub("${EMPTY}").unwrap(), "");
        assert_eq!(sub("${STRING_VALUE:-fallback}").unwrap(), "value");
        assert_eq!(sub("${UNDEFINED_KEY:-}").unwrap(), "");
    }

    #[test]
    fn values_are_not_substituted_again_nor_unescaped() {
        assert_eq!(sub("${REPLACE_ME}").unwrap(), "${DO_NOT_REPLACE_ME}");
        assert_eq!(
            sub("${UNDEFINED_KEY:-${STRING_VALUE}}").unwrap(),
            "${STRING_VALUE}"
        );
        assert_eq!(sub("${VALUE_WITH_ESCAPE}").unwrap(), "value$$");
        assert_eq!(sub("${INVALID_MAP_VALUE}").unwrap(), "value\nkey:value");
    }

    #[test]
    fn dollar_dollar_escapes_one_dollar_left_to_right() {
        assert_eq!(sub("$${STRING_VALUE}").unwrap(), "${STRING_VALUE}");
        assert_eq!(sub("$$${STRING_VALUE}").unwrap(), "$value");
        assert_eq!(sub("$$$${STRING_VALUE}").unwrap(), "$${STRING_VALUE}");
        assert_eq!(
            sub("$${STRING_VALUE:-fallback}").unwrap(),
            "${STRING_VALUE:-fallback}"
        );
        assert_eq!(
            sub("$${STRING_VALUE:-${STRING_VALUE}}").unwrap(),
            "${STRING_VALUE:-value}"
        );
        assert_eq!(
            sub("${UNDEFINED_KEY:-$${UNDEFINED_KEY}}").unwrap(),
            "${UNDEFINED_KEY:-${UNDEFINED_KEY}}"
        );
        assert_eq!(sub("a $$ b").unwrap(), "a $ b");
        assert_eq!(sub("a $ b").unwrap(), "a $ b");
        assert_eq!(
            sub("$${FOO} ${STRING_VALUE} $${BAZ}").unwrap(),
            "${FOO} value ${BAZ}"
        );
        assert_eq!(
            sub("cost: $5, ${ unclosed").unwrap(),
            "cost: $5, ${ unclosed"
        );
    }

    #[test]
    fn malformed_references_are_errors() {
        for bad in [
            "${STRING_VALUE:?error}",
            "${1API_KEY}",
            "${API_$KEY}",
            "${}",
            "${env:}",
            "${ STRING_VALUE}",
            "${file:/etc/passwd}",
            "x ${STRING_VALUE-default} y",
        ] {
            assert!(
                matches!(sub(bad), Err(SubstError::Invalid(_))),
                "{bad} was accepted"
            );
        }
        let message = sub("a ${1A} b").unwrap_err().to_string();
        assert!(
            message.starts_with("${1A} is not a valid substitution"),
            "{message}"
        );
    }

    #[test]
    fn a_variable_that_is_not_utf8_is_named() {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            let env = |name: &str| (name == "BAD").then(|| OsString::from_vec(vec![0xff]));
            assert_eq!(
                substitute("${BAD}", &env),
                Err(SubstError::NotUnicode("BAD".into()))
            );
        }
    }
}
