//! The `openapi-clientgen` command line: `lint`, `bundle`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use openapi_clientgen::{analyze, diag, to_yaml, Analysis};

#[derive(Parser)]
#[command(name = "openapi-clientgen", version, about = "Typed async Rust clients from real-world OpenAPI 3.0 specs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Check a spec (after overlays) and report every problem with its location.
    /// Exit status: 0 no error, 1 errors, 2 an input cannot be read.
    Lint {
        /// The OpenAPI 3.0 spec (YAML or JSON).
        spec: PathBuf,
        /// Overlay files, applied in order.
        #[arg(long = "overlay")]
        overlays: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Write the repaired spec as one self-contained OpenAPI 3.0.3 document.
    Bundle {
        /// The OpenAPI 3.0 spec (YAML or JSON).
        spec: PathBuf,
        /// Overlay files, applied in order.
        #[arg(long = "overlay")]
        overlays: Vec<PathBuf>,
        /// Where to write the bundled YAML (`.json` writes JSON).
        #[arg(long)]
        out: PathBuf,
    },
}

fn report(a: &Analysis, format: Format) {
    match format {
        Format::Json => println!("{}", diag::render_json(&a.diagnostics)),
        Format::Text => {
            use std::io::IsTerminal;
            eprint!("{}", diag::render_text(&a.diagnostics, std::io::stderr().is_terminal()));
            let errors = a.diagnostics.iter().filter(|d| d.severity == diag::Severity::Error).count();
            eprintln!("{} error(s), {} warning(s)", errors, a.diagnostics.len() - errors);
        }
    }
}

fn status(a: &Analysis) -> ExitCode {
    if a.unreadable {
        ExitCode::from(2)
    } else if a.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Lint { spec, overlays, format } => {
            let a = analyze(&spec, &overlays);
            report(&a, format);
            status(&a)
        }
        Command::Bundle { spec, overlays, out } => {
            let a = analyze(&spec, &overlays);
            if a.has_errors() || a.unreadable {
                report(&a, Format::Text);
                return status(&a);
            }
            report(&a, Format::Text);
            let Some(doc) = &a.doc else { return ExitCode::from(1) };
            let text = if out.extension().is_some_and(|e| e == "json") {
                serde_json::to_string_pretty(doc).unwrap_or_default()
            } else {
                to_yaml(doc)
            };
            if let Err(e) = std::fs::write(&out, text) {
                eprintln!("error: cannot write {}: {e}", out.display());
                return ExitCode::from(2);
            }
            eprintln!("wrote {}", out.display());
            ExitCode::SUCCESS
        }
    }
}
