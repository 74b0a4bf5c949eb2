//! The phone number's standing, template analytics and media uploads.
//!
//! `GET /{PHONE_NUMBER_ID}?fields=…`, `GET /{WABA_ID}/template_analytics` and
//! `POST /{PHONE_NUMBER_ID}/media`.

use serde::{Deserialize, Serialize};

use super::{Paging, QualityRating, lenient};
use crate::limits;

/// The fields Cadence asks for about its business phone number.
pub const PHONE_NUMBER_FIELDS: &str = "id,display_phone_number,verified_name,quality_rating,\
throughput,whatsapp_business_manager_messaging_limit";

/// A business phone number's standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumberInfo {
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_phone_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_rating: Option<QualityRating>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throughput: Option<Throughput>,
    /// The business portfolio's messaging limit (unique users per moving 24 hours).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whatsapp_business_manager_messaging_limit: Option<MessagingLimitTier>,
    /// Deprecated by Meta in favour of the field above; read when it is all there is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_limit_tier: Option<MessagingLimitTier>,
}

impl PhoneNumberInfo {
    /// The messaging limit, from the current field or else the deprecated one.
    pub fn messaging_limit(&self) -> Option<&MessagingLimitTier> {
        self.whatsapp_business_manager_messaging_limit
            .as_ref()
            .or(self.messaging_limit_tier.as_ref())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Throughput {
    pub level: ThroughputLevel,
}

open_enum! {
    /// A phone number's throughput level.
    pub enum ThroughputLevel {
        /// 80 messages per second.
        Standard = "STANDARD",
        /// Up to 1,000 messages per second.
        High = "HIGH",
        NotApplicable = "NOT_APPLICABLE",
    }
}

impl ThroughputLevel {
    /// Messages per second this level allows, when Meta states one.
    pub fn messages_per_second(&self) -> Option<u32> {
        match self {
            Self::Standard => Some(limits::DEFAULT_THROUGHPUT_PER_SECOND),
            Self::High => Some(limits::UPGRADED_THROUGHPUT_PER_SECOND),
            Self::NotApplicable | Self::Other(_) => None,
        }
    }
}

open_enum! {
    /// A messaging limit tier as Meta names it.
    pub enum MessagingLimitTier {
        Tier50 = "TIER_50",
        Tier250 = "TIER_250",
        Tier1K = "TIER_1K",
        Tier2K = "TIER_2K",
        Tier10K = "TIER_10K",
        Tier100K = "TIER_100K",
        Unlimited = "TIER_UNLIMITED",
        /// The number has not sent a message yet.
        NotSet = "TIER_NOT_SET",
    }
}

/// What a tier allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessagingLimit {
    /// At most this many unique users per moving 24 hours.
    UniqueUsers(u32),
    Unlimited,
}

impl MessagingLimitTier {
    /// The limit this tier stands for; `None` when not set or unknown.
    pub fn limit(&self) -> Option<MessagingLimit> {
        if matches!(self, Self::Unlimited) {
            return Some(MessagingLimit::Unlimited);
        }
        limits::MESSAGING_TIER_NAMES
            .iter()
            .find(|(name, _)| *name == self.as_str())
            .map(|&(_, users)| MessagingLimit::UniqueUsers(users))
    }
}

/// `POST /{PHONE_NUMBER_ID}/media` answer: the media id to send by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaUploadResponse {
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
}

/// `GET /{WABA_ID}/template_analytics` query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateAnalyticsQuery {
    /// Unix seconds; Meta floors it to 00:00 UTC.
    pub start: i64,
    /// Unix seconds; Meta rounds it up to the next 00:00 UTC.
    pub end: i64,
    /// At most [`limits::ANALYTICS_MAX_TEMPLATE_IDS`].
    pub template_ids: Vec<String>,
}

/// The analytics answer: one series per product type, daily data points inside.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateAnalyticsResponse {
    #[serde(default)]
    pub data: Vec<TemplateAnalyticsSeries>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
}

impl TemplateAnalyticsResponse {
    /// Every data point of every series.
    pub fn data_points(&self) -> impl Iterator<Item = &TemplateAnalyticsDataPoint> {
        self.data
            .iter()
            .flat_map(|series| series.data_points.iter())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateAnalyticsSeries {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granularity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_type: Option<String>,
    #[serde(default)]
    pub data_points: Vec<TemplateAnalyticsDataPoint>,
}

/// One template on one day. Counts Meta leaves out (no activity, or a metric not
/// asked for) read as absent rather than zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateAnalyticsDataPoint {
    #[serde(deserialize_with = "lenient::string")]
    pub template_id: String,
    pub start: i64,
    pub end: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<u64>,
    /// Clicks per button (URL and quick-reply buttons of marketing and utility templates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clicked: Vec<ButtonClicks>,
    /// Spend figures (`amount_spent`, `cost_per_delivered`, …) when Meta gives them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cost: Vec<CostFigure>,
}

impl TemplateAnalyticsDataPoint {
    /// Clicks on all buttons together.
    pub fn clicked_total(&self) -> u64 {
        self.clicked.iter().map(|c| c.count).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ButtonClicks {
    /// `quick_reply_button` or `url_button`.
    #[serde(rename = "type")]
    pub button_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button_content: Option<String>,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostFigure {
    #[serde(rename = "type")]
    pub cost_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tiers_map_to_the_limits_table() {
        assert_eq!(
            MessagingLimitTier::Tier2K.limit(),
            Some(MessagingLimit::UniqueUsers(2_000)),
            "TIER_2K is 2,000 unique users"
        );
        assert_eq!(
            MessagingLimitTier::Unlimited.limit(),
            Some(MessagingLimit::Unlimited),
            "the top tier has no cap"
        );
        assert_eq!(
            MessagingLimitTier::NotSet.limit(),
            None,
            "a number that never sent has no known limit"
        );
    }

    #[test]
    fn deprecated_limit_field_is_a_fallback() {
        let info: PhoneNumberInfo = serde_json::from_value(json!({
            "id": "1", "messaging_limit_tier": "TIER_1K"
        }))
        .unwrap();
        assert_eq!(
            info.messaging_limit(),
            Some(&MessagingLimitTier::Tier1K),
            "older numbers may only report the deprecated field"
        );
    }
}
