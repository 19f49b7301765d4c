//! The back-end pipeline (seed Step 3.2 and 3.4, Use Cases 13 and 19): plan the
//! individual certificate requests of every stream (PLVs from the LAs, butterfly
//! expansion, RA-signed `SecuredRaPcaCertificateRequest`s persisted before sending), send
//! them to the PCA (pseudonym requests pooled and shuffled across devices), store the
//! PCA's responses and package them into the download files.
//!
//! Throughput: the per-certificate work (expansion, signing, opening the PCA's replies)
//! runs on all cores, and the database is written in batches, one transaction each (the
//! requests of many streams, the outcomes of a batch of PCA requests, the files of a
//! step). Crash safety is unchanged: requests are committed before they are sent, so a
//! batch whose outcomes were not committed is re-sent byte for byte and the PCA answers
//! from its record.

use std::collections::BTreeMap;

use scms_asn1::camp::base_types::EncryptedIndividualPLV;
use scms_asn1::camp::ee_ra::{
    EeRaAppCertProvisioningRequest, EeRaIdCertProvisioningRequest,
    EeRaPseudonymCertProvisioningRequest, UnsignedButterflyParams,
};
use scms_asn1::camp::la_ra::{
    IndividualPlvResponseLinkageChain, LaRaInterfacePDU, LaRaPreLinkageValueResponseMsgReply,
    RaLaIndividualPreLinkageValueRequestMsg, RaLaPreLinkageValueRequestMsgHeader,
};
use scms_asn1::camp::pca_ra::{
    IdCertRequestInfo, PcaRaCertResponseMsgReply, PcaRaCertResponseMsgReplySuccess,
    PcaRaInterfacePDU, PseudonymCertRequestInfo, RaPcaCertRequestMsg,
    RaPcaCertRequestMsgCertRequestInfo,
};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent};
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateType, Duration, Hostname, PsidSsp, ServiceSpecificPermissions,
    SspRange, SubjectPermissions,
};
use scms_asn1::Coer;
use scms_core::convert::{compressed, encryption_key, point, verification_key};
use scms_core::hash::certificate_id8;
use scms_core::par;
use scms_core::profile::{template, CertKind, TemplateParams};
use scms_core::sign::SignerId;
use scms_core::time::{i_period, i_period_start};
use scms_crypto::butterfly::{expand_public, CaterpillarPublic, KeyKind};
use scms_crypto::{AesKey, Point, Secret};
use scms_store::ra::{
    NewFile, NewPcaRequest, PcaOutcome, PcaRequest, Stream, StreamKind, StreamRequests,
};

use crate::error::internal;
use crate::files;
use crate::messages::{open_signed_data, signed_data, signed_request};
use crate::{LaIndex, Ra, RaError};

/// Streams per LA request.
const LA_BATCH: usize = 256;

/// Individual requests per database transaction when planning (bounds the memory of a
/// batch; a stream's requests are never split).
const PLAN_BATCH: usize = 4_096;

/// PCA requests per [`PcaClient::certify_all`] call, and per transaction of outcomes.
///
/// [`PcaClient::certify_all`]: crate::PcaClient::certify_all
const SEND_BATCH: usize = 256;

/// A member of a download zip: name and content.
type ZipMember = (String, Vec<u8>);

/// What one stream's pseudonym requests are made from.
struct PseudonymPlan<'a> {
    cat: CaterpillarPublic,
    psids: Vec<PsidSsp>,
    c1: &'a IndividualPlvResponseLinkageChain,
    c2: &'a IndividualPlvResponseLinkageChain,
}

/// What one [`Ra::step`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StepReport {
    /// Individual requests created (persisted, not yet sent).
    pub requests_created: usize,
    /// Requests sent to the PCA and answered.
    pub requests_sent: usize,
    /// Certificate responses stored.
    pub certificates: usize,
    /// Requests the PCA refused.
    pub failures: usize,
    /// Download files written (batches, certificates, `.info` updates).
    pub files_written: usize,
    /// Requests still waiting in the shuffle pool.
    pub pooled: usize,
    /// Peer failures of this step (retried at the next step).
    pub errors: Vec<String>,
}

impl StepReport {
    fn add(&mut self, o: StepReport) {
        self.requests_created += o.requests_created;
        self.requests_sent += o.requests_sent;
        self.certificates += o.certificates;
        self.failures += o.failures;
        self.files_written += o.files_written;
        self.pooled = o.pooled;
        self.errors.extend(o.errors);
    }

    fn progressed(&self) -> bool {
        self.requests_created + self.requests_sent + self.files_written > 0
    }
}

fn host(s: &str) -> Result<Hostname, RaError> {
    Hostname::new(s.to_owned()).map_err(|e| internal(format!("hostname {s}: {e:?}")))
}

fn aes(k: &[u8; 16]) -> AesKey {
    AesKey::new(*k)
}

fn caterpillar(p: &UnsignedButterflyParams) -> Result<(Point, AesKey), RaError> {
    Ok((point(&p.seed_key).map_err(internal)?, aes(&p.expansion)))
}

/// The PSIDs the enrollment certificate may request, as the certificate's permissions
/// (SSP: the single opaque value of the range if it has exactly one, else empty opaque).
fn requested_psids(enr: &Certificate) -> Vec<PsidSsp> {
    let mut out: Vec<PsidSsp> = Vec::new();
    for g in enr.to_be_signed.cert_request_permissions.iter().flatten() {
        if let SubjectPermissions::Explicit(list) = &g.subject_permissions {
            for r in list {
                if out.iter().any(|p| p.psid == r.psid) {
                    continue;
                }
                let ssp = match &r.ssp_range {
                    Some(SspRange::Opaque(v)) if v.len() == 1 => v[0].clone(),
                    _ => scms_asn1::coer::OctetString(Vec::new()),
                };
                out.push(PsidSsp {
                    psid: r.psid,
                    ssp: Some(ServiceSpecificPermissions::Opaque(ssp)),
                });
            }
        }
    }
    out
}

fn shuffle<T>(v: &mut [T]) -> Result<(), RaError> {
    for k in (1..v.len()).rev() {
        let r = u64::from_be_bytes(*Secret::<8>::random().map_err(internal)?.expose());
        let j = (r % (k as u64 + 1)) as usize;
        v.swap(k, j);
    }
    Ok(())
}

impl Ra {
    /// One round of background work at time `now`: plan (LA requests, expansion,
    /// persisted PCA requests), send what may be sent, package what is complete, update
    /// the `.info` files. Peer failures are reported in [`StepReport::errors`] and retried
    /// at the next step; everything done is in the database first.
    pub fn step(&self, now: u32) -> Result<StepReport, RaError> {
        let _guard = self
            .step_lock
            .lock()
            .map_err(|_| internal("step lock poisoned"))?;
        let mut rep = StepReport::default();
        self.plan_pseudonyms(now, &mut rep)?;
        self.plan_identities(now, &mut rep)?;
        self.plan_applications(now, &mut rep)?;
        self.send(now, &mut rep)?;
        self.package(now, &mut rep)?;
        Ok(rep)
    }

    /// [`Ra::step`] until a step makes no progress (at most 64 steps).
    pub fn run_until_idle(&self, now: u32) -> Result<StepReport, RaError> {
        let mut total = StepReport::default();
        for _ in 0..64 {
            let r = self.step(now)?;
            let more = r.progressed() && r.errors.is_empty();
            total.add(r);
            if !more {
                break;
            }
        }
        Ok(total)
    }

    // ---------------------------------------------------------------- pseudonyms

    fn plan_pseudonyms(&self, now: u32, rep: &mut StepReport) -> Result<(), RaError> {
        let Some(cur) = i_period(now) else {
            return Ok(());
        };
        let supply = self.settings.supply_weeks;
        // (from, to inclusive, fresh) -> streams
        let mut groups: BTreeMap<(u32, u32, bool), Vec<Stream>> = BTreeMap::new();
        for s in self.store.active_streams(StreamKind::Pseudonym)? {
            let target = s.first_i.max(cur).saturating_add(supply);
            if s.next_i >= target {
                continue;
            }
            let from = s.next_i.max(cur);
            let fresh = s.la1_chain.is_none() || s.la2_chain.is_none();
            groups.entry((from, target - 1, fresh)).or_default().push(s);
        }
        for ((from, to, fresh), streams) in groups {
            for chunk in streams.chunks(LA_BATCH) {
                if let Err(e) = self.plan_pseudonym_group(now, from, to, fresh, chunk, rep) {
                    match e {
                        RaError::Peer { .. } => {
                            tracing::warn!(error = %e, "PLV request failed; retrying later");
                            rep.errors.push(e.to_string());
                        }
                        other => return Err(other),
                    }
                }
            }
        }
        Ok(())
    }

    fn la_request(
        &self,
        which: LaIndex,
        now: u32,
        from: u32,
        to: u32,
        fresh: Option<u32>,
        continuations: Option<Vec<scms_asn1::camp::base_types::LinkageChainId>>,
    ) -> Result<Vec<IndividualPlvResponseLinkageChain>, RaError> {
        let peer = which.name();
        let (i_min, i_max) = match (u16::try_from(from), u16::try_from(to)) {
            (Ok(a), Ok(b)) => (a, b),
            _ => return Err(RaError::peer(peer, "i beyond the IValue range")),
        };
        let j_max = self.settings.certs_per_i_period;
        let msg = RaLaIndividualPreLinkageValueRequestMsg {
            header: RaLaPreLinkageValueRequestMsgHeader {
                version: 1,
                ra_id: host(&self.settings.ra_host)?,
                pca_id: host(&self.settings.pca_host)?,
                i_min,
                i_max,
            },
            j_max,
            number_of_fresh_ind: fresh,
            continuations_ind: continuations,
        };
        let pdu = ScmsPDU {
            version: 1,
            content: ScmsPDUContent::LaRa(LaRaInterfacePDU::RaLaIndividualPreLinkageValueRequest(
                msg,
            )),
        };
        let req = signed_data(
            self.signer.as_ref(),
            SignerId::Certificate(&self.cert),
            &pdu,
            Some(now),
        )?;
        let reply = self.la.pre_linkage_values(which, req.to_coer())?;
        let la = match which {
            LaIndex::La1 => &self.la_peers.0,
            LaIndex::La2 => &self.la_peers.1,
        };
        let pdu = open_signed_data(self.backend(), &reply, la, peer)?;
        let ScmsPDUContent::LaRa(LaRaInterfacePDU::LaRaPreLinkageValueResponse(resp)) = pdu.content
        else {
            return Err(RaError::peer(
                peer,
                "reply is not a LaRaPreLinkageValueResponse",
            ));
        };
        let ok = match resp.reply {
            LaRaPreLinkageValueResponseMsgReply::Success(ok) => ok,
            LaRaPreLinkageValueResponseMsgReply::Failure(e) => {
                return Err(RaError::peer(peer, format!("LA error: {e:?}")))
            }
        };
        let periods = (to - from + 1) as usize;
        for c in &ok.individual {
            if c.values.len() != periods || c.values.iter().any(|v| v.len() != usize::from(j_max)) {
                return Err(RaError::peer(peer, "PLV chain of the wrong shape"));
            }
        }
        Ok(ok.individual)
    }

    fn plan_pseudonym_group(
        &self,
        now: u32,
        from: u32,
        to: u32,
        fresh: bool,
        streams: &[Stream],
        rep: &mut StepReport,
    ) -> Result<(), RaError> {
        let n = streams.len();
        let mut chains = Vec::new();
        for (which, pick) in [(LaIndex::La1, 0usize), (LaIndex::La2, 1)] {
            let got = if fresh {
                let count = u32::try_from(n).map_err(internal)?;
                self.la_request(which, now, from, to, Some(count), None)?
            } else {
                let mut ids = Vec::with_capacity(n);
                for s in streams {
                    let c = if pick == 0 {
                        &s.la1_chain
                    } else {
                        &s.la2_chain
                    };
                    let c = c.as_deref().ok_or_else(|| internal("missing chain"))?;
                    ids.push(
                        scms_asn1::camp::base_types::LinkageChainId::from_coer(c)
                            .map_err(internal)?,
                    );
                }
                self.la_request(which, now, from, to, None, Some(ids))?
            };
            if got.len() != n {
                return Err(RaError::peer(
                    which.name(),
                    format!("{} chains for {n} requested", got.len()),
                ));
            }
            chains.push(got);
        }
        let (c1, c2) = (&chains[0], &chains[1]);
        // The chain ids first: a crash before the requests are stored only means the next
        // step continues the same chains.
        let ids: Vec<_> = streams
            .iter()
            .zip(c1.iter().zip(c2))
            .map(|(s, (a, b))| {
                (
                    s.id,
                    a.linkage_chain_id.to_coer(),
                    b.linkage_chain_id.to_coer(),
                )
            })
            .collect();
        self.store.set_chains(&ids)?;
        let per_stream = (to - from + 1) as usize * usize::from(self.settings.certs_per_i_period);
        let streams_per_tx = (PLAN_BATCH / per_stream.max(1)).max(1);
        for (k0, part) in streams.chunks(streams_per_tx).enumerate() {
            let at = k0 * streams_per_tx;
            let plans = part
                .iter()
                .enumerate()
                .map(|(k, s)| self.pseudonym_plan(s, &c1[at + k], &c2[at + k]))
                .collect::<Result<Vec<_>, RaError>>()?;
            let reqs = self.pseudonym_requests(&plans, from, to)?;
            let batch: Vec<_> = part
                .iter()
                .zip(&reqs)
                .map(|(s, r)| StreamRequests {
                    stream_id: s.id,
                    expected_next_i: s.next_i,
                    new_next_i: to + 1,
                    requests: r,
                    shuffle: true,
                })
                .collect();
            for (applied, r) in self.store.add_requests(&batch, now)?.into_iter().zip(&reqs) {
                if applied {
                    rep.requests_created += r.len();
                }
            }
        }
        Ok(())
    }

    fn pseudonym_plan<'a>(
        &self,
        s: &Stream,
        c1: &'a IndividualPlvResponseLinkageChain,
        c2: &'a IndividualPlvResponseLinkageChain,
    ) -> Result<PseudonymPlan<'a>, RaError> {
        let req = EeRaPseudonymCertProvisioningRequest::from_coer(&s.request).map_err(internal)?;
        let enr = Certificate::from_coer(&s.enrollment_cert).map_err(internal)?;
        let (a, ck) = caterpillar(&req.verify_key_info)?;
        let (p, ek) = caterpillar(&req.resp_enc_key_info)?;
        Ok(PseudonymPlan {
            cat: CaterpillarPublic {
                signing_seed: a,
                signing_expansion: ck,
                encryption_seed: p,
                encryption_expansion: ek,
            },
            psids: requested_psids(&enr),
            c1,
            c2,
        })
    }

    /// The requests of each planned stream for `from..=to`, made on all cores.
    fn pseudonym_requests(
        &self,
        plans: &[PseudonymPlan<'_>],
        from: u32,
        to: u32,
    ) -> Result<Vec<Vec<NewPcaRequest>>, RaError> {
        let j_max = u32::from(self.settings.certs_per_i_period);
        let items: Vec<(usize, u32, u32)> = (0..plans.len())
            .flat_map(|k| (from..=to).flat_map(move |i| (0..j_max).map(move |j| (k, i, j))))
            .collect();
        let made = par::map(&items, |&(k, i, j)| {
            self.pseudonym_request(&plans[k], (i - from) as usize, i, j)
        });
        let mut out: Vec<Vec<NewPcaRequest>> = plans.iter().map(|_| Vec::new()).collect();
        for (&(k, _, _), r) in items.iter().zip(made) {
            if let Some(v) = out.get_mut(k) {
                v.push(r?);
            }
        }
        Ok(out)
    }

    /// The signed PCA request for certificate `(i, j)` of a stream (`row` = PLV row of i).
    fn pseudonym_request(
        &self,
        plan: &PseudonymPlan<'_>,
        row: usize,
        i: u32,
        j: u32,
    ) -> Result<NewPcaRequest, RaError> {
        let i16 = u16::try_from(i).map_err(internal)?;
        let (b, q) = plan.cat.cocoon(self.backend(), i, j).map_err(internal)?;
        let plv =
            |c: &IndividualPlvResponseLinkageChain| -> Result<EncryptedIndividualPLV, RaError> {
                c.values
                    .get(row)
                    .and_then(|v| v.get(j as usize))
                    .cloned()
                    .ok_or_else(|| internal("PLV index"))
            };
        let info = PseudonymCertRequestInfo {
            psid_ssp: plan.psids.clone(),
            performance_assurance_level: None,
            region: None,
            i_value: i16,
            pca_id: host(&self.settings.pca_host)?,
            sig_butterfly_key_b: compressed(&b),
            la1_id: host(&self.settings.la1_host)?,
            la2_id: host(&self.settings.la2_host)?,
            enc_plv1: plv(plan.c1)?,
            enc_plv2: plv(plan.c2)?,
            group_linkage_info: None,
            enc_butterfly_key_h: compressed(&q),
        };
        let (request, hpcr) =
            self.pca_request(RaPcaCertRequestMsgCertRequestInfo::PseudonymCertReq(info))?;
        Ok(NewPcaRequest {
            i,
            j,
            request,
            hpcr: Some(hpcr),
        })
    }

    fn pca_request(
        &self,
        info: RaPcaCertRequestMsgCertRequestInfo,
    ) -> Result<(Vec<u8>, [u8; 32]), RaError> {
        let msg = RaPcaCertRequestMsg {
            version: 1,
            ra_id: host(&self.settings.ra_host)?,
            cert_request_info: info,
        };
        let pdu = ScmsPDU {
            version: 1,
            content: ScmsPDUContent::PcaRa(PcaRaInterfacePDU::RaPcaCertRequest(msg)),
        };
        let (d, hpcr) = signed_request(self.signer.as_ref(), &self.cert, pdu)?;
        Ok((d.to_coer(), hpcr))
    }

    // ---------------------------------------------------------------- identification

    fn plan_identities(&self, now: u32, rep: &mut StepReport) -> Result<(), RaError> {
        let mut planned = Vec::new();
        for s in self.store.active_streams(StreamKind::Identity)? {
            let enr = Certificate::from_coer(&s.enrollment_cert).map_err(internal)?;
            let cur = self.local_i(&enr, now);
            let target = s
                .first_i
                .max(cur)
                .saturating_add(self.settings.identity_supply_periods);
            if s.next_i >= target {
                continue;
            }
            let from = s.next_i.max(cur);
            let req = EeRaIdCertProvisioningRequest::from_coer(&s.request).map_err(internal)?;
            let (a, ck) = caterpillar(&req.verify_key_info)?;
            let (p, ek) = caterpillar(&req.resp_enc_key_info)?;
            let enc = req
                .cert_enc_key_info
                .as_ref()
                .map(caterpillar)
                .transpose()?;
            let mut reqs = Vec::new();
            for i in from..target {
                let be = self.backend();
                let b = expand_public(be, &a, &ck, KeyKind::Signing, i, 0).map_err(internal)?;
                let h = expand_public(be, &p, &ek, KeyKind::Encryption, i, 0).map_err(internal)?;
                let e = enc
                    .as_ref()
                    .map(|(e, k)| expand_public(be, e, k, KeyKind::Encryption, i, 0))
                    .transpose()
                    .map_err(internal)?;
                let start = enr
                    .to_be_signed
                    .validity_period
                    .start
                    .saturating_add(i.saturating_mul(self.settings.identity_period));
                let tbs = template(
                    CertKind::ObeIdentification,
                    &TemplateParams {
                        start,
                        craca_id: enr.to_be_signed.craca_id,
                        verification_key: Some(b),
                        encryption_key: e,
                        region: enr.to_be_signed.region.clone(),
                        app_permissions: Some(requested_psids(&enr)),
                        duration: Some(Duration::Hours(self.settings.identity_duration_hours)),
                        binary_id: Some(certificate_id8(&enr)),
                        ..Default::default()
                    },
                )
                .map_err(internal)?;
                let info = IdCertRequestInfo {
                    pca_id: host(&self.settings.pca_host)?,
                    r#type: CertificateType::Implicit,
                    to_be_signed_cert: tbs,
                    response_encryption_key: compressed(&h),
                };
                reqs.push(NewPcaRequest {
                    i,
                    j: 0,
                    request: self
                        .pca_request(RaPcaCertRequestMsgCertRequestInfo::AuthCertReq(info))?
                        .0,
                    hpcr: None,
                });
            }
            planned.push((s.id, s.next_i, target, reqs));
        }
        self.add_planned(&planned, now, rep)
    }

    /// Stores planned `(stream, expected next_i, new next_i, requests)` of streams whose
    /// requests are sent at once (one transaction).
    fn add_planned(
        &self,
        planned: &[(i64, u32, u32, Vec<NewPcaRequest>)],
        now: u32,
        rep: &mut StepReport,
    ) -> Result<(), RaError> {
        if planned.is_empty() {
            return Ok(());
        }
        let batch: Vec<_> = planned
            .iter()
            .map(|(id, expected, new, reqs)| StreamRequests {
                stream_id: *id,
                expected_next_i: *expected,
                new_next_i: *new,
                requests: reqs,
                shuffle: false,
            })
            .collect();
        for (applied, p) in self
            .store
            .add_requests(&batch, now)?
            .into_iter()
            .zip(planned)
        {
            if applied {
                rep.requests_created += p.3.len();
            }
        }
        Ok(())
    }

    // ---------------------------------------------------------------- application

    fn plan_applications(&self, now: u32, rep: &mut StepReport) -> Result<(), RaError> {
        let mut planned = Vec::new();
        for s in self.store.active_streams(StreamKind::Application)? {
            if s.next_i > 0 {
                continue;
            }
            let enr = Certificate::from_coer(&s.enrollment_cert).map_err(internal)?;
            let req = EeRaAppCertProvisioningRequest::from_coer(&s.request).map_err(internal)?;
            let b = verification_key(&req.verify_key).map_err(internal)?;
            let h = encryption_key(&req.response_encryption_key).map_err(internal)?;
            let e = req
                .cert_encryption_key
                .as_ref()
                .map(encryption_key)
                .transpose()
                .map_err(internal)?;
            let tbs = template(
                CertKind::RseApplication,
                &TemplateParams {
                    start: req.common.requested_start_time,
                    craca_id: enr.to_be_signed.craca_id,
                    verification_key: Some(b),
                    encryption_key: e,
                    region: enr.to_be_signed.region.clone(),
                    app_permissions: Some(requested_psids(&enr)),
                    duration: Some(Duration::Hours(self.settings.application_validity_hours)),
                    binary_id: Some(certificate_id8(&enr)),
                    ..Default::default()
                },
            )
            .map_err(internal)?;
            let info = IdCertRequestInfo {
                pca_id: host(&self.settings.pca_host)?,
                r#type: CertificateType::Implicit,
                to_be_signed_cert: tbs,
                response_encryption_key: compressed(&h),
            };
            let reqs = vec![NewPcaRequest {
                i: 0,
                j: 0,
                request: self
                    .pca_request(RaPcaCertRequestMsgCertRequestInfo::AuthCertReq(info))?
                    .0,
                hpcr: None,
            }];
            planned.push((s.id, 0, 1, reqs));
        }
        self.add_planned(&planned, now, rep)
    }

    // ---------------------------------------------------------------- sending

    fn send(&self, now: u32, rep: &mut StepReport) -> Result<(), RaError> {
        let open = self.store.open_requests()?;
        let (mut batch, mut pool): (Vec<PcaRequest>, Vec<PcaRequest>) =
            open.into_iter().partition(|r| !r.shuffle);
        let age = self.settings.max_cert_request_age;
        let release = self.settings.initial_provisioning_bypass
            || pool.len() >= self.settings.shuffle_threshold as usize
            || pool.iter().any(|r| now >= r.created_at.saturating_add(age));
        if release {
            shuffle(&mut pool)?;
            batch.append(&mut pool);
        }
        rep.pooled = pool.len();
        for (k, chunk) in batch.chunks(SEND_BATCH).enumerate() {
            let requests: Vec<&[u8]> = chunk.iter().map(|r| r.request.as_slice()).collect();
            let replies = self.pca.certify_all(&requests);
            // The replies' signatures are checked on all cores.
            let opened = par::map(&replies, |r| r.as_ref().ok().map(|b| self.pca_outcome(b)));
            let mut outcomes = Vec::with_capacity(chunk.len());
            let mut failed = replies.len() < chunk.len();
            for ((r, reply), o) in chunk.iter().zip(&replies).zip(opened) {
                match o {
                    Some(Ok(outcome)) => outcomes.push((r.id, outcome)),
                    Some(Err(e)) => {
                        tracing::warn!(error = %e, request = r.id, "unusable PCA reply; retrying later");
                        rep.errors.push(e.to_string());
                        failed = true;
                    }
                    None => {
                        if let Err(e) = reply {
                            tracing::warn!(error = %e, request = r.id, "PCA request failed; retrying later");
                            rep.errors.push(e.to_string());
                        }
                        failed = true;
                    }
                }
            }
            // One transaction per batch: a crash before it only means the batch is re-sent
            // (identical bytes) and answered from the PCA's records.
            self.store.set_outcomes(&outcomes, now)?;
            rep.requests_sent += outcomes.len();
            for (id, outcome) in &outcomes {
                match outcome {
                    PcaOutcome::Certificate(_) => rep.certificates += 1,
                    PcaOutcome::Failed(e) => {
                        tracing::warn!(request = id, error = %e, "PCA refused a request");
                        rep.failures += 1;
                    }
                }
            }
            if failed {
                rep.pooled += batch.len() - k * SEND_BATCH - outcomes.len();
                break;
            }
        }
        Ok(())
    }

    /// The stored outcome of a PCA reply: the `SignedEncryptedCertificateResponse` bytes
    /// untouched, or the PCA's error. A plaintext certificate is refused: the RA must
    /// never hold one.
    fn pca_outcome(&self, reply: &[u8]) -> Result<PcaOutcome, RaError> {
        let pdu = open_signed_data(self.backend(), reply, &self.pca_peer, "pca")?;
        let ScmsPDUContent::PcaRa(PcaRaInterfacePDU::PcaRaCertResponse(msg)) = pdu.content else {
            return Err(RaError::peer("pca", "reply is not a PcaRaCertResponse"));
        };
        Ok(match msg.reply {
            PcaRaCertResponseMsgReply::Success(
                PcaRaCertResponseMsgReplySuccess::SignedEncrypted(d),
            ) => PcaOutcome::Certificate(d.to_coer()),
            PcaRaCertResponseMsgReply::Success(PcaRaCertResponseMsgReplySuccess::Raw(_)) => {
                PcaOutcome::Failed("PCA sent a plaintext certificate (discarded)".into())
            }
            PcaRaCertResponseMsgReply::Failure(e) => PcaOutcome::Failed(format!("{e:?}")),
        })
    }

    // ---------------------------------------------------------------- packaging

    fn package(&self, now: u32, rep: &mut StepReport) -> Result<(), RaError> {
        // Every file of the step in one transaction (files are derived from stored
        // outcomes: a crash before the commit only means they are made again); the zips
        // are compressed on all cores.
        let mut made: Vec<NewFile> = Vec::new();
        let mut zips: Vec<(NewFile, Vec<ZipMember>)> = Vec::new();
        for kind in [
            StreamKind::Pseudonym,
            StreamKind::Identity,
            StreamKind::Application,
        ] {
            for s in self.store.active_streams(kind)? {
                for i in self.store.complete_unpackaged(s.id)? {
                    let certs = self.store.certificates(s.id, i)?;
                    let h = &s.request_hash;
                    let (name, members) = match kind {
                        StreamKind::Pseudonym => (
                            files::batch_name(h, i),
                            certs
                                .into_iter()
                                .map(|(j, b)| (files::batch_member(i, j), b))
                                .collect::<Vec<_>>(),
                        ),
                        StreamKind::Identity => (
                            format!("{}.zip", files::identity_member(h, i)),
                            certs
                                .into_iter()
                                .map(|(_, b)| (files::identity_member(h, i), b))
                                .collect(),
                        ),
                        StreamKind::Application => (
                            format!("{}.zip", files::application_member(h)),
                            certs
                                .into_iter()
                                .map(|(_, b)| (files::application_member(h), b))
                                .collect(),
                        ),
                    };
                    let file = NewFile {
                        name,
                        stream_id: s.id,
                        i: Some(i),
                        bytes: Vec::new(),
                    };
                    zips.push((file, members));
                }
                if let Some(t) = self.next_batch_time(&s, now)? {
                    let name = files::info_name(&s.request_hash);
                    let bytes = t.to_be_bytes().to_vec();
                    let current = self.store.file(&name)?.map(|(_, b)| b);
                    if current.as_deref() != Some(&bytes[..]) {
                        made.push(NewFile {
                            name,
                            stream_id: s.id,
                            i: None,
                            bytes,
                        });
                    }
                }
            }
        }
        let zipped = par::map(&zips, |(_, members)| files::zip(members));
        for ((mut file, members), bytes) in zips.into_iter().zip(zipped) {
            tracing::debug!(file = %file.name, members = members.len(), "file packaged");
            file.bytes = bytes?;
            made.push(file);
        }
        if !made.is_empty() {
            self.store.put_files(&made)?;
            rep.files_written += made.len();
        }
        Ok(())
    }

    /// The `.info` time: when the next batch beyond the stream's supply is generated
    /// (the start of the period in which the window moves), or, while requests are
    /// outstanding, now + `max_cert_request_age` (now with the bypass).
    fn next_batch_time(&self, s: &Stream, now: u32) -> Result<Option<u32>, RaError> {
        let pending_at = if self.settings.initial_provisioning_bypass {
            now
        } else {
            now.saturating_add(self.settings.max_cert_request_age)
        };
        let t = match s.kind {
            StreamKind::Pseudonym => {
                let k = s
                    .next_i
                    .saturating_add(1)
                    .saturating_sub(self.settings.supply_weeks);
                i_period_start(k)
            }
            StreamKind::Identity => {
                let enr = Certificate::from_coer(&s.enrollment_cert).map_err(internal)?;
                let k = s
                    .next_i
                    .saturating_add(1)
                    .saturating_sub(self.settings.identity_supply_periods);
                Some(
                    enr.to_be_signed
                        .validity_period
                        .start
                        .saturating_add(k.saturating_mul(self.settings.identity_period)),
                )
            }
            StreamKind::Application => None,
        };
        let Some(t) = t else {
            return Ok(None);
        };
        let (_, _, open) = self.store.counts(s.id)?;
        let outstanding = s.next_i == s.first_i || open > 0;
        Ok(Some(if t <= now || outstanding {
            pending_at
        } else {
            t
        }))
    }
}
