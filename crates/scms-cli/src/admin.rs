//! `scms admin`: SCMS Manager operations. Elector-based root management: electors
//! endorse (vote), votes are collected into a ballot, and a ballot is applied to an
//! SCMS's trust store only with a quorum of valid endorsements from non-revoked electors;
//! `publish-ballot` puts addRoot/addElector ballots into the certificate chain files and
//! sends removeRoot/removeElector ballots to the MA for the CRL; `publish-certs` adds
//! component certificates to the chain files and `recertify` re-issues components under
//! a new root. `status` shows what the MA holds. Revocation: `revoke` asks
//! the MA to revoke a certificate, `root-crl` signs a root CRL of series 256 offline (and
//! optionally hands it to the MA). The MA's `/admin/*` routes are reached with the
//! operator's TLS identity (`DIR/tls/operator.*`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use scms_asn1::camp::component_cert_management::{
    ElectorBallot, EndorsementType, TbsElectorEndorsement,
};
use scms_asn1::ieee1609dot2::{Certificate, Ieee1609Dot2Data, SecuredCrl};
use scms_asn1::Coer;
use scms_ca::{Config, Layout};
use scms_core::ballot;
use scms_core::time::{time64_from_time32, Clock, SystemClock};
use scms_core::trust::TrustStore;
use scms_serve::{
    OperatorClient, ADMIN_BALLOT_PATH, ADMIN_REVOKE_PATH, ADMIN_ROOT_CRL_PATH, ADMIN_STATUS_PATH,
};
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
    /// Publishes a ballot with a quorum: addRoot/addElector are appended to
    /// `files/GCCF.oer` and `files/LCCF.oer` of DIR (versions bumped); removeRoot and
    /// removeElector go to the MA (`POST /admin/ballot`), which puts them in the CRL.
    PublishBallot {
        /// The SCMS directory (electors, chain files, TLS identity of the operator).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// The ballot file.
        ballot: PathBuf,
        /// The MA's base URL (default `https://ma.<domain>:<ports.ma>` of `scms.toml`).
        #[arg(long)]
        url: Option<String>,
    },
    /// Adds SCMS component certificates (e.g. a new root's ICA and PCA) to
    /// `files/GCCF.oer` and `files/LCCF.oer` of DIR (versions bumped). Each must validate
    /// to a root of DIR or to a self-signed root given among CERTS, which is not published
    /// (roots reach devices only through addRoot ballots).
    PublishCerts {
        /// The SCMS directory (electors, chain files).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// The certificates (COER).
        #[arg(required = true)]
        certs: Vec<PathBuf>,
    },
    /// Re-certifies components of DIR (e.g. `crlg`, `ma`, `pg`, `ica`) under a new
    /// issuer, the `--issuer` of another SCMS directory (its key from that keystore,
    /// `SCMS_PASSPHRASE`): same key, identity, permissions and validity duration, from
    /// now; published in the chain files; the previous certificate is kept beside it.
    /// Restart the services that use them.
    Recertify {
        /// The SCMS directory whose components are re-certified.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// The directory holding the new issuer (e.g. the `scms init` of a new root).
        #[arg(long)]
        issuer_dir: PathBuf,
        /// The issuer's name in that directory (`root`, `ica`).
        #[arg(long, default_value = "root")]
        issuer: String,
        /// The components (`certs/<name>.oer` of DIR).
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Revokes a certificate at the MA (`POST /admin/revoke`): pseudonym → linkage entry
    /// and RA blacklisting; identification/application → hash entry and blacklisting by
    /// RIF; enrollment → hash entry and blacklisting; SCMS component → hash entry.
    Revoke {
        /// The SCMS directory (operator TLS identity, `scms.toml`).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// The certificate (COER).
        cert: PathBuf,
        /// Why (logged and recorded by the MA).
        #[arg(long)]
        reason: Option<String>,
        /// The MA's base URL (default `https://ma.<domain>:<ports.ma>` of `scms.toml`).
        #[arg(long)]
        url: Option<String>,
    },
    /// The MA's state (`GET /admin/status`): reports, revocations, pending suspects,
    /// the CRL's serial and entries per series, ballots and root CRLs it carries.
    Status {
        /// The SCMS directory (operator TLS identity, `scms.toml`).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// The MA's base URL (default `https://ma.<domain>:<ports.ma>` of `scms.toml`).
        #[arg(long)]
        url: Option<String>,
    },
    /// Signs, with the `root` key of DIR, a root CRL of series 256 revoking CRLG, PG or
    /// MA certificates; cumulative with `--previous` (crlSerial + 1).
    RootCrl {
        /// The SCMS directory holding the root key (`SCMS_PASSPHRASE`).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// A certificate (COER) to revoke; repeat for several.
        #[arg(long)]
        revoke: Vec<PathBuf>,
        /// The previous root CRL, whose entries are kept.
        #[arg(long)]
        previous: Option<PathBuf>,
        /// Days from now to `nextCrl` (the root signs offline, rarely).
        #[arg(long, default_value_t = 365)]
        next_crl_days: u32,
        /// Where to write the SecuredCrl.
        #[arg(short, long)]
        out: PathBuf,
        /// Also hand it to the MA (`POST /admin/root-crl`), which republishes the CRL.
        #[arg(long)]
        publish: bool,
        /// The MA's base URL (default `https://ma.<domain>:<ports.ma>` of `scms.toml`).
        #[arg(long)]
        url: Option<String>,
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
        Command::PublishBallot { dir, ballot, url } => publish_ballot(&dir, &ballot, url),
        Command::PublishCerts { dir, certs } => publish_certs(&dir, &certs),
        Command::Status { dir, url } => operator(&dir, url).and_then(|o| {
            let v = o
                .get(ADMIN_STATUS_PATH)
                .map_err(|e| format!("the MA refused: {e}"))?;
            print_json(&v);
            Ok(())
        }),
        Command::Recertify {
            dir,
            issuer_dir,
            issuer,
            names,
        } => recertify(&dir, &issuer_dir, &issuer, &names),
        Command::Revoke {
            dir,
            cert,
            reason,
            url,
        } => revoke(&dir, &cert, reason.as_deref(), url),
        Command::RootCrl {
            dir,
            revoke,
            previous,
            next_crl_days,
            out,
            publish,
            url,
        } => root_crl(
            &dir,
            &revoke,
            previous.as_deref(),
            next_crl_days,
            &out,
            publish.then_some(url),
        ),
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
/// ceremony's ballot) and the ballots it published since (chain files, CRL).
pub fn trust_store(dir: &Path) -> Result<TrustStore, String> {
    scms_ma::manager::trust_store(&Layout::new(dir), SystemClock.now()).map_err(|e| e.to_string())
}

/// The operator's client of the MA of `dir` at `url` (default from `scms.toml`).
fn operator(dir: &Path, url: Option<String>) -> Result<OperatorClient, String> {
    let layout = Layout::new(dir);
    let url = match url {
        Some(u) => u,
        None => {
            let cfg = Config::from_toml(
                &std::fs::read_to_string(layout.config())
                    .map_err(|e| format!("{}: {e}", layout.config().display()))?,
            )?;
            format!("https://{}:{}", cfg.fqdn("ma"), cfg.ports.ma)
        }
    };
    OperatorClient::new(&layout.tls(), &url).map_err(|e| format!("operator TLS: {e}"))
}

fn print_json(v: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
    );
}

fn revoke(
    dir: &Path,
    cert: &Path,
    reason: Option<&str>,
    url: Option<String>,
) -> Result<(), String> {
    let c: Certificate = read(cert)?;
    let headers: Vec<(&str, &str)> = reason
        .map(|r| vec![(scms_serve::REASON_HEADER, r)])
        .unwrap_or_default();
    let answer = operator(dir, url)?
        .post(ADMIN_REVOKE_PATH, c.to_coer(), &headers)
        .map_err(|e| format!("the MA refused the revocation: {e}"))?;
    print_json(&answer);
    Ok(())
}

fn publish_ballot(dir: &Path, ballot_path: &Path, url: Option<String>) -> Result<(), String> {
    let b: ElectorBallot = read(ballot_path)?;
    let tbs = scms_ma::manager::statement(&b).map_err(|e| e.to_string())?;
    match tbs.r#type {
        EndorsementType::AddRoot | EndorsementType::AddElector => {
            let u = scms_ma::manager::publish_add_ballot(&Layout::new(dir), &b, SystemClock.now())
                .map_err(|e| e.to_string())?;
            println!(
                "{:?}: files/GCCF.oer version {}, files/LCCF.oer version {}",
                u.effect, u.gccf_version, u.lccf_version
            );
        }
        EndorsementType::RemoveRoot | EndorsementType::RemoveElector => {
            let answer = operator(dir, url)?
                .post(ADMIN_BALLOT_PATH, b.to_coer(), &[])
                .map_err(|e| format!("the MA refused the ballot: {e}"))?;
            print_json(&answer);
        }
    }
    Ok(())
}

fn publish_certs(dir: &Path, paths: &[PathBuf]) -> Result<(), String> {
    let certs: Vec<Certificate> = paths.iter().map(|p| read(p)).collect::<Result<_, _>>()?;
    let u = scms_ma::manager::publish_certificates(&Layout::new(dir), &certs, SystemClock.now())
        .map_err(|e| e.to_string())?;
    for id in &u.added {
        println!("published {}", hex::encode(id));
    }
    for id in &u.anchors {
        println!("validated against root {} (not published)", hex::encode(id));
    }
    println!(
        "files/GCCF.oer version {}, files/LCCF.oer version {}",
        u.gccf_version, u.lccf_version
    );
    Ok(())
}

fn recertify(dir: &Path, issuer_dir: &Path, issuer: &str, names: &[String]) -> Result<(), String> {
    let from = Layout::new(issuer_dir);
    let keys =
        Keystore::open(&from.keys(), crate::init::passphrase()).map_err(|e| e.to_string())?;
    let key = keys
        .load_signer(issuer)
        .map_err(|e| format!("{issuer}: {e}"))?;
    let cert: Certificate = read(&from.cert(issuer))?;
    let layout = Layout::new(dir);
    for name in names {
        let r =
            scms_ma::manager::recertify(&layout, name, (&cert, key.as_ref()), SystemClock.now())
                .map_err(|e| format!("{name}: {e}"))?;
        println!(
            "{name}: certs/{name}.oer re-certified by {} (previous kept as {}); \
             files/GCCF.oer version {}, files/LCCF.oer version {}",
            hex::encode(scms_core::hash::certificate_id8(&cert)),
            r.previous.display(),
            r.published.gccf_version,
            r.published.lccf_version
        );
    }
    Ok(())
}

fn root_crl(
    dir: &Path,
    revoke: &[PathBuf],
    previous: Option<&Path>,
    next_crl_days: u32,
    out: &Path,
    publish: Option<Option<String>>,
) -> Result<(), String> {
    if revoke.is_empty() && previous.is_none() {
        return Err("nothing to revoke: give --revoke CERT (or --previous to re-sign)".into());
    }
    let layout = Layout::new(dir);
    let keys =
        Keystore::open(&layout.keys(), crate::init::passphrase()).map_err(|e| e.to_string())?;
    let signer = keys.load_signer("root").map_err(|e| format!("root: {e}"))?;
    let root: Certificate = read(&layout.cert("root"))?;
    let certs: Vec<Certificate> = revoke.iter().map(|p| read(p)).collect::<Result<_, _>>()?;
    let prev: Option<SecuredCrl> = previous.map(read).transpose()?;
    let now = SystemClock.now();
    let next = now.saturating_add(next_crl_days.saturating_mul(86_400));
    let crl =
        scms_crl::root::build_root_crl(signer.as_ref(), &root, prev.as_ref(), &certs, now, next)
            .map_err(|e| e.to_string())?;
    let (_, contents) = scms_crl::root::open_root_crl(&crl, std::slice::from_ref(&root))
        .map_err(|e| e.to_string())?;
    write(out, &crl.to_coer())?;
    println!(
        "root CRL serial {} ({} certificate(s) listed) → {}",
        scms_crl::root::crl_serial(&contents),
        match &contents.type_specific {
            scms_asn1::ieee1609dot2::CrlContentsTypeSpecific::FullHashCrl(h) => h.entries.len(),
            _ => 0,
        },
        out.display()
    );
    if let Some(url) = publish {
        let answer = operator(dir, url)?
            .post(ADMIN_ROOT_CRL_PATH, crl.to_coer(), &[])
            .map_err(|e| format!("the MA refused the root CRL: {e}"))?;
        print_json(&answer);
    }
    Ok(())
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
