//! Decoding a response body the server compressed (RFC 9110 section 8.4: `Content-Encoding` names the codings
//! applied, in the order they were applied).
//!
//! The client never asks for compression itself: each persona sends exactly its IdP's headers, and Okta's
//! include `Accept-Encoding: gzip,deflate` while Entra's do not. So decoding happens only when an answer says it
//! is encoded, whoever asked. `gzip` (and its alias `x-gzip`) and `deflate` are decoded; `deflate` is a zlib
//! stream (section 8.4.1.2), though some servers send raw deflate data, which is taken too. The decoded size is
//! bounded by the client's response body limit, so a small hostile body cannot expand into gigabytes (a gzip
//! bomb). A coding the client does not know (`br`, `zstd`) leaves the body as it came; the header, which stays
//! in the response and its evidence, says why it does not read as JSON.

use std::io::Read;

/// `body` decoded as `content_encoding` (the field's value; several fields joined with commas) says, at most `max`
/// bytes; `Ok(None)` when there is
/// nothing to decode (no field, `identity`, or a coding the client does not know). The error says what failed
/// and names the limit when it was reached.
pub fn decode(content_encoding: Option<&str>, body: &[u8], max: usize) -> Result<Option<Vec<u8>>, String> {
    let Some(field) = content_encoding else { return Ok(None) };
    let codings: Vec<String> =
        field.split(',').map(|c| c.trim().to_ascii_lowercase()).filter(|c| !c.is_empty() && c != "identity").collect();
    if codings.is_empty() || codings.iter().any(|c| !matches!(c.as_str(), "gzip" | "x-gzip" | "deflate")) {
        return Ok(None);
    }
    let mut data = body.to_vec();
    // The last coding applied is undone first.
    for coding in codings.iter().rev() {
        data = match coding.as_str() {
            "deflate" if is_zlib(&data) => bounded(flate2::read::ZlibDecoder::new(&data[..]), coding, max)?,
            "deflate" => bounded(flate2::read::DeflateDecoder::new(&data[..]), coding, max)?,
            _ => bounded(flate2::read::MultiGzDecoder::new(&data[..]), coding, max)?,
        };
    }
    Ok(Some(data))
}

/// Whether `data` opens with a zlib header (RFC 1950 section 2.2: method 8, and the first two bytes a multiple
/// of 31).
fn is_zlib(data: &[u8]) -> bool {
    match data {
        [cmf, flg, ..] => cmf & 0x0f == 8 && ((u16::from(*cmf) << 8) | u16::from(*flg)) % 31 == 0,
        _ => false,
    }
}

/// Reads `decoder` to its end, failing past `max` bytes.
fn bounded(decoder: impl Read, coding: &str, max: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    decoder
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| format!("the response body is not valid {coding} data (Content-Encoding: {coding}): {e}"))?;
    if out.len() > max {
        return Err(format!(
            "the response body (Content-Encoding: {coding}) decompresses to more than {max} bytes, the client's \
             response body limit"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).expect("write");
        e.finish().expect("gzip")
    }

    #[test]
    fn gzip_zlib_and_raw_deflate_are_decoded_and_the_rest_left_alone() {
        let text = b"{\"totalResults\":0}";
        assert_eq!(decode(Some("gzip"), &gzip(text), 100).expect("ok").as_deref(), Some(&text[..]));
        assert_eq!(decode(Some("X-GZIP"), &gzip(text), 100).expect("ok").as_deref(), Some(&text[..]));
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(text).expect("write");
        let zlib = z.finish().expect("zlib");
        assert_eq!(decode(Some("deflate"), &zlib, 100).expect("ok").as_deref(), Some(&text[..]));
        let mut r = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        r.write_all(text).expect("write");
        let raw = r.finish().expect("deflate");
        assert_eq!(decode(Some("deflate"), &raw, 100).expect("ok").as_deref(), Some(&text[..]));
        assert_eq!(decode(Some("gzip, gzip"), &gzip(&gzip(text)), 100).expect("ok").as_deref(), Some(&text[..]));
        assert_eq!(decode(None, text, 100).expect("ok"), None);
        assert_eq!(decode(Some("identity"), text, 100).expect("ok"), None);
        assert_eq!(decode(Some("br"), text, 100).expect("ok"), None);
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_body_limit_and_garbage_is_named() {
        let bomb = gzip(&vec![b'a'; 10 * 1024 * 1024]);
        assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
        let e = decode(Some("gzip"), &bomb, 1024 * 1024).expect_err("refused");
        assert!(e.contains("decompresses to more than 1048576 bytes") && e.contains("body limit"), "{e}");
        let exact = decode(Some("gzip"), &gzip(&[b'a'; 1000]), 1000).expect("at the limit");
        assert_eq!(exact.map(|b| b.len()), Some(1000));
        let e = decode(Some("gzip"), b"{\"not\":\"gzip\"}", 100).expect_err("refused");
        assert!(e.contains("not valid gzip data"), "{e}");
    }
}
