//! Template quality: the score judged from recipients' block and report feedback, and
//! the pause ladder Meta applies when it falls to RED (pause 3 h, pause 6 h, disable).
//!
//! Pure: the window is fed settled messages by `sandbox`, which owns time.

use std::collections::VecDeque;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::limits;
use crate::profile::QualityRules;

/// Meta's quality score of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QualityScore {
    Unknown,
    Green,
    Yellow,
    Red,
}

/// The score for a window of `settled` messages of which `negative` were blocked or
/// reported. Each score is a band of the negative rate: the transition "table" of the
/// quality state machine is this banding, the same from any previous score, because
/// Meta judges the recent window, not the history.
pub fn score_for(settled: u32, negative: u32, rules: &QualityRules) -> QualityScore {
    if settled < rules.min_messages {
        return QualityScore::Unknown;
    }
    let rate = f64::from(negative) / f64::from(settled);
    if rate >= rules.red_rate {
        QualityScore::Red
    } else if rate >= rules.yellow_rate {
        QualityScore::Yellow
    } else {
        QualityScore::Green
    }
}

/// What falling to RED does to an approved template, by how often it was paused before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseStep {
    /// Paused for this long (before the time scale), then approved again.
    Pause {
        duration: Duration,
        /// Meta's `other_info.title`: `FIRST_PAUSE`, `SECOND_PAUSE`.
        title: &'static str,
    },
    /// Disabled for good.
    Disable,
}

/// The pause ladder as a table: pauses so far → what the next RED does.
pub fn pause_step(pauses_so_far: u32) -> PauseStep {
    const TITLES: [&str; 2] = ["FIRST_PAUSE", "SECOND_PAUSE"];
    match limits::PAUSE_LADDER.get(pauses_so_far as usize) {
        Some(duration) => PauseStep::Pause {
            duration: *duration,
            title: TITLES[pauses_so_far as usize],
        },
        None => PauseStep::Disable,
    }
}

/// The most recent settled messages of one template, as negative or not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedbackWindow {
    outcomes: VecDeque<bool>,
    negative: u32,
}

impl FeedbackWindow {
    /// Record one settled message and keep at most `capacity` of them.
    pub fn record(&mut self, negative: bool, capacity: u32) {
        self.outcomes.push_back(negative);
        if negative {
            self.negative += 1;
        }
        while self.outcomes.len() > capacity as usize {
            if self.outcomes.pop_front() == Some(true) {
                self.negative -= 1;
            }
        }
    }

    /// Forget everything: after a pause Meta judges the template afresh (otherwise the
    /// old feedback would pause it again the moment it returns).
    pub fn clear(&mut self) {
        self.outcomes.clear();
        self.negative = 0;
    }

    pub fn score(&self, rules: &QualityRules) -> QualityScore {
        score_for(self.outcomes.len() as u32, self.negative, rules)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_is_a_band_of_the_negative_rate() {
        let rules = QualityRules {
            window_messages: 100,
            min_messages: 10,
            yellow_rate: 0.02,
            red_rate: 0.05,
        };
        let cases = [
            (9, 9, QualityScore::Unknown),
            (10, 0, QualityScore::Green),
            (100, 1, QualityScore::Green),
            (100, 2, QualityScore::Yellow),
            (100, 4, QualityScore::Yellow),
            (100, 5, QualityScore::Red),
            (10, 10, QualityScore::Red),
        ];
        for (settled, negative, expected) in cases {
            assert_eq!(
                score_for(settled, negative, &rules),
                expected,
                "{negative} of {settled} blocked or reported"
            );
        }
    }

    #[test]
    fn the_pause_ladder_is_3h_6h_then_disabled() {
        let cases = [
            (
                0,
                PauseStep::Pause {
                    duration: Duration::from_secs(3 * 3600),
                    title: "FIRST_PAUSE",
                },
            ),
            (
                1,
                PauseStep::Pause {
                    duration: Duration::from_secs(6 * 3600),
                    title: "SECOND_PAUSE",
                },
            ),
            (2, PauseStep::Disable),
            (3, PauseStep::Disable),
        ];
        for (pauses, expected) in cases {
            assert_eq!(pause_step(pauses), expected, "after {pauses} pauses");
        }
    }

    #[test]
    fn the_window_keeps_only_the_latest_messages() {
        let rules = QualityRules {
            window_messages: 4,
            min_messages: 4,
            yellow_rate: 0.2,
            red_rate: 0.5,
        };
        let mut window = FeedbackWindow::default();
        for negative in [true, true, false, false] {
            window.record(negative, rules.window_messages);
        }
        assert_eq!(window.score(&rules), QualityScore::Red, "2 of 4 negative");
        for _ in 0..4 {
            window.record(false, rules.window_messages);
        }
        assert_eq!(
            window.score(&rules),
            QualityScore::Green,
            "old complaints leave the window"
        );
        window.clear();
        assert_eq!(
            window.score(&rules),
            QualityScore::Unknown,
            "cleared: no judgement"
        );
    }
}
