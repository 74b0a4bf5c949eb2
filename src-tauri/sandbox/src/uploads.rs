//! Meta's Resumable Upload API for the profile's app: upload sessions, the byte offset
//! each has reached, and the file handles they issue, which a media header's example
//! must name when its template is created.
//!
//! Pure like the rest of the core: session ids, signatures and handles come from the
//! seed's own stream (one seed, one set of handles; uploading never shifts the
//! simulation's draws), and the bytes are counted, not kept (only their count and type
//! matter to Meta's rules). Checking the app id and the token is the HTTP layer's.
//! Must not depend on the HTTP layer.

use std::collections::{HashMap, VecDeque};

use cadence_whatsapp::limits::header_example_max_bytes;
use cadence_whatsapp::wire::UPLOAD_SESSION_PREFIX;

use crate::error::{Error, Result};
use crate::rng::SeededRng;
use crate::templates::Header;

/// The seed's stream for upload ids and handles (the core uses 1 and 2).
const STREAM_UPLOADS: u64 = 3;
/// Sessions kept; the oldest are forgotten beyond it (their handles stay valid).
const SESSIONS_MAX: usize = 10_000;
/// Handles kept; the oldest stop being accepted beyond it.
const HANDLES_MAX: usize = 100_000;
/// Characters of the random part of a handle (`AR…`), and of a signature.
const HANDLE_TOKEN_CHARS: usize = 40;
const SIGNATURE_CHARS: usize = 17;

/// How far a session got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionStatus {
    /// The id as step 1 answered it, signature included (`upload:…?sig=…`).
    pub id: String,
    pub file_offset: u64,
}

/// The outcome of one step-2 request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// More bytes are expected.
    Partial(SessionStatus),
    /// The whole file is in: its handle.
    Complete { handle: String },
}

#[derive(Debug, Clone)]
struct Session {
    signature: String,
    file_type: String,
    file_length: u64,
    offset: u64,
    handle: Option<String>,
}

/// Every upload session and issued handle of one run.
#[derive(Debug, Clone)]
pub struct Uploads {
    rng: SeededRng,
    sequence: u64,
    /// By the id's path part, `upload:<SESSION>`.
    sessions: HashMap<String, Session>,
    session_order: VecDeque<String>,
    /// Issued handle → the MIME type of its file.
    handles: HashMap<String, String>,
    handle_order: VecDeque<String>,
    /// Armed by the control API: the next step-2 request keeps this many of its bytes,
    /// then its connection drops (what a client must resume from).
    interruption: Option<u64>,
}

impl Uploads {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: SeededRng::fork(seed, STREAM_UPLOADS),
            sequence: 0,
            sessions: HashMap::new(),
            session_order: VecDeque::new(),
            handles: HashMap::new(),
            handle_order: VecDeque::new(),
            interruption: None,
        }
    }

    /// Step 1: a session for a file of `file_length` bytes of `file_type`, given as
    /// the query's text. Answers the id (`upload:<SESSION>?sig=<SIG>`).
    pub fn start(&mut self, file_length: Option<&str>, file_type: Option<&str>) -> Result<String> {
        let file_type = file_type
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| parameter("the parameter file_type is required"))?;
        let max = header_example_max_bytes(file_type).ok_or_else(|| Error::UploadFileType {
            file_type: file_type.to_owned(),
        })?;
        let file_length = file_length
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| parameter("the parameter file_length is required"))?;
        let file_length = file_length
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                parameter(format!(
                    "file_length must be a positive number of bytes, got {file_length:?}"
                ))
            })?;
        if file_length > max {
            return Err(parameter(format!(
                "file_length {file_length} exceeds the {max} bytes a {file_type} header example may have"
            )));
        }
        self.sequence += 1;
        let session = format!(
            "1:attachment:{}:{:016x}",
            self.sequence,
            self.rng.next_u64()
        );
        let key = format!(
            "{UPLOAD_SESSION_PREFIX}{}",
            base64(session.as_bytes(), URL_SAFE)
        );
        let signature = format!("AR{}", self.token(SIGNATURE_CHARS));
        let id = format!("{key}?sig={signature}");
        self.sessions.insert(
            key.clone(),
            Session {
                signature,
                file_type: file_type.to_ascii_lowercase(),
                file_length,
                offset: 0,
                handle: None,
            },
        );
        self.session_order.push_back(key);
        while self.session_order.len() > SESSIONS_MAX {
            if let Some(oldest) = self.session_order.pop_front() {
                self.sessions.remove(&oldest);
            }
        }
        Ok(id)
    }

    /// Whether `key` (`upload:<SESSION>`, no signature) names a session.
    pub fn contains(&self, key: &str) -> bool {
        self.sessions.contains_key(key)
    }

    /// Step 3: how many bytes the session holds. The caller checked it exists.
    pub fn status(&self, key: &str, signature: Option<&str>) -> Result<SessionStatus> {
        let session = self.session(key, signature)?;
        Ok(SessionStatus {
            id: format!("{key}?sig={}", session.signature),
            file_offset: session.offset,
        })
    }

    /// Step 2: `chunk_len` bytes arrived for the session, said to start at the
    /// `file_offset` header's value. Meta takes bytes only where the session stands;
    /// once complete, a request at the end of the file answers the same handle again
    /// (what a client whose completing request lost its answer gets on resuming).
    pub fn append(
        &mut self,
        key: &str,
        signature: Option<&str>,
        file_offset: Option<&str>,
        chunk_len: u64,
    ) -> Result<Progress> {
        self.session(key, signature)?;
        let given = file_offset
            .map(str::trim)
            .ok_or_else(|| parameter("the file_offset header is required"))?;
        let given = given.parse::<u64>().map_err(|_| {
            parameter(format!(
                "the file_offset header must be a number of bytes, got {given:?}"
            ))
        })?;
        let session = self.sessions.get(key).cloned().ok_or_else(|| {
            // Checked just above; kept as an error rather than a panic.
            parameter("the upload session does not exist")
        })?;
        if given != session.offset {
            return Err(Error::UploadOffset {
                given,
                expected: session.offset,
            });
        }
        let offset = session.offset.saturating_add(chunk_len);
        if offset > session.file_length {
            return Err(parameter(format!(
                "the upload would hold {offset} bytes, more than the file_length of {}",
                session.file_length
            )));
        }
        if let Some(handle) = &session.handle {
            return Ok(Progress::Complete {
                handle: handle.clone(),
            });
        }
        let handle = (offset == session.file_length).then(|| self.issue(&session.file_type));
        if let Some(stored) = self.sessions.get_mut(key) {
            stored.offset = offset;
            stored.handle.clone_from(&handle);
        }
        Ok(match handle {
            Some(handle) => Progress::Complete { handle },
            None => Progress::Partial(SessionStatus {
                id: format!("{key}?sig={}", session.signature),
                file_offset: offset,
            }),
        })
    }

    /// The MIME type of the file a handle was issued for.
    pub fn issued_type(&self, handle: &str) -> Option<&str> {
        self.handles.get(handle).map(String::as_str)
    }

    /// Whether a template's header has the example Meta requires: a media header
    /// (image, video, document) names a handle this app issued, for a file that header
    /// can show. Other headers need none.
    pub fn check_example(&self, header: &Header, handles: Option<&[String]>) -> Result<()> {
        let (format, accepts): (&'static str, fn(&str) -> bool) = match header {
            Header::Image => ("IMAGE", |t| t.starts_with("image/")),
            Header::Video => ("VIDEO", |t| t.starts_with("video/")),
            Header::Document => ("DOCUMENT", |t| t == "application/pdf"),
            Header::Text { .. } | Header::Location => return Ok(()),
        };
        let Some(handle) = handles
            .and_then(<[String]>::first)
            .filter(|h| looks_like_handle(h))
        else {
            return Err(Error::MediaExampleMissing { format });
        };
        match self.issued_type(handle) {
            None => Err(Error::MediaHandle {
                format,
                reason: "was not issued by this app's Resumable Upload API (or has been forgotten): upload the sample again".into(),
            }),
            Some(file_type) if !accepts(file_type) => Err(Error::MediaHandle {
                format,
                reason: format!("names a {file_type} file, which a {format} header cannot show"),
            }),
            Some(_) => Ok(()),
        }
    }

    /// Arm the control API's interruption: the next step-2 request keeps at most
    /// `after_bytes` of its body, then loses its connection.
    pub fn interrupt_next(&mut self, after_bytes: u64) {
        self.interruption = Some(after_bytes);
    }

    pub fn interruption(&self) -> Option<u64> {
        self.interruption
    }

    pub fn clear_interruption(&mut self) {
        self.interruption = None;
    }

    /// Sessions kept.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// Handles issued and still accepted.
    pub fn handles(&self) -> usize {
        self.handles.len()
    }

    fn session(&self, key: &str, signature: Option<&str>) -> Result<&Session> {
        let session = self
            .sessions
            .get(key)
            .ok_or_else(|| parameter("the upload session does not exist"))?;
        if signature != Some(session.signature.as_str()) {
            return Err(Error::UploadSignature);
        }
        Ok(session)
    }

    /// A new handle, shaped like Meta's: `4::<base64 of the MIME type>:AR<token>`.
    fn issue(&mut self, file_type: &str) -> String {
        let handle = format!(
            "4::{}:AR{}",
            base64(file_type.as_bytes(), STANDARD),
            self.token(HANDLE_TOKEN_CHARS)
        );
        self.handles.insert(handle.clone(), file_type.to_owned());
        self.handle_order.push_back(handle.clone());
        while self.handle_order.len() > HANDLES_MAX {
            if let Some(oldest) = self.handle_order.pop_front() {
                self.handles.remove(&oldest);
            }
        }
        handle
    }

    /// `chars` characters of the URL-safe base64 alphabet from the seeded stream.
    fn token(&mut self, chars: usize) -> String {
        (0..chars)
            .map(|_| char::from(URL_SAFE[self.rng.index(URL_SAFE.len())]))
            .collect()
    }
}

fn parameter(reason: impl Into<String>) -> Error {
    Error::UploadParameter {
        reason: reason.into(),
    }
}

/// A handle has a numeric version before `::` (`4::…`); anything else (a URL, a
/// `/media` id) is not a handle at all, which Meta answers as a missing example.
fn looks_like_handle(text: &str) -> bool {
    text.split_once("::").is_some_and(|(version, rest)| {
        !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) && !rest.is_empty()
    })
}

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Padded base64 in the given alphabet (a dozen lines, rather than a dependency).
fn base64(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> (&str, &str) {
        let (key, sig) = id.split_once("?sig=").expect("ids carry a signature");
        (key, sig)
    }

    #[test]
    fn base64_matches_metas_handles() {
        assert_eq!(
            base64(b"image/jpeg", STANDARD),
            "aW1hZ2UvanBlZw==",
            "the MIME part of Meta's example handle"
        );
        assert_eq!(base64(b"1:attachment:", STANDARD), "MTphdHRhY2htZW50Og==");
        assert_eq!(base64(b"", STANDARD), "");
        assert_eq!(base64(b"ab", STANDARD), "YWI=");
    }

    #[test]
    fn a_file_uploaded_in_two_parts_gets_a_handle_for_its_type() {
        let mut uploads = Uploads::new(1);
        let id = uploads.start(Some("10"), Some("image/jpeg")).unwrap();
        assert!(id.starts_with("upload:"), "Meta's session ids: {id}");
        let (key, sig) = key(&id);
        assert!(uploads.contains(key));
        assert_eq!(
            uploads.append(key, Some(sig), Some("0"), 4).unwrap(),
            Progress::Partial(SessionStatus {
                id: id.clone(),
                file_offset: 4
            }),
            "a part of the file moves the offset"
        );
        assert_eq!(uploads.status(key, Some(sig)).unwrap().file_offset, 4);
        let Progress::Complete { handle } = uploads.append(key, Some(sig), Some("4"), 6).unwrap()
        else {
            panic!("the last part completes the file");
        };
        assert!(
            handle.starts_with("4::aW1hZ2UvanBlZw==:AR"),
            "handles look like Meta's: {handle}"
        );
        assert_eq!(uploads.issued_type(&handle), Some("image/jpeg"));
        assert_eq!(
            uploads.append(key, Some(sig), Some("10"), 0).unwrap(),
            Progress::Complete {
                handle: handle.clone()
            },
            "a resume after the completing answer was lost gets the same handle"
        );
    }

    #[test]
    fn offsets_signatures_and_parameters_are_checked() {
        let mut uploads = Uploads::new(1);
        let id = uploads.start(Some("3"), Some("application/pdf")).unwrap();
        let (key, sig) = key(&id);
        assert!(matches!(
            uploads.append(key, Some(sig), Some("1"), 2),
            Err(Error::UploadOffset {
                given: 1,
                expected: 0
            })
        ));
        assert!(matches!(
            uploads.append(key, Some("ARwrong"), Some("0"), 3),
            Err(Error::UploadSignature)
        ));
        assert!(matches!(
            uploads.append(key, Some(sig), None, 3),
            Err(Error::UploadParameter { .. })
        ));
        assert!(matches!(
            uploads.append(key, Some(sig), Some("0"), 4),
            Err(Error::UploadParameter { .. })
        ));
        for (length, file_type) in [
            (None, Some("image/png")),
            (Some("0"), Some("image/png")),
            (Some("x"), Some("image/png")),
            (Some("5242881"), Some("image/png")),
            (Some("1"), None),
        ] {
            assert!(
                matches!(
                    uploads.start(length, file_type),
                    Err(Error::UploadParameter { .. })
                ),
                "{length:?} {file_type:?} must be refused"
            );
        }
        assert!(matches!(
            uploads.start(Some("1"), Some("image/webp")),
            Err(Error::UploadFileType { .. })
        ));
    }

    #[test]
    fn one_seed_gives_one_set_of_handles() {
        let run = |seed| {
            let mut uploads = Uploads::new(seed);
            let id = uploads.start(Some("1"), Some("video/mp4")).unwrap();
            let (key, sig) = key(&id);
            let progress = uploads.append(key, Some(sig), Some("0"), 1).unwrap();
            (id, progress)
        };
        assert_eq!(
            run(5),
            run(5),
            "the same seed replays the same ids and handles"
        );
        assert_ne!(run(5), run(6), "another seed gives others");
    }

    #[test]
    fn media_headers_need_a_handle_this_app_issued_for_their_type() {
        let mut uploads = Uploads::new(1);
        let id = uploads.start(Some("1"), Some("image/png")).unwrap();
        let (key, sig) = key(&id);
        let Progress::Complete { handle } = uploads.append(key, Some(sig), Some("0"), 1).unwrap()
        else {
            panic!("one byte completes a one-byte file");
        };
        let ok = [handle.clone()];
        assert!(uploads.check_example(&Header::Image, Some(&ok)).is_ok());
        assert!(
            uploads
                .check_example(&Header::Text { text: "Hi".into() }, None)
                .is_ok(),
            "a text header needs no handle"
        );
        assert!(matches!(
            uploads.check_example(&Header::Image, None),
            Err(Error::MediaExampleMissing { format: "IMAGE" })
        ));
        let url = ["https://example.com/a.png".to_owned()];
        assert!(
            matches!(
                uploads.check_example(&Header::Image, Some(&url)),
                Err(Error::MediaExampleMissing { .. })
            ),
            "a URL is not a handle: Meta says the example is missing"
        );
        let foreign = ["4::aW1hZ2UvcG5n:ARnotissuedhere".to_owned()];
        assert!(matches!(
            uploads.check_example(&Header::Image, Some(&foreign)),
            Err(Error::MediaHandle { .. })
        ));
        assert!(
            matches!(
                uploads.check_example(&Header::Video, Some(&ok)),
                Err(Error::MediaHandle { .. })
            ),
            "an image cannot be a video header's example"
        );
    }
}
