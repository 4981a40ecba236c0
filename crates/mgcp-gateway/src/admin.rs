//! What an operator does to a running gateway: release connections, drop
//! a call, reset an endpoint.
//!
//! A gateway that clears a connection on its own must tell the call agent:
//! RFC 3435 §2.3.8 ("DeleteConnection from the gateway") has it send a
//! DLCX with the CallId, the ConnectionId, a ReasonCode and the
//! connection's final statistics to the endpoint's notified entity. An
//! operator's action uses reason 904, "Manual intervention".

use std::time::Instant;

use mgcp_proto::params::ReasonCode;

use crate::commands::stats_value;
use crate::endpoint::Request;
use crate::gateway::Gateway;
use crate::media::MediaPlane;

/// ReasonCode for connections an operator released.
pub const MANUAL_INTERVENTION: u16 = 904;

/// Why an admin action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminError {
    /// No endpoint has that name.
    UnknownEndpoint,
    /// No connection has that CallId (or ConnectionId).
    UnknownCall,
}

impl std::fmt::Display for AdminError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AdminError::UnknownEndpoint => "no such endpoint",
            AdminError::UnknownCall => "no such call or connection",
        })
    }
}

impl std::error::Error for AdminError {}

/// A connection the gateway released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Released {
    /// Endpoint local name.
    pub endpoint: String,
    /// ConnectionId.
    pub connection: String,
    /// CallId.
    pub call: String,
}

impl<M: MediaPlane> Gateway<M> {
    /// Releases the connections of endpoint `local` (those of `call` only,
    /// when given), telling the call agent with one DLCX per connection.
    pub fn release_connections(
        &mut self,
        now: Instant,
        local: &str,
        call: Option<&str>,
        reason: u16,
    ) -> Result<Vec<Released>, AdminError> {
        let i = self
            .endpoint_index(local)
            .ok_or(AdminError::UnknownEndpoint)?;
        let released = self.release_on(now, i, call, reason);
        if call.is_some() && released.is_empty() {
            return Err(AdminError::UnknownCall);
        }
        Ok(released)
    }

    /// Releases every connection of `call` on every endpoint.
    pub fn drop_call(
        &mut self,
        now: Instant,
        call: &str,
        reason: u16,
    ) -> Result<Vec<Released>, AdminError> {
        let endpoints: Vec<usize> = (0..self.table.endpoints.len())
            .filter(|&i| {
                self.table.endpoints[i]
                    .connections
                    .iter()
                    .any(|c| c.call_id.eq_ignore_ascii_case(call))
            })
            .collect();
        let mut released = Vec::new();
        for i in endpoints {
            released.extend(self.release_on(now, i, Some(call), reason));
        }
        if released.is_empty() {
            return Err(AdminError::UnknownCall);
        }
        Ok(released)
    }

    /// Puts endpoint `local` back to its idle state: connections released
    /// (reason 904), signals stopped, the notification request, digit map
    /// and accumulated events cleared (persistent events still apply).
    pub fn reset_endpoint(
        &mut self,
        now: Instant,
        local: &str,
    ) -> Result<Vec<Released>, AdminError> {
        let i = self
            .endpoint_index(local)
            .ok_or(AdminError::UnknownEndpoint)?;
        let released = self.release_on(now, i, None, MANUAL_INTERVENTION);
        let keys: Vec<String> = self.table.endpoints[i]
            .signals
            .iter()
            .map(|a| a.signal.key())
            .collect();
        for k in keys {
            self.stop_signal(i, &k);
        }
        let ep = &mut self.table.endpoints[i];
        ep.request = Request {
            id: "0".to_string(),
            ..Request::default()
        };
        ep.digits = Default::default();
        ep.digit_generation = ep.digit_generation.wrapping_add(1);
        ep.signal_generation = ep.signal_generation.wrapping_add(1);
        ep.observed.clear();
        ep.quarantine.clear();
        ep.lockstep = false;
        Ok(released)
    }

    fn release_on(
        &mut self,
        now: Instant,
        i: usize,
        call: Option<&str>,
        reason: u16,
    ) -> Vec<Released> {
        let mut released = Vec::new();
        let mut k = 0;
        while k < self.table.endpoints[i].connections.len() {
            let c = &self.table.endpoints[i].connections[k];
            if call.is_some_and(|call| !c.call_id.eq_ignore_ascii_case(call)) {
                k += 1;
                continue;
            }
            let (id, call_id) = (c.id.clone(), c.call_id.clone());
            let stats = self.remove_connection(i, k);
            let text = format!(
                "DLCX 1 {} MGCP 1.0\r\nC: {call_id}\r\nI: {id}\r\nE: {}\r\nP: {}\r\n",
                self.full_name(i),
                reason_value(reason),
                stats_value(&stats)
            );
            let destination = self.destination(i);
            self.send(now, &destination, &text);
            released.push(Released {
                endpoint: self.table.endpoints[i].name.to_string(),
                connection: id,
                call: call_id,
            });
        }
        released
    }
}

/// `904 Manual intervention`, or the bare code when RFC 3435 does not
/// define it.
fn reason_value(code: u16) -> String {
    match ReasonCode::DEFINED.iter().find(|(c, _)| *c == code) {
        Some((_, phrase)) => format!("{code:03} {phrase}"),
        None => format!("{code:03}"),
    }
}
