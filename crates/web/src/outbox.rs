//! Messages to families: the outbox rows written with each case action are delivered by
//! a [`Sender`]. Gateways (SMS, WhatsApp) are adapters behind the trait; the default,
//! [`LogSender`], writes each message to the `message_log` table, from which the desk
//! can pass it on. A failed attempt is retried with growing pauses, then given up (the
//! message stays in the outbox as `failed`, visible on the case page).

use std::sync::Arc;
use std::time::Duration;

use selaras_store::{Attempt, OutboxMessage, Storage};

/// Delivers one message; `Err` says why it could not.
#[async_trait::async_trait]
pub trait Sender: Send + Sync {
    fn name(&self) -> &'static str;
    async fn send(&self, m: &OutboxMessage) -> Result<(), String>;
    /// Whether a delivered message is also copied to `message_log` (the default sender's
    /// only effect).
    fn logs(&self) -> bool {
        false
    }
}

/// The default sender: the log table is the delivery.
pub struct LogSender;

#[async_trait::async_trait]
impl Sender for LogSender {
    fn name(&self) -> &'static str {
        "log"
    }
    async fn send(&self, _m: &OutboxMessage) -> Result<(), String> {
        Ok(())
    }
    fn logs(&self) -> bool {
        true
    }
}

/// Pauses before the 2nd, 3rd, … attempt; after the last, the message is given up.
pub const RETRY_PAUSES: &[Duration] = &[
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
];

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub sent: u64,
    pub retried: u64,
    pub given_up: u64,
}

/// Sends every message due at `now` (RFC 3339) once.
pub async fn deliver_due(
    store: &dyn Storage,
    sender: &dyn Sender,
    now: time::OffsetDateTime,
) -> selaras_store::Result<Delivery> {
    let mut d = Delivery::default();
    let due = store
        .due_messages(&selaras_store::format_ts(now), 500)
        .await?;
    for m in due {
        let outcome = match sender.send(&m).await {
            Ok(()) => {
                d.sent += 1;
                Attempt::Sent { log: sender.logs() }
            }
            Err(error) => {
                let pause = RETRY_PAUSES.get(m.attempts as usize);
                if pause.is_some() {
                    d.retried += 1;
                } else {
                    d.given_up += 1;
                }
                Attempt::Failed {
                    error: error.chars().take(500).collect(),
                    retry_at: pause.map(|p| selaras_store::format_ts(now + *p)),
                }
            }
        };
        store.message_attempt(m.id, &outcome).await?;
    }
    Ok(d)
}

/// Runs [`deliver_due`] every `every` until the process ends.
pub fn spawn_dispatcher(store: Arc<dyn Storage>, sender: Arc<dyn Sender>, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match deliver_due(&*store, &*sender, time::OffsetDateTime::now_utc()).await {
                Ok(d) if d != Delivery::default() => {
                    tracing::info!(sender = sender.name(), ?d, "outbox delivered")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("outbox: {e}"),
            }
        }
    });
}
