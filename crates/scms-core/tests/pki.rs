//! The PKI rules end to end: a full SCMS hierarchy built in memory with checked issuance,
//! every certificate checked against its profile and validated up to the root, negative
//! cases for each issuance and chain check, and elector ballots.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use scms_asn1::camp::component_cert_management::{
    ElectorBallot, EndorsementType, TbsElectorEndorsement,
};
use scms_asn1::coer::OctetString;
use scms_asn1::ieee1609dot2::*;
use scms_asn1::Coer;
use scms_core::ballot::{self, BallotEffect, BallotError, EndorsementStatus};
use scms_core::chain::{validate_chain, ChainError};
use scms_core::hash::{certificate_id3, certificate_id8};
use scms_core::issue::{issue_explicit_checked, issue_implicit_checked, IssueError};
use scms_core::profile::{
    self, check_certificate, classify, psid, CertKind, ProfileError, TemplateParams,
};
use scms_core::sign;
use scms_core::signer::{KeyPair, Signer};
use scms_core::time::{self, time64_from_time32};
use scms_core::trust::TrustStore;
use scms_crypto::{default_backend, PrivateKey};

/// The time everything starts (2023-01-05).
const T0: Time32 = 600_000_000;
/// When the hierarchy is validated.
const NOW: Time32 = T0 + 10_000;

fn key() -> KeyPair {
    KeyPair::generate().unwrap()
}

fn params(name: &str, start: Time32, k: &KeyPair) -> TemplateParams {
    TemplateParams {
        name: Some(name.to_owned()),
        start,
        verification_key: Some(*k.public_key()),
        ..Default::default()
    }
}

struct Elector {
    key: KeyPair,
    cert: Certificate,
}

fn elector(n: usize, start: Time32, duration: Option<Duration>) -> Elector {
    let key = key();
    let mut p = params(&format!("elector{n}.test.v2xscms.com"), start, &key);
    p.duration = duration;
    let tbs = profile::template(CertKind::Elector, &p).unwrap();
    let cert = issue_explicit_checked(&key, None, CertKind::Elector, tbs).unwrap();
    Elector { key, cert }
}

fn endorsement(
    e: &Elector,
    kind: EndorsementType,
    cert: &Certificate,
) -> scms_asn1::camp::protocol::SignedElectorEndorsement {
    let tbs = TbsElectorEndorsement {
        r#type: kind,
        certificate: cert.clone(),
        effective_time: None,
    };
    ballot::endorse(&e.key, &e.cert, &tbs, time64_from_time32(T0 + 50)).unwrap()
}

fn vote(electors: &[&Elector], kind: EndorsementType, cert: &Certificate) -> ElectorBallot {
    ballot::ballot(
        electors
            .iter()
            .map(|e| endorsement(e, kind, cert))
            .collect(),
    )
}

struct Ca {
    key: KeyPair,
    cert: Certificate,
}

/// The whole hierarchy.
struct Pki {
    electors: Vec<Elector>,
    trust: TrustStore,
    root: Ca,
    ica: Ca,
    eca: Ca,
    pca: Ca,
    others: Vec<(CertKind, Certificate)>,
    enrollment: (Certificate, PrivateKey),
    pseudonym: (Certificate, PrivateKey),
}

impl Pki {
    fn intermediates(&self) -> Vec<Certificate> {
        vec![
            self.ica.cert.clone(),
            self.eca.cert.clone(),
            self.pca.cert.clone(),
        ]
    }

    fn craca(&self) -> HashedId3 {
        certificate_id3(&self.root.cert)
    }
}

fn explicit(
    kind: CertKind,
    name: &str,
    start: Time32,
    issuer: &Ca,
    craca: HashedId3,
    enc: bool,
    tweak: impl FnOnce(&mut TemplateParams),
) -> (Result<Certificate, IssueError>, KeyPair) {
    let k = key();
    let mut p = params(name, start, &k);
    p.craca_id = craca;
    if enc {
        p.encryption_key = Some(*key().public_key());
    }
    tweak(&mut p);
    let tbs = profile::template(kind, &p).unwrap();
    (
        issue_explicit_checked(&issuer.key, Some(&issuer.cert), kind, tbs),
        k,
    )
}

fn pseudonym_params(start: Time32, craca: HashedId3) -> TemplateParams {
    TemplateParams {
        start,
        craca_id: craca,
        linkage_data: Some(LinkageData {
            i_cert: 7,
            linkage_value: [0x11; 9],
            group_linkage_value: None,
        }),
        ..Default::default()
    }
}

/// Issues an implicit certificate of `kind` from `issuer` with params `p`.
fn implicit(
    kind: CertKind,
    issuer: &Ca,
    p: &TemplateParams,
) -> Result<(Certificate, PrivateKey), IssueError> {
    let be = default_backend();
    let k = PrivateKey::generate().unwrap();
    let r_point = k.public_key(be).unwrap();
    let tbs = profile::template(kind, p).unwrap();
    let (cert, r) = issue_implicit_checked(be, &issuer.key, &issuer.cert, kind, tbs, &r_point)?;
    let d = sign::reconstruct_private_key(&cert, &issuer.cert, &k, &r).unwrap();
    Ok((cert, d))
}

fn build() -> Pki {
    let be = default_backend();
    let electors: Vec<Elector> = (1..=3).map(|n| elector(n, T0, None)).collect();
    let mut trust = TrustStore::new(electors.iter().map(|e| e.cert.clone()).collect(), 2).unwrap();

    // Root: self-signed, then endorsed by a 2-elector addRoot ballot.
    let root_key = key();
    let tbs = profile::template(
        CertKind::Root,
        &params("rca.test.v2xscms.com", T0, &root_key),
    )
    .unwrap();
    let root_cert = issue_explicit_checked(&root_key, None, CertKind::Root, tbs).unwrap();
    let b = vote(
        &[&electors[0], &electors[1]],
        EndorsementType::AddRoot,
        &root_cert,
    );
    let b = ElectorBallot::from_coer(&b.to_coer()).unwrap();
    let effect = trust.apply_ballot(be, &b, T0 + 100).unwrap();
    assert_eq!(
        effect,
        BallotEffect::RootAdded {
            id: certificate_id8(&root_cert),
            changed: true
        }
    );
    assert!(trust.is_trusted_root(&root_cert));
    let root = Ca {
        key: root_key,
        cert: root_cert,
    };
    let craca = certificate_id3(&root.cert);

    let (ica, ica_key) = explicit(
        CertKind::Ica,
        "ica.test.v2xscms.com",
        T0 + 1_000,
        &root,
        craca,
        false,
        |_| {},
    );
    let ica = Ca {
        key: ica_key,
        cert: ica.unwrap(),
    };
    let (eca, eca_key) = explicit(
        CertKind::Eca,
        "eca.test.v2xscms.com",
        T0 + 2_000,
        &ica,
        craca,
        true,
        |_| {},
    );
    let eca = Ca {
        key: eca_key,
        cert: eca.unwrap(),
    };
    let (pca, pca_key) = explicit(
        CertKind::Pca,
        "pca.test.v2xscms.com",
        T0 + 2_000,
        &ica,
        craca,
        true,
        |_| {},
    );
    let pca = Ca {
        key: pca_key,
        cert: pca.unwrap(),
    };
    let mut others = Vec::new();
    for (kind, name, issuer, enc) in [
        (CertKind::Ra, "ra.test.v2xscms.com", &ica, true),
        (CertKind::La, "la1.test.v2xscms.com", &ica, false),
        (CertKind::Dcm, "dcm.test.v2xscms.com", &ica, true),
        (CertKind::Ma, "ma.test.v2xscms.com", &root, true),
        (CertKind::Crlg, "crlg.test.v2xscms.com", &root, false),
        (CertKind::Pg, "pg.test.v2xscms.com", &root, false),
    ] {
        let (c, _) = explicit(kind, name, T0 + 2_000, issuer, craca, enc, |p| {
            p.la_id = Some(1)
        });
        others.push((kind, c.unwrap_or_else(|e| panic!("{kind}: {e}"))));
    }
    let enrollment = implicit(
        CertKind::ObeEnrollment,
        &eca,
        &TemplateParams {
            start: T0 + 3_000,
            craca_id: craca,
            ..Default::default()
        },
    )
    .unwrap();
    let pseudonym = implicit(
        CertKind::ObePseudonym,
        &pca,
        &pseudonym_params(T0 + 3_000, craca),
    )
    .unwrap();
    Pki {
        electors,
        trust,
        root,
        ica,
        eca,
        pca,
        others,
        enrollment,
        pseudonym,
    }
}

#[test]
fn full_hierarchy_passes_profiles_and_chains() {
    let be = default_backend();
    let pki = build();
    let mut all: Vec<(CertKind, &Certificate)> = vec![
        (CertKind::Root, &pki.root.cert),
        (CertKind::Ica, &pki.ica.cert),
        (CertKind::Eca, &pki.eca.cert),
        (CertKind::Pca, &pki.pca.cert),
        (CertKind::ObeEnrollment, &pki.enrollment.0),
        (CertKind::ObePseudonym, &pki.pseudonym.0),
    ];
    all.extend(pki.others.iter().map(|(k, c)| (*k, c)));
    for e in &pki.electors {
        check_certificate(CertKind::Elector, &e.cert).unwrap();
        assert_eq!(classify(&e.cert), Some(CertKind::Elector));
    }
    let inter = pki.intermediates();
    for (kind, cert) in all {
        check_certificate(kind, cert).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(classify(cert), Some(kind));
        let round = Certificate::from_coer(&cert.to_coer()).unwrap();
        assert_eq!(&round, cert);
        let chain = validate_chain(be, cert, &inter, &pki.trust, NOW)
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(chain.leaf_kind, Some(kind));
        assert_eq!(chain.root(), Some(&pki.root.cert));
    }
    // Implicit certificates: the chain's reconstructed key is the holder's key.
    for (cert, d) in [&pki.enrollment, &pki.pseudonym] {
        let chain = validate_chain(be, cert, &inter, &pki.trust, NOW).unwrap();
        assert_eq!(chain.leaf_key, d.public_key(be).unwrap());
        assert_eq!(chain.path.len(), 4);
    }
    // Profile details worth pinning.
    let crlg = &pki
        .others
        .iter()
        .find(|(k, _)| *k == CertKind::Crlg)
        .unwrap()
        .1;
    let perms = crlg.to_be_signed.app_permissions.as_ref().unwrap();
    assert_eq!(perms[1].psid, Psid::new(psid::CRL));
    let Some(ServiceSpecificPermissions::Opaque(o)) = &perms[1].ssp else {
        panic!("CRL SSP")
    };
    let ssp = CrlSsp::from_coer(o.as_bytes()).unwrap();
    assert_eq!(ssp.associated_craca, CracaType::IssuerIsCraca);
    assert_eq!(ssp.crls, vec![4, 3, 1, 2]);
    assert_eq!(
        pki.root
            .cert
            .to_be_signed
            .cert_issue_permissions
            .as_ref()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(pki.pseudonym.0.to_be_signed.crl_series, 1);
    assert_eq!(
        pki.pseudonym.0.to_be_signed.validity_period.duration,
        Duration::Hours(169)
    );
}

#[test]
fn template_refuses_missing_parameters_and_check_catches_deviations() {
    let k = key();
    assert!(matches!(
        profile::template(CertKind::Ra, &params("ra.example", T0, &k)),
        Err(ProfileError::MissingParameter {
            what: "encryption_key",
            ..
        })
    ));
    assert!(matches!(
        profile::template(CertKind::La, &params("la.example", T0, &k)),
        Err(ProfileError::MissingParameter { what: "la_id", .. })
    ));
    let mut t = profile::template(CertKind::Pg, &params("pg.example", T0, &k)).unwrap();
    t.crl_series = 2;
    assert!(matches!(
        profile::check(CertKind::Pg, &t),
        Err(ProfileError::CrlSeries {
            expected: 256,
            found: 2,
            ..
        })
    ));
    let mut t = profile::template(CertKind::Pg, &params("pg.example", T0, &k)).unwrap();
    t.region = Some(profile::usa());
    assert!(matches!(
        profile::check(CertKind::Pg, &t),
        Err(ProfileError::Region { .. })
    ));
    let mut t = profile::template(CertKind::Pg, &params("pg.example", T0, &k)).unwrap();
    t.validity_period.duration = Duration::Years(5);
    assert!(matches!(
        profile::check(CertKind::Pg, &t),
        Err(ProfileError::Duration { .. })
    ));
    let mut t = profile::template(CertKind::Pg, &params("pg.example", T0, &k)).unwrap();
    t.encryption_key = Some(scms_core::convert::public_encryption_key(k.public_key()));
    assert!(matches!(
        profile::check(CertKind::Pg, &t),
        Err(ProfileError::EncryptionKey { present: false, .. })
    ));
    // A PG certificate is not an ECA certificate.
    let t = profile::template(CertKind::Pg, &params("pg.example", T0, &k)).unwrap();
    assert!(profile::check(CertKind::Eca, &t).is_err());
}

#[test]
fn issuance_checks() {
    let pki = build();
    let craca = pki.craca();
    let pseudo = |tweak: &dyn Fn(&mut TemplateParams)| {
        let mut p = pseudonym_params(T0 + 3_000, craca);
        tweak(&mut p);
        implicit(CertKind::ObePseudonym, &pki.pca, &p).map(|_| ())
    };
    // Validity outside the issuer's: starts before the PCA.
    assert_eq!(
        pseudo(&|p| p.start = T0 + 1_999),
        Err(IssueError::ValidityOutsideIssuer)
    );
    // ... or ends after it (PCA: 4 years from T0 + 2000).
    assert_eq!(
        pseudo(&|p| p.start = T0 + 2_000 + 4 * 31_556_952 - 100),
        Err(IssueError::ValidityOutsideIssuer)
    );
    // A PSID the PCA may not grant (probe data 0x84).
    assert_eq!(
        pseudo(&|p| p.app_permissions = Some(vec![PsidSsp {
            psid: Psid::new(0x84),
            ssp: None
        }])),
        Err(IssueError::PermissionNotGranted { psid: 0x84 })
    );
    // An SSP outside the PCA's range for 0x82.
    assert_eq!(
        pseudo(&|p| {
            p.app_permissions = Some(vec![PsidSsp {
                psid: Psid::new(psid::INTERSECTION_SAFETY),
                ssp: Some(ServiceSpecificPermissions::Opaque(OctetString(vec![0x12]))),
            }])
        }),
        Err(IssueError::SspNotGranted { psid: 0x82 })
    );
    // ... and one inside it.
    assert_eq!(
        pseudo(&|p| {
            p.app_permissions = Some(vec![PsidSsp {
                psid: Psid::new(psid::INTERSECTION_SAFETY),
                ssp: Some(ServiceSpecificPermissions::Opaque(OctetString(vec![
                    0x90, 0x01,
                ]))),
            }])
        }),
        Ok(())
    );
    // Region outside the PCA's (USA).
    assert_eq!(
        pseudo(&|p| {
            p.region = Some(GeographicRegion::IdentifiedRegion(vec![
                IdentifiedRegion::CountryOnly(profile::country::CANADA),
            ]))
        }),
        Err(IssueError::RegionOutsideIssuer)
    );
    // Non-identified regions are refused by the profile.
    let mut p = pseudonym_params(T0 + 3_000, craca);
    p.region = Some(GeographicRegion::CircularRegion(CircularRegion {
        center: TwoDLocation {
            latitude: NinetyDegreeInt(0),
            longitude: OneEightyDegreeInt(0),
        },
        radius: 10,
    }));
    assert!(matches!(
        profile::template(CertKind::ObePseudonym, &p),
        Err(ProfileError::Region { .. })
    ));
    // Wrong cracaId.
    assert_eq!(
        pseudo(&|p| p.craca_id = [1, 2, 3]),
        Err(IssueError::CracaId)
    );
    // Wrong issuer kind: an ECA does not issue pseudonyms, a Root does not issue ECAs.
    assert_eq!(
        implicit(
            CertKind::ObePseudonym,
            &pki.eca,
            &pseudonym_params(T0 + 3_000, craca)
        )
        .map(|_| ()),
        Err(IssueError::IssuerKind {
            issuer: Some(CertKind::Eca),
            subject: CertKind::ObePseudonym
        })
    );
    let (r, _) = explicit(
        CertKind::Eca,
        "eca2.example",
        T0 + 2_000,
        &pki.root,
        craca,
        true,
        |_| {},
    );
    assert_eq!(
        r,
        Err(IssueError::IssuerKind {
            issuer: Some(CertKind::Root),
            subject: CertKind::Eca
        })
    );
    // Chain depth: the PoC ICA profile (all, depth 2) cannot certify a sub-ICA with the
    // same profile (its chains would be 3 deep below the issuing ICA).
    let (r, _) = explicit(
        CertKind::Ica,
        "ica2.example",
        T0 + 2_000,
        &pki.ica,
        craca,
        false,
        |p| p.duration = Some(Duration::Years(40)),
    );
    assert_eq!(r, Err(IssueError::ChainDepth { psid: u64::MAX }));
    // A PCA cannot certify a CA below it (check on the permission rules directly).
    let sub = profile::template(CertKind::Pca, &{
        let k = key();
        let mut p = params("pca2.example", T0 + 3_000, &k);
        p.encryption_key = Some(*k.public_key());
        p
    })
    .unwrap();
    assert_eq!(
        scms_core::issue::check_permissions(&pki.pca.cert.to_be_signed, &sub),
        Err(IssueError::PermissionNotGranted {
            psid: psid::SECURITY_MGMT
        })
    );
    let mut sub2 = sub.clone();
    sub2.app_permissions = None;
    assert_eq!(
        scms_core::issue::check_permissions(&pki.pca.cert.to_be_signed, &sub2),
        Err(IssueError::ChainDepth { psid: psid::BSM })
    );
    // An end entity cannot issue at all.
    assert_eq!(
        scms_core::issue::check_permissions(&pki.pseudonym.0.to_be_signed, &sub2),
        Err(IssueError::IssuerCannotIssue)
    );
    // The signer must hold the issuer's key.
    let k = key();
    let mut p = params("la2.example", T0 + 2_000, &k);
    p.craca_id = craca;
    p.la_id = Some(2);
    let tbs = profile::template(CertKind::La, &p).unwrap();
    assert_eq!(
        issue_explicit_checked(&pki.eca.key, Some(&pki.ica.cert), CertKind::La, tbs.clone()),
        Err(IssueError::KeyMismatch)
    );
    // The profile is checked before signing.
    let mut bad = tbs.clone();
    bad.crl_series = 9;
    assert!(matches!(
        issue_explicit_checked(&pki.ica.key, Some(&pki.ica.cert), CertKind::La, bad),
        Err(IssueError::Profile(ProfileError::CrlSeries { .. }))
    ));
    // Explicit vs implicit entry points.
    assert_eq!(
        issue_explicit_checked(
            &pki.pca.key,
            Some(&pki.pca.cert),
            CertKind::ObePseudonym,
            tbs
        ),
        Err(IssueError::WrongIssuanceType(CertKind::ObePseudonym))
    );
}

#[test]
fn chain_failures() {
    let be = default_backend();
    let pki = build();
    let inter = pki.intermediates();
    // Tampered ICA signature.
    let mut bad_ica = pki.ica.cert.clone();
    if let Some(Signature::EcdsaNistP256Signature(s)) = &mut bad_ica.signature {
        s.s[31] ^= 1;
    }
    assert!(matches!(
        validate_chain(be, &bad_ica, &inter, &pki.trust, NOW),
        Err(ChainError::Signature { at: 0, .. })
    ));
    // Below it, the tampered ICA is another certificate: the PCA's issuer is missing.
    let tampered = vec![bad_ica, pki.eca.cert.clone(), pki.pca.cert.clone()];
    assert!(matches!(
        validate_chain(be, &pki.pseudonym.0, &tampered, &pki.trust, NOW),
        Err(ChainError::IssuerNotFound { at: 1, .. })
    ));
    // Tampered leaf tbs (explicit).
    let mut bad_pca = pki.pca.cert.clone();
    bad_pca.to_be_signed.validity_period.start += 1;
    assert!(matches!(
        validate_chain(be, &bad_pca, &inter, &pki.trust, NOW),
        Err(ChainError::Signature { at: 0, .. })
    ));
    // Expired pseudonym (169 hours after T0 + 3000), and not yet valid.
    let after = T0 + 3_000 + 169 * 3_600;
    assert_eq!(
        validate_chain(be, &pki.pseudonym.0, &inter, &pki.trust, after).map(|_| ()),
        Err(ChainError::OutsideValidity { at: 0 })
    );
    assert!(validate_chain(be, &pki.pseudonym.0, &inter, &pki.trust, after - 1).is_ok());
    assert_eq!(
        validate_chain(be, &pki.pseudonym.0, &inter, &pki.trust, T0 + 2_500).map(|_| ()),
        Err(ChainError::OutsideValidity { at: 0 })
    );
    // Revoked PCA: its pseudonyms fail; revoked leaf fails.
    let mut trust = pki.trust.clone();
    trust.revoke(&pki.pca.cert);
    assert_eq!(
        validate_chain(be, &pki.pseudonym.0, &inter, &trust, NOW).map(|_| ()),
        Err(ChainError::Revoked { at: 1 })
    );
    assert!(validate_chain(be, &pki.enrollment.0, &inter, &trust, NOW).is_ok());
    let mut trust = pki.trust.clone();
    trust.revoke_id8(certificate_id8(&pki.enrollment.0));
    assert_eq!(
        validate_chain(be, &pki.enrollment.0, &inter, &trust, NOW).map(|_| ()),
        Err(ChainError::Revoked { at: 0 })
    );
    // Missing intermediate, untrusted root.
    assert!(matches!(
        validate_chain(
            be,
            &pki.pseudonym.0,
            std::slice::from_ref(&pki.pca.cert),
            &pki.trust,
            NOW
        ),
        Err(ChainError::IssuerNotFound { at: 1, .. })
    ));
    let empty = TrustStore::new(vec![pki.electors[0].cert.clone()], 1).unwrap();
    assert_eq!(
        validate_chain(
            be,
            &pki.pseudonym.0,
            &[
                pki.root.cert.clone(),
                pki.ica.cert.clone(),
                pki.pca.cert.clone()
            ],
            &empty,
            NOW
        )
        .map(|_| ()),
        Err(ChainError::UntrustedRoot)
    );
    assert_eq!(
        validate_chain(be, &pki.root.cert, &[], &empty, NOW).map(|_| ()),
        Err(ChainError::UntrustedRoot)
    );
    // A certificate issued outside the profile rules (unchecked issuance) is caught by the
    // chain: a pseudonym from the ECA.
    let k = PrivateKey::generate().unwrap();
    let tbs = profile::template(
        CertKind::ObePseudonym,
        &pseudonym_params(T0 + 3_000, pki.craca()),
    )
    .unwrap();
    let (rogue, _) = sign::issue_implicit(
        be,
        &pki.eca.key,
        &pki.eca.cert,
        tbs,
        &k.public_key(be).unwrap(),
    )
    .unwrap();
    assert!(matches!(
        validate_chain(be, &rogue, &inter, &pki.trust, NOW),
        Err(ChainError::Issuer {
            at: 0,
            source: IssueError::IssuerKind { .. }
        })
    ));
    // Removing the root by ballot distrusts every chain.
    let mut trust = pki.trust.clone();
    let b = vote(
        &[&pki.electors[1], &pki.electors[2]],
        EndorsementType::RemoveRoot,
        &pki.root.cert,
    );
    assert_eq!(
        trust.apply_ballot(be, &b, NOW).unwrap(),
        BallotEffect::RootRemoved {
            id: certificate_id8(&pki.root.cert),
            changed: true
        }
    );
    assert!(trust.roots().is_empty());
    assert_eq!(
        validate_chain(
            be,
            &pki.pseudonym.0,
            &[
                pki.root.cert.clone(),
                pki.ica.cert.clone(),
                pki.pca.cert.clone()
            ],
            &trust,
            NOW
        )
        .map(|_| ()),
        Err(ChainError::UntrustedRoot)
    );
    // ... and it cannot come back.
    let b = vote(
        &[&pki.electors[0], &pki.electors[1]],
        EndorsementType::AddRoot,
        &pki.root.cert,
    );
    assert_eq!(
        trust.apply_ballot(be, &b, NOW),
        Err(BallotError::PreviouslyRemoved)
    );
}

fn new_root() -> Certificate {
    let k = key();
    let tbs = profile::template(CertKind::Root, &params("rca2.test.v2xscms.com", T0, &k)).unwrap();
    issue_explicit_checked(&k, None, CertKind::Root, tbs).unwrap()
}

#[test]
fn ballots() {
    let be = default_backend();
    let pki = build();
    let [e1, e2, e3] = [&pki.electors[0], &pki.electors[1], &pki.electors[2]];
    let root2 = new_root();
    let id2 = certificate_id8(&root2);

    // One elector only: refused.
    let mut trust = pki.trust.clone();
    let b = vote(&[e1], EndorsementType::AddRoot, &root2);
    assert_eq!(
        trust.apply_ballot(be, &b, NOW),
        Err(BallotError::QuorumNotReached {
            valid: 1,
            quorum: 2
        })
    );
    // The same elector twice: counted once.
    let b = vote(&[e1, e1], EndorsementType::AddRoot, &root2);
    assert_eq!(
        trust.apply_ballot(be, &b, NOW),
        Err(BallotError::QuorumNotReached {
            valid: 1,
            quorum: 2
        })
    );
    let report = ballot::verify_ballot(be, &b, &trust, NOW);
    assert_eq!(report.endorsements[1].status, EndorsementStatus::Duplicate);
    // Mismatched statements.
    let b = ballot::ballot(vec![
        endorsement(e1, EndorsementType::AddRoot, &root2),
        endorsement(e2, EndorsementType::AddRoot, &pki.root.cert),
    ]);
    assert_eq!(trust.apply_ballot(be, &b, NOW), Err(BallotError::Mismatch));
    let b = ballot::ballot(vec![
        endorsement(e1, EndorsementType::AddRoot, &root2),
        endorsement(e2, EndorsementType::RemoveRoot, &root2),
    ]);
    assert_eq!(trust.apply_ballot(be, &b, NOW), Err(BallotError::Mismatch));
    // A forged signature does not count.
    let mut forged = endorsement(e2, EndorsementType::AddRoot, &root2);
    if let Ieee1609Dot2Content::SignedData(sd) = &mut forged.content {
        if let Signature::EcdsaNistP256Signature(s) = &mut sd.signature {
            s.s[0] ^= 1;
        }
    }
    let b = ballot::ballot(vec![
        endorsement(e1, EndorsementType::AddRoot, &root2),
        forged,
    ]);
    assert_eq!(
        trust.apply_ballot(be, &b, NOW),
        Err(BallotError::QuorumNotReached {
            valid: 1,
            quorum: 2
        })
    );
    assert_eq!(
        ballot::verify_ballot(be, &b, &trust, NOW).endorsements[1].status,
        EndorsementStatus::BadSignature
    );
    // A revoked elector's endorsement does not count.
    let mut revoked = trust.clone();
    revoked.revoke(&e2.cert);
    let b = vote(&[e1, e2], EndorsementType::AddRoot, &root2);
    assert_eq!(
        revoked.apply_ballot(be, &b, NOW),
        Err(BallotError::QuorumNotReached {
            valid: 1,
            quorum: 2
        })
    );
    assert_eq!(
        ballot::verify_ballot(be, &b, &revoked, NOW).endorsements[1].status,
        EndorsementStatus::RemovedElector
    );
    // Two valid electors: applied.
    assert_eq!(
        trust.apply_ballot(be, &b, NOW),
        Ok(BallotEffect::RootAdded {
            id: id2,
            changed: true
        })
    );
    assert!(trust.is_trusted_root(&root2));
    assert_eq!(trust.roots().len(), 2);

    // removeElector e3, then e3's votes no longer count.
    let b = vote(&[e1, e2], EndorsementType::RemoveElector, &e3.cert);
    assert_eq!(
        trust.apply_ballot(be, &b, NOW),
        Ok(BallotEffect::ElectorRemoved {
            id: certificate_id8(&e3.cert),
            changed: true
        })
    );
    assert_eq!(trust.electors().len(), 2);
    let b = vote(&[e1, e3], EndorsementType::RemoveRoot, &root2);
    assert_eq!(
        trust.apply_ballot(be, &b, NOW),
        Err(BallotError::QuorumNotReached {
            valid: 1,
            quorum: 2
        })
    );
    assert_eq!(
        ballot::verify_ballot(be, &b, &trust, NOW).endorsements[1].status,
        EndorsementStatus::RemovedElector
    );

    // addElector: the new elector's own endorsement does not count; two others do.
    let e4 = elector(4, T0, None);
    let b = vote(&[e1, &e4], EndorsementType::AddElector, &e4.cert);
    assert_eq!(
        trust.apply_ballot(be, &b, NOW),
        Err(BallotError::QuorumNotReached {
            valid: 1,
            quorum: 2
        })
    );
    assert_eq!(
        ballot::verify_ballot(be, &b, &trust, NOW).endorsements[1].status,
        EndorsementStatus::SelfEndorsement
    );
    let b = vote(&[e1, e2], EndorsementType::AddElector, &e4.cert);
    assert_eq!(
        trust.apply_ballot(be, &b, NOW),
        Ok(BallotEffect::ElectorAdded {
            id: certificate_id8(&e4.cert),
            changed: true
        })
    );
    // The new elector now votes (SCMS-1414: it endorses current roots).
    let b = vote(&[e1, &e4], EndorsementType::RemoveRoot, &root2);
    assert!(matches!(
        trust.apply_ballot(be, &b, NOW),
        Ok(BallotEffect::RootRemoved { changed: true, .. })
    ));
    assert!(!trust.is_trusted_root(&root2));

    // An expired elector does not count (endorsers must be unexpired when processed).
    let short = elector(5, T0, Some(Duration::Hours(1)));
    let mut trust = TrustStore::new(vec![e1.cert.clone(), short.cert.clone()], 2).unwrap();
    let b = vote(&[e1, &short], EndorsementType::AddRoot, &root2);
    assert!(trust.clone().apply_ballot(be, &b, T0 + 200).is_ok());
    assert_eq!(
        trust.apply_ballot(be, &b, T0 + 7_200),
        Err(BallotError::QuorumNotReached {
            valid: 1,
            quorum: 2
        })
    );
    // An unknown signer and an empty ballot.
    let stranger = elector(6, T0, None);
    let b = vote(&[e1, &stranger], EndorsementType::AddRoot, &root2);
    assert_eq!(
        ballot::verify_ballot(be, &b, &trust, NOW).endorsements[1].status,
        EndorsementStatus::UnknownElector
    );
    assert_eq!(
        trust.apply_ballot(be, &ballot::ballot(vec![]), NOW),
        Err(BallotError::Empty)
    );
    // The endorsed root must be a valid self-signed root certificate.
    let mut bad_root = root2.clone();
    bad_root.to_be_signed.validity_period.start += 1;
    let b = vote(&[e1, &short], EndorsementType::AddRoot, &bad_root);
    assert!(matches!(
        trust.apply_ballot(be, &b, T0 + 200),
        Err(BallotError::SelfSignature(_))
    ));
    let b = vote(&[e1, &short], EndorsementType::AddRoot, &pki.ica.cert);
    assert!(matches!(
        trust.apply_ballot(be, &b, T0 + 200),
        Err(BallotError::Profile(_))
    ));
}

#[test]
fn endorsement_encoding() {
    let pki = build();
    let e = endorsement(&pki.electors[0], EndorsementType::AddRoot, &pki.root.cert);
    let (sd, tbs) = ballot::open_endorsement(0, &e).unwrap();
    assert_eq!(sd.tbs_data.header_info.psid, Psid::new(psid::SECURITY_MGMT));
    assert_eq!(
        sd.signer,
        SignerIdentifier::Digest(certificate_id8(&pki.electors[0].cert))
    );
    assert_eq!(tbs.certificate, pki.root.cert);
    // The payload is the COER of ScmsPDU { version 1, ccm : tbsElectorEndorsement }.
    let Some(data) = &sd.tbs_data.payload.data else {
        panic!()
    };
    let Ieee1609Dot2Content::UnsecuredData(bytes) = &data.content else {
        panic!()
    };
    assert_eq!(bytes.as_bytes()[0], 1);
    // i-period helpers agree with the pseudonym start convention.
    let i = time::i_period(NOW).unwrap();
    assert!(time::i_period_start(i).unwrap() <= NOW);
}
