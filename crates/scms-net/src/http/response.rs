//! Response helpers: `application/octet-stream` bodies, byte ranges (`Range: bytes=a-b`,
//! `bytes=a-`, `bytes=-n` → 206 with `Content-Range`, 416 when unsatisfiable),
//! `If-None-Match` → 304, and the seed's error convention (production: bare status, empty
//! body, the code only in the log; QA: the code name in the body).

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::header::{
    HeaderValue, ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
    RANGE,
};
use http::{HeaderMap, StatusCode};

/// The content type of every SCMS service.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// What a `Range` header asks of a body of known length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// No (usable) range: the whole body, 200.
    Full,
    /// Bytes `start..=end`, 206.
    Partial {
        /// First byte.
        start: u64,
        /// Last byte (inclusive).
        end: u64,
    },
    /// A syntactically valid range that misses the body, 416.
    Unsatisfiable,
}

/// Interprets a `Range` header value for a body of `len` bytes (RFC 7233, one range of
/// unit `bytes`; anything else, e.g. several ranges, is ignored and the whole body served).
pub fn parse_range(value: Option<&str>, len: u64) -> ByteRange {
    let Some(spec) = value.and_then(|v| v.trim().strip_prefix("bytes=")) else {
        return ByteRange::Full;
    };
    let spec = spec.trim();
    if spec.contains(',') {
        return ByteRange::Full;
    }
    let Some((a, b)) = spec.split_once('-') else {
        return ByteRange::Full;
    };
    let (a, b) = (a.trim(), b.trim());
    let num = |s: &str| {
        if !s.is_empty() && s.len() <= 19 && s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse::<u64>().ok()
        } else {
            None
        }
    };
    if a.is_empty() {
        // Suffix: the last n bytes.
        return match num(b) {
            Some(0) => ByteRange::Unsatisfiable,
            Some(_) if len == 0 => ByteRange::Unsatisfiable,
            Some(n) => ByteRange::Partial {
                start: len.saturating_sub(n),
                end: len - 1,
            },
            None => ByteRange::Full,
        };
    }
    let Some(start) = num(a) else {
        return ByteRange::Full;
    };
    let end = if b.is_empty() {
        None
    } else {
        match num(b) {
            Some(e) if e >= start => Some(e),
            _ => return ByteRange::Full,
        }
    };
    if start >= len {
        return ByteRange::Unsatisfiable;
    }
    ByteRange::Partial {
        start,
        end: end.map_or(len - 1, |e| e.min(len - 1)),
    }
}

/// `"<name>"`: the entity tag of a file named `name`.
pub fn quoted_etag(name: &str) -> String {
    format!("\"{name}\"")
}

/// Whether `If-None-Match` in `headers` names `etag` (quoted or bare, weak or strong, in a
/// list, or `*`).
pub fn if_none_match_matches(headers: &HeaderMap, etag: &str) -> bool {
    let want = etag.trim().trim_start_matches("W/").trim_matches('"');
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/").trim_matches('"'))
        .any(|t| t == "*" || t == want)
}

fn header(v: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(v).ok()
}

fn with_status(status: StatusCode, body: Body) -> Response {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r
}

/// 200 with `bytes` as `application/octet-stream`.
pub fn octets(bytes: impl Into<Bytes>) -> Response {
    let mut r = Response::new(Body::from(bytes.into()));
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(OCTET_STREAM));
    r
}

/// 304 Not Modified (with the `ETag`, if any).
pub fn not_modified(etag: Option<&str>) -> Response {
    let mut r = with_status(StatusCode::NOT_MODIFIED, Body::empty());
    if let Some(v) = etag.and_then(header) {
        r.headers_mut().insert(ETAG, v);
    }
    r
}

/// A downloadable file: 304 if `etag` is given and `If-None-Match` names it; else the
/// `Range` of the request (206 / 416) or the whole file (200); `Accept-Ranges: bytes`,
/// `Content-Type: application/octet-stream`, `ETag` if given.
pub fn file_response(request: &HeaderMap, bytes: impl Into<Bytes>, etag: Option<&str>) -> Response {
    if let Some(tag) = etag {
        if if_none_match_matches(request, tag) {
            return not_modified(Some(tag));
        }
    }
    let bytes: Bytes = bytes.into();
    let len = bytes.len() as u64;
    let range = request.get(RANGE).and_then(|v| v.to_str().ok());
    let mut r = match parse_range(range, len) {
        ByteRange::Full => octets(bytes),
        ByteRange::Partial { start, end } => {
            // start <= end < len, so the casts hold on every platform that held the bytes.
            let part = bytes.slice(start as usize..=end as usize);
            let mut r = octets(part);
            *r.status_mut() = StatusCode::PARTIAL_CONTENT;
            if let Some(v) = header(&format!("bytes {start}-{end}/{len}")) {
                r.headers_mut().insert(CONTENT_RANGE, v);
            }
            r
        }
        ByteRange::Unsatisfiable => {
            let mut r = with_status(StatusCode::RANGE_NOT_SATISFIABLE, Body::empty());
            if let Some(v) = header(&format!("bytes */{len}")) {
                r.headers_mut().insert(CONTENT_RANGE, v);
            }
            r.headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
            r
        }
    };
    r.headers_mut()
        .insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Some(v) = etag.and_then(header) {
        r.headers_mut().insert(ETAG, v);
    }
    r
}

/// An error answer. The code (e.g. `raInvalidSignature`) and the detail are logged; the
/// body is empty in production (the seed: HTTP 500 with no detail, SCMS-1397) and the code
/// name in QA mode (`qa`).
pub fn error_response(
    qa: bool,
    status: StatusCode,
    code: &str,
    detail: &dyn std::fmt::Display,
) -> Response {
    if status.is_server_error() {
        tracing::warn!(code, status = status.as_u16(), %detail, "request failed");
    } else {
        tracing::info!(code, status = status.as_u16(), %detail, "request refused");
    }
    if qa {
        let mut r = with_status(status, Body::from(code.to_owned()));
        r.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        r
    } else {
        let mut r = with_status(status, Body::empty());
        r.headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        r
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ranges() {
        use ByteRange::*;
        assert_eq!(parse_range(None, 10), Full);
        assert_eq!(
            parse_range(Some("bytes=2-4"), 10),
            Partial { start: 2, end: 4 }
        );
        assert_eq!(
            parse_range(Some("bytes=2-"), 10),
            Partial { start: 2, end: 9 }
        );
        assert_eq!(
            parse_range(Some("bytes=2-100"), 10),
            Partial { start: 2, end: 9 }
        );
        assert_eq!(
            parse_range(Some("bytes=-3"), 10),
            Partial { start: 7, end: 9 }
        );
        assert_eq!(
            parse_range(Some("bytes=-30"), 10),
            Partial { start: 0, end: 9 }
        );
        assert_eq!(parse_range(Some("bytes=10-"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=10-20"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-0"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-"), 0), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=4-2"), 10), Full);
        assert_eq!(parse_range(Some("bytes=1-2,4-5"), 10), Full);
        assert_eq!(parse_range(Some("items=1-2"), 10), Full);
        assert_eq!(parse_range(Some("bytes=a-b"), 10), Full);
        assert_eq!(parse_range(Some("bytes=+1-2"), 10), Full);
    }

    #[test]
    fn etags_and_files() {
        let mut h = HeaderMap::new();
        h.insert(
            IF_NONE_MATCH,
            HeaderValue::from_static("\"a.oer\", W/\"b.oer\""),
        );
        assert!(if_none_match_matches(&h, "\"a.oer\""));
        assert!(if_none_match_matches(&h, "b.oer"));
        assert!(!if_none_match_matches(&h, "\"c.oer\""));
        let r = file_response(&h, vec![1u8, 2, 3], Some("\"a.oer\""));
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);

        let mut h = HeaderMap::new();
        h.insert(RANGE, HeaderValue::from_static("bytes=1-"));
        let r = file_response(&h, vec![1u8, 2, 3], Some("\"c.oer\""));
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(r.headers()[CONTENT_RANGE], "bytes 1-2/3");
        assert_eq!(r.headers()[ETAG], "\"c.oer\"");
        h.insert(RANGE, HeaderValue::from_static("bytes=3-"));
        let r = file_response(&h, vec![1u8, 2, 3], None);
        assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(r.headers()[CONTENT_RANGE], "bytes */3");

        let r = error_response(false, StatusCode::INTERNAL_SERVER_ERROR, "raX", &"d");
        assert_eq!(r.headers()[CONTENT_LENGTH], "0");
    }
}
