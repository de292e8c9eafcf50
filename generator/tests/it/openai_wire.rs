//! OpenAI's API on the wire (issue 15): a client generated from a slice of
//! `tests/corpus/openai.yaml` (list models, upload a file, create a chat
//! completion, with their components) and the overlay
//! `tests/corpus/overlays/openai.yml` (`x-clientgen-sse-terminator: "[DONE]"`),
//! compiled in a scratch crate whose own test (`tests/scratch/openai_wire.rs`)
//! calls it against wiremock and a raw TCP server: a JSON call, a multipart
//! upload and streamed chat completions (chunks split anywhere, `[DONE]`, a
//! cut connection, a stream without `[DONE]`, a dropped stream).
//!
//! A slice, not the whole spec: the three operations reach 78 of the spec's
//! schemas, which keeps the scratch crate quick to build.

use openapi_clientgen::internals::SourceFile;
use openapi_clientgen::Config;
use serde_json::Value;

use crate::support::{root, scratch_crate, spec_slice};

/// The operations the wire tests call: `(path, method)`.
const PICKS: [(&str, &str); 3] = [("/models", "get"), ("/files", "post"), ("/chat/completions", "post")];

fn sliced_spec() -> String {
    let path = root().join("tests/corpus/openai.yaml");
    let text = std::fs::read_to_string(&path).expect("the OpenAI spec");
    let doc: Value = SourceFile::parse("openai.yaml", &text).unwrap_or_else(|e| panic!("{e:?}")).value;
    let picks: Vec<(String, String)> = PICKS.iter().map(|(p, m)| (p.to_string(), m.to_string())).collect();
    serde_json::to_string_pretty(&spec_slice::slice(&doc, &picks)).expect("serializable")
}

#[test]
fn openai_json_multipart_and_streamed_calls_on_the_wire() {
    let spec = sliced_spec();
    let config = Config::new().overlay(root().join("tests/corpus/overlays/openai.yml"));
    let analysis = config.analyze_text("openai-slice.json", &spec);
    assert!(!analysis.has_errors(), "{}", openapi_clientgen::diag::render_text(&analysis.diagnostics, false));
    let g = config.generate_from(&analysis, "openai-slice.json").unwrap_or_else(|e| panic!("{e}"));
    let chat = g.api.operations.iter().find(|o| o.id == "createChatCompletion").expect("the chat operation");
    let events = chat.events.as_ref().expect("chat completions offer text/event-stream");
    assert_eq!(events.terminator.as_deref(), Some("[DONE]"), "from the overlay");
    assert!(chat.success.1.is_some(), "and JSON: send() stays JSON, send_events() streams");

    let lib = format!(
        "//! A client of a slice of OpenAI's spec.\n#![deny(warnings, missing_docs)]\n\n{}",
        scratch_crate::module("openai", " The generated client.", &g.code)
    );
    let test = std::fs::read_to_string(root().join("tests/scratch/openai_wire.rs")).expect("the scratch test");
    let started = std::time::Instant::now();
    // `cargo test` only: the generated code's clippy-cleanliness is the fixtures' test (the
    // event-stream code: `server-sent-events.yml`); a clippy pass over these 8,900 lines
    // would add 20 s of CPU to the 35 s the build and run take.
    let common = scratch_crate::wire_helpers();
    let out = scratch_crate::test_without_clippy(
        "openai-wire",
        &lib,
        &[("openai_wire.rs", &test), ("common/mod.rs", &common)],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    eprintln!("openai-wire scratch crate: built and tested in {:.1?}", started.elapsed());
    assert!(out.contains("8 passed"), "the scratch crate's eight tests ran: {out}");
}
