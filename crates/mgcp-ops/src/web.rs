//! The daemons' HTTP side: `/metrics` for Prometheus, and (when enabled)
//! the live view at `/` with its data at `/api/state`.
//!
//! The server never touches a node directly: it calls the daemon's fetch
//! functions, which run a closure on the node's task (`mgcp_net::ask`) and
//! return a snapshot.
//!
//! `/api/state` answers a JSON object the page renders without knowing
//! which daemon it talks to:
//!
//! ```json
//! {"title": "mgcp gateway", "role": "gateway",
//!  "summary": [{"label": "Endpoints", "value": 8}],
//!  "tables": [{"title": "Endpoints", "columns": ["Endpoint", "State"],
//!              "rows": [["aaln/1@gw", "idle"]], "total": 8}],
//!  "messages": [{"time_ms": 0, "direction": "in", "peer": "127.0.0.1:2727",
//!                "text": "CRCX 1 aaln/1@gw MGCP 1.0"}]}
//! ```

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::MessageLog;
use crate::metrics::{CONTENT_TYPE, Metrics};

/// A boxed future, as fetch functions return.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Reads a snapshot from a running node; `None` once the node stopped.
pub type Fetch<T> = Arc<dyn Fn() -> BoxFuture<Option<T>> + Send + Sync>;

/// What the HTTP server serves.
#[derive(Clone)]
pub struct Web {
    /// Serve the live view (`/` and `/api/state`); metrics are always on.
    pub live_view: bool,
    /// The metrics snapshot.
    pub metrics: Fetch<Metrics>,
    /// The live view's state (`title`, `role`, `summary`, `tables`).
    pub state: Fetch<Value>,
    /// Recent messages, added to the state as `messages`.
    pub messages: Option<MessageLog>,
}

const PAGE: &str = include_str!("live.html");

/// Serves until the listener fails.
pub async fn serve(listener: TcpListener, web: Web) -> io::Result<()> {
    let app = Router::new()
        .route("/metrics", get(metrics))
        .route("/", get(page))
        .route("/api/state", get(state))
        .fallback(not_found)
        .with_state(Arc::new(web));
    axum::serve(listener, app).await
}

async fn metrics(State(web): State<Arc<Web>>) -> Response {
    match (web.metrics)().await {
        Some(m) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], m.render()).into_response(),
        None => stopped(),
    }
}

async fn page(State(web): State<Arc<Web>>) -> Response {
    if !web.live_view {
        return (
            StatusCode::NOT_FOUND,
            "the live view is off; start the daemon with --live-view (metrics are at /metrics)\n",
        )
            .into_response();
    }
    Html(PAGE).into_response()
}

async fn state(State(web): State<Arc<Web>>) -> Response {
    if !web.live_view {
        return (StatusCode::NOT_FOUND, "the live view is off\n").into_response();
    }
    let Some(mut value) = (web.state)().await else {
        return stopped();
    };
    value["messages"] = web.messages.as_ref().map_or(json!([]), MessageLog::to_json);
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(value)).into_response()
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found; try /metrics\n").into_response()
}

fn stopped() -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, "the daemon is stopping\n").into_response()
}
