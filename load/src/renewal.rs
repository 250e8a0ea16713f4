//! Obtained bearer tokens on the load generator's raw connections (OAuth client credentials, Entra's JWT).
//!
//! The first token is fetched before the run. A task then asks the [`TokenSource`] every second for its current
//! token: the source renews one shortly before its `expires_in` (RFC 6749 section 5.1) or `exp` ends, and the new
//! token goes on every connection ([`Fixed::set_token`]). A 401 makes the source drop the token that was refused
//! and get another; the request is sent once more with it ([`crate::tasks::exchange`], and the unmeasured
//! requests of `crate::admin`), as the conformance client does. A renewal that fails keeps the last token, and the server's 401s count as errors of the run.

use crate::LoadError;
use crate::wire::Fixed;
use scimlab_mock_idp::TokenSource;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The token source of a run and the headers it renews.
pub struct Renewal {
    source: TokenSource,
    fixed: Arc<Fixed>,
    /// The token on the connections now, and how many tokens came before it (its generation).
    current: Mutex<(String, u64)>,
}

/// The renewal of a run, and the task that keeps the token fresh: aborted when dropped, however the run ends.
pub struct Running {
    /// What a 401 calls.
    pub renewal: Arc<Renewal>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Renewal {
    /// Puts the source's first token on `fixed` and starts the task that renews it.
    pub async fn start(source: TokenSource, fixed: Arc<Fixed>) -> Result<Running, LoadError> {
        let first = source.token().await.map_err(|e| LoadError::Unreachable(format!("cannot authenticate: {e}")))?;
        fixed.set_token(&first)?;
        let renewal = Arc::new(Renewal { source, fixed, current: Mutex::new((first, 0)) });
        let task = tokio::spawn({
            let renewal = renewal.clone();
            async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    renewal.refresh(None).await;
                }
            }
        });
        Ok(Running { renewal, task })
    }

    /// The generation of the token on the connections now: read before a request goes out, so that a 401 can
    /// say which token was refused.
    pub fn generation(&self) -> u64 {
        self.current.lock().unwrap_or_else(PoisonError::into_inner).1
    }

    /// After a 401 to a request sent with the token of generation `sent`: that token is dropped and the next one
    /// put on the connections, unless another request's 401 already replaced it.
    pub async fn refused(&self, sent: u64) {
        self.refresh(Some(sent)).await;
    }

    async fn refresh(&self, refused: Option<u64>) {
        let (current, generation) = self.current.lock().unwrap_or_else(PoisonError::into_inner).clone();
        match refused {
            Some(sent) if sent != generation => return,
            Some(_) => self.source.refused(&current).await,
            None => {}
        }
        let Ok(token) = self.source.token().await else { return };
        let mut now = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if token != now.0 && self.fixed.set_token(&token).is_ok() {
            *now = (token, now.1 + 1);
        }
    }
}
