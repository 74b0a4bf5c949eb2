//! Simulated time: an instant is milliseconds since the Unix epoch, and it only moves
//! when someone passes a later instant in (or asks the control API to advance).
//!
//! Owns the time scale too. With scale `X`, Meta's *long* durations (review delay,
//! the 3 h / 6 h pauses, the rolling 24 h windows) are divided by `X`, so a day of
//! quality changes passes in seconds; per-second rates (throughput, pair rate,
//! delivery delays) are not scaled, because a client must obey them in real time.
//! No wall clock is read here: the HTTP layer owns a [`SimClock`] and feeds it wall
//! milliseconds.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// An instant of simulated time, in milliseconds since the Unix epoch.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct SimTime(pub u64);

impl SimTime {
    /// The instant `duration` later.
    pub fn after(self, duration: Duration) -> SimTime {
        SimTime(self.0.saturating_add(millis(duration)))
    }

    /// The instant `duration` earlier (never before the epoch).
    pub fn before(self, duration: Duration) -> SimTime {
        SimTime(self.0.saturating_sub(millis(duration)))
    }

    /// Milliseconds from `earlier` to `self` (zero when `earlier` is later).
    pub fn since(self, earlier: SimTime) -> u64 {
        self.0.saturating_sub(earlier.0)
    }

    /// Whole seconds since the epoch: what webhooks put in `timestamp`.
    pub fn unix_seconds(self) -> u64 {
        self.0 / 1000
    }
}

/// A duration in whole milliseconds, saturating (durations here never exceed days).
pub fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// How much faster than Meta the sandbox runs its long durations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TimeScale(f64);

impl TimeScale {
    /// Real time: durations as Meta has them.
    pub const REAL: TimeScale = TimeScale(1.0);

    /// A scale; zero, negative or non-finite values fall back to real time, because a
    /// scale that stops or reverses time has no meaning.
    pub fn new(factor: f64) -> TimeScale {
        if factor.is_finite() && factor > 0.0 {
            TimeScale(factor)
        } else {
            TimeScale::REAL
        }
    }

    pub fn factor(self) -> f64 {
        self.0
    }

    /// `duration` divided by the scale, at least one millisecond so that a scaled
    /// pause still has an end after its start.
    pub fn shorten(self, duration: Duration) -> Duration {
        let scaled = (millis(duration) as f64 / self.0).round() as u64;
        Duration::from_millis(scaled.max(1))
    }
}

impl Default for TimeScale {
    fn default() -> Self {
        TimeScale::REAL
    }
}

/// Maps wall time to simulated time: simulated time runs with the wall clock, plus
/// whatever the control API added with [`SimClock::advance`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimClock {
    offset_ms: u64,
}

impl SimClock {
    /// A clock where simulated time equals wall time.
    pub fn new() -> Self {
        Self { offset_ms: 0 }
    }

    /// Simulated time at wall instant `wall_ms` (milliseconds since the epoch).
    pub fn now(&self, wall_ms: u64) -> SimTime {
        SimTime(wall_ms.saturating_add(self.offset_ms))
    }

    /// Jump simulated time forward; wall time keeps running from there.
    pub fn advance(&mut self, duration: Duration) {
        self.offset_ms = self.offset_ms.saturating_add(millis(duration));
    }
}

impl Default for SimClock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scale_divides_long_durations() {
        let cases = [
            (1.0, 3 * 3600 * 1000),
            (3600.0, 3000),
            (1_000_000.0, 11),
            (0.0, 3 * 3600 * 1000),
            (-5.0, 3 * 3600 * 1000),
            (f64::NAN, 3 * 3600 * 1000),
        ];
        for (factor, expected_ms) in cases {
            let scaled = TimeScale::new(factor).shorten(Duration::from_secs(3 * 3600));
            assert_eq!(
                scaled.as_millis() as u64,
                expected_ms,
                "a 3 h pause at scale {factor} lasts {expected_ms} ms"
            );
        }
        assert_eq!(
            TimeScale::new(1e12).shorten(Duration::from_secs(1)),
            Duration::from_millis(1),
            "a scaled duration never collapses to zero, or a pause would end as it starts"
        );
    }

    #[test]
    fn the_clock_follows_wall_time_plus_advances() {
        let mut clock = SimClock::new();
        assert_eq!(clock.now(1_000), SimTime(1_000), "no advance: wall time");
        clock.advance(Duration::from_secs(60));
        assert_eq!(
            clock.now(1_500),
            SimTime(61_500),
            "an advance adds to wall time"
        );
    }
}
