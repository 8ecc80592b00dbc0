//! Request bodies: JSON into the protocol's types, or a 400 naming the field that was wrong
//! (DESIGN §7), for every handler that reads a body.

use crate::error::ApiError;

/// A JSON body, or a 400 naming the path at which it went wrong (`prefix` goes before it).
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8], prefix: &str) -> Result<T, ApiError> {
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
        ApiError::bad_request("malformed_request", field, error.inner().to_string())
    })
}
