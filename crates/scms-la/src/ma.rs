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
use scms_asn1::Coer;
use scms_ca::{Config, Layout};
use scms_core::pdu::{self, Envelope, Peer};
use scms_core::time::i_period;
use scms_crypto::CurveBackend;

use crate::{hostname, read_cert, La, LaError};

/// Most LinkageChainIds in one request.
pub const MAX_LCIS: usize = 1_000;

/// What the LA knows of the MA.
pub(crate) struct MaPeer {
    name: String,
    peer: Peer,
}

impl MaPeer {
    /// `certs/ma.oer` (signature and encryption keys) and the MA's FQDN.
    pub(crate) fn load(
        layout: &Layout,
        cfg: &Config,
        backend: &dyn CurveBackend,
    ) -> Result<MaPeer, LaError> {
        let peer = Peer::new(backend, read_cert(layout, "ma")?)?;
        if peer.encryption_key().is_none() {
            return Err(LaError::Setup("certs/ma.oer has no encryption key".into()));
        }
        Ok(MaPeer {
            name: cfg.fqdn("ma"),
            peer,
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
        // The LA certificate has no encryption key: the request is a bare SignedData.
        let opened = pdu::open(self.backend, request, Envelope::Signed, &ma.peer)?;
        let (msg, request_hash) = (opened.pdu, opened.request_hash);
        let req = match msg.content {
            ScmsPDUContent::LaMa(LaMaInterfacePDU::MaLaLinkageSeedRequest(r))
                if msg.version == 1 && r.version == 1 =>
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
        let reply = ScmsPDU {
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
        let signed = pdu::sign_payload(&self.signer, &self.cert, reply.to_coer(), None)?;
        Ok(pdu::encrypt_to(self.backend, &signed, &ma.peer)?.to_coer())
    }
}
