//! RestartMethod (`RM:`, RFC 3435 §3.2.2.20, §2.3.12).

use core::fmt;

/// A restart method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RestartMethod<'a> {
    /// `graceful`: connections are kept until the delay expires.
    Graceful,
    /// `forced`: connections are lost now.
    Forced,
    /// `restart`: service returns after the restart delay.
    Restart,
    /// `disconnected`: the endpoint lost contact with its call agent.
    Disconnected,
    /// `cancel-graceful`: a graceful shutdown is cancelled.
    CancelGraceful,
    /// An extension method such as `X-KeepAlive` (Cisco keep-alives), as
    /// written.
    Extension(&'a str),
}

impl<'a> RestartMethod<'a> {
    /// Recognises a method; unknown tokens become extensions.
    pub fn parse(raw: &'a str) -> Option<RestartMethod<'a>> {
        let m = crate::text::trim_wsp(raw);
        let eq = |s: &str| m.eq_ignore_ascii_case(s);
        Some(match () {
            _ if eq("graceful") => RestartMethod::Graceful,
            _ if eq("forced") => RestartMethod::Forced,
            _ if eq("restart") => RestartMethod::Restart,
            _ if eq("disconnected") => RestartMethod::Disconnected,
            _ if eq("cancel-graceful") => RestartMethod::CancelGraceful,
            _ if crate::event::is_token(m) || is_package_method(m) => RestartMethod::Extension(m),
            _ => return None,
        })
    }

    /// The wire form.
    pub fn as_str(&self) -> &'a str {
        match self {
            RestartMethod::Graceful => "graceful",
            RestartMethod::Forced => "forced",
            RestartMethod::Restart => "restart",
            RestartMethod::Disconnected => "disconnected",
            RestartMethod::CancelGraceful => "cancel-graceful",
            RestartMethod::Extension(e) => e,
        }
    }
}

fn is_package_method(m: &str) -> bool {
    m.split_once('/')
        .is_some_and(|(p, n)| crate::event::is_token(p) && crate::event::is_token(n))
}

impl fmt::Display for RestartMethod<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods() {
        assert_eq!(
            RestartMethod::parse("RESTART"),
            Some(RestartMethod::Restart)
        );
        assert_eq!(
            RestartMethod::parse("cancel-graceful"),
            Some(RestartMethod::CancelGraceful)
        );
        assert_eq!(
            RestartMethod::parse("X-KeepAlive"),
            Some(RestartMethod::Extension("X-KeepAlive"))
        );
        assert_eq!(RestartMethod::parse("a b"), None);
    }
}
