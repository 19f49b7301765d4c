//! The figures of a run: counters filled in as things happen, and the summary table and
//! JSON made from them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

/// Every figure the demo reports. Each one is a counter of what happened.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Summary {
    /// What was run.
    pub parameters: Parameters,
    /// Certificates issued, by type.
    pub certificates: Certificates,
    /// V2X messages.
    pub messages: Messages,
    /// Misbehavior detection, reporting and revocation.
    pub misbehavior: Misbehavior,
    /// Wall time per phase, in order.
    pub phases: Vec<Phase>,
    /// Wall time of the whole run, seconds.
    pub total_seconds: f64,
}

/// The parameters of the run.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Parameters {
    /// Vehicles (OBEs).
    pub vehicles: u32,
    /// Roadside units.
    pub rses: u32,
    /// Simulated weeks.
    pub weeks: u32,
    /// Seed of the road model.
    pub seed: u64,
    /// The `scms init` directory.
    pub dir: String,
    /// Whether the directory is kept after the run.
    pub kept: bool,
    /// Simulated seconds of driving per week.
    pub drive_seconds_per_week: u32,
}

/// Certificates issued during the run, by type.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Certificates {
    /// Enrollment certificates (ECA, through the DCM).
    pub enrollment: u64,
    /// Pseudonym certificates downloaded by vehicles.
    pub pseudonym: u64,
    /// Application certificates downloaded by RSEs.
    pub application: u64,
    /// Pseudonym + application certificates per second of the provisioning and top-off
    /// phases (request to stored certificate, over HTTPS).
    pub issuance_per_second: f64,
    /// Wall time of those phases, seconds.
    pub issuance_seconds: f64,
    /// Pseudonym batches downloaded.
    pub batches: u64,
}

impl Certificates {
    /// Every certificate issued.
    pub fn total(&self) -> u64 {
        self.enrollment + self.pseudonym + self.application
    }
}

/// Messages signed, received, verified and rejected.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Messages {
    /// BSMs signed (PSID 0x20, pseudonym certificates).
    pub bsm_signed: u64,
    /// SPaT-like messages signed (PSID 0x82, RSE application certificates).
    pub spat_signed: u64,
    /// BSMs signed with the full certificate (the rest carry its digest).
    pub signed_with_full_certificate: u64,
    /// Receptions (one message heard by one vehicle); each is verified or rejected.
    pub received: u64,
    /// Receptions whose signature and certificate chain verified.
    pub verified: u64,
    /// Receptions rejected, by reason.
    pub rejected: BTreeMap<String, u64>,
    /// Verified messages with a plausibility problem (position jump).
    pub implausible: u64,
}

impl Messages {
    /// Receptions rejected, all reasons.
    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }

    /// Counts one rejection.
    pub fn reject(&mut self, reason: &str) {
        *self.rejected.entry(reason.to_owned()).or_default() += 1;
    }
}

/// The misbehaving vehicle and what happened to it.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Misbehavior {
    /// Device id of the misbehaving vehicle.
    pub vehicle: String,
    /// Misbehaving BSMs it sent (implausible position jumps).
    pub implausible_sent: u64,
    /// Misbehavior reports built and sent by other vehicles.
    pub reports_sent: u64,
    /// Reports the RA accepted over HTTPS (through the LOP).
    pub reports_accepted_by_ra: u64,
    /// Reports the MA verified and stored.
    pub reports_received_by_ma: u64,
    /// Distinct reporters (pseudonym certificates) against the misbehaving vehicle.
    pub reporters: u64,
    /// How reports reached the MA.
    pub report_path: String,
    /// How the MA reached the PCA, RA and LAs.
    pub investigation_path: String,
    /// Revocations the MA decided (its detection policy flagged the certificate and the
    /// investigation completed).
    pub suspects: u64,
    /// Whether the MA's investigation ended with the vehicle on the CRL.
    pub revoked: bool,
    /// Whether the RA confirmed the blacklisting of its enrollment certificate.
    pub blacklisted: bool,
    /// Linkage (pseudonym) entries in the published CRL.
    pub crl_linkage_entries: u64,
    /// Hash entries in the published CRL.
    pub crl_hash_entries: u64,
    /// Highest `crlSerial` of the hash CRLs in the composite CRL.
    pub crl_serial: u64,
    /// `iValue` / `indexWithinI` of the linkage CRL.
    pub crl_i_value: u64,
    /// `indexWithinI` of the linkage CRL.
    pub crl_index_within_i: u64,
    /// Size of the composite CRL, bytes.
    pub crl_bytes: u64,
    /// Vehicles that downloaded and installed the CRL (verified, through the device API).
    pub crl_downloads: u64,
    /// Receptions of its messages after the other vehicles had the CRL.
    pub received_after_revocation: u64,
    /// Of those, rejected as revoked.
    pub rejected_after_revocation: u64,
    /// Of those, accepted (must be 0).
    pub accepted_after_revocation: u64,
    /// Its pseudonym periods (i) whose messages were rejected after revocation.
    pub periods_rejected: Vec<u32>,
    /// What its RA answered when it asked for more certificates after revocation.
    pub ra_answer: String,
    /// BSMs it did not send once it had installed the CRL itself: its certificate store's
    /// guard refused its revoked pseudonyms.
    pub refused_by_own_guard: u64,
}

/// Wall time of one phase.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Phase {
    /// The phase.
    pub name: String,
    /// Seconds.
    pub seconds: f64,
}

impl Summary {
    /// The JSON of [`Summary::table`]'s figures.
    pub fn json(&self) -> Result<String, serde_json::Error> {
        let mut v = serde_json::to_value(self)?;
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "certificates_total".into(),
                serde_json::json!(self.certificates.total()),
            );
            o.insert(
                "messages_rejected_total".into(),
                serde_json::json!(self.messages.rejected_total()),
            );
        }
        serde_json::to_string_pretty(&v)
    }

    /// Whether the counters add up: every reception verified or rejected, every
    /// rejection after revocation counted among the rejections, and so on.
    pub fn consistent(&self) -> Result<(), String> {
        let m = &self.messages;
        if m.received != m.verified + m.rejected_total() {
            return Err(format!(
                "received {} != verified {} + rejected {}",
                m.received,
                m.verified,
                m.rejected_total()
            ));
        }
        let mb = &self.misbehavior;
        if mb.received_after_revocation
            != mb.rejected_after_revocation + mb.accepted_after_revocation
        {
            return Err("messages after revocation do not add up".into());
        }
        if mb.rejected_after_revocation > m.rejected_total()
            || mb.accepted_after_revocation > m.verified
        {
            return Err("more receptions of the revoked vehicle than in total".into());
        }
        if mb.refused_by_own_guard > 0 && !mb.revoked {
            return Err("transmissions refused by the guard of a vehicle not revoked".into());
        }
        if mb.reports_received_by_ma > mb.reports_sent || mb.reporters > mb.reports_sent {
            return Err("the MA counted more reports than were sent".into());
        }
        if m.signed_with_full_certificate > m.bsm_signed {
            return Err("more full-certificate BSMs than BSMs".into());
        }
        Ok(())
    }

    /// The summary table printed at the end of `scms demo`.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let c = &self.certificates;
        let m = &self.messages;
        let mb = &self.misbehavior;
        let p = &self.parameters;
        let _ = writeln!(
            s,
            "\nSummary ({} vehicles, {} RSEs, {} weeks, seed {}; {} s of 10 Hz driving per week)",
            p.vehicles, p.rses, p.weeks, p.seed, p.drive_seconds_per_week
        );
        let rule = "-".repeat(64);
        let _ = writeln!(s, "{rule}");
        let mut row = |k: &str, v: String| {
            let _ = writeln!(s, "  {k:<46} {v:>15}");
        };
        row("certificates issued: enrollment", c.enrollment.to_string());
        row("certificates issued: pseudonym", c.pseudonym.to_string());
        row(
            "certificates issued: application (RSE)",
            c.application.to_string(),
        );
        row("certificates issued: total", c.total().to_string());
        row("pseudonym batches downloaded", c.batches.to_string());
        row(
            "issuance rate (pseudonym+application)",
            format!("{:.1} /s", c.issuance_per_second),
        );
        row("BSMs signed (PSID 0x20)", m.bsm_signed.to_string());
        row(
            "  of which with the full certificate",
            m.signed_with_full_certificate.to_string(),
        );
        row(
            "SPaT messages signed (PSID 0x82)",
            m.spat_signed.to_string(),
        );
        row(
            "messages received (sender in range)",
            m.received.to_string(),
        );
        row("messages verified", m.verified.to_string());
        row("messages rejected", m.rejected_total().to_string());
        for (why, n) in &m.rejected {
            row(&format!("  rejected: {why}"), n.to_string());
        }
        row(
            "verified BSMs flagged implausible",
            m.implausible.to_string(),
        );
        row("misbehaving BSMs sent", mb.implausible_sent.to_string());
        row("misbehavior reports sent", mb.reports_sent.to_string());
        row(
            "  accepted by the RA (HTTPS via LOP)",
            mb.reports_accepted_by_ra.to_string(),
        );
        row(
            "  verified and stored by the MA",
            mb.reports_received_by_ma.to_string(),
        );
        row("  distinct reporters", mb.reporters.to_string());
        row("revocations decided by the MA", mb.suspects.to_string());
        row(
            "CRL: linkage / hash entries",
            format!("{} / {}", mb.crl_linkage_entries, mb.crl_hash_entries),
        );
        row(
            "CRL: iValue / indexWithinI / crlSerial",
            format!(
                "{} / {} / {}",
                mb.crl_i_value, mb.crl_index_within_i, mb.crl_serial
            ),
        );
        row("CRL size", format!("{} B", mb.crl_bytes));
        row(
            "CRL downloads (verified, installed)",
            mb.crl_downloads.to_string(),
        );
        row(
            "transmissions refused by own guard",
            mb.refused_by_own_guard.to_string(),
        );
        let _ = writeln!(s, "{rule}");
        for ph in &self.phases {
            let _ = writeln!(
                s,
                "  {:<46} {:>13.2} s",
                format!("wall time: {}", ph.name),
                ph.seconds
            );
        }
        let _ = writeln!(
            s,
            "  {:<46} {:>13.2} s",
            "wall time: total", self.total_seconds
        );
        let _ = writeln!(s, "{rule}");
        s
    }
}

/// The rejection reason of a message signed by a revoked certificate.
pub const REVOKED: &str = "revoked (CRL)";
