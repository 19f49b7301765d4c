//! `scms`: the command-line front end of the SCMS.

#![forbid(unsafe_code)]

mod admin;
mod bench;
mod dcm;
mod demo;
mod ee;
mod init;
mod inspect;
mod selftest;
mod serve;

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
    /// Create a complete SCMS hierarchy (key ceremony, certificates, trust and policy files).
    Init(init::Args),
    /// Device Configuration Manager: enroll devices from a zip of CSRs (Use Case 2).
    #[command(subcommand)]
    Dcm(dcm::Command),
    /// End-entity (OBE/RSE) side: key generation, bootstrap.
    #[command(subcommand)]
    Ee(ee::Command),
    /// Throughput benchmarks, each with its crypto floor from the same run.
    #[command(subcommand)]
    Bench(bench::Command),
    /// SCMS Manager operations: elector ballots, chain files, re-certification, revocation.
    #[command(subcommand)]
    Admin(admin::Command),
    /// Decode any SCMS or IEEE 1609.2 artifact and print it as ASN.1 value notation.
    Inspect(inspect::Args),
    /// Run CAMP's known-answer crypto vectors (built in, or from a directory).
    Selftest(selftest::Args),
    /// Run the authorities as HTTPS services (RA, PCA, LA1, LA2, MA, PG, LOP).
    Serve(serve::Args),
    /// The whole lifecycle in one run: init, services, bootstrap, provisioning, V2X
    /// traffic over simulated weeks, misbehavior, revocation; prints a summary.
    Demo(demo::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Init(a) => init::run(a),
        Command::Dcm(c) => dcm::run(c),
        Command::Ee(c) => ee::run(c),
        Command::Admin(c) => admin::run(c),
        Command::Bench(c) => bench::run(c),
        Command::Inspect(a) => inspect::run(a),
        Command::Selftest(a) => selftest::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Demo(a) => demo::run(a),
    }
}
