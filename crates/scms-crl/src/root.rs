//! Root-signed CRLs of series 256 (seed Step 11.2.1): only a Root CA revokes the SCMS
//! components it certified directly, the CRL Generator, the Policy Generator and the MA.
//! The root signs such a CRL offline (`scms admin root-crl`); the CRLG republishes the
//! newest one of each root in every composite CRL.
//!
//! A root CRL is a `FullHashCrl` of series 256 (PSID 0x100, no generation time) whose
//! `cracaId` is the HashedId8 of the root certificate and whose signer is
//! `certificate { root }`; its entries are the HashedId10 and expiry of the revoked
//! certificates, cumulative from one CRL to the next (`crlSerial` + 1).

use scms_asn1::ieee1609dot2::{
    Certificate, CrlContents, CrlContentsTypeSpecific, HashBasedRevocationInfo,
    Ieee1609Dot2Content, IssuerIdentifier, SecuredCrl, SignerIdentifier, Time32,
};
use scms_core::hash::{certificate_id10, certificate_id8};
use scms_core::profile::crl_series::SCMS_SPCL_COMPONENT;
use scms_core::signer::Signer;
use scms_core::time::validity_end;

use crate::{empty_contents, open, secure, CrlError};

/// The signing root of a SecuredCrl (`signer = certificate { root }`), if it is one of
/// `roots`.
fn signing_root<'a>(crl: &SecuredCrl, roots: &'a [Certificate]) -> Option<&'a Certificate> {
    let Ieee1609Dot2Content::SignedData(sd) = &crl.content else {
        return None;
    };
    let SignerIdentifier::Certificate(list) = &sd.signer else {
        return None;
    };
    let [signer] = list.as_slice() else {
        return None;
    };
    roots.iter().find(|r| *r == signer)
}

/// Verifies a root-signed CRL: signed by one of `roots` (signer = that certificate), PSID
/// 0x100, series 256, `cracaId` of that root, a full hash CRL. Returns the root and the
/// contents.
pub fn open_root_crl<'a>(
    crl: &SecuredCrl,
    roots: &'a [Certificate],
) -> Result<(&'a Certificate, CrlContents), CrlError> {
    let root =
        signing_root(crl, roots).ok_or(CrlError::Invalid("not signed by a known root CA"))?;
    let key = scms_core::sign::certificate_key(scms_crypto::default_backend(), root, None)?;
    let contents = open(crl, root, &key)?;
    if contents.crl_series != SCMS_SPCL_COMPONENT {
        return Err(CrlError::Invalid("a root CRL must be of series 256"));
    }
    if contents.craca_id != certificate_id8(root) {
        return Err(CrlError::Invalid("cracaId is not the signing root"));
    }
    if !matches!(
        contents.type_specific,
        CrlContentsTypeSpecific::FullHashCrl(_)
    ) {
        return Err(CrlError::Invalid("a root CRL must be a full hash CRL"));
    }
    Ok((root, contents))
}

/// The `crlSerial` and entries of a verified root CRL's contents.
fn hash_part(c: &CrlContents) -> (u32, &[HashBasedRevocationInfo]) {
    match &c.type_specific {
        CrlContentsTypeSpecific::FullHashCrl(h) | CrlContentsTypeSpecific::DeltaHashCrl(h) => {
            (h.crl_serial, &h.entries)
        }
        _ => (0, &[]),
    }
}

/// Builds and signs (by `root`) the next root CRL: the entries of `previous` (a CRL of the
/// same root, if any) that have not expired by `now`, plus `revoke`; `crlSerial` is the
/// previous one + 1 (1 without a previous CRL), `issueDate` `now`, `nextCrl` `next_crl`.
/// Only certificates of CRL series 256 issued by that root (CRLG, PG, MA) are accepted.
pub fn build_root_crl(
    root: &dyn Signer,
    root_cert: &Certificate,
    previous: Option<&SecuredCrl>,
    revoke: &[Certificate],
    now: Time32,
    next_crl: Time32,
) -> Result<SecuredCrl, CrlError> {
    let root_id = certificate_id8(root_cert);
    let (serial, mut entries) = match previous {
        Some(p) => {
            let (_, contents) = open_root_crl(p, std::slice::from_ref(root_cert))?;
            let (serial, entries) = hash_part(&contents);
            (serial, entries.to_vec())
        }
        None => (0, Vec::new()),
    };
    entries.retain(|e| e.expiry >= now);
    for cert in revoke {
        if cert.to_be_signed.crl_series != SCMS_SPCL_COMPONENT {
            return Err(CrlError::Invalid(
                "only certificates of CRL series 256 (CRLG, PG, MA) are revoked by the root",
            ));
        }
        if cert.issuer != IssuerIdentifier::Sha256AndDigest(root_id) {
            return Err(CrlError::Invalid(
                "the certificate is not issued by this root",
            ));
        }
        let id = certificate_id10(cert);
        if entries.iter().any(|e| e.id == id) {
            continue;
        }
        let expiry =
            u32::try_from(validity_end(&cert.to_be_signed.validity_period)).unwrap_or(u32::MAX);
        entries.push(HashBasedRevocationInfo { id, expiry });
    }
    let serial = serial
        .checked_add(1)
        .ok_or(CrlError::Invalid("crlSerial exhausted"))?;
    let mut contents = empty_contents(SCMS_SPCL_COMPONENT, root_id, now, next_crl, 0);
    if let CrlContentsTypeSpecific::FullHashCrl(h) = &mut contents.type_specific {
        h.crl_serial = serial;
        h.entries = entries;
    }
    secure(root, root_cert, &contents)
}

/// `crlSerial` of verified root CRL contents.
pub fn crl_serial(contents: &CrlContents) -> u32 {
    hash_part(contents).0
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use scms_core::profile::{template, CertKind, TemplateParams};
    use scms_core::signer::KeyPair;
    use scms_core::time::i_period_start;

    /// A root and a certificate of `kind` it issues.
    pub(crate) fn hierarchy(kinds: &[CertKind]) -> (KeyPair, Certificate, Vec<Certificate>) {
        let start = i_period_start(500).unwrap();
        let key = KeyPair::generate().unwrap();
        let tbs = template(
            CertKind::Root,
            &TemplateParams {
                name: Some("root.test".into()),
                start,
                verification_key: Some(*key.public_key()),
                ..TemplateParams::default()
            },
        )
        .unwrap();
        let root = scms_core::sign::issue_explicit(&key, tbs, None).unwrap();
        let issued = kinds
            .iter()
            .map(|k| {
                let sub = KeyPair::generate().unwrap();
                let tbs = template(
                    *k,
                    &TemplateParams {
                        name: Some(format!("{}.test", k.name())),
                        start,
                        craca_id: scms_core::issue::root_id3(&root),
                        verification_key: Some(*sub.public_key()),
                        ..TemplateParams::default()
                    },
                )
                .unwrap();
                scms_core::sign::issue_explicit(&key, tbs, Some(&root)).unwrap()
            })
            .collect();
        (key, root, issued)
    }

    #[test]
    fn root_crls_are_cumulative_and_checked() {
        let (key, root, issued) = hierarchy(&[CertKind::Crlg, CertKind::Pg, CertKind::Ica]);
        let now = i_period_start(501).unwrap();
        let first = build_root_crl(&key, &root, None, &issued[..1], now, now + 10).unwrap();
        let (r, c) = open_root_crl(&first, std::slice::from_ref(&root)).unwrap();
        assert_eq!(r, &root);
        assert_eq!(crl_serial(&c), 1);
        let second =
            build_root_crl(&key, &root, Some(&first), &issued[1..2], now + 5, now + 10).unwrap();
        let (_, c) = open_root_crl(&second, std::slice::from_ref(&root)).unwrap();
        assert_eq!(crl_serial(&c), 2);
        let ids: Vec<_> = hash_part(&c).1.iter().map(|e| e.id).collect();
        assert_eq!(
            ids,
            vec![certificate_id10(&issued[0]), certificate_id10(&issued[1])]
        );
        // An ICA is in series 2 (the CRLG's): refused.
        assert!(matches!(
            build_root_crl(&key, &root, None, &issued[2..], now, now + 10),
            Err(CrlError::Invalid(_))
        ));
        // Another root's CRL is not accepted as this root's.
        let (_, other, _) = hierarchy(&[]);
        assert!(open_root_crl(&first, std::slice::from_ref(&other)).is_err());
        assert!(build_root_crl(&key, &other, Some(&first), &[], now, now + 10).is_err());
        // A CRLG-style CRL of another series signed by the root is refused.
        let c2 = empty_contents(2, certificate_id8(&root), now, now + 1, 0);
        let wrong = secure(&key, &root, &c2).unwrap();
        assert!(matches!(
            open_root_crl(&wrong, std::slice::from_ref(&root)),
            Err(CrlError::Invalid(_))
        ));
    }
}
