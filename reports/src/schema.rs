//! The JSON Schema of the RunReport format, generated from the model with schemars, and the documentation-only
//! mirror of the protocol crate's `Exchange` that lets the schema describe evidence precisely.
//!
//! `Exchange` lives in `scimlab-protocol`, which must not depend on schemars, so the schema of an evidence record is
//! derived from [`ExchangeDoc`] here instead. A test serialises a real `Exchange`, reads it back through the mirror
//! with unknown fields denied, and compares the two, so the mirror cannot drift from the type it describes.
//! `schema/run-report.schema.json` holds the committed output of [`run_report_schema`].

use crate::model::RunReport;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The JSON Schema of [`RunReport`], as committed in `schema/run-report.schema.json`.
pub fn run_report_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(RunReport);
    schema.to_value()
}

/// [`run_report_schema`] as the committed file's text: pretty JSON with a trailing newline.
pub fn run_report_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&run_report_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// One HTTP request and its response, as recorded by scimlab (the wire form of `scimlab_protocol::Exchange`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExchangeDoc {
    /// Sequence number, unique within a recording.
    pub id: u64,
    /// When the request started (RFC 3339).
    #[schemars(extend("format" = "date-time"))]
    pub started_at: String,
    /// The request as sent, with credentials redacted.
    pub request: RequestDoc,
    /// The response, unless the exchange failed before one arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseDoc>,
    /// How long the exchange took.
    pub timings: TimingsDoc,
    /// The peer's address (the client, in a server's recording).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// What went wrong at the transport level (connection refused, timeout...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An HTTP request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestDoc {
    /// `GET`, `POST`...
    pub method: String,
    /// The absolute URL, credentials redacted.
    pub url: String,
    /// Headers in the order sent, each a `[name, value]` pair; credential values are `[redacted]`.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// An HTTP response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResponseDoc {
    /// The status code.
    pub status: u16,
    /// Headers in the order received, each a `[name, value]` pair.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// How long an exchange took, in microseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimingsDoc {
    /// From the start of the request to the end of the response.
    pub total_us: u64,
    /// To the first byte of the response, where it was measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttfb_us: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use scimlab_protocol::exchange::{Exchange, HttpRequest, HttpResponse, Timings};

    fn full() -> Exchange {
        Exchange {
            id: 3,
            started_at: "2024-05-01T12:00:00.25Z".parse().expect("timestamp"),
            request: HttpRequest {
                method: "POST".into(),
                url: "https://h/Users".into(),
                headers: vec![("Content-Type".into(), "application/scim+json".into())],
                body: Some("{}".into()),
            },
            response: Some(HttpResponse {
                status: 201,
                headers: vec![("Location".into(), "https://h/Users/1".into())],
                body: Some("{\"id\":\"1\"}".into()),
            }),
            timings: Timings { total_us: 900, ttfb_us: Some(800) },
            client: Some("127.0.0.1:1".into()),
            error: Some("none".into()),
        }
    }

    #[test]
    fn the_mirror_reads_and_writes_exchanges_exactly() {
        for x in [full(), Exchange { response: None, client: None, error: None, ..full() }] {
            let wire = serde_json::to_value(&x).expect("exchange serialises");
            let doc: ExchangeDoc = serde_json::from_value(wire.clone()).expect("the mirror reads every field");
            assert_eq!(serde_json::to_value(&doc).expect("mirror serialises"), wire);
        }
    }

    #[test]
    fn the_schema_describes_evidence_and_refuses_nothing_it_should_not() {
        let schema = run_report_schema();
        let text = schema.to_string();
        assert!(text.contains("ExchangeDoc"), "evidence items are described: {text}");
        assert!(text.contains("\"date-time\""));
        assert_eq!(schema["title"], "RunReport");
    }
}
