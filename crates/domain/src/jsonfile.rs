//! What model files and program catalogues share: JSON read into a tree and checked by
//! hand, so that every error names its place (a JSON path such as `default.terms[2].var`).

use std::fmt;

use serde_json::{Map, Value as Json};

/// A file that cannot be used, with the place (a JSON path) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceError {
    pub place: String,
    pub reason: String,
}

impl fmt::Display for PlaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.place.is_empty() {
            f.write_str(&self.reason)
        } else {
            write!(f, "{}: {}", self.place, self.reason)
        }
    }
}

impl std::error::Error for PlaceError {}

pub(crate) fn err(place: impl Into<String>, reason: impl Into<String>) -> PlaceError {
    PlaceError {
        place: place.into(),
        reason: reason.into(),
    }
}

/// The top-level object of `text`; a syntax error is placed by line and column.
pub(crate) fn object(text: &str, what: &str) -> Result<Map<String, Json>, PlaceError> {
    let v: Json = serde_json::from_str(text).map_err(|e| {
        err(
            format!("line {} column {}", e.line(), e.column()),
            e.to_string(),
        )
    })?;
    match v {
        Json::Object(o) => Ok(o),
        _ => Err(err("", format!("{what} is a JSON object"))),
    }
}

/// The file's `version`: a whole number ≥ 1.
pub(crate) fn version(o: &Map<String, Json>) -> Result<i64, PlaceError> {
    o.get("version")
        .and_then(Json::as_i64)
        .filter(|v| *v > 0)
        .ok_or_else(|| err("version", "expected a whole number ≥ 1"))
}
