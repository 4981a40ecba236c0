//! What every daemon offers operators: `--trace`, the HTTP server for
//! Prometheus metrics and the live view, and the table format that the
//! live view and `mgcp admin show` share.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use mgcp_net::{Control, Direction};
use mgcp_ops::web::BoxFuture;
use mgcp_ops::{Fetch, MessageLog, Metrics, Web};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::trace::{TraceFormat, Tracer};

/// Address of the HTTP server when `--live-view` is given without `--http`.
pub(crate) const DEFAULT_HTTP: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 9427);

/// Operator options shared by the daemons.
#[derive(Debug, Clone, Args)]
pub(crate) struct OpsArgs {
    /// Print every MGCP message sent and received on standard output:
    /// `brief` (one line each, the default), `full` (every parameter
    /// named) or `cisco` (IOS `debug mgcp packets`, readable by `mgcp
    /// decode`).
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, default_missing_value = "brief")]
    pub(crate) trace: Option<TraceFormat>,
    /// Serve Prometheus metrics at http://ADDR/metrics (off by default;
    /// use a loopback address unless the network is trusted).
    #[arg(long, value_name = "ADDR")]
    pub(crate) http: Option<SocketAddr>,
    /// Also serve the live view at http://ADDR/ (on 127.0.0.1:9427 when
    /// --http is not given).
    #[arg(long)]
    pub(crate) live_view: bool,
}

impl OpsArgs {
    fn http_address(&self) -> Option<SocketAddr> {
        self.http.or(self.live_view.then_some(DEFAULT_HTTP))
    }
}

/// The daemon-side state of the operator features.
pub(crate) struct Ops {
    tracer: Option<Tracer>,
    messages: Option<MessageLog>,
}

impl Ops {
    /// Trace and message log as `args` ask; `local` is the MGCP address.
    pub(crate) fn new(args: &OpsArgs, local: SocketAddr) -> Self {
        Ops {
            tracer: args.trace.map(|f| Tracer::stdout(f, local)),
            messages: args.live_view.then(|| MessageLog::new(200)),
        }
    }

    /// True when datagrams need to be seen at all (the tap costs a copy
    /// of nothing, but a parse per message when tracing).
    pub(crate) fn wants_datagrams(&self) -> bool {
        self.tracer.is_some() || self.messages.is_some()
    }

    /// The driver's tap.
    pub(crate) fn see(&mut self, direction: Direction, peer: SocketAddr, datagram: &[u8]) {
        if let Some(t) = self.tracer.as_mut() {
            t.datagram(direction, peer, datagram);
        }
        if let Some(m) = &self.messages {
            m.record(direction == Direction::Received, peer, datagram);
        }
    }

    /// Starts the HTTP server when asked to, reading the node through
    /// `control`. Returns the address it listens on.
    pub(crate) async fn start_web<N: 'static>(
        &self,
        args: &OpsArgs,
        control: &mpsc::Sender<Control<N>>,
        metrics: fn(&mut N, Instant) -> Metrics,
        state: fn(&mut N, Instant) -> Value,
    ) -> anyhow::Result<Option<SocketAddr>> {
        let Some(addr) = args.http_address() else {
            return Ok(None);
        };
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot bind the HTTP server on {addr}"))?;
        let bound = listener.local_addr()?;
        let web = Web {
            live_view: args.live_view,
            metrics: fetch(control.clone(), metrics),
            state: fetch(control.clone(), state),
            messages: self.messages.clone(),
        };
        tokio::spawn(async move {
            if let Err(e) = mgcp_ops::web::serve(listener, web).await {
                crate::log!("http: stopped: {e}");
            }
        });
        Ok(Some(bound))
    }
}

fn fetch<N: 'static, T: Send + 'static>(
    control: mpsc::Sender<Control<N>>,
    f: fn(&mut N, Instant) -> T,
) -> Fetch<T> {
    Arc::new(move || -> BoxFuture<Option<T>> {
        let control = control.clone();
        Box::pin(async move { mgcp_net::ask(&control, f).await })
    })
}

/// A table of the live view and of `mgcp admin show`.
pub(crate) struct Table {
    pub(crate) title: &'static str,
    pub(crate) columns: &'static [&'static str],
    pub(crate) rows: Vec<Vec<String>>,
    /// Rows before truncation.
    pub(crate) total: usize,
}

impl Table {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "title": self.title,
            "columns": self.columns,
            "rows": self.rows,
            "total": self.total,
        })
    }
}

/// The live view's state object.
pub(crate) fn state_json(
    title: String,
    role: &str,
    summary: &[(&str, u64)],
    tables: &[Table],
) -> Value {
    json!({
        "title": title,
        "role": role,
        "summary": summary.iter().map(|(l, v)| json!({"label": l, "value": v})).collect::<Vec<_>>(),
        "tables": tables.iter().map(Table::to_json).collect::<Vec<_>>(),
    })
}
