//! Scalars after substitution: their type by the YAML 1.2 core schema (the data model: files
//! "SHOULD be parsed using v1.2 YAML core schema"), their description in messages, and the
//! encoding of values into `key=value,…` variables.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// The type of a scalar after substitution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Null,
    Bool,
    Int,
    Float,
    Str,
}

/// A scalar value after substitution, with its type.
#[derive(Debug, Clone)]
pub(super) struct Text {
    pub(super) text: String,
    pub(super) kind: Kind,
}

/// The ASCII characters a value must not hold as is in a `key=value,…` variable: the
/// separators, `%` (the escape itself), controls, and spaces (the variable's parser trims
/// each value). [`utf8_percent_encode`] also encodes every non-ASCII byte; the parser decodes
/// all of them back.
const LIST_VALUE: &AsciiSet = &CONTROLS.add(b' ').add(b'%').add(b',').add(b'=');

/// `value` as the variable's parser will decode it back.
pub(super) fn encode(value: &str) -> String {
    utf8_percent_encode(value, LIST_VALUE).to_string()
}

/// Whether `key` can stand as a key of a `key=value,…` variable as is: not blank, no
/// separator, no space at either end (the parser trims keys, and does not decode them).
pub(super) fn is_list_key(key: &str) -> bool {
    !key.is_empty() && key.trim() == key && !key.contains([',', '='])
}

/// The YAML 1.2 core schema's type of a plain scalar's text.
pub(super) fn kind_of(text: &str) -> Kind {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Kind::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => return Kind::Bool,
        ".nan" | ".NaN" | ".NAN" => return Kind::Float,
        _ => {}
    }
    if is_int_text(text) {
        return Kind::Int;
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || is_float_text(unsigned) {
        return Kind::Float;
    }
    Kind::Str
}

/// Whether `text` has the core schema's integer form (`[-+]?[0-9]+`, `0o[0-7]+`,
/// `0x[0-9a-fA-F]+`), whatever its size.
fn is_int_text(text: &str) -> bool {
    let all = |s: &str, f: fn(&u8) -> bool| !s.is_empty() && s.as_bytes().iter().all(f);
    if let Some(octal) = text.strip_prefix("0o") {
        return all(octal, |b| (b'0'..=b'7').contains(b));
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return all(hex, u8::is_ascii_hexdigit);
    }
    all(
        text.strip_prefix(['-', '+']).unwrap_or(text),
        u8::is_ascii_digit,
    )
}

/// Whether unsigned `text` has the core schema's float form:
/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_float_text(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => digits(fraction),
        Some((whole, fraction)) => digits(whole) && (fraction.is_empty() || digits(fraction)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// The value of an integer in the core schema's forms; `None` when it is not one, or does not
/// fit in an `i128`.
pub(super) fn int_value(text: &str) -> Option<i128> {
    if let Some(octal) = text.strip_prefix("0o") {
        return i128::from_str_radix(octal, 8).ok();
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return i128::from_str_radix(hex, 16).ok();
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i128>().ok()
}

/// `"text"` (cut to 80 characters) with its type, for messages.
pub(super) fn describe_text(text: &Text) -> String {
    let shown: String = text.text.chars().take(80).collect();
    let cut = if shown.len() < text.text.len() {
        "…"
    } else {
        ""
    };
    match text.kind {
        Kind::Null => "null".to_owned(),
        Kind::Bool => format!("{shown} (a boolean)"),
        Kind::Int => format!("{shown} (an integer)"),
        Kind::Float => format!("{shown} (a number)"),
        Kind::Str => format!("{:?}", format!("{shown}{cut}")),
    }
}
