//! Owned responses built by command handlers, encoded straight to the
//! wire form when sent.

use mgcp_proto::params::ParamName;
use mgcp_proto::{ReturnCode, TransactionId};

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

    /// The wire form: `code tid commentary`, `CODE: value` lines, then
    /// each session description after an empty line (CRLF throughout, the
    /// codec's canonical form). In debug builds it is parsed back to catch
    /// a handler that would put bad text on the wire.
    pub(crate) fn encode(&self, tid: TransactionId) -> Vec<u8> {
        use std::io::Write as _;
        let mut out = Vec::with_capacity(128 + self.sdp.iter().map(String::len).sum::<usize>());
        let commentary = self.commentary.as_deref().unwrap_or(self.code.short_text());
        let _ = write!(out, "{} {} {}\r\n", self.code, tid, commentary);
        for (name, value) in &self.params {
            out.extend_from_slice(name.code().as_bytes());
            out.push(b':');
            if !value.is_empty() {
                out.push(b' ');
                out.extend_from_slice(value.as_bytes());
            }
            out.extend_from_slice(b"\r\n");
        }
        for sdp in &self.sdp {
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(sdp.as_bytes());
            if !sdp.ends_with('\n') {
                out.extend_from_slice(b"\r\n");
            }
        }
        #[cfg(debug_assertions)]
        if let Err(e) = mgcp_proto::parse_with(&out, &mgcp_proto::ParseOptions::lenient()) {
            panic!(
                "gateway built a bad response: {e}\n{}",
                String::from_utf8_lossy(&out)
            );
        }
        out
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
        let bytes = r.encode(TransactionId::new(7).unwrap());
        let text = String::from_utf8(bytes).unwrap();
        let parsed = mgcp_proto::parse(text.as_bytes()).unwrap();
        assert_eq!(parsed.params().connection_id(), Some("1A2B"));
        assert_eq!(parsed.sdp().len(), 1);
        assert!(text.starts_with("200 7 OK\r\nI: 1A2B\r\n\r\nv=0"), "{text}");
    }
}
