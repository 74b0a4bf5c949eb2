//! The Resumable Upload API, which issues the `header_handle` a media header's example
//! needs when a template is created (`/{PHONE_NUMBER_ID}/media` ids are for sending and
//! are not accepted there).
//!
//! 1. `POST /{version}/{APP_ID}/uploads?file_name=…&file_length=…&file_type=…` starts a
//!    session: `{"id": "upload:<SESSION>?sig=<SIG>"}`.
//! 2. `POST /{version}/upload:<SESSION>?sig=<SIG>` with the headers
//!    `Authorization: OAuth <TOKEN>` and `file_offset: <N>`, the file's bytes from `N`
//!    as the body: `{"h": "<HANDLE>"}` once the whole file is in.
//! 3. `GET /{version}/upload:<SESSION>?sig=<SIG>` (same `Authorization`) tells how far an
//!    interrupted upload got: `{"id": "upload:…", "file_offset": N}`.
//!
//! The session id is used verbatim: Meta's carries its signature as a query string.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::lenient;

/// The header that says where in the file a step-2 body starts. Meta reads it only as
/// a header, never as a query parameter.
pub const FILE_OFFSET_HEADER: &str = "file_offset";

/// What every upload session id starts with.
pub const UPLOAD_SESSION_PREFIX: &str = "upload:";

/// Step 1's query: the file to come. (The token travels in the `Authorization` header.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadSessionRequest {
    pub file_name: String,
    /// The whole file's size in bytes.
    pub file_length: u64,
    /// Its MIME type: one of [`crate::limits::HEADER_EXAMPLE_TYPES`].
    pub file_type: String,
}

/// Step 1's answer: the session id (`upload:…`, possibly with `?sig=…`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadSession {
    pub id: String,
}

/// Step 2's answer once the file is complete: the handle to put in
/// `example.header_handle`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedFile {
    pub h: HeaderHandle,
}

/// Step 3's answer: how many bytes of the file Meta holds, so an interrupted upload
/// resumes from there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadSessionStatus {
    pub id: String,
    #[serde(deserialize_with = "lenient::uint")]
    pub file_offset: u64,
}

/// An uploaded file's handle (`4::aW1hZ2UvanBlZw==:ARb…`): the example a media header
/// must carry when its template is created. It names sample media for review only; a
/// send still gives its own media by id or link.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HeaderHandle(String);

impl HeaderHandle {
    pub fn new(handle: impl Into<String>) -> Self {
        Self(handle.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for HeaderHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<HeaderHandle> for super::HeaderMediaExample {
    fn from(handle: HeaderHandle) -> Self {
        Self {
            header_handle: vec![handle.into_string()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_read_as_documented() {
        let session: UploadSession = serde_json::from_value(json!({
            "id": "upload:MTphdHRhY2htZW50OjE=?sig=ARZqkGCA_uQMxC8nHKI"
        }))
        .unwrap();
        assert!(
            session.id.starts_with(UPLOAD_SESSION_PREFIX),
            "step 1 answers the session id"
        );
        let status: UploadSessionStatus =
            serde_json::from_value(json!({"id": session.id, "file_offset": "42"})).unwrap();
        assert_eq!(
            status.file_offset, 42,
            "an offset given as a string still reads (Graph numbers vary)"
        );
        let uploaded: UploadedFile =
            serde_json::from_value(json!({"h": "4::aW1hZ2UvanBlZw==:ARbx"})).unwrap();
        let example: super::super::HeaderMediaExample = uploaded.h.into();
        assert_eq!(
            serde_json::to_value(example).unwrap(),
            json!({"header_handle": ["4::aW1hZ2UvanBlZw==:ARbx"]}),
            "a handle becomes the media header's example as Meta documents it"
        );
    }
}
