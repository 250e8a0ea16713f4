//! Small assertions shared by checks, each returning a ready [`Outcome::Fail`] with expected and actual.

use crate::check::Outcome;
use crate::ctx::describe;
use scimlab_mock_idp::ScimResponse;
use serde_json::Value;

/// `Ok(())` when the status is `want`, else the failure naming the request.
pub fn status(r: &ScimResponse, want: u16, what: &str) -> Result<(), Outcome> {
    if r.status == want {
        Ok(())
    } else {
        Err(Outcome::fail(format!("{what} answers {want}"), format!("{what} answered {}", describe(r))))
    }
}

/// `Ok(())` when the status is one of `want`.
pub fn status_in(r: &ScimResponse, want: &[u16], what: &str) -> Result<(), Outcome> {
    if want.contains(&r.status) {
        Ok(())
    } else {
        let list: Vec<String> = want.iter().map(u16::to_string).collect();
        Err(Outcome::fail(format!("{what} answers {}", list.join(" or ")), format!("{what} answered {}", describe(r))))
    }
}

/// The JSON body as an object, or the failure.
pub fn object<'a>(r: &'a ScimResponse, what: &str) -> Result<&'a serde_json::Map<String, Value>, Outcome> {
    r.json.as_ref().and_then(Value::as_object).ok_or_else(|| {
        Outcome::fail(format!("{what} returns a JSON object"), format!("the body is: {}", excerpt(&r.text())))
    })
}

/// Whether `schemas` of a body lists `urn` (case-insensitively).
pub fn lists_schema(body: &Value, urn: &str) -> bool {
    body.get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().filter_map(Value::as_str).any(|s| s.eq_ignore_ascii_case(urn)))
}

/// The media type of a response, without parameters, lowercased.
pub fn media_type(r: &ScimResponse) -> String {
    r.header("content-type").unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// `Err` with the failure when `r` came with a content coding other than `identity` (its `Content-Encoding`
/// fields, RFC 9110 section 8.4) though the request did not allow one; `what` names the request, `asked` says
/// what it sent in Accept-Encoding. The client has already decoded such a body; the header stays in the
/// response.
pub fn uncoded(r: &ScimResponse, what: &str, asked: &str) -> Result<(), Outcome> {
    let codings: Vec<&str> = r
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("content-encoding"))
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("identity"))
        .collect();
    if codings.is_empty() {
        return Ok(());
    }
    Err(Outcome::fail(
        format!("the answer to {what} ({asked}) has no content coding"),
        format!("it came with Content-Encoding: {}", codings.join(", ")),
    ))
}

/// `Ok(())` when the response is a SCIM Error resource with `status` as a string or number equal to the HTTP
/// status (RFC 7644 section 3.12), optionally with the given scimType.
pub fn scim_error(r: &ScimResponse, want_status: u16, scim_type: Option<&str>, what: &str) -> Result<(), Outcome> {
    status(r, want_status, what)?;
    let body = r.body_json();
    if !lists_schema(body, scimlab_protocol::error::ERROR_URN) {
        return Err(Outcome::fail(
            format!("{what} answers with a SCIM Error body (schemas lists {})", scimlab_protocol::error::ERROR_URN),
            format!("the body is: {}", excerpt(&r.text())),
        ));
    }
    let st = match body.get("status") {
        Some(Value::String(s)) => s.trim().parse::<u16>().ok(),
        Some(Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        _ => None,
    };
    if st != Some(want_status) {
        return Err(Outcome::fail(
            format!("the Error's status is \"{want_status}\""),
            format!("status is {}", body.get("status").map_or("absent".to_owned(), Value::to_string)),
        ));
    }
    if let Some(t) = scim_type {
        let got = body.get("scimType").and_then(Value::as_str);
        if got != Some(t) {
            return Err(Outcome::fail(
                format!("the Error's scimType is {t:?}"),
                format!("scimType is {}", got.map_or("absent".to_owned(), |g| format!("{g:?}"))),
            ));
        }
    }
    Ok(())
}

/// The first 300 characters of a text, for failure messages.
pub fn excerpt(s: &str) -> String {
    let cut: String = s.chars().take(300).collect();
    if cut.len() < s.len() {
        format!("{cut}...")
    } else if s.is_empty() {
        "(empty)".to_owned()
    } else {
        cut
    }
}

/// Runs a fallible check body: `?` inside yields the outcome.
pub fn outcome(r: Result<Outcome, Outcome>) -> Outcome {
    r.unwrap_or_else(|o| o)
}
