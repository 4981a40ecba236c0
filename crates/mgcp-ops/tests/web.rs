//! The HTTP server over real loopback sockets: metrics, the live view
//! switch, the state with recent messages, and a stopped node.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use mgcp_ops::web::{BoxFuture, serve};
use mgcp_ops::{Fetch, Kind, MessageLog, Metrics, Web};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A GET with `Connection: close`; returns (status, content type, body).
async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String, String) {
    let io = async {
        let mut s = TcpStream::connect(addr).await.unwrap();
        let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).await.unwrap();
        String::from_utf8(raw).unwrap()
    };
    let text = tokio::time::timeout(Duration::from_secs(10), io)
        .await
        .unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type: ")
                .map(str::to_string)
        })
        .unwrap_or_default();
    (status, content_type, body.to_string())
}

fn fetch<T: Clone + Send + Sync + 'static>(value: Option<T>) -> Fetch<T> {
    Arc::new(move || -> BoxFuture<Option<T>> {
        let v = value.clone();
        Box::pin(async move { v })
    })
}

async fn start(web: Web) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, web));
    addr
}

fn sample_metrics() -> Metrics {
    let mut m = Metrics::new();
    m.sample(
        "mgcp_commands_received",
        "Commands",
        Kind::Counter,
        &[("verb", "CRCX")],
        7,
    );
    m.gauge("mgcp_connections", "Connections", 3);
    m
}

#[tokio::test]
async fn metrics_are_served_and_the_live_view_is_off_by_default() {
    let addr = start(Web {
        live_view: false,
        metrics: fetch(Some(sample_metrics())),
        state: fetch(Some(json!({"title": "t"}))),
        messages: None,
    })
    .await;
    let (status, ctype, body) = get(addr, "/metrics").await;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("text/plain; version=0.0.4"), "{ctype}");
    let samples = mgcp_ops::metrics::read(&body);
    let crcx = samples
        .iter()
        .find(|s| s.name == "mgcp_commands_received_total")
        .unwrap();
    assert_eq!((crcx.label("verb"), crcx.value), (Some("CRCX"), 7.0));
    assert_eq!(get(addr, "/").await.0, 404);
    assert_eq!(get(addr, "/api/state").await.0, 404);
    assert_eq!(get(addr, "/nothing").await.0, 404);
}

#[tokio::test]
async fn the_live_view_serves_its_page_and_state_with_messages() {
    let log = MessageLog::new(10);
    let peer = "127.0.0.1:2727".parse().unwrap();
    log.record(true, peer, b"CRCX 5 aaln/1@gw MGCP 1.0\r\nC: 9\r\n");
    log.record(false, peer, b"200 5 OK\r\nI: 1\r\n");
    let addr = start(Web {
        live_view: true,
        metrics: fetch(Some(Metrics::new())),
        state: fetch(Some(json!({
            "title": "mgcp gateway test",
            "tables": [{"title": "Endpoints", "columns": ["Endpoint"], "rows": [["aaln/1@gw"]]}]
        }))),
        messages: Some(log),
    })
    .await;
    let (status, ctype, page) = get(addr, "/").await;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert!(page.contains("/api/state"));
    let (status, _, body) = get(addr, "/api/state").await;
    assert_eq!(status, 200);
    let state: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(state["title"], "mgcp gateway test");
    assert_eq!(state["tables"][0]["rows"][0][0], "aaln/1@gw");
    assert_eq!(state["messages"][0]["text"], "200 5 OK");
    assert_eq!(state["messages"][1]["direction"], "in");
}

#[tokio::test]
async fn a_stopped_node_answers_503() {
    let addr = start(Web {
        live_view: true,
        metrics: fetch(None),
        state: fetch(None),
        messages: None,
    })
    .await;
    assert_eq!(get(addr, "/metrics").await.0, 503);
    assert_eq!(get(addr, "/api/state").await.0, 503);
}
