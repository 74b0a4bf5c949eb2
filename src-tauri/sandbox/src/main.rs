//! `cadence-sandbox`: the offline WhatsApp Cloud API as a program.
//!
//! This version prints the default profile; serving Meta's HTTP paths arrives with
//! the HTTP layer. Must not depend on `tauri`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use cadence_sandbox::Profile;
use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "cadence-sandbox",
    version,
    about = "An offline WhatsApp Cloud API with Meta's behaviour, for new users, tests and benchmarks"
)]
struct Cli {
    /// Address to serve the Cloud API and the control API on, e.g. 127.0.0.1:8787.
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,

    /// Profile JSON (fields not given keep their defaults).
    #[arg(long, value_name = "FILE")]
    profile: Option<PathBuf>,

    /// Seed of the simulation: one seed, one run.
    #[arg(long, value_name = "N", default_value_t = 1)]
    seed: u64,

    /// Divide Meta's long durations (review, pauses, 24 h windows) by X.
    #[arg(long, value_name = "X", default_value_t = 1.0)]
    time_scale: f64,

    /// Print the default profile as JSON and exit.
    #[arg(long)]
    print_default_profile: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.print_default_profile {
        println!("{}", Profile::default().to_json());
        return ExitCode::SUCCESS;
    }
    if let Some(path) = &cli.profile {
        let problem = match std::fs::read_to_string(path) {
            Err(error) => Some(format!("cannot read it: {error}")),
            Ok(json) => Profile::from_json(&json)
                .err()
                .map(|error| error.to_string()),
        };
        if let Some(problem) = problem {
            eprintln!("error: profile {}: {problem}", path.display());
            return ExitCode::from(2);
        }
    }
    if let Some(address) = cli.listen {
        eprintln!(
            "error: cannot listen on {address}: the HTTP layer is not built in this version of cadence-sandbox (seed {}, time scale {})",
            cli.seed, cli.time_scale
        );
        return ExitCode::from(2);
    }
    eprintln!("error: nothing to do: give --listen ADDR or --print-default-profile (see --help)");
    ExitCode::from(2)
}
