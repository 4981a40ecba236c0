//! Owned responses built by command handlers, turned into typed
//! [`Response`]s when sent.

use mgcp_proto::params::{Param, ParamName};
use mgcp_proto::sdp::{SdpOptions, SessionDescription};
use mgcp_proto::{ParseOptions, Response, ReturnCode, TransactionId};

/// A response under construction: code, parameter lines and session
/// descriptions, all owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    /// Return code.
    pub(crate) code: ReturnCode,
    /// Commentary, if not the default `OK`/`FAIL`.
    pub(crate) commentary: Option<String>,
    /// Parameter lines: code and value.
    pub(crate) params: Vec<(ParamName<'static>, String)>,
    /// Session descriptions.
    pub(crate) sdp: Vec<String>,
}

impl Reply {
    /// A reply with just a code.
    pub(crate) fn code(code: ReturnCode) -> Reply {
        Reply {
            code,
            commentary: None,
            params: Vec::new(),
            sdp: Vec::new(),
        }
    }

    /// An error reply with a commentary saying why.
    pub(crate) fn error(code: ReturnCode, why: impl Into<String>) -> Reply {
        Reply {
            commentary: Some(why.into()),
            ..Reply::code(code)
        }
    }

    /// Adds a parameter line.
    pub(crate) fn with(mut self, name: ParamName<'static>, value: impl Into<String>) -> Reply {
        self.params.push((name, value.into()));
        self
    }

    /// Adds a session description.
    pub(crate) fn with_sdp(mut self, sdp: String) -> Reply {
        self.sdp.push(sdp);
        self
    }

    /// The typed response. Values are parsed back with the codec, so a
    /// handler bug that would put bad text on the wire is caught here (the
    /// response then degrades to a bare code rather than going out broken).
    pub(crate) fn to_response(&self, tid: TransactionId) -> Response<'_> {
        let opts = ParseOptions::lenient();
        let mut r = Response::new(self.code, tid);
        if let Some(c) = &self.commentary {
            r.commentary = Some(c);
        }
        for (name, value) in &self.params {
            match Param::parse(*name, value, &opts) {
                Ok(p) => r.params.push(p),
                Err(e) => debug_assert!(false, "bad {name} value {value:?}: {}", e.reason),
            }
        }
        for text in &self.sdp {
            match SessionDescription::parse(text, &SdpOptions::lenient()) {
                Ok(d) => r.sdp.push(d),
                Err(e) => debug_assert!(false, "bad local SDP: {e}\n{text}"),
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_typed_responses() {
        let r = Reply::code(ReturnCode::OK)
            .with(ParamName::ConnectionId, "1A2B")
            .with_sdp("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n".into());
        let resp = r.to_response(TransactionId::new(7).unwrap());
        assert_eq!(resp.params.connection_id(), Some("1A2B"));
        assert_eq!(resp.sdp.len(), 1);
        let text = mgcp_proto::Message::Response(resp).to_string();
        assert!(text.starts_with("200 7 OK\r\nI: 1A2B\r\n\r\nv=0"), "{text}");
    }
}
