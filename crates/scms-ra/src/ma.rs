//! The RA's side of the MA interfaces: the MA–RA requests of an investigation
//! (`maRaLCIRequest`, `maRaBlacklistRequest` by HPCR, `maRaRseObeIdBlacklistRequest` by
//! RIF, `maRaCDVRequest`, ma-ra.asn) and the intake, shuffling and forwarding of
//! misbehavior reports (EE → RA → MA).
//!
//! A RIF (Revocation Identifier Field, seed Use Case 16) is the HashedId8 of the device's
//! enrollment certificate, which identification and application certificates carry as
//! `binaryId`: blacklisting by RIF is the same blacklist as by HPCR. The RA cannot answer
//! a CDV request (the HashedId10s of the certificates issued under a RIF): the PCA's
//! responses are encrypted to the device and the certificates are implicit, so their
//! digests depend on values only the PCA and the device see; every RIF is answered with
//! `noCertificateDigestValuesKnownForRIF` (`raInvalidRIFValue` if the RIF is unknown).
//!
//! MA requests are a SignedData by the MA (certs/ma.oer, psid `SecurityMgmtPsid`) over an
//! unsecured `ScmsPDU`, encrypted (`certRecipInfo`) to the RA certificate. Replies are
//! SignedData by the RA (signer digest) encrypted to the MA certificate and echo
//! `requestHash` = HashedId8 of the COER `ToBeSignedData` of the request. Both are opened
//! and built with [`scms_core::pdu`].
//!
//! Misbehavior reports are encrypted to the MA: the RA cannot read them. It checks only
//! that the body is an encrypted 1609.2 SPDU, pools it, and once `report_threshold`
//! reports are pooled or the oldest is `report_max_age` old, forwards every pooled
//! report individually, in random order, through a [`MaClient`].

use scms_asn1::camp::base_types::LCIAndHostInfo;
use scms_asn1::camp::base_types::LinkageChainId;
use scms_asn1::camp::errors::{
    MaRaBaseErrorCode, MaRaBlacklistErrorCode, MaRaCDVErrorCode, MaRaError, MaRaLCIErrorCode,
    ScmsError,
};
use scms_asn1::camp::ma_ra::{
    BlacklistingStatus, BlacklistingStatusReply, CdvInfo, CdvInfoReply, HPCR2LCIReply,
    HPCR2LCIReplySuccess, MaRaInterfacePDU, RaMaBlacklistResponseMsg, RaMaCDVResponseMsg,
    RaMaLCIResponseMsg, RaMaRseObeIdBlacklistResponseMsg, RseObeIdBlacklistingStatus,
    RseObeIdBlacklistingStatusReply, HPCR2LCI,
};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::ieee1609dot2::{HashedId8, Hostname, Ieee1609Dot2Content, Ieee1609Dot2Data};
use scms_asn1::Coer;
use scms_core::encrypt::Decryptor;
use scms_core::pdu::{self, Envelope, OpenError, Peer};
use scms_crypto::Secret;

use crate::error::internal;
use crate::{Ra, RaError, RaErrorCode};

/// Largest misbehavior report accepted (bytes).
pub const MAX_REPORT: usize = 256 * 1024;

/// The RA's link to the MA for forwarding misbehavior reports.
pub trait MaClient: Send + Sync {
    /// Delivers one `SecuredMisbehaviorReport` (as the EE sent it) to the MA.
    fn forward_report(&self, report: &[u8]) -> Result<(), RaError>;
}

/// What [`Ra::forward_reports`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ForwardReport {
    /// Reports delivered to the MA (and removed from the pool).
    pub forwarded: usize,
    /// Reports still pooled.
    pub pooled: usize,
    /// Delivery failures (the reports stay pooled and are retried).
    pub errors: Vec<String>,
}

/// What blacklisting by RIF did.
enum RifOutcome {
    Blacklisted,
    Already,
    Unknown,
}

/// The answer for a RIF that names no device of this RA.
fn unknown_rif() -> ScmsError {
    ScmsError::MaRa(MaRaError::MaRaBaseError(
        MaRaBaseErrorCode::RaInvalidRIFValue,
    ))
}

fn ma_refused(detail: impl Into<String>) -> RaError {
    RaError::MaRequest(detail.into())
}

impl Ra {
    /// Accepts one misbehavior report (`POST /process-misbehavior-report`): it must be an
    /// encrypted 1609.2 SPDU (the RA cannot open it); it is pooled for forwarding.
    pub fn misbehavior_report(&self, body: &[u8], now: u32) -> Result<(), RaError> {
        if body.len() > MAX_REPORT {
            return Err(RaError::rejected(
                RaErrorCode::RaMalformedRequest,
                "misbehavior report too large",
            ));
        }
        let d = Ieee1609Dot2Data::from_coer(body).map_err(|e| {
            RaError::rejected(RaErrorCode::RaMalformedRequest, format!("report: {e}"))
        })?;
        if !matches!(d.content, Ieee1609Dot2Content::EncryptedData(_)) {
            return Err(RaError::rejected(
                RaErrorCode::RaRequestNotEncrypted,
                "misbehavior report is not encrypted",
            ));
        }
        let id = self.store.pool_report(body, now)?;
        tracing::info!(report = id, "misbehavior report pooled");
        Ok(())
    }

    /// Forwards the pooled reports to the MA, individually and shuffled, once
    /// `report_threshold` are pooled or the oldest is `report_max_age` seconds old. A
    /// report is removed from the pool only after the MA accepted it.
    pub fn forward_reports(&self, now: u32, ma: &dyn MaClient) -> Result<ForwardReport, RaError> {
        let mut pool = self.store.pooled_reports()?;
        let mut out = ForwardReport {
            pooled: pool.len(),
            ..ForwardReport::default()
        };
        let due = pool.len() >= self.settings.report_threshold as usize
            || pool
                .iter()
                .any(|r| now >= r.received_at.saturating_add(self.settings.report_max_age));
        if !due {
            return Ok(out);
        }
        for k in (1..pool.len()).rev() {
            let r = u64::from_be_bytes(*Secret::<8>::random().map_err(internal)?.expose());
            pool.swap(k, (r % (k as u64 + 1)) as usize);
        }
        for r in pool {
            match ma.forward_report(&r.body) {
                Ok(()) => {
                    self.store.remove_report(r.id)?;
                    out.forwarded += 1;
                    out.pooled -= 1;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "forwarding a misbehavior report failed; retrying later");
                    out.errors.push(e.to_string());
                    break;
                }
            }
        }
        if out.forwarded > 0 {
            tracing::info!(
                forwarded = out.forwarded,
                "misbehavior reports forwarded to the MA"
            );
        }
        Ok(out)
    }

    /// Handles one MA request (`maRaLCIRequest`, `maRaBlacklistRequest`,
    /// `maRaRseObeIdBlacklistRequest` or `maRaCDVRequest`, COER, encrypted to the RA and
    /// signed by the MA) and returns the RA's signed reply encrypted to the MA.
    pub fn handle_ma(&self, request: &[u8], now: u32) -> Result<Vec<u8>, RaError> {
        let result = self.handle_ma_inner(request, now);
        if let Err(e) = &result {
            tracing::warn!(error = %e, "MA request refused");
        }
        result
    }

    fn handle_ma_inner(&self, request: &[u8], now: u32) -> Result<Vec<u8>, RaError> {
        let ma = self
            .ma
            .as_ref()
            .ok_or_else(|| RaError::Setup("no certs/ma.oer".into()))?;
        let envelope = Envelope::Encrypted(Decryptor::Certificate {
            cert: &self.cert,
            key: &self.enc_key,
        });
        let opened = pdu::open(self.backend(), request, envelope, ma).map_err(|e| {
            ma_refused(match &e {
                OpenError::NotSigned => "raNoMaAuthorizationSignature".to_owned(),
                OpenError::WrongSigner | OpenError::WrongPsid => {
                    "raInvalidMaAuthorizationSignature: signer".to_owned()
                }
                OpenError::Signature(_) => format!("raInvalidMaAuthorizationSignature: {e}"),
                _ => format!("raInvalidInputValueFormat: {e}"),
            })
        })?;
        let (msg, rh) = (opened.pdu, opened.request_hash);
        let ra_id = Hostname::new(self.settings.ra_host.clone())
            .map_err(|_| internal("RA hostname too long"))?;
        let reply = match msg.content {
            ScmsPDUContent::MaRa(MaRaInterfacePDU::MaRaLCIRequest(m)) => {
                let mut lci_info = Vec::with_capacity(m.tbs.hpcr.len());
                for h in &m.tbs.hpcr {
                    let reply = match self.lci_of(h)? {
                        Some(info) => HPCR2LCIReply::Success(HPCR2LCIReplySuccess {
                            group_identifier: [0; 4],
                            info,
                        }),
                        None => HPCR2LCIReply::Failure(ScmsError::MaRa(MaRaError::MaRaLciError(
                            MaRaLCIErrorCode::NoLinkageChainIdentifiersKnownForHPCR,
                        ))),
                    };
                    lci_info.push(HPCR2LCI { hpcr: *h, reply });
                }
                tracing::info!(hpcr = m.tbs.hpcr.len(), "LinkageChainIds given to the MA");
                MaRaInterfacePDU::RaMaLCIResponse(RaMaLCIResponseMsg {
                    version: 1,
                    request_hash: rh,
                    ra_id,
                    lci_info,
                })
            }
            ScmsPDUContent::MaRa(MaRaInterfacePDU::MaRaBlacklistRequest(m)) => {
                let mut status = Vec::with_capacity(m.tbs.hpcr.len());
                for h in &m.tbs.hpcr {
                    let reply = match self.device_of(h)? {
                        Some(enr) if self.store.is_blacklisted(&enr)? => {
                            BlacklistingStatusReply::Failure(ScmsError::MaRa(
                                MaRaError::MaRaBlacklistError(
                                    MaRaBlacklistErrorCode::AlreadyBlacklisted,
                                ),
                            ))
                        }
                        Some(enr) => {
                            self.blacklist(enr, now)?;
                            BlacklistingStatusReply::Success(())
                        }
                        None => BlacklistingStatusReply::Failure(ScmsError::MaRa(
                            MaRaError::MaRaBaseError(MaRaBaseErrorCode::RaInvalidHashRequest),
                        )),
                    };
                    status.push(BlacklistingStatus { hpcr: *h, reply });
                }
                MaRaInterfacePDU::RaMaBlacklistResponse(RaMaBlacklistResponseMsg {
                    version: 1,
                    request_hash: rh,
                    ra_id,
                    status,
                })
            }
            ScmsPDUContent::MaRa(MaRaInterfacePDU::MaRaRseObeIdBlacklistRequest(m)) => {
                let mut status = Vec::with_capacity(m.tbs.rif.len());
                for rif in &m.tbs.rif {
                    let reply = match self.blacklist_rif(rif, now)? {
                        RifOutcome::Blacklisted => RseObeIdBlacklistingStatusReply::Success(()),
                        RifOutcome::Already => RseObeIdBlacklistingStatusReply::Failure(
                            ScmsError::MaRa(MaRaError::MaRaBlacklistError(
                                MaRaBlacklistErrorCode::AlreadyBlacklisted,
                            )),
                        ),
                        RifOutcome::Unknown => {
                            RseObeIdBlacklistingStatusReply::Failure(unknown_rif())
                        }
                    };
                    status.push(RseObeIdBlacklistingStatus { rif: *rif, reply });
                }
                MaRaInterfacePDU::RaMaRseObeIdBlacklistResponse(RaMaRseObeIdBlacklistResponseMsg {
                    version: 1,
                    request_hash: rh,
                    ra_id,
                    status,
                })
            }
            ScmsPDUContent::MaRa(MaRaInterfacePDU::MaRaCDVRequest(m)) => {
                let mut cdv_info = Vec::with_capacity(m.tbs.rif_values.len());
                for rif in &m.tbs.rif_values {
                    let reply = if self.store.streams_of(rif)?.is_empty() {
                        CdvInfoReply::Failure(unknown_rif())
                    } else {
                        CdvInfoReply::Failure(ScmsError::MaRa(MaRaError::MaRaCdvError(
                            MaRaCDVErrorCode::NoCertificateDigestValuesKnownForRIF,
                        )))
                    };
                    cdv_info.push(CdvInfo { rif: *rif, reply });
                }
                MaRaInterfacePDU::RaMaCDVResponse(RaMaCDVResponseMsg {
                    version: 1,
                    request_hash: rh,
                    ra_id,
                    cdv_info,
                })
            }
            _ => {
                return Err(ma_refused(
                    "raInvalidInputValueFormat: not an MA–RA request",
                ))
            }
        };
        self.ma_reply(ma, reply)
    }

    /// Blacklists the device whose enrollment certificate has HashedId8 `rif`, if the RA
    /// knows it (it made requests here).
    fn blacklist_rif(&self, rif: &HashedId8, now: u32) -> Result<RifOutcome, RaError> {
        if self.store.is_blacklisted(rif)? {
            return Ok(RifOutcome::Already);
        }
        if self.store.streams_of(rif)?.is_empty() {
            return Ok(RifOutcome::Unknown);
        }
        self.blacklist(*rif, now)?;
        Ok(RifOutcome::Blacklisted)
    }

    /// The enrollment certificate HashedId8 behind an HPCR.
    fn device_of(&self, hpcr: &[u8; 32]) -> Result<Option<HashedId8>, RaError> {
        let Some(rec) = self.store.hpcr(hpcr)? else {
            return Ok(None);
        };
        Ok(self.store.stream(rec.stream_id)?.map(|s| s.enrollment_id))
    }

    /// The LinkageChainIds and iMax of the chain an HPCR's request belongs to.
    fn lci_of(&self, hpcr: &[u8; 32]) -> Result<Option<LCIAndHostInfo>, RaError> {
        let Some(rec) = self.store.hpcr(hpcr)? else {
            return Ok(None);
        };
        let Some(s) = self.store.stream(rec.stream_id)? else {
            return Ok(None);
        };
        let (Some(c1), Some(c2)) = (&s.la1_chain, &s.la2_chain) else {
            return Ok(None);
        };
        let host = |h: &str| {
            Hostname::new(h.to_owned()).map_err(|_| internal(format!("hostname too long: {h}")))
        };
        // iMax: the last period requests exist for (the chain is not extended afterwards
        // once the device is blacklisted).
        let i_max = s.next_i.saturating_sub(1).max(rec.i);
        Ok(Some(LCIAndHostInfo {
            i_max: i_max.to_be_bytes(),
            la1_lci: LinkageChainId::from_coer(c1).map_err(internal)?,
            la2_lci: LinkageChainId::from_coer(c2).map_err(internal)?,
            la1_id: host(&self.settings.la1_host)?,
            la2_id: host(&self.settings.la2_host)?,
        }))
    }

    /// Signs `m` (RA, signer digest) and encrypts it to the MA certificate.
    fn ma_reply(&self, ma: &Peer, m: MaRaInterfacePDU) -> Result<Vec<u8>, RaError> {
        if ma.encryption_key().is_none() {
            return Err(RaError::Setup("certs/ma.oer has no encryption key".into()));
        }
        let reply = ScmsPDU {
            version: 1,
            content: ScmsPDUContent::MaRa(m),
        };
        let signed = pdu::sign_payload(self.signer.as_ref(), &self.cert, reply.to_coer(), None)
            .map_err(internal)?;
        Ok(pdu::encrypt_to(self.backend(), &signed, ma)
            .map_err(internal)?
            .to_coer())
    }
}
