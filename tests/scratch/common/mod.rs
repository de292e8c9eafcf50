//! Helpers shared by the scratch crates' wire tests (written next to them as
//! `tests/common/mod.rs`).

use wiremock::Request;

/// The value of header `name` of a recorded request ("" when absent).
pub fn header(r: &Request, name: &str) -> String {
    r.headers.get(name).map(|v| v.to_str().expect("ASCII").to_owned()).unwrap_or_default()
}

/// The parts of a `multipart/form-data` body: (headers, content), headers lower case.
pub fn multipart_parts(r: &Request) -> Vec<(Vec<String>, Vec<u8>)> {
    let ct = header(r, "content-type");
    let boundary = ct.strip_prefix("multipart/form-data; boundary=").expect("a multipart content type");
    let delimiter = format!("--{boundary}");
    let body = &r.body[..];
    let mut starts = Vec::new();
    let mut i = 0;
    while let Some(at) = body[i..].windows(delimiter.len()).position(|w| w == delimiter.as_bytes()) {
        starts.push(i + at);
        i += at + delimiter.len();
    }
    assert_eq!(&body[*starts.last().unwrap()..], format!("{delimiter}--\r\n").as_bytes(), "the closing delimiter");
    starts
        .windows(2)
        .map(|w| {
            let part = &body[w[0] + delimiter.len() + 2..w[1] - 2];
            let split = part.windows(4).position(|x| x == b"\r\n\r\n").expect("headers end");
            let headers = String::from_utf8_lossy(&part[..split]).lines().map(|l| l.to_ascii_lowercase()).collect();
            (headers, part[split + 4..].to_vec())
        })
        .collect()
}
