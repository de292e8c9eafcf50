//! Self-test of tests/support/tools.rs: the pinned Redocly and Prism CLIs are
//! installed and behave the way the other integration tests rely on.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use crate::support::tools;

const VALID_SPEC: &str = r##"openapi: 3.0.3
info:
  title: Smoke
  version: "1.0"
paths:
  /pets/{petId}:
    get:
      operationId: getPet
      parameters:
        - name: petId
          in: path
          required: true
          schema:
            type: integer
      responses:
        "200":
          description: A pet
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Pet"
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id:
          type: integer
        name:
          type: string
"##;

/// One GET operation with a required query parameter. The 400 response is what
/// makes Prism answer an invalid request with that response plus an
/// `sl-violations` header; without a declared 4xx response it returns a
/// generated 422 problem+json and no `sl-violations` header.
const PRISM_SPEC: &str = r##"openapi: 3.0.3
info:
  title: Smoke
  version: "1.0"
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - name: limit
          in: query
          required: true
          schema:
            type: integer
            minimum: 1
      responses:
        "200":
          description: A pet
          content:
            application/json:
              schema:
                type: object
                required: [id, name]
                properties:
                  id:
                    type: integer
                    example: 7
                  name:
                    type: string
                    example: Rex
        "400":
          description: Invalid request
          content:
            application/json:
              schema:
                type: object
                required: [message]
                properties:
                  message:
                    type: string
                    example: invalid request
"##;

fn write_spec(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write spec");
    path
}

#[test]
fn redocly_accepts_valid_spec() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write_spec(&dir, "valid.yaml", VALID_SPEC);
    let (ok, output) = tools::redocly_lint(&spec);
    assert!(ok, "expected zero errors for a valid spec:\n{output}");
}

#[test]
fn redocly_reports_dangling_ref() {
    let dir = tempfile::tempdir().unwrap();
    let broken = VALID_SPEC.replace("#/components/schemas/Pet\"", "#/components/schemas/Nope\"");
    assert_ne!(broken, VALID_SPEC);
    let spec = write_spec(&dir, "broken.yaml", &broken);
    let (ok, output) = tools::redocly_lint(&spec);
    assert!(!ok, "expected errors for a dangling $ref:\n{output}");
    assert!(output.contains("no-unresolved-refs"), "expected a no-unresolved-refs error:\n{output}");
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Minimal HTTP/1.1 GET over a plain TcpStream (`Connection: close`).
fn http_get(base_url: &str, path_and_query: &str) -> Response {
    let authority = base_url.strip_prefix("http://").expect("http base url");
    let mut stream = TcpStream::connect(authority).expect("connect to prism");
    stream.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    write!(
        stream,
        "GET {path_and_query} HTTP/1.1\r\nHost: {authority}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    let raw = String::from_utf8_lossy(&raw);
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or_else(|| panic!("malformed HTTP response: {raw:?}"));
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line: {status_line:?}"));
    let headers =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    Response { status, headers, body: body.to_string() }
}

#[test]
fn prism_mocks_and_validates_requests() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write_spec(&dir, "prism.yaml", PRISM_SPEC);
    let prism = tools::Prism::start(&spec, &[]);

    let ok = http_get(&prism.base_url, "/pets?limit=3");
    assert_eq!(ok.status, 200, "body: {}\nlog:\n{}", ok.body, prism.log());
    assert!(ok.body.contains("\"id\"") && ok.body.contains("\"name\""), "unexpected body: {}", ok.body);
    assert_eq!(ok.header("sl-violations"), None);

    let bad = http_get(&prism.base_url, "/pets");
    assert!((400..500).contains(&bad.status), "expected 4xx, got {}: {}\nlog:\n{}", bad.status, bad.body, prism.log());
    let violations =
        bad.header("sl-violations").unwrap_or_else(|| panic!("no sl-violations header: {:?}", bad.headers));
    assert!(violations.contains("limit"), "violations: {violations}");
}
