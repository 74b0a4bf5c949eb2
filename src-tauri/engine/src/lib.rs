//! Cadence's engine: the work that touches the disk, the network and the clock.
//!
//! Owns where workspaces live, opening them, and the data transfer objects (DTOs)
//! and error codes that the app and the CLI hand to their users. Both front ends
//! call the engine and nothing below it. Must not depend on `tauri`.

pub mod audience;
pub mod connection;
pub mod dto;
pub mod error;
pub mod import;
pub mod paths;
pub mod secrets;
pub mod session;
pub mod spelling;
pub mod templates;
pub mod webhooks;
pub mod workspace;

pub use audience::{
    ConsentInput, ContactDetail, ContactMessage, ContactPage, ContactQuery, ContactReply,
    CsvDelimiter, ExportProgress, ExportResult, Segment, SegmentAudience,
};
pub use connection::{ConnectionInput, ConnectionSettings, PhoneNumberStatus};
pub use dto::{Preferences, WorkspaceInfo, WorkspaceSummary};
pub use error::{Error, ErrorCode, IpcError, Result};
pub use import::{
    CancelToken, ImportJob, ImportOptions, ImportPreview, ImportProgress, ImportReport, Importer,
    MappingPreset, RunningImports,
};
pub use paths::DataDir;
pub use secrets::{SecretKind, SecretStore};
pub use session::{
    ConnectionView, GRAPH_URL_ENV, ReceiverProblem, ReceiverStatus, SANDBOX_PROFILE_ENV, Session,
};
pub use templates::{
    LintRule, QualityChange, StatusChange, StoredTemplate, SubmittedVersion, TemplateChange,
    TemplateFilter, TemplateId, TemplateStudio, TemplateSummary,
};
pub use workspace::Workspace;

/// The version of Cadence (all crates of the workspace share it).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
