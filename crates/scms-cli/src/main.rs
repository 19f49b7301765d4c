//! `scms`: the command-line front end of the SCMS.

#![forbid(unsafe_code)]

mod inspect;
mod selftest;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// An IEEE 1609.2 / CAMP Security Credential Management System for V2X.
#[derive(Parser)]
#[command(name = "scms", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode any SCMS or IEEE 1609.2 artifact and print it as ASN.1 value notation.
    Inspect(inspect::Args),
    /// Run CAMP's known-answer crypto vectors (built in, or from a directory).
    Selftest(selftest::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Inspect(a) => inspect::run(a),
        Command::Selftest(a) => selftest::run(a),
    }
}
