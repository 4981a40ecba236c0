//! Placeholder until the digit map module lands.
#![allow(missing_docs)]
use core::fmt;
#[derive(Debug, Clone, Default)]
pub struct DigitMapOptions {
    pub extension_letters: bool,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigitMapErrorKind {
    Bad,
}
impl DigitMapErrorKind {
    pub fn as_str(&self) -> &'static str {
        "bad digit map"
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigitMapError {
    pub offset: usize,
    pub reason: DigitMapErrorKind,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DigitMapText<'a>(&'a str);
impl<'a> DigitMapText<'a> {
    pub fn parse(t: &'a str, _o: &DigitMapOptions) -> Result<Self, DigitMapError> {
        let t = t.trim();
        if t.is_empty() || t.ends_with('|') || t.matches('(').count() != t.matches(')').count() {
            return Err(DigitMapError {
                offset: 0,
                reason: DigitMapErrorKind::Bad,
            });
        }
        Ok(Self(t))
    }
    pub fn as_str(&self) -> &'a str {
        self.0
    }
}
impl fmt::Display for DigitMapText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
