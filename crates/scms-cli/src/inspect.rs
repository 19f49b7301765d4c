//! `scms inspect`: decode any SCMS or IEEE 1609.2 artifact, print it as ASN.1 value
//! notation (or JSON), and with `--verify` check every signature it can.
//!
//! Exit codes: 0 decoded (and verified), 1 a signature does not verify, 2 malformed
//! input or no known type.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use scms_asn1::camp::component_cert_management::{CompositeCrl, ElectorBallot};
use scms_asn1::camp::protocol::{ScmsFile, ScmsPDU, SignedCertificateRequest};
use scms_asn1::ieee1609dot2::{Certificate, CrlContents, Ieee1609Dot2Data};
use scms_asn1::{Coer, DecodeError, Value};
use scms_core::artifact::Artifact;

/// Arguments of `scms inspect`.
#[derive(clap::Args)]
pub struct Args {
    /// The file to decode, or `-` for standard input.
    input: PathBuf,
    /// Decode as this type (see `--list-types`); otherwise the plausible types are tried.
    #[arg(long = "type", short = 't')]
    ty: Option<String>,
    /// The input is hexadecimal text (whitespace ignored).
    #[arg(long)]
    hex: bool,
    /// Elector quorum for `--verify` of a ballot (the electors come from `--issuer`).
    #[arg(long, default_value_t = 2)]
    quorum: usize,
    /// Print JSON instead of value notation.
    #[arg(long)]
    json: bool,
    /// Verify every signature that can be checked.
    #[arg(long)]
    verify: bool,
    /// Known certificates for `--verify` (signers, issuers, electors): a COER certificate
    /// file, or a directory whose `*.oer` certificates are all loaded. Repeatable.
    #[arg(long)]
    issuer: Vec<PathBuf>,
}

type DecodeFn = fn(&[u8]) -> Result<(Value, Artifact), DecodeError>;

fn decode_as<T: Coer + Into<Artifact> + Clone>(b: &[u8]) -> Result<(Value, Artifact), DecodeError> {
    let v = T::from_coer(b)?;
    Ok((v.to_value(), v.into()))
}

/// The types `inspect` knows, in the order they are tried when `--type` is absent.
const TYPES: &[(&str, DecodeFn)] = &[
    ("Ieee1609Dot2Data", decode_as::<Ieee1609Dot2Data>),
    ("Certificate", decode_as::<Certificate>),
    (
        "SignedCertificateRequest",
        decode_as::<SignedCertificateRequest>,
    ),
    ("ScmsPDU", decode_as::<ScmsPDU>),
    ("ScmsFile", decode_as::<ScmsFile>),
    ("CompositeCrl", decode_as::<CompositeCrl>),
    ("CrlContents", decode_as::<CrlContents>),
    ("ElectorBallot", decode_as::<ElectorBallot>),
];

/// Type names accepted by `--type` for the same decoders.
const ALIASES: &[(&str, &str)] = &[
    ("SecuredScmsPDU", "Ieee1609Dot2Data"),
    ("SecuredCrl", "Ieee1609Dot2Data"),
    ("SignedEeEnrollmentCertRequest", "Ieee1609Dot2Data"),
    ("GlobalPolicyFile", "ScmsFile"),
    ("LocalPolicyFile", "ScmsFile"),
    ("GlobalCertificateChainFile", "ScmsFile"),
    ("LocalCertificateChainFile", "ScmsFile"),
];

fn read_input(a: &Args) -> Result<Vec<u8>, String> {
    let raw = if a.input.as_os_str() == "-" {
        let mut v = Vec::new();
        std::io::stdin()
            .read_to_end(&mut v)
            .map_err(|e| format!("stdin: {e}"))?;
        v
    } else {
        std::fs::read(&a.input).map_err(|e| format!("{}: {e}", a.input.display()))?
    };
    if !a.hex {
        return Ok(raw);
    }
    let text: String = String::from_utf8_lossy(&raw)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    hex::decode(text).map_err(|e| format!("not hexadecimal: {e}"))
}

fn decode(bytes: &[u8], ty: Option<&str>) -> Result<(&'static str, Value, Artifact), String> {
    if let Some(t) = ty {
        let name = ALIASES
            .iter()
            .find(|(a, _)| a.eq_ignore_ascii_case(t))
            .map_or(t, |(_, n)| *n);
        let (n, f) = TYPES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let known: Vec<&str> = TYPES
                    .iter()
                    .map(|(n, _)| *n)
                    .chain(ALIASES.iter().map(|(a, _)| *a))
                    .collect();
                format!("unknown type {t}; known: {}", known.join(", "))
            })?;
        return f(bytes)
            .map(|(v, a)| (*n, v, a))
            .map_err(|e| format!("not a valid {n}: {e}"));
    }
    let mut first_err = None;
    for (n, f) in TYPES {
        match f(bytes) {
            Ok((v, a)) => return Ok((n, v, a)),
            Err(e) => {
                first_err.get_or_insert(format!("not a valid {n}: {e}"));
            }
        }
    }
    Err(format!(
        "no known type decodes this input ({})",
        first_err.unwrap_or_else(|| "empty input".into())
    ))
}

/// Decodes the contents of OCTET STRINGs that CONTAIN another type (unsecuredData,
/// signedCertificateRequest) so that nested PDUs print in full.
fn expand_nested(v: Value) -> Value {
    match v {
        Value::Choice(alt, inner) => {
            let inner = *inner;
            let expanded = match (&*alt, &inner) {
                ("unsecuredData", Value::Octets(b)) => contained(
                    b,
                    &[
                        ("ScmsPDU", decode_as::<ScmsPDU>),
                        ("ScmsFile", decode_as::<ScmsFile>),
                        ("CrlContents", decode_as::<CrlContents>),
                    ],
                ),
                ("signedCertificateRequest", Value::Octets(b)) => contained(
                    b,
                    &[(
                        "SignedCertificateRequest",
                        decode_as::<SignedCertificateRequest>,
                    )],
                ),
                _ => None,
            };
            Value::Choice(
                alt,
                Box::new(expanded.unwrap_or_else(|| expand_nested(inner))),
            )
        }
        Value::Sequence(fields) => Value::Sequence(
            fields
                .into_iter()
                .map(|(k, v)| (k, expand_nested(v)))
                .collect(),
        ),
        Value::SequenceOf(items) => {
            Value::SequenceOf(items.into_iter().map(expand_nested).collect())
        }
        other => other,
    }
}

fn contained(bytes: &[u8], candidates: &[(&'static str, DecodeFn)]) -> Option<Value> {
    candidates.iter().find_map(|(n, f)| {
        f(bytes).ok().map(|(v, _)| Value::Containing {
            bytes: bytes.to_vec(),
            ty: n,
            value: Box::new(expand_nested(v)),
        })
    })
}

/// Runs `scms inspect`.
pub fn run(a: Args) -> ExitCode {
    let bytes = match read_input(&a) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("scms inspect: {e}");
            return ExitCode::from(2);
        }
    };
    let (name, value, artifact) = match decode(&bytes, a.ty.as_deref()) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("scms inspect: {e}");
            return ExitCode::from(2);
        }
    };
    let value = expand_nested(value);
    if a.json {
        let j = serde_json::json!({ "type": name, "value": value.to_json() });
        println!("{}", serde_json::to_string_pretty(&j).unwrap_or_default());
    } else {
        print!("{}", value.notation(name));
    }
    if !a.verify {
        return ExitCode::SUCCESS;
    }
    let known = match load_known(&a.issuer) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("scms inspect: {e}");
            return ExitCode::from(2);
        }
    };
    let mut report = artifact.verify(&known);
    if let Artifact::Ballot(b) = &artifact {
        ballot_quorum(b, &known, a.quorum, &mut report);
    }
    for line in &report.lines {
        println!("-- {line}");
    }
    if report.checked == 0 {
        eprintln!("scms inspect: no signature could be checked (give signers with --issuer)");
        ExitCode::FAILURE
    } else if report.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Loads `--issuer` certificates: files, or every `*.oer` certificate in a directory
/// (files there that are not certificates are skipped).
fn load_known(paths: &[PathBuf]) -> Result<Vec<Certificate>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let entries = std::fs::read_dir(p).map_err(|e| format!("{}: {e}", p.display()))?;
            for e in entries.flatten() {
                let f = e.path();
                if f.extension().is_some_and(|x| x == "oer") {
                    if let Ok(c) = std::fs::read(&f)
                        .map_err(|_| ())
                        .and_then(|b| Certificate::from_coer(&b).map_err(|_| ()))
                    {
                        out.push(c);
                    }
                }
            }
        } else {
            let b = std::fs::read(p).map_err(|e| format!("issuer {}: {e}", p.display()))?;
            out.push(
                Certificate::from_coer(&b).map_err(|e| format!("issuer {}: {e}", p.display()))?,
            );
        }
    }
    Ok(out)
}

/// A ballot is valid only with a quorum of distinct, current electors among `known`.
fn ballot_quorum(
    b: &ElectorBallot,
    known: &[Certificate],
    quorum: usize,
    report: &mut scms_core::artifact::VerifyReport,
) {
    use scms_core::profile::{classify, CertKind};
    let electors: Vec<Certificate> = known
        .iter()
        .filter(|c| classify(c) == Some(CertKind::Elector))
        .cloned()
        .collect();
    if electors.is_empty() {
        report.lines.push(
            "ballot quorum: not checked (give the elector certificates with --issuer)".into(),
        );
        return;
    }
    let now = scms_core::time::Clock::now(&scms_core::time::SystemClock);
    let verdict = scms_core::trust::TrustStore::new(electors, quorum)
        .map_err(|e| e.to_string())
        .map(|t| scms_core::ballot::verify_ballot(scms_crypto::default_backend(), b, &t, now));
    report.checked += 1;
    match verdict {
        Ok(r) if r.verdict.is_ok() => report.lines.push(format!(
            "ballot quorum: {} valid elector endorsement(s), quorum {quorum}: valid",
            r.valid
        )),
        Ok(r) => {
            report.failed += 1;
            let why = r.verdict.err().map(|e| e.to_string()).unwrap_or_default();
            report.lines.push(format!("ballot quorum: INVALID ({why})"));
        }
        Err(e) => {
            report.failed += 1;
            report.lines.push(format!("ballot quorum: INVALID ({e})"));
        }
    }
}
