//! Error policy of the storage layer: every failure is a [`StoreError`]. Database driver
//! errors are wrapped, never shown to end users verbatim by the layers above (they log
//! them and answer with a generic message); `Conflict` and `NotFound` are answers the
//! caller is expected to handle.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// From the SQLite import path (rusqlite).
    #[error("database error: {0}")]
    Sqlite(String),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    BadUrl(String),
    #[error("{0}")]
    Conflict(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
