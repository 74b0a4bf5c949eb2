//! Graph API call rate limits: calls per WABA and per app, and template creations per
//! WABA, each counted in a rolling hour ([`crate::limits::API_CALL_WINDOW`]).
//!
//! Pure, fed the simulated time, like the send limits in `send`. Only an accepted call
//! is counted: a call refused for being over the limit takes no place, so a client
//! that backs off gets its budget back when its oldest calls fall out of the hour.
//! Must not depend on the HTTP layer.

use std::collections::VecDeque;
use std::time::Duration;

use serde::Serialize;

use crate::clock::SimTime;

/// Whose budget a Graph API call spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallScope {
    /// The WhatsApp Business Management API: the WABA's templates and analytics, the
    /// phone number's settings (Meta answers 80007 beyond the limit).
    Waba,
    /// Calls to the app node: the Resumable Upload API (Meta answers 4).
    App,
}

/// Accepted calls in a rolling window, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallWindow {
    calls: VecDeque<SimTime>,
}

impl CallWindow {
    fn expire(&mut self, now: SimTime, window: Duration) {
        let horizon = now.before(window);
        while self.calls.front().is_some_and(|at| *at <= horizon) {
            self.calls.pop_front();
        }
    }

    /// Calls accepted in the window ending at `now`.
    pub fn count(&mut self, now: SimTime, window: Duration) -> u32 {
        self.expire(now, window);
        u32::try_from(self.calls.len()).unwrap_or(u32::MAX)
    }

    /// Whether one more call fits under `limit` at `now`.
    pub fn has_room(&mut self, now: SimTime, window: Duration, limit: u32) -> bool {
        self.count(now, window) < limit
    }

    pub fn record(&mut self, now: SimTime) {
        self.calls.push_back(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_admits_the_limit_then_frees_a_place_per_expired_call() {
        let hour = Duration::from_secs(3600);
        // Far from the epoch, where "an hour before" saturates.
        let t = |ms: u64| SimTime(1_750_000_000_000 + ms);
        let mut window = CallWindow::default();
        for at in [0, 1_000, 2_000] {
            assert!(window.has_room(t(at), hour, 3), "call at {at} ms fits");
            window.record(t(at));
        }
        assert!(
            !window.has_room(t(3_000), hour, 3),
            "a 4th call within the hour is over a limit of 3"
        );
        assert!(
            !window.has_room(t(3_599_999), hour, 3),
            "the first call is still inside the rolling hour"
        );
        assert!(
            window.has_room(t(3_600_000), hour, 3),
            "an hour after the first call, its place is free"
        );
        assert_eq!(
            window.count(t(3_602_000), hour),
            0,
            "an hour after the last call, the window is empty"
        );
    }
}
