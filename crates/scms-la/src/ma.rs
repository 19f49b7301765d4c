//! The LA side of the LA–MA interface (la-ma.asn, seed Use Case 8): linkage seeds of chains
//! the MA names by LinkageChainId, so it can revoke them.
//!
//! - **In**: `SignedLSRequest` = `Ieee1609Dot2Data { signedData }` signed by the MA
//!   certificate (`certs/ma.oer`; signer `digest` or `certificate`), psid `SecurityMgmtPsid`,
//!   payload `ScmsPDU { la-ma: maLaLinkageSeedRequest }` with `maId` = the MA's FQDN. (The
//!   LA certificate has no encryption key, so the request is not encrypted: TLS protects it.)
//! - **Out**: `SecuredLSReply` = an `EncryptedData` (one `certRecipInfo` to the MA
//!   certificate's encryption key) of the `SignedLSReply`: SignedData by the LA (signer
//!   digest, psid `SecurityMgmtPsid`, no other header field) over `ScmsPDU { la-ma:
//!   laMaLinkageSeedResponse { requestHash, laId = LA FQDN, lsInfo } }`.
//!   `requestHash` = HashedId8 of the COER `ToBeSignedData` of the MA's SignedData.
//! - **Which seed**: the request carries no i; the LA answers `ls(i)` for the *current*
//!   i-period by its clock (`i ≥` the chain's start, else `laInvalidLinkageValue`). It never
//!   hands out a seed of an earlier period — that would link the device's past certificates
//!   — and never a pre-linkage or linkage value. Only its own seed: the other LA's half of
//!   the linkage value stays with the other LA.
//! - Per LCI: unknown or foreign → `failure linkageChainIdentifierUnknown`; more than
//!   [`MAX_LCIS`] LCIs → `laNumberOfLciValuesExceeded` for every entry.

use scms_asn1::camp::base_types::LinkageSeedAndLaId;
use scms_asn1::camp::errors::{LaMaError, LaMaLinkageSeedErrorCode, ScmsError};
use scms_asn1::camp::la_ma::{LCI2LSReply, LaMaInterfacePDU, LaMaLinkageSeedResponseMsg, LCI2LS};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::ieee1609dot2::{
    Certificate, HashedId8, Ieee1609Dot2Content, Ieee1609Dot2Data, Psid, SignedDataPayload,
    SignerIdentifier, ToBeSignedData,
};
use scms_asn1::Coer;
use scms_ca::{Config, Layout};
use scms_core::convert::encryption_key;
use scms_core::encrypt::{encrypt, Recipient};
use scms_core::hash::{certificate_id8, hashed_id};
use scms_core::sign::{self, SignerId};
use scms_core::time::i_period;
use scms_crypto::{CurveBackend, Point};

use crate::{header, hostname, read_cert, unsecured, La, LaError, SECURITY_MGMT_PSID};

/// Most LinkageChainIds in one request.
pub const MAX_LCIS: usize = 1_000;

/// What the LA knows of the MA.
pub(crate) struct MaPeer {
    name: String,
    cert: Certificate,
    key: Point,
    enc_key: Point,
}

impl MaPeer {
    /// `certs/ma.oer` (signature and encryption keys) and the MA's FQDN.
    pub(crate) fn load(
        layout: &Layout,
        cfg: &Config,
        backend: &dyn CurveBackend,
    ) -> Result<MaPeer, LaError> {
        let cert = read_cert(layout, "ma")?;
        let key = sign::certificate_key(backend, &cert, None)?;
        let enc = cert
            .to_be_signed
            .encryption_key
            .as_ref()
            .ok_or_else(|| LaError::Setup("certs/ma.oer has no encryption key".into()))?;
        Ok(MaPeer {
            name: cfg.fqdn("ma"),
            enc_key: encryption_key(enc)?,
            cert,
            key,
        })
    }
}

impl La {
    /// Handles one MA→LA message: a `SignedLSRequest` (COER); returns the `SecuredLSReply`
    /// (COER). A request not signed by the MA is refused with an error (HTTP 500).
    pub fn handle_ma(&self, request: &[u8]) -> Result<Vec<u8>, LaError> {
        let result = self.handle_ma_inner(request);
        if let Err(e) = &result {
            tracing::warn!(la = self.which.name(), error = %e, "MA request refused");
        }
        result
    }

    fn handle_ma_inner(&self, request: &[u8]) -> Result<Vec<u8>, LaError> {
        let ma = &self.ma;
        let spdu = Ieee1609Dot2Data::from_coer(request)
            .map_err(|e| LaError::Malformed(format!("not an Ieee1609Dot2Data: {e:?}")))?;
        let Ieee1609Dot2Content::SignedData(sd) = &spdu.content else {
            return Err(LaError::InvalidSignature(
                "request is not signed data".into(),
            ));
        };
        match &sd.signer {
            SignerIdentifier::Digest(h) if *h == certificate_id8(&ma.cert) => {}
            SignerIdentifier::Certificate(l) if l.len() == 1 && l[0] == ma.cert => {}
            _ => {
                return Err(LaError::InvalidSignature(
                    "signer is not the MA certificate".into(),
                ))
            }
        }
        if sd.tbs_data.header_info.psid != Psid::new(SECURITY_MGMT_PSID) {
            return Err(LaError::Malformed("psid is not SecurityMgmtPsid".into()));
        }
        sign::verify_signed_data(self.backend, sd, Some(&ma.cert), &ma.key)
            .map_err(|e| LaError::InvalidSignature(e.to_string()))?;
        let request_hash: HashedId8 = hashed_id(&sd.tbs_data.to_coer());
        let payload = match sd.tbs_data.payload.data.as_deref() {
            Some(Ieee1609Dot2Data {
                content: Ieee1609Dot2Content::UnsecuredData(o),
                ..
            }) => o.as_bytes(),
            _ => return Err(LaError::Malformed("payload is not unsecuredData".into())),
        };
        let pdu = ScmsPDU::from_coer(payload)
            .map_err(|e| LaError::Malformed(format!("not a ScmsPDU: {e:?}")))?;
        let req = match pdu.content {
            ScmsPDUContent::LaMa(LaMaInterfacePDU::MaLaLinkageSeedRequest(r))
                if pdu.version == 1 && r.version == 1 =>
            {
                r
            }
            ScmsPDUContent::LaMa(LaMaInterfacePDU::MaLaLinkageInfoRequest(_)) => {
                return Err(LaError::Unsupported("linkage information requests"))
            }
            _ => {
                return Err(LaError::Malformed(
                    "not a maLaLinkageSeedRequest (version 1)".into(),
                ))
            }
        };
        if req.tbs.ma_id.0 != ma.name {
            return Err(LaError::Unauthorized(format!(
                "maId {} is not {}",
                req.tbs.ma_id.0, ma.name
            )));
        }
        let failure =
            |code| LCI2LSReply::Failure(ScmsError::LaMa(LaMaError::LaMaLinkageSeedError(code)));
        let i_now = i_period(self.clock.now()).and_then(|i| u16::try_from(i).ok());
        let mut ls_info = Vec::with_capacity(req.tbs.lci.len());
        let mut served = 0usize;
        for lci in &req.tbs.lci {
            let reply = if req.tbs.lci.len() > MAX_LCIS {
                failure(LaMaLinkageSeedErrorCode::LaNumberOfLciValuesExceeded)
            } else {
                match (self.chain_of(lci)?, i_now) {
                    (None, _) => failure(LaMaLinkageSeedErrorCode::LinkageChainIdentifierUnknown),
                    (Some(c), Some(i)) if i >= c.start_i => {
                        served += 1;
                        let seed = self.seed_at(&c, i)?;
                        LCI2LSReply::Success(LinkageSeedAndLaId {
                            linkage_seed: *seed.expose(),
                            la_id: self.la_id.to_be_bytes(),
                        })
                    }
                    (Some(_), _) => failure(LaMaLinkageSeedErrorCode::LaInvalidLinkageValue),
                }
            };
            ls_info.push(LCI2LS {
                lci: lci.clone(),
                reply,
            });
        }
        tracing::warn!(
            la = self.which.name(),
            requested = req.tbs.lci.len(),
            served,
            i = ?i_now,
            "linkage seeds released to the MA"
        );
        let pdu = ScmsPDU {
            version: 1,
            content: ScmsPDUContent::LaMa(LaMaInterfacePDU::LaMaLinkageSeedResponse(
                LaMaLinkageSeedResponseMsg {
                    version: 1,
                    request_hash,
                    la_id: hostname(&self.name)?,
                    ls_info,
                },
            )),
        };
        let tbs = ToBeSignedData {
            payload: SignedDataPayload {
                data: Some(Box::new(unsecured(pdu.to_coer())?)),
                ext_data_hash: None,
                omitted: None,
            },
            header_info: header(None),
        };
        let signed = Ieee1609Dot2Data {
            protocol_version: 3,
            content: Ieee1609Dot2Content::SignedData(Box::new(sign::sign_data(
                &self.signer,
                tbs,
                SignerId::Digest(&self.cert),
            )?)),
        };
        let ed = encrypt(
            self.backend,
            &signed.to_coer(),
            &[Recipient::Certificate {
                cert: &ma.cert,
                key: &ma.enc_key,
            }],
        )?;
        Ok(Ieee1609Dot2Data {
            protocol_version: 3,
            content: Ieee1609Dot2Content::EncryptedData(ed),
        }
        .to_coer())
    }
}
