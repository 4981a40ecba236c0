//! QuarantineHandling (`Q:`, RFC 3435 §3.2.2.14, §4.4.1).

use core::fmt;

use crate::text;

/// What to do with quarantined events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProcessControl {
    /// `process` (the default): process them against the new request.
    Process,
    /// `discard`: drop them.
    Discard,
}

/// How many notifications may be sent before the next request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoopControl {
    /// `step` (the default): one notification, then wait for a request
    /// (lockstep).
    Step,
    /// `loop`: several notifications are allowed.
    Loop,
}

/// A QuarantineHandling value: each part at most once, in either order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct QuarantineHandling {
    /// `process` or `discard`, if given.
    pub process: Option<ProcessControl>,
    /// `step` or `loop`, if given.
    pub looping: Option<LoopControl>,
}

impl QuarantineHandling {
    /// Parses `process|discard` and/or `step|loop`.
    pub fn parse(raw: &str) -> Option<QuarantineHandling> {
        let mut q = QuarantineHandling::default();
        for item in raw.split(',').map(text::trim_wsp) {
            let eq = |s: &str| item.eq_ignore_ascii_case(s);
            match () {
                _ if (eq("process") || eq("discard")) && q.process.is_none() => {
                    q.process = Some(if eq("process") {
                        ProcessControl::Process
                    } else {
                        ProcessControl::Discard
                    });
                }
                _ if (eq("step") || eq("loop")) && q.looping.is_none() => {
                    q.looping = Some(if eq("step") {
                        LoopControl::Step
                    } else {
                        LoopControl::Loop
                    });
                }
                _ => return None,
            }
        }
        Some(q)
    }

    /// The process control in effect (default `process`).
    pub fn process_or_default(&self) -> ProcessControl {
        self.process.unwrap_or(ProcessControl::Process)
    }

    /// The loop control in effect (default `step`).
    pub fn looping_or_default(&self) -> LoopControl {
        self.looping.unwrap_or(LoopControl::Step)
    }
}

impl fmt::Display for QuarantineHandling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.process.map(|p| match p {
            ProcessControl::Process => "process",
            ProcessControl::Discard => "discard",
        });
        let l = self.looping.map(|l| match l {
            LoopControl::Step => "step",
            LoopControl::Loop => "loop",
        });
        match (p, l) {
            (Some(p), Some(l)) => write!(f, "{p}, {l}"),
            (Some(x), None) | (None, Some(x)) => f.write_str(x),
            (None, None) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let q = QuarantineHandling::parse("loop, discard").unwrap();
        assert_eq!(q.process, Some(ProcessControl::Discard));
        assert_eq!(q.looping, Some(LoopControl::Loop));
        assert_eq!(q.to_string(), "discard, loop");
        let q = QuarantineHandling::parse("process").unwrap();
        assert_eq!(q.looping_or_default(), LoopControl::Step);
        assert!(QuarantineHandling::parse("process,discard").is_none());
        assert!(QuarantineHandling::parse("bogus").is_none());
        assert!(QuarantineHandling::parse("").is_none());
    }
}
