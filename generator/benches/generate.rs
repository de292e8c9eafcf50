//! Generation cost per stage, for the Losant spec and scaled copies of it.
//!
//! `cargo bench -p openapi-clientgen --bench generate` (see `scripts/bench.sh`
//! and BENCHMARKS.md). Scales come from `GEN_BENCH_SCALES` (default
//! `1,10,100`; `1` only when run as a test by `cargo test --all-targets`).
//! For scale N the overlaid spec is replicated N times under new names (see
//! `support/scale.rs`) and serialized as YAML. Groups `generate_xN`:
//!
//! - `load`: parse the YAML text with locations (`SourceFile::parse`);
//! - `analyze`: `analyze_str` = load + normalize + check (the overlay is
//!   already applied to scaled specs); at ×1 also `analyze_with_overlay`: the
//!   published spec + `spec/overlay.yml`, as `build.rs` runs it;
//! - `lower`: schemas and operations to the type arena (`ops::lower_api`);
//! - `emit`: the arena to tokens (types, then operations), on one thread;
//! - `format_file`: syn + prettyplease of the whole module, on one thread;
//! - `generate_code`: what `build.rs` runs, end to end: lower, then emit,
//!   parse and format, the `types` module in chunks on one thread per core
//!   (up to 4) beside the `api` module;
//! - `generate`: `generate::generate` end to end, which also formats every
//!   schema and operation on its own (the `Generated::schemas` /
//!   `operations` maps of the snapshot tests).
//!
//! `BENCH_CLOCK=cpu` measures the thread's CPU time instead of wall time
//! (groups `generate_xN_cpu`; see `support/clock.rs`): for `generate_code`
//! and `generate` that leaves out the helper threads' share.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use openapi_clientgen::internals::generate::{emit, format_tokens, generate, generate_code};
use openapi_clientgen::internals::{ops, SourceFile};
use openapi_clientgen::{Analysis, Config};

/// Analyzes a spec and overlays given as `(name, text)`.
fn analyze_str(spec: (&str, &str), overlays: &[(&str, &str)]) -> Analysis {
    overlays.iter().fold(Config::new(), |c, (name, text)| c.overlay_text(name, text)).analyze_text(spec.0, spec.1)
}

#[path = "support/clock.rs"]
mod clock;
#[path = "support/scale.rs"]
mod scale;

use clock::{measure, measure_batched, Clock};

/// Run by `cargo bench` (with `--bench`), not by `cargo test --benches`.
fn benchmarking() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn scales() -> Vec<usize> {
    let default = if benchmarking() { "1,10,100" } else { "1" };
    let raw = std::env::var("GEN_BENCH_SCALES").unwrap_or_else(|_| default.to_owned());
    raw.split(',').map(|s| s.trim().parse().unwrap_or_else(|_| panic!("GEN_BENCH_SCALES: not a number: {s}"))).collect()
}

fn bench_scale(c: &mut Criterion, clock: Clock, overlaid: &serde_json::Value, n: usize) {
    let yaml = openapi_clientgen::to_yaml(&scale::scale(overlaid, n));
    let mut g = c.benchmark_group(clock.group(&format!("generate_x{n}")));
    // Seconds per iteration from ×10 on: ten single-iteration samples.
    if n == 1 {
        g.sample_size(20).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    } else {
        g.sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .measurement_time(Duration::from_secs(if n >= 100 { 60 } else { 10 }))
            .warm_up_time(Duration::from_millis(1));
    }
    g.throughput(Throughput::Bytes(yaml.len() as u64));

    if n == 1 {
        let (spec, overlay) = scale::texts();
        g.bench_function("analyze_with_overlay", |b| {
            measure(b, clock, || analyze_str(("losant-instance-api-openapi.yml", &spec), &[("overlay.yml", &overlay)]))
        });
    }
    g.bench_function("load", |b| measure(b, clock, || SourceFile::parse("scaled.yml", &yaml)));
    g.bench_function("analyze", |b| measure(b, clock, || analyze_str(("scaled.yml", &yaml), &[])));

    let analysis = analyze_str(("scaled.yml", &yaml), &[]);
    assert!(!analysis.has_errors(), "scaled ×{n} spec has errors: {:?}", analysis.diagnostics);
    drop(yaml);
    let doc = analysis.doc.expect("the scaled spec loads");
    g.bench_function("lower", |b| measure(b, clock, || ops::lower_api(&doc, None)));
    g.bench_function("generate_code", |b| measure(b, clock, || generate_code(&doc, None).expect("generates")));
    g.bench_function("generate", |b| measure(b, clock, || generate(&doc, None).expect("generates")));

    let api = ops::lower_api(&doc, None);
    drop(doc);
    let base = ops::lower_api(overlaid, None).operations.len();
    assert_eq!(api.operations.len(), base * n, "every copied operation is lowered");
    g.bench_function("emit", |b| measure(b, clock, || emit(&api)));

    let emitted = emit(&api);
    drop(api);
    g.bench_function("format_file", |b| {
        measure_batched(b, clock, || emitted.clone(), |t| format_tokens(t).expect("valid tokens"))
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    let clock = Clock::from_env();
    let overlaid = scale::overlaid();
    for n in scales() {
        bench_scale(c, clock, &overlaid, n);
    }
}

criterion_group!(generation, benches);
criterion_main!(generation);
