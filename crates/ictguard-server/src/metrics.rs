//! The counters behind `GET /metrics` (Prometheus text format): every request by method, route and
//! status, counted once by one layer ([`count_requests`]); refusals, bad input and screening
//! decisions, counted where they are decided.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use ictguard_screen::engine::Decision;

/// The route label of a request that matched no route (its path is not used: a client could
/// make up any number of them).
const UNMATCHED: &str = "unmatched";

/// Request counters.
#[derive(Default)]
pub(crate) struct Metrics {
    requests: AtomicU64,
    refused: AtomicU64,
    errors: AtomicU64,
    screen_block: AtomicU64,
    screen_review: AtomicU64,
    screen_allow: AtomicU64,
    /// by method, route (the matched path, e.g. `/v1/cases/{id}/resolve`) and status
    by_route: Mutex<BTreeMap<(String, String, u16), u64>>,
}

impl Metrics {
    /// Count one screening decision.
    pub(crate) fn count(&self, decision: Decision) {
        match decision {
            Decision::Block => &self.screen_block,
            Decision::Review => &self.screen_review,
            Decision::Allow => &self.screen_allow,
        }
        .fetch_add(1, Ordering::Relaxed);
    }

    /// Count a request refused for its key (missing, unknown, revoked, under-privileged) or for a
    /// full vetting queue.
    pub(crate) fn refused(&self) {
        self.refused.fetch_add(1, Ordering::Relaxed);
    }

    /// Count a request answered with an error for bad input or failure.
    pub(crate) fn error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }

    /// Count one answered request.
    fn answered(&self, method: &str, route: &str, status: StatusCode) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut by_route) = self.by_route.lock() {
            *by_route
                .entry((method.to_string(), route.to_string(), status.as_u16()))
                .or_default() += 1;
        }
    }

    /// The counters in Prometheus text format.
    pub(crate) fn render(&self) -> String {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let mut text = format!(
            "# HELP ictguard_requests_total HTTP requests handled.\n# TYPE ictguard_requests_total counter\nictguard_requests_total {}\n\
             # HELP ictguard_requests_refused_total Requests refused for a missing, revoked or under-privileged key.\n# TYPE ictguard_requests_refused_total counter\nictguard_requests_refused_total {}\n\
             # HELP ictguard_errors_total Requests answered with a 4xx or 5xx for bad input or failure.\n# TYPE ictguard_errors_total counter\nictguard_errors_total {}\n\
             # HELP ictguard_screenings_total Screening decisions, by decision.\n# TYPE ictguard_screenings_total counter\n\
             ictguard_screenings_total{{decision=\"block\"}} {}\nictguard_screenings_total{{decision=\"review\"}} {}\nictguard_screenings_total{{decision=\"allow\"}} {}\n",
            g(&self.requests),
            g(&self.refused),
            g(&self.errors),
            g(&self.screen_block),
            g(&self.screen_review),
            g(&self.screen_allow),
        );
        text.push_str(
            "# HELP ictguard_http_requests_total HTTP requests handled, by method, route and status.\n# TYPE ictguard_http_requests_total counter\n",
        );
        if let Ok(by_route) = self.by_route.lock() {
            for ((method, route, status), n) in by_route.iter() {
                let _ = writeln!(
                    text,
                    "ictguard_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        text
    }
}

/// The layer that counts every request, by method, route and status, once answered.
pub(crate) async fn count_requests(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().as_str().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_string();
    let response = next.run(request).await;
    metrics.answered(&method, &route, response.status());
    response
}
