//! Response compression: gzip or deflate when the request's `Accept-Encoding` asks for it.
//!
//! RFC 9110 section 12.5.3: `Accept-Encoding` lists the content codings a client takes, each with an optional
//! weight (`q`, section 12.4.2; 0 means "not acceptable"); `*` stands for every coding not listed; `identity`
//! (no coding) is acceptable unless the list excludes it (`identity;q=0`, or `*;q=0` without an `identity`
//! entry). An empty field value means the client wants no coding. A request without the field lets the server
//! choose, but Microsoft Entra sends none and is not known to decode gzip, so this server then sends identity.
//! Section 8.4.1 names the codings: `gzip` (with its alias `x-gzip`) and `deflate` (a zlib stream, RFC 1950).
//!
//! A compressed answer carries `Content-Encoding` (section 8.4) and every answer that could have been compressed
//! carries `Vary: Accept-Encoding` (section 12.5.5), so caches keep the two apart. Bodies under
//! [`MIN_COMPRESSED_BYTES`] go out as they are: a gzip header and trailer cost 18 bytes and a small SCIM Error
//! barely shrinks. The ETag is left as it is: it is the resource's version (RFC 7644 section 3.14, the same as
//! `meta.version`) and clients send it back in `If-Match`, which a coding-specific tag would never match.
//!
//! The layer sits inside the recorder, so a recording shows the `Content-Encoding` the client got; the
//! recorder reads the body from the [`Uncompressed`] extension, so the recorded body is the JSON, not gzip. A
//! request that does not ask for compression costs a header lookup and, on a large enough body, one `Vary`.
//! The `compress-unasked` deviation ([`crate::faults::http::Http::CompressUnasked`]) gzips every body whatever
//! the request asked.

use crate::faults::http::Http;
use crate::state::AppState;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use std::io::Write;

/// Bodies shorter than this are sent uncompressed.
pub const MIN_COMPRESSED_BYTES: usize = 256;

/// The largest body compressed: the mock SP builds its bodies in memory, and larger ones (a big page) go out as
/// they are rather than being copied once more.
const MAX_COMPRESSED_BYTES: usize = 64 * 1024 * 1024;

/// A content coding this server can apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// RFC 9110 section 8.4.1.3 (RFC 1952).
    Gzip,
    /// RFC 9110 section 8.4.1.2: a zlib stream (RFC 1950) of deflate data (RFC 1951).
    Deflate,
}

impl Coding {
    /// The coding's name in `Content-Encoding`.
    pub fn name(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
        }
    }

    /// `bytes` in this coding.
    pub fn encode(self, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
        let level = flate2::Compression::fast();
        let out = Vec::with_capacity(bytes.len() / 4 + 64);
        match self {
            Coding::Gzip => {
                let mut e = flate2::write::GzEncoder::new(out, level);
                e.write_all(bytes)?;
                e.finish()
            }
            Coding::Deflate => {
                let mut e = flate2::write::ZlibEncoder::new(out, level);
                e.write_all(bytes)?;
                e.finish()
            }
        }
    }
}

/// The body as the handler built it, before compression: a response extension the recorder reads.
#[derive(Debug, Clone)]
pub struct Uncompressed(pub Bytes);

/// The coding to answer a request with whose `Accept-Encoding` field values are `values` (several fields are
/// one list, RFC 9110 section 5.3), or `None` for identity (RFC 9110 section 12.5.3; see the module
/// documentation). No field at all is `None` too. Between gzip and deflate the higher weight wins, gzip on a
/// tie; an `identity` entry weighted above both keeps the body as it is. Malformed elements are ignored.
pub fn negotiate<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> Option<Coding> {
    let (mut gzip, mut deflate, mut identity, mut star) = (None, None, None, None);
    for value in values {
        let Ok(text) = std::str::from_utf8(value) else { continue };
        for element in text.split(',') {
            let mut parts = element.split(';');
            let coding = parts.next().unwrap_or("").trim();
            if coding.is_empty() {
                continue;
            }
            let mut q = Some(1000);
            for param in parts {
                let (name, value) = param.split_once('=').unwrap_or((param, ""));
                if name.trim().eq_ignore_ascii_case("q") {
                    q = qvalue(value.trim());
                }
            }
            let Some(q) = q else { continue };
            let slot = if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
                &mut gzip
            } else if coding.eq_ignore_ascii_case("deflate") {
                &mut deflate
            } else if coding.eq_ignore_ascii_case("identity") {
                &mut identity
            } else if coding == "*" {
                &mut star
            } else {
                continue;
            };
            // The first mention of a coding counts; a list that repeats one is malformed there anyway.
            slot.get_or_insert(q);
        }
    }
    let gzip = gzip.or(star).unwrap_or(0);
    let deflate = deflate.or(star).unwrap_or(0);
    let (best, q) = if deflate > gzip { (Coding::Deflate, deflate) } else { (Coding::Gzip, gzip) };
    // An identity entry competes by its weight; without one, identity is only the fallback.
    (q > 0 && identity.is_none_or(|i| q >= i)).then_some(best)
}

/// RFC 9110 section 12.4.2: a weight is `0` or `1` with up to three decimals (`0.5`, `1.000`), here in
/// thousandths. Anything else is `None`.
fn qvalue(text: &str) -> Option<u16> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_value = format!("{frac:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(frac_value),
        "1" if frac_value == 0 => Some(1000),
        _ => None,
    }
}

/// The middleware: compresses the answer when the request asks for it (or the `compress-unasked` deviation is
/// on), and marks every answer that could have been compressed with `Vary: Accept-Encoding`.
pub async fn compress(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let asked = negotiate(req.headers().get_all(header::ACCEPT_ENCODING).iter().map(HeaderValue::as_bytes));
    let unasked = st.shared().faults.has(Http::CompressUnasked);
    let coding = asked.or(unasked.then_some(Coding::Gzip));
    let head = req.method() == Method::HEAD;
    let mut resp = next.run(req).await;
    let size = resp.body().size_hint().exact().and_then(|n| usize::try_from(n).ok());
    let compressible = !head
        && !matches!(resp.status(), StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED)
        && !resp.headers().contains_key(header::CONTENT_ENCODING)
        && size.is_some_and(|n| n > 0 && n <= MAX_COMPRESSED_BYTES && (unasked || n >= MIN_COMPRESSED_BYTES));
    if !compressible {
        return resp;
    }
    resp.headers_mut().append(header::VARY, HeaderValue::from_static("accept-encoding"));
    let Some(coding) = coding else { return resp };
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_COMPRESSED_BYTES).await else {
        // A body that fails while being read is answered as an empty one: its frames are gone.
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(encoded) = coding.encode(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding.name()));
    parts.extensions.insert(Uncompressed(bytes));
    Response::from_parts(parts, Body::from(encoded))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(values: &[&str]) -> Option<Coding> {
        negotiate(values.iter().map(|v| v.as_bytes()))
    }

    #[test]
    fn accept_encoding_is_negotiated_by_weight_with_identity_and_star() {
        use Coding::{Deflate, Gzip};
        assert_eq!(pick(&[]), None, "no field: identity");
        assert_eq!(pick(&[""]), None, "an empty field asks for no coding");
        assert_eq!(pick(&["gzip,deflate"]), Some(Gzip), "Okta's field");
        assert_eq!(pick(&["deflate"]), Some(Deflate));
        assert_eq!(pick(&["gzip;q=0.5, deflate"]), Some(Deflate));
        assert_eq!(pick(&["GZIP ; Q=1.000"]), Some(Gzip));
        assert_eq!(pick(&["x-gzip"]), Some(Gzip));
        assert_eq!(pick(&["identity"]), None);
        assert_eq!(pick(&["gzip;q=0"]), None);
        assert_eq!(pick(&["*"]), Some(Gzip));
        assert_eq!(pick(&["*;q=0, identity"]), None);
        assert_eq!(pick(&["*, gzip;q=0"]), Some(Deflate));
        assert_eq!(pick(&["identity;q=1, gzip;q=0.5"]), None, "identity weighted above gzip");
        assert_eq!(pick(&["identity;q=0.1, gzip;q=0.5"]), Some(Gzip));
        assert_eq!(pick(&["br, zstd"]), None, "codings this server lacks");
        assert_eq!(pick(&["gzip;q=2", "deflate;q=0.9"]), Some(Deflate), "a bad weight drops its element");
        assert_eq!(pick(&["gzip;q=0.5", "deflate;q=0.9"]), Some(Deflate), "two fields are one list");
    }

    #[test]
    fn qvalues_follow_the_grammar() {
        assert_eq!(qvalue("1"), Some(1000));
        assert_eq!(qvalue("1.000"), Some(1000));
        assert_eq!(qvalue("0.5"), Some(500));
        assert_eq!(qvalue("0.005"), Some(5));
        assert_eq!(qvalue("0"), Some(0));
        for bad in ["1.5", "0.0001", "-1", "", ".5", "0.x", "2"] {
            assert_eq!(qvalue(bad), None, "{bad}");
        }
    }

    #[test]
    fn both_codings_round_trip_through_flate2() {
        use std::io::Read;
        let text = br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0}"#.repeat(8);
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&Coding::Gzip.encode(&text).expect("gzip")[..])
            .read_to_end(&mut out)
            .expect("gunzip");
        assert_eq!(out, text);
        out.clear();
        flate2::read::ZlibDecoder::new(&Coding::Deflate.encode(&text).expect("deflate")[..])
            .read_to_end(&mut out)
            .expect("inflate");
        assert_eq!(out, text);
    }
}
