//! Revocation and root management on the device, on real `scms init` hierarchies: electors
//! from the DCM's zip, removeElector / removeRoot ballots in the composite CRL, addElector /
//! addRoot ballots in the LCCF (persisted across restarts), root-signed CRLs revoking the
//! CRLG, revoked components invalidating everything under them, and a device that stops
//! signing with (and talking to the RA about) what is revoked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod provision_common;

use std::io::Write;
use std::sync::Arc;

use provision_common::{env, in_process, Env, T0};
use scms_asn1::camp::cert_chain_files::CertificateChainFiles;
use scms_asn1::camp::component_cert_management::{
    CompositeCrl, ElectorBallot, EndorsementType, TbsElectorEndorsement,
};
use scms_asn1::camp::protocol::{ScmsFile, ScmsFileContent};
use scms_asn1::ieee1609dot2::{
    Certificate, CrlContents, CrlContentsTypeSpecific, CrlSeries, HashBasedRevocationInfo,
    HashedId10, IMaxGroup, IndividualRevocation, JMaxGroup, LAGroup, LinkageData, Psid, PsidSsp,
    SecuredCrl, ServiceSpecificPermissions, Time32, ToBeSignedHashIdCrl, ToBeSignedLinkageValueCrl,
};
use scms_asn1::Coer;
use scms_ca::Layout;
use scms_core::ballot::{self, BallotEffect, BallotError};
use scms_core::chain::ChainError;
use scms_core::hash::{certificate_id10, certificate_id8};
use scms_core::issue::{issue_implicit_checked, root_id3};
use scms_core::profile::{template, CertKind, TemplateParams};
use scms_core::sign::reconstruct_private_key;
use scms_core::signer::{KeyPair, Signer};
use scms_core::time::{i_period, i_period_start, time64_from_time32, ManualClock};
use scms_crypto::default_backend;
use scms_crypto::linkage::{advance_seed, linkage_value_from_seeds, LinkageSeed};
use scms_ee::certstore::{CertStore, Guard, Stored};
use scms_ee::client::Client;
use scms_ee::crl::{verify_composite, CrlCheckError};
use scms_ee::device::DeviceDir;
use scms_ee::messages::{MessageError, MessageSigner, Verifier, PSID_BSM, PSID_SPAT};
use scms_ee::provision::{Device, ProvisionError, RequestKind};
use scms_ee::trust_state::{BallotResult, BallotSource};
use scms_store::keystore::Keystore;

/// The test time: inside the hierarchy's first i-period.
const NOW: Time32 = T0 + 120;

fn cert_of(layout: &Layout, name: &str) -> Certificate {
    Certificate::from_coer(&std::fs::read(layout.cert(name)).unwrap()).unwrap()
}

fn key_of(layout: &Layout, name: &str) -> KeyPair {
    Keystore::open(&layout.keys(), None)
        .unwrap()
        .load_key_pair(name)
        .unwrap()
}

/// A ballot of `kind` on `subject`, endorsed by electors `which` (1-based) of `env`.
fn ballot_by(
    env: &Env,
    which: &[u8],
    kind: EndorsementType,
    subject: &Certificate,
) -> ElectorBallot {
    let t64 = time64_from_time32(NOW - 10);
    let tbs = TbsElectorEndorsement {
        r#type: kind,
        certificate: subject.clone(),
        effective_time: Some(t64),
    };
    ballot::ballot(
        which
            .iter()
            .map(|k| {
                let name = format!("elector-{k}");
                ballot::endorse(&key_of(&env.layout, &name), &env.cert(&name), &tbs, t64).unwrap()
            })
            .collect(),
    )
}

/// An elector certificate outside the ceremony (elector "D"), with its key.
fn new_elector() -> (Certificate, KeyPair) {
    let key = KeyPair::generate().unwrap();
    let p = TemplateParams {
        name: Some("elector-d.example.com".into()),
        start: NOW - 3600,
        verification_key: Some(*key.public_key()),
        ..TemplateParams::default()
    };
    let tbs = template(CertKind::Elector, &p).unwrap();
    let cert =
        scms_core::issue::issue_explicit_checked(&key, None, CertKind::Elector, tbs).unwrap();
    (cert, key)
}

fn crl_contents(
    series: CrlSeries,
    root: &Certificate,
    now: Time32,
    entries: &[HashedId10],
) -> CrlContents {
    let i = i_period(now).unwrap() as u16;
    let mut c = scms_crl::empty_contents(series, certificate_id8(root), now, now + 86_400, i);
    if !entries.is_empty() {
        c.type_specific = CrlContentsTypeSpecific::FullHashCrl(ToBeSignedHashIdCrl {
            crl_serial: 1,
            entries: entries
                .iter()
                .map(|id| HashBasedRevocationInfo {
                    id: *id,
                    expiry: now + 365 * 86_400,
                })
                .collect(),
        });
    }
    c
}

/// The CRLG-signed CRLs of series 4, 3, 1, 2 with `hashes` (series, id) and `linkage`.
fn crlg_crls(
    env: &Env,
    hashes: &[(CrlSeries, HashedId10)],
    linkage: Option<ToBeSignedLinkageValueCrl>,
) -> Vec<SecuredCrl> {
    let (crlg, key, root) = (
        env.cert("crlg"),
        key_of(&env.layout, "crlg"),
        env.cert("root"),
    );
    [4u16, 3, 1, 2]
        .iter()
        .map(|s| {
            let ids: Vec<HashedId10> = hashes
                .iter()
                .filter(|(series, _)| series == s)
                .map(|(_, id)| *id)
                .collect();
            let mut c = crl_contents(*s, &root, NOW, &ids);
            if *s == 1 {
                if let Some(l) = linkage.clone() {
                    c.type_specific = CrlContentsTypeSpecific::FullLinkedCrl(l);
                }
            }
            scms_crl::secure(&key, &crlg, &c).unwrap()
        })
        .collect()
}

/// A series-256 CRL signed by the root of `env`, revoking `ids`.
fn root_crl(env: &Env, ids: &[HashedId10]) -> SecuredCrl {
    let root = env.cert("root");
    scms_crl::secure(
        &key_of(&env.layout, "root"),
        &root,
        &crl_contents(256, &root, NOW, ids),
    )
    .unwrap()
}

fn composite(
    crls: Vec<SecuredCrl>,
    removed_roots: Vec<ElectorBallot>,
    removed_electors: Vec<ElectorBallot>,
) -> Vec<u8> {
    CompositeCrl {
        secured_crl_series: crls,
        revoked_root_cas: removed_roots,
        revoked_electors: removed_electors,
    }
    .to_coer()
}

/// `env`'s LCCF with `roots` / `electors` ballots appended and `extra` certificates.
fn lccf_with(
    env: &Env,
    roots: Vec<ElectorBallot>,
    electors: Vec<ElectorBallot>,
    extra: Vec<Certificate>,
) -> Vec<u8> {
    let mut f = ScmsFile::from_coer(&std::fs::read(env.layout.file("LCCF.oer")).unwrap()).unwrap();
    let ScmsFileContent::CertChain(CertificateChainFiles::LocalCertificateChainFile(l)) =
        &mut f.content
    else {
        panic!("not an LCCF")
    };
    l.required_cert_store.root_ca_endorsements.extend(roots);
    l.required_cert_store.elector_endorsements.extend(electors);
    l.optional_cert_list.extend(extra);
    f.to_coer()
}

/// An implicit certificate of `kind` issued by `layout`'s PCA, with its key.
fn issue_by_pca(layout: &Layout, kind: CertKind, mut p: TemplateParams) -> Stored {
    let pca = cert_of(layout, "pca");
    let pca_key = key_of(layout, "pca");
    let k = KeyPair::generate().unwrap();
    p.craca_id = root_id3(&pca);
    let tbs = template(kind, &p).unwrap();
    let (cert, r) =
        issue_implicit_checked(default_backend(), &pca_key, &pca, kind, tbs, k.public_key())
            .unwrap();
    let d = reconstruct_private_key(&cert, &pca, k.private(), &r).unwrap();
    Stored {
        cert,
        key: KeyPair::from_private(d).unwrap(),
    }
}

/// An RSE application certificate (SPaT) of `layout`'s PCA, valid around `NOW`.
fn app_cert(layout: &Layout) -> Stored {
    issue_by_pca(
        layout,
        CertKind::RseApplication,
        TemplateParams {
            start: NOW - 60,
            binary_id: Some([7; 8]),
            app_permissions: Some(vec![PsidSsp {
                psid: Psid::new(PSID_SPAT),
                ssp: Some(ServiceSpecificPermissions::Opaque(
                    scms_asn1::coer::OctetString(vec![0x90, 0x01]),
                )),
            }]),
            ..TemplateParams::default()
        },
    )
}

const LA1: u16 = 0x1111;
const LA2: u16 = 0x2222;
const J_MAX: u8 = 4;

/// The device's pseudonyms of period `i` (j < J_MAX), linked by the seeds `s1`, `s2`
/// (at period 0) as the LAs and the PCA would make them.
fn pseudonyms(layout: &Layout, i: u32, s1: &LinkageSeed, s2: &LinkageSeed) -> Vec<Stored> {
    (0..u32::from(J_MAX))
        .map(|j| {
            let lv = linkage_value_from_seeds(
                (LA1, &advance_seed(LA1, s1, i)),
                (LA2, &advance_seed(LA2, s2, i)),
                j,
            );
            issue_by_pca(
                layout,
                CertKind::ObePseudonym,
                TemplateParams {
                    start: i_period_start(i).unwrap(),
                    linkage_data: Some(LinkageData {
                        i_cert: i as u16,
                        linkage_value: lv,
                        group_linkage_value: None,
                    }),
                    ..TemplateParams::default()
                },
            )
        })
        .collect()
}

/// The linkage CRL revoking the chain of `s1`, `s2` from period `i` on.
fn linkage_crl(i: u32, s1: &LinkageSeed, s2: &LinkageSeed) -> ToBeSignedLinkageValueCrl {
    ToBeSignedLinkageValueCrl {
        i_value: i as u16,
        index_within_i: 0,
        individual: Some(vec![JMaxGroup {
            jmax: J_MAX,
            contents: vec![LAGroup {
                la1_id: LA1.to_be_bytes(),
                la2_id: LA2.to_be_bytes(),
                contents: vec![IMaxGroup {
                    i_max: (i + 10) as u16,
                    contents: vec![IndividualRevocation {
                        linkage_seed1: *advance_seed(LA1, s1, i).expose(),
                        linkage_seed2: *advance_seed(LA2, s2, i).expose(),
                    }],
                }],
            }],
        }]),
        groups: None,
    }
}

fn sign(s: &Stored, psid: u64, now: Time32) -> Vec<u8> {
    MessageSigner::new()
        .sign(
            &s.cert,
            &s.key,
            psid,
            b"payload",
            time64_from_time32(now),
            true,
        )
        .unwrap()
        .to_coer()
}

fn verifier_of(d: &Device) -> Verifier {
    Verifier::new(d.trust.clone(), d.intermediates.clone())
}

fn reopen(d: &Device) -> Device {
    let dir = DeviceDir::new(d.dir.path());
    Device::open(&dir, Keystore::open(&dir.keys_dir(), None).unwrap()).unwrap()
}

fn effects(outcomes: &[scms_ee::trust_state::BallotOutcome]) -> Vec<BallotResult> {
    outcomes.iter().map(|o| o.result.clone()).collect()
}

/// Bootstraps a fresh OBE from a DCM zip made of `files`.
fn bootstrap_with(
    env: &Env,
    files: &scms_dcm::BootstrapFiles,
) -> Result<scms_ee::DeviceTrust, scms_ee::BootstrapError> {
    let mut params = scms_ee::enrollment::CsrParams::new(scms_ee::DeviceKind::Obe);
    params.regions = vec![840];
    let csr = scms_ee::keygen(&params, NOW).unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file(
        csr.file_name.as_str(),
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    w.write_all(&csr.request).unwrap();
    let requests = w.finish().unwrap().into_inner();
    let (zip, report) = scms_dcm::enroll(
        &mut env.eca.lock().unwrap(),
        files,
        &requests,
        NOW,
        &scms_dcm::Limits::default(),
        None,
    )
    .unwrap();
    assert_eq!(report.accepted(), 1, "{report:?}");
    let pending = scms_ee::PendingRequest {
        kind: scms_ee::DeviceKind::Obe,
        request: &csr.request,
        key: &csr.key,
    };
    scms_ee::bootstrap(
        &zip,
        csr.file_name.strip_suffix(".oer").unwrap(),
        &pending,
        NOW,
    )
}

#[test]
fn electors_travel_from_the_dcm_zip_into_the_device_trust_store() {
    let env = env();
    let files = scms_dcm::BootstrapFiles::load(env.layout.root()).unwrap();
    assert_eq!(files.electors.len(), 3);
    assert_eq!(files.quorum, Some(2), "the quorum of scms.toml");
    let trust = bootstrap_with(&env, &files).unwrap();
    assert_eq!(trust.electors.len(), 3);
    // The LCCF's add-root ballot is the one of the ceremony: nothing new.
    assert!(trust
        .ballots
        .iter()
        .all(|o| matches!(o.result, BallotResult::Unchanged(_))));
    let dir = DeviceDir::new(env.dir.path().join("boot"));
    let keys = Keystore::open(&dir.keys_dir(), None).unwrap();
    trust.store(&dir, &keys, NOW).unwrap();
    for k in 1..=3 {
        assert!(dir
            .trust_dir()
            .join(format!("electors/elector-{k}.oer"))
            .is_file());
    }
    let dev = Device::open(&dir, keys).unwrap();
    assert_eq!(dev.trust.electors().len(), 3);
    assert_eq!(dev.trust.quorum(), scms_ee::trust_state::POC_QUORUM);
    assert_eq!(dir.load_config().unwrap().quorum, Some(2));
    assert!(dev.trust.is_trusted_root(&env.cert("root")));

    // A bad elector in the zip refuses the bootstrap.
    let mut bad = files.clone();
    bad.electors[0].1 = env.cert("root").to_coer();
    assert!(matches!(
        bootstrap_with(&env, &bad),
        Err(scms_ee::BootstrapError::BadElector { .. })
    ));
}

#[test]
fn the_quorum_travels_from_the_dcm_zip_and_is_enforced() {
    let env = env();
    let mut files = scms_dcm::BootstrapFiles::load(env.layout.root()).unwrap();
    files.quorum = Some(3);
    let trust = bootstrap_with(&env, &files).unwrap();
    assert_eq!(trust.quorum, 3);
    let dir = DeviceDir::new(env.dir.path().join("q3"));
    let keys = Keystore::open(&dir.keys_dir(), None).unwrap();
    trust.store(&dir, &keys, NOW).unwrap();
    assert_eq!(dir.load_config().unwrap().quorum, Some(3));
    let mut dev = Device::open(&dir, keys).unwrap();
    assert_eq!(dev.trust.quorum(), 3);
    // Two endorsements no longer add an elector; three do.
    let (d, _) = new_elector();
    let two = ballot_by(&env, &[1, 2], EndorsementType::AddElector, &d);
    let out = dev
        .set_lccf(&lccf_with(&env, vec![], vec![two], vec![]), NOW)
        .unwrap();
    assert!(
        matches!(
            out[0].result,
            BallotResult::Refused(BallotError::QuorumNotReached {
                valid: 2,
                quorum: 3
            })
        ),
        "{}",
        out[0]
    );
    assert_eq!(dev.trust.electors().len(), 3);
    let three = ballot_by(&env, &[1, 2, 3], EndorsementType::AddElector, &d);
    dev.set_lccf(&lccf_with(&env, vec![], vec![three], vec![]), NOW)
        .unwrap();
    assert_eq!(dev.trust.electors().len(), 4);
    // Reopened, the device keeps its quorum.
    assert_eq!(reopen(&dev).trust.quorum(), 3);

    // A quorum the electors cannot reach, or none at all, refuses the bootstrap.
    for q in [0, 4] {
        files.quorum = Some(q);
        assert!(
            matches!(
                bootstrap_with(&env, &files),
                Err(scms_ee::BootstrapError::BadQuorum(_))
            ),
            "quorum {q}"
        );
    }
}

#[test]
fn a_device_without_electors_opens_but_cannot_apply_ballots() {
    let env = env();
    let dev = env.device("old", false, T0);
    std::fs::remove_dir_all(dev.dir.trust_dir().join("electors")).unwrap();
    let mut dev = reopen(&dev);
    assert!(dev.trust.electors().is_empty());
    let (d, _) = new_elector();
    let b = ballot_by(&env, &[1, 2], EndorsementType::AddElector, &d);
    let out = dev
        .set_lccf(&lccf_with(&env, vec![], vec![b], vec![]), NOW)
        .unwrap();
    assert!(out.iter().all(|o| o.result == BallotResult::NoElectors));
    assert!(out[0].to_string().contains("no electors"), "{}", out[0]);
    assert!(dev.trust.electors().is_empty());
}

#[test]
fn revoking_an_elector_by_crl_ballot_then_adding_elector_d_by_lccf() {
    let env = env();
    let mut devs = [env.device("a", false, T0), env.device("b", true, T0)];
    let (e1, e2, e3) = (
        env.cert("elector-1"),
        env.cert("elector-2"),
        env.cert("elector-3"),
    );
    // Elector 1 is revoked by electors 2 and 3 (m = 2 votes), in the composite CRL.
    let remove1 = ballot_by(&env, &[2, 3], EndorsementType::RemoveElector, &e1);
    let crl = composite(crlg_crls(&env, &[], None), vec![], vec![remove1]);
    let spat = sign(&app_cert(&env.layout), PSID_SPAT, NOW);
    for d in devs.iter_mut() {
        let v = d.install_crl(&crl, NOW).unwrap();
        assert_eq!(v.ballots.len(), 1);
        assert!(
            matches!(
                v.ballots[0].result,
                BallotResult::Applied(BallotEffect::ElectorRemoved { changed: true, .. })
            ),
            "{}",
            v.ballots[0]
        );
        assert!(d.trust.is_removed_elector(&certificate_id8(&e1)));
        assert_eq!(d.trust.electors().len(), 2);
        // Every device keeps working.
        d.check_enrollment(NOW).unwrap();
        verifier_of(d).verify(&spat, NOW, Some(PSID_SPAT)).unwrap();
        // The same CRL again changes nothing.
        let again = d.install_crl(&crl, NOW).unwrap();
        assert!(matches!(
            again.ballots[0].result,
            BallotResult::Unchanged(_)
        ));
    }

    // Elector 1's vote no longer counts: D endorsed by 1 and 2 is refused, by 2 and 3 added.
    let (d_cert, d_key) = new_elector();
    let by_1_2 = ballot_by(&env, &[1, 2], EndorsementType::AddElector, &d_cert);
    let dev = &mut devs[0];
    let out = dev
        .set_lccf(&lccf_with(&env, vec![], vec![by_1_2], vec![]), NOW)
        .unwrap();
    assert!(
        effects(&out).contains(&BallotResult::Refused(BallotError::QuorumNotReached {
            valid: 1,
            quorum: 2
        })),
        "{out:?}"
    );
    assert!(dev.trust.elector(&certificate_id8(&d_cert)).is_none());
    let by_2_3 = ballot_by(&env, &[2, 3], EndorsementType::AddElector, &d_cert);
    let out = dev
        .set_lccf(&lccf_with(&env, vec![], vec![by_2_3], vec![]), NOW)
        .unwrap();
    assert!(out.iter().any(|o| matches!(
        o.result,
        BallotResult::Applied(BallotEffect::ElectorAdded { .. })
    )));
    assert!(dev.trust.elector(&certificate_id8(&d_cert)).is_some());

    // A restart keeps it all: 1 removed, 2, 3 and D current; D's vote counts.
    let mut dev = reopen(dev);
    assert!(dev.trust.is_removed_elector(&certificate_id8(&e1)));
    let ids: Vec<_> = dev.trust.electors().iter().map(certificate_id8).collect();
    assert_eq!(ids.len(), 3);
    for e in [&e2, &e3, &d_cert] {
        assert!(ids.contains(&certificate_id8(e)));
    }
    let t64 = time64_from_time32(NOW - 5);
    let (e4, _) = new_elector();
    let tbs = TbsElectorEndorsement {
        r#type: EndorsementType::AddElector,
        certificate: e4.clone(),
        effective_time: None,
    };
    let with_d = ballot::ballot(vec![
        ballot::endorse(&d_key, &d_cert, &tbs, t64).unwrap(),
        ballot::endorse(&key_of(&env.layout, "elector-3"), &e3, &tbs, t64).unwrap(),
    ]);
    let out = dev
        .apply_ballots(BallotSource::Lccf, &[with_d], NOW)
        .unwrap();
    assert!(out[0].applied(), "{}", out[0]);
    assert_eq!(dev.trust.electors().len(), 4);
}

#[test]
fn a_new_root_endorsed_in_the_lccf_is_trusted_without_rebootstrapping() {
    let env = env();
    let other = env_b();
    let mut dev = env.device("obe", false, T0);
    let new_root = cert_of(&other.layout, "root");
    // A message signed under the new root's chain (its PCA's application certificate).
    let spat = sign(&app_cert(&other.layout), PSID_SPAT, NOW);
    let extra: Vec<Certificate> = ["ica", "pca", "crlg", "pg"]
        .iter()
        .map(|n| cert_of(&other.layout, n))
        .collect();
    assert!(matches!(
        verifier_of(&dev).verify(&spat, NOW, Some(PSID_SPAT)),
        Err(MessageError::Chain(_))
    ));
    // One vote is not enough; two are.
    let one = ballot_by(&env, &[1], EndorsementType::AddRoot, &new_root);
    dev.set_lccf(&lccf_with(&env, vec![one], vec![], extra.clone()), NOW)
        .unwrap();
    assert!(!dev.trust.is_trusted_root(&new_root));
    let two = ballot_by(&env, &[1, 3], EndorsementType::AddRoot, &new_root);
    let lccf = lccf_with(&env, vec![two], vec![], extra);
    let out = dev.set_lccf(&lccf, NOW).unwrap();
    assert!(out.iter().any(|o| matches!(
        o.result,
        BallotResult::Applied(BallotEffect::RootAdded { .. })
    )));
    assert!(dev.trust.is_trusted_root(&new_root));
    assert!(dev.trust.is_trusted_root(&env.cert("root")));
    let ok = verifier_of(&dev)
        .verify(&spat, NOW, Some(PSID_SPAT))
        .unwrap();
    assert_eq!(ok.payload, b"payload");
    // The LCCF stored on disk is still the old one: the trust comes from the ballot log.
    let dev = reopen(&dev);
    assert!(dev.trust.is_trusted_root(&new_root));
}

/// A second, independent hierarchy (its own electors and root).
fn env_b() -> Env {
    env()
}

#[test]
fn a_remove_root_ballot_in_the_crl_fails_the_old_roots_chains_for_good() {
    let env = env();
    let mut dev = env.device("obe", false, T0);
    let root = env.cert("root");
    let spat = sign(&app_cert(&env.layout), PSID_SPAT, NOW);
    verifier_of(&dev)
        .verify(&spat, NOW, Some(PSID_SPAT))
        .unwrap();
    let remove = ballot_by(&env, &[2, 3], EndorsementType::RemoveRoot, &root);
    let crl = composite(crlg_crls(&env, &[], None), vec![remove], vec![]);
    // A verifier that only looks (verify_composite) changes nothing on the device.
    let _ = verify_composite(&crl, &dev.trust, &dev.intermediates, NOW, None);
    assert!(dev.trust.is_trusted_root(&root));
    // The device applies the ballot; the CRLs, signed under the removed root, are refused.
    let err = dev.install_crl(&crl, NOW).unwrap_err();
    assert!(
        matches!(err, ProvisionError::Crl(CrlCheckError::Signature(_))),
        "{err}"
    );
    assert!(!dev.trust.is_trusted_root(&root));
    assert!(dev.trust.is_removed_root(&certificate_id8(&root)));
    assert!(matches!(
        verifier_of(&dev).verify(&spat, NOW, Some(PSID_SPAT)),
        Err(MessageError::Chain(ChainError::UntrustedRoot))
    ));
    // The device stops: no transmission, no RA.
    assert!(matches!(
        dev.check_enrollment(NOW),
        Err(ProvisionError::Revoked(_))
    ));
    // A restart keeps the root removed, and the ceremony's add-root ballot (in every
    // LCCF) cannot bring it back.
    let mut dev = reopen(&dev);
    assert!(!dev.trust.is_trusted_root(&root));
    let lccf = std::fs::read(env.layout.file("LCCF.oer")).unwrap();
    let out = dev.set_lccf(&lccf, NOW).unwrap();
    assert!(
        effects(&out).contains(&BallotResult::Refused(BallotError::PreviouslyRemoved)),
        "{out:?}"
    );
    assert!(!dev.trust.is_trusted_root(&root));
}

#[test]
fn a_revoked_pca_invalidates_the_messages_of_its_pseudonyms() {
    let env = env();
    let mut dev = env.device("obe", false, T0);
    let i = i_period(NOW).unwrap();
    let (s1, s2) = (
        LinkageSeed::random().unwrap(),
        LinkageSeed::random().unwrap(),
    );
    let mine = pseudonyms(&env.layout, i, &s1, &s2);
    let bsm = sign(&mine[0], PSID_BSM, NOW);
    let mut v = verifier_of(&dev);
    v.verify(&bsm, NOW, Some(PSID_BSM)).unwrap();
    // Series 2 (CRLG): the PCA.
    let pca = env.cert("pca");
    let crl = composite(
        crlg_crls(&env, &[(2, certificate_id10(&pca))], None),
        vec![],
        vec![],
    );
    let verified = dev.install_crl(&crl, NOW).unwrap();
    assert_eq!(verified.component_entries.len(), 1);
    // A receiver with the CRL: the chain's revoked certificate is found (and the verdict
    // cached until the next CRL).
    v.set_revocations(verified.revocations);
    for _ in 0..2 {
        assert!(matches!(
            v.verify(&bsm, NOW, Some(PSID_BSM)),
            Err(MessageError::IssuerRevoked(id)) if id == hex::encode(certificate_id8(&pca))
        ));
    }
    v.set_revocations(scms_core::revocation::RevocationList::new());
    v.verify(&bsm, NOW, Some(PSID_BSM)).unwrap();
    // The device's trust store marks the PCA revoked (persisted): its chains fail.
    let dev = reopen(&dev);
    assert!(dev.trust.is_revoked(&pca));
    assert!(matches!(
        verifier_of(&dev).verify(&bsm, NOW, Some(PSID_BSM)),
        Err(MessageError::Chain(ChainError::Revoked { at: 1 }))
    ));
    // And the device does not sign with that PCA's certificates.
    let mut store = CertStore::open(&dev.dir, &dev.keys).unwrap();
    for (j, s) in mine.iter().enumerate() {
        store.put_pseudonym(i, j as u32, s).unwrap();
    }
    store.complete_batch(i).unwrap();
    assert!(store.current(NOW).unwrap().is_some(), "no guard: no check");
    store.set_guard(Guard::new(
        &dev,
        dev.load_crl(NOW).map(|r| r.unwrap().revocations),
    ));
    assert!(matches!(
        store.current(NOW),
        Err(ProvisionError::Revoked(_))
    ));
}

#[test]
fn a_root_signed_crl_revoking_the_crlg_makes_its_crls_refused() {
    let env = env();
    let mut dev = env.device("obe", false, T0);
    let (crlg, pca, pg) = (env.cert("crlg"), env.cert("pca"), env.cert("pg"));
    let lpf = std::fs::read(env.layout.file("LPF.oer")).unwrap();
    dev.check_lpf(&lpf, NOW).unwrap();
    // The root revokes the CRLG and the PG; the composite still carries that CRLG's CRLs
    // (revoking the PCA): they are ignored.
    let crl = composite(
        [
            crlg_crls(&env, &[(2, certificate_id10(&pca))], None),
            vec![root_crl(
                &env,
                &[certificate_id10(&crlg), certificate_id10(&pg)],
            )],
        ]
        .concat(),
        vec![],
        vec![],
    );
    let v = dev.install_crl(&crl, NOW).unwrap();
    assert_eq!(v.ignored.len(), 4, "{:?}", v.ignored);
    assert!(v.ignored[0].contains(&hex::encode(certificate_id8(&crlg))));
    assert_eq!(v.component_entries.len(), 2);
    assert!(dev.trust.is_revoked(&crlg));
    assert!(
        !dev.trust.is_revoked(&pca),
        "the revoked CRLG's entries are not used"
    );
    // The revoked PG's policy files are refused.
    let err = dev.check_lpf(&lpf, NOW).unwrap_err();
    assert!(err.to_string().contains("revoked"), "{err}");
    // The same composite again (the store has not dropped that CRLG's CRLs yet) is
    // still used for its root-signed CRL.
    let again = dev.install_crl(&crl, NOW + 30).unwrap();
    assert_eq!(again.ignored.len(), 4);
    // Later CRLs of that CRLG alone are refused, also after a restart.
    let later = composite(crlg_crls(&env, &[], None), vec![], vec![]);
    let mut dev = reopen(&dev);
    assert!(matches!(
        dev.install_crl(&later, NOW + 60),
        Err(ProvisionError::Crl(CrlCheckError::Signature(_)))
    ));
    // A root-signed CRL must be of series 256 and signed by a trusted root.
    let root = env.cert("root");
    let wrong_series = scms_crl::secure(
        &key_of(&env.layout, "root"),
        &root,
        &crl_contents(2, &root, NOW, &[]),
    )
    .unwrap();
    assert!(matches!(
        verify_composite(
            &composite(vec![wrong_series], vec![], vec![]),
            &dev.trust,
            &dev.intermediates,
            NOW,
            None
        ),
        Err(CrlCheckError::Signature(_))
    ));
    let other = env_b();
    assert!(matches!(
        verify_composite(
            &composite(vec![root_crl(&other, &[])], vec![], vec![]),
            &dev.trust,
            &dev.intermediates,
            NOW,
            None
        ),
        Err(CrlCheckError::Signature(_))
    ));
}

#[test]
fn the_device_refuses_to_sign_with_its_own_revoked_pseudonym_and_stops_talking_to_the_ra() {
    let env = env();
    let clock = Arc::new(ManualClock::new(NOW));
    let dev = env.device("obe", false, T0);
    let i = i_period(NOW).unwrap();
    let (s1, s2) = (
        LinkageSeed::random().unwrap(),
        LinkageSeed::random().unwrap(),
    );
    let mut client = Client::new(dev, in_process(&env, clock.clone(), 1), clock.clone()).unwrap();
    for (j, s) in pseudonyms(&env.layout, i, &s1, &s2).iter().enumerate() {
        client.store.put_pseudonym(i, j as u32, s).unwrap();
    }
    client.store.complete_batch(i).unwrap();
    let before = client.store.current(NOW).unwrap().unwrap();
    let bsm = sign(&before, PSID_BSM, NOW);

    // The device's linkage chain is revoked from period i on.
    let crl = composite(
        crlg_crls(&env, &[], Some(linkage_crl(i, &s1, &s2))),
        vec![],
        vec![],
    );
    let v = client.install_crl(&crl).unwrap();
    assert_eq!(v.revocations.len(), (0, 1));
    let err = client.store.current(NOW).unwrap_err();
    assert!(
        matches!(&err, ProvisionError::Revoked(m) if m.contains("revoked")),
        "{err}"
    );
    // Receivers refuse its messages too.
    let mut r = verifier_of(&client.device);
    r.set_revocations(client.device.load_crl(NOW).unwrap().unwrap().revocations);
    assert!(matches!(
        r.verify(&bsm, NOW, Some(PSID_BSM)),
        Err(MessageError::Revoked(_))
    ));

    // Its enrollment certificate revoked (series 4): nothing is signed, nothing sent.
    let enr = certificate_id10(&client.device.enrollment_cert);
    let crl = composite(crlg_crls(&env, &[(4, enr)], None), vec![], vec![]);
    client.install_crl(&crl).unwrap();
    assert!(matches!(
        client.store.current_identification(NOW),
        Err(ProvisionError::Revoked(_))
    ));
    let posts_before = client
        .transport()
        .log
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.starts_with("POST"))
        .count();
    assert!(matches!(
        client.request(RequestKind::Pseudonym, None),
        Err(ProvisionError::Revoked(_))
    ));
    let posts_after = client
        .transport()
        .log
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.starts_with("POST"))
        .count();
    assert_eq!(posts_before, posts_after);
    // Persisted: the reopened device still refuses.
    let dev = reopen(&client.device);
    assert!(matches!(
        dev.check_enrollment(NOW),
        Err(ProvisionError::Revoked(_))
    ));
}

#[test]
fn removals_are_applied_before_the_additions_of_the_same_file() {
    let env = env();
    let mut dev = env.device("obe", false, T0);
    let e1 = env.cert("elector-1");
    let (d, _) = new_elector();
    // Listed addition first: D endorsed by 1 and 2; then 1 removed by 2 and 3.
    let add_d = ballot_by(&env, &[1, 2], EndorsementType::AddElector, &d);
    let remove1 = ballot_by(&env, &[2, 3], EndorsementType::RemoveElector, &e1);
    let out = dev
        .apply_ballots(BallotSource::Lccf, &[add_d, remove1], NOW)
        .unwrap();
    assert_eq!(out[0].index, 1, "the removal goes first");
    assert!(out[0].applied());
    assert_eq!(
        out[1].result,
        BallotResult::Refused(BallotError::QuorumNotReached {
            valid: 1,
            quorum: 2
        })
    );
    let dev = reopen(&dev);
    assert!(dev.trust.is_removed_elector(&certificate_id8(&e1)));
    assert!(dev.trust.elector(&certificate_id8(&d)).is_none());
    assert_eq!(dev.trust.electors().len(), 2);
}

#[test]
fn a_refused_crl_whose_ballot_removes_the_root_still_stops_the_client() {
    let env = env();
    let clock = Arc::new(ManualClock::new(NOW));
    let dev = env.device("obe", false, T0);
    let i = i_period(NOW).unwrap();
    let (s1, s2) = (
        LinkageSeed::random().unwrap(),
        LinkageSeed::random().unwrap(),
    );
    let mut client = Client::new(dev, in_process(&env, clock.clone(), 1), clock.clone()).unwrap();
    for (j, s) in pseudonyms(&env.layout, i, &s1, &s2).iter().enumerate() {
        client.store.put_pseudonym(i, j as u32, s).unwrap();
    }
    client.store.complete_batch(i).unwrap();
    assert!(client.store.current(NOW).unwrap().is_some());
    // The removeRoot ballot is applied, then the CRLs (their CRLG is under that root) are
    // refused: the client's guard must see the new trust store all the same.
    let remove = ballot_by(
        &env,
        &[2, 3],
        EndorsementType::RemoveRoot,
        &env.cert("root"),
    );
    let crl = composite(crlg_crls(&env, &[], None), vec![remove], vec![]);
    assert!(matches!(
        client.install_crl(&crl),
        Err(ProvisionError::Crl(CrlCheckError::Signature(_)))
    ));
    assert!(matches!(
        client.store.current(NOW),
        Err(ProvisionError::Revoked(_))
    ));
    assert!(matches!(
        client.fetch(scms_ee::download::PATH_INFO, "0000000000000000.info"),
        Err(ProvisionError::Revoked(_))
    ));
}
