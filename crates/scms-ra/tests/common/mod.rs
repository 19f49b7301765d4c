//! Test support: a real `scms init` hierarchy, enrolled devices and EE requests built
//! the way the seed says (signed with the enrollment key, encrypted to the RA).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use scms_asn1::camp::ee_ra::{
    AuthenticatedDownloadRequest, CommonProvisioningRequestFields, EeRaAppCertProvisioningRequest,
    EeRaIdCertProvisioningRequest, EeRaPseudonymCertProvisioningRequest, EndEntityRaInterfacePDU,
    UnsignedButterflyParams,
};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::coer::Utf8String;
use scms_asn1::ieee1609dot2::{
    Certificate, Ieee1609Dot2Content, Ieee1609Dot2Data, Opaque, Psid, PsidSspRange, SspRange,
    SubjectPermissions,
};
use scms_asn1::Coer;
use scms_core::convert::{compressed, encryption_key, public_encryption_key};
use scms_core::encrypt::{encrypt, Recipient};
use scms_core::sign::{reconstruct_private_key, sign_certificate_request, SignerId};
use scms_core::signer::{KeyPair, Signer};
use scms_crypto::butterfly::CaterpillarPrivate;
use scms_crypto::{default_backend, Scalar};
use scms_eca::{Eca, EcaConfig};
use scms_ra::{LaClient, LaIndex, PcaClient, Ra, RaError, RaOptions};
use scms_store::keystore::Keystore;

/// 2017-08-28 17:31:07 UTC (the seed's example CSR time), i = 137.
pub const T0: u32 = 431_026_272;

pub struct Env {
    pub dir: tempfile::TempDir,
    pub eca: std::sync::Mutex<Eca>,
    pub ra_cert: Certificate,
    pub pca_cert: Certificate,
}

impl Env {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

pub fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let layout = scms_ca::Layout::new(dir.path().join("scms"));
    let cfg = scms_ca::Config {
        start: Some(T0 - 14 * 86_400),
        la1_id: Some(0x1111),
        la2_id: Some(0x2222),
        ..Default::default()
    };
    scms_ca::init(&layout, &cfg, None).unwrap();
    let keys = Keystore::open(&layout.keys(), None).unwrap();
    let eca = Eca::open(
        layout.root(),
        keys.load_signer("eca").unwrap(),
        EcaConfig::default(),
    )
    .unwrap();
    let read = |n: &str| Certificate::from_coer(&std::fs::read(layout.cert(n)).unwrap()).unwrap();
    let ra_cert = read("ra");
    let pca_cert = read("pca");
    // The RA works on DIR = dir/scms.
    Env {
        dir,
        eca: std::sync::Mutex::new(eca),
        ra_cert,
        pca_cert,
    }
}

impl Env {
    pub fn scms(&self) -> std::path::PathBuf {
        self.dir.path().join("scms")
    }
}

/// An enrolled device: enrollment certificate and private key, caterpillar keys.
pub struct Device {
    pub cert: Certificate,
    pub key: KeyPair,
    pub cat: CaterpillarPrivate,
    pub id_cat: CaterpillarPrivate,
}

fn enroll(env: &Env, now: u32, psids: Option<Vec<u64>>) -> Device {
    let req_key = KeyPair::generate().unwrap();
    let csr = scms_eca::testing::obe_request(&req_key, now, |r| {
        if let Some(list) = psids {
            let perms = r.tbs_data.cert_request_permissions.as_mut().unwrap();
            perms[0].subject_permissions = SubjectPermissions::Explicit(
                list.iter()
                    .map(|p| PsidSspRange {
                        psid: Psid::new(*p),
                        ssp_range: Some(SspRange::Opaque(vec![])),
                    })
                    .collect(),
            );
        }
    })
    .unwrap();
    let mut eca = env.eca.lock().unwrap();
    let resp = eca.process(&csr, now).unwrap();
    let r = Scalar::from_bytes(&resp.priv_key_reconstruction).unwrap();
    let key = reconstruct_private_key(
        &resp.enrollment_cert,
        eca.certificate(),
        req_key.private(),
        &r,
    )
    .unwrap();
    Device {
        cert: resp.enrollment_cert,
        key: KeyPair::from_private(key).unwrap(),
        cat: CaterpillarPrivate::generate().unwrap(),
        id_cat: CaterpillarPrivate::generate().unwrap(),
    }
}

/// An OBE enrolled at `now`.
pub fn obe(env: &Env, now: u32) -> Device {
    enroll(env, now, None)
}

/// An RSE enrolled at `now` (PSIDs only an RSE is eligible to).
pub fn rse(env: &Env, now: u32) -> Device {
    enroll(env, now, Some(vec![0x26, 0x83]))
}

fn params(c: &CaterpillarPrivate, signing: bool) -> UnsignedButterflyParams {
    let p = c.public(default_backend()).unwrap();
    if signing {
        UnsignedButterflyParams {
            seed_key: compressed(&p.signing_seed),
            expansion: *p.signing_expansion.expose(),
        }
    } else {
        UnsignedButterflyParams {
            seed_key: compressed(&p.encryption_seed),
            expansion: *p.encryption_expansion.expose(),
        }
    }
}

pub fn pseudonym_pdu(d: &Device, now: u32) -> EeRaPseudonymCertProvisioningRequest {
    EeRaPseudonymCertProvisioningRequest {
        version: 1,
        verify_key_info: params(&d.cat, true),
        resp_enc_key_info: params(&d.cat, false),
        common: CommonProvisioningRequestFields {
            current_time: now,
            requested_start_time: now,
        },
    }
}

pub fn identity_pdu(d: &Device, now: u32) -> EeRaIdCertProvisioningRequest {
    EeRaIdCertProvisioningRequest {
        version: 1,
        verify_key_info: params(&d.id_cat, true),
        cert_enc_key_info: None,
        resp_enc_key_info: params(&d.id_cat, false),
        common: CommonProvisioningRequestFields {
            current_time: now,
            requested_start_time: now,
        },
    }
}

/// App request with fresh keys; returns the request and the response-encryption key.
pub fn application_pdu(now: u32, start: u32) -> (EeRaAppCertProvisioningRequest, KeyPair) {
    let verify = KeyPair::generate().unwrap();
    let resp = KeyPair::generate().unwrap();
    (
        EeRaAppCertProvisioningRequest {
            version: 1,
            verify_key: scms_asn1::ieee1609dot2::PublicVerificationKey::EcdsaNistP256(compressed(
                verify.public_key(),
            )),
            cert_encryption_key: None,
            response_encryption_key: public_encryption_key(resp.public_key()),
            common: CommonProvisioningRequestFields {
                current_time: now,
                requested_start_time: start,
            },
        },
        resp,
    )
}

/// `SignedCertificateRequest` SPDU, signer = the enrollment certificate.
pub fn signed(d: &Device, pdu: EndEntityRaInterfacePDU) -> Ieee1609Dot2Data {
    signed_with(&d.key, &d.cert, pdu)
}

pub fn signed_with(
    key: &dyn Signer,
    cert: &Certificate,
    pdu: EndEntityRaInterfacePDU,
) -> Ieee1609Dot2Data {
    let scoped = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::EeRa(pdu),
    };
    let scr = sign_certificate_request(key, scoped, SignerId::Certificate(cert)).unwrap();
    Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedCertificateRequest(Opaque::new(scr.to_coer()).unwrap()),
    }
}

/// Encrypts an SPDU to a certificate's encryption key (certRecipInfo).
pub fn encrypt_to(cert: &Certificate, data: &Ieee1609Dot2Data) -> Vec<u8> {
    let key = encryption_key(cert.to_be_signed.encryption_key.as_ref().unwrap()).unwrap();
    let ed = encrypt(
        default_backend(),
        &data.to_coer(),
        &[Recipient::Certificate { cert, key: &key }],
    )
    .unwrap();
    Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::EncryptedData(ed),
    }
    .to_coer()
}

/// A `SecuredPseudonymCertProvisioningRequest`.
pub fn pseudonym_request(env: &Env, d: &Device, now: u32) -> Vec<u8> {
    encrypt_to(
        &env.ra_cert,
        &signed(
            d,
            EndEntityRaInterfacePDU::EeRaPseudonymCertProvisioningRequest(pseudonym_pdu(d, now)),
        ),
    )
}

/// The `Download-Req` header: Base64 of a SecuredAuthenticatedDownloadRequest.
pub fn download_req(env: &Env, d: &Device, filename: &str, ts: u32) -> String {
    let pdu =
        EndEntityRaInterfacePDU::EeRaAuthenticatedDownloadRequest(AuthenticatedDownloadRequest {
            timestamp: ts,
            filename: Utf8String::new(filename).unwrap(),
        });
    base64::engine::general_purpose::STANDARD.encode(encrypt_to(&env.ra_cert, &signed(d, pdu)))
}

/// An LA that is never reached (error-path tests only).
pub struct NoLa;
impl LaClient for NoLa {
    fn pre_linkage_values(&self, which: LaIndex, _r: Vec<u8>) -> Result<Vec<u8>, RaError> {
        Err(RaError::peer(which.name(), "unreachable in this test"))
    }
}

/// A PCA that is never reached (error-path tests only).
pub struct NoPca;
impl PcaClient for NoPca {
    fn certify(&self, _r: Vec<u8>) -> Result<Vec<u8>, RaError> {
        Err(RaError::peer("pca", "unreachable in this test"))
    }
}

pub fn open_ra(env: &Env, opts: RaOptions) -> Ra {
    Ra::open(&env.scms(), opts, Arc::new(NoLa), Arc::new(NoPca)).unwrap()
}
