//! The EE-facing operations: provisioning requests (Step 3.1, 13.1, 19.1), the
//! authenticated downloads, the RA certificate, LPF and LCCF.

use base64::Engine;
use scms_asn1::camp::cert_chain_files::CertificateChainFiles;
use scms_asn1::camp::component_cert_management::CompositeCrl;
use scms_asn1::camp::ee_ra::{
    EeRaAppCertProvisioningRequest, EeRaIdCertProvisioningRequest,
    EeRaPseudonymCertProvisioningRequest, EndEntityRaInterfacePDU, PseudonymCertProvisioningAck,
    RaEeCertResponseAck, RaEeCertResponseMsg, RaEeCertResponseMsgReply,
    RaEePseudonymCertProvisioningAck, RaEePseudonymCertProvisioningAckReply,
    UnsignedButterflyParams,
};
use scms_asn1::camp::protocol::{ScmsFile, ScmsFileContent, ScmsPDU, ScmsPDUContent};
use scms_asn1::ieee1609dot2::{
    Certificate, HashedId8, Hostname, Ieee1609Dot2Content, Ieee1609Dot2Data, IssuerIdentifier,
    Psid, SignerIdentifier, SubjectPermissions,
};
use scms_asn1::Coer;
use scms_core::chain::validate_chain;
use scms_core::convert::{encryption_key, point, verification_key};
use scms_core::encrypt::{decrypt, encrypt, Decryptor, Recipient};
use scms_core::hash::{certificate_id8, hashed_id};
use scms_core::profile::CertKind;
use scms_core::sign::{self, SignerId};
use scms_core::time::i_period;
use scms_core::CoreError;
use scms_crypto::hash::sha256;
use scms_crypto::Point;
use scms_store::ra::{Stream, StreamKind};

use crate::error::internal;
use crate::files::{self, etag_name, parse_name, DownloadKind, FileBytes, Served};
use crate::messages::{certificate_request, signed_data, unsecured};
use crate::{Ra, RaError, RaErrorCode};

use RaErrorCode::*;

fn reject(code: RaErrorCode, detail: impl Into<String>) -> RaError {
    let e = RaError::rejected(code, detail);
    tracing::info!(error = %e, "EE request rejected");
    e
}

/// An authenticated EE request.
pub(crate) struct Authenticated {
    pub(crate) cert: Certificate,
    pub(crate) enrollment_id: HashedId8,
    /// HashedId8 of the COER `tbsRequest` (the ScopedXxxRequest the EE signed).
    pub(crate) request_hash: HashedId8,
    pub(crate) pdu: EndEntityRaInterfacePDU,
}

/// The checked butterfly parameters (caterpillar point and expansion key).
fn butterfly(p: &UnsignedButterflyParams, what: &str) -> Result<Point, RaError> {
    if p.expansion == [0u8; 16] {
        return Err(reject(
            RaWrongParameters,
            format!("{what}: zero expansion key"),
        ));
    }
    point(&p.seed_key).map_err(|e| reject(RaWrongParameters, format!("{what}: {e}")))
}

const YEAR: u32 = 366 * 24 * 3600;

impl Ra {
    /// Decrypts (if `body` is encrypted), decodes and authenticates a signed EE request:
    /// blacklist, enrollment chain and ECA whitelist, signature, request rate.
    pub(crate) fn authenticate(
        &self,
        body: &[u8],
        now: u32,
        must_be_encrypted: bool,
        count_attempt: bool,
    ) -> Result<Authenticated, RaError> {
        let data = Ieee1609Dot2Data::from_coer(body)
            .map_err(|e| reject(RaMalformedRequest, format!("SPDU: {e}")))?;
        if data.protocol_version != 3 {
            return Err(reject(RaMalformedRequest, "protocolVersion is not 3"));
        }
        let signed = match &data.content {
            Ieee1609Dot2Content::EncryptedData(ed) => {
                let plain = decrypt(
                    self.backend(),
                    ed,
                    Decryptor::Certificate {
                        cert: &self.cert,
                        key: &self.enc_key,
                    },
                )
                .map_err(|e| match e {
                    CoreError::NoRecipient => {
                        reject(RaMismatch, "not encrypted to this RA's certificate")
                    }
                    other => reject(RaMalformedRequest, format!("decryption: {other}")),
                })?;
                Ieee1609Dot2Data::from_coer(&plain)
                    .map_err(|e| reject(RaMalformedRequest, format!("inner SPDU: {e}")))?
            }
            Ieee1609Dot2Content::SignedCertificateRequest(_) if !must_be_encrypted => data,
            _ => return Err(reject(RaRequestNotEncrypted, "not encryptedData")),
        };
        let scr = match certificate_request(&signed) {
            None => return Err(reject(RaInvalidSignature, "not a signedCertificateRequest")),
            Some(Err(e)) => {
                return Err(reject(
                    RaMalformedRequest,
                    format!("SignedCertificateRequest: {e}"),
                ))
            }
            Some(Ok(scr)) => scr,
        };
        let cert = match &scr.signer {
            SignerIdentifier::Certificate(list) if list.len() == 1 => list[0].clone(),
            _ => {
                return Err(reject(
                    RaInvalidSignature,
                    "signer is not one enrollment certificate",
                ))
            }
        };
        let enrollment_id = certificate_id8(&cert);
        if self.store.is_blacklisted(&enrollment_id)? {
            return Err(reject(
                RaBlacklisted,
                format!("device {}", hex::encode(enrollment_id)),
            ));
        }
        let chain = validate_chain(self.backend(), &cert, &self.intermediates, &self.trust, now)
            .map_err(|e| reject(RaInvalidCredentials, format!("enrollment chain: {e}")))?;
        match &cert.issuer {
            IssuerIdentifier::Sha256AndDigest(h) if self.eca_ids.contains(h) => {}
            _ => {
                return Err(reject(
                    RaInvalidCredentials,
                    "enrollment certificate not from an ECA of this RA",
                ))
            }
        }
        let kind = chain.leaf_kind;
        if !matches!(
            kind,
            Some(CertKind::ObeEnrollment) | Some(CertKind::RseEnrollment)
        ) {
            return Err(reject(
                RaInvalidCredentials,
                "signer is not an enrollment certificate",
            ));
        }
        sign::verify_certificate_request(self.backend(), &scr, Some(&cert), &chain.leaf_key)
            .map_err(|e| reject(RaInvalidSignature, format!("signature: {e}")))?;
        if count_attempt {
            let n = self.store.record_attempt(&enrollment_id, now, 3600)?;
            if n > self.settings.max_requests_per_hour {
                return Err(reject(
                    RaMoreThanAllowedTries,
                    format!("{n} requests in the last hour"),
                ));
            }
        }
        if scr.tbs_request.version != 1 {
            return Err(reject(RaWrongParameters, "ScmsPDU version is not 1"));
        }
        let request_hash = hashed_id(&scr.tbs_request.to_coer());
        let ScmsPDUContent::EeRa(pdu) = scr.tbs_request.content else {
            return Err(reject(RaMalformedRequest, "not an ee-ra message"));
        };
        Ok(Authenticated {
            cert,
            enrollment_id,
            request_hash,
            pdu,
        })
    }

    fn check_time(&self, t: u32, now: u32) -> Result<(), RaError> {
        if t.abs_diff(now) > self.settings.client_signature_ttl {
            return Err(reject(
                RaInvalidTimeReceived,
                format!("signed time {t}, RA time {now}"),
            ));
        }
        Ok(())
    }

    /// The enrollment certificate must permit the request: enrollment certificates of
    /// OBEs and RSEs share one profile, so the device kind is read from the PSIDs of
    /// `certRequestPermissions` (an OBE requests BSM 0x20; an RSE does not and requests
    /// at least one PSID besides misbehavior reporting 0x26).
    fn check_permissions(&self, a: &Authenticated, want: CertKind) -> Result<(), RaError> {
        let mut psids = Vec::new();
        for g in a
            .cert
            .to_be_signed
            .cert_request_permissions
            .iter()
            .flatten()
        {
            if let SubjectPermissions::Explicit(list) = &g.subject_permissions {
                psids.extend(list.iter().map(|r| r.psid));
            }
        }
        let bsm = psids.contains(&Psid::new(0x20));
        let ok = match want {
            CertKind::ObeEnrollment => bsm,
            _ => !bsm && psids.iter().any(|p| *p != Psid::new(0x26)),
        };
        if !ok {
            return Err(reject(
                RaUnauthorizedRequest,
                format!("the enrollment certificate does not permit this request ({want} needed)"),
            ));
        }
        Ok(())
    }

    fn ack(
        &self,
        request_hash: HashedId8,
        pdu: fn(RaEePseudonymCertProvisioningAck) -> EndEntityRaInterfacePDU,
        dl_time: u32,
    ) -> Result<Ieee1609Dot2Data, RaError> {
        let ack = RaEePseudonymCertProvisioningAck {
            version: 1,
            request_hash,
            reply: RaEePseudonymCertProvisioningAckReply::Ack(PseudonymCertProvisioningAck {
                cert_dl_time: dl_time,
                cert_dl_url: Hostname::new(self.settings.cert_dl_url.clone())
                    .map_err(|e| internal(format!("certDLURL: {e:?}")))?,
            }),
        };
        let scoped = ScmsPDU {
            version: 1,
            content: ScmsPDUContent::EeRa(pdu(ack)),
        };
        signed_data(
            self.signer.as_ref(),
            SignerId::Digest(&self.cert),
            &scoped,
            None,
        )
    }

    fn encrypt_ack(&self, ack: &Ieee1609Dot2Data, to: &Point) -> Result<Vec<u8>, RaError> {
        let ed =
            encrypt(self.backend(), &ack.to_coer(), &[Recipient::Key(to)]).map_err(internal)?;
        Ok(Ieee1609Dot2Data {
            protocol_version: 3,
            content: Ieee1609Dot2Content::EncryptedData(ed),
        }
        .to_coer())
    }

    fn first_dl_time(&self, now: u32) -> u32 {
        if self.settings.initial_provisioning_bypass {
            now
        } else {
            now.saturating_add(self.settings.max_cert_request_age)
        }
    }

    fn new_stream(
        &self,
        a: &Authenticated,
        kind: StreamKind,
        request: Vec<u8>,
        first_i: u32,
        now: u32,
    ) -> Result<i64, RaError> {
        let s = Stream {
            id: 0,
            request_hash: a.request_hash,
            enrollment_id: a.enrollment_id,
            kind,
            enrollment_cert: a.cert.to_coer(),
            request,
            first_i,
            next_i: first_i,
            la1_chain: None,
            la2_chain: None,
            accepted_at: now,
            last_seen: now,
        };
        let id = self.store.insert_stream(&s)?.ok_or_else(|| {
            reject(
                RaDuplicateRequestReceived,
                format!(
                    "request {} from device {}",
                    files::hash16(&a.request_hash),
                    hex::encode(a.enrollment_id)
                ),
            )
        })?;
        tracing::info!(
            stream = id,
            kind = ?kind,
            request = %files::hash16(&a.request_hash),
            "provisioning request accepted"
        );
        Ok(id)
    }

    fn check_not_duplicate(
        &self,
        a: &Authenticated,
        same: impl Fn(&Stream) -> bool,
    ) -> Result<(), RaError> {
        if self.store.stream_by_hash(&a.request_hash)?.is_some()
            || self.store.streams_of(&a.enrollment_id)?.iter().any(same)
        {
            return Err(reject(
                RaDuplicateRequestReceived,
                format!(
                    "request {} from device {}",
                    files::hash16(&a.request_hash),
                    hex::encode(a.enrollment_id)
                ),
            ));
        }
        Ok(())
    }

    /// `POST /provision-pseudonym-certificate-batch`: a `SecuredPseudonymCertProvisioningRequest`
    /// → the COER `SignedPseudonymCertProvisioningAck`.
    pub fn provision_pseudonym(&self, body: &[u8], now: u32) -> Result<Vec<u8>, RaError> {
        let a = self.authenticate(body, now, true, true)?;
        let EndEntityRaInterfacePDU::EeRaPseudonymCertProvisioningRequest(req) = &a.pdu else {
            return Err(reject(
                RaMalformedRequest,
                "not a pseudonym provisioning request",
            ));
        };
        self.check_time(req.common.current_time, now)?;
        if req.version != 1 {
            return Err(reject(RaWrongParameters, "request version is not 1"));
        }
        self.check_permissions(&a, CertKind::ObeEnrollment)?;
        butterfly(&req.verify_key_info, "verify-key-info")?;
        butterfly(&req.resp_enc_key_info, "resp-enc-key-info")?;
        let start = req.common.requested_start_time;
        if start > now.saturating_add(YEAR) {
            return Err(reject(
                RaWrongParameters,
                "requested start more than a year ahead",
            ));
        }
        let first_i = i_period(start.max(now))
            .ok_or_else(|| reject(RaWrongParameters, "requested start before i = 0"))?;
        self.check_not_duplicate(&a, |s| {
            s.kind == StreamKind::Pseudonym
                && EeRaPseudonymCertProvisioningRequest::from_coer(&s.request).is_ok_and(|o| {
                    o.verify_key_info == req.verify_key_info
                        && o.resp_enc_key_info == req.resp_enc_key_info
                })
        })?;
        self.new_stream(&a, StreamKind::Pseudonym, req.to_coer(), first_i, now)?;
        let ack = self.ack(
            a.request_hash,
            EndEntityRaInterfacePDU::RaEePseudonymCertProvisioningAck,
            self.first_dl_time(now),
        )?;
        Ok(ack.to_coer())
    }

    /// `POST /provision-identity-certificate`: a `SecuredIdCertProvisioningRequest` → the
    /// COER `SecuredIdCertProvisioningAck` (the signed ack encrypted to the response
    /// encryption caterpillar key `resp-enc-key-info.seed-key`, rekRecipInfo).
    pub fn provision_identity(&self, body: &[u8], now: u32) -> Result<Vec<u8>, RaError> {
        let a = self.authenticate(body, now, true, true)?;
        let EndEntityRaInterfacePDU::EeRaIdCertProvisioningRequest(req) = &a.pdu else {
            return Err(reject(
                RaMalformedRequest,
                "not an identification provisioning request",
            ));
        };
        self.check_time(req.common.current_time, now)?;
        if req.version != 1 {
            return Err(reject(RaWrongParameters, "request version is not 1"));
        }
        self.check_permissions(&a, CertKind::ObeEnrollment)?;
        butterfly(&req.verify_key_info, "verify-key-info")?;
        let resp_key = butterfly(&req.resp_enc_key_info, "resp-enc-key-info")?;
        if let Some(c) = &req.cert_enc_key_info {
            butterfly(c, "cert-enc-key-info")?;
        }
        let start = req.common.requested_start_time;
        if start > now.saturating_add(YEAR) {
            return Err(reject(
                RaWrongParameters,
                "requested start more than a year ahead",
            ));
        }
        let first_i = self.local_i(&a.cert, start.max(now));
        self.check_not_duplicate(&a, |s| {
            s.kind == StreamKind::Identity
                && EeRaIdCertProvisioningRequest::from_coer(&s.request)
                    .is_ok_and(|o| o.verify_key_info == req.verify_key_info)
        })?;
        self.new_stream(&a, StreamKind::Identity, req.to_coer(), first_i, now)?;
        let ack = self.ack(
            a.request_hash,
            EndEntityRaInterfacePDU::RaEeIdCertProvisioningAck,
            now,
        )?;
        self.encrypt_ack(&ack, &resp_key)
    }

    /// `POST /provision-application-certificate`: a `SecuredAppCertProvisioningRequest` →
    /// the COER `SecuredAppCertProvisioningAck` (the signed ack encrypted to the
    /// request's `response-encryption-key`, rekRecipInfo).
    pub fn provision_application(&self, body: &[u8], now: u32) -> Result<Vec<u8>, RaError> {
        let a = self.authenticate(body, now, true, true)?;
        let EndEntityRaInterfacePDU::EeRaAppCertProvisioningRequest(req) = &a.pdu else {
            return Err(reject(
                RaMalformedRequest,
                "not an application provisioning request",
            ));
        };
        self.check_time(req.common.current_time, now)?;
        if req.version != 1 {
            return Err(reject(RaWrongParameters, "request version is not 1"));
        }
        self.check_permissions(&a, CertKind::RseEnrollment)?;
        verification_key(&req.verify_key)
            .map_err(|e| reject(RaWrongParameters, format!("verify-key: {e}")))?;
        let resp_key = encryption_key(&req.response_encryption_key)
            .map_err(|e| reject(RaWrongParameters, format!("response-encryption-key: {e}")))?;
        if let Some(k) = &req.cert_encryption_key {
            encryption_key(k)
                .map_err(|e| reject(RaWrongParameters, format!("cert-encryption-key: {e}")))?;
        }
        let start = req.common.requested_start_time;
        if start > now.saturating_add(YEAR) || start.saturating_add(3600) < now {
            return Err(reject(RaWrongParameters, "requested start out of range"));
        }
        if self.store.stream_by_hash(&a.request_hash)?.is_some() {
            return Err(reject(RaDuplicateRequestReceived, "same request again"));
        }
        let validity = u32::from(self.settings.application_validity_hours) * 3600;
        let end = start.saturating_add(validity);
        for s in self.store.streams_of(&a.enrollment_id)? {
            if s.kind != StreamKind::Application {
                continue;
            }
            let Ok(o) = EeRaAppCertProvisioningRequest::from_coer(&s.request) else {
                continue;
            };
            let (os, oe) = (
                o.common.requested_start_time,
                o.common.requested_start_time.saturating_add(validity),
            );
            let overlap = end.min(oe).saturating_sub(start.max(os));
            if overlap > self.settings.application_overlap {
                return Err(reject(
                    RaRequestForMultipleCerts,
                    format!(
                        "overlaps the certificate of request {}",
                        files::hash16(&s.request_hash)
                    ),
                ));
            }
        }
        self.new_stream(&a, StreamKind::Application, req.to_coer(), 0, now)?;
        let ack = self.ack(
            a.request_hash,
            EndEntityRaInterfacePDU::RaEeAppCertProvisioningAck,
            now,
        )?;
        self.encrypt_ack(&ack, &resp_key)
    }

    /// Local i of identification certificates: 0 at the enrollment certificate's
    /// validity start, one period = duration − overlap (720 h).
    pub(crate) fn local_i(&self, enrollment: &Certificate, t: u32) -> u32 {
        let start = enrollment.to_be_signed.validity_period.start;
        t.saturating_sub(start) / self.settings.identity_period.max(1)
    }

    /// `POST /retrieve-ra-certificate`: a `SecuredRACertRequest` (unsecuredData with a
    /// `ScopedEeRaCertRequest`) → the COER `SecuredRACertResponse` (unsecuredData with
    /// the RA certificate and the current composite CRL, ee-ra.asn `RaEeCertResponseAck`).
    pub fn retrieve_ra_certificate(&self, body: &[u8]) -> Result<Vec<u8>, RaError> {
        let data = Ieee1609Dot2Data::from_coer(body)
            .map_err(|e| reject(RaMalformedRequest, format!("SPDU: {e}")))?;
        let Ieee1609Dot2Content::UnsecuredData(o) = &data.content else {
            return Err(reject(RaMalformedRequest, "not unsecuredData"));
        };
        let pdu = ScmsPDU::from_coer(o.as_bytes())
            .map_err(|e| reject(RaMalformedRequest, format!("ScmsPDU: {e}")))?;
        match pdu.content {
            ScmsPDUContent::EeRa(EndEntityRaInterfacePDU::EeRaCertRequest(r)) if r.version == 1 => {
            }
            _ => return Err(reject(RaMalformedRequest, "not an EeRaCertRequest")),
        }
        let crl_path = self.files_dir().join("CRL.oer");
        let crl = std::fs::read(&crl_path).map_err(|e| {
            reject(
                RaCertFileUnavailable,
                format!("{}: {e}", crl_path.display()),
            )
        })?;
        let crl = CompositeCrl::from_coer(&crl).map_err(internal)?;
        let resp = ScmsPDU {
            version: 1,
            content: ScmsPDUContent::EeRa(EndEntityRaInterfacePDU::RaEeCertResponse(
                RaEeCertResponseMsg {
                    version: 1,
                    reply: RaEeCertResponseMsgReply::Ack(RaEeCertResponseAck {
                        ra_certificate: self.cert.clone(),
                        crl,
                    }),
                },
            )),
        };
        Ok(unsecured(&resp)?.to_coer())
    }

    /// The authenticated downloads (`GET /download/batch`, `/download/info`,
    /// `/download/identity-certificate`, `/download/application-certificate`):
    /// `download_req` is the `Download-Req` header, Base64 of a COER
    /// `SecuredAuthenticatedDownloadRequest` (or of the bare
    /// `SignedAuthenticatedDownloadRequest`). Returns the whole file (the HTTP layer
    /// applies `Range`).
    pub fn download(
        &self,
        kind: DownloadKind,
        download_req: &str,
        now: u32,
    ) -> Result<FileBytes, RaError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(download_req.trim())
            .map_err(|e| {
                reject(
                    RaMalformedRequest,
                    format!("Download-Req is not Base64: {e}"),
                )
            })?;
        let a = self.authenticate(&bytes, now, false, false)?;
        let EndEntityRaInterfacePDU::EeRaAuthenticatedDownloadRequest(req) = &a.pdu else {
            return Err(reject(
                RaMalformedRequest,
                "not an AuthenticatedDownloadRequest",
            ));
        };
        self.check_time(req.timestamp, now)?;
        let (hash, name) = parse_name(kind, &req.filename.0)?;
        let stream = self
            .store
            .stream_by_hash(&hash)?
            .ok_or_else(|| reject(RaCertFileUnavailable, format!("{name}: unknown request")))?;
        if stream.enrollment_id != a.enrollment_id {
            return Err(reject(
                RaUnauthorizedRequest,
                format!("{name} belongs to another device"),
            ));
        }
        let kind_ok = matches!(
            (kind, stream.kind),
            (DownloadKind::Batch, StreamKind::Pseudonym)
                | (DownloadKind::Info, StreamKind::Pseudonym)
                | (DownloadKind::Info, StreamKind::Identity)
                | (DownloadKind::Identity, StreamKind::Identity)
                | (DownloadKind::Application, StreamKind::Application)
        );
        if !kind_ok {
            return Err(reject(
                RaCertFileUnavailable,
                format!("{name}: not a {kind:?} file"),
            ));
        }
        self.store.touch(stream.id, now)?;
        let (_, bytes) = self
            .store
            .file(&name)?
            .ok_or_else(|| reject(RaCertFileUnavailable, format!("{name} not generated")))?;
        Ok(FileBytes { name, bytes })
    }

    fn served(&self, name: String, bytes: Vec<u8>, if_none_match: Option<&str>) -> Served {
        if if_none_match.is_some_and(|v| v.split(',').any(|t| etag_name(t) == name)) {
            Served::NotModified
        } else {
            Served::File(FileBytes { name, bytes })
        }
    }

    /// `GET /download/policy/local`: the LPF (`files/LPF.oer`) as
    /// `local_policy_<X>_<Y>.oer` (X: counter of GPF changes, Y: counter of LPF changes,
    /// 4 hex digits from 0000), or [`Served::NotModified`] if `If-None-Match` names it.
    pub fn local_policy(&self, if_none_match: Option<&str>) -> Result<Served, RaError> {
        let dir = self.files_dir();
        let lpf = std::fs::read(dir.join("LPF.oer"))
            .map_err(|e| reject(RaCertFileUnavailable, format!("LPF.oer: {e}")))?;
        let gpf = std::fs::read(dir.join("GPF.oer")).unwrap_or_default();
        let x = self.store.file_version("GPF.oer", &sha256(&gpf))?;
        let y = self.store.file_version("LPF.oer", &sha256(&lpf))?;
        Ok(self.served(
            format!("local_policy_{x:04X}_{y:04X}.oer"),
            lpf,
            if_none_match,
        ))
    }

    /// `GET /download/local-certificate-chain`: the LCCF (`files/LCCF.oer`) as
    /// `local_certificate_chains_<X>_<Y>.oer` (X = its `gccfVersion`, Y = its
    /// `lccfVersion`, 4 hex digits), or [`Served::NotModified`].
    pub fn local_certificate_chain(&self, if_none_match: Option<&str>) -> Result<Served, RaError> {
        let lccf = std::fs::read(self.files_dir().join("LCCF.oer")).map_err(|e| {
            reject(
                RaNoPcaCertificateChainFileAvailable,
                format!("LCCF.oer: {e}"),
            )
        })?;
        let (x, y) = match ScmsFile::from_coer(&lccf) {
            Ok(ScmsFile {
                content:
                    ScmsFileContent::CertChain(CertificateChainFiles::LocalCertificateChainFile(l)),
                ..
            }) => (l.version.gccf_version, l.version.lccf_version),
            _ => {
                return Err(reject(
                    RaNoPcaCertificateChainFileAvailable,
                    "LCCF.oer is not a LocalCertificateChainFile",
                ))
            }
        };
        Ok(self.served(
            format!("local_certificate_chains_{x:04X}_{y:04X}.oer"),
            lccf,
            if_none_match,
        ))
    }
}
