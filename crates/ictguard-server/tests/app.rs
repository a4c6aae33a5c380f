//! The application without a port: `app(state)` called with `tower::ServiceExt::oneshot`, on a
//! fresh SQLite store. The end-to-end tests (the real binary on a real port, both backends) are in
//! `crates/ictguard/tests/`.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use ictguard_server::{app, AppState, ServerConfig};
use ictguard_store::testing::TestDb;
use ictguard_store::Role;
use serde_json::{json, Value};
use tower::ServiceExt as _;

/// The app over a fresh store, a screen key and an admin key (the store kept alive with it).
struct Fixture {
    app: Router,
    screen_key: String,
    admin_key: String,
    _db: TestDb,
}

fn fixture() -> Fixture {
    let db = TestDb::sqlite();
    let mut store = ictguard_store::open(&db.url).unwrap();
    let (_, screen_key) = store.create_key(Role::Screen, "test").unwrap();
    let (_, admin_key) = store.create_key(Role::Admin, "test").unwrap();
    let state = AppState::new(&ServerConfig::new(db.url.clone())).unwrap();
    Fixture {
        app: app(state),
        screen_key,
        admin_key,
        _db: db,
    }
}

/// A request with an optional key and JSON body.
fn request(method: &str, uri: &str, key: Option<&str>, body: Option<Value>) -> Request<Body> {
    let mut r = Request::builder().method(method).uri(uri);
    if let Some(k) = key {
        r = r.header("authorization", format!("Bearer {k}"));
    }
    match body {
        Some(b) => r
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => r.body(Body::empty()),
    }
    .unwrap()
}

/// Send one request to the app: the status, the headers and the body as text.
async fn call(app: &Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    (
        parts.status,
        parts.headers,
        String::from_utf8(bytes.to_vec()).unwrap(),
    )
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn health_answers_ok() {
    let f = fixture();
    let (status, _, body) = call(&f.app, request("GET", "/healthz", None, None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json_of(&body), json!({ "status": "ok" }));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_screening_is_answered_and_recorded() {
    let f = fixture();
    let query = json!({ "package": "com.zhiliaoapp.musically", "kind": "app_store_distribution", "as_of": "2025-01-19" });
    let (status, headers, body) = call(
        &f.app,
        request("POST", "/v1/screen", Some(&f.screen_key), Some(query)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(json_of(&body)["decision"], "block");
    let seq = headers["x-audit-seq"].to_str().unwrap().to_string();
    // the record is in the trail, for an admin
    let (status, _, trail) = call(
        &f.app,
        request("GET", "/v1/audit", Some(&f.admin_key), None),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{trail}");
    let trail = json_of(&trail);
    assert_eq!(trail["records"][0]["seq"].to_string(), seq);
    assert_eq!(trail["records"][0]["decision"], "block");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_without_a_key_is_refused() {
    let f = fixture();
    let query = json!({ "name": "Acme" });
    let (status, _, body) = call(&f.app, request("POST", "/v1/screen", None, Some(query))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        json_of(&body),
        json!({ "error": { "code": "unauthorized", "message": "send Authorization: Bearer KEY" } })
    );
    let (status, _, body) = call(
        &f.app,
        request("GET", "/v1/rules", Some("igk_nope_nope"), None),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(json_of(&body)["error"]["message"], "unknown or revoked key");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_route_is_refused_to_a_screen_key() {
    let f = fixture();
    for uri in ["/v1/audit", "/v1/cases"] {
        let (status, _, body) = call(&f.app, request("GET", uri, Some(&f.screen_key), None)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{uri}");
        assert_eq!(
            json_of(&body),
            json!({ "error": { "code": "forbidden", "message": "this needs an admin key" } })
        );
    }
    let resolution = json!({ "decision": "allow", "reason": "checked" });
    let (status, _, _) = call(
        &f.app,
        request(
            "POST",
            "/v1/cases/1/resolve",
            Some(&f.screen_key),
            Some(resolution),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_request_is_counted_by_route_and_status() {
    let f = fixture();
    call(&f.app, request("GET", "/healthz", None, None)).await;
    call(&f.app, request("GET", "/v1/rules", None, None)).await;
    let (status, _, body) = call(&f.app, request("GET", "/no/such/thing", None, None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json_of(&body)["error"]["code"], "not_found");
    let (status, _, _) = call(&f.app, request("GET", "/metrics", None, None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the counters need a key");
    let (_, _, metrics) = call(
        &f.app,
        request("GET", "/metrics", Some(&f.screen_key), None),
    )
    .await;
    for line in [
        "ictguard_requests_total 4",
        "ictguard_requests_refused_total 2",
        "ictguard_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1",
        "ictguard_http_requests_total{method=\"GET\",route=\"/v1/rules\",status=\"401\"} 1",
        "ictguard_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in\n{metrics}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn case_words_outside_the_typed_sets_are_refused_with_what_would_do() {
    let f = fixture();
    let review = json!({ "name": "Tencent Holdings Ltd.", "as_of": "2021-03-01" });
    let req = request("POST", "/v1/screen", Some(&f.screen_key), Some(review));
    assert_eq!(json_of(&call(&f.app, req).await.2)["decision"], "review");

    // a status filter that is not a status is an error, not a silently empty queue
    let req = request("GET", "/v1/cases?status=Open", Some(&f.admin_key), None);
    assert_eq!(call(&f.app, req).await.0, StatusCode::BAD_REQUEST);
    let req = request("GET", "/v1/cases?status=open", Some(&f.admin_key), None);
    let (status, _, body) = call(&f.app, req).await;
    assert_eq!(status, StatusCode::OK);
    let case = json_of(&body)["cases"][0].clone();
    assert_eq!(case["status"], "open");
    let id = case["id"].as_i64().unwrap();

    let resolve = format!("/v1/cases/{id}/resolve");
    let bad = json!({ "decision": "dismiss", "reason": "checked" });
    let (status, _, body) = call(
        &f.app,
        request("POST", &resolve, Some(&f.admin_key), Some(bad)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = json_of(&body)["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("block, allow, prohibit, restrict"),
        "{message}"
    );
    // a vetting's word on a screening case names the screening's choices
    let wrong_kind = json!({ "decision": "restrict", "reason": "checked" });
    let req = request("POST", &resolve, Some(&f.admin_key), Some(wrong_kind));
    let (status, _, body) = call(&f.app, req).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json_of(&body)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("block, allow"));

    let good = json!({ "decision": "block", "reason": "a true match" });
    let (status, _, body) = call(
        &f.app,
        request("POST", &resolve, Some(&f.admin_key), Some(good)),
    )
    .await;
    assert_eq!(
        (status, json_of(&body)["status"].clone()),
        (StatusCode::OK, json!("resolved"))
    );
    let req = request("GET", "/v1/cases?status=resolved", Some(&f.admin_key), None);
    let case = json_of(&call(&f.app, req).await.2)["cases"][0].clone();
    assert_eq!(
        (case["status"].clone(), case["resolution"].clone()),
        (json!("resolved"), json!("block"))
    );
}

/// The SDN file in the shared corpus (the 2024-05-03 publication).
fn sdn_2024() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/lists/sdn_2024-05-03.csv")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_with_a_list_screens_against_it_and_names_it_everywhere() {
    let db = TestDb::sqlite();
    let mut store = ictguard_store::open(&db.url).unwrap();
    let (_, screen_key) = store.create_key(Role::Screen, "test").unwrap();
    let (_, admin_key) = store.create_key(Role::Admin, "test").unwrap();
    let mut config = ServerConfig::new(db.url.clone());
    config.lists = vec![sdn_2024()];
    let app = app(AppState::new(&config).unwrap());

    // the files loaded, with what identifies the publication
    let (status, _, body) = call(&app, request("GET", "/v1/lists", Some(&screen_key), None)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let loaded = json_of(&body);
    assert_eq!(loaded["entries"], 14_965);
    let file = &loaded["files"][0];
    assert_eq!(file["file"], "sdn_2024-05-03.csv");
    assert_eq!(file["records"], 14_965);
    let bytes = std::fs::read(sdn_2024()).unwrap();
    assert_eq!(file["bytes"], bytes.len());
    let sha = file["sha256"].as_str().unwrap().to_string();
    assert_eq!(sha.len(), 64);

    // a listed party is blocked through the API, and the answer names the list file
    let query = json!({ "name": "Banco Nacional de Cuba", "as_of": "2024-06-01" });
    let (status, headers, body) = call(
        &app,
        request("POST", "/v1/screen", Some(&screen_key), Some(query)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer = json_of(&body);
    assert_eq!(answer["decision"], "block", "{answer}");
    assert_eq!(answer["matches"][0]["id"], "OFAC-SDN:306");
    assert_eq!(answer["lists"][0]["sha256"], sha.as_str());

    // … and so does its audit record
    let seq = headers["x-audit-seq"].to_str().unwrap().to_string();
    let (_, _, trail) = call(&app, request("GET", "/v1/audit", Some(&admin_key), None)).await;
    let record = &json_of(&trail)["records"][0];
    assert_eq!(record["seq"].to_string(), seq);
    assert_eq!(record["body"]["lists"][0]["sha256"], sha.as_str());

    // a server without lists says so in every answer
    let bare = fixture();
    let (_, _, body) = call(
        &bare.app,
        request(
            "POST",
            "/v1/screen",
            Some(&bare.screen_key),
            Some(json!({ "name": "Banco Nacional de Cuba", "as_of": "2024-06-01" })),
        ),
    )
    .await;
    let answer = json_of(&body);
    assert_eq!(answer["decision"], "allow");
    assert_eq!(answer["lists"], json!([]));
}

#[test]
fn a_list_that_cannot_be_read_stops_the_server_from_starting() {
    let db = TestDb::sqlite();
    let mut config = ServerConfig::new(db.url.clone());
    config.lists = vec!["no-such-list.csv".into()];
    let err = AppState::new(&config)
        .err()
        .expect("a missing list must be refused");
    assert!(err.to_string().contains("no-such-list.csv"), "{err}");
}

/// An unknown page under /ui/ answers a 404 page in HTML, not the API's JSON; elsewhere the
/// API's JSON 404 stands.
#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_ui_page_is_an_html_404() {
    let f = fixture();
    for method in ["GET", "POST"] {
        let (status, headers, body) =
            call(&f.app, request(method, "/ui/no/such/page", None, None)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method}");
        let kind = headers.get("content-type").unwrap().to_str().unwrap();
        assert!(kind.starts_with("text/html"), "{method}: {kind}");
        assert!(body.contains("Not found"));
    }
    let (status, _, body) = call(&f.app, request("GET", "/v1/no/such/thing", None, None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json_of(&body)["error"]["code"], "not_found");
}
