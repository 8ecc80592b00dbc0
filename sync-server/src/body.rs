//! Request bodies: JSON into the protocol's types, or a 400 naming the field that was wrong
//! (DESIGN §7), for every handler that reads a body.

use crate::error::ApiError;

/// A JSON body, or a 400 naming the path at which it went wrong (`prefix` goes before it).
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8], prefix: &str) -> Result<T, ApiError> {
    parse_json_as("malformed_request", body, prefix)
}

/// As [`parse_json`], refused with the error code `code` (`cargo xtask codes` finds it here).
pub fn parse_json_as<T: serde::de::DeserializeOwned>(code: &str, body: &[u8], prefix: &str) -> Result<T, ApiError> {
    // Read once without tracking the path, which costs on every value of every push; read
    // again with it only to name the field of a body that is refused.
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        // `.` is the root and `?` where the text stopped being JSON at all: the body itself.
        let path = match error.path().to_string() {
            path if path == "?" => ".".to_string(),
            path => path,
        };
        let field = match (prefix, path.as_str()) {
            ("", ".") => "body".to_string(),
            ("", path) => path.to_string(),
            (prefix, ".") => prefix.to_string(),
            (prefix, path) => format!("{prefix}.{path}"),
        };
        ApiError::bad_request(code, field, error.inner().to_string())
    })
}
