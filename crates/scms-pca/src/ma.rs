//! The PCA side of the MA–PCA interface (ma-pca.asn, seed Use Case 8 and "Misbehavior
//! Investigation: PCA Returns Encrypted Pre-linkage Values to MA").
//!
//! - **In**: `SecuredMaPcaHPCRRequest` / `SecuredMaPcaPreLinkageValueRequest`: an
//!   `EncryptedData` (certRecipInfo to the PCA certificate) of the Signed* request; the bare
//!   `SignedMaPcaHPCRRequest` / `SignedMaPcaPreLinkageValueRequest` is accepted too. Signed
//!   by the MA certificate (`certs/ma.oer`, signer digest or certificate), psid
//!   `SecurityMgmtPsid`, payload `ScmsPDU { ma-pca: maPcaHPCRRequest |
//!   maPcaPreLinkageValueRequest }` with `maId` = the MA's FQDN.
//! - **Out**: `SecuredPcaMaHPCRResponse` / `SecuredPcaMaPreLinkageValueResponse`: the
//!   Signed* response (PCA signer digest, psid `SecurityMgmtPsid`, no other header field)
//!   encrypted (certRecipInfo) to the MA certificate. `requestHash` = HashedId8 of the COER
//!   `ToBeSignedData` of the MA's SignedData.
//! - **Lookup**: certificates are named by linkage value. The PCA indexes `(lv, i) → HPCR`
//!   when it accepts a pseudonym request (before issuing; `scms_store::ma::LinkageIndex` in
//!   `pca.sqlite`), and answers only for requests that were issued. One entry per matching
//!   request (a re-requested certificate can appear more than once); none →
//!   `failure linkageValueUnknown`.
//! - **What the MA gets**: the HPCR (`HPCRAndHostInfo { hpcr, hostname = PCA FQDN }`) and the
//!   two `EncryptedIndividualPLV` exactly as received from the LAs
//!   (`EncryptedPlvAndHostInfo { encryptedPLV, hostname = the LA's FQDN }`, one `Lv2Plv` per
//!   LA). The PCA never decrypts them for the MA; the MA cannot open them either (they are
//!   under the LA–PCA keys).

use scms_asn1::camp::base_types::{
    EncryptedIndividualPLV, EncryptedPlvAndHostInfo, HPCRAndHostInfo,
};
use scms_asn1::camp::errors::{MaPcaError, MaPcaErrorCode, ScmsError};
use scms_asn1::camp::ma_pca::{
    Lv2HPCR, Lv2HPCRReply, Lv2Plv, Lv2PlvReply, MaPcaInterfacePDU, PcaMaHPCRResponseMsg,
    PcaMaPreLinkageValueResponseMsg,
};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::ieee1609dot2::{CertificateId, Hostname};
use scms_asn1::Coer;
use scms_ca::{Config, Layout};
use scms_core::pdu::{self, Peer};
use scms_crypto::CurveBackend;
use scms_store::ma::{LinkageIndex, SqliteLinkageIndex};

use crate::{read_cert, Pca, PcaError};

/// Most linkage values in one MA request.
pub const MAX_LINKAGE_VALUES: usize = 1_000;

/// What the PCA keeps for the MA: the MA's certificate and the linkage value index.
pub(crate) struct MaSupport {
    name: String,
    peer: Peer,
    index: Box<dyn LinkageIndex>,
}

impl MaSupport {
    /// `certs/ma.oer`, the MA's FQDN and the index in `DIR/pca/pca.sqlite`.
    pub(crate) fn open(
        layout: &Layout,
        cfg: &Config,
        backend: &dyn CurveBackend,
    ) -> Result<MaSupport, PcaError> {
        let peer = Peer::new(backend, read_cert(layout, "ma")?)?;
        if peer.encryption_key().is_none() {
            return Err(PcaError::Setup("certs/ma.oer has no encryption key".into()));
        }
        let index = SqliteLinkageIndex::open(&layout.state("pca").join("pca.sqlite"))?;
        Ok(MaSupport {
            name: cfg.fqdn("ma"),
            peer,
            index: Box::new(index),
        })
    }

    /// Indexes the pseudonym certificates about to be issued, `(to be signed, request
    /// hpcr)` (one transaction).
    pub(crate) fn index(
        &self,
        certs: &[(&scms_asn1::ieee1609dot2::ToBeSignedCertificate, &[u8; 32])],
    ) -> Result<(), PcaError> {
        let entries: Vec<_> = certs
            .iter()
            .filter_map(|(tbs, hpcr)| match &tbs.id {
                CertificateId::LinkageData(ld) => Some((ld.i_cert, ld.linkage_value, **hpcr)),
                _ => None,
            })
            .collect();
        if !entries.is_empty() {
            self.index.index(&entries)?;
        }
        Ok(())
    }
}

enum Request {
    Hpcr(Vec<[u8; 9]>),
    Plv(Vec<[u8; 9]>),
}

impl Pca {
    /// Handles one MA→PCA message (`SecuredMaPcaHPCRRequest` or
    /// `SecuredMaPcaPreLinkageValueRequest`, or their Signed* forms) and returns the
    /// encrypted, signed response (COER). A request not signed by the MA is an error.
    pub fn handle_ma(&self, request: &[u8]) -> Result<Vec<u8>, PcaError> {
        let result = self.handle_ma_inner(request);
        if let Err(e) = &result {
            tracing::warn!(error = %e, "MA request refused");
        }
        result
    }

    fn handle_ma_inner(&self, request: &[u8]) -> Result<Vec<u8>, PcaError> {
        let ma = &self.ma;
        let opened = pdu::open(self.backend, request, self.envelope(), &ma.peer)?;
        let (msg, request_hash) = (opened.pdu, opened.request_hash);
        if msg.version != 1 {
            return Err(PcaError::Malformed("ScmsPDU version".into()));
        }
        let (ma_id, req) = match msg.content {
            ScmsPDUContent::MaPca(MaPcaInterfacePDU::MaPcaHPCRRequest(m)) if m.version == 1 => {
                (m.tbs.ma_id, Request::Hpcr(m.tbs.linkage_values))
            }
            ScmsPDUContent::MaPca(MaPcaInterfacePDU::MaPcaPreLinkageValueRequest(m))
                if m.version == 1 =>
            {
                if !m.tbs.group_linkage_values.is_empty() {
                    return Err(PcaError::Malformed(
                        "group linkage values are not supported".into(),
                    ));
                }
                (m.tbs.ma_id, Request::Plv(m.tbs.linkage_values))
            }
            _ => return Err(PcaError::Malformed("not an MA request (version 1)".into())),
        };
        if ma_id.0 != ma.name {
            return Err(PcaError::Unauthorized(format!(
                "maId {} is not {}",
                ma_id.0, ma.name
            )));
        }
        let pca_id = Hostname::new(self.name.clone())
            .map_err(|_| PcaError::Setup("hostname too long".into()))?;
        let content = match req {
            Request::Hpcr(lvs) => {
                let mut info = Vec::new();
                for lv in &lvs {
                    match self.ma_lookup(lv, lvs.len())? {
                        Ok(found) => info.extend(found.into_iter().map(|(hpcr, _, _)| Lv2HPCR {
                            lv: *lv,
                            reply: Lv2HPCRReply::Success(HPCRAndHostInfo {
                                hpcr,
                                hostname: pca_id.clone(),
                            }),
                        })),
                        Err(code) => info.push(Lv2HPCR {
                            lv: *lv,
                            reply: Lv2HPCRReply::Failure(ScmsError::MaPca(MaPcaError::MaPca(code))),
                        }),
                    }
                }
                tracing::warn!(
                    requested = lvs.len(),
                    answered = info.len(),
                    "HPCRs released to the MA"
                );
                MaPcaInterfacePDU::PcaMaHPCRResponse(PcaMaHPCRResponseMsg {
                    version: 1,
                    request_hash,
                    pca_id,
                    hpcrinfo: info,
                })
            }
            Request::Plv(lvs) => {
                let mut info = Vec::new();
                for lv in &lvs {
                    match self.ma_lookup(lv, lvs.len())? {
                        Ok(found) => {
                            for (_, p1, p2) in found {
                                for p in [p1, p2] {
                                    info.push(Lv2Plv {
                                        lv: *lv,
                                        reply: Lv2PlvReply::Success(EncryptedPlvAndHostInfo {
                                            hostname: self.la_host(&p)?,
                                            encrypted_plv: p,
                                        }),
                                    });
                                }
                            }
                        }
                        Err(code) => info.push(Lv2Plv {
                            lv: *lv,
                            reply: Lv2PlvReply::Failure(ScmsError::MaPca(MaPcaError::MaPca(code))),
                        }),
                    }
                }
                tracing::warn!(requested = lvs.len(), "encrypted PLVs released to the MA");
                MaPcaInterfacePDU::PcaMaPreLinkageValueResponse(PcaMaPreLinkageValueResponseMsg {
                    version: 1,
                    request_hash,
                    pca_id,
                    plv_info: info,
                })
            }
        };
        let reply = ScmsPDU {
            version: 1,
            content: ScmsPDUContent::MaPca(content),
        };
        let signed = self.signed(reply.to_coer())?;
        Ok(pdu::encrypt_to(self.backend, &signed, &ma.peer)?.to_coer())
    }

    /// The issued requests of linkage value `lv`: (HPCR, encrypted PLV 1, encrypted PLV 2).
    #[allow(clippy::type_complexity)]
    fn ma_lookup(
        &self,
        lv: &[u8; 9],
        n: usize,
    ) -> Result<
        Result<Vec<([u8; 32], EncryptedIndividualPLV, EncryptedIndividualPLV)>, MaPcaErrorCode>,
        PcaError,
    > {
        if n > MAX_LINKAGE_VALUES {
            return Ok(Err(MaPcaErrorCode::PcaNumberOfLinkageValuesExceeded));
        }
        let mut out = Vec::new();
        for (_, hpcr) in self.ma.index.lookup(lv)? {
            let Some(rec) = self.store.record(&hpcr)? else {
                continue;
            };
            if rec.issued.is_none() {
                continue;
            }
            let (Some(p1), Some(p2)) = (&rec.intent.enc_plv1, &rec.intent.enc_plv2) else {
                continue;
            };
            let parse = |b: &[u8]| {
                EncryptedIndividualPLV::from_coer(b)
                    .map_err(|_| PcaError::Store(scms_store::pca::DbError::Corrupt("enc_plv")))
            };
            out.push((hpcr, parse(p1)?, parse(p2)?));
        }
        if out.is_empty() {
            return Ok(Err(MaPcaErrorCode::LinkageValueUnknown));
        }
        Ok(Ok(out))
    }

    /// The FQDN of the LA an encrypted PLV comes from.
    fn la_host(&self, p: &EncryptedIndividualPLV) -> Result<Hostname, PcaError> {
        let id = u16::from_be_bytes(p.la_id);
        let name = self
            .las
            .iter()
            .find(|(k, _, _)| *k == id)
            .map(|(_, n, _)| n.clone())
            .unwrap_or_default();
        Hostname::new(name).map_err(|_| PcaError::Setup("hostname too long".into()))
    }
}
