//! Meta's Graph API paths, as `cadence_whatsapp`'s client calls them:
//! `/{version}/{WABA_ID}/message_templates` (create, list, delete),
//! `/{version}/{PHONE_NUMBER_ID}/messages`, `/{version}/{PHONE_NUMBER_ID}/media`,
//! `/{version}/{PHONE_NUMBER_ID}`, `/{version}/{WABA_ID}/template_analytics`, and the
//! Resumable Upload API: `/{version}/{APP_ID}/uploads` and `/{version}/upload:<SESSION>`
//! (POST the bytes, GET the offset reached).
//!
//! Owns the translation between `cadence_whatsapp::wire` and the core's plain values,
//! Meta's error body, the bearer token check and the injected faults (latency, 5xx,
//! timeouts, dropped connections). The rules themselves are the core's.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Extension;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cadence_whatsapp::wire::{
    BodyComponent, ButtonsComponent, Cursors, FILE_OFFSET_HEADER, FooterComponent, HeaderComponent,
    HeaderHandle, ListedComponent, MESSAGING_PRODUCT, MediaUploadResponse, MessageAcceptance,
    MessagingLimitTier, MetaErrorBody, MetaErrorData, MetaErrorDetail, Paging, PhoneNumberInfo,
    QualityRating, QualityScore, SendComponent, SendMessageResponse, SendParameter,
    SendTemplateRequest, SentContact, SentMessage, SuccessResponse, TemplateButton,
    TemplateComponent, TemplateCreateRequest, TemplateCreateResponse, TemplateInfo, Throughput,
    ThroughputLevel, UPLOAD_SESSION_PREFIX, UploadSession, UploadSessionStatus, UploadedFile,
};
use serde::Deserialize;
use serde_json::Value;

use super::App;
use super::server::ConnectionCut;
use crate::calls::CallScope;
use crate::error::{Error, MetaError};
use crate::fault::Fault;
use crate::limits::code;
use crate::profile::MessagingTier;
use crate::sandbox::TemplateView;
use crate::send::{ButtonParameter, Parameter, ParameterValue, SendRequest};
use crate::templates::{Button, Category, Component, Header, ParameterFormat, TemplateDraft};
use crate::uploads::Progress;
use crate::webhook_body::{category_uppercase, quality};

/// Latency injected by a profile is capped, so a typo cannot hang a test run.
const LATENCY_MAX: Duration = Duration::from_secs(10);
/// A "timeout" fault holds the request at most this long, then closes it.
const TIMEOUT_HANG_MAX: Duration = Duration::from_secs(30);
/// Templates per page when the request gives no `limit` (Meta's default).
const PAGE_SIZE_DEFAULT: usize = 25;
const PAGE_SIZE_MAX: usize = 1_000;
/// Meta's size limits for uploaded media (from `cadence_whatsapp::limits`); documents
/// (100 MB at Meta) are capped like videos because the sandbox keeps uploads in memory.
const IMAGE_BYTES_MAX: usize = cadence_whatsapp::limits::IMAGE_HEADER_MAX_BYTES as usize;
const VIDEO_AUDIO_BYTES_MAX: usize = cadence_whatsapp::limits::VIDEO_HEADER_MAX_BYTES as usize;
const DOCUMENT_BYTES_MAX: usize = VIDEO_AUDIO_BYTES_MAX;
/// The whole multipart body: the largest file plus room for the other fields.
const MEDIA_BODY_MAX: usize = VIDEO_AUDIO_BYTES_MAX + 64 * 1024;
/// Uploaded media kept in all; the oldest are forgotten beyond it.
const MEDIA_STORE_BYTES_MAX: usize = 64 * 1024 * 1024;
/// A Resumable Upload data request: the largest header example (a PDF) and a margin, so
/// that a too-long body is refused by the session's own check with Meta's error.
const UPLOAD_BODY_MAX: usize =
    cadence_whatsapp::limits::DOCUMENT_HEADER_MAX_BYTES as usize + 64 * 1024;
/// Meta's code for a media upload that failed (too large, wrong type).
const MEDIA_UPLOAD_ERROR: u32 = 131053;
/// Meta's subcode for an id that does not exist (or is not reachable with the token).
const SUBCODE_UNKNOWN_OBJECT: u32 = 33;

/// `fbtrace_id`s: a process-wide counter, not the seeded stream, so that answering an
/// error never changes the simulation.
static TRACE_SEQ: AtomicU64 = AtomicU64::new(0);

/// Meta's error answer: status line and `{"error":{…}}` body.
#[derive(Debug)]
pub(crate) struct ApiError {
    meta: MetaError,
    error_type: &'static str,
}

impl ApiError {
    pub(crate) fn new(code: u32, details: impl Into<String>) -> Self {
        MetaError::new(code, details).into()
    }

    fn invalid(details: impl Into<String>) -> Self {
        Self::new(code::INVALID_PARAMETER, details)
    }

    /// `(#100) Unsupported get request. Object with ID … does not exist` (subcode 33).
    fn unknown_object(method: &Method, id: &str) -> Self {
        let message = format!(
            "Unsupported {} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
            method.as_str().to_ascii_lowercase()
        );
        Self {
            meta: MetaError {
                http_status: 400,
                code: code::INVALID_PARAMETER,
                subcode: Some(SUBCODE_UNKNOWN_OBJECT),
                title: message.clone(),
                details: message,
            },
            // Meta's type for this one: the method, not the token, is the problem.
            error_type: "GraphMethodException",
        }
    }
}

impl From<MetaError> for ApiError {
    fn from(meta: MetaError) -> Self {
        Self {
            meta,
            error_type: "OAuthException",
        }
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        error.meta().into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let trace = TRACE_SEQ.fetch_add(1, Ordering::Relaxed) + 1;
        let body = MetaErrorBody {
            error: MetaErrorDetail {
                message: self.meta.title,
                error_type: Some(self.error_type.to_owned()),
                code: i64::from(self.meta.code),
                error_subcode: self.meta.subcode.map(i64::from),
                error_data: Some(MetaErrorData {
                    messaging_product: Some(MESSAGING_PRODUCT.to_owned()),
                    details: Some(self.meta.details),
                }),
                fbtrace_id: Some(format!("SbxTrace{trace:08X}")),
            },
        };
        let status = StatusCode::from_u16(self.meta.http_status)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(body)).into_response()
    }
}

type ApiResult<T> = Result<T, ApiError>;

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route(
            "/{version}/{id}/message_templates",
            get(list_templates)
                .post(create_template)
                .delete(delete_template),
        )
        .route("/{version}/{id}/messages", post(send_message))
        .route(
            "/{version}/{id}/media",
            post(upload_media).layer(DefaultBodyLimit::max(MEDIA_BODY_MAX)),
        )
        .route(
            "/{version}/{id}",
            get(phone_number)
                .post(upload_file_data)
                .layer(DefaultBodyLimit::max(UPLOAD_BODY_MAX)),
        )
        .route("/{version}/{id}/uploads", post(create_upload_session))
        .route(
            "/{version}/{id}/template_analytics",
            get(template_analytics),
        )
        .route_layer(middleware::from_fn_with_state(app.clone(), gate))
        .with_state(app)
}

/// Every Graph call: the version prefix, the bearer token, then the profile's faults.
async fn gate(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let version = request.uri().path().split('/').nth(1).unwrap_or_default();
    if !is_graph_version(version) {
        return ApiError::invalid(format!("Unknown path components: /{version}")).into_response();
    }
    // Meta takes an upload session's token only from the header ("it cannot work as a
    // query parameter"); elsewhere `?access_token=` works too.
    let upload_session = request
        .uri()
        .path()
        .split('/')
        .nth(2)
        .is_some_and(is_upload_session);
    let token = header_token(request.headers()).or_else(|| {
        (!upload_session)
            .then(|| query_token(request.uri().query()))
            .flatten()
    });
    let authorised = app.with_sim(|state, _| {
        state
            .sandbox
            .check_access_token(token.as_deref().unwrap_or(""))
    });
    if let Err(error) = authorised {
        return ApiError::from(error).into_response();
    }
    // Meta counts a call against its rate limits once it knows whose call it is, and
    // before doing anything with it.
    if let Some(scope) = call_scope(&app, request.method(), request.uri().path()) {
        let counted = app.with_sim(|state, now| state.sandbox.count_api_call(now, scope));
        if let Err(error) = counted {
            return ApiError::from(error).into_response();
        }
    }
    let decision = app.with_sim(|state, _| state.sandbox.decide_fault());
    if !decision.latency.is_zero() && !pause(&app, decision.latency.min(LATENCY_MAX)).await {
        return ApiError::new(code::SERVICE_UNAVAILABLE, "the sandbox is shutting down")
            .into_response();
    }
    let cut = request.extensions().get::<ConnectionCut>().cloned();
    match decision.fault {
        Fault::None => next.run(request).await,
        Fault::ServerError { error } => ApiError::from(error).into_response(),
        Fault::Timeout { hang, processed } => {
            if processed {
                let _ignored_answer = next.run(request).await;
            }
            pause(&app, hang.min(TIMEOUT_HANG_MAX)).await;
            close_without_answer(cut).await
        }
        Fault::DroppedConnection { processed } => {
            if processed {
                let _ignored_answer = next.run(request).await;
            }
            close_without_answer(cut).await
        }
    }
}

/// Whose hourly budget a Graph call spends, by the node it addresses: the WABA and its
/// phone number's settings (the WhatsApp Business Management API) or the app (the
/// Resumable Upload API). Message sends and media (`/{PHONE}/messages`, `/media`,
/// `GET /{MEDIA_ID}`) spend none: throughput and the messaging tier govern them.
fn call_scope(app: &App, method: &Method, path: &str) -> Option<CallScope> {
    let mut segments = path.split('/').skip(2);
    let id = segments.next()?;
    let edge = segments.next();
    let account = &app.profile.account;
    if id == account.waba_id {
        Some(CallScope::Waba)
    } else if id == account.phone_number_id {
        (edge.is_none() && method == Method::GET).then_some(CallScope::Waba)
    } else if id == account.app_id || is_upload_session(id) {
        Some(CallScope::App)
    } else {
        None
    }
}

/// Sleep, unless shutdown comes first; whether the whole pause passed.
async fn pause(app: &App, duration: Duration) -> bool {
    let mut shutdown = app.shutdown.clone();
    tokio::select! {
        _ = tokio::time::sleep(duration) => true,
        _ = super::stopped(&mut shutdown) => false,
    }
}

/// Close the connection this request came on. The connection task drops this very
/// future with the socket, so nothing after the cut ever runs.
async fn close_without_answer(cut: Option<ConnectionCut>) -> Response {
    match cut {
        Some(cut) => {
            cut.cut();
            std::future::pending::<Response>().await
        }
        // Served outside the connection loop (not the case today): the closest answer.
        None => StatusCode::BAD_GATEWAY.into_response(),
    }
}

/// `v23.0`: a `v`, digits, a dot, digits.
fn is_graph_version(segment: &str) -> bool {
    let Some(number) = segment.strip_prefix('v') else {
        return false;
    };
    let mut parts = number.split('.');
    let is_digits = |part: Option<&str>| {
        part.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    is_digits(parts.next()) && is_digits(parts.next()) && parts.next().is_none()
}

/// `Authorization: Bearer <token>` (the Cloud API) or `OAuth <token>` (the Graph API's
/// older form, which the Resumable Upload API documents).
fn header_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        .then(|| token.trim().to_owned())
}

/// `upload:<SESSION>` as a path segment (the `:` possibly percent-encoded).
fn is_upload_session(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    lower.starts_with(UPLOAD_SESSION_PREFIX) || lower.starts_with("upload%3a")
}

/// Meta also takes the token as `?access_token=`.
fn query_token(query: Option<&str>) -> Option<String> {
    #[derive(Deserialize)]
    struct TokenQuery {
        access_token: Option<String>,
    }
    let query: Query<TokenQuery> =
        Query::try_from_uri(&format!("/?{}", query.unwrap_or_default()).parse().ok()?).ok()?;
    query.0.access_token
}

fn bad_query(rejection: QueryRejection) -> ApiError {
    ApiError::invalid(format!("invalid query: {rejection}"))
}

fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(body)
        .map_err(|error| ApiError::invalid(format!("invalid body: {error}")))
}

fn check_waba(app: &App, method: &Method, id: &str) -> ApiResult<()> {
    if id == app.profile.account.waba_id {
        Ok(())
    } else {
        Err(ApiError::unknown_object(method, id))
    }
}

fn check_phone(app: &App, method: &Method, id: &str) -> ApiResult<()> {
    if id == app.profile.account.phone_number_id {
        Ok(())
    } else {
        Err(ApiError::unknown_object(method, id))
    }
}

/// Keep only the `fields` asked for (and `id`, which Meta always includes).
fn select_fields(mut value: Value, fields: Option<&str>) -> Value {
    let Some(fields) = fields.filter(|f| !f.trim().is_empty()) else {
        return value;
    };
    let wanted: Vec<&str> = fields.split(',').map(str::trim).collect();
    if let Value::Object(map) = &mut value {
        map.retain(|key, _| key == "id" || wanted.contains(&key.as_str()));
    }
    value
}

// ----- templates -----

async fn create_template(
    State(app): State<Arc<App>>,
    method: Method,
    Path((_version, waba_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Json<TemplateCreateResponse>> {
    check_waba(&app, &method, &waba_id)?;
    let request: TemplateCreateRequest = parse_json(&body)?;
    let examples = media_examples(&request);
    let draft = draft_from_wire(request)?;
    let view = app.with_sim(|state, now| {
        // Meta refuses the create itself when a media header's example is missing or
        // is not a handle its Resumable Upload API issued (it never reaches review).
        for (header, handles) in &examples {
            state.uploads.check_example(header, handles.as_deref())?;
        }
        state.sandbox.create_template(now, draft)
    })?;
    Ok(Json(TemplateCreateResponse {
        id: view.id.to_string(),
        status: status_to_wire(&view),
        category: cadence_whatsapp::wire::Category::from_wire(category_uppercase(view.category)),
    }))
}

/// Each media header of a create request with the handles its example names.
fn media_examples(request: &TemplateCreateRequest) -> Vec<(Header, Option<Vec<String>>)> {
    request
        .components
        .iter()
        .filter_map(|component| {
            let TemplateComponent::Header(header) = component else {
                return None;
            };
            let (kind, example) = match header {
                HeaderComponent::Image { example } => (Header::Image, example),
                HeaderComponent::Video { example } => (Header::Video, example),
                HeaderComponent::Document { example } => (Header::Document, example),
                HeaderComponent::Text { .. } | HeaderComponent::Location => return None,
            };
            Some((
                kind,
                example
                    .as_ref()
                    .map(|example| example.header_handle.clone()),
            ))
        })
        .collect()
}

fn draft_from_wire(request: TemplateCreateRequest) -> ApiResult<TemplateDraft> {
    use cadence_whatsapp::wire::{Category as WireCategory, ParameterFormat as WireFormat};
    let category = match request.category {
        WireCategory::Marketing => Category::Marketing,
        WireCategory::Utility => Category::Utility,
        WireCategory::Authentication => Category::Authentication,
        WireCategory::Other(other) => {
            return Err(ApiError::invalid(format!("unknown category {other:?}")));
        }
    };
    let parameter_format = match request.parameter_format {
        WireFormat::Positional => ParameterFormat::Positional,
        WireFormat::Named => ParameterFormat::Named,
        WireFormat::Other(other) => {
            return Err(ApiError::invalid(format!(
                "unknown parameter_format {other:?}"
            )));
        }
    };
    let components = request
        .components
        .into_iter()
        .map(|component| match component {
            TemplateComponent::Header(header) => Component::Header(match header {
                HeaderComponent::Text { text, .. } => Header::Text { text },
                HeaderComponent::Image { .. } => Header::Image,
                HeaderComponent::Video { .. } => Header::Video,
                HeaderComponent::Document { .. } => Header::Document,
                HeaderComponent::Location => Header::Location,
            }),
            TemplateComponent::Body(BodyComponent { text, .. }) => Component::Body { text },
            TemplateComponent::Footer(FooterComponent { text }) => Component::Footer { text },
            TemplateComponent::Buttons(ButtonsComponent { buttons }) => Component::Buttons {
                buttons: buttons
                    .into_iter()
                    .map(|button| match button {
                        TemplateButton::QuickReply { text } => Button::QuickReply { text },
                        TemplateButton::Url { text, url, .. } => Button::Url { text, url },
                        TemplateButton::PhoneNumber { text, phone_number } => {
                            Button::PhoneNumber { text, phone_number }
                        }
                        TemplateButton::CopyCode { example } => Button::CopyCode { example },
                    })
                    .collect(),
            },
        })
        .collect();
    Ok(TemplateDraft {
        name: request.name,
        language: request.language,
        category,
        parameter_format,
        components,
    })
}

fn status_to_wire(view: &TemplateView) -> cadence_whatsapp::wire::TemplateStatus {
    let text = serde_json::to_value(view.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    cadence_whatsapp::wire::TemplateStatus::from_wire(&text)
}

fn components_to_wire(draft: &TemplateDraft) -> Vec<ListedComponent> {
    draft
        .components
        .iter()
        .map(|component| {
            ListedComponent::Known(match component {
                Component::Header(header) => TemplateComponent::Header(match header {
                    Header::Text { text } => HeaderComponent::Text {
                        text: text.clone(),
                        example: None,
                    },
                    Header::Image => HeaderComponent::Image { example: None },
                    Header::Video => HeaderComponent::Video { example: None },
                    Header::Document => HeaderComponent::Document { example: None },
                    Header::Location => HeaderComponent::Location,
                }),
                Component::Body { text } => TemplateComponent::Body(BodyComponent {
                    text: text.clone(),
                    example: None,
                }),
                Component::Footer { text } => {
                    TemplateComponent::Footer(FooterComponent { text: text.clone() })
                }
                Component::Buttons { buttons } => TemplateComponent::Buttons(ButtonsComponent {
                    buttons: buttons
                        .iter()
                        .map(|button| match button.clone() {
                            Button::QuickReply { text } => TemplateButton::QuickReply { text },
                            Button::Url { text, url } => TemplateButton::Url {
                                text,
                                url,
                                example: None,
                            },
                            Button::PhoneNumber { text, phone_number } => {
                                TemplateButton::PhoneNumber { text, phone_number }
                            }
                            Button::CopyCode { example } => TemplateButton::CopyCode { example },
                        })
                        .collect(),
                }),
            })
        })
        .collect()
}

fn template_info(view: &TemplateView, now_seconds: i64) -> TemplateInfo {
    let parameter_format = match view.draft.parameter_format {
        ParameterFormat::Positional => cadence_whatsapp::wire::ParameterFormat::Positional,
        ParameterFormat::Named => cadence_whatsapp::wire::ParameterFormat::Named,
    };
    TemplateInfo {
        id: view.id.to_string(),
        name: view.name.clone(),
        language: view.language.clone(),
        status: status_to_wire(view),
        category: cadence_whatsapp::wire::Category::from_wire(category_uppercase(view.category)),
        parameter_format: Some(parameter_format),
        quality_score: Some(QualityScore {
            score: QualityRating::from_wire(quality(view.quality_score)),
            date: Some(now_seconds),
        }),
        components: components_to_wire(&view.draft),
        rejected_reason: Some(view.rejected_reason.clone()),
        previous_category: None,
    }
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    fields: Option<String>,
    limit: Option<String>,
    after: Option<String>,
    name: Option<String>,
    status: Option<String>,
}

/// Paging cursors are opaque to clients; here they name the last template id seen.
fn cursor(id: u64) -> String {
    format!("c{id:x}")
}

fn parse_cursor(cursor: &str) -> ApiResult<u64> {
    cursor
        .strip_prefix('c')
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .ok_or_else(|| ApiError::invalid(format!("invalid paging cursor {cursor:?}")))
}

async fn list_templates(
    State(app): State<Arc<App>>,
    method: Method,
    Path((version, waba_id)): Path<(String, String)>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    check_waba(&app, &method, &waba_id)?;
    let Query(query) = query.map_err(bad_query)?;
    let limit = match query.limit.as_deref() {
        None => PAGE_SIZE_DEFAULT,
        Some(text) => text
            .parse::<usize>()
            .map_err(|_| ApiError::invalid(format!("limit must be a number, got {text:?}")))?
            .clamp(1, PAGE_SIZE_MAX),
    };
    let after = query.after.as_deref().map(parse_cursor).transpose()?;
    let statuses: Option<Vec<String>> = query.status.as_deref().map(|s| {
        s.split(',')
            .map(|s| s.trim().to_ascii_uppercase())
            .collect()
    });
    let (views, now_seconds) = app.with_sim(|state, now| {
        (
            state.sandbox.templates(),
            i64::try_from(now.unix_seconds()).unwrap_or(i64::MAX),
        )
    });
    let matching: Vec<TemplateView> = views
        .into_iter()
        .filter(|view| after.is_none_or(|after| view.id > after))
        .filter(|view| query.name.as_deref().is_none_or(|name| view.name == name))
        .filter(|view| {
            statuses
                .as_ref()
                .is_none_or(|wanted| wanted.contains(&status_to_wire(view).as_str().to_owned()))
        })
        .collect();
    let more = matching.len() > limit;
    let page: Vec<&TemplateView> = matching.iter().take(limit).collect();
    let data: Vec<Value> = page
        .iter()
        .map(|view| {
            let info = serde_json::to_value(template_info(view, now_seconds)).unwrap_or_default();
            select_fields(info, query.fields.as_deref())
        })
        .collect();
    let paging = match (page.first(), page.last()) {
        (Some(first), Some(last)) => {
            let next = more.then(|| {
                let mut next = format!(
                    "{}/{version}/{waba_id}/message_templates?limit={limit}&after={}",
                    app.base_url,
                    cursor(last.id)
                );
                if let Some(fields) = &query.fields {
                    next.push_str("&fields=");
                    next.push_str(&fields.replace(',', "%2C"));
                }
                next
            });
            Some(Paging {
                cursors: Some(Cursors {
                    before: Some(cursor(first.id)),
                    after: Some(cursor(last.id)),
                }),
                next,
                previous: None,
            })
        }
        _ => None,
    };
    let mut answer = serde_json::json!({ "data": data });
    if let Some(paging) = paging {
        answer["paging"] = serde_json::to_value(paging).unwrap_or_default();
    }
    Ok(Json(answer))
}

#[derive(Debug, Default, Deserialize)]
struct DeleteQuery {
    name: Option<String>,
    hsm_id: Option<String>,
}

async fn delete_template(
    State(app): State<Arc<App>>,
    method: Method,
    Path((_version, waba_id)): Path<(String, String)>,
    query: Result<Query<DeleteQuery>, QueryRejection>,
) -> ApiResult<Json<SuccessResponse>> {
    check_waba(&app, &method, &waba_id)?;
    let Query(query) = query.map_err(bad_query)?;
    let name = query
        .name
        .ok_or_else(|| ApiError::invalid("the parameter name is required"))?;
    match query.hsm_id {
        Some(id) => {
            let id = id
                .parse::<u64>()
                .map_err(|_| ApiError::invalid(format!("hsm_id {id:?} is not a template id")))?;
            app.with_sim(|state, now| state.sandbox.delete_template_by_id(now, &name, id))?;
        }
        None => {
            app.with_sim(|state, now| state.sandbox.delete_template(now, &name))?;
        }
    }
    Ok(Json(SuccessResponse { success: true }))
}

// ----- sending -----

async fn send_message(
    State(app): State<Arc<App>>,
    method: Method,
    Path((_version, phone_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Json<SendMessageResponse>> {
    check_phone(&app, &method, &phone_id)?;
    let request: SendTemplateRequest = parse_json(&body)?;
    let request = send_request_from_wire(request)?;
    let accepted = app.with_sim(|state, now| state.sandbox.send_template(now, request))?;
    Ok(Json(SendMessageResponse {
        messaging_product: MESSAGING_PRODUCT.to_owned(),
        contacts: vec![SentContact {
            input: accepted.input,
            wa_id: accepted.wa_id,
        }],
        messages: vec![SentMessage {
            id: accepted.wamid,
            message_status: Some(MessageAcceptance::Accepted),
        }],
    }))
}

fn send_request_from_wire(request: SendTemplateRequest) -> ApiResult<SendRequest> {
    if request.messaging_product != MESSAGING_PRODUCT {
        return Err(ApiError::invalid(format!(
            "messaging_product must be {MESSAGING_PRODUCT:?}"
        )));
    }
    if request.message_type != "template" {
        return Err(ApiError::invalid(format!(
            "the sandbox sends template messages only, not {:?}",
            request.message_type
        )));
    }
    let mut send = SendRequest::new(
        &request.to,
        &request.template.name,
        &request.template.language.code,
    );
    send.callback_data = request.biz_opaque_callback_data;
    for component in request.template.components {
        match component {
            SendComponent::Header { parameters } => {
                send.header = parameters
                    .into_iter()
                    .map(value_parameter)
                    .collect::<ApiResult<_>>()?;
            }
            SendComponent::Body { parameters } => {
                send.body = parameters
                    .into_iter()
                    .map(value_parameter)
                    .collect::<ApiResult<_>>()?;
            }
            SendComponent::Button {
                index, parameters, ..
            } => {
                let value = parameters
                    .into_iter()
                    .next()
                    .map(|parameter| match parameter {
                        SendParameter::Payload { payload } => Ok(payload),
                        SendParameter::Text { text, .. } => Ok(text),
                        SendParameter::CouponCode { coupon_code } => Ok(coupon_code),
                        _ => Err(ApiError::new(
                            code::PARAMETER_FORMAT,
                            "a button parameter is a payload, a text or a coupon code",
                        )),
                    });
                if let Some(value) = value {
                    send.buttons.push(ButtonParameter {
                        index: usize::from(index),
                        value: value?,
                    });
                }
            }
        }
    }
    Ok(send)
}

fn value_parameter(parameter: SendParameter) -> ApiResult<Parameter> {
    let media = |object: cadence_whatsapp::wire::MediaObject| {
        object
            .id
            .or(object.link)
            .map(|reference| Parameter {
                name: None,
                value: ParameterValue::Media(reference),
            })
            .ok_or_else(|| ApiError::invalid("a media parameter needs an id or a link"))
    };
    match parameter {
        SendParameter::Text {
            parameter_name,
            text,
        } => Ok(Parameter {
            name: parameter_name,
            value: ParameterValue::Text(text),
        }),
        SendParameter::Image { image } => media(image),
        SendParameter::Video { video } => media(video),
        SendParameter::Document { document } => media(document),
        SendParameter::Payload { .. } | SendParameter::CouponCode { .. } => Err(ApiError::new(
            code::PARAMETER_FORMAT,
            "payloads and coupon codes belong to button components",
        )),
    }
}

// ----- media -----

/// One uploaded file.
#[derive(Debug, Clone)]
struct StoredMedia {
    mime_type: String,
    bytes: Bytes,
}

/// Uploaded media, in memory, oldest forgotten first beyond [`MEDIA_STORE_BYTES_MAX`].
#[derive(Debug, Default)]
pub(crate) struct MediaStore {
    files: HashMap<String, StoredMedia>,
    order: VecDeque<String>,
    bytes: usize,
    next_id: u64,
}

impl MediaStore {
    fn insert(&mut self, media: StoredMedia) -> String {
        self.next_id += 1;
        // Media ids look like Meta's: 15 to 16 digits.
        let id = (300_000_000_000_000 + self.next_id).to_string();
        self.bytes += media.bytes.len();
        self.files.insert(id.clone(), media);
        self.order.push_back(id.clone());
        while self.bytes > MEDIA_STORE_BYTES_MAX {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(gone) = self.files.remove(&oldest) {
                self.bytes -= gone.bytes.len();
            }
        }
        id
    }

    pub(crate) fn len(&self) -> usize {
        self.files.len()
    }

    /// The MIME type and size of an uploaded file.
    pub(crate) fn describe(&self, id: &str) -> Option<(&str, usize)> {
        self.files
            .get(id)
            .map(|m| (m.mime_type.as_str(), m.bytes.len()))
    }
}

fn media_size_max(mime_type: &str) -> usize {
    if mime_type.starts_with("image/") {
        IMAGE_BYTES_MAX
    } else if mime_type.starts_with("video/") || mime_type.starts_with("audio/") {
        VIDEO_AUDIO_BYTES_MAX
    } else {
        DOCUMENT_BYTES_MAX
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        MEDIA_UPLOAD_ERROR,
        format!("the file is larger than the {limit} bytes allowed for its type"),
    )
}

async fn upload_media(
    State(app): State<Arc<App>>,
    method: Method,
    Path((_version, phone_id)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<MediaUploadResponse>> {
    check_phone(&app, &method, &phone_id)?;
    let mut multipart = multipart
        .map_err(|rejection| ApiError::invalid(format!("not a multipart upload: {rejection}")))?;
    let mut declared_type = None;
    let mut file: Option<StoredMedia> = None;
    let mut messaging_product = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_large(MEDIA_BODY_MAX));
            }
            Err(error) => return Err(ApiError::invalid(format!("unreadable upload: {error}"))),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let content_type = field.content_type().map(str::to_owned);
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_large(MEDIA_BODY_MAX));
            }
            Err(error) => return Err(ApiError::invalid(format!("unreadable upload: {error}"))),
        };
        match name.as_str() {
            "messaging_product" => {
                messaging_product = Some(String::from_utf8_lossy(&bytes).into_owned())
            }
            "type" => declared_type = Some(String::from_utf8_lossy(&bytes).into_owned()),
            "file" => {
                file = Some(StoredMedia {
                    mime_type: content_type.unwrap_or_default(),
                    bytes,
                })
            }
            _ => {}
        }
    }
    if messaging_product.as_deref() != Some(MESSAGING_PRODUCT) {
        return Err(ApiError::invalid("messaging_product must be \"whatsapp\""));
    }
    let mut file = file.ok_or_else(|| ApiError::invalid("the upload has no file part"))?;
    if let Some(declared) = declared_type.filter(|t| !t.is_empty()) {
        file.mime_type = declared;
    }
    let limit = media_size_max(&file.mime_type);
    if file.bytes.len() > limit {
        return Err(too_large(limit));
    }
    let id = app.with_sim(|state, _| state.media.insert(file));
    Ok(Json(MediaUploadResponse { id }))
}

// ----- the Resumable Upload API -----

/// Step 1's query, as text: Meta's own checks (and error bodies) judge the values.
#[derive(Debug, Default, Deserialize)]
struct UploadSessionQuery {
    file_length: Option<String>,
    file_type: Option<String>,
}

/// `POST /{APP_ID}/uploads?file_name=…&file_length=…&file_type=…`: a new session.
async fn create_upload_session(
    State(app): State<Arc<App>>,
    method: Method,
    Path((_version, app_id)): Path<(String, String)>,
    query: Result<Query<UploadSessionQuery>, QueryRejection>,
) -> ApiResult<Json<UploadSession>> {
    if app_id != app.profile.account.app_id {
        return Err(ApiError::unknown_object(&method, &app_id));
    }
    let Query(query) = query.map_err(bad_query)?;
    let id = app.with_sim(|state, _| {
        state
            .uploads
            .start(query.file_length.as_deref(), query.file_type.as_deref())
    })?;
    Ok(Json(UploadSession { id }))
}

#[derive(Debug, Default, Deserialize)]
struct SignatureQuery {
    sig: Option<String>,
}

/// `POST /upload:<SESSION>?sig=…` with the `file_offset` header and the bytes as the
/// body: the handle once the file is complete, the offset reached before that.
async fn upload_file_data(
    State(app): State<Arc<App>>,
    method: Method,
    Path((_version, session)): Path<(String, String)>,
    query: Result<Query<SignatureQuery>, QueryRejection>,
    headers: HeaderMap,
    cut: Option<Extension<ConnectionCut>>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    if !is_upload_session(&session) {
        return Err(ApiError::unknown_object(&method, &session));
    }
    let Query(query) = query.map_err(bad_query)?;
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::invalid("the upload is larger than any header example may be")
        } else {
            ApiError::invalid(format!("unreadable upload: {rejection}"))
        }
    })?;
    let file_offset = headers
        .get(FILE_OFFSET_HEADER)
        .map(|value| value.to_str().unwrap_or("(not text)"));
    let (progress, interrupted) = app.with_sim(|state, _| {
        if !state.uploads.contains(&session) {
            return Err(ApiError::unknown_object(&method, &session));
        }
        // An armed interruption keeps the start of the body, then drops the connection,
        // as a network failure mid-upload would.
        let armed = state.uploads.interruption();
        let received = armed.map_or(body.len(), |after| {
            body.len().min(usize::try_from(after).unwrap_or(usize::MAX))
        });
        let progress =
            state
                .uploads
                .append(&session, query.sig.as_deref(), file_offset, received as u64)?;
        if armed.is_some() {
            state.uploads.clear_interruption();
        }
        Ok((progress, armed.is_some()))
    })?;
    if interrupted {
        return Ok(close_without_answer(cut.map(|Extension(cut)| cut)).await);
    }
    Ok(match progress {
        Progress::Complete { handle } => Json(UploadedFile {
            h: HeaderHandle::new(handle),
        })
        .into_response(),
        Progress::Partial(status) => Json(UploadSessionStatus {
            id: status.id,
            file_offset: status.file_offset,
        })
        .into_response(),
    })
}

// ----- the phone number and analytics -----

#[derive(Debug, Default, Deserialize)]
struct FieldsQuery {
    fields: Option<String>,
    /// An upload session's signature (`GET /upload:<SESSION>?sig=…`).
    sig: Option<String>,
}

async fn phone_number(
    State(app): State<Arc<App>>,
    method: Method,
    Path((_version, phone_id)): Path<(String, String)>,
    query: Result<Query<FieldsQuery>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(query) = query.map_err(bad_query)?;
    // `GET /upload:<SESSION>` shares the path shape: how far that upload got.
    if is_upload_session(&phone_id) {
        let status = app.with_sim(|state, _| {
            if !state.uploads.contains(&phone_id) {
                return Err(ApiError::unknown_object(&method, &phone_id));
            }
            Ok(state.uploads.status(&phone_id, query.sig.as_deref())?)
        })?;
        let answer = UploadSessionStatus {
            id: status.id,
            file_offset: status.file_offset,
        };
        return Ok(Json(serde_json::to_value(answer).unwrap_or_default()));
    }
    // `GET /{MEDIA_ID}` shares the path shape: Meta answers an uploaded file's facts.
    if phone_id != app.profile.account.phone_number_id {
        let media = app.with_sim(|state, _| {
            state
                .media
                .describe(&phone_id)
                .map(|(mime_type, size)| (mime_type.to_owned(), size))
        });
        let (mime_type, file_size) =
            media.ok_or_else(|| ApiError::unknown_object(&method, &phone_id))?;
        let value = serde_json::json!({
            "messaging_product": MESSAGING_PRODUCT,
            "id": phone_id,
            "mime_type": mime_type,
            "file_size": file_size,
        });
        return Ok(Json(select_fields(value, query.fields.as_deref())));
    }
    // Meta rates the number by recent messaging quality; the sandbox takes the worst
    // quality among its templates, GREEN while none has been judged.
    let rating = app.with_sim(|state, _| {
        state
            .sandbox
            .templates()
            .iter()
            .map(|view| view.quality_score)
            .max_by_key(|score| match score {
                crate::QualityScore::Unknown => 0,
                crate::QualityScore::Green => 1,
                crate::QualityScore::Yellow => 2,
                crate::QualityScore::Red => 3,
            })
            .filter(|score| *score != crate::QualityScore::Unknown)
            .unwrap_or(crate::QualityScore::Green)
    });
    let account = &app.profile.account;
    let limits = &app.profile.limits;
    let level = if limits.throughput_per_second
        >= cadence_whatsapp::limits::UPGRADED_THROUGHPUT_PER_SECOND
    {
        ThroughputLevel::High
    } else {
        ThroughputLevel::Standard
    };
    let tier = match limits.messaging_tier {
        MessagingTier::Tier250 => MessagingLimitTier::Tier250,
        MessagingTier::Tier2K => MessagingLimitTier::Tier2K,
        MessagingTier::Tier10K => MessagingLimitTier::Tier10K,
        MessagingTier::Tier100K => MessagingLimitTier::Tier100K,
        MessagingTier::Unlimited => MessagingLimitTier::Unlimited,
    };
    let info = PhoneNumberInfo {
        id: account.phone_number_id.clone(),
        display_phone_number: Some(account.display_phone_number.clone()),
        verified_name: Some(account.verified_name.clone()),
        quality_rating: Some(QualityRating::from_wire(quality(rating))),
        throughput: Some(Throughput { level }),
        whatsapp_business_manager_messaging_limit: Some(tier),
        messaging_limit_tier: None,
    };
    let value = serde_json::to_value(info).unwrap_or_default();
    Ok(Json(select_fields(value, query.fields.as_deref())))
}

#[derive(Debug, Default, Deserialize)]
struct AnalyticsQuery {
    start: Option<String>,
    end: Option<String>,
    template_ids: Option<String>,
}

async fn template_analytics(
    State(app): State<Arc<App>>,
    method: Method,
    Path((_version, waba_id)): Path<(String, String)>,
    query: Result<Query<AnalyticsQuery>, QueryRejection>,
) -> ApiResult<Json<cadence_whatsapp::wire::TemplateAnalyticsResponse>> {
    check_waba(&app, &method, &waba_id)?;
    let Query(query) = query.map_err(bad_query)?;
    let seconds = |name: &str, value: Option<String>| -> ApiResult<i64> {
        value
            .ok_or_else(|| ApiError::invalid(format!("the parameter {name} is required")))?
            .parse::<i64>()
            .map_err(|_| ApiError::invalid(format!("{name} must be Unix seconds")))
    };
    let start = seconds("start", query.start)?;
    let end = seconds("end", query.end)?;
    if end < start {
        return Err(ApiError::invalid("end must not be before start"));
    }
    let ids = parse_template_ids(query.template_ids.as_deref().unwrap_or_default())?;
    let report = app.with_sim(|state, _| state.analytics.report(&state.sandbox, &ids, start, end));
    Ok(Json(report))
}

/// `template_ids=[1,2]` (Meta's form), tolerating quotes and a bare comma list.
fn parse_template_ids(text: &str) -> ApiResult<Vec<u64>> {
    let inner = text.trim().trim_start_matches('[').trim_end_matches(']');
    let ids: Vec<u64> = inner
        .split(',')
        .map(|id| id.trim().trim_matches('"'))
        .filter(|id| !id.is_empty())
        .map(|id| {
            id.parse::<u64>()
                .map_err(|_| ApiError::invalid(format!("template id {id:?} is not a number")))
        })
        .collect::<ApiResult<_>>()?;
    if ids.is_empty() || ids.len() > cadence_whatsapp::limits::ANALYTICS_MAX_TEMPLATE_IDS {
        return Err(ApiError::invalid(format!(
            "template_ids takes between 1 and {} ids",
            cadence_whatsapp::limits::ANALYTICS_MAX_TEMPLATE_IDS
        )));
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_versions_are_v_digits_dot_digits() {
        for good in ["v23.0", "v1.0", "v100.12"] {
            assert!(is_graph_version(good), "{good} is a Graph version");
        }
        for bad in ["23.0", "v23", "v23.", "v.0", "v23.0.1", "vX.0", "_sandbox"] {
            assert!(!is_graph_version(bad), "{bad} is not a Graph version");
        }
    }

    #[test]
    fn template_ids_read_metas_json_array() {
        assert_eq!(parse_template_ids("[1,2]").unwrap(), vec![1, 2]);
        assert_eq!(parse_template_ids("[\"3\"]").unwrap(), vec![3]);
        assert_eq!(parse_template_ids("4,5").unwrap(), vec![4, 5]);
        assert!(parse_template_ids("[]").is_err(), "at least one id");
        assert!(parse_template_ids("[x]").is_err(), "ids are numbers");
    }

    #[test]
    fn fields_keep_the_id() {
        let value = serde_json::json!({"id": "1", "name": "a", "status": "APPROVED"});
        assert_eq!(
            select_fields(value, Some("name")),
            serde_json::json!({"id": "1", "name": "a"}),
            "Meta always answers the id"
        );
    }

    #[test]
    fn cursors_round_trip() {
        assert_eq!(
            parse_cursor(&cursor(1_000_000_000_000_007)).unwrap(),
            1_000_000_000_000_007
        );
        assert!(parse_cursor("zz").is_err());
    }
}
