//! Meta's fixed numbers for a template, in one place for the core (figures from
//! `shared/WHATSAPP.md` and Meta's template components reference). The workspace's
//! own thresholds are in [`super::LintSettings`]; these are not settings because
//! Meta, not the team, decides them.
//!
//! This is the one copy: the editor (through the linter), the sandbox's review
//! and the wire layer all read these.

/// Longest template name.
pub const NAME_MAX: usize = 512;
/// Longest body.
pub const BODY_MAX: usize = 1024;
/// Longest text header.
pub const HEADER_TEXT_MAX: usize = 60;
/// Variables a text header may hold.
pub const HEADER_VARIABLES_MAX: usize = 1;
/// Longest footer.
pub const FOOTER_MAX: usize = 60;
/// Buttons in all.
pub const BUTTONS_MAX: usize = 10;
/// URL buttons.
pub const URL_BUTTONS_MAX: usize = 2;
/// Phone number buttons.
pub const PHONE_BUTTONS_MAX: usize = 1;
/// Copy code buttons (marketing only).
pub const COPY_CODE_BUTTONS_MAX: usize = 1;
/// Longest button label.
pub const BUTTON_LABEL_MAX: usize = 25;
/// Longest example coupon code of a copy code button.
pub const COPY_CODE_EXAMPLE_MAX: usize = 15;
/// Digits of an E.164 number (after the `+`): the shortest numbering plans have 7.
pub const PHONE_DIGITS_MIN: usize = 7;
pub const PHONE_DIGITS_MAX: usize = 15;
/// Partners observe that review wants at least `2x + 1` other words for `x`
/// variables: this is the 2.
pub const WORDS_PER_VARIABLE: usize = 2;
