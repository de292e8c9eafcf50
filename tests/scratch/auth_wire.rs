//! Compiled and run inside a scratch crate by `tests/generated_clients.rs`:
//! the client generated from `tests/fixtures/security-schemes.yml` (module
//! `security_schemes` of the scratch crate) against wiremock, showing that
//! each request sends exactly the credentials its security requirements ask
//! for and the client has.

use auth_wire::security_schemes::runtime::{ApiResponse, Client, Error};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// What a request carried that could be a credential.
#[derive(Debug, PartialEq, Eq, Default)]
struct Sent {
    authorization: Option<String>,
    api_key: Option<String>,
    cookie: Option<String>,
    query: Option<String>,
}

async fn sent(server: &MockServer, call: impl std::future::Future<Output = Result<ApiResponse<()>, Error>>) -> Sent {
    server.reset().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(server).await;
    call.await.expect("the call succeeds");
    let received = server.received_requests().await.expect("recording is on");
    assert_eq!(received.len(), 1);
    let r = &received[0];
    let header = |name: &str| r.headers.get(name).map(|v| v.to_str().expect("ASCII").to_owned());
    Sent {
        authorization: header("authorization"),
        api_key: header("x-api-key"),
        cookie: header("cookie"),
        query: r.url.query().map(str::to_owned),
    }
}

fn auth(value: &str) -> Sent {
    Sent { authorization: Some(value.to_owned()), ..Sent::default() }
}

#[tokio::test]
async fn each_request_sends_what_its_security_says() {
    let server = MockServer::start().await;
    let base = Client::builder().base_url(server.uri());
    let bearer = base.clone().bearer("t0ken").build().unwrap();
    let basic = base.clone().basic("user", "pass").build().unwrap();
    let both = base.clone().basic("user", "pass").bearer("t0ken").build().unwrap();
    let header_key = base.clone().header_key("k3y").build().unwrap();
    let query_key = base.clone().query_api_key("k3y&=").build().unwrap();
    let cookie_key = base.clone().cookie_key("k3y").build().unwrap();
    let key_and_basic = base.clone().header_key("k3y").basic("user", "pass").build().unwrap();
    let oauth = base.clone().oauth("access").build().unwrap();
    let nothing = base.clone().build().unwrap();

    // The document's security: bearer, else basic.
    assert_eq!(sent(&server, bearer.auth().inherited().send_with_response()).await, auth("Bearer t0ken"));
    assert_eq!(sent(&server, basic.auth().inherited().send_with_response()).await, auth("Basic dXNlcjpwYXNz"));
    assert_eq!(sent(&server, both.auth().inherited().send_with_response()).await, auth("Bearer t0ken"), "the first");
    assert_eq!(sent(&server, header_key.auth().inherited().send_with_response()).await, Sent::default());
    // `security: []`: nothing, whatever the client has.
    assert_eq!(sent(&server, both.auth().public().send_with_response()).await, Sent::default());
    assert_eq!(sent(&server, key_and_basic.auth().public().send_with_response()).await, Sent::default());
    // API keys in a header, the query string and a cookie.
    assert_eq!(
        sent(&server, header_key.auth().keys().send_with_response()).await,
        Sent { api_key: Some("k3y".into()), ..Sent::default() }
    );
    assert_eq!(
        sent(&server, query_key.auth().keys().send_with_response()).await,
        Sent { query: Some("api_key=k3y%26%3D".into()), ..Sent::default() }
    );
    assert_eq!(
        sent(&server, cookie_key.auth().keys().send_with_response()).await,
        Sent { cookie: Some("session=k3y".into()), ..Sent::default() }
    );
    // A requirement of two schemes needs both; else the anonymous alternative.
    assert_eq!(
        sent(&server, key_and_basic.auth().both().send_with_response()).await,
        Sent { authorization: Some("Basic dXNlcjpwYXNz".into()), api_key: Some("k3y".into()), ..Sent::default() }
    );
    assert_eq!(sent(&server, header_key.auth().both().send_with_response()).await, Sent::default());
    // OAuth 2 / OpenID Connect: the access token as a bearer token.
    assert_eq!(sent(&server, oauth.auth().oauth().send_with_response()).await, auth("Bearer access"));
    assert_eq!(sent(&server, nothing.auth().oauth().send_with_response()).await, Sent::default());
}

#[test]
fn credentials_never_show_in_debug() {
    let builder = Client::builder()
        .base_url("https://api.example.com")
        .bearer("t0ken-secret")
        .basic("user", "pa55-secret")
        .header_key("key-secret")
        .query_api_key("qkey-secret")
        .cookie_key("cookie-secret");
    let client = builder.clone().build().unwrap();
    for shown in [format!("{builder:?}"), format!("{client:?}"), format!("{:?}", client.auth().keys().request())] {
        assert!(!shown.contains("secret"), "{shown}");
    }
    assert!(format!("{client:?}").contains("headerKey"), "the schemes with a credential are shown by name");
}

#[test]
fn a_missing_base_url_and_a_misfit_credential_are_errors() {
    // The spec declares no server.
    let err = Client::builder().bearer("t").build().unwrap_err();
    assert!(matches!(&err, Error::InvalidBaseUrl(m) if m.contains(".base_url(")), "{err:?}");
    let err = Client::builder().base_url("https://x.example").cookie_key("a;b").build().unwrap_err();
    assert!(matches!(&err, Error::InvalidParameter { name, .. } if name == "cookieKey"), "{err:?}");
}
