//! Test support (feature `testing`): a small root → ICA → ECA/RA hierarchy built with
//! the profile templates, the `scms init` directory layout written from it, and
//! enrollment CSRs as a device makes them.

use std::error::Error;
use std::path::Path;

use scms_asn1::camp::eca_ee::{EcaEndEntityInterfacePDU, EeEcaCertRequest};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::coer::VarInt;
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, Duration, EndEntityType, GeographicRegion, Hostname,
    IdentifiedRegion, Ieee1609Dot2Content, Ieee1609Dot2Data, Opaque, Psid, PsidGroupPermissions,
    PsidSspRange, PublicVerificationKey, SspRange, SubjectPermissions, ToBeSignedCertificate,
    ValidityPeriod, VerificationKeyIndicator,
};
use scms_asn1::Coer;
use scms_core::convert::compressed;
use scms_core::hash::certificate_id3;
use scms_core::issue::issue_explicit_checked;
use scms_core::profile::{template, CertKind, TemplateParams};
use scms_core::sign::{sign_certificate_request, SignerId};
use scms_core::signer::{KeyPair, Signer};
use scms_crypto::{Point, PrivateKey};

use crate::{Eca, EcaConfig, UsedKeys};

type R<T> = Result<T, Box<dyn Error>>;

/// A test hierarchy: root → ICA → {ECA, RA}.
#[derive(Debug)]
pub struct TestPki {
    /// Root CA certificate.
    pub root: Certificate,
    /// ICA certificate.
    pub ica: Certificate,
    /// ECA certificate.
    pub eca: Certificate,
    /// RA certificate.
    pub ra: Certificate,
    eca_key: [u8; 32],
}

fn component(
    kind: CertKind,
    name: &str,
    start: u32,
    craca: [u8; 3],
    key: &Point,
    enc: Option<Point>,
) -> R<ToBeSignedCertificate> {
    Ok(template(
        kind,
        &TemplateParams {
            name: Some(name.into()),
            start,
            craca_id: craca,
            verification_key: Some(*key),
            encryption_key: enc,
            ..Default::default()
        },
    )?)
}

impl TestPki {
    /// A hierarchy whose certificates start at `start` (Time32).
    pub fn new(start: u32) -> R<Self> {
        let root_key = KeyPair::generate()?;
        let root = issue_explicit_checked(
            &root_key,
            None,
            CertKind::Root,
            component(
                CertKind::Root,
                "root.v2xscms.com",
                start,
                [0; 3],
                root_key.public_key(),
                None,
            )?,
        )?;
        let craca = certificate_id3(&root);
        let ica_key = KeyPair::generate()?;
        let ica = issue_explicit_checked(
            &root_key,
            Some(&root),
            CertKind::Ica,
            component(
                CertKind::Ica,
                "ica.v2xscms.com",
                start,
                craca,
                ica_key.public_key(),
                None,
            )?,
        )?;
        let eca_key = KeyPair::generate()?;
        let eca = issue_explicit_checked(
            &ica_key,
            Some(&ica),
            CertKind::Eca,
            component(
                CertKind::Eca,
                "eca.v2xscms.com",
                start,
                craca,
                eca_key.public_key(),
                Some(*KeyPair::generate()?.public_key()),
            )?,
        )?;
        let ra_key = KeyPair::generate()?;
        let ra_enc = KeyPair::generate()?;
        let ra = issue_explicit_checked(
            &ica_key,
            Some(&ica),
            CertKind::Ra,
            component(
                CertKind::Ra,
                "ra.v2xscms.com",
                start,
                craca,
                ra_key.public_key(),
                Some(*ra_enc.public_key()),
            )?,
        )?;
        Ok(TestPki {
            root,
            ica,
            eca,
            ra,
            eca_key: *eca_key.private().to_bytes().expose(),
        })
    }

    /// The ECA's signing key.
    pub fn eca_signer(&self) -> R<Box<dyn Signer>> {
        Ok(Box::new(KeyPair::from_private(PrivateKey::from_bytes(
            &self.eca_key,
        )?)?))
    }

    /// The ECA's private key.
    pub fn eca_private_key(&self) -> R<PrivateKey> {
        Ok(PrivateKey::from_bytes(&self.eca_key)?)
    }

    /// An ECA with an in-memory used-key set.
    pub fn eca_with(&self, config: EcaConfig) -> R<Eca> {
        Ok(Eca::new(
            self.eca.clone(),
            self.eca_signer()?,
            vec![self.ica.clone(), self.root.clone()],
            config,
            UsedKeys::in_memory(),
        )?)
    }

    /// Writes the `scms init` layout the DCM reads: `certs/{root,ica,eca,ra}.oer`,
    /// placeholder `files/{LCCF,LPF,CRL}.oer` and `tls/root.pem` (the ECA key is not
    /// written: store [`Self::eca_private_key`] where the test needs it).
    pub fn write_init_dir(&self, dir: &Path) -> R<()> {
        for sub in ["certs", "files", "tls", "eca", "dcm"] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        for (name, c) in [
            ("root", &self.root),
            ("ica", &self.ica),
            ("eca", &self.eca),
            ("ra", &self.ra),
        ] {
            std::fs::write(dir.join("certs").join(format!("{name}.oer")), c.to_coer())?;
        }
        for f in ["LCCF", "LPF", "CRL"] {
            std::fs::write(
                dir.join("files").join(format!("{f}.oer")),
                format!("test {f}").as_bytes(),
            )?;
        }
        std::fs::write(
            dir.join("tls").join("root.pem"),
            "-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n",
        )?;
        Ok(())
    }
}

/// The `ToBeSignedCertificate` of an OBE enrollment CSR as in the seed's example
/// (`id name "obeenr"`, `cracaId 000000`, `crlSeries 4`, 4320 hours, PSIDs 0x20 and
/// 0x26 with `sspRange opaque {}`), region USA only.
pub fn obe_tbs(key: &Point, start: u32) -> R<ToBeSignedCertificate> {
    let range = |p: u64| PsidSspRange {
        psid: Psid::new(p),
        ssp_range: Some(SspRange::Opaque(vec![])),
    };
    Ok(ToBeSignedCertificate {
        id: CertificateId::Name(Hostname::new("obeenr")?),
        craca_id: [0; 3],
        crl_series: 4,
        validity_period: ValidityPeriod {
            start,
            duration: Duration::Hours(4320),
        },
        region: Some(GeographicRegion::IdentifiedRegion(vec![
            IdentifiedRegion::CountryOnly(840),
        ])),
        assurance_level: None,
        app_permissions: None,
        cert_issue_permissions: None,
        cert_request_permissions: Some(vec![PsidGroupPermissions {
            subject_permissions: SubjectPermissions::Explicit(vec![range(0x20), range(0x26)]),
            min_chain_depth: VarInt(0),
            chain_depth_range: VarInt(0),
            ee_type: EndEntityType::with(&[EndEntityType::app]),
        }]),
        can_request_rollover: None,
        encryption_key: None,
        verify_key_indicator: VerificationKeyIndicator::VerificationKey(
            PublicVerificationKey::EcdsaNistP256(compressed(key)),
        ),
        flags: None,
        app_extensions: None,
        cert_issue_extensions: None,
        cert_request_extension: None,
    })
}

/// Signs `req` with `key` into a `SignedEeEnrollmentCertRequest` (COER).
pub fn sign_request(key: &dyn Signer, req: EeEcaCertRequest) -> R<Vec<u8>> {
    let pdu = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::EcaEe(EcaEndEntityInterfacePDU::EeEcaCertRequest(req)),
    };
    let scr = sign_certificate_request(key, pdu, SignerId::SelfSigned)?;
    Ok(Ieee1609Dot2Data {
        protocol_version: 3,
        content: Ieee1609Dot2Content::SignedCertificateRequest(Opaque::new(scr.to_coer())?),
    }
    .to_coer())
}

/// An OBE enrollment CSR for `key` made at `now`, after `edit` changed the request.
pub fn obe_request(
    key: &dyn Signer,
    now: u32,
    edit: impl FnOnce(&mut EeEcaCertRequest),
) -> R<Vec<u8>> {
    let mut req = EeEcaCertRequest {
        version: 1,
        current_time: now,
        tbs_data: obe_tbs(key.public_key(), now)?,
    };
    edit(&mut req);
    sign_request(key, req)
}
