//! Connection and audit commands (RFC 3435 §2.3.4-§2.3.11): CRCX, MDCX,
//! DLCX, AUEP, AUCX, EPCF, with the return codes of RFC 3435 §2.4 / RFC
//! 3661 for every failure.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::Instant;

use mgcp_proto::params::{
    BearerEncoding, ConnectionMode, LocalConnectionOptions, LocalOption, ParamName, Statistic,
};
use mgcp_proto::sdp::{
    Direction, LineEnding, MediaSpec as SdpMedia, PayloadSpec, SdpSpec, SessionDescription,
};
use mgcp_proto::{Command, ReturnCode};

use crate::catalog;
use crate::config::EndpointKind;
use crate::endpoint::{Connection, Notified, Service};
use crate::gateway::Gateway;
use crate::media::{Codec, MediaError, MediaPlane, MediaSpec, MediaStats};
use crate::reply::Reply;

/// Bytes a response needs besides its parameter lines: the response line
/// (code, a transaction id of up to 9 digits, commentary) and an empty
/// `K:` line the transaction layer may add.
const RESPONSE_HEADROOM: usize = 32;

/// Payload type we offer for RFC 4733 telephone events.
const TELEPHONE_EVENT_PT: u8 = 101;

/// The outcome of codec, packetization and remote-address negotiation.
#[derive(Debug, Clone)]
pub(crate) struct Negotiated {
    pub(crate) codecs: Vec<Codec>,
    pub(crate) telephone_event: Option<u8>,
    pub(crate) ptime: u32,
    pub(crate) remote: Option<SocketAddr>,
    pub(crate) remote_sdp: Option<String>,
}

/// Which endpoints a command addresses.
pub(crate) enum Targets {
    One(usize),
    Many(Vec<usize>),
}

impl<M: MediaPlane> Gateway<M> {
    /// Finds the endpoints a command names. `$` is allowed only for CRCX;
    /// `*` only where `allow_all`.
    pub(crate) fn targets(&mut self, cmd: &Command<'_>, allow_all: bool) -> Result<Targets, Reply> {
        let ep = &cmd.endpoint;
        let domain_ok = match ep.domain() {
            mgcp_proto::Domain::Host(host) => host.eq_ignore_ascii_case(&self.config.domain),
            _ => true,
        };
        if !domain_ok {
            return Err(Reply::error(ReturnCode::UNKNOWN_ENDPOINT, "unknown domain"));
        }
        let local = ep.local_name();
        if ep.has_all() {
            if !allow_all {
                return Err(Reply::error(
                    ReturnCode::WILDCARD_TOO_COMPLICATED,
                    "\"all of\" wildcard not allowed here",
                ));
            }
            let all = self.table.matching(local);
            if all.is_empty() {
                return Err(Reply::code(ReturnCode::UNKNOWN_ENDPOINT));
            }
            if all.len() > self.config.limits.wildcard_fanout && cmd.verb != mgcp_proto::Verb::Auep
            {
                return Err(Reply::error(
                    ReturnCode::WILDCARD_TOO_COMPLICATED,
                    "wildcard covers too many endpoints",
                ));
            }
            return Ok(Targets::Many(all));
        }
        if ep.has_any() {
            if cmd.verb != mgcp_proto::Verb::Crcx {
                return Err(Reply::error(
                    ReturnCode::UNKNOWN_ENDPOINT,
                    "\"any of\" wildcard only in CRCX",
                ));
            }
            return self
                .table
                .any_of(local)
                .map(Targets::One)
                .ok_or_else(|| Reply::code(ReturnCode::NO_ENDPOINT_AVAILABLE));
        }
        let mut s = std::mem::take(&mut self.scratch);
        let found = self.table.find(local, &mut s);
        self.scratch = s;
        found
            .map(Targets::One)
            .ok_or_else(|| Reply::code(ReturnCode::UNKNOWN_ENDPOINT))
    }

    fn one_target(&mut self, cmd: &Command<'_>) -> Result<usize, Reply> {
        match self.targets(cmd, false)? {
            Targets::One(i) => Ok(i),
            Targets::Many(_) => Err(Reply::code(ReturnCode::WILDCARD_TOO_COMPLICATED)),
        }
    }

    /// Records who commands an endpoint (RFC 3435 §2.1.4): `N:` sets the
    /// notified entity; otherwise the source of the last connection command
    /// or notification request is used, unless `N:` set one before.
    pub(crate) fn note_commander(
        &mut self,
        i: usize,
        from: SocketAddr,
        cmd: &Command<'_>,
    ) -> Result<(), Reply> {
        if let Some(n) = cmd.params.notified_entity() {
            let destination = self.resolve(&n).ok_or_else(|| {
                Reply::error(ReturnCode::BAD_PARAMETER, "NotifiedEntity does not resolve")
            })?;
            self.table.endpoints[i].notified = Notified::Explicit {
                text: n.to_string(),
                destination,
            };
        } else if !matches!(self.table.endpoints[i].notified, Notified::Explicit { .. }) {
            self.table.endpoints[i].notified = Notified::LastCommander(from);
        }
        Ok(())
    }

    // ---- CRCX ----------------------------------------------------------------

    pub(crate) fn create_connection(
        &mut self,
        now: Instant,
        from: SocketAddr,
        cmd: &Command<'_>,
    ) -> Reply {
        match self.try_create(now, from, cmd) {
            Ok(r) | Err(r) => r,
        }
    }

    fn try_create(
        &mut self,
        now: Instant,
        from: SocketAddr,
        cmd: &Command<'_>,
    ) -> Result<Reply, Reply> {
        let i = self.one_target(cmd)?;
        let mode = cmd
            .params
            .connection_mode()
            .ok_or_else(|| Reply::code(ReturnCode::INVALID_MODE))?;
        let mode = owned_mode(mode).ok_or_else(|| Reply::code(ReturnCode::INVALID_MODE))?;
        self.check_connectable(i, mode)?;
        let call_id = cmd.params.call_id().unwrap_or_default().to_string();
        if let Some(second) = cmd.params.second_endpoint_id() {
            return self.create_local_connection(now, from, cmd, i, second, mode, call_id);
        }
        let negotiated = self.negotiate(cmd, None)?;
        let conn_id = self.unique_connection_id(i);
        let media = self.fresh_media_id();
        // Opened with its peers already, so only the endpoint's other
        // connections need telling (none for the first one).
        let peers = self.peers_of(i, media);
        let spec = self.media_spec(i, mode, &negotiated, peers);
        let local = self.media.open(media, &spec).map_err(media_error)?;
        let options = cmd
            .params
            .local_connection_options()
            .map(|l| l.to_string())
            .unwrap_or_default();
        let session = (u64::from(self.rng.u32(1..)), 1);
        let mut connection = Connection {
            id: conn_id.clone(),
            call_id,
            mode,
            codecs: negotiated.codecs,
            telephone_event: negotiated.telephone_event,
            ptime: negotiated.ptime,
            remote_sdp: negotiated.remote_sdp,
            remote: negotiated.remote,
            local,
            media,
            session,
            options,
            local_sdp: String::new(),
            twin: None,
        };
        connection.local_sdp = render_local_sdp(&connection);
        // The embedded request is checked before anything is committed, so
        // a bad request leaves no connection behind.
        if let Err(r) = self.check_embedded(i, cmd, Some(&conn_id)) {
            self.media.close(media);
            return Err(r);
        }
        self.by_media.insert(media, i);
        self.table.endpoints[i].connections.push(connection);
        self.total_connections += 1;
        self.counters.connections_created += 1;
        self.relink_peers_except(i, Some(media));
        self.note_commander(i, from, cmd)?;
        self.apply_embedded(now, i, cmd, Some(&conn_id));
        let mut reply = Reply::code(ReturnCode::OK).with(ParamName::ConnectionId, conn_id.clone());
        if cmd.endpoint.is_wildcard() {
            reply = reply.with(ParamName::SpecificEndpointId, self.full_name(i));
        }
        let sdp = self.local_sdp(i, &conn_id);
        Ok(reply.with_sdp(sdp))
    }

    /// Z2: a connection between two endpoints of this gateway, without
    /// SDP (RFC 3435 §2.3.5).
    #[allow(clippy::too_many_arguments)]
    fn create_local_connection(
        &mut self,
        now: Instant,
        from: SocketAddr,
        cmd: &Command<'_>,
        i: usize,
        second: mgcp_proto::EndpointName<'_>,
        mode: ConnectionMode<'static>,
        call_id: String,
    ) -> Result<Reply, Reply> {
        let local = second.local_name();
        let j = if second.has_any() {
            self.table.any_of(local)
        } else {
            let mut s = std::mem::take(&mut self.scratch);
            let f = self.table.find(local, &mut s);
            self.scratch = s;
            f
        }
        .ok_or_else(|| Reply::error(ReturnCode::UNKNOWN_ENDPOINT, "SecondEndpointId unknown"))?;
        if j == i {
            return Err(Reply::error(
                ReturnCode::BAD_PARAMETER,
                "both ends of a local connection are the same endpoint",
            ));
        }
        self.check_connectable(j, ConnectionMode::SendRecv)?;
        let negotiated = self.negotiate(cmd, None)?;
        let (a_id, b_id) = (self.unique_connection_id(i), self.unique_connection_id(j));
        let (ma, mb) = (self.fresh_media_id(), self.fresh_media_id());
        let spec_a = self.media_spec(i, mode, &negotiated, vec![mb]);
        let spec_b = self.media_spec(j, ConnectionMode::SendRecv, &negotiated, vec![ma]);
        let la = self.media.open(ma, &spec_a).map_err(media_error)?;
        let lb = match self.media.open(mb, &spec_b) {
            Ok(l) => l,
            Err(e) => {
                self.media.close(ma);
                return Err(media_error(e));
            }
        };
        let make = |id: String, mode, local, media, twin| Connection {
            id,
            call_id: call_id.clone(),
            mode,
            codecs: negotiated.codecs.clone(),
            telephone_event: negotiated.telephone_event,
            ptime: negotiated.ptime,
            remote_sdp: None,
            remote: None,
            local,
            media,
            session: (media, 1),
            options: String::new(),
            local_sdp: String::new(),
            twin: Some(twin),
        };
        let a = make(a_id.clone(), mode, la, ma, (j, b_id.clone()));
        let b = make(
            b_id.clone(),
            ConnectionMode::SendRecv,
            lb,
            mb,
            (i, a_id.clone()),
        );
        self.by_media.insert(ma, i);
        self.by_media.insert(mb, j);
        self.table.endpoints[i].connections.push(a);
        self.table.endpoints[j].connections.push(b);
        self.total_connections += 2;
        self.counters.connections_created += 2;
        self.note_commander(i, from, cmd)?;
        self.apply_embedded(now, i, cmd, Some(&a_id));
        let mut reply = Reply::code(ReturnCode::OK)
            .with(ParamName::ConnectionId, a_id)
            .with(ParamName::SecondConnectionId, b_id);
        if cmd.endpoint.is_wildcard() {
            reply = reply.with(ParamName::SpecificEndpointId, self.full_name(i));
        }
        if second.is_wildcard() {
            reply = reply.with(ParamName::SecondEndpointId, self.full_name(j));
        }
        Ok(reply)
    }

    fn check_connectable(&self, i: usize, mode: ConnectionMode<'_>) -> Result<(), Reply> {
        let ep = &self.table.endpoints[i];
        if ep.service == Service::OutOfService {
            return Err(Reply::code(ReturnCode::ENDPOINT_NOT_READY));
        }
        if !ep.kind.supports_mode(mode) {
            return Err(Reply::error(
                ReturnCode::INVALID_MODE,
                format!("{mode} not supported by this endpoint"),
            ));
        }
        if ep.connections.len() >= ep.max_connections {
            return Err(Reply::code(ReturnCode::CONNECTION_LIMIT));
        }
        if self.total_connections >= self.config.limits.max_connections {
            return Err(Reply::error(
                ReturnCode::INSUFFICIENT_RESOURCES_NOW,
                "gateway connection limit",
            ));
        }
        Ok(())
    }

    fn unique_connection_id(&mut self, i: usize) -> String {
        loop {
            let id = self.new_connection_id();
            if self.table.endpoints[i].connection(&id).is_none() {
                return id;
            }
        }
    }

    /// Tells the media plane which connections of an endpoint exchange
    /// media: relay and bridge pairs, conference members.
    pub(crate) fn relink_peers(&mut self, i: usize) {
        self.relink_peers_except(i, None);
    }

    /// [`Self::relink_peers`], leaving out the connection whose media id
    /// is `skip` (it was just opened with its peers).
    fn relink_peers_except(&mut self, i: usize, skip: Option<u64>) {
        let ep = &self.table.endpoints[i];
        if !matches!(
            ep.kind,
            EndpointKind::Relay
                | EndpointKind::Rtpbridge
                | EndpointKind::Conference
                | EndpointKind::Wiretap
        ) {
            return;
        }
        let ids: Vec<u64> = ep.connections.iter().map(|c| c.media).collect();
        for k in 0..ep.connections.len() {
            let c = &self.table.endpoints[i].connections[k];
            if Some(c.media) == skip {
                continue;
            }
            let negotiated = Negotiated {
                codecs: c.codecs.clone(),
                telephone_event: c.telephone_event,
                ptime: c.ptime,
                remote: c.remote,
                remote_sdp: None,
            };
            let peers: Vec<u64> = ids.iter().copied().filter(|m| *m != c.media).collect();
            let (media, mode) = (c.media, c.mode);
            let spec = self.media_spec(i, mode, &negotiated, peers);
            let _ = self.media.modify(media, &spec);
        }
    }

    pub(crate) fn media_spec(
        &self,
        i: usize,
        mode: ConnectionMode<'static>,
        n: &Negotiated,
        peers: Vec<u64>,
    ) -> MediaSpec {
        MediaSpec {
            endpoint: i,
            kind: self.table.endpoints[i].kind,
            mode,
            codecs: n.codecs.clone(),
            telephone_event: n.telephone_event,
            ptime: n.ptime,
            remote: n.remote,
            peers,
        }
    }

    /// The local session description of a connection (kept up to date in
    /// the connection; a missing one is a bare `v=0`).
    pub(crate) fn local_sdp(&self, i: usize, conn_id: &str) -> String {
        self.table.endpoints[i]
            .connection(conn_id)
            .map_or_else(|| "v=0\r\n".to_string(), |c| c.local_sdp.clone())
    }

    // ---- negotiation -----------------------------------------------------------

    /// Codecs, packetization and remote address from `L:` and the remote
    /// SDP, against what the gateway supports (RFC 3435 §2.3.5, RFC 3264's
    /// spirit: keep the remote's order).
    pub(crate) fn negotiate(
        &self,
        cmd: &Command<'_>,
        current: Option<&Connection>,
    ) -> Result<Negotiated, Reply> {
        let lco = cmd.params.local_connection_options();
        if let Some(l) = &lco {
            self.check_options(l)?;
        }
        let wanted: Option<Vec<&str>> = lco
            .and_then(|l| l.codecs())
            .map(|list| list.iter().collect());
        let supported = self.supported_codecs();
        let allowed: Vec<Codec> = match &wanted {
            Some(names) => {
                let v: Vec<Codec> = names
                    .iter()
                    .filter_map(|n| {
                        supported
                            .iter()
                            .find(|c| c.name.eq_ignore_ascii_case(n))
                            .cloned()
                    })
                    .collect();
                if v.is_empty() {
                    return Err(Reply::error(
                        ReturnCode::CODEC_NEGOTIATION_FAILURE,
                        "no codec of a: is supported",
                    ));
                }
                v
            }
            None => supported.to_vec(),
        };
        let mut n = Negotiated {
            codecs: current
                .map(|c| c.codecs.clone())
                .unwrap_or_else(|| allowed.clone()),
            telephone_event: current.map_or(Some(TELEPHONE_EVENT_PT), |c| c.telephone_event),
            ptime: current.map_or(20, |c| c.ptime),
            remote: current.and_then(|c| c.remote),
            remote_sdp: current.and_then(|c| c.remote_sdp.clone()),
        };
        if current.is_some() && wanted.is_some() {
            n.codecs = allowed.clone();
        }
        if !self
            .config
            .codecs
            .iter()
            .any(|c| c.eq_ignore_ascii_case("telephone-event"))
        {
            n.telephone_event = None;
        }
        if let Some(sdp) = cmd.sdp.iter().next() {
            self.apply_remote_sdp(sdp, &allowed, wanted.is_some(), &mut n)?;
        }
        if let Some(p) = lco.and_then(|l| l.packetization()) {
            let (lo, hi) = self.config.packetization_ms;
            let pick = p.min.max(lo);
            if pick > p.max || pick > hi || pick % 10 != 0 && pick != 5 {
                return Err(Reply::error(
                    ReturnCode::PACKETIZATION_NOT_SUPPORTED,
                    format!("p:{p} not supported"),
                ));
            }
            n.ptime = pick;
        }
        Ok(n)
    }

    fn apply_remote_sdp(
        &self,
        sdp: &SessionDescription<'_>,
        allowed: &[Codec],
        constrained: bool,
        n: &mut Negotiated,
    ) -> Result<(), Reply> {
        let audio = sdp.media().find(|m| m.kind().eq_ignore_ascii_case("audio"));
        let Some(m) = audio else {
            if sdp.is_version_only() {
                return Ok(());
            }
            return Err(Reply::error(
                ReturnCode::UNSUPPORTED_REMOTE_DESCRIPTOR,
                "no audio media line",
            ));
        };
        if !m.proto().eq_ignore_ascii_case("RTP/AVP") {
            return Err(Reply::error(
                ReturnCode::UNSUPPORTED_REMOTE_DESCRIPTOR,
                format!("transport {} not supported", m.proto()),
            ));
        }
        let ip = m
            .connection()
            .and_then(|c| c.ip())
            .ok_or_else(|| Reply::error(ReturnCode::REMOTE_DESCRIPTOR_ERROR, "no c= address"))?;
        let supported = self.supported_codecs();
        let mut offered_supported = false;
        let mut chosen = Vec::new();
        let mut telephone_event = None;
        for (pt, map) in m.codecs() {
            let Some(map) = map else { continue };
            if map.encoding.eq_ignore_ascii_case("telephone-event") {
                telephone_event = Some(pt);
                continue;
            }
            let clock = map.clock_rate.unwrap_or(8000);
            if supported
                .iter()
                .any(|c| c.name.eq_ignore_ascii_case(map.encoding) && c.clock_rate == clock)
            {
                offered_supported = true;
            }
            if let Some(ours) = allowed
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(map.encoding) && c.clock_rate == clock)
            {
                chosen.push(Codec {
                    payload_type: pt,
                    name: ours.name,
                    clock_rate: clock,
                });
            }
        }
        if chosen.is_empty() {
            let (code, why) = if constrained && offered_supported {
                (
                    ReturnCode::UNSATISFIABLE_OPTIONS,
                    "the remote codecs and a: do not meet",
                )
            } else {
                (ReturnCode::CODEC_NEGOTIATION_FAILURE, "no common codec")
            };
            return Err(Reply::error(code, why));
        }
        n.codecs = chosen;
        n.telephone_event = telephone_event.filter(|_| n.telephone_event.is_some());
        n.remote = (m.port() != 0 && !ip.is_unspecified()).then(|| SocketAddr::new(ip, m.port()));
        if let Some(p) = m.ptime() {
            let (lo, hi) = self.config.packetization_ms;
            n.ptime = p.clamp(lo, hi);
        }
        n.remote_sdp = Some(sdp.as_str().to_string());
        Ok(())
    }

    /// Codecs the gateway can use, from its configuration (computed once,
    /// in [`Gateway::new`]).
    pub(crate) fn supported_codecs(&self) -> &[Codec] {
        &self.supported
    }

    /// Codecs a configuration allows.
    pub(crate) fn codecs_of(config: &crate::GatewayConfig) -> Vec<Codec> {
        config
            .codecs
            .iter()
            .filter(|n| !n.eq_ignore_ascii_case("telephone-event"))
            .filter_map(|name| {
                (0u8..=34).find_map(|pt| {
                    let map = mgcp_proto::sdp::static_payload_type(pt)?;
                    map.encoding.eq_ignore_ascii_case(name).then(|| Codec {
                        payload_type: pt,
                        name: map.encoding,
                        clock_rate: map.clock_rate.unwrap_or(8000),
                    })
                })
            })
            .collect()
    }

    /// LocalConnectionOptions the gateway cannot honour (RFC 3435 §2.4:
    /// 525 unknown extension, 532 unsupported value, 524 inconsistency).
    fn check_options(&self, l: &LocalConnectionOptions<'_>) -> Result<(), Reply> {
        const KNOWN_EXTENSIONS: [&str; 11] = [
            "fmtp", "es-cci", "es-ccd", "dq-gi", "dq-rd", "dq-ri", "dq-rr", "sc-rtp", "sc-rtcp",
            "sc-st", "sc-sp",
        ];
        for o in l.iter() {
            match o {
                LocalOption::Encryption(k) if !k.to_ascii_lowercase().starts_with("clear") => {
                    return Err(Reply::error(
                        ReturnCode::UNSUPPORTED_OPTION_VALUE,
                        "encryption is not supported",
                    ));
                }
                LocalOption::TypeOfNetwork(list) if !list.contains("IN") => {
                    return Err(Reply::error(
                        ReturnCode::UNSUPPORTED_OPTION_VALUE,
                        "only nt:IN is supported",
                    ));
                }
                LocalOption::Bandwidth(b) if b.max < 8 => {
                    return Err(Reply::error(
                        ReturnCode::INSUFFICIENT_BANDWIDTH,
                        "bandwidth below any codec",
                    ));
                }
                LocalOption::Extension { name, .. } => {
                    let vendor = name.len() > 2 && name[..2].eq_ignore_ascii_case("x-");
                    let known = KNOWN_EXTENSIONS
                        .iter()
                        .any(|k| k.eq_ignore_ascii_case(name));
                    if !vendor && !known {
                        return Err(Reply::error(
                            ReturnCode::UNKNOWN_OPTION_EXTENSION,
                            format!("unknown option {name}"),
                        ));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    // ---- MDCX ----------------------------------------------------------------

    pub(crate) fn modify_connection(
        &mut self,
        now: Instant,
        from: SocketAddr,
        cmd: &Command<'_>,
    ) -> Reply {
        match self.try_modify(now, from, cmd) {
            Ok(r) | Err(r) => r,
        }
    }

    fn try_modify(
        &mut self,
        now: Instant,
        from: SocketAddr,
        cmd: &Command<'_>,
    ) -> Result<Reply, Reply> {
        let i = self.one_target(cmd)?;
        let conn_id = cmd.params.connection_id().unwrap_or_default();
        let k = self.table.endpoints[i]
            .connection_index(conn_id)
            .ok_or_else(|| Reply::code(ReturnCode::INCORRECT_CONNECTION_ID))?;
        let current = &self.table.endpoints[i].connections[k];
        if let Some(call) = cmd.params.call_id()
            && !call.eq_ignore_ascii_case(&current.call_id)
        {
            return Err(Reply::code(ReturnCode::UNKNOWN_CALL_ID));
        }
        let mode = match cmd.params.connection_mode() {
            Some(m) => owned_mode(m).ok_or_else(|| Reply::code(ReturnCode::INVALID_MODE))?,
            None => current.mode,
        };
        let kind = self.table.endpoints[i].kind;
        if !kind.supports_mode(mode) {
            return Err(Reply::error(
                ReturnCode::INVALID_MODE,
                format!("{mode} not supported by this endpoint"),
            ));
        }
        let negotiated = self.negotiate(cmd, Some(current))?;
        let session_changed = negotiated.codecs != current.codecs
            || negotiated.ptime != current.ptime
            || cmd.params.local_connection_options().is_some();
        let description_changed = session_changed || mode != current.mode;
        let (media, id) = (current.media, current.id.clone());
        self.check_embedded(i, cmd, Some(&id))?;
        let peers = self.peers_of(i, media);
        let spec = self.media_spec(i, mode, &negotiated, peers);
        self.media.modify(media, &spec).map_err(media_error)?;
        {
            let c = &mut self.table.endpoints[i].connections[k];
            c.mode = mode;
            c.remote = negotiated.remote;
            c.remote_sdp = negotiated.remote_sdp;
            c.codecs = negotiated.codecs;
            c.telephone_event = negotiated.telephone_event;
            c.ptime = negotiated.ptime;
            if let Some(l) = cmd.params.local_connection_options() {
                c.options = l.to_string();
            }
            if session_changed {
                c.session.1 += 1;
            }
            if description_changed {
                c.local_sdp = render_local_sdp(c);
            }
        }
        self.note_commander(i, from, cmd)?;
        self.apply_embedded(now, i, cmd, Some(&id));
        let reply = Reply::code(ReturnCode::OK);
        // A description goes back when session parameters changed (RFC
        // 3435 §3.3.2); a mode change alone does not alter them.
        Ok(if session_changed || !cmd.sdp.is_empty() {
            reply.with_sdp(self.local_sdp(i, &id))
        } else {
            reply
        })
    }

    /// The media ids a connection of endpoint `i` exchanges media with.
    fn peers_of(&self, i: usize, media: u64) -> Vec<u64> {
        let ep = &self.table.endpoints[i];
        if !matches!(
            ep.kind,
            EndpointKind::Relay
                | EndpointKind::Rtpbridge
                | EndpointKind::Conference
                | EndpointKind::Wiretap
        ) {
            return Vec::new();
        }
        ep.connections
            .iter()
            .map(|c| c.media)
            .filter(|m| *m != media)
            .collect()
    }

    // ---- DLCX ----------------------------------------------------------------

    pub(crate) fn delete_connection(
        &mut self,
        now: Instant,
        from: SocketAddr,
        cmd: &Command<'_>,
    ) -> Reply {
        match self.try_delete(now, from, cmd) {
            Ok(r) | Err(r) => r,
        }
    }

    fn try_delete(
        &mut self,
        now: Instant,
        from: SocketAddr,
        cmd: &Command<'_>,
    ) -> Result<Reply, Reply> {
        let call = cmd.params.call_id();
        let conn = cmd.params.connection_id();
        if conn.is_some() && call.is_none() {
            return Err(Reply::error(
                ReturnCode::PROTOCOL_ERROR,
                "ConnectionId without CallId",
            ));
        }
        let targets = match self.targets(cmd, true)? {
            Targets::One(i) => vec![i],
            Targets::Many(v) => {
                if conn.is_some() {
                    return Err(Reply::error(
                        ReturnCode::WILDCARD_TOO_COMPLICATED,
                        "a connection id names one endpoint",
                    ));
                }
                v
            }
        };
        if let (Some(conn), Some(call), [i]) = (conn, call, targets.as_slice()) {
            let i = *i;
            let k = self.table.endpoints[i]
                .connection_index(conn)
                .ok_or_else(|| Reply::code(ReturnCode::INCORRECT_CONNECTION_ID))?;
            if !self.table.endpoints[i].connections[k]
                .call_id
                .eq_ignore_ascii_case(call)
            {
                return Err(Reply::code(ReturnCode::UNKNOWN_CALL_ID));
            }
            self.check_embedded(i, cmd, None)?;
            let stats = self.remove_connection(i, k);
            self.note_commander(i, from, cmd)?;
            self.apply_embedded(now, i, cmd, None);
            return Ok(Reply::code(ReturnCode::CONNECTION_DELETED)
                .with(ParamName::ConnectionParameters, stats_value(&stats)));
        }
        let mut deleted = 0;
        for &i in &targets {
            let keep =
                |c: &Connection| call.is_some_and(|call| !c.call_id.eq_ignore_ascii_case(call));
            let doomed: Vec<usize> = (0..self.table.endpoints[i].connections.len())
                .filter(|&k| !keep(&self.table.endpoints[i].connections[k]))
                .collect();
            for k in doomed.into_iter().rev() {
                self.remove_connection(i, k);
                deleted += 1;
            }
        }
        if call.is_some() && deleted == 0 {
            return Err(Reply::code(ReturnCode::UNKNOWN_CALL_ID));
        }
        if let [i] = targets.as_slice() {
            let i = *i;
            self.check_embedded(i, cmd, None)?;
            self.note_commander(i, from, cmd)?;
            self.apply_embedded(now, i, cmd, None);
        }
        Ok(Reply::code(if deleted > 0 {
            ReturnCode::CONNECTION_DELETED
        } else {
            ReturnCode::OK
        }))
    }

    /// Deletes connection `k` of endpoint `i` (and the other end of a local
    /// connection); returns its statistics.
    pub(crate) fn remove_connection(&mut self, i: usize, k: usize) -> MediaStats {
        let c = self.table.endpoints[i].connections.remove(k);
        self.by_media.remove(&c.media);
        let stats = self.media.close(c.media);
        self.counters.add_closed(&stats);
        self.total_connections -= 1;
        self.counters.connections_deleted += 1;
        self.stop_connection_signals(i, &c.id);
        if let Some((j, twin)) = &c.twin
            && let Some(tk) = self.table.endpoints[*j].connection_index(twin)
        {
            let t = self.table.endpoints[*j].connections.remove(tk);
            self.by_media.remove(&t.media);
            let twin_stats = self.media.close(t.media);
            self.counters.add_closed(&twin_stats);
            self.total_connections -= 1;
            self.counters.connections_deleted += 1;
        }
        self.relink_peers(i);
        stats
    }

    // ---- AUEP ----------------------------------------------------------------

    pub(crate) fn audit_endpoint(&mut self, from: SocketAddr, cmd: &Command<'_>) -> Reply {
        let targets = match self.targets(cmd, true) {
            Ok(t) => t,
            Err(r) => return r,
        };
        let info = cmd.params.requested_info();
        let i = match targets {
            Targets::Many(list) => {
                if info.is_some_and(|f| f.iter().next().is_some()) {
                    return Reply::error(
                        ReturnCode::BAD_PARAMETER,
                        "RequestedInfo with an \"all of\" wildcard",
                    );
                }
                // The list of endpoints, one `Z:` line each (RFC 3435
                // §2.3.10, §3.3.6). Base MGCP has no way to ask for a part
                // of the list, so a list that does not fit the requester's
                // datagram size is an error, 533 "response too large"
                // (§2.3.10 recommends that code), with a commentary saying
                // how large it is. Measured before any name is built, so a
                // million matches cost no million strings.
                let limit = self.engine.max_datagram(from);
                let per_name = "Z: @\r\n".len() + self.config.domain.len();
                let mut size = RESPONSE_HEADROOM;
                for &i in &list {
                    size += per_name + self.table.endpoints[i].name.len();
                }
                if size > limit {
                    return Reply::error(
                        ReturnCode::RESPONSE_TOO_LARGE,
                        format!(
                            "response too large: {} endpoints match, their list needs {size} bytes, \
                             over the {limit}-byte datagram limit; audit a narrower wildcard",
                            list.len()
                        ),
                    );
                }
                return list.iter().fold(Reply::code(ReturnCode::OK), |r, &i| {
                    r.with(ParamName::SpecificEndpointId, self.full_name(i))
                });
            }
            Targets::One(i) => i,
        };
        let mut reply = Reply::code(ReturnCode::OK);
        let Some(info) = info else { return reply };
        for name in info.iter() {
            match self.audit_item(i, name) {
                Ok(lines) => {
                    for (n, v) in lines {
                        reply = reply.with(n, v);
                    }
                }
                Err(r) => return r,
            }
        }
        reply
    }

    fn audit_item(
        &self,
        i: usize,
        name: ParamName<'_>,
    ) -> Result<Vec<(ParamName<'static>, String)>, Reply> {
        let ep = &self.table.endpoints[i];
        let one = |n: ParamName<'static>, v: String| Ok(vec![(n, v)]);
        match name {
            ParamName::RequestedEvents => one(
                ParamName::RequestedEvents,
                crate::request::render_requested(&ep.request.requested),
            ),
            ParamName::DigitMap => one(
                ParamName::DigitMap,
                ep.digits.text.clone().unwrap_or_default(),
            ),
            ParamName::SignalRequests => {
                let s: Vec<crate::request::Signal> =
                    ep.signals.iter().map(|a| a.signal.clone()).collect();
                one(
                    ParamName::SignalRequests,
                    crate::request::render_signals(&s),
                )
            }
            ParamName::RequestIdentifier => {
                one(ParamName::RequestIdentifier, ep.request.id.clone())
            }
            ParamName::NotifiedEntity => one(ParamName::NotifiedEntity, self.notified_text(i)),
            ParamName::ConnectionId => {
                let ids: Vec<&str> = ep.connections.iter().map(|c| c.id.as_str()).collect();
                one(ParamName::ConnectionId, ids.join(", "))
            }
            ParamName::DetectEvents => {
                let t: Vec<String> = ep.request.detect.iter().map(ToString::to_string).collect();
                one(ParamName::DetectEvents, t.join(", "))
            }
            ParamName::ObservedEvents => one(ParamName::ObservedEvents, ep.observed.join(", ")),
            ParamName::EventStates => one(ParamName::EventStates, self.event_states(i)),
            ParamName::Capabilities => one(ParamName::Capabilities, self.capabilities(i)),
            ParamName::RestartMethod => {
                one(ParamName::RestartMethod, self.restart.method.to_string())
            }
            ParamName::RestartDelay => one(ParamName::RestartDelay, "0".into()),
            ParamName::ReasonCode => one(ParamName::ReasonCode, "000".into()),
            ParamName::QuarantineHandling => {
                let q = mgcp_proto::params::QuarantineHandling {
                    process: ep.request.process,
                    looping: ep.request.looping,
                };
                let text = q.to_string();
                one(
                    ParamName::QuarantineHandling,
                    if text.is_empty() {
                        "process, step".into()
                    } else {
                        text
                    },
                )
            }
            ParamName::BearerInformation => one(
                ParamName::BearerInformation,
                match ep.encoding {
                    Some(BearerEncoding::ALaw) => "e:A".into(),
                    _ => "e:mu".into(),
                },
            ),
            ParamName::MaxMgcpDatagram => one(ParamName::MaxMgcpDatagram, "8192".into()),
            ParamName::PackageList => one(ParamName::PackageList, catalog::package_list(ep.kind)),
            ParamName::Other(n) if n.starts_with("X-") || n.starts_with("x-") => Ok(vec![]),
            _ => Err(Reply::error(
                ReturnCode::BAD_PARAMETER,
                format!("cannot audit {}", name.code()),
            )),
        }
    }

    fn notified_text(&self, i: usize) -> String {
        match &self.table.endpoints[i].notified {
            Notified::Explicit { text, .. } => text.clone(),
            Notified::LastCommander(addr) => format!("[{}]:{}", addr.ip(), addr.port()),
            Notified::Provisioned => {
                let a = self.call_agents.addresses()[0];
                format!("[{}]:{}", a.ip(), a.port())
            }
        }
    }

    fn event_states(&self, i: usize) -> String {
        let ep = &self.table.endpoints[i];
        match ep.kind {
            EndpointKind::Line => match ep.hook {
                crate::endpoint::Hook::Off => "L/hd".into(),
                crate::endpoint::Hook::On => "L/hu".into(),
            },
            _ => String::new(),
        }
    }

    fn capabilities(&self, i: usize) -> String {
        let ep = &self.table.endpoints[i];
        let codecs: Vec<String> = self.config.codecs.clone();
        let (lo, hi) = self.config.packetization_ms;
        let modes: Vec<&str> = [
            ConnectionMode::SendOnly,
            ConnectionMode::RecvOnly,
            ConnectionMode::SendRecv,
            ConnectionMode::Conference,
            ConnectionMode::Inactive,
            ConnectionMode::Loopback,
            ConnectionMode::ContinuityTest,
            ConnectionMode::NetworkLoop,
            ConnectionMode::NetworkTest,
            ConnectionMode::Data,
        ]
        .into_iter()
        .filter(|m| ep.kind.supports_mode(*m))
        .map(|m| m.as_str())
        .collect();
        let mut out = format!(
            "a:{}, p:{lo}-{hi}, e:on, s:off, nt:IN, v:{}",
            codecs.join(";"),
            ep.kind.packages().join(";")
        );
        if !modes.is_empty() {
            let _ = write!(out, ", m:{}", modes.join(";"));
        }
        out
    }

    // ---- AUCX ----------------------------------------------------------------

    pub(crate) fn audit_connection(&mut self, cmd: &Command<'_>) -> Reply {
        let i = match self.one_target(cmd) {
            Ok(i) => i,
            Err(r) => return r,
        };
        let conn_id = cmd.params.connection_id().unwrap_or_default();
        let Some(c) = self.table.endpoints[i].connection(conn_id).cloned() else {
            return Reply::code(ReturnCode::INCORRECT_CONNECTION_ID);
        };
        let mut reply = Reply::code(ReturnCode::OK);
        let (mut local, mut remote) = (false, false);
        for name in cmd
            .params
            .requested_info()
            .into_iter()
            .flat_map(|f| f.iter())
        {
            reply = match name {
                ParamName::CallId => reply.with(ParamName::CallId, c.call_id.clone()),
                ParamName::NotifiedEntity => {
                    reply.with(ParamName::NotifiedEntity, self.notified_text(i))
                }
                ParamName::LocalConnectionOptions => {
                    let text = if c.options.is_empty() {
                        let names: Vec<&str> = c.codecs.iter().map(|k| k.name).collect();
                        format!("p:{}, a:{}", c.ptime, names.join(";"))
                    } else {
                        c.options.clone()
                    };
                    reply.with(ParamName::LocalConnectionOptions, text)
                }
                ParamName::ConnectionMode => {
                    reply.with(ParamName::ConnectionMode, c.mode.to_string())
                }
                ParamName::ConnectionParameters => reply.with(
                    ParamName::ConnectionParameters,
                    stats_value(&self.media.stats(c.media)),
                ),
                ParamName::LocalConnectionDescriptor => {
                    local = true;
                    reply
                }
                ParamName::RemoteConnectionDescriptor => {
                    remote = true;
                    reply
                }
                ParamName::Other(_) => reply,
                other => {
                    return Reply::error(
                        ReturnCode::BAD_PARAMETER,
                        format!("cannot audit {} of a connection", other.code()),
                    );
                }
            };
        }
        // Local first, then remote (RFC 3435 §3.3); a missing remote
        // description is a bare `v=0`.
        if local || remote {
            reply = reply.with_sdp(self.local_sdp(i, &c.id));
        }
        if remote {
            reply = reply.with_sdp(
                c.remote_sdp
                    .clone()
                    .unwrap_or_else(|| "v=0\r\n".to_string()),
            );
        }
        reply
    }

    // ---- EPCF ----------------------------------------------------------------

    pub(crate) fn endpoint_configuration(&mut self, cmd: &Command<'_>) -> Reply {
        let targets = match self.targets(cmd, true) {
            Ok(Targets::One(i)) => vec![i],
            Ok(Targets::Many(v)) => v,
            Err(r) => return r,
        };
        let Some(b) = cmd.params.bearer_information() else {
            return Reply::error(ReturnCode::PROTOCOL_ERROR, "BearerInformation missing");
        };
        if b.items()
            .any(|(n, _)| !n.eq_ignore_ascii_case("e") && !n.to_ascii_lowercase().starts_with("x-"))
        {
            return Reply::error(ReturnCode::BAD_PARAMETER, "unsupported bearer attribute");
        }
        for i in targets {
            self.table.endpoints[i].encoding = b.encoding();
        }
        Reply::code(ReturnCode::OK)
    }
}

/// `P:` value from media statistics (RFC 3435 §3.2.2.7).
pub(crate) fn stats_value(s: &MediaStats) -> String {
    let mut v = format!(
        "{}={}, {}={}, {}={}, {}={}, {}={}, {}={}",
        Statistic::PacketsSent.code(),
        s.packets_sent,
        Statistic::OctetsSent.code(),
        s.octets_sent,
        Statistic::PacketsReceived.code(),
        s.packets_received,
        Statistic::OctetsReceived.code(),
        s.octets_received,
        Statistic::PacketsLost.code(),
        s.packets_lost,
        Statistic::Jitter.code(),
        s.jitter_ms
    );
    if let Some(la) = s.latency_ms {
        let _ = write!(v, ", LA={la}");
    }
    v
}

fn owned_mode(m: ConnectionMode<'_>) -> Option<ConnectionMode<'static>> {
    Some(match m {
        ConnectionMode::SendOnly => ConnectionMode::SendOnly,
        ConnectionMode::RecvOnly => ConnectionMode::RecvOnly,
        ConnectionMode::SendRecv => ConnectionMode::SendRecv,
        ConnectionMode::Conference => ConnectionMode::Conference,
        ConnectionMode::Inactive => ConnectionMode::Inactive,
        ConnectionMode::Loopback => ConnectionMode::Loopback,
        ConnectionMode::ContinuityTest => ConnectionMode::ContinuityTest,
        ConnectionMode::NetworkLoop => ConnectionMode::NetworkLoop,
        ConnectionMode::NetworkTest => ConnectionMode::NetworkTest,
        ConnectionMode::Data => ConnectionMode::Data,
        ConnectionMode::Extension(_) => return None,
    })
}

fn media_error(e: MediaError) -> Reply {
    match e {
        MediaError::NoPorts => {
            Reply::error(ReturnCode::INSUFFICIENT_RESOURCES_NOW, "no media port free")
        }
        MediaError::Unsupported => Reply::code(ReturnCode::UNSUPPORTED_FUNCTIONALITY),
    }
}

/// Renders a connection's local session description.
pub(crate) fn render_local_sdp(c: &Connection) -> String {
    let mut payloads: Vec<PayloadSpec<'_>> = c
        .codecs
        .iter()
        .map(|k| PayloadSpec::new(k.payload_type, k.name, k.clock_rate))
        .collect();
    if let Some(pt) = c.telephone_event {
        payloads.push(PayloadSpec::telephone_event(pt));
    }
    let direction = match c.mode {
        ConnectionMode::SendOnly => Direction::SendOnly,
        ConnectionMode::RecvOnly => Direction::RecvOnly,
        ConnectionMode::Inactive => Direction::Inactive,
        _ => Direction::SendRecv,
    };
    let media = [SdpMedia::audio(c.local.port, &payloads)
        .with_ptime(c.ptime)
        .with_direction(direction)];
    SdpSpec::new(c.session.0, c.session.1, c.local.address)
        .with_media(&media)
        .to_sdp_string(LineEnding::Crlf)
}
