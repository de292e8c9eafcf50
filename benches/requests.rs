//! Request overhead of the generated client against a hand-written reqwest +
//! serde call, and typed decoding against `serde_json::Value`, in one run.
//!
//! `cargo bench -p losant-instance-api --bench requests` (see
//! `scripts/bench.sh` and BENCHMARKS.md). Groups:
//!
//! - `request_orgs_page`: `GET /instances/{id}/orgs?…&perPage=25` answered with
//!   a realistic 25-organization page (49.8 KB), decoded into
//!   `types::InstanceOrgs`;
//! - `request_orgs_empty`: the same request answered with an empty page, so
//!   the per-request cost outside decoding dominates;
//! - `decode_audit_logs`: a 10,000-item `instanceAuditLogs` page decoded
//!   into `types::InstanceAuditLogs` and into `serde_json::Value`.
//!
//! In each request group, `generated` is
//! `client.instance_orgs().get(id).per_page(25).send()` and `handwritten` is
//! `reqwest::Client::get(url).query(..).header(..)…send()…json()`, sending the
//! same request line and headers (checked before measuring) to the same
//! local server: a minimal HTTP/1.1 keep-alive responder that answers every
//! request with the same bytes. The server runs on the client's own
//! current-thread runtime, so a request involves no wake-up of another thread
//! (on a 2-vCPU VM such cross-thread hand-offs vary by tens of µs per request
//! with the scheduler's mood and swamp the client's own cost);
//! `REQUESTS_SERVER=thread` puts it on a thread of its own instead. After a
//! `cargo bench` run the ratios are printed, then an interleaved A/B
//! comparison runs (`REQUESTS_AB=0` skips it).
//!
//! `cargo test --all-targets` runs each routine once (criterion's test mode).
//!
//! `BENCH_CLOCK=cpu` measures CPU time instead of wall time (groups suffixed
//! `_cpu`): the process's for the requests (client and server, user +
//! system), the thread's for decoding; see
//! `generator/benches/support/clock.rs`.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use criterion::{Criterion, Throughput};
use losant_instance_api::{types, Client};
use reqwest::header::{ACCEPT, AUTHORIZATION, USER_AGENT};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[path = "../generator/benches/support/clock.rs"]
mod clock;

use clock::{measure, process_cpu, Clock};

const INSTANCE_ID: &str = "575ec8687ae143cd83dc4a97";
const TOKEN: &str = "bench-token";
const USER_AGENT_VALUE: &str = "losant-bench/1.0";
const ACCEPT_VERSION: &str = "^1.30.0";
const PER_PAGE: i64 = 25;

// ---------------------------------------------------------------------------
// Test data

/// A 24-digit hex id, distinct per `(kind, n)`.
fn oid(kind: u32, n: u64) -> String {
    format!("{kind:08x}{:016x}", n.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

fn date(n: u64) -> String {
    let secs = 1_700_000_000 + n * 3_607;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // 2023-11-14 is day 19_675 since the epoch; keep within one year for a simple calendar.
    let day_of_year = (days - 19_675) % 300;
    let (month, day) = (1 + day_of_year / 28, 1 + day_of_year % 28);
    format!("2024-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z", rem / 3600, rem % 3600 / 60, rem % 60, n % 1000)
}

/// One organization as Losant returns it (fields of instanceOrg.json).
fn org(n: u64) -> Value {
    let counts = |base: u64| {
        let mut m = serde_json::Map::new();
        for (i, k) in [
            "apiTokenCount",
            "appCount",
            "certificateCount",
            "certificateAuthorityCount",
            "credentialCount",
            "dashCount",
            "dataTableCount",
            "deviceCount",
            "deviceRecipeCount",
            "eventCount",
            "experienceDomainCount",
            "experienceEndpointCount",
            "experienceGroupCount",
            "experienceSlugCount",
            "experienceUserCount",
            "experienceVersionCount",
            "experienceViewCount",
            "fileCount",
            "flowCount",
            "integrationCount",
            "keyCount",
            "notebookCount",
            "privateFileCount",
            "resourceJobCount",
            "webhookCount",
            "memberCount",
            "pendingInviteCount",
        ]
        .iter()
        .enumerate()
        {
            m.insert((*k).to_owned(), json!((base * 7 + i as u64 * 13) % 500));
        }
        Value::Object(m)
    };
    let mut summary = counts(n);
    summary["storageStats"] = json!({ "count": 120 + n, "size": 1_048_576 * (n + 1) });
    summary["notebookStats"] = json!({ "awaitingCompletion": 0, "minutesThisPeriod": 42, "runsThisPeriod": 7 });
    summary["payloadCount"] = json!({
        "deviceState": { "mqtt": 120_345.0, "rest": 9_812.0 },
        "deviceCommand": { "mqtt": 512.0 },
        "webhook": { "total": 77.0 },
        "timer": { "total": 1_440.0 },
    });
    json!({
        "id": oid(1, n),
        "orgId": oid(1, n),
        "instanceId": INSTANCE_ID,
        "creationDate": date(n),
        "lastUpdated": date(n + 500),
        "name": format!("Customer Organization {n}"),
        "description": format!("Production organization for customer {n}: plants, gateways and dashboards."),
        "iconColor": "#1B75BC",
        "limits": {
            "apitoken": 100, "application": 50, "dashboard": 100, "datatable": 25, "device": 10_000,
            "devicerecipe": 50, "experiencedomain": 5, "experienceuser": 5_000, "file": 10_000, "flow": 500,
            "integration": 25, "notebook": 10, "webhook": 100, "member": 100, "payload": 50_000_000,
            "storage": 10_737_418_240_u64, "dataTTL": 2_592_000, "notebookMinutesPerRun": 60,
            "notebookMinutesPerMonth": 3_000, "notebookInParallel": 2, "systemInterval": 30,
        },
        "summary": summary,
        "whitelistedEmailDomains": ["example.com", format!("customer{n}.example.net")],
        "auditLogEnabled": n % 2 == 0,
        "disabledAt": false,
        "isReadOnly": false,
        "tags": [ { "key": "region", "value": "us-east" }, { "key": "tier", "value": "gold" } ],
        "mfaMode": "adminRequired",
        "planId": "enterprise-2024",
        "subscriptionStatus": "active",
        "currentPeriodStart": date(n + 10),
        "currentPeriodEnd": date(n + 20),
    })
}

/// An `instanceOrgs` page of `count` organizations.
fn orgs_page(count: u64) -> Vec<u8> {
    let page = json!({
        "items": (0..count).map(org).collect::<Vec<_>>(),
        "instanceId": INSTANCE_ID,
        "count": count,
        "totalCount": 1_250,
        "perPage": PER_PAGE,
        "page": 0,
        "sortField": "name",
        "sortDirection": "asc",
    });
    serde_json::to_vec(&page).expect("serializable")
}

/// One audit log entry (fields of instanceAuditLog.json).
fn audit_log(n: u64) -> Value {
    let org_id = oid(1, n % 40);
    let (action, status, body) = match n % 4 {
        0 => (
            "patch",
            200,
            json!({ "name": format!("Renamed org {n}"), "description": "Updated by the provisioning job" }),
        ),
        1 => ("post", 201, json!({ "email": format!("user{n}@example.com"), "role": "edit" })),
        2 => ("delete", 200, json!({})),
        _ => ("get", 200, json!({ "includeSummary": true })),
    };
    let mut entry = json!({
        "id": oid(2, n),
        "instanceAuditLogId": oid(2, n),
        "creationDate": date(n),
        "instanceId": INSTANCE_ID,
        "primaryTargetId": org_id,
        "primaryTargetType": "Organization",
        "primaryTargetName": format!("Customer Organization {}", n % 40),
        "actorId": oid(3, n % 7),
        "actorType": if n % 5 == 0 { "ApiToken" } else { "User" },
        "actorName": format!("Operator {}", n % 7),
        "requestResource": "instanceOrg",
        "requestAction": action,
        "requestQueryParams": { "_actions": "false", "_links": "true", "_embedded": "true" },
        "requestBody": body,
        "requestPathParams": { "instanceId": INSTANCE_ID, "orgId": org_id },
        "responseBody": { "id": org_id, "name": format!("Customer Organization {}", n % 40), "lastUpdated": date(n) },
        "responseStatus": status,
    });
    if n % 4 == 1 {
        entry["secondaryTargetId"] = json!(oid(4, n));
        entry["secondaryTargetType"] = json!("OrgInvite");
        entry["secondaryTargetName"] = json!(format!("user{n}@example.com"));
    }
    entry
}

/// An `instanceAuditLogs` page of `count` entries.
fn audit_logs_page(count: u64) -> Vec<u8> {
    let page = json!({
        "items": (0..count).map(audit_log).collect::<Vec<_>>(),
        "count": count,
        "totalCount": count * 3,
        "perPage": count,
        "page": 0,
        "sortField": "creationDate",
        "sortDirection": "desc",
        "instanceId": INSTANCE_ID,
    });
    serde_json::to_vec(&page).expect("serializable")
}

// ---------------------------------------------------------------------------
// The local server

/// A minimal HTTP/1.1 server, on `rt` (or on its own thread with
/// `REQUESTS_SERVER=thread`): reads each request head (the benchmarked
/// requests have no body) and answers with `body`, keeping the connection
/// open. Remembers the last request head.
struct Server {
    addr: SocketAddr,
    last_head: Arc<Mutex<String>>,
}

impl Server {
    fn start(body: Vec<u8>, rt: &tokio::runtime::Runtime) -> Server {
        let mut response =
            format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len())
                .into_bytes();
        response.extend_from_slice(&body);
        let response: Arc<[u8]> = response.into();
        let last_head = Arc::new(Mutex::new(String::new()));
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        std_listener.set_nonblocking(true).expect("non-blocking listener");
        let addr = std_listener.local_addr().expect("local address");
        let heads = Arc::clone(&last_head);
        let accept = async move {
            let listener = tokio::net::TcpListener::from_std(std_listener).expect("tokio listener");
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve(stream, Arc::clone(&response), Arc::clone(&heads)));
            }
        };
        if std::env::var("REQUESTS_SERVER").as_deref() == Ok("thread") {
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("server runtime");
                rt.block_on(accept);
            });
        } else {
            rt.spawn(accept);
        }
        Server { addr, last_head }
    }

    fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The last request head, with header lines sorted (clients order them differently).
    fn last_request(&self) -> Vec<String> {
        let head = self.last_head.lock().expect("lock").clone();
        let mut lines = head.split("\r\n").filter(|l| !l.is_empty()).map(str::to_owned);
        let request_line = lines.next().unwrap_or_default();
        let mut headers: Vec<String> = lines.map(|l| l.to_ascii_lowercase()).collect();
        headers.sort();
        std::iter::once(request_line).chain(headers).collect()
    }
}

async fn serve(
    mut stream: tokio::net::TcpStream,
    response: Arc<[u8]>,
    last_head: Arc<Mutex<String>>,
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        *last_head.lock().expect("lock") = String::from_utf8_lossy(&buf[..end]).into_owned();
        buf.drain(..end);
        stream.write_all(&response).await?;
    }
}

// ---------------------------------------------------------------------------
// The two clients

fn generated_client(base_url: &str) -> Client {
    Client::builder().base_url(base_url).token(TOKEN).user_agent(USER_AGENT_VALUE).build().expect("client")
}

async fn generated(client: &Client) -> types::InstanceOrgs {
    client.instance_orgs().get(INSTANCE_ID).per_page(PER_PAGE).send().await.expect("generated client request")
}

/// What one would write by hand with reqwest and the generated types.
/// A plain `reqwest::Client`, after `http_client_builder` has given rustls a
/// crypto provider (reqwest's `Client::new()` panics without one under `rustls-ring`).
fn handwritten_client() -> reqwest::Client {
    losant_instance_api::runtime::http_client_builder().build().expect("reqwest client")
}

async fn handwritten(http: &reqwest::Client, base_url: &str) -> reqwest::Result<types::InstanceOrgs> {
    http.get(format!("{base_url}/instances/{INSTANCE_ID}/orgs"))
        .query(&[("_actions", "false"), ("_links", "true"), ("_embedded", "true")])
        .query(&[("perPage", PER_PAGE)])
        .header(ACCEPT, "application/json")
        .header("accept-version", ACCEPT_VERSION)
        .header(USER_AGENT, USER_AGENT_VALUE)
        .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
        .send()
        .await?
        .error_for_status()?
        .json::<types::InstanceOrgs>()
        .await
}

// ---------------------------------------------------------------------------
// Benchmarks

fn bench_requests(c: &mut Criterion, clock: Clock, rt: &tokio::runtime::Runtime, group: &str, items: u64) {
    let body = orgs_page(items);
    let server = Server::start(body.clone(), rt);
    let base = server.base_url();
    let client = generated_client(&base);
    let http = handwritten_client();

    // Same request on the wire, same decoded result.
    let a = rt.block_on(generated(&client));
    let seen_generated = server.last_request();
    let b = rt.block_on(handwritten(&http, &base)).expect("hand-written request");
    let seen_handwritten = server.last_request();
    assert_eq!(seen_generated, seen_handwritten, "both clients send the same request");
    assert_eq!(a, b, "both clients decode the same page");
    assert_eq!(a.items.as_ref().map(Vec::len), Some(items as usize));

    let mut g = c.benchmark_group(clock.group(group));
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(2));
    match clock {
        Clock::Wall => {
            g.bench_function("generated", |b| b.to_async(rt).iter(|| generated(&client)));
            g.bench_function("handwritten", |b| {
                b.to_async(rt).iter(|| async { handwritten(&http, &base).await.expect("hand-written request") })
            });
        }
        Clock::Cpu => {
            g.bench_function("generated", |b| {
                b.to_async(rt).iter_custom(|iters| {
                    let client = &client;
                    async move {
                        let start = process_cpu();
                        for _ in 0..iters {
                            std::hint::black_box(generated(client).await);
                        }
                        process_cpu() - start
                    }
                })
            });
            g.bench_function("handwritten", |b| {
                b.to_async(rt).iter_custom(|iters| {
                    let (http, base) = (&http, &base);
                    async move {
                        let start = process_cpu();
                        for _ in 0..iters {
                            std::hint::black_box(handwritten(http, base).await.expect("hand-written request"));
                        }
                        process_cpu() - start
                    }
                })
            });
        }
    }
    g.finish();
}

fn bench_decode(c: &mut Criterion, clock: Clock) {
    let page = audit_logs_page(10_000);
    let typed: types::InstanceAuditLogs = serde_json::from_slice(&page).expect("the page decodes into the types");
    assert_eq!(typed.items.as_ref().map(Vec::len), Some(10_000));
    let mut g = c.benchmark_group(clock.group("decode_audit_logs"));
    g.throughput(Throughput::Bytes(page.len() as u64));
    g.sample_size(30).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    g.bench_function("typed", |b| {
        measure(b, clock, || serde_json::from_slice::<types::InstanceAuditLogs>(&page).expect("decodes"))
    });
    g.bench_function("value", |b| measure(b, clock, || serde_json::from_slice::<Value>(&page).expect("decodes")));
    g.finish();
}

/// Run by `cargo bench` (with `--bench`), not by `cargo test --benches`.
fn benchmarking() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// Where criterion writes its estimates (same rules as criterion).
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return home.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("criterion")
}

/// Mean and median (ns) of one benchmark, if measured since `since`.
fn estimate(group: &str, id: &str, since: SystemTime) -> Option<(f64, f64)> {
    let path = criterion_dir().join(group).join(id).join("new/estimates.json");
    if std::fs::metadata(&path).and_then(|m| m.modified()).ok()? < since {
        return None;
    }
    let v: Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    Some((v["mean"]["point_estimate"].as_f64()?, v["median"]["point_estimate"].as_f64()?))
}

fn print_ratios(clock: Clock, since: SystemTime) {
    println!("\nratios (mean; median), {clock:?} clock:");
    for (group, a, b) in [
        ("request_orgs_page", "generated", "handwritten"),
        ("request_orgs_empty", "generated", "handwritten"),
        ("decode_audit_logs", "typed", "value"),
    ] {
        let group = clock.group(group);
        match (estimate(&group, a, since), estimate(&group, b, since)) {
            (Some((ma, da)), Some((mb, db))) => println!(
                "  {group}: {a}/{b} = {:.3}; {:.3}   ({:.1} µs vs {:.1} µs mean)",
                ma / mb,
                da / db,
                ma / 1e3,
                mb / 1e3
            ),
            _ => println!("  {group}: not measured in this run"),
        }
    }
}

/// `REQUESTS_PROFILE=generated|handwritten[:N][:page|empty]`: only send N
/// requests with one client, for a profiler (`valgrind --tool=callgrind`).
fn profile(spec: &str, rt: &tokio::runtime::Runtime) {
    let mut parts = spec.split(':');
    let which = parts.next().unwrap_or_default();
    let n: u64 = parts.next().map_or(10_000, |n| n.parse().expect("REQUESTS_PROFILE: N is a number"));
    let items = if parts.next() == Some("empty") { 0 } else { PER_PAGE as u64 };
    let server = Server::start(orgs_page(items), rt);
    let base = server.base_url();
    let client = generated_client(&base);
    let http = handwritten_client();
    rt.block_on(async {
        for _ in 0..n {
            match which {
                "generated" => drop(std::hint::black_box(generated(&client).await)),
                "handwritten" => drop(std::hint::black_box(handwritten(&http, &base).await.expect("request"))),
                other => panic!("REQUESTS_PROFILE: unknown client {other}"),
            }
        }
    });
}

/// `n` requests with the generated client: (wall, process CPU) time.
async fn batch_generated(client: &Client, n: u32) -> (Duration, Duration) {
    let (wall, cpu) = (Instant::now(), process_cpu());
    for _ in 0..n {
        std::hint::black_box(generated(client).await);
    }
    (wall.elapsed(), process_cpu() - cpu)
}

/// `n` hand-written requests: (wall, process CPU) time.
async fn batch_handwritten(http: &reqwest::Client, base: &str, n: u32) -> (Duration, Duration) {
    let (wall, cpu) = (Instant::now(), process_cpu());
    for _ in 0..n {
        std::hint::black_box(handwritten(http, base).await.expect("hand-written request"));
    }
    (wall.elapsed(), process_cpu() - cpu)
}

/// One A/B round: (wall, CPU) of the generated client, then of the hand-written one.
type Round = ((Duration, Duration), (Duration, Duration));

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Interleaved A/B, which a machine whose load drifts during the run cannot
/// bias: `rounds` rounds of `batch` requests per client, alternating which
/// client goes first; the median over the rounds of the per-round ratios
/// (wall and process CPU time), the ratios of the totals, and the mean time
/// per request. One `key=value` line.
fn interleaved(rt: &tokio::runtime::Runtime, group: &str, items: u64, rounds: u32, batch: u32) -> String {
    let server = Server::start(orgs_page(items), rt);
    let base = server.base_url();
    let client = generated_client(&base);
    let http = handwritten_client();
    rt.block_on(async {
        batch_generated(&client, batch).await;
        batch_handwritten(&http, &base, batch).await;
        let mut rows = Vec::new();
        for round in 0..rounds {
            let (g, h) = if round % 2 == 0 {
                let g = batch_generated(&client, batch).await;
                (g, batch_handwritten(&http, &base, batch).await)
            } else {
                let h = batch_handwritten(&http, &base, batch).await;
                (batch_generated(&client, batch).await, h)
            };
            rows.push((g, h));
        }
        let med = |f: &dyn Fn(&Round) -> f64| median(rows.iter().map(f).collect());
        let total = |f: &dyn Fn(&Round) -> Duration| rows.iter().map(f).sum::<Duration>().as_secs_f64();
        let per_request = |secs: f64| secs * 1e6 / f64::from(batch * rounds);
        let (gw, hw) = (total(&|(g, _)| g.0), total(&|(_, h)| h.0));
        let (gc, hc) = (total(&|(g, _)| g.1), total(&|(_, h)| h.1));
        format!(
            "group={group} rounds={rounds} batch={batch} wall_ratio={:.3} cpu_ratio={:.3} \
             wall_total_ratio={:.3} cpu_total_ratio={:.3} generated_wall_us={:.1} handwritten_wall_us={:.1} \
             generated_cpu_us={:.1} handwritten_cpu_us={:.1}",
            med(&|(g, h)| g.0.as_secs_f64() / h.0.as_secs_f64()),
            med(&|(g, h)| g.1.as_secs_f64() / h.1.as_secs_f64()),
            gw / hw,
            gc / hc,
            per_request(gw),
            per_request(hw),
            per_request(gc),
            per_request(hc),
        )
    })
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("client runtime");
    if let Ok(spec) = std::env::var("REQUESTS_PROFILE") {
        return profile(&spec, &rt);
    }
    let started = SystemTime::now();
    let clock = Clock::from_env();
    let mut c = Criterion::default().configure_from_args();
    bench_requests(&mut c, clock, &rt, "request_orgs_page", PER_PAGE as u64);
    bench_requests(&mut c, clock, &rt, "request_orgs_empty", 0);
    bench_decode(&mut c, clock);
    c.final_summary();
    if benchmarking() {
        print_ratios(clock, started);
        // REQUESTS_AB=0 skips the interleaved comparison.
        if std::env::var("REQUESTS_AB").as_deref() != Ok("0") {
            let lines = [
                interleaved(&rt, "request_orgs_page", PER_PAGE as u64, 41, 100),
                interleaved(&rt, "request_orgs_empty", 0, 41, 500),
            ];
            println!("\ninterleaved A/B (ratios generated/handwritten: median of per-round ratios, ratio of totals):");
            for line in &lines {
                println!("  {line}");
            }
            let out = criterion_dir().join("requests_ab.txt");
            if let Err(e) = std::fs::write(&out, lines.join("\n") + "\n") {
                eprintln!("cannot write {}: {e}", out.display());
            }
        }
    }
}
