//! Runs every CAMP crypto test vector (embedded copies) and checks the parser is strict.
#![allow(clippy::unwrap_used)]

use scms_crypto::kat;

const FILES: [&str; 9] = [
    "ecdh.txt",
    "kdf.txt",
    "mac1.txt",
    "aesccm.txt",
    "ecies.txt",
    "implicit.txt",
    "bfkeyexp.txt",
    "lv.txt",
    "glv.txt",
];

#[test]
fn all_camp_vectors_pass() {
    let report = kat::run(&kat::embedded());
    for f in &report.files {
        println!("{}: {} passed", f.file, f.passed);
    }
    println!("{report}");
    for name in FILES {
        let f = report
            .file(name)
            .unwrap_or_else(|| panic!("{name} was not run"));
        assert!(f.passed > 0, "{name}: no vectors ran");
        assert_eq!(f.failed, 0, "{name} failed:\n{report}");
    }
    assert_eq!(report.failed(), 0, "{report}");
    assert!(report
        .to_string()
        .ends_with(&format!("{} passed, 0 failed", report.passed())));
}

fn with_replaced(file: &str, from: &str, to: &str) -> kat::KatReport {
    let files = kat::embedded();
    let (_, text) = files.iter().find(|(n, _)| *n == file).unwrap();
    assert!(text.contains(from), "{from} not in {file}");
    let changed = text.replacen(from, to, 1);
    let mut inputs: Vec<(&str, &str)> = files.iter().filter(|(n, _)| *n != file).copied().collect();
    inputs.push((file, &changed));
    kat::run(&inputs)
}

/// Changing one byte of an expected value in only its hex line: the hex line and the C array
/// disagree, which the parser reports as a failure.
#[test]
fn corrupted_hex_line_fails() {
    let report = with_replaced("lv.txt", "0x688ACF70E25EC01F32", "0x688ACF70E25EC01F33");
    let f = report.file("lv.txt").unwrap();
    assert!(f.failed > 0, "{report}");
    assert!(report.to_string().contains("disagrees"), "{report}");
}

/// Changing one byte of an expected value consistently (hex line and C array): the vector
/// itself fails.
#[test]
fn corrupted_expected_value_fails() {
    let report = with_replaced(
        "mac1.txt",
        "T = 0xb0344c61d8db38535ca8afceaf0bf12b\n tag[16] = \n{ 0xB0,",
        "T = 0xb1344c61d8db38535ca8afceaf0bf12b\n tag[16] = \n{ 0xB1,",
    );
    let f = report.file("mac1.txt").unwrap();
    assert_eq!(f.failed, 1, "{report}");
    assert_eq!(f.passed, 6, "{report}");
    assert!(report.to_string().ends_with("1 failed"), "{report}");
}

/// An intermediate value (butterfly block 2) corrupted consistently also fails.
#[test]
fn corrupted_intermediate_value_fails() {
    let report = with_replaced(
        "bfkeyexp.txt",
        "0xFCB03925B61B9B78B321B8D680402A6E\n[be] block_2[16] = \n{ 0xFC,",
        "0xFDB03925B61B9B78B321B8D680402A6E\n[be] block_2[16] = \n{ 0xFD,",
    );
    assert_eq!(report.file("bfkeyexp.txt").unwrap().failed, 1, "{report}");
}

/// Without the supplement the ECIES vectors fail (the printed P1 is not the one used).
#[test]
fn ecies_needs_the_p1_supplement() {
    let files: Vec<(&str, &str)> = kat::embedded()
        .into_iter()
        .filter(|(n, _)| *n != "ecies_p1.txt")
        .collect();
    let report = kat::run(&files);
    assert_eq!(report.file("ecies.txt").unwrap().passed, 0, "{report}");
}
