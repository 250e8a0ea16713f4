//! One recorded exchange as the checks see it: the request's path, endpoint, query and body, each worked out
//! once however many checks ask.
//!
//! The base path of the server that recorded the exchange is not known here (the same checks judge exchanges a
//! mock IdP recorded against any server), so the endpoint is read from the end of the path: `.../Users`,
//! `.../Users/{id}`, `.../Users/.search`, `.../.search`, `.../Me`.

use super::patch::PatchFacts;
use crate::http::query_pairs;
use crate::store::Kind;
use scimlab_protocol::SchemaRegistry;
use scimlab_protocol::exchange::Exchange;
use scimlab_protocol::schema::ResourceView;
use serde_json::Value;
use std::cell::OnceCell;

/// Which SCIM endpoint a request addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/Users` or `/Groups`.
    Collection(Kind),
    /// `/Users/{id}`, `/Groups/{id}`, or `/Me` (a User).
    Resource(Kind),
    /// `/{type}/.search`, or `/.search` at the root (no kind).
    Search(Option<Kind>),
    /// Anything else: discovery endpoints, `/Bulk`, unknown paths.
    Other,
}

/// A recorded exchange with what the checks derive from its request.
pub struct Subject<'e> {
    /// The exchange itself.
    pub exchange: &'e Exchange,
    /// The request's path, without scheme, host or query.
    pub path: &'e str,
    /// The decoded query parameters, in order.
    pub query: Vec<(String, String)>,
    /// The endpoint the path names.
    pub endpoint: Endpoint,
    json: OnceCell<Option<Value>>,
    patch: OnceCell<PatchFacts>,
}

impl<'e> Subject<'e> {
    /// Works out the path, query and endpoint of `exchange`'s request; the body is parsed on first use.
    pub fn new(exchange: &'e Exchange) -> Self {
        let url = exchange.request.url.as_str();
        let after_authority = match url.find("://") {
            Some(i) => url[i + 3..].find('/').map_or("/", |j| &url[i + 3 + j..]),
            None => url,
        };
        let without_fragment = after_authority.split('#').next().unwrap_or("");
        let (path, query) = match without_fragment.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (without_fragment, None),
        };
        Subject {
            exchange,
            path,
            query: query_pairs(query),
            endpoint: endpoint_of(path),
            json: OnceCell::new(),
            patch: OnceCell::new(),
        }
    }

    /// The request method, as sent.
    pub fn method(&self) -> &'e str {
        &self.exchange.request.method
    }

    /// Whether the request method is `m` (methods are case-sensitive in HTTP, but a recording may not be).
    pub fn is(&self, m: &str) -> bool {
        self.exchange.request.method.eq_ignore_ascii_case(m)
    }

    /// The first request header called `name`.
    pub fn header(&self, name: &str) -> Option<&'e str> {
        self.exchange.request.header(name)
    }

    /// The request body, unless it is absent or only whitespace.
    pub fn body(&self) -> Option<&'e str> {
        self.exchange.request.body.as_deref().filter(|b| !b.trim().is_empty())
    }

    /// The request body parsed as JSON, when it is JSON.
    pub fn json(&self) -> Option<&Value> {
        self.json.get_or_init(|| self.body().and_then(|b| serde_json::from_str(b).ok())).as_ref()
    }

    /// The first query parameter called `name` (parameter names compared without regard to case, as the mock SP
    /// reads them).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The resource kind the endpoint is about, if any.
    pub fn kind(&self) -> Option<Kind> {
        match self.endpoint {
            Endpoint::Collection(k) | Endpoint::Resource(k) | Endpoint::Search(Some(k)) => Some(k),
            Endpoint::Search(None) | Endpoint::Other => None,
        }
    }

    /// `METHOD path`, for details.
    pub fn target(&self) -> String {
        format!("{} {}", self.method(), self.path)
    }

    /// What the PATCH checks share, worked out on first use.
    pub(super) fn patch_facts(&self) -> &PatchFacts {
        self.patch.get_or_init(|| PatchFacts::of(self))
    }
}

/// The core schema view of a kind (RFC 7643 sections 4.1 and 4.2, with the enterprise extension for Users).
pub fn view_of(kind: Kind) -> ResourceView<'static> {
    match kind {
        Kind::User => SchemaRegistry::core().user(),
        Kind::Group => SchemaRegistry::core().group(),
    }
}

/// The most characters of request text an excerpt shows.
const EXCERPT_CHARS: usize = 400;

/// `text` cut to [`EXCERPT_CHARS`] characters, with `...` where it was cut.
pub(super) fn clip(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_owned(),
    }
}

/// Compact JSON text of a value, cut like [`clip`].
pub(super) fn excerpt_json(v: &Value) -> String {
    clip(&v.to_string())
}

fn endpoint_of(path: &str) -> Endpoint {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let kind = |s: &str| Kind::from_endpoint(s);
    match segments.as_slice() {
        [.., before, last] if last.eq_ignore_ascii_case(".search") => Endpoint::Search(kind(before)),
        [last] if last.eq_ignore_ascii_case(".search") => Endpoint::Search(None),
        [.., last] if kind(last).is_some() => kind(last).map_or(Endpoint::Other, Endpoint::Collection),
        [.., before, _] if kind(before).is_some() => kind(before).map_or(Endpoint::Other, Endpoint::Resource),
        [.., last] if last.eq_ignore_ascii_case("Me") => Endpoint::Resource(Kind::User),
        _ => Endpoint::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_read_from_the_end_of_the_path() {
        assert_eq!(endpoint_of("/scim/v2/Users"), Endpoint::Collection(Kind::User));
        assert_eq!(endpoint_of("/Groups/"), Endpoint::Collection(Kind::Group));
        assert_eq!(endpoint_of("/scim/v2/users/abc"), Endpoint::Resource(Kind::User));
        assert_eq!(endpoint_of("/scim/v2/Groups/.search"), Endpoint::Search(Some(Kind::Group)));
        assert_eq!(endpoint_of("/scim/v2/.search"), Endpoint::Search(None));
        assert_eq!(endpoint_of("/.search"), Endpoint::Search(None));
        assert_eq!(endpoint_of("/scim/v2/Me"), Endpoint::Resource(Kind::User));
        assert_eq!(endpoint_of("/scim/v2/Schemas"), Endpoint::Other);
        assert_eq!(endpoint_of("/scim/v2/Bulk"), Endpoint::Other);
        assert_eq!(endpoint_of("/"), Endpoint::Other);
    }
}
