//! The typed Cloud API client: one async method per endpoint Cadence calls.
//!
//! Owns the HTTP details (URL building, the token header, timeouts, multipart, the
//! Resumable Upload API's steps) and turns
//! every answer into either the documented type or an [`Error`] with a
//! [`RetryClass`](crate::RetryClass). It does not retry, pace or persist anything:
//! that is the engine's job, which knows the outbox and the clock.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::Url;
use reqwest::multipart::{Form, Part};
use serde::de::DeserializeOwned;

use crate::error::{Error, MetaError, Result, RetryClass, TransportKind, redact};
use crate::limits;
use crate::wire::{
    FILE_OFFSET_HEADER, HeaderHandle, MESSAGING_PRODUCT, MediaUploadResponse, MetaErrorBody,
    PHONE_NUMBER_FIELDS, PhoneNumberInfo, SendMessageResponse, SendTemplateRequest,
    SuccessResponse, TemplateAnalyticsQuery, TemplateAnalyticsResponse, TemplateCreateRequest,
    TemplateCreateResponse, TemplateInfo, TemplateListPage, TemplateListQuery,
    UPLOAD_SESSION_PREFIX, UploadSession, UploadSessionRequest, UploadSessionStatus, UploadedFile,
};

/// The Graph API bearer token: core's [`Secret`](cadence_core::secret::Secret), whose
/// `Debug` and `Display` never show the value, so a logged client or error cannot leak it.
pub type AccessToken = cadence_core::secret::Secret;

/// Meta's Graph API host. The sandbox is reached by giving its own base URL instead.
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";
/// The Graph API version Cadence is written against.
pub const DEFAULT_API_VERSION: &str = "v23.0";
/// How long to wait for a connection before giving up.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole request (connect, send, read the answer) may take.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The template fields a sync needs.
pub const TEMPLATE_LIST_FIELDS: &str = "id,name,language,status,category,parameter_format,\
quality_score,components,rejected_reason,previous_category";
/// A guard against a server whose cursors never end: no WABA has this many pages.
const MAX_TEMPLATE_PAGES: usize = 1_000;
/// How much of a non-Meta error body is kept for the log.
const BODY_EXCERPT_CHARS: usize = 300;

/// Settings for a [`Client`]; start with [`Client::builder`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    token: AccessToken,
    base_url: String,
    api_version: String,
    connect_timeout: Duration,
    request_timeout: Duration,
}

impl ClientBuilder {
    /// `https://graph.facebook.com` by default; the sandbox passes `http://127.0.0.1:PORT`.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// A Graph API version such as `v23.0`.
    pub fn api_version(mut self, api_version: impl Into<String>) -> Self {
        self.api_version = api_version.into();
        self
    }

    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The total time one request may take, connection included.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    pub fn build(self) -> Result<Client> {
        let base_url = Url::parse(&self.base_url)
            .ok()
            .filter(|url| !url.cannot_be_a_base())
            .ok_or(Error::InvalidRequest {
                operation: "build_client",
                reason: "the base URL is not an absolute http(s) URL",
            })?;
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .user_agent(concat!("cadence/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(Error::ClientBuild)?;
        Ok(Client {
            http,
            base_url,
            api_version: self.api_version,
            token: self.token,
        })
    }
}

/// reqwest is built with `rustls-no-provider` so that the lighter `ring` backend is
/// compiled instead of `aws-lc-rs`; rustls then needs a process-wide provider. If
/// another part of the process installed one first, that one is used.
fn install_crypto_provider() {
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
}

/// A Cloud API client for one access token. Cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: Url,
    api_version: String,
    token: AccessToken,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url.as_str())
            .field("api_version", &self.api_version)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Settings with the defaults: Meta's host, [`DEFAULT_API_VERSION`], default timeouts.
    pub fn builder(token: AccessToken) -> ClientBuilder {
        ClientBuilder {
            token,
            base_url: DEFAULT_BASE_URL.to_owned(),
            api_version: DEFAULT_API_VERSION.to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }

    /// A client for Meta's Graph API with every default.
    pub fn new(token: AccessToken) -> Result<Self> {
        Self::builder(token).build()
    }

    pub fn base_url(&self) -> &str {
        self.base_url.as_str()
    }

    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// Submit a template for review (`POST /{WABA_ID}/message_templates`).
    pub async fn create_template(
        &self,
        waba_id: &str,
        request: &TemplateCreateRequest,
    ) -> Result<TemplateCreateResponse> {
        const OP: &str = "create_template";
        let url = self.url(OP, &[waba_id, "message_templates"])?;
        self.execute(OP, self.http.post(url).json(request)).await
    }

    /// One page of the account's templates, with the fields a sync needs.
    pub async fn list_templates(
        &self,
        waba_id: &str,
        query: &TemplateListQuery,
    ) -> Result<TemplateListPage> {
        const OP: &str = "list_templates";
        let url = self.url(OP, &[waba_id, "message_templates"])?;
        let mut params: Vec<(&str, String)> = vec![("fields", TEMPLATE_LIST_FIELDS.to_owned())];
        if let Some(limit) = query.limit {
            params.push(("limit", limit.to_string()));
        }
        if let Some(after) = &query.after {
            params.push(("after", after.clone()));
        }
        if let Some(name) = &query.name {
            params.push(("name", name.clone()));
        }
        self.execute(OP, self.http.get(url).query(&params)).await
    }

    /// Every template of the account, following the `after` cursor page by page.
    pub async fn list_all_templates(
        &self,
        waba_id: &str,
        page_size: Option<u32>,
    ) -> Result<Vec<TemplateInfo>> {
        let mut templates = Vec::new();
        let mut query = TemplateListQuery {
            limit: page_size,
            ..TemplateListQuery::default()
        };
        for _ in 0..MAX_TEMPLATE_PAGES {
            let page = self.list_templates(waba_id, &query).await?;
            let next = page.next_cursor().map(str::to_owned);
            templates.extend(page.data);
            match next {
                // A cursor that does not move would loop forever: treat it as the end.
                Some(cursor) if query.after.as_deref() != Some(cursor.as_str()) => {
                    query.after = Some(cursor);
                }
                _ => break,
            }
        }
        Ok(templates)
    }

    /// Delete a template by name (every language), or one language by its `hsm_id`.
    pub async fn delete_template(
        &self,
        waba_id: &str,
        name: &str,
        hsm_id: Option<&str>,
    ) -> Result<SuccessResponse> {
        const OP: &str = "delete_template";
        let url = self.url(OP, &[waba_id, "message_templates"])?;
        let mut params = vec![("name", name)];
        if let Some(id) = hsm_id {
            params.push(("hsm_id", id));
        }
        self.execute(OP, self.http.delete(url).query(&params)).await
    }

    /// Upload media to send by id (`POST /{PHONE_NUMBER_ID}/media`, multipart).
    pub async fn upload_media(
        &self,
        phone_number_id: &str,
        bytes: Vec<u8>,
        mime_type: &str,
        file_name: &str,
    ) -> Result<MediaUploadResponse> {
        const OP: &str = "upload_media";
        let url = self.url(OP, &[phone_number_id, "media"])?;
        let file = Part::bytes(bytes)
            .file_name(file_name.to_owned())
            .mime_str(mime_type)
            .map_err(|_| Error::InvalidRequest {
                operation: OP,
                reason: "the MIME type is not valid",
            })?;
        let form = Form::new()
            .text("messaging_product", MESSAGING_PRODUCT)
            .text("type", mime_type.to_owned())
            .part("file", file);
        self.execute(OP, self.http.post(url).multipart(form)).await
    }

    /// Upload the sample a media header needs and return its handle for
    /// `example.header_handle`, through the Resumable Upload API of the app `app_id`:
    /// start a session, send the bytes, and if that send gets no answer (a transport
    /// error: timeout, dropped connection, 5xx without Meta's body) ask the session how
    /// many bytes arrived and send the rest, once. The type and size are checked here
    /// first ([`limits::HEADER_EXAMPLE_TYPES`]), so a file Meta would refuse costs no call.
    pub async fn upload_header_example(
        &self,
        app_id: &str,
        bytes: Vec<u8>,
        mime_type: &str,
        file_name: &str,
    ) -> Result<HeaderHandle> {
        const OP: &str = "upload_header_example";
        let invalid = |reason| Error::InvalidRequest {
            operation: OP,
            reason,
        };
        let max_bytes = limits::header_example_max_bytes(mime_type).ok_or(invalid(
            "a header example is a JPEG or PNG image, an MP4 video or a PDF document",
        ))?;
        if bytes.is_empty() {
            return Err(invalid("the file is empty"));
        }
        let file_length = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if file_length > max_bytes {
            return Err(invalid(
                "the file is larger than Meta allows for a header example of its type",
            ));
        }
        if file_name.trim().is_empty() {
            return Err(invalid("the file needs a name"));
        }
        let request = UploadSessionRequest {
            file_name: file_name.to_owned(),
            file_length,
            file_type: mime_type.trim().to_ascii_lowercase(),
        };
        let session = self.create_upload_session(app_id, &request).await?;
        // `Bytes`: the resume below sends a slice of the same buffer, without a copy.
        let bytes = Bytes::from(bytes);
        let first = self.upload_chunk(&session.id, 0, bytes.clone()).await;
        match first {
            Ok(uploaded) => Ok(uploaded.h),
            // No answer: some, all or none of the bytes may have arrived. The session
            // knows; a blind resend from 0 would be refused for its offset.
            Err(error) if error.retry_class() == RetryClass::Transport => {
                let status = self.upload_session_status(&session.id).await?;
                let offset = usize::try_from(status.file_offset)
                    .ok()
                    .filter(|offset| *offset <= bytes.len())
                    .ok_or(invalid(
                        "the upload session reports more bytes than the file has",
                    ))?;
                let rest = bytes.slice(offset..);
                let uploaded = self
                    .upload_chunk(&session.id, status.file_offset, rest)
                    .await?;
                Ok(uploaded.h)
            }
            Err(error) => Err(error),
        }
    }

    /// Start a Resumable Upload session for one file (`POST /{APP_ID}/uploads`). The
    /// token goes in the `Authorization` header (Meta's example puts it in the query,
    /// where it would end up in logged URLs).
    pub async fn create_upload_session(
        &self,
        app_id: &str,
        request: &UploadSessionRequest,
    ) -> Result<UploadSession> {
        const OP: &str = "create_upload_session";
        let url = self.url(OP, &[app_id, "uploads"])?;
        let params = [
            ("file_name", request.file_name.clone()),
            ("file_length", request.file_length.to_string()),
            ("file_type", request.file_type.clone()),
        ];
        let session: UploadSession = self
            .execute_as(OP, Auth::OAuth, self.http.post(url).query(&params))
            .await?;
        // Checked now, so a malformed id fails here rather than as a strange URL later.
        self.upload_session_url(OP, &session.id)?;
        Ok(session)
    }

    /// Send a file's bytes from `file_offset` to an upload session (`POST
    /// /upload:<SESSION>`, with the `file_offset` header); the handle comes back once
    /// the file is complete.
    pub async fn upload_file_data(
        &self,
        session_id: &str,
        file_offset: u64,
        chunk: Vec<u8>,
    ) -> Result<UploadedFile> {
        self.upload_chunk(session_id, file_offset, Bytes::from(chunk))
            .await
    }

    /// How many bytes an upload session holds (`GET /upload:<SESSION>`).
    pub async fn upload_session_status(&self, session_id: &str) -> Result<UploadSessionStatus> {
        const OP: &str = "upload_session_status";
        let url = self.upload_session_url(OP, session_id)?;
        self.execute_as(OP, Auth::OAuth, self.http.get(url)).await
    }

    async fn upload_chunk(
        &self,
        session_id: &str,
        file_offset: u64,
        chunk: Bytes,
    ) -> Result<UploadedFile> {
        const OP: &str = "upload_file_data";
        let url = self.upload_session_url(OP, session_id)?;
        let request = self
            .http
            .post(url)
            .header(FILE_OFFSET_HEADER, file_offset.to_string())
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(chunk);
        self.execute_as(OP, Auth::OAuth, request).await
    }

    /// `{base}/{version}/upload:<SESSION>?<its query>`: the session id is Meta's, used
    /// verbatim (its `?sig=` is part of it), but it may only ever name one path segment.
    fn upload_session_url(&self, operation: &'static str, session_id: &str) -> Result<Url> {
        let (path, query) = match session_id.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (session_id, None),
        };
        let well_formed = path.len() > UPLOAD_SESSION_PREFIX.len()
            && path.starts_with(UPLOAD_SESSION_PREFIX)
            && !path.contains('/')
            && !session_id.contains('#');
        if !well_formed {
            return Err(Error::InvalidRequest {
                operation,
                reason: "not an upload session id (upload:…)",
            });
        }
        let mut url = self.url(operation, &[path])?;
        url.set_query(query);
        Ok(url)
    }

    /// Send one template message (`POST /{PHONE_NUMBER_ID}/messages`).
    pub async fn send_template(
        &self,
        phone_number_id: &str,
        request: &SendTemplateRequest,
    ) -> Result<SendMessageResponse> {
        const OP: &str = "send_template";
        let url = self.url(OP, &[phone_number_id, "messages"])?;
        self.execute(OP, self.http.post(url).json(request)).await
    }

    /// The phone number's quality rating, throughput and messaging limit.
    pub async fn phone_number_info(&self, phone_number_id: &str) -> Result<PhoneNumberInfo> {
        const OP: &str = "phone_number_info";
        let url = self.url(OP, &[phone_number_id])?;
        let request = self.http.get(url).query(&[("fields", PHONE_NUMBER_FIELDS)]);
        self.execute(OP, request).await
    }

    /// Daily sent / delivered / read / clicked counts per template (90 days back at most).
    pub async fn template_analytics(
        &self,
        waba_id: &str,
        query: &TemplateAnalyticsQuery,
    ) -> Result<TemplateAnalyticsResponse> {
        const OP: &str = "template_analytics";
        if query.template_ids.is_empty()
            || query.template_ids.len() > limits::ANALYTICS_MAX_TEMPLATE_IDS
        {
            return Err(Error::InvalidRequest {
                operation: OP,
                reason: "template_analytics takes between 1 and 10 template ids",
            });
        }
        if !query
            .template_ids
            .iter()
            .all(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(Error::InvalidRequest {
                operation: OP,
                reason: "template ids are numeric",
            });
        }
        let url = self.url(OP, &[waba_id, "template_analytics"])?;
        // Meta takes the ids as a JSON array of numbers: `template_ids=[1,2]`.
        let ids = format!("[{}]", query.template_ids.join(","));
        let params = [
            ("start", query.start.to_string()),
            ("end", query.end.to_string()),
            ("granularity", "DAILY".to_owned()),
            ("template_ids", ids),
        ];
        self.execute(OP, self.http.get(url).query(&params)).await
    }

    /// `{base}/{version}/{segments…}`, each segment percent-encoded so that an id
    /// can never change the path.
    fn url(&self, operation: &'static str, segments: &[&str]) -> Result<Url> {
        let mut url = self.base_url.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|()| Error::InvalidRequest {
                    operation,
                    reason: "the base URL cannot take a path",
                })?;
            path.pop_if_empty().push(&self.api_version).extend(segments);
        }
        Ok(url)
    }

    async fn execute<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<T> {
        self.execute_as(operation, Auth::Bearer, request).await
    }

    async fn execute_as<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        auth: Auth,
        request: reqwest::RequestBuilder,
    ) -> Result<T> {
        let secret = self.token.expose();
        let scheme = match auth {
            Auth::Bearer => "Bearer",
            Auth::OAuth => "OAuth",
        };
        let mut authorization =
            reqwest::header::HeaderValue::try_from(format!("{scheme} {secret}")).map_err(|_| {
                Error::InvalidRequest {
                    operation,
                    reason: "the access token holds characters a header cannot carry",
                }
            })?;
        authorization.set_sensitive(true);
        let response = request
            .header(reqwest::header::AUTHORIZATION, authorization)
            .send()
            .await
            .map_err(|source| transport(operation, source))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|source| transport(operation, source))?;
        if status.is_success() {
            return serde_json::from_slice(&body)
                .map_err(|source| Error::Decode { operation, source });
        }
        match serde_json::from_slice::<MetaErrorBody>(&body) {
            Ok(meta) => Err(Error::Meta(Box::new(MetaError::from_body(
                operation,
                status.as_u16(),
                meta,
                secret,
            )))),
            Err(_) => Err(Error::Http {
                operation,
                status: status.as_u16(),
                body_excerpt: excerpt(&body, secret),
            }),
        }
    }
}

/// How the token is presented: `Bearer` for the Cloud API, `OAuth` where Meta's
/// Resumable Upload API documents it.
#[derive(Debug, Clone, Copy)]
enum Auth {
    Bearer,
    OAuth,
}

fn transport(operation: &'static str, source: reqwest::Error) -> Error {
    let kind = if source.is_timeout() {
        TransportKind::Timeout
    } else if source.is_connect() {
        TransportKind::Connect
    } else {
        TransportKind::Other
    };
    Error::Transport {
        operation,
        kind,
        source,
    }
}

/// The start of a body as text, token scrubbed.
fn excerpt(body: &[u8], secret: &str) -> String {
    let text = String::from_utf8_lossy(body);
    let cut: String = text.chars().take(BODY_EXCERPT_CHARS).collect();
    redact(&cut, secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> Client {
        Client::builder(AccessToken::new("EAAGtoken"))
            .base_url(base)
            .build()
            .unwrap()
    }

    #[test]
    fn urls_carry_the_version_and_encode_ids() {
        let c = client("http://127.0.0.1:9/");
        assert_eq!(
            c.url("t", &["123", "messages"]).unwrap().as_str(),
            "http://127.0.0.1:9/v23.0/123/messages",
            "the version goes first, as in every Graph API path"
        );
        assert_eq!(
            c.url("t", &["../x?y", "messages"]).unwrap().as_str(),
            "http://127.0.0.1:9/v23.0/..%2Fx%3Fy/messages",
            "an id must never change the path or add a query"
        );
        let prefixed = client("http://127.0.0.1:9/graph");
        assert_eq!(
            prefixed.url("t", &["1"]).unwrap().as_str(),
            "http://127.0.0.1:9/graph/v23.0/1",
            "a base URL with a path prefix keeps it"
        );
    }

    #[test]
    fn upload_session_ids_are_used_verbatim_but_stay_one_segment() {
        let c = client("http://127.0.0.1:9");
        assert_eq!(
            c.upload_session_url("t", "upload:MTphdHRhY2htZW50OjE=?sig=ARZq_x")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9/v23.0/upload:MTphdHRhY2htZW50OjE=?sig=ARZq_x",
            "Meta's session id carries its signature as the query string"
        );
        for bad in [
            "upload:",
            "media:1",
            "upload:a/../b",
            "upload:a#x",
            "../upload:a",
        ] {
            assert!(
                c.upload_session_url("t", bad).is_err(),
                "{bad:?} must not become a URL: only an upload session id may"
            );
        }
    }

    #[test]
    fn a_bad_base_url_is_refused_at_build() {
        let err = Client::builder(AccessToken::new("t"))
            .base_url("not a url")
            .build()
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest { .. }),
            "a typo in settings must surface when the client is made: {err}"
        );
    }

    #[test]
    fn debug_hides_the_token() {
        let c = client("http://127.0.0.1:9");
        assert!(
            !format!("{c:?}").contains("EAAGtoken"),
            "clients are logged; the token must not be"
        );
    }
}
