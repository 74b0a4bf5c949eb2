//! The crate from the outside: Meta's documented JSON in and out, webhook fixtures,
//! signature vectors, and the client against a local stand-in for the Graph API.
//!
//! Fixtures under `tests/fixtures/` are written from the shapes and example values of
//! Meta's Cloud API reference pages.

use std::path::Path;

use serde_json::{Value, json};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).expect("fixtures are valid JSON")
}

mod templates {
    use super::*;
    use cadence_whatsapp::wire::*;

    fn positional() -> TemplateCreateRequest {
        TemplateCreateRequest {
            name: "seasonal_promotion_text_only".into(),
            language: "en_US".into(),
            category: Category::Marketing,
            parameter_format: ParameterFormat::Positional,
            components: vec![
                TemplateComponent::Header(HeaderComponent::Text {
                    text: "Our {{1}} is on!".into(),
                    example: Some(HeaderTextExample::positional("Summer Sale")),
                }),
                TemplateComponent::Body(BodyComponent {
                    text: "Shop now through {{1}} and use code {{2}} to get {{3}} off of all merchandise."
                        .into(),
                    example: Some(BodyExample::positional(["the end of August", "25OFF", "25%"])),
                }),
                TemplateComponent::Footer(FooterComponent {
                    text: "Use the buttons below to manage your marketing subscriptions".into(),
                }),
                TemplateComponent::Buttons(ButtonsComponent {
                    buttons: vec![
                        TemplateButton::QuickReply {
                            text: "Unsubscribe from Promos".into(),
                        },
                        TemplateButton::QuickReply {
                            text: "Unsubscribe from All".into(),
                        },
                        TemplateButton::Url {
                            text: "Shop now".into(),
                            url: "https://www.luckyshrub.com/shop?promo={{1}}".into(),
                            example: Some(vec![
                                "https://www.luckyshrub.com/shop?promo=summer2023".into(),
                            ]),
                        },
                        TemplateButton::PhoneNumber {
                            text: "Call us".into(),
                            phone_number: "+15550051310".into(),
                        },
                        TemplateButton::CopyCode {
                            example: "25OFF".into(),
                        },
                    ],
                }),
            ],
        }
    }

    fn named() -> TemplateCreateRequest {
        TemplateCreateRequest {
            name: "order_confirmation".into(),
            language: "en_US".into(),
            category: Category::Marketing,
            parameter_format: ParameterFormat::Named,
            components: vec![
                TemplateComponent::Header(HeaderComponent::Text {
                    text: "Our new sale starts {{sale_start_date}}!".into(),
                    example: Some(HeaderTextExample::named(NamedParamExample::new(
                        "sale_start_date",
                        "December 1st",
                    ))),
                }),
                TemplateComponent::Body(BodyComponent {
                    text: "Thank you, {{first_name}}! Your order number is {{order_number}}."
                        .into(),
                    example: Some(BodyExample::named(vec![
                        NamedParamExample::new("first_name", "Pablo"),
                        NamedParamExample::new("order_number", "860198-230332"),
                    ])),
                }),
                TemplateComponent::Buttons(ButtonsComponent {
                    buttons: vec![TemplateButton::QuickReply {
                        text: "Stop promotions".into(),
                    }],
                }),
            ],
        }
    }

    fn assert_round_trip(typed: &TemplateCreateRequest, fixture_name: &str) {
        let documented = fixture_json(fixture_name);
        assert_eq!(
            serde_json::to_value(typed).unwrap(),
            documented,
            "what Cadence sends must be Meta's documented JSON ({fixture_name})"
        );
        let parsed: TemplateCreateRequest = serde_json::from_value(documented).unwrap();
        assert_eq!(
            &parsed, typed,
            "the documented JSON must read back as the same template (the sandbox parses it)"
        );
    }

    #[test]
    fn positional_create_request_is_metas_json() {
        assert_round_trip(&positional(), "template_create_positional.json");
    }

    #[test]
    fn named_create_request_is_metas_json() {
        assert_round_trip(&named(), "template_create_named.json");
    }

    #[test]
    fn media_header_create_request_is_metas_json() {
        let typed = TemplateCreateRequest {
            name: "limited_time_offer".into(),
            language: "en_US".into(),
            category: Category::Marketing,
            parameter_format: ParameterFormat::Positional,
            components: vec![
                TemplateComponent::Header(HeaderComponent::Image {
                    example: Some(HeaderMediaExample {
                        header_handle: vec!["4::aW1hZ2UvanBlZw==:ARa1ZDhwbLZM3EENeeg".into()],
                    }),
                }),
                TemplateComponent::Body(BodyComponent {
                    text: "Hi {{1}}, you recently looked at our garden chairs: they are {{2}} off this week only.".into(),
                    example: Some(BodyExample::positional(["Mark", "25%"])),
                }),
                TemplateComponent::Buttons(ButtonsComponent {
                    buttons: vec![TemplateButton::Url {
                        text: "See the chairs".into(),
                        url: "https://www.luckyshrub.com/chairs".into(),
                        example: None,
                    }],
                }),
            ],
        };
        assert_round_trip(&typed, "template_create_media_header.json");
    }

    #[test]
    fn other_header_formats_serialize_as_documented() {
        let cases = [
            (
                HeaderComponent::Location,
                json!({"type": "HEADER", "format": "LOCATION"}),
            ),
            (
                HeaderComponent::Video {
                    example: Some(HeaderMediaExample {
                        header_handle: vec!["h".into()],
                    }),
                },
                json!({"type": "HEADER", "format": "VIDEO", "example": {"header_handle": ["h"]}}),
            ),
            (
                HeaderComponent::Document {
                    example: Some(HeaderMediaExample {
                        header_handle: vec!["h".into()],
                    }),
                },
                json!({"type": "HEADER", "format": "DOCUMENT", "example": {"header_handle": ["h"]}}),
            ),
        ];
        for (header, expected) in cases {
            let component = TemplateComponent::Header(header);
            assert_eq!(
                serde_json::to_value(&component).unwrap(),
                expected,
                "header formats are tagged by `format` inside a `HEADER` component"
            );
            let back: TemplateComponent = serde_json::from_value(expected).unwrap();
            assert_eq!(back, component, "and read back the same");
        }
    }

    #[test]
    fn create_response_reads() {
        let r: TemplateCreateResponse = serde_json::from_value(
            json!({"id": "572279198452421", "status": "PENDING", "category": "MARKETING"}),
        )
        .unwrap();
        assert_eq!(
            r.status,
            TemplateStatus::Pending,
            "new templates await review"
        );
        assert_eq!(r.category, Category::Marketing, "category echoed");
    }

    #[test]
    fn list_page_reads_every_status_and_quality() {
        let page: TemplateListPage = serde_json::from_value(json!({
            "data": [
                {"name": "seasonal_promotion", "parameter_format": "POSITIONAL",
                 "components": [{"type": "BODY", "text": "Hi {{1}}", "example": {"body_text": [["Ann"]]}}],
                 "language": "en_US", "status": "APPROVED", "category": "MARKETING",
                 "quality_score": {"score": "GREEN", "date": 1698192000},
                 "rejected_reason": "NONE", "id": "594425479261596"},
                {"name": "carousel_promo", "components": [{"type": "CAROUSEL", "cards": []}],
                 "language": "en_US", "status": "PAUSED", "category": "MARKETING",
                 "quality_score": {"score": "RED"}, "id": "1"},
                {"name": "brand_new", "components": [], "language": "ru", "status": "SOME_NEW_STATE",
                 "category": "UTILITY", "quality_score": {"score": "UNKNOWN"}, "id": "2"},
                {"name": "old", "components": [], "language": "ru", "status": "REJECTED",
                 "category": "MARKETING", "rejected_reason": "TAG_CONTENT_MISMATCH", "id": "3"}
            ],
            "paging": {"cursors": {"before": "MAZDZD", "after": "MjQZD"},
                       "next": "https://graph.facebook.com/v23.0/102290129340398/message_templates?after=MjQZD"}
        }))
        .unwrap();
        let statuses: Vec<_> = page.data.iter().map(|t| t.status.clone()).collect();
        assert_eq!(
            statuses,
            vec![
                TemplateStatus::Approved,
                TemplateStatus::Paused,
                TemplateStatus::Other("SOME_NEW_STATE".into()),
                TemplateStatus::Rejected
            ],
            "every status reads, an unknown one included"
        );
        assert_eq!(
            page.data[0].quality_score,
            Some(QualityScore {
                score: QualityRating::Green,
                date: Some(1698192000)
            }),
            "quality score with its date"
        );
        assert!(
            matches!(page.data[1].components[0], ListedComponent::Unsupported(_)),
            "a carousel is kept raw"
        );
        assert_eq!(
            page.next_cursor(),
            Some("MjQZD"),
            "the after cursor of a page with a next link"
        );
        assert_eq!(
            page.data[3].rejected_reason.as_deref(),
            Some("TAG_CONTENT_MISMATCH"),
            "rejection reasons are shown to the user"
        );
    }
}

mod sends {
    use super::*;
    use cadence_whatsapp::wire::*;

    #[test]
    fn positional_send_request_is_metas_json() {
        let request = SendTemplateRequest::new("+16505551234", "limited_time_offer", "en_US")
            .with_component(SendComponent::Header {
                parameters: vec![SendParameter::Image {
                    image: MediaObject::by_id("2762702990552401"),
                }],
            })
            .with_component(SendComponent::Body {
                parameters: vec![SendParameter::text("Mark"), SendParameter::text("25%")],
            })
            .with_component(SendComponent::Button {
                sub_type: ButtonSubType::QuickReply,
                index: 0,
                parameters: vec![SendParameter::Payload {
                    payload: "STOP_PROMOS".into(),
                }],
            })
            .with_component(SendComponent::Button {
                sub_type: ButtonSubType::Url,
                index: 1,
                parameters: vec![SendParameter::text("summer2023")],
            })
            .with_component(SendComponent::Button {
                sub_type: ButtonSubType::CopyCode,
                index: 2,
                parameters: vec![SendParameter::CouponCode {
                    coupon_code: "25OFF".into(),
                }],
            })
            .with_callback_data("outbox:4711");
        let expected = json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "+16505551234",
            "type": "template",
            "template": {
                "name": "limited_time_offer",
                "language": {"code": "en_US"},
                "components": [
                    {"type": "header", "parameters": [{"type": "image", "image": {"id": "2762702990552401"}}]},
                    {"type": "body", "parameters": [{"type": "text", "text": "Mark"}, {"type": "text", "text": "25%"}]},
                    {"type": "button", "sub_type": "quick_reply", "index": "0",
                     "parameters": [{"type": "payload", "payload": "STOP_PROMOS"}]},
                    {"type": "button", "sub_type": "url", "index": "1",
                     "parameters": [{"type": "text", "text": "summer2023"}]},
                    {"type": "button", "sub_type": "COPY_CODE", "index": "2",
                     "parameters": [{"type": "coupon_code", "coupon_code": "25OFF"}]}
                ]
            },
            "biz_opaque_callback_data": "outbox:4711"
        });
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            expected,
            "the send body must be Meta's documented shape"
        );
        let back: SendTemplateRequest = serde_json::from_value(expected).unwrap();
        assert_eq!(back, request, "the sandbox reads the same body back");
    }

    #[test]
    fn named_send_request_carries_parameter_names() {
        let request = SendTemplateRequest::new("16505551234", "order_confirmation", "en_US")
            .with_component(SendComponent::Header {
                parameters: vec![SendParameter::named_text("sale_start_date", "December 1st")],
            })
            .with_component(SendComponent::Body {
                parameters: vec![
                    SendParameter::named_text("first_name", "Jessica"),
                    SendParameter::named_text("order_number", "SKBUP2-4CPIG9"),
                ],
            })
            .with_component(SendComponent::Header {
                parameters: vec![SendParameter::Document {
                    document: MediaObject {
                        link: Some("https://example.com/terms.pdf".into()),
                        filename: Some("terms.pdf".into()),
                        id: None,
                    },
                }],
            });
        let value = serde_json::to_value(&request).unwrap();
        assert_eq!(
            value["template"]["components"][1]["parameters"][0],
            json!({"type": "text", "parameter_name": "first_name", "text": "Jessica"}),
            "named templates put parameter_name on every parameter"
        );
        assert_eq!(
            value["template"]["components"][2]["parameters"][0],
            json!({"type": "document", "document": {"link": "https://example.com/terms.pdf", "filename": "terms.pdf"}}),
            "media by link, with the document's file name"
        );
    }

    #[test]
    fn send_response_gives_the_wamid() {
        let r: SendMessageResponse = serde_json::from_value(json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": "+16505551234", "wa_id": "16505551234"}],
            "messages": [{"id": "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA",
                          "message_status": "accepted"}]
        }))
        .unwrap();
        assert_eq!(
            r.wamid(),
            Some("wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"),
            "the wamid keys every later status webhook"
        );
        assert_eq!(
            r.messages[0].message_status,
            Some(MessageAcceptance::Accepted),
            "template sends say whether Meta accepted or held them"
        );
    }

    #[test]
    fn meta_error_body_reads_as_documented() {
        let body: MetaErrorBody = serde_json::from_value(json!({
            "error": {
                "message": "(#131056) (Business Account, Consumer Account) pair rate limit hit",
                "type": "OAuthException",
                "code": 131056,
                "error_subcode": 2494081,
                "error_data": {"messaging_product": "whatsapp",
                               "details": "Too many messages sent from this phone number to the same phone number in a short period of time."},
                "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam"
            }
        }))
        .unwrap();
        assert_eq!(body.error.code, 131056, "the code decides the retry class");
        assert_eq!(
            body.error.error_subcode,
            Some(2494081),
            "subcode kept for the log"
        );
        assert!(
            body.error
                .error_data
                .unwrap()
                .details
                .unwrap()
                .contains("same phone number"),
            "details carry the most specific explanation"
        );
    }

    #[test]
    fn phone_number_and_analytics_answers_read() {
        let info: PhoneNumberInfo = serde_json::from_value(json!({
            "verified_name": "Lucky Shrub",
            "display_phone_number": "+1 555-078-3881",
            "quality_rating": "GREEN",
            "throughput": {"level": "STANDARD"},
            "whatsapp_business_manager_messaging_limit": "TIER_2K",
            "id": "106540352242922"
        }))
        .unwrap();
        assert_eq!(
            info.quality_rating,
            Some(QualityRating::Green),
            "quality rating"
        );
        assert_eq!(
            info.throughput
                .as_ref()
                .unwrap()
                .level
                .messages_per_second(),
            Some(cadence_whatsapp::limits::DEFAULT_THROUGHPUT_PER_SECOND),
            "standard throughput is the 80/s default"
        );
        assert_eq!(
            info.messaging_limit().and_then(MessagingLimitTier::limit),
            Some(MessagingLimit::UniqueUsers(2_000)),
            "TIER_2K caps unique users at 2,000 a day"
        );

        let analytics: TemplateAnalyticsResponse = serde_json::from_value(json!({
            "data": [{
                "granularity": "DAILY",
                "product_type": "cloud_api",
                "data_points": [
                    {"template_id": "1924084211297547", "start": 1689379200, "end": 1689465600,
                     "sent": 120, "delivered": 110, "read": 80,
                     "clicked": [
                        {"type": "quick_reply_button", "button_content": "Tell me more", "count": 3},
                        {"type": "url_button", "button_content": "Shop now", "count": 7}
                     ],
                     "cost": [{"type": "amount_spent", "value": 1.25}, {"type": "cost_per_delivered"}]},
                    {"template_id": "1924084211297547", "start": 1689465600, "end": 1689552000}
                ]
            }],
            "paging": {"cursors": {"before": "MAZDZD", "after": "MjQZD"}}
        }))
        .unwrap();
        let points: Vec<_> = analytics.data_points().collect();
        assert_eq!(points.len(), 2, "one point per template per day");
        assert_eq!(points[0].sent, Some(120), "sent");
        assert_eq!(points[0].delivered, Some(110), "delivered");
        assert_eq!(points[0].read, Some(80), "read");
        assert_eq!(points[0].clicked_total(), 10, "clicks add up over buttons");
        assert_eq!(
            points[1].sent, None,
            "a day without figures reads as absent, not as a measured zero"
        );
    }
}

mod webhooks {
    use super::*;
    use cadence_whatsapp::RetryClass;
    use cadence_whatsapp::webhook::*;
    use cadence_whatsapp::wire::{Category, MessagingLimitTier, QualityRating};

    fn single(name: &str) -> WebhookEvent {
        let mut events = parse_webhook(&fixture(name)).unwrap();
        assert_eq!(events.len(), 1, "{name} holds one event: {events:?}");
        events.remove(0)
    }

    #[test]
    fn sent_status_with_pricing_and_callback_data() {
        let WebhookEvent::MessageStatus(s) = single("webhook_status_sent.json") else {
            panic!("a statuses[] entry is a message status")
        };
        assert_eq!(s.status, DeliveryStatus::Sent, "status");
        assert_eq!(
            s.wamid, "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA",
            "the wamid links the status to the send"
        );
        assert_eq!(s.timestamp, 1750263773, "string timestamps become numbers");
        assert_eq!(s.recipient_id, "16505551234", "recipient");
        assert_eq!(
            s.biz_opaque_callback_data.as_deref(),
            Some("outbox:4711;campaign:12;variant:B"),
            "the outbox row comes back: this is how a crash is reconciled"
        );
        assert_eq!(
            s.pricing,
            Some(Pricing {
                billable: Some(true),
                category: Some("marketing".into()),
                pricing_model: Some("PMP".into()),
                pricing_type: Some("regular".into()),
            }),
            "pricing is kept for cost reports"
        );
        assert_eq!(
            s.phone_number_id.as_deref(),
            Some("106540352242922"),
            "sending number"
        );
        assert!(s.errors.is_empty(), "a sent status has no errors");
    }

    #[test]
    fn failed_status_carries_its_error_and_class() {
        let WebhookEvent::MessageStatus(s) = single("webhook_status_failed.json") else {
            panic!("a statuses[] entry is a message status")
        };
        assert_eq!(s.status, DeliveryStatus::Failed, "status");
        assert_eq!(s.errors.len(), 1, "one error");
        let error = &s.errors[0];
        assert_eq!(
            error.code, 131049,
            "per-user marketing limit arrives as a failed status"
        );
        assert_eq!(
            error.retry_class(),
            RetryClass::RetryAfter24h,
            "so the webhook path uses the same retry table as the send path"
        );
        assert!(
            error
                .details
                .as_deref()
                .unwrap()
                .contains("healthy ecosystem"),
            "error_data.details is kept"
        );
    }

    #[test]
    fn inbound_text_message() {
        let WebhookEvent::InboundMessage(m) = single("webhook_message_text.json") else {
            panic!("a messages[] entry is an inbound message")
        };
        assert_eq!(
            m.kind,
            InboundKind::Text {
                body: "Does it come in another color?".into()
            },
            "text body"
        );
        assert_eq!(m.from, "16505551234", "sender");
        assert_eq!(
            m.profile_name.as_deref(),
            Some("Sheena Nelson"),
            "profile from contacts[]"
        );
        assert_eq!(m.timestamp, 1749416383, "timestamp");
        assert_eq!(m.context_id, None, "a fresh message answers nothing");
    }

    #[test]
    fn quick_reply_tap_points_at_the_template_it_answers() {
        let WebhookEvent::InboundMessage(m) = single("webhook_message_button.json") else {
            panic!("a messages[] entry is an inbound message")
        };
        assert_eq!(
            m.kind,
            InboundKind::Button {
                payload: "Unsubscribe from Promos".into(),
                text: "Unsubscribe from Promos".into()
            },
            "the quick reply's payload and label"
        );
        assert_eq!(
            m.context_id.as_deref(),
            Some("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA"),
            "context.id is the template message's wamid: that ties a 'Stop' to a campaign"
        );
    }

    #[test]
    fn interactive_button_reply() {
        let WebhookEvent::InboundMessage(m) = single("webhook_message_interactive.json") else {
            panic!("a messages[] entry is an inbound message")
        };
        assert_eq!(
            m.kind,
            InboundKind::ButtonReply {
                id: "cancel-button".into(),
                title: "Cancel".into()
            },
            "interactive button replies keep id and title"
        );
        assert!(m.context_id.is_some(), "they answer a message too");
    }

    #[test]
    fn template_rejection() {
        let WebhookEvent::TemplateStatusUpdate(t) = single("webhook_template_status_update.json")
        else {
            panic!("message_template_status_update is a template status update")
        };
        assert_eq!(t.event, TemplateStatusEvent::Rejected, "event");
        assert_eq!(
            t.message_template_id, "1689556908129832",
            "numeric id becomes a string"
        );
        assert_eq!(t.message_template_name, "abandoned_cart", "name");
        assert_eq!(t.message_template_language, "en-US", "language");
        assert_eq!(t.reason.as_deref(), Some("INVALID_FORMAT"), "reason");
        assert_eq!(
            t.message_template_category,
            Some(Category::Marketing),
            "category"
        );
        assert!(
            t.rejection_info
                .unwrap()
                .recommendation
                .unwrap()
                .contains("Move the variable"),
            "Meta's recommendation is shown to the user"
        );
        assert_eq!(t.waba_id, "102290129340398", "which account");
    }

    #[test]
    fn template_pause() {
        let WebhookEvent::TemplateStatusUpdate(t) = single("webhook_template_status_paused.json")
        else {
            panic!("message_template_status_update is a template status update")
        };
        assert_eq!(t.event, TemplateStatusEvent::Paused, "event");
        assert_eq!(
            t.other_info.unwrap().title.as_deref(),
            Some("FIRST_PAUSE"),
            "the pause count decides the hold (3 h, 6 h, then disabled)"
        );
    }

    #[test]
    fn template_quality_change() {
        let WebhookEvent::TemplateQualityUpdate(q) = single("webhook_template_quality_update.json")
        else {
            panic!("message_template_quality_update is a quality update")
        };
        assert_eq!(q.previous_quality_score, QualityRating::Green, "from");
        assert_eq!(q.new_quality_score, QualityRating::Yellow, "to");
        assert_eq!(
            q.message_template_id.as_deref(),
            Some("806312974732579"),
            "id"
        );
        assert_eq!(q.message_template_name, "welcome_template", "name");
        assert_eq!(q.message_template_language, "en-US", "language");
    }

    #[test]
    fn phone_number_limit_change() {
        let WebhookEvent::PhoneNumberQualityUpdate(p) =
            single("webhook_phone_number_quality_update.json")
        else {
            panic!("phone_number_quality_update is a phone number update")
        };
        assert_eq!(p.event, PhoneNumberEvent::Upgrade, "event");
        assert_eq!(p.display_phone_number, "15550783881", "number");
        assert_eq!(p.old_limit, Some(MessagingLimitTier::Tier2K), "old limit");
        assert_eq!(
            p.messaging_limit(),
            Some(&MessagingLimitTier::Tier10K),
            "the planner reads the new limit"
        );
    }

    #[test]
    fn marketing_opt_out() {
        let WebhookEvent::UserPreference(p) = single("webhook_user_preferences.json") else {
            panic!("user_preferences is a user preference")
        };
        assert_eq!(p.wa_id, "16505551234", "who");
        assert_eq!(p.category, "marketing_messages", "which messages");
        assert_eq!(p.value, MarketingPreference::Stop, "an opt-out");
        assert_eq!(p.timestamp, 1731705721, "numeric timestamp");
    }

    #[test]
    fn fields_cadence_does_not_use_are_unknown_not_errors() {
        assert_eq!(
            single("webhook_unknown_field.json"),
            WebhookEvent::Unknown {
                field: "account_update".into()
            },
            "Meta must get a 200 for fields Cadence ignores, or it retries for a day"
        );
    }

    #[test]
    fn events_survive_a_json_round_trip() {
        let fixtures = [
            "webhook_status_sent.json",
            "webhook_status_failed.json",
            "webhook_message_text.json",
            "webhook_message_button.json",
            "webhook_message_interactive.json",
            "webhook_template_status_update.json",
            "webhook_template_status_paused.json",
            "webhook_template_quality_update.json",
            "webhook_phone_number_quality_update.json",
            "webhook_user_preferences.json",
            "webhook_unknown_field.json",
        ];
        for name in fixtures {
            for event in parse_webhook(&fixture(name)).unwrap() {
                let stored = serde_json::to_string(&event).unwrap();
                let back: WebhookEvent = serde_json::from_str(&stored).unwrap_or_else(|e| {
                    panic!("{name}: stored event {stored} does not read back: {e}")
                });
                assert_eq!(
                    back, event,
                    "the store keeps events as JSON and must read them back"
                );
            }
        }
    }

    #[test]
    fn unknown_status_values_are_kept() {
        let raw = String::from_utf8(fixture("webhook_status_sent.json"))
            .unwrap()
            .replace("\"sent\"", "\"deleted\"");
        let events = parse_webhook(raw.as_bytes()).unwrap();
        assert!(
            matches!(&events[0], WebhookEvent::MessageStatus(s) if s.status == DeliveryStatus::Other("deleted".into())),
            "a status Meta adds must not fail the webhook: {events:?}"
        );
    }
}

mod signatures {
    use super::*;
    use cadence_whatsapp::{SignatureError, sign_body, verify_signature};

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn vectors() {
        let body = fixture("webhook_status_sent.json");
        let good = sign_body(SECRET, &body);
        assert_eq!(
            verify_signature(SECRET, &body, Some(&good)),
            Ok(()),
            "Meta's signature over the raw body verifies"
        );
        assert_eq!(
            verify_signature(b"another secret", &body, Some(&good)),
            Err(SignatureError::Mismatch),
            "a body signed with another app's secret is refused"
        );
        assert_eq!(
            verify_signature(SECRET, &body, None),
            Err(SignatureError::MissingHeader),
            "an unsigned POST is refused"
        );
        let bare_hex = good.trim_start_matches("sha256=");
        assert_eq!(
            verify_signature(SECRET, &body, Some(bare_hex)),
            Err(SignatureError::WrongPrefix),
            "the header must say which hash it uses"
        );
        assert_eq!(
            verify_signature(SECRET, &body, Some(&format!("sha1={bare_hex}"))),
            Err(SignatureError::WrongPrefix),
            "the old SHA-1 header is not accepted"
        );
        assert_eq!(
            verify_signature(SECRET, &body, Some("sha256=not-hex")),
            Err(SignatureError::BadHex),
            "garbage is told apart from a wrong signature"
        );
        let mut changed = body.clone();
        let at = changed.len() / 2;
        changed[at] ^= 0x01;
        assert_eq!(
            verify_signature(SECRET, &changed, Some(&good)),
            Err(SignatureError::Mismatch),
            "one changed byte in the body breaks the signature"
        );
        assert_eq!(
            verify_signature(SECRET, &body, Some(&good[..good.len() - 2])),
            Err(SignatureError::Mismatch),
            "a truncated digest is refused, not compared as a prefix"
        );
        assert_eq!(
            verify_signature(b"", &body, Some(&sign_body(b"", &body))),
            Err(SignatureError::NoAppSecret),
            "with no secret configured nothing is trusted"
        );
    }
}

mod client {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use axum::Router;
    use axum::body::Body;
    use axum::extract::{FromRequest, Multipart, Query, Request, State};
    use axum::http::{StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use cadence_whatsapp::wire::*;
    use cadence_whatsapp::{
        AccessToken, Client, Error, RetryClass, TransportKind, VerificationQuery,
    };

    const TOKEN: &str = "EAAGm0PX4ZCpsBAtestTOKENvalue123";

    /// A request as the stand-in server received it.
    #[derive(Debug, Clone)]
    struct Seen {
        method: String,
        path: String,
        query: Vec<(String, String)>,
        authorization: Option<String>,
        content_type: Option<String>,
        /// The Resumable Upload API's `file_offset` header.
        file_offset: Option<String>,
        body: Vec<u8>,
    }

    impl Seen {
        fn param(&self, name: &str) -> Option<&str> {
            self.query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        }

        fn json(&self) -> Value {
            serde_json::from_slice(&self.body).expect("the client sends JSON bodies")
        }
    }

    struct Reply {
        status: u16,
        content_type: &'static str,
        body: String,
        delay: Duration,
    }

    impl Reply {
        fn json(status: u16, body: Value) -> Self {
            Self {
                status,
                content_type: "application/json",
                body: body.to_string(),
                delay: Duration::ZERO,
            }
        }
    }

    type Respond = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

    #[derive(Clone)]
    struct FakeMeta {
        seen: Arc<Mutex<Vec<Seen>>>,
        respond: Respond,
    }

    impl FakeMeta {
        fn seen(&self) -> Vec<Seen> {
            self.seen.lock().unwrap().clone()
        }
    }

    async fn handle(State(fake): State<FakeMeta>, request: Request) -> Response {
        let (parts, body) = request.into_parts();
        let body = axum::body::to_bytes(body, 16 * 1024 * 1024).await.unwrap();
        let query = reqwest::Url::parse(&format!(
            "http://x/?{}",
            parts.uri.query().unwrap_or_default()
        ))
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
        let header = |name| {
            parts
                .headers
                .get(name)
                .map(|v: &axum::http::HeaderValue| v.to_str().unwrap().to_owned())
        };
        let seen = Seen {
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            query,
            authorization: header(header::AUTHORIZATION),
            content_type: header(header::CONTENT_TYPE),
            file_offset: header(header::HeaderName::from_static("file_offset")),
            body: body.to_vec(),
        };
        let reply = (fake.respond)(&seen);
        fake.seen.lock().unwrap().push(seen);
        if !reply.delay.is_zero() {
            tokio::time::sleep(reply.delay).await;
        }
        (
            StatusCode::from_u16(reply.status).unwrap(),
            [(header::CONTENT_TYPE, reply.content_type)],
            reply.body,
        )
            .into_response()
    }

    async fn verify_webhook(Query(query): Query<VerificationQuery>) -> Response {
        match query.challenge_for("my-verify-token") {
            Some(challenge) => (StatusCode::OK, challenge.to_owned()).into_response(),
            None => StatusCode::FORBIDDEN.into_response(),
        }
    }

    /// Start a stand-in Graph API on 127.0.0.1:0 and a client pointed at it.
    async fn start(respond: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> (Client, FakeMeta) {
        let fake = FakeMeta {
            seen: Arc::default(),
            respond: Arc::new(respond),
        };
        let router = Router::new()
            .route("/webhook", axum::routing::get(verify_webhook))
            .fallback(handle)
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        let client = Client::builder(AccessToken::new(TOKEN))
            .base_url(format!("http://{address}"))
            .connect_timeout(Duration::from_millis(500))
            .request_timeout(Duration::from_millis(200))
            .build()
            .unwrap();
        (client, fake)
    }

    fn assert_token_hidden(text: &str) {
        assert!(
            !text.contains(TOKEN),
            "the access token must never reach logs or the UI: {text}"
        );
    }

    fn assert_authorized(seen: &Seen) {
        assert_eq!(
            seen.authorization.as_deref(),
            Some(format!("Bearer {TOKEN}").as_str()),
            "every call carries the bearer token in the Authorization header, never in the URL"
        );
        assert!(
            seen.query.iter().all(|(_, v)| !v.contains(TOKEN)),
            "the token must not be in the query string (URLs end up in error messages)"
        );
    }

    #[tokio::test]
    async fn create_template_posts_the_request_and_reads_the_answer() {
        let (client, fake) = start(|_| {
            Reply::json(
                200,
                json!({"id": "572279198452421", "status": "PENDING", "category": "MARKETING"}),
            )
        })
        .await;
        let request: TemplateCreateRequest =
            serde_json::from_value(fixture_json("template_create_named.json")).unwrap();
        let created = client
            .create_template("102290129340398", &request)
            .await
            .unwrap();
        assert_eq!(created.id, "572279198452421", "the new template's id");
        assert_eq!(created.status, TemplateStatus::Pending, "awaiting review");
        let seen = &fake.seen()[0];
        assert_eq!(
            (seen.method.as_str(), seen.path.as_str()),
            ("POST", "/v23.0/102290129340398/message_templates"),
            "POST /{{version}}/{{WABA_ID}}/message_templates"
        );
        assert_authorized(seen);
        assert_eq!(
            seen.json(),
            fixture_json("template_create_named.json"),
            "the body on the wire is Meta's documented JSON"
        );
    }

    #[tokio::test]
    async fn list_templates_follows_the_after_cursor() {
        let (client, fake) = start(|seen| match seen.param("after") {
            None => Reply::json(
                200,
                json!({
                    "data": [{"id": "1", "name": "a", "language": "en_US", "status": "APPROVED",
                              "category": "MARKETING", "quality_score": {"score": "GREEN"}, "components": []}],
                    "paging": {"cursors": {"before": "b1", "after": "c1"}, "next": "http://next/page2"}
                }),
            ),
            Some("c1") => Reply::json(
                200,
                json!({
                    "data": [{"id": "2", "name": "b", "language": "ru", "status": "IN_APPEAL",
                              "category": "UTILITY", "components": []}],
                    "paging": {"cursors": {"before": "b2", "after": "c2"}}
                }),
            ),
            Some(other) => panic!("unexpected cursor {other}"),
        })
        .await;
        let page = client
            .list_templates(
                "102290129340398",
                &TemplateListQuery {
                    limit: Some(1),
                    ..TemplateListQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            page.next_cursor(),
            Some("c1"),
            "first page points at the second"
        );
        let all = client
            .list_all_templates("102290129340398", Some(1))
            .await
            .unwrap();
        let ids: Vec<_> = all.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            ["1", "2"],
            "every page is followed until `next` disappears"
        );
        assert_eq!(all[1].status, TemplateStatus::InAppeal, "statuses read");
        let seen = fake.seen();
        assert_eq!(
            seen.len(),
            3,
            "one page call, then two for the full listing"
        );
        assert_authorized(&seen[0]);
        let fields = seen[0].param("fields").unwrap();
        for needed in [
            "status",
            "quality_score",
            "components",
            "rejected_reason",
            "category",
        ] {
            assert!(
                fields.split(',').any(|f| f == needed),
                "a sync needs the {needed} field: {fields}"
            );
        }
        assert_eq!(seen[0].param("limit"), Some("1"), "page size is passed");
        assert_eq!(
            seen[2].param("after"),
            Some("c1"),
            "the after cursor is passed on"
        );
    }

    #[tokio::test]
    async fn delete_template_by_name_and_id() {
        let (client, fake) = start(|_| Reply::json(200, json!({"success": true}))).await;
        let answer = client
            .delete_template(
                "102290129340398",
                "order_confirmation",
                Some("1407680676729941"),
            )
            .await
            .unwrap();
        assert!(answer.success, "Meta confirms the delete");
        let seen = &fake.seen()[0];
        assert_eq!(seen.method, "DELETE", "deletes are DELETE");
        assert_eq!(
            seen.path, "/v23.0/102290129340398/message_templates",
            "path"
        );
        assert_eq!(seen.param("name"), Some("order_confirmation"), "by name");
        assert_eq!(
            seen.param("hsm_id"),
            Some("1407680676729941"),
            "one language by hsm_id"
        );
        assert_authorized(seen);
    }

    #[tokio::test]
    async fn upload_media_sends_multipart() {
        let (client, fake) = start(|_| Reply::json(200, json!({"id": "1037543291543636"}))).await;
        let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3];
        let uploaded = client
            .upload_media("106540352242922", jpeg.clone(), "image/jpeg", "chair.jpg")
            .await
            .unwrap();
        assert_eq!(uploaded.id, "1037543291543636", "the media id to send by");
        let seen = fake.seen()[0].clone();
        assert_eq!(
            seen.path, "/v23.0/106540352242922/media",
            "POST /{{PHONE_NUMBER_ID}}/media"
        );
        assert_authorized(&seen);
        let request = Request::builder()
            .header(header::CONTENT_TYPE, seen.content_type.unwrap())
            .body(Body::from(seen.body))
            .unwrap();
        let mut form = Multipart::from_request(request, &()).await.unwrap();
        let mut fields = Vec::new();
        while let Some(field) = form.next_field().await.unwrap() {
            let name = field.name().unwrap().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let content_type = field.content_type().map(str::to_owned);
            let bytes = field.bytes().await.unwrap().to_vec();
            fields.push((name, file_name, content_type, bytes));
        }
        let field = |name: &str| {
            fields
                .iter()
                .find(|f| f.0 == name)
                .unwrap_or_else(|| panic!("no {name} part"))
        };
        assert_eq!(
            field("messaging_product").3,
            b"whatsapp",
            "Meta requires messaging_product"
        );
        assert_eq!(field("type").3, b"image/jpeg", "the MIME type as a field");
        let file = field("file");
        assert_eq!(file.1.as_deref(), Some("chair.jpg"), "file name");
        assert_eq!(file.2.as_deref(), Some("image/jpeg"), "file part MIME type");
        assert_eq!(file.3, jpeg, "the bytes arrive intact");
    }

    #[tokio::test]
    async fn a_header_example_goes_through_the_resumable_upload_steps() {
        const SESSION: &str = "upload:MTphdHRhY2htZW50OjE=?sig=ARZqkGCA_uQMxC8nHKI";
        const HANDLE: &str = "4::aW1hZ2UvcG5n:ARbSampleHandle";
        let (client, fake) = start(|seen| match seen.method.as_str() {
            "POST" if seen.path.ends_with("/uploads") => Reply::json(200, json!({ "id": SESSION })),
            _ => Reply::json(200, json!({ "h": HANDLE })),
        })
        .await;
        let bytes = vec![0x89, b'P', b'N', b'G', 1, 2, 3];
        let handle = client
            .upload_header_example("584544743160774", bytes.clone(), "image/png", "a.png")
            .await
            .unwrap();
        assert_eq!(handle.as_str(), HANDLE, "step 2's `h` is the handle");
        let seen = fake.seen();
        assert_eq!(seen.len(), 2, "a session, then one upload");
        let start = &seen[0];
        assert_eq!(
            (start.method.as_str(), start.path.as_str()),
            ("POST", "/v23.0/584544743160774/uploads"),
            "step 1 is POST /{{version}}/{{APP_ID}}/uploads"
        );
        assert_eq!(start.param("file_name"), Some("a.png"));
        assert_eq!(start.param("file_length"), Some("7"));
        assert_eq!(start.param("file_type"), Some("image/png"));
        let upload = &seen[1];
        assert_eq!(
            (upload.method.as_str(), upload.path.as_str()),
            ("POST", "/v23.0/upload:MTphdHRhY2htZW50OjE="),
            "step 2 posts to the session id"
        );
        assert_eq!(
            upload.param("sig"),
            Some("ARZqkGCA_uQMxC8nHKI"),
            "the id's signature travels as Meta wrote it"
        );
        assert_eq!(upload.file_offset.as_deref(), Some("0"), "from the start");
        assert_eq!(upload.body, bytes, "the raw bytes are the body");
        for step in &seen {
            assert_eq!(
                step.authorization.as_deref(),
                Some(format!("OAuth {TOKEN}").as_str()),
                "the upload steps carry `Authorization: OAuth`, as Meta documents"
            );
            assert!(
                step.query.iter().all(|(_, v)| !v.contains(TOKEN)),
                "never the token in the URL"
            );
        }
    }

    #[tokio::test]
    async fn an_upload_without_an_answer_resumes_from_the_sessions_offset() {
        const SESSION: &str = "upload:MTphdHRhY2htZW50OjI=?sig=ARx";
        let uploads = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let counter = uploads.clone();
        let (client, fake) = start(move |seen| match seen.method.as_str() {
            "POST" if seen.path.ends_with("/uploads") => Reply::json(200, json!({ "id": SESSION })),
            "GET" => Reply::json(200, json!({ "id": SESSION, "file_offset": 4 })),
            _ if counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 => Reply {
                // Longer than the client's 200 ms: the first upload times out.
                delay: Duration::from_millis(600),
                ..Reply::json(200, json!({ "h": "never read" }))
            },
            _ => Reply::json(200, json!({ "h": "4::aW1hZ2UvcG5n:ARresumed" })),
        })
        .await;
        let bytes: Vec<u8> = (0u8..10).collect();
        let handle = client
            .upload_header_example("1", bytes.clone(), "image/png", "a.png")
            .await
            .expect("the upload resumes after the timeout");
        assert_eq!(handle.as_str(), "4::aW1hZ2UvcG5n:ARresumed");
        let seen = fake.seen();
        let steps: Vec<(&str, Option<&str>)> = seen
            .iter()
            .map(|s| (s.method.as_str(), s.file_offset.as_deref()))
            .collect();
        assert_eq!(
            steps,
            vec![
                ("POST", None),
                ("POST", Some("0")),
                ("GET", None),
                ("POST", Some("4"))
            ],
            "start, upload, ask the offset, send the rest from there"
        );
        assert_eq!(seen[3].body, bytes[4..], "only the bytes Meta lacks");
    }

    #[tokio::test]
    async fn a_refused_upload_is_not_resumed_and_keeps_its_class() {
        let (client, fake) = start(|seen| {
            if seen.path.ends_with("/uploads") {
                Reply::json(200, json!({ "id": "upload:abc?sig=ARx" }))
            } else {
                Reply::json(
                    400,
                    json!({"error": {"message": "Invalid parameter", "type": "OAuthException", "code": 100}}),
                )
            }
        })
        .await;
        let error = client
            .upload_header_example("1", vec![1, 2, 3], "video/mp4", "a.mp4")
            .await
            .expect_err("Meta refused the bytes");
        assert_eq!(error.meta().map(|m| m.code), Some(100));
        assert_eq!(error.retry_class(), RetryClass::NeverRetry);
        assert_eq!(
            fake.seen().len(),
            2,
            "a refusal is an answer: only a lost answer is resumed"
        );
        let bad_id = start(|_| Reply::json(200, json!({ "id": "../../me" }))).await;
        assert!(
            matches!(
                bad_id
                    .0
                    .upload_header_example("1", vec![1], "image/jpeg", "a.jpg")
                    .await,
                Err(Error::InvalidRequest { .. })
            ),
            "a session id that is not `upload:…` never becomes a URL"
        );
    }

    #[tokio::test]
    async fn send_template_posts_the_message_and_returns_the_wamid() {
        let (client, fake) = start(|_| {
            Reply::json(
                200,
                json!({
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": "+16505551234", "wa_id": "16505551234"}],
                    "messages": [{"id": "wamid.ABC", "message_status": "held_for_quality_assessment"}]
                }),
            )
        })
        .await;
        let request = SendTemplateRequest::new("+16505551234", "seasonal_promotion", "en_US")
            .with_component(SendComponent::Body {
                parameters: vec![SendParameter::text("Anna")],
            })
            .with_callback_data("outbox:1");
        let sent = client
            .send_template("106540352242922", &request)
            .await
            .unwrap();
        assert_eq!(sent.wamid(), Some("wamid.ABC"), "the wamid is returned");
        assert_eq!(
            sent.messages[0].message_status,
            Some(MessageAcceptance::HeldForQualityAssessment),
            "held messages are told apart"
        );
        let seen = &fake.seen()[0];
        assert_eq!(
            seen.path, "/v23.0/106540352242922/messages",
            "POST /{{PHONE_NUMBER_ID}}/messages"
        );
        assert_authorized(seen);
        assert_eq!(
            seen.json(),
            serde_json::to_value(&request).unwrap(),
            "the body is the request as serialized"
        );
    }

    #[tokio::test]
    async fn phone_number_info_asks_for_quality_and_limits() {
        let (client, fake) = start(|_| {
            Reply::json(
                200,
                json!({"verified_name": "Lucky Shrub", "display_phone_number": "+1 555-078-3881",
                       "quality_rating": "YELLOW", "throughput": {"level": "HIGH"},
                       "whatsapp_business_manager_messaging_limit": "TIER_UNLIMITED",
                       "id": "106540352242922"}),
            )
        })
        .await;
        let info = client.phone_number_info("106540352242922").await.unwrap();
        assert_eq!(info.quality_rating, Some(QualityRating::Yellow), "quality");
        assert_eq!(
            info.messaging_limit().and_then(MessagingLimitTier::limit),
            Some(MessagingLimit::Unlimited),
            "tier"
        );
        let seen = &fake.seen()[0];
        assert_eq!(
            seen.path, "/v23.0/106540352242922",
            "GET /{{PHONE_NUMBER_ID}}"
        );
        assert_authorized(seen);
        let fields = seen.param("fields").unwrap();
        for needed in [
            "quality_rating",
            "throughput",
            "whatsapp_business_manager_messaging_limit",
        ] {
            assert!(fields.contains(needed), "{needed} is asked for: {fields}");
        }
    }

    #[tokio::test]
    async fn template_analytics_passes_ids_and_daily_granularity() {
        let (client, fake) = start(|_| {
            Reply::json(
                200,
                json!({"data": [{"granularity": "DAILY", "data_points": [
                    {"template_id": "1924084211297547", "start": 1689379200, "end": 1689465600,
                     "sent": 5, "delivered": 4, "read": 3,
                     "clicked": [{"type": "url_button", "button_content": "Shop", "count": 2}]}]}]}),
            )
        })
        .await;
        let answer = client
            .template_analytics(
                "102290129340398",
                &TemplateAnalyticsQuery {
                    start: 1689379200,
                    end: 1689552000,
                    template_ids: vec!["1924084211297547".into(), "42".into()],
                },
            )
            .await
            .unwrap();
        assert_eq!(
            answer.data_points().next().unwrap().clicked_total(),
            2,
            "clicks"
        );
        let seen = &fake.seen()[0];
        assert_eq!(
            seen.path, "/v23.0/102290129340398/template_analytics",
            "path"
        );
        assert_authorized(seen);
        assert_eq!(
            seen.param("granularity"),
            Some("DAILY"),
            "daily is the only granularity"
        );
        assert_eq!(seen.param("start"), Some("1689379200"), "start");
        assert_eq!(seen.param("end"), Some("1689552000"), "end");
        assert_eq!(
            seen.param("template_ids"),
            Some("[1924084211297547,42]"),
            "Meta takes the ids as a JSON array"
        );
        let too_many = TemplateAnalyticsQuery {
            start: 0,
            end: 1,
            template_ids: (0..11).map(|i| i.to_string()).collect(),
        };
        assert!(
            matches!(
                client.template_analytics("1", &too_many).await,
                Err(Error::InvalidRequest { .. })
            ),
            "more ids than Meta accepts are refused before any call"
        );
    }

    #[tokio::test]
    async fn meta_error_bodies_map_to_every_retry_class() {
        let (client, _fake) = start(|seen| {
            // The phone number id in the path carries the code to answer with.
            let code: i64 = seen.path.split('/').nth(2).unwrap().parse().unwrap();
            let status = if code == 131000 { 500 } else { 400 };
            Reply::json(
                status,
                json!({"error": {"message": format!("(#{code}) documented message"),
                                 "type": "OAuthException", "code": code, "error_subcode": 2494010,
                                 "error_data": {"messaging_product": "whatsapp", "details": "details here"},
                                 "fbtrace_id": "AbCdEf123"}}),
            )
        })
        .await;
        let cases = [
            (130429, RetryClass::RetrySoon),
            (131000, RetryClass::RetrySoon),
            (131056, RetryClass::PairRate),
            (80007, RetryClass::BackOffMinutes),
            (131049, RetryClass::RetryAfter24h),
            (132015, RetryClass::HoldTemplate),
            (131048, RetryClass::StopCampaign),
            (368, RetryClass::HaltAllSending),
            (131050, RetryClass::NeverRetryOptOut),
            (132001, RetryClass::NeverRetry),
            (999999, RetryClass::NeverRetry),
        ];
        let request = SendTemplateRequest::new("+16505551234", "t", "en_US");
        for (code, class) in cases {
            let err = client
                .send_template(&code.to_string(), &request)
                .await
                .expect_err("an error body is an error");
            let Error::Meta(meta) = &err else {
                panic!("a Meta error body must become Error::Meta, got {err:?}")
            };
            assert_eq!(meta.code, code, "the code is read from the body");
            assert_eq!(meta.subcode, Some(2494010), "subcode");
            assert_eq!(
                meta.details.as_deref(),
                Some("details here"),
                "error_data.details"
            );
            assert_eq!(
                meta.fbtrace_id.as_deref(),
                Some("AbCdEf123"),
                "fbtrace_id for Meta support"
            );
            assert_eq!(meta.operation, "send_template", "which call failed");
            assert_eq!(err.retry_class(), class, "code {code} must be {class}");
            assert_token_hidden(&format!("{err} {err:?}"));
        }
    }

    #[tokio::test]
    async fn html_503_is_a_transport_problem() {
        let (client, _fake) = start(|_| Reply {
            status: 503,
            content_type: "text/html",
            body: "<html><body>Service Unavailable</body></html>".into(),
            delay: Duration::ZERO,
        })
        .await;
        let err = client.phone_number_info("1").await.unwrap_err();
        assert!(
            matches!(&err, Error::Http { status: 503, body_excerpt, .. } if body_excerpt.contains("Service Unavailable")),
            "a non-JSON error keeps its status and the start of its body: {err:?}"
        );
        assert_eq!(
            err.retry_class(),
            RetryClass::Transport,
            "a 5xx without Meta's body probably never reached the API: retry"
        );
        assert_eq!(err.http_status(), Some(503), "status is exposed");
    }

    #[tokio::test]
    async fn slow_answers_time_out_as_transport_errors() {
        let (client, _fake) = start(|_| Reply {
            delay: Duration::from_secs(2),
            ..Reply::json(200, json!({"id": "1"}))
        })
        .await;
        let started = std::time::Instant::now();
        let err = client.phone_number_info("1").await.unwrap_err();
        assert!(
            started.elapsed() < Duration::from_millis(1500),
            "the 200 ms request timeout must cut the call short, took {:?}",
            started.elapsed()
        );
        assert!(
            matches!(
                err,
                Error::Transport {
                    kind: TransportKind::Timeout,
                    ..
                }
            ),
            "a timeout is a transport error: {err:?}"
        );
        assert_eq!(
            err.retry_class(),
            RetryClass::Transport,
            "retried with back-off"
        );
        assert_token_hidden(&format!("{err} {err:?}"));
    }

    #[tokio::test]
    async fn refused_connections_are_transport_errors() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let client = Client::builder(AccessToken::new(TOKEN))
            .base_url(format!("http://{address}"))
            .request_timeout(Duration::from_millis(500))
            .build()
            .unwrap();
        let err = client.phone_number_info("1").await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::Transport {
                    kind: TransportKind::Connect | TransportKind::Timeout,
                    ..
                }
            ),
            "nobody listening is a transport error: {err:?}"
        );
        assert_eq!(err.retry_class(), RetryClass::Transport, "class");
    }

    #[tokio::test]
    async fn echoed_tokens_are_scrubbed_from_errors() {
        let (client, _fake) = start(|seen| {
            let echoed = seen.authorization.clone().unwrap_or_default();
            if seen.path.ends_with("/messages") {
                Reply::json(
                    401,
                    json!({"error": {"message": format!("Invalid OAuth access token {echoed}"),
                                     "type": "OAuthException", "code": 190,
                                     "error_data": {"details": format!("token was {echoed}")}}}),
                )
            } else {
                Reply {
                    status: 502,
                    content_type: "text/plain",
                    body: format!("proxy saw {echoed}"),
                    delay: Duration::ZERO,
                }
            }
        })
        .await;
        let request = SendTemplateRequest::new("+1", "t", "en_US");
        let meta = client.send_template("1", &request).await.unwrap_err();
        assert_eq!(meta.meta().map(|m| m.code), Some(190), "still a Meta error");
        assert_token_hidden(&format!("{meta} {meta:?}"));
        let proxy = client.phone_number_info("1").await.unwrap_err();
        assert!(
            matches!(proxy, Error::Http { status: 502, .. }),
            "proxy error: {proxy:?}"
        );
        assert_token_hidden(&format!("{proxy} {proxy:?}"));
        assert_token_hidden(&format!("{client:?}"));
    }

    #[tokio::test]
    async fn verification_query_works_with_a_web_framework() {
        let (client, _fake) = start(|_| Reply::json(200, json!({}))).await;
        let base = client.base_url().trim_end_matches('/').to_owned();
        let http = reqwest::Client::new();
        let answer = http
            .get(format!(
                "{base}/webhook?hub.mode=subscribe&hub.verify_token=my-verify-token&hub.challenge=1158201444"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "the right token subscribes");
        assert_eq!(
            answer.text().await.unwrap(),
            "1158201444",
            "the challenge is echoed"
        );
        let refused = http
            .get(format!(
                "{base}/webhook?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403, "a wrong token is refused");
    }
}

/// Meta's create-template JSON and Cadence's template model, both ways.
mod template_model {
    use super::*;
    use cadence_core::template::{self as model, Button, Header, MediaKind, Template};
    use cadence_whatsapp::wire::*;

    fn from_fixture(name: &str) -> TemplateCreateRequest {
        serde_json::from_value(fixture_json(name)).expect("fixture is a create request")
    }

    /// JSON → wire → model → wire → JSON must give back Meta's documented JSON.
    fn assert_json_round_trip(name: &str) -> Template {
        let request = from_fixture(name);
        let template = Template::try_from(&request)
            .unwrap_or_else(|e| panic!("{name} fits the model but was refused: {e}"));
        let back = TemplateCreateRequest::from(&template);
        assert_eq!(
            serde_json::to_value(&back).unwrap(),
            fixture_json(name),
            "the model must keep everything Meta's documented body says ({name})"
        );
        template
    }

    #[test]
    fn positional_fixture_round_trips_through_the_model() {
        let template = assert_json_round_trip("template_create_positional.json");
        assert_eq!(
            template.header,
            Some(Header::Text {
                text: "Our {{1}} is on!".into(),
                example: Some("Summer Sale".into())
            }),
            "the header's example sits beside its text"
        );
        assert_eq!(
            template.body_examples.get("3").map(String::as_str),
            Some("25%"),
            "body_text's third value is {{{{3}}}}'s example"
        );
        assert_eq!(
            template.buttons[2],
            Button::Url {
                text: "Shop now".into(),
                url: "https://www.luckyshrub.com/shop?promo={{1}}".into(),
                example: Some("summer2023".into()),
            },
            "the model keeps only the part of the example URL that fills the variable"
        );
        assert_eq!(
            template.footer.as_deref(),
            Some("Use the buttons below to manage your marketing subscriptions")
        );
    }

    #[test]
    fn named_fixture_round_trips_through_the_model() {
        let template = assert_json_round_trip("template_create_named.json");
        assert_eq!(template.parameter_format, model::ParameterFormat::Named);
        assert_eq!(
            template
                .body_examples
                .get("order_number")
                .map(String::as_str),
            Some("860198-230332"),
            "named examples are keyed by their parameter name"
        );
    }

    #[test]
    fn media_header_fixture_round_trips_through_the_model() {
        let template = assert_json_round_trip("template_create_media_header.json");
        assert_eq!(
            template.header,
            Some(Header::Media {
                media: MediaKind::Image,
                example_file: None,
                example_handle: Some("4::aW1hZ2UvanBlZw==:ARa1ZDhwbLZM3EENeeg".into()),
            }),
            "the upload handle is the media header's example"
        );
    }

    #[test]
    fn a_model_template_round_trips_through_metas_json() {
        let mut template = Template::draft("winter_named", "ru");
        template.parameter_format = model::ParameterFormat::Named;
        template.category = model::Category::Utility;
        template.header = Some(Header::Text {
            text: "Заказ {{order}}".into(),
            example: Some("№ 42".into()),
        });
        template.body =
            "{{name}}, ваш заказ {{order}} готов. Заберите его до {{date}}, {{name}}.".into();
        template.body_examples = [("name", "Анна"), ("order", "42"), ("date", "пятницы")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        template.buttons = vec![
            Button::PhoneNumber {
                text: "Позвонить".into(),
                phone_number: "+74951234567".into(),
            },
            Button::CopyCode {
                example: "ZIMA25".into(),
            },
        ];
        let request = TemplateCreateRequest::from(&template);
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(
            json["components"][1]["example"],
            json!({"body_text_named_params": [
                {"param_name": "name", "example": "Анна"},
                {"param_name": "order", "example": "42"},
                {"param_name": "date", "example": "пятницы"},
            ]}),
            "one example per distinct variable, in the order the body uses them"
        );
        assert_eq!(
            json["components"][0]["example"],
            json!({"header_text_named_params": [{"param_name": "order", "example": "№ 42"}]}),
            "a named header's example takes its name from the header text"
        );
        let parsed: TemplateCreateRequest = serde_json::from_value(json).unwrap();
        assert_eq!(
            Template::try_from(&parsed).unwrap(),
            template,
            "what Cadence submits reads back as the same template"
        );
    }

    #[test]
    fn a_template_without_variables_sends_no_examples() {
        let mut template = Template::draft("plain", "en_US");
        template.body = "Thanks for shopping with us.".into();
        template.header = Some(Header::Text {
            text: "Hello".into(),
            example: Some("stale example".into()),
        });
        template.buttons = vec![Button::Url {
            text: "Shop".into(),
            url: "https://shop.example/".into(),
            example: Some("stale".into()),
        }];
        let json = serde_json::to_value(TemplateCreateRequest::from(&template)).unwrap();
        assert_eq!(
            json,
            json!({
                "name": "plain", "language": "en_US", "category": "MARKETING",
                "parameter_format": "POSITIONAL",
                "components": [
                    {"type": "HEADER", "format": "TEXT", "text": "Hello"},
                    {"type": "BODY", "text": "Thanks for shopping with us."},
                    {"type": "BUTTONS", "buttons": [
                        {"type": "URL", "text": "Shop", "url": "https://shop.example/"}
                    ]},
                ]
            }),
            "Meta refuses examples for text with no variable, so none are sent"
        );
    }

    fn refused(value: Value) -> TemplateModelError {
        let request: TemplateCreateRequest =
            serde_json::from_value(value).expect("valid wire JSON");
        Template::try_from(&request).expect_err("the model cannot hold this shape")
    }

    fn with_components(components: Value) -> Value {
        json!({"name": "t", "language": "en", "category": "MARKETING", "components": components})
    }

    #[test]
    fn shapes_the_model_cannot_hold_are_refused_with_a_reason() {
        let body = json!({"type": "BODY", "text": "Hi {{1}} there"});
        let cases = [
            (with_components(json!([])), TemplateModelError::MissingBody),
            (
                with_components(json!([body, body])),
                TemplateModelError::DuplicateComponent("BODY"),
            ),
            (
                with_components(json!([body,
                    {"type": "FOOTER", "text": "a"}, {"type": "FOOTER", "text": "b"}])),
                TemplateModelError::DuplicateComponent("FOOTER"),
            ),
            (
                json!({"name": "t", "language": "en", "category": "PROMO",
                       "components": [body]}),
                TemplateModelError::UnknownCategory("PROMO".into()),
            ),
            (
                json!({"name": "t", "language": "en", "category": "MARKETING",
                       "parameter_format": "MIXED", "components": [body]}),
                TemplateModelError::UnknownParameterFormat("MIXED".into()),
            ),
            (
                with_components(json!([{"type": "BODY", "text": "Hi {{1}} there",
                    "example": {"body_text": [["a"], ["b"]]}}])),
                TemplateModelError::TooManyExamples {
                    place: "the body's body_text".into(),
                    count: 2,
                },
            ),
            (
                with_components(json!([{"type": "BODY", "text": "Hi {{1}} there",
                    "example": {"body_text_named_params": [{"param_name": "a", "example": "x"}]}}])),
                TemplateModelError::ExampleFormatMismatch {
                    component: "BODY",
                    given: "named",
                    declared: "POSITIONAL",
                    expected: "`body_text` / `header_text`",
                },
            ),
            (
                with_components(json!([body, {"type": "HEADER", "format": "IMAGE",
                    "example": {"header_handle": ["h1", "h2"]}}])),
                TemplateModelError::TooManyExamples {
                    place: "the header's header_handle".into(),
                    count: 2,
                },
            ),
            (
                with_components(json!([body, {"type": "BUTTONS", "buttons": [
                    {"type": "QUICK_REPLY", "text": "Stop"},
                    {"type": "URL", "text": "Go", "url": "https://a.example/{{1}}",
                     "example": ["https://a.example/x", "https://a.example/y"]}]}])),
                TemplateModelError::TooManyExamples {
                    place: "buttons[1].example".into(),
                    count: 2,
                },
            ),
            (
                json!({"name": "t", "language": "en", "category": "MARKETING",
                       "parameter_format": "NAMED", "components": [
                    {"type": "HEADER", "format": "TEXT", "text": "Sale {{day}}",
                     "example": {"header_text_named_params": [{"param_name": "date", "example": "Mon"}]}},
                    {"type": "BODY", "text": "Hi {{name}} there"}]}),
                TemplateModelError::HeaderExampleName {
                    expected: "day".into(),
                    found: "date".into(),
                },
            ),
            (
                json!({"name": "t", "language": "en", "category": "MARKETING",
                       "parameter_format": "NAMED", "components": [
                    {"type": "BODY", "text": "Hi {{name}} there", "example": {
                        "body_text_named_params": [
                            {"param_name": "name", "example": "A"},
                            {"param_name": "name", "example": "B"}]}}]}),
                TemplateModelError::DuplicateExample("name".into()),
            ),
        ];
        for (json, expected) in cases {
            let shown = json.to_string();
            assert_eq!(
                refused(json),
                expected,
                "{shown} must be refused with a reason that names the problem"
            );
        }
    }

    #[test]
    fn refusals_read_as_sentences_that_say_what_to_do() {
        let message = TemplateModelError::HeaderExampleName {
            expected: "day".into(),
            found: "date".into(),
        }
        .to_string();
        assert_eq!(
            message, "the header's example is for {{date}} but the header text uses {{day}}",
            "braces are written as the author writes them"
        );
    }
}
