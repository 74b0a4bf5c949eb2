//! The `connection` table: a workspace's WhatsApp Business account ids and
//! webhook address. Secrets are never stored here (they are in the OS keyring).

use crate::{Result, Store};

/// The connection settings to save (already checked by the engine).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConnection {
    pub waba_id: String,
    pub phone_number_id: String,
    pub app_id: Option<String>,
    pub api_version: String,
    pub webhook_listen: String,
}

/// The connection settings as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRow {
    pub waba_id: String,
    pub phone_number_id: String,
    pub app_id: Option<String>,
    pub api_version: String,
    pub webhook_listen: String,
    pub updated_at: String,
}

type Row = (String, String, Option<String>, String, String, String);

impl Store {
    /// The saved connection, or `None` before the user saved one.
    pub async fn connection(&self) -> Result<Option<ConnectionRow>> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT waba_id, phone_number_id, app_id, api_version, webhook_listen, updated_at
             FROM connection WHERE id = 1",
        )
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(
            |(waba_id, phone_number_id, app_id, api_version, webhook_listen, updated_at)| {
                ConnectionRow {
                    waba_id,
                    phone_number_id,
                    app_id,
                    api_version,
                    webhook_listen,
                    updated_at,
                }
            },
        ))
    }

    /// Saves (or replaces) the connection settings. The caller validates them;
    /// the CHECK constraints are the last line of defence.
    pub async fn save_connection(&self, new: &NewConnection) -> Result<ConnectionRow> {
        sqlx::query(
            "INSERT INTO connection (id, waba_id, phone_number_id, app_id, api_version, webhook_listen)
             VALUES (1, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET
                 waba_id = excluded.waba_id,
                 phone_number_id = excluded.phone_number_id,
                 app_id = excluded.app_id,
                 api_version = excluded.api_version,
                 webhook_listen = excluded.webhook_listen,
                 updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        )
        .bind(&new.waba_id)
        .bind(&new.phone_number_id)
        .bind(&new.app_id)
        .bind(&new.api_version)
        .bind(&new.webhook_listen)
        .execute(self.pool())
        .await?;
        Ok(self.connection().await?.expect("the row was just written"))
    }
}
