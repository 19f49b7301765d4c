//! Known-answer tests over CAMP's crypto test vectors.
//!
//! [`run`] parses each recognised vector file (strictly, see the parser notes) and checks every
//! vector in it — outputs and the printed intermediate values — on both curve backends.
//! [`embedded`] returns the copies of the files built into the crate.

mod checks;
mod parser;

use core::fmt;

/// Outcome for one vector file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileReport {
    /// File name (e.g. `lv.txt`).
    pub file: String,
    /// Vectors that passed.
    pub passed: usize,
    /// Vectors that failed (a parse error counts as one failure).
    pub failed: usize,
    /// One description per failure.
    pub failures: Vec<String>,
}

/// Outcome of a [`run`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KatReport {
    /// Per recognised file, in input order.
    pub files: Vec<FileReport>,
    /// Names of inputs that are not vector files (e.g. README.md).
    pub skipped: Vec<String>,
}

impl KatReport {
    /// Total passed vectors.
    pub fn passed(&self) -> usize {
        self.files.iter().map(|f| f.passed).sum()
    }

    /// Total failed vectors.
    pub fn failed(&self) -> usize {
        self.files.iter().map(|f| f.failed).sum()
    }

    /// Report of one file.
    pub fn file(&self, name: &str) -> Option<&FileReport> {
        self.files.iter().find(|f| f.file == name)
    }
}

impl fmt::Display for KatReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.files {
            writeln!(f, "{}: {} passed, {} failed", r.file, r.passed, r.failed)?;
        }
        for r in &self.files {
            for fail in &r.failures {
                writeln!(f, "FAILED {}: {}", r.file, fail)?;
            }
        }
        write!(f, "{} passed, {} failed", self.passed(), self.failed())
    }
}

/// Files whose only role is to supply values missing from a vector file.
pub const SUPPLEMENTS: [&str; 2] = ["kdf_expected.txt", "ecies_p1.txt"];

/// Runs every vector of every recognised file in `files` (`(file name, text)` pairs).
///
/// Recognised: `ecdh.txt`, `kdf.txt`, `mac1.txt`, `aesccm.txt`, `ecies.txt`, `implicit.txt`,
/// `bfkeyexp.txt`, `lv.txt`, `glv.txt`. `kdf_expected.txt` and `ecies_p1.txt` supply the KDF
/// outputs and the ECIES `P1` values that the CAMP files lack (see `vectors/supplement`).
pub fn run(files: &[(&str, &str)]) -> KatReport {
    let find = |name: &str| files.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
    let mut report = KatReport::default();
    for (name, text) in files {
        if SUPPLEMENTS.contains(name) {
            continue;
        }
        let supplement = match *name {
            "kdf.txt" => find("kdf_expected.txt"),
            "ecies.txt" => find("ecies_p1.txt"),
            _ => None,
        };
        match checks::run_file(name, text, supplement) {
            Some(outcomes) => {
                let mut fr = FileReport {
                    file: (*name).to_string(),
                    ..FileReport::default()
                };
                for (id, fails) in outcomes {
                    if fails.is_empty() {
                        fr.passed += 1;
                    } else {
                        fr.failed += 1;
                        fr.failures.push(format!("{id}: {}", fails.join("; ")));
                    }
                }
                report.files.push(fr);
            }
            None => report.skipped.push((*name).to_string()),
        }
    }
    report
}

/// The CAMP vector files (and the supplements) compiled into the crate.
pub fn embedded() -> Vec<(&'static str, &'static str)> {
    vec![
        ("ecdh.txt", include_str!("../../vectors/camp/ecdh.txt")),
        ("kdf.txt", include_str!("../../vectors/camp/kdf.txt")),
        ("mac1.txt", include_str!("../../vectors/camp/mac1.txt")),
        ("aesccm.txt", include_str!("../../vectors/camp/aesccm.txt")),
        ("ecies.txt", include_str!("../../vectors/camp/ecies.txt")),
        (
            "implicit.txt",
            include_str!("../../vectors/camp/implicit.txt"),
        ),
        (
            "bfkeyexp.txt",
            include_str!("../../vectors/camp/bfkeyexp.txt"),
        ),
        ("lv.txt", include_str!("../../vectors/camp/lv.txt")),
        ("glv.txt", include_str!("../../vectors/camp/glv.txt")),
        (
            "kdf_expected.txt",
            include_str!("../../vectors/supplement/kdf_expected.txt"),
        ),
        (
            "ecies_p1.txt",
            include_str!("../../vectors/supplement/ecies_p1.txt"),
        ),
    ]
}
