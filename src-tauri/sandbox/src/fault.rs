//! Fault injection: for each API request, whether to answer slowly, with a 5xx, not at
//! all (timeout) or by dropping the connection. The core only decides; the HTTP layer
//! sleeps, answers or closes.

use std::time::Duration;

use serde::Serialize;

use crate::error::MetaError;
use crate::limits::code;
use crate::profile::Faults;
use crate::rng::SeededRng;

/// What to do to one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum Fault {
    /// Answer normally.
    None,
    /// Answer this error instead of processing the request.
    ServerError { error: MetaError },
    /// Hang this long, then close. `processed`: the request was carried out first,
    /// the ambiguous case a client must reconcile (by callback data, never by resending).
    Timeout { hang: Duration, processed: bool },
    /// Close the connection without an answer; `processed` as for a timeout.
    DroppedConnection { processed: bool },
}

/// The decision for one request: added latency and the fault, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaultDecision {
    pub latency: Duration,
    pub fault: Fault,
}

/// Draw the decision for one request. Always draws the same number of values, so
/// a profile's rates change which requests fail but not the rest of the stream.
pub fn decide(faults: &Faults, rng: &mut SeededRng) -> FaultDecision {
    let roll = rng.next_f64();
    let processed = rng.chance(0.5);
    let which_error = rng.index(3);
    let latency = Duration::from_millis(rng.between(faults.latency_ms.min, faults.latency_ms.max));
    let server = faults.server_error_rate;
    let timeout = server + faults.timeout_rate;
    let dropped = timeout + faults.dropped_connection_rate;
    let fault = if roll < server {
        let codes = [
            code::UNKNOWN,
            code::SERVICE_UNAVAILABLE,
            code::GENERIC_USER_ERROR,
        ];
        Fault::ServerError {
            error: MetaError::new(codes[which_error], "injected by the sandbox profile"),
        }
    } else if roll < timeout {
        Fault::Timeout {
            hang: Duration::from_millis(faults.timeout_hang_ms),
            processed,
        }
    } else if roll < dropped {
        Fault::DroppedConnection { processed }
    } else {
        Fault::None
    };
    FaultDecision { latency, fault }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::MillisRange;

    #[test]
    fn no_faults_by_default() {
        let mut rng = SeededRng::new(3);
        for _ in 0..1_000 {
            let decision = decide(&Faults::default(), &mut rng);
            assert_eq!(
                decision,
                FaultDecision {
                    latency: Duration::ZERO,
                    fault: Fault::None
                },
                "the default profile injects nothing, so new users see a healthy API"
            );
        }
    }

    #[test]
    fn faults_follow_the_profile_rates() {
        let faults = Faults {
            server_error_rate: 0.1,
            timeout_rate: 0.1,
            dropped_connection_rate: 0.1,
            latency_ms: MillisRange::new(10, 20),
            timeout_hang_ms: 5_000,
        };
        let mut rng = SeededRng::new(3);
        let (mut server, mut timeout, mut dropped) = (0, 0, 0);
        for _ in 0..10_000 {
            let decision = decide(&faults, &mut rng);
            assert!(
                (10..=20).contains(&(decision.latency.as_millis() as u64)),
                "latency stays in the profile's range"
            );
            match decision.fault {
                Fault::ServerError { error } => {
                    assert!(error.http_status >= 500, "a server error is a 5xx");
                    server += 1;
                }
                Fault::Timeout { .. } => timeout += 1,
                Fault::DroppedConnection { .. } => dropped += 1,
                Fault::None => {}
            }
        }
        for (what, count) in [("5xx", server), ("timeouts", timeout), ("drops", dropped)] {
            assert!(
                (800..1_200).contains(&count),
                "about 10% {what} for a 0.1 rate, got {count} of 10000"
            );
        }
    }
}
