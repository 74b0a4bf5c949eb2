//! An open workspace together with its link to WhatsApp: the in-process sandbox
//! (and a receiver for its webhooks) for a sandbox workspace; Meta's Cloud API
//! and the webhook receiver for a live one; and the workspace's template studio
//! with its background sync. The app holds one session at a time.

use std::sync::Arc;

use cadence_core::{Secret, WorkspaceMode};
use cadence_sandbox::{RunningSandbox, ServerConfig};
use cadence_store::WebhookSource;
use cadence_whatsapp::Client;
use cadence_whatsapp::client::{DEFAULT_API_VERSION, DEFAULT_BASE_URL};
use serde::Serialize;
use tokio::sync::Notify;

use crate::connection::check_phone_number;
use crate::templates::{
    MetaLink, SyncSettings, SystemClock, TemplateStudio, TemplateSync, shared_dictionaries,
};
use crate::webhooks::{ReceiverConfig, WEBHOOK_PATH, WebhookReceiver};
use crate::{
    ConnectionInput, ConnectionSettings, DataDir, Error, PhoneNumberStatus, Result, SecretKind,
    SecretStore, Workspace,
};

/// Overrides Meta's Graph API address for live workspaces (tests point it at a
/// sandbox; a company proxy can go here too).
pub const GRAPH_URL_ENV: &str = "CADENCE_GRAPH_URL";

/// The receiver of the in-process sandbox's webhooks listens on a free loopback port.
const SANDBOX_RECEIVER_LISTEN: &str = "127.0.0.1:0";

/// A JSON profile file (the format of `cadence-sandbox --profile`) for the
/// in-process sandbox: scripted rejections, faults, other limits. Without it the
/// sandbox runs its default profile with a short review.
pub const SANDBOX_PROFILE_ENV: &str = "CADENCE_SANDBOX_PROFILE";

/// How long the in-process sandbox takes to review a template when no profile
/// says otherwise. Meta answers in minutes; a newcomer trying Cadence offline
/// should see the answer while still looking at the template.
const APP_SANDBOX_REVIEW_MS: u64 = 3_000;

/// What Settings → Connection shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ConnectionView {
    pub mode: WorkspaceMode,
    /// The account ids (for the sandbox: its own); `null` until a live workspace
    /// saved its connection.
    pub settings: Option<ConnectionSettings>,
    /// Where the in-process sandbox answers (sandbox workspaces only).
    pub sandbox_url: Option<String>,
    pub receiver: ReceiverStatus,
}

/// The webhook receiver: where it listens, or why it does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ReceiverStatus {
    /// `http://ADDR/webhooks/whatsapp` while listening.
    pub url: Option<String>,
    /// Why it is not listening.
    pub problem: Option<ReceiverProblem>,
}

/// Why the webhook receiver is not listening: a closed set the UI words in the
/// user's language. `detail` carries the system's own words where there are any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReceiverProblem {
    /// The connection (ids, address) is not saved yet.
    NotConnected,
    /// The app secret, which checks every delivery, is not saved.
    MissingAppSecret,
    /// The verify token, which answers Meta's subscription check, is not saved.
    MissingVerifyToken,
    /// The address could not be bound (in use, not this machine's, no permission).
    CannotListen { detail: String },
    /// The keyring or the database could not be read.
    Unavailable { detail: String },
}

impl ReceiverProblem {
    fn from_error(error: &Error) -> ReceiverProblem {
        match error {
            Error::NotConnected => ReceiverProblem::NotConnected,
            Error::MissingSecret(SecretKind::AppSecret) => ReceiverProblem::MissingAppSecret,
            Error::MissingSecret(SecretKind::VerifyToken) => ReceiverProblem::MissingVerifyToken,
            Error::Listen { .. } | Error::InvalidField { .. } => ReceiverProblem::CannotListen {
                detail: error.to_string(),
            },
            other => ReceiverProblem::Unavailable {
                detail: other.to_string(),
            },
        }
    }
}

enum Link {
    Sandbox {
        // Boxed: the running server is large and the Live variant small.
        sandbox: Box<RunningSandbox>,
        receiver: WebhookReceiver,
    },
    Live {
        graph_url: String,
        receiver: Result<WebhookReceiver>,
    },
}

/// An open workspace and its link to WhatsApp.
pub struct Session {
    workspace: Workspace,
    secrets: SecretStore,
    link: Link,
    /// Notified by the webhook receiver when it stored new events.
    webhook_wake: Arc<Notify>,
    templates: TemplateStudio,
    template_sync: Option<TemplateSync>,
}

impl Session {
    /// Opens workspace `name` and starts its link: the sandbox in-process, or for
    /// a live workspace the webhook receiver when its connection is complete.
    pub async fn open(data_dir: &DataDir, name: &str) -> Result<Session> {
        let workspace = Workspace::open(data_dir, name).await?;
        let secrets = SecretStore::for_workspace(name);
        let webhook_wake = Arc::new(Notify::new());
        let mode = workspace.mode().await?;
        let link = match mode {
            WorkspaceMode::Sandbox => start_sandbox(&workspace, &webhook_wake).await?,
            WorkspaceMode::Live => {
                let graph_url = std::env::var(GRAPH_URL_ENV)
                    .ok()
                    .filter(|v| !v.is_empty())
                    .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
                let receiver = start_live_receiver(&workspace, &secrets, &webhook_wake).await;
                Link::Live {
                    graph_url,
                    receiver,
                }
            }
        };
        let templates = TemplateStudio::new(workspace.store().clone(), Arc::new(SystemClock));
        // Start loading the dictionaries now, off this thread, so the author's
        // first keystrokes are already spell-checked.
        let dictionaries = shared_dictionaries();
        dictionaries.preload();
        templates.set_dictionaries(dictionaries);
        templates.set_link(meta_link(&link, &workspace, &secrets).await);
        if mode == WorkspaceMode::Sandbox {
            templates.seed_sandbox_examples().await?;
            // UX: a newcomer finds an audience to look at and plan for, offline.
            workspace
                .ensure_example_audience(crate::audience::unix_now())
                .await?;
        }
        let template_sync = Some(TemplateSync::start(
            templates.clone(),
            webhook_wake.clone(),
            SyncSettings::default(),
        ));
        Ok(Session {
            workspace,
            secrets,
            link,
            webhook_wake,
            templates,
            template_sync,
        })
    }

    /// The template studio of this workspace.
    pub fn templates(&self) -> &TemplateStudio {
        &self.templates
    }

    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// The connection as Settings shows it.
    pub async fn connection(&self) -> Result<ConnectionView> {
        Ok(match &self.link {
            Link::Sandbox { sandbox, receiver } => {
                let account = &sandbox.profile().account;
                ConnectionView {
                    mode: WorkspaceMode::Sandbox,
                    settings: Some(ConnectionSettings {
                        waba_id: account.waba_id.clone(),
                        phone_number_id: account.phone_number_id.clone(),
                        app_id: Some(account.app_id.clone()),
                        api_version: DEFAULT_API_VERSION.to_owned(),
                        webhook_listen: receiver.local_addr().to_string(),
                        access_token_saved: true,
                        app_secret_saved: true,
                        verify_token_saved: true,
                    }),
                    sandbox_url: Some(sandbox.base_url()),
                    receiver: listening(receiver),
                }
            }
            Link::Live { receiver, .. } => ConnectionView {
                mode: WorkspaceMode::Live,
                settings: self.workspace.connection_settings(&self.secrets).await?,
                sandbox_url: None,
                receiver: match receiver {
                    Ok(receiver) => listening(receiver),
                    Err(error) => ReceiverStatus {
                        url: None,
                        problem: Some(ReceiverProblem::from_error(error)),
                    },
                },
            },
        })
    }

    /// Saves a live workspace's connection and restarts its webhook receiver with
    /// the new address and secrets. The sandbox's connection is fixed.
    pub async fn save_connection(&mut self, input: ConnectionInput) -> Result<ConnectionView> {
        let Link::Live { receiver, .. } = &mut self.link else {
            return Err(Error::SandboxConnectionIsFixed);
        };
        self.workspace.save_connection(input, &self.secrets).await?;
        if let Ok(old) = std::mem::replace(receiver, Err(Error::NotConnected)) {
            old.stop().await;
        }
        *receiver = start_live_receiver(&self.workspace, &self.secrets, &self.webhook_wake).await;
        self.templates
            .set_link(meta_link(&self.link, &self.workspace, &self.secrets).await);
        self.connection().await
    }

    /// "Test connection": the phone number as Meta (or the sandbox) reports it.
    pub async fn test_connection(&self) -> Result<PhoneNumberStatus> {
        match &self.link {
            Link::Sandbox { sandbox, .. } => {
                let account = &sandbox.profile().account;
                let token = Secret::new(account.access_token.clone());
                check_phone_number(
                    &sandbox.base_url(),
                    DEFAULT_API_VERSION,
                    &account.phone_number_id,
                    &token,
                )
                .await
            }
            Link::Live { graph_url, .. } => {
                let token = self
                    .secrets
                    .load(SecretKind::AccessToken)?
                    .ok_or(Error::MissingSecret(SecretKind::AccessToken))?;
                self.workspace.test_connection(graph_url, &token).await
            }
        }
    }

    /// Stops the link and closes the database.
    pub async fn close(self) {
        if let Some(sync) = self.template_sync {
            sync.stop().await;
        }
        self.templates.close();
        match self.link {
            Link::Sandbox { sandbox, receiver } => {
                sandbox.stop().await;
                receiver.stop().await;
            }
            Link::Live { receiver, .. } => {
                if let Ok(receiver) = receiver {
                    receiver.stop().await;
                }
            }
        }
        self.workspace.close().await;
    }
}

fn listening(receiver: &WebhookReceiver) -> ReceiverStatus {
    ReceiverStatus {
        url: Some(format!("http://{}{WEBHOOK_PATH}", receiver.local_addr())),
        problem: None,
    }
}

/// The sandbox with its default profile, delivering its signed webhooks to a
/// receiver of the workspace's own, as Meta would to a connected account.
async fn start_sandbox(workspace: &Workspace, wake: &Arc<Notify>) -> Result<Link> {
    let listen = SANDBOX_RECEIVER_LISTEN
        .parse()
        .expect("a literal socket address");
    let mut config = ServerConfig::new(listen);
    config.profile = sandbox_profile()?;
    let receiver = WebhookReceiver::start_waking(
        workspace.store().clone(),
        ReceiverConfig {
            listen,
            app_secret: Secret::new(config.profile.account.app_secret.clone()),
            verify_token: Secret::new(config.profile.account.verify_token.clone()),
            source: WebhookSource::Sandbox,
        },
        Some(wake.clone()),
    )
    .await?;
    config.webhook_url = Some(format!("http://{}{WEBHOOK_PATH}", receiver.local_addr()));
    let sandbox = cadence_sandbox::serve(config)
        .await
        .map_err(|e| Error::Sandbox(e.to_string()))?;
    tracing::info!(url = %sandbox.base_url(), "the sandbox is running in-process");
    Ok(Link::Sandbox {
        sandbox: Box::new(sandbox),
        receiver,
    })
}

/// The in-process sandbox's profile: the file named by [`SANDBOX_PROFILE_ENV`],
/// else the default one with a short review.
fn sandbox_profile() -> Result<cadence_sandbox::Profile> {
    let Some(path) = std::env::var_os(SANDBOX_PROFILE_ENV) else {
        let mut profile = cadence_sandbox::Profile::default();
        profile.review.delay_ms = APP_SANDBOX_REVIEW_MS;
        return Ok(profile);
    };
    let path = std::path::PathBuf::from(path);
    let json = std::fs::read_to_string(&path).map_err(|e| {
        Error::Sandbox(format!(
            "the sandbox profile {} ({SANDBOX_PROFILE_ENV}) could not be read: {e}",
            path.display()
        ))
    })?;
    cadence_sandbox::Profile::from_json(&json).map_err(|e| {
        Error::Sandbox(format!(
            "the sandbox profile {} ({SANDBOX_PROFILE_ENV}) is not valid: {e}",
            path.display()
        ))
    })
}

/// Starts the receiver when the connection, app secret and verify token are all
/// there; otherwise the error says what is missing (Settings shows it; it does not
/// stop the workspace from opening).
async fn start_live_receiver(
    workspace: &Workspace,
    secrets: &SecretStore,
    wake: &Arc<Notify>,
) -> Result<WebhookReceiver> {
    let row = workspace
        .store()
        .connection()
        .await?
        .ok_or(Error::NotConnected)?;
    let secret = |kind| secrets.load(kind)?.ok_or(Error::MissingSecret(kind));
    let app_secret = secret(SecretKind::AppSecret)?;
    let verify_token = secret(SecretKind::VerifyToken)?;
    let listen = row
        .webhook_listen
        .parse()
        .map_err(|_| Error::InvalidField {
            field: "webhook address",
            reason: format!("{} is not an IP address and port", row.webhook_listen),
        })?;
    WebhookReceiver::start_waking(
        workspace.store().clone(),
        ReceiverConfig {
            listen,
            app_secret,
            verify_token,
            source: WebhookSource::Receiver,
        },
        Some(wake.clone()),
    )
    .await
}

/// Where the template studio submits: the in-process sandbox, or Meta with the
/// saved connection and access token. `None` while a live workspace's
/// connection or token is missing (the studio then says "connect first").
async fn meta_link(link: &Link, workspace: &Workspace, secrets: &SecretStore) -> Option<MetaLink> {
    let built = match link {
        Link::Sandbox { sandbox, .. } => {
            let account = &sandbox.profile().account;
            Client::builder(Secret::new(account.access_token.clone()))
                .base_url(sandbox.base_url())
                .api_version(DEFAULT_API_VERSION)
                .build()
                .map(|client| MetaLink {
                    client,
                    waba_id: account.waba_id.clone(),
                    app_id: Some(account.app_id.clone()),
                })
                .map_err(Error::Meta)
        }
        Link::Live { graph_url, .. } => live_meta_link(graph_url, workspace, secrets).await,
    };
    match built {
        Ok(link) => Some(link),
        Err(error) => {
            tracing::info!(%error, "templates cannot reach Meta until the connection is complete");
            None
        }
    }
}

async fn live_meta_link(
    graph_url: &str,
    workspace: &Workspace,
    secrets: &SecretStore,
) -> Result<MetaLink> {
    let row = workspace
        .store()
        .connection()
        .await?
        .ok_or(Error::NotConnected)?;
    let token = secrets
        .load(SecretKind::AccessToken)?
        .ok_or(Error::MissingSecret(SecretKind::AccessToken))?;
    let client = Client::builder(token)
        .base_url(graph_url)
        .api_version(&row.api_version)
        .build()
        .map_err(Error::Meta)?;
    Ok(MetaLink {
        client,
        waba_id: row.waba_id,
        app_id: row.app_id,
    })
}
