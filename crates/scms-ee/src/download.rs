//! Downloading and opening certificates (seed 004 Step 3.3, 13.3, 19.3).
//!
//! - The `Download-Req` header: Base64 of the COER `SecuredAuthenticatedDownloadRequest`:
//!   `AuthenticatedDownloadRequest { timestamp, filename }` in a `ScmsPDU`, signed with the
//!   enrollment key (signer = enrollment certificate, `signedCertificateRequest`) and
//!   encrypted to the RA certificate (`certRecipInfo`).
//! - File names: pseudonym batch `<HASH16>_<i hex>.zip` (members `<i hex>_<j hex>`),
//!   `<HASH16>.info` (a `Time32`, 4 bytes big-endian), identification `<HASH16>_<i hex>.zip`
//!   (member `<HASH16>_<i hex>`), application `<HASH16>.zip` (member `<HASH16>`).
//! - Each member is a `SignedEncryptedCertificateResponse`. [`Opener::open`] checks, in
//!   order: the PCA's signature (PCA certificate by digest from the LCCF, chain validated
//!   to the device's root, `SecurityMgmtPsid`), decryption with the response key
//!   (`rekRecipInfo`, `q(i,j) = p + f2(ek,(i,j))`), the certificate (implicit, issued by
//!   that PCA, the expected profile, validity and linkage data), the private key
//!   (`d = e·b + r` with `b(i,j) = a + f1(ck,(i,j))`) against the reconstructed public key.

use std::io::{Cursor, Read};

use base64::Engine;
use scms_asn1::camp::ee_ra::{AuthenticatedDownloadRequest, EndEntityRaInterfacePDU};
use scms_asn1::camp::pca_ra::{
    PlaintextCertificateResponse, ToBeSignedEncryptedCertificateResponse,
};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::coer::Utf8String;
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, CertificateType, Duration, HashedId8, Ieee1609Dot2Content,
    Ieee1609Dot2Data, IssuerIdentifier, Psid, RecipientInfo, SignerIdentifier, Time32,
};
use scms_asn1::Coer;
use scms_core::chain::validate_chain;
use scms_core::encrypt::{decrypt, Decryptor};
use scms_core::hash::certificate_id8;
use scms_core::profile::{check_certificate, CertKind};
use scms_core::sign::{certificate_key, reconstruct_private_key, verify_signed_data, Issuer};
use scms_core::signer::{KeyPair, Signer};
use scms_core::time::{duration_seconds, i_period_start, validity_end};
use scms_core::trust::TrustStore;
use scms_crypto::butterfly::{expand_private, CaterpillarPrivate, KeyKind};
use scms_crypto::{default_backend, Point, PrivateKey, Scalar};

use crate::provision::{Device, EeErrorCode, ProvisionError, SECURITY_MGMT_PSID};

/// `GET` path of pseudonym batches.
pub const PATH_BATCH: &str = "/download/batch";
/// `GET` path of `.info` files.
pub const PATH_INFO: &str = "/download/info";
/// `GET` path of identification certificates.
pub const PATH_IDENTITY: &str = "/download/identity-certificate";
/// `GET` path of application certificates.
pub const PATH_APPLICATION: &str = "/download/application-certificate";
/// `GET` path of the local policy file.
pub const PATH_LPF: &str = "/download/policy/local";
/// `GET` path of the local certificate chain file.
pub const PATH_LCCF: &str = "/download/local-certificate-chain";
/// Largest zip accepted (a batch of 255 responses is ~200 KiB).
pub const MAX_ZIP: u64 = 4 << 20;
/// Most members of a zip (`certs_per_i_period` ≤ 255).
pub const MAX_MEMBERS: usize = 256;
/// Largest member (one `SignedEncryptedCertificateResponse`).
pub const MAX_MEMBER: u64 = 64 * 1024;
/// Pseudonym validity: one i-period plus one hour, in minutes.
pub const PSEUDONYM_MINUTES: u16 = 10_140;

fn check(code: EeErrorCode, d: impl Into<String>) -> ProvisionError {
    ProvisionError::check(code, d)
}

/// Pseudonym batch `<HASH16>_<i>.zip`.
pub fn batch_name(hash16: &str, i: u32) -> String {
    format!("{hash16}_{i:X}.zip")
}

/// Batch member `<i>_<j>`.
pub fn batch_member(i: u32, j: u32) -> String {
    format!("{i:X}_{j:X}")
}

/// `<HASH16>.info`.
pub fn info_name(hash16: &str) -> String {
    format!("{hash16}.info")
}

/// Identification `<HASH16>_<i>.zip`.
pub fn identity_name(hash16: &str, i: u32) -> String {
    format!("{hash16}_{i:X}.zip")
}

/// Identification member `<HASH16>_<i>`.
pub fn identity_member(hash16: &str, i: u32) -> String {
    format!("{hash16}_{i:X}")
}

/// Application `<HASH16>.zip` (member `<HASH16>`).
pub fn application_name(hash16: &str) -> String {
    format!("{hash16}.zip")
}

/// The `Download-Req` header value for `filename` at `now`.
pub fn download_req(
    device: &Device,
    filename: &str,
    now: Time32,
) -> Result<String, ProvisionError> {
    let pdu = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::EeRa(EndEntityRaInterfacePDU::EeRaAuthenticatedDownloadRequest(
            AuthenticatedDownloadRequest {
                timestamp: now,
                filename: Utf8String::new(filename)
                    .map_err(|_| ProvisionError::NotAllowed("file name longer than 255"))?,
            },
        )),
    };
    Ok(base64::engine::general_purpose::STANDARD.encode(device.secure(pdu)?))
}

/// The `Time32` of a `.info` file (COER `Time32`: 4 bytes big-endian).
pub fn parse_info(bytes: &[u8]) -> Result<Time32, ProvisionError> {
    let b: [u8; 4] = bytes.try_into().map_err(|_| {
        check(
            EeErrorCode::ObeInfoFileDownloadFailed,
            ".info is not a Time32",
        )
    })?;
    Ok(u32::from_be_bytes(b))
}

/// The members of a flat zip: names checked (no directories, separators, `..`), at most
/// [`MAX_MEMBERS`] of at most [`MAX_MEMBER`] bytes each.
pub fn read_zip(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ProvisionError> {
    let bad = |d: String| check(EeErrorCode::EeDecompressionError, d);
    if bytes.len() as u64 > MAX_ZIP {
        return Err(bad(format!("zip larger than {MAX_ZIP} bytes")));
    }
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
    if z.len() > MAX_MEMBERS {
        return Err(bad(format!("{} members", z.len())));
    }
    let mut out = Vec::with_capacity(z.len());
    for k in 0..z.len() {
        let f = z.by_index(k).map_err(|e| bad(e.to_string()))?;
        let name = f.name().map_err(|e| bad(e.to_string()))?.into_owned();
        let flat = !name.is_empty()
            && name.len() <= 64
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !flat || f.is_dir() {
            return Err(bad(format!("member name {name:?}")));
        }
        let mut v = Vec::new();
        f.take(MAX_MEMBER + 1)
            .read_to_end(&mut v)
            .map_err(|e| bad(format!("{name}: {e}")))?;
        if v.len() as u64 > MAX_MEMBER {
            return Err(bad(format!("{name} larger than {MAX_MEMBER} bytes")));
        }
        if out.iter().any(|(n, _): &(String, Vec<u8>)| *n == name) {
            return Err(bad(format!("duplicate member {name}")));
        }
        out.push((name, v));
    }
    Ok(out)
}

/// Parses a batch member name `<i hex>_<j hex>` (upper-case hex).
pub fn parse_member(name: &str) -> Option<(u32, u32)> {
    let (i, j) = name.split_once('_')?;
    let hex = |s: &str| {
        (!s.is_empty()
            && s.len() <= 8
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)))
        .then(|| u32::from_str_radix(s, 16).ok())
        .flatten()
    };
    Some((hex(i)?, hex(j)?))
}

/// What the certificate must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A pseudonym certificate of i-period `i`.
    Pseudonym {
        /// The i-period.
        i: u32,
    },
    /// An identification certificate starting at `start`.
    Identification {
        /// Its validity start.
        start: Time32,
    },
    /// An application certificate starting at `start`.
    Application {
        /// The requested start.
        start: Time32,
    },
}

/// An opened certificate with its private key.
#[derive(Debug)]
pub struct Opened {
    /// The certificate.
    pub cert: Certificate,
    /// The reconstructed key pair.
    pub key: KeyPair,
}

/// Opens `SignedEncryptedCertificateResponse`s with the device's trust material.
pub struct Opener<'a> {
    /// The trust store (the root).
    pub trust: &'a TrustStore,
    /// Issuers (the LCCF's certificates).
    pub intermediates: &'a [Certificate],
}

impl<'a> Opener<'a> {
    /// The opener of a device.
    pub fn of(device: &'a Device) -> Self {
        Opener {
            trust: &device.trust,
            intermediates: &device.intermediates,
        }
    }

    /// Opens one response: `response_key` is the response decryption key pair (`q`,
    /// `Q`), `request_key` the private key the certificate was requested on (`b`, or the
    /// application verification key). See the module documentation for the checks.
    pub fn open(
        &self,
        bytes: &[u8],
        response_key: &PrivateKey,
        request_key: &PrivateKey,
        expect: Expect,
        now: Time32,
    ) -> Result<Opened, ProvisionError> {
        let be = default_backend();
        let sig_err = |d: &str| check(EeErrorCode::EeCertFileVerificationFailed, d);
        // 1. The PCA's signature.
        let data = Ieee1609Dot2Data::from_coer(bytes)
            .map_err(|e| check(EeErrorCode::EeCertificateNotReadable, e.to_string()))?;
        let Ieee1609Dot2Content::SignedData(sd) = &data.content else {
            return Err(sig_err("not a SignedData"));
        };
        let pca_id = match &sd.signer {
            SignerIdentifier::Digest(h) => *h,
            SignerIdentifier::Certificate(l) if l.len() == 1 => certificate_id8(&l[0]),
            _ => return Err(sig_err("signer is not a PCA certificate")),
        };
        let pca = self.pca(&pca_id, now)?;
        let pca_key = certificate_key(be, &pca, None)?;
        verify_signed_data(be, sd, Some(&pca), &pca_key)
            .map_err(|_| sig_err("the PCA signature does not verify"))?;
        if sd.tbs_data.header_info.psid != Psid::new(SECURITY_MGMT_PSID) {
            return Err(sig_err("psid is not SecurityMgmtPsid"));
        }
        let Some(Ieee1609Dot2Content::UnsecuredData(o)) =
            sd.tbs_data.payload.data.as_deref().map(|d| &d.content)
        else {
            return Err(sig_err("no unsecured payload"));
        };
        let tbs = ToBeSignedEncryptedCertificateResponse::from_coer(o.as_bytes())
            .map_err(|e| check(EeErrorCode::EeCertificateNotReadable, e.to_string()))?;

        // 2. Decryption with the response key.
        let dec_err = |d: &str| check(EeErrorCode::EeCertificateFileDecryptionFailed, d);
        let Ieee1609Dot2Content::EncryptedData(ed) = &tbs.encrypted_cert.content else {
            return Err(dec_err("encrypted-cert is not encryptedData"));
        };
        if ed.recipients.len() != 1 || !matches!(ed.recipients[0], RecipientInfo::RekRecipInfo(_)) {
            return Err(dec_err("not exactly one rekRecipInfo"));
        }
        let public = response_key.public_key(be)?;
        let plain = decrypt(
            be,
            ed,
            Decryptor::Key {
                public: &public,
                key: response_key,
            },
        )
        .map_err(|e| dec_err(&format!("{e}")))?;
        let inner = Ieee1609Dot2Data::from_coer(&plain)
            .map_err(|e| check(EeErrorCode::EeCertificateNotReadable, e.to_string()))?;
        let Ieee1609Dot2Content::UnsecuredData(o) = &inner.content else {
            return Err(check(
                EeErrorCode::EeCertificateNotReadable,
                "not unsecuredData",
            ));
        };
        let pt = PlaintextCertificateResponse::from_coer(o.as_bytes())
            .map_err(|e| check(EeErrorCode::EeCertificateNotReadable, e.to_string()))?;
        let (icr, butterfly) = match pt {
            PlaintextCertificateResponse::ImplicitButterfly(r) => (r, true),
            PlaintextCertificateResponse::Implicit(r) => (r, false),
            _ => {
                return Err(check(
                    EeErrorCode::EeCertContentFalse,
                    "not an implicit certificate response",
                ))
            }
        };
        let cert = icr.certificate;

        // 3. The certificate.
        let content = |d: String| check(EeErrorCode::EeCertContentFalse, d);
        if cert.r#type != CertificateType::Implicit
            || cert.issuer != IssuerIdentifier::Sha256AndDigest(pca_id)
        {
            return Err(content("not an implicit certificate of this PCA".into()));
        }
        let vp = &cert.to_be_signed.validity_period;
        let kind = match expect {
            Expect::Pseudonym { i } => {
                let ld = match &cert.to_be_signed.id {
                    CertificateId::LinkageData(l) => Some(l),
                    _ => None,
                };
                if !butterfly
                    || Some(vp.start) != i_period_start(i)
                    || vp.duration != Duration::Minutes(PSEUDONYM_MINUTES)
                    || ld.is_none_or(|l| u32::from(l.i_cert) != (i & 0xFFFF))
                {
                    return Err(content(format!(
                        "not a pseudonym certificate of i = {i} with linkage data"
                    )));
                }
                CertKind::ObePseudonym
            }
            Expect::Identification { start } => {
                if !butterfly || vp.start != start {
                    return Err(content(format!(
                        "identification validity start is not {start}"
                    )));
                }
                CertKind::ObeIdentification
            }
            Expect::Application { start } => {
                if butterfly || vp.start != start {
                    return Err(content(format!(
                        "application validity start is not {start}"
                    )));
                }
                CertKind::RseApplication
            }
        };
        check_certificate(kind, &cert).map_err(|e| content(format!("{kind} profile: {e}")))?;
        let end = validity_end(vp);
        if end <= u64::from(now) {
            return Err(content("already expired".into()));
        }
        if u64::from(tbs.expiration) != end
            || duration_seconds(&tbs.lifetime) != duration_seconds(&vp.duration)
        {
            return Err(content(
                "signed expiration/lifetime differ from the certificate".into(),
            ));
        }
        // The chain, at the certificate's start (future certificates too).
        validate_chain(be, &cert, self.intermediates, self.trust, vp.start.max(now))
            .map_err(|e| check(EeErrorCode::EeCertificateVerificationFailed, e.to_string()))?;

        // 4. The private key.
        let key_err = || {
            check(
                EeErrorCode::EeCertificateVerificationFailed,
                "the reconstructed private key does not match the certificate",
            )
        };
        let r = Scalar::from_bytes(&icr.priv_key_reconstruction_s).map_err(|_| key_err())?;
        let d = reconstruct_private_key(&cert, &pca, request_key, &r).map_err(|_| key_err())?;
        let expected: Point = certificate_key(
            be,
            &cert,
            Some(Issuer {
                cert: &pca,
                key: &pca_key,
            }),
        )
        .map_err(|_| key_err())?;
        let key = KeyPair::from_private(d).map_err(|_| key_err())?;
        if *key.public_key() != expected {
            return Err(key_err());
        }
        Ok(Opened { cert, key })
    }

    /// The PCA certificate `id` from the LCCF, its chain validated to the root at `now`.
    fn pca(&self, id: &HashedId8, now: Time32) -> Result<Certificate, ProvisionError> {
        let err = |d: String| check(EeErrorCode::EeCertFileVerificationFailed, d);
        let pca = self
            .intermediates
            .iter()
            .find(|c| certificate_id8(c) == *id)
            .ok_or_else(|| {
                err(format!(
                    "PCA certificate {} not in the LCCF",
                    hex::encode(id)
                ))
            })?;
        let chain = validate_chain(default_backend(), pca, self.intermediates, self.trust, now)
            .map_err(|e| err(format!("PCA chain: {e}")))?;
        if chain.leaf_kind != Some(CertKind::Pca) {
            return Err(err("the signer is not a PCA".into()));
        }
        Ok(pca.clone())
    }

    /// Opens a pseudonym batch zip of i-period `i`: every member `<i>_<j>`, with
    /// `q(i,j)` and `b(i,j)` expanded from the caterpillar keys. Returns `(j, opened)`.
    pub fn open_batch(
        &self,
        zip: &[u8],
        i: u32,
        cat: &CaterpillarPrivate,
        now: Time32,
    ) -> Result<Vec<(u32, Opened)>, ProvisionError> {
        let mut out = Vec::new();
        for (name, bytes) in read_zip(zip)? {
            let (mi, j) = parse_member(&name).ok_or_else(|| {
                check(
                    EeErrorCode::EeDecompressionError,
                    format!("member name {name:?}"),
                )
            })?;
            if mi != i || j > 255 {
                return Err(check(
                    EeErrorCode::EeCertContentFalse,
                    format!("member {name} in the batch of i = {i:X}"),
                ));
            }
            let (b, q) = cocoon(cat, i, j)?;
            out.push((j, self.open(&bytes, &q, &b, Expect::Pseudonym { i }, now)?));
        }
        out.sort_by_key(|(j, _)| *j);
        Ok(out)
    }
}

/// The device's cocoon private keys `(b(i,j), q(i,j))`.
pub fn cocoon(
    cat: &CaterpillarPrivate,
    i: u32,
    j: u32,
) -> Result<(PrivateKey, PrivateKey), ProvisionError> {
    Ok((
        expand_private(
            &cat.signing_seed,
            &cat.signing_expansion,
            KeyKind::Signing,
            i,
            j,
        )
        .map_err(scms_core::CoreError::from)?,
        expand_private(
            &cat.encryption_seed,
            &cat.encryption_expansion,
            KeyKind::Encryption,
            i,
            j,
        )
        .map_err(scms_core::CoreError::from)?,
    ))
}

/// Opens a one-member zip (identification or application certificate) named `member`.
pub fn single_member(zip: &[u8], member: &str) -> Result<Vec<u8>, ProvisionError> {
    let mut m = read_zip(zip)?;
    if m.len() != 1 || !m[0].0.eq_ignore_ascii_case(member) {
        return Err(check(
            EeErrorCode::EeDecompressionError,
            format!("expected exactly the member {member}"),
        ));
    }
    Ok(m.remove(0).1)
}
