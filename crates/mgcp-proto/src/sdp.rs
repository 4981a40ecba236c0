//! Placeholder until the SDP module lands.
#![allow(missing_docs)]
#[derive(Debug, Clone, Copy)]
pub struct SdpOptions;
impl SdpOptions {
    pub fn strict() -> Self {
        SdpOptions
    }
    pub fn lenient() -> Self {
        SdpOptions
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdpError {
    pub line: usize,
    pub column: usize,
}
impl SdpError {
    pub fn return_code(&self) -> u16 {
        509
    }
}
impl core::fmt::Display for SdpError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "bad sdp line {}", self.line)
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionDescription<'a>(&'a str);
impl<'a> SessionDescription<'a> {
    pub fn parse(t: &'a str, _o: &SdpOptions) -> Result<Self, SdpError> {
        if t.lines().all(|l| l.len() >= 2 && l.as_bytes()[1] == b'=') {
            Ok(Self(t))
        } else {
            Err(SdpError { line: 1, column: 1 })
        }
    }
    pub fn as_str(&self) -> &'a str {
        self.0
    }
    pub fn lines(&self) -> impl Iterator<Item = (char, &'a str)> + 'a {
        self.0.lines().map(|l| (l.as_bytes()[0] as char, &l[2..]))
    }
}
pub fn split_descriptions(body: &str) -> impl Iterator<Item = &str> {
    body.split("\n\n")
        .map(|s| s.trim_end_matches(['\r', '\n']))
        .filter(|s| !s.is_empty())
}
