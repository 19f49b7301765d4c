//! Download file names (seed §"Software Design – MA and RA Services Views") and the zip
//! packaging of certificate responses.

use std::io::Write;

use crate::error::internal;
use crate::{RaError, RaErrorCode};

/// The authenticated download services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DownloadKind {
    /// `GET /download/batch`: `[0-9A-F]{16}_[0-9A-F]{1,8}.zip`.
    Batch,
    /// `GET /download/info`: `[0-9A-F]{16}.info`.
    Info,
    /// `GET /download/identity-certificate`: `[0-9A-Fa-f]{16}_[0-9A-Fa-f]{1,8}.zip`.
    Identity,
    /// `GET /download/application-certificate`: `[0-9A-Fa-f]{16}.zip`.
    Application,
}

/// A file to send (the HTTP layer applies `Range`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileBytes {
    /// The file name (no path).
    pub name: String,
    /// The whole file.
    pub bytes: Vec<u8>,
}

/// The answer to a conditional (`If-None-Match`) download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// HTTP 304: the EE's file is current.
    NotModified,
    /// HTTP 200 with this file (name for `ETag` / `Content-Disposition`).
    File(FileBytes),
}

fn is_hex(s: &str, upper_only: bool) -> bool {
    s.bytes().all(|b| {
        b.is_ascii_digit()
            || (b'A'..=b'F').contains(&b)
            || (!upper_only && (b'a'..=b'f').contains(&b))
    })
}

fn parse_hash(s: &str) -> Option<[u8; 8]> {
    let v = hex::decode(s).ok()?;
    v.try_into().ok()
}

/// Checks `name` against the pattern of `kind`; returns the request hash `X` and the
/// canonical (upper-case hex) name under which the RA stores the file.
pub(crate) fn parse_name(kind: DownloadKind, name: &str) -> Result<([u8; 8], String), RaError> {
    let bad = || RaError::rejected(RaErrorCode::RaInvalidUrl, format!("file name {name:?}"));
    let (stem, ext, upper_only) = match kind {
        DownloadKind::Batch => (name.strip_suffix(".zip"), true, true),
        DownloadKind::Info => (name.strip_suffix(".info"), false, true),
        DownloadKind::Identity => (name.strip_suffix(".zip"), true, false),
        DownloadKind::Application => (name.strip_suffix(".zip"), false, false),
    };
    let stem = stem.ok_or_else(bad)?;
    let (x, i) = if ext {
        let (x, i) = stem.split_once('_').ok_or_else(bad)?;
        if i.is_empty() || i.len() > 8 || !is_hex(i, upper_only) {
            return Err(bad());
        }
        (x, Some(i))
    } else {
        (stem, None)
    };
    if x.len() != 16 || !is_hex(x, upper_only) {
        return Err(bad());
    }
    let hash = parse_hash(x).ok_or_else(bad)?;
    let canonical = name.to_ascii_uppercase();
    let canonical = match kind {
        DownloadKind::Info => canonical.replace(".INFO", ".info"),
        _ => canonical.replace(".ZIP", ".zip"),
    };
    // Drop leading zeros of i (`X_0F.zip` is `X_F.zip`).
    let canonical = match i {
        Some(i) => {
            let v = u32::from_str_radix(i, 16).map_err(|_| bad())?;
            format!("{}_{v:X}.zip", &canonical[..16])
        }
        None => canonical,
    };
    Ok((hash, canonical))
}

/// `X` of the file names: 16 upper-case hex digits.
pub(crate) fn hash16(h: &[u8; 8]) -> String {
    hex::encode_upper(h)
}

/// Pseudonym batch `X_<i>.zip`.
pub(crate) fn batch_name(h: &[u8; 8], i: u32) -> String {
    format!("{}_{i:X}.zip", hash16(h))
}

/// Pseudonym batch member `<i>_<j>`.
pub(crate) fn batch_member(i: u32, j: u32) -> String {
    format!("{i:X}_{j:X}")
}

/// `X.info`.
pub(crate) fn info_name(h: &[u8; 8]) -> String {
    format!("{}.info", hash16(h))
}

/// Identification `X_<i>.zip` (member `X_<i>`).
pub(crate) fn identity_member(h: &[u8; 8], i: u32) -> String {
    format!("{}_{i:X}", hash16(h))
}

/// Application `X.zip` (member `X`).
pub(crate) fn application_member(h: &[u8; 8]) -> String {
    hash16(h)
}

/// A flat zip of `members` (deflate).
pub(crate) fn zip(members: &[(String, Vec<u8>)]) -> Result<Vec<u8>, RaError> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        w.start_file(name.as_str(), opts).map_err(internal)?;
        w.write_all(bytes).map_err(internal)?;
    }
    Ok(w.finish().map_err(internal)?.into_inner())
}

/// The version in an `If-None-Match` value: the file name, with or without quotes/`W/`.
pub(crate) fn etag_name(v: &str) -> &str {
    let v = v.trim();
    let v = v.strip_prefix("W/").unwrap_or(v);
    v.trim_matches('"')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names() {
        let (h, n) = parse_name(DownloadKind::Batch, "AB09281C9867DE53_F.zip").unwrap();
        assert_eq!(h, [0xAB, 0x09, 0x28, 0x1C, 0x98, 0x67, 0xDE, 0x53]);
        assert_eq!(n, "AB09281C9867DE53_F.zip");
        assert!(parse_name(DownloadKind::Batch, "ab09281c9867de53_F.zip").is_err());
        assert!(parse_name(DownloadKind::Batch, "AB09281C9867DE53_.zip").is_err());
        assert!(parse_name(DownloadKind::Batch, "AB09281C9867DE53_123456789.zip").is_err());
        assert!(parse_name(DownloadKind::Batch, "../AB09281C9867DE53_F.zip").is_err());
        let (_, n) = parse_name(DownloadKind::Identity, "ab09281c9867de53_0f.zip").unwrap();
        assert_eq!(n, "AB09281C9867DE53_F.zip");
        let (_, n) = parse_name(DownloadKind::Application, "ab09281c9867de53.zip").unwrap();
        assert_eq!(n, "AB09281C9867DE53.zip");
        assert!(parse_name(DownloadKind::Application, "ab09281c9867de53_1.zip").is_err());
        let (_, n) = parse_name(DownloadKind::Info, "AB09281C9867DE53.info").unwrap();
        assert_eq!(n, "AB09281C9867DE53.info");
        assert!(parse_name(DownloadKind::Info, "AB09281C9867DE53.zip").is_err());
        assert_eq!(batch_member(0x37, 0x13), "37_13");
        assert_eq!(
            etag_name("\"local_policy_0001_0001.oer\""),
            "local_policy_0001_0001.oer"
        );
    }
}
