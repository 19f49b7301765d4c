//! The revocation side of the demo, all through the running services: reports posted to
//! the RA (through the LOP), which pools, shuffles and forwards them to the MA; the MA's
//! task runs its detection policy and investigates over mutual TLS (PCA, RA, LA1, LA2);
//! vehicles download the CRL from the CRL store (through the LOP) and install it as
//! devices do; the RA's answer to the revoked vehicle.

use std::collections::{BTreeSet, HashSet};

use scms_asn1::camp::component_cert_management::CompositeCrl;
use scms_asn1::ieee1609dot2::{
    CrlContents, CrlContentsTypeSpecific, HashedId8, Ieee1609Dot2Content,
};
use scms_asn1::Coer;
use scms_ca::Layout;
use scms_core::time::i_period;
use scms_ee::client::{Client, RaTransport};
use scms_ee::crl::VerifiedCrl;
use scms_ee::download::{batch_name, download_req, PATH_BATCH};
use scms_ee::provision::{records, RequestKind};
use scms_store::ma::{MaStore, SqliteMaStore};

use crate::fleet::{Obe, Shared};
use crate::stats::Misbehavior;
use crate::DemoError;

/// The CRL store's path (the LOP forwards it to the MA's CRL store).
const CRL_PATH: &str = "/download-crl/";

/// What the MA's database says about the misbehaving vehicle's certificates `bad`.
pub(crate) fn ma_figures(
    layout: &Layout,
    bad: &HashSet<HashedId8>,
    m: &mut Misbehavior,
) -> Result<(), DemoError> {
    let store = SqliteMaStore::open(&layout.state("ma").join("ma.sqlite"))
        .map_err(|e| DemoError::authority("ma", e))?;
    let (_, revocations) = store.counts().map_err(|e| DemoError::authority("ma", e))?;
    let mut reports = 0u64;
    let mut reporters = BTreeSet::new();
    let mut revoked = false;
    let mut blacklisted = false;
    for id in bad {
        for r in store
            .reports_against(id)
            .map_err(|e| DemoError::authority("ma", e))?
        {
            reports += 1;
            reporters.insert(r.reporter);
        }
        if let Some(r) = store
            .revocation(id)
            .map_err(|e| DemoError::authority("ma", e))?
        {
            revoked = true;
            blacklisted |= r.blacklisted;
        }
    }
    m.reports_received_by_ma = reports;
    m.reporters = reporters.len() as u64;
    m.suspects = revocations;
    m.revoked = revoked;
    m.blacklisted = blacklisted;
    Ok(())
}

/// What a vehicle found in a CRL.
#[derive(Debug, Default)]
pub(crate) struct CrlFacts {
    bytes: u64,
    linkage: u64,
    hash: u64,
    serial: u64,
    i_value: u64,
    index: u64,
}

impl CrlFacts {
    pub(crate) fn record(&self, m: &mut Misbehavior) {
        m.crl_bytes = self.bytes;
        m.crl_linkage_entries = self.linkage;
        m.crl_hash_entries = self.hash;
        m.crl_serial = self.serial;
        m.crl_i_value = self.i_value;
        m.crl_index_within_i = self.index;
    }
}

/// Downloads the composite CRL through the LOP and installs it as a device does
/// ([`Client::install_crl`]: its ballots applied and persisted, the CRLG certificate's
/// chain to the device's root, the signatures, anti-rollback; the certificate store's
/// guard given the new revocations); returns the verified CRL and its figures.
pub(crate) fn install_crl(
    client: &mut Client<Shared>,
) -> Result<(VerifiedCrl, CrlFacts), DemoError> {
    let who = client.device.config.device_id.clone();
    let r = client
        .transport()
        .get(CRL_PATH, &[])
        .map_err(|e| DemoError::device(&who, "CRL download", e))?;
    if r.status != 200 {
        return Err(DemoError::device(
            &who,
            "CRL download",
            format!("HTTP {}", r.status),
        ));
    }
    let verified = client
        .install_crl(&r.body)
        .map_err(|e| DemoError::device(&who, "CRL", e))?;
    let (hash, linkage) = verified.revocations.len();
    let mut facts = CrlFacts {
        bytes: r.body.len() as u64,
        linkage: linkage as u64,
        hash: hash as u64,
        ..CrlFacts::default()
    };
    // The numbering, from the (verified) contents.
    if let Ok(c) = CompositeCrl::from_coer(&r.body) {
        for sc in &c.secured_crl_series {
            let Ieee1609Dot2Content::SignedData(sd) = &sc.content else {
                continue;
            };
            let Some(Ieee1609Dot2Content::UnsecuredData(b)) =
                sd.tbs_data.payload.data.as_deref().map(|d| &d.content)
            else {
                continue;
            };
            let Ok(contents) = CrlContents::from_coer(b.as_bytes()) else {
                continue;
            };
            match &contents.type_specific {
                CrlContentsTypeSpecific::FullHashCrl(h)
                | CrlContentsTypeSpecific::DeltaHashCrl(h) => {
                    facts.serial = facts.serial.max(u64::from(h.crl_serial));
                }
                CrlContentsTypeSpecific::FullLinkedCrl(l)
                | CrlContentsTypeSpecific::DeltaLinkedCrl(l) => {
                    facts.i_value = u64::from(l.i_value);
                    facts.index = u64::from(l.index_within_i);
                }
                _ => {}
            }
        }
    }
    Ok((verified, facts))
}

/// The revoked vehicle asks its RA for its next batch (an authenticated download signed
/// with its enrollment key); returns the RA's answer.
pub(crate) fn ask_ra(o: &mut Obe, now: u32) -> Result<String, DemoError> {
    let rec = records(&o.client.device)
        .map_err(|e| DemoError::device(&o.name, "records", e))?
        .into_iter()
        .find(|r| r.kind == RequestKind::Pseudonym && r.accepted.is_some())
        .ok_or_else(|| DemoError::device(&o.name, "records", "no pseudonym request"))?;
    let hash = rec.accepted.unwrap_or_default();
    let i = i_period(now).unwrap_or(0) + 2;
    let name = batch_name(&hash, i);
    let header = download_req(&o.client.device, &name, now)
        .map_err(|e| DemoError::device(&o.name, "download request", e))?;
    let r = o
        .client
        .transport()
        .get(PATH_BATCH, &[("Download-Req".to_owned(), header)])
        .map_err(|e| DemoError::device(&o.name, "download", e))?;
    let body = String::from_utf8_lossy(&r.body).trim().to_owned();
    if r.status == 200 || !body.contains("raBlacklisted") {
        return Err(DemoError::Outcome(format!(
            "the RA answered the revoked vehicle with HTTP {} {body:?}, not raBlacklisted",
            r.status
        )));
    }
    Ok(format!("HTTP {} {body}", r.status))
}
