//! `scms admin`: SCMS Manager operations on elector-based root management: electors
//! endorse (vote), votes are collected into a ballot, and a ballot is applied to an
//! SCMS's trust store only with a quorum of valid endorsements from non-revoked electors.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use scms_asn1::camp::component_cert_management::{
    ElectorBallot, EndorsementType, TbsElectorEndorsement,
};
use scms_asn1::ieee1609dot2::{Certificate, Ieee1609Dot2Data};
use scms_asn1::Coer;
use scms_ca::{Config, Layout};
use scms_core::ballot;
use scms_core::time::{time64_from_time32, Clock, SystemClock};
use scms_core::trust::TrustStore;
use scms_store::keystore::Keystore;

/// What a ballot does (`EndorsementType`).
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum BallotType {
    /// addRoot.
    AddRoot,
    /// addElector.
    AddElector,
    /// removeRoot.
    RevokeRoot,
    /// removeElector.
    RevokeElector,
}

impl From<BallotType> for EndorsementType {
    fn from(t: BallotType) -> Self {
        match t {
            BallotType::AddRoot => EndorsementType::AddRoot,
            BallotType::AddElector => EndorsementType::AddElector,
            BallotType::RevokeRoot => EndorsementType::RemoveRoot,
            BallotType::RevokeElector => EndorsementType::RemoveElector,
        }
    }
}

/// Subcommands of `scms admin`.
#[derive(clap::Subcommand)]
pub enum Command {
    /// One elector's vote: a SignedElectorEndorsement of a certificate.
    Endorse {
        /// The SCMS directory holding the elector's key and certificate.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// The elector (e.g. `elector-1`).
        #[arg(long)]
        elector: String,
        /// What the ballot does.
        #[arg(long = "type", value_enum)]
        ty: BallotType,
        /// The certificate (COER) to add or remove.
        #[arg(long)]
        cert: PathBuf,
        /// effectiveTime (Time32); every elector of a ballot must use the same value.
        /// Default: the certificate's validity start, so independent votes agree.
        #[arg(long)]
        effective: Option<u32>,
        /// Where to write the endorsement.
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Collects endorsements (all of the same statement) into an ElectorBallot.
    Ballot {
        /// Endorsement files written by `scms admin endorse`.
        #[arg(required = true)]
        votes: Vec<PathBuf>,
        /// Where to write the ballot.
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Checks a ballot against an SCMS's electors and quorum and reports its effect;
    /// exit 0 when it would be applied, 1 when it is refused.
    ApplyBallot {
        /// The SCMS directory (electors in `certs/`, quorum in `scms.toml`).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// The ballot file.
        ballot: PathBuf,
    },
}

/// Runs a `scms admin` subcommand.
pub fn run(c: Command) -> ExitCode {
    let r = match c {
        Command::Endorse {
            dir,
            elector,
            ty,
            cert,
            effective,
            out,
        } => endorse(&dir, &elector, ty, &cert, effective, &out),
        Command::Ballot { votes, out } => collect(&votes, &out),
        Command::ApplyBallot { dir, ballot } => return apply(&dir, &ballot),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scms admin: {e}");
            ExitCode::from(2)
        }
    }
}

fn read<T: Coer>(p: &Path) -> Result<T, String> {
    let b = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
    T::from_coer(&b).map_err(|e| format!("{}: {e}", p.display()))
}

fn write(p: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(p, bytes).map_err(|e| format!("{}: {e}", p.display()))
}

fn endorse(
    dir: &Path,
    elector: &str,
    ty: BallotType,
    cert: &Path,
    effective: Option<u32>,
    out: &Path,
) -> Result<(), String> {
    let layout = Layout::new(dir);
    let keys =
        Keystore::open(&layout.keys(), crate::init::passphrase()).map_err(|e| e.to_string())?;
    let signer = keys
        .load_signer(elector)
        .map_err(|e| format!("{elector}: {e}"))?;
    let elector_cert: Certificate = read(&layout.cert(elector))?;
    let now = time64_from_time32(SystemClock.now());
    let certificate: Certificate = read(cert)?;
    let effective = effective.unwrap_or(certificate.to_be_signed.validity_period.start);
    let tbs = TbsElectorEndorsement {
        r#type: ty.into(),
        certificate,
        effective_time: Some(time64_from_time32(effective)),
    };
    let vote =
        ballot::endorse(signer.as_ref(), &elector_cert, &tbs, now).map_err(|e| e.to_string())?;
    write(out, &vote.to_coer())?;
    println!(
        "{elector} endorsed {:?} → {}",
        EndorsementType::from(ty),
        out.display()
    );
    Ok(())
}

fn collect(votes: &[PathBuf], out: &Path) -> Result<(), String> {
    let mut endorsements = Vec::new();
    for v in votes {
        endorsements.push(read::<Ieee1609Dot2Data>(v)?);
    }
    let b = ballot::ballot(endorsements);
    write(out, &b.to_coer())?;
    println!(
        "ballot of {} endorsement(s) → {}",
        votes.len(),
        out.display()
    );
    Ok(())
}

/// The trust store of an SCMS directory: its electors, its quorum, its root (added by the
/// ceremony's ballot).
pub fn trust_store(dir: &Path) -> Result<TrustStore, String> {
    let layout = Layout::new(dir);
    let cfg = Config::from_toml(
        &std::fs::read_to_string(layout.config())
            .map_err(|e| format!("{}: {e}", layout.config().display()))?,
    )?;
    let electors: Vec<Certificate> = (1..=cfg.electors)
        .map(|k| read(&layout.cert(&format!("elector-{k}"))))
        .collect::<Result<_, _>>()?;
    let mut trust =
        TrustStore::new(electors, usize::from(cfg.quorum)).map_err(|e| e.to_string())?;
    let root: Certificate = read(&layout.cert("root"))?;
    trust
        .add_root_by_ceremony(scms_crypto::default_backend(), root)
        .map_err(|e| e.to_string())?;
    Ok(trust)
}

fn apply(dir: &Path, ballot_path: &Path) -> ExitCode {
    let (mut trust, b) =
        match trust_store(dir).and_then(|t| read::<ElectorBallot>(ballot_path).map(|b| (t, b))) {
            Ok(x) => x,
            Err(e) => {
                eprintln!("scms admin: {e}");
                return ExitCode::from(2);
            }
        };
    let now = SystemClock.now();
    let report = ballot::verify_ballot(scms_crypto::default_backend(), &b, &trust, now);
    for (i, e) in report.endorsements.iter().enumerate() {
        println!("endorsement {}: {:?}", i + 1, e.status);
    }
    println!(
        "{} valid elector endorsement(s), quorum {}",
        report.valid, report.quorum
    );
    match trust.apply_ballot(scms_crypto::default_backend(), &b, now) {
        Ok(effect) => {
            println!("applied: {effect:?}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("refused: {e}");
            ExitCode::FAILURE
        }
    }
}
