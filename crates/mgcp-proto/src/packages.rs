//! Placeholder package table until the RFC 3660 module lands.
#![allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalType {
    OnOff,
    TimeOut { default_ms: u32 },
    Brief,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tone {
    pub frequencies_hz: &'static [u16],
    pub cadence_ms: &'static [(u16, u16)],
    pub repeat: bool,
    pub level_dbm0: i8,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventDef {
    pub name: &'static str,
    pub description: &'static str,
    pub detectable: bool,
    pub signal: Option<SignalType>,
    pub tone: Option<Tone>,
    pub persistent: bool,
    pub parameters: &'static str,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Package {
    pub name: &'static str,
    pub version: u32,
    pub description: &'static str,
    pub items: &'static [EventDef],
}
const fn ev(name: &'static str) -> EventDef {
    EventDef {
        name,
        description: "",
        detectable: true,
        signal: None,
        tone: None,
        persistent: false,
        parameters: "",
    }
}
const fn pe(name: &'static str) -> EventDef {
    EventDef {
        persistent: true,
        ..ev(name)
    }
}
const fn to(name: &'static str, ms: u32) -> EventDef {
    EventDef {
        detectable: false,
        signal: Some(SignalType::TimeOut { default_ms: ms }),
        ..ev(name)
    }
}
const fn oo(name: &'static str) -> EventDef {
    EventDef {
        detectable: false,
        signal: Some(SignalType::OnOff),
        ..ev(name)
    }
}
const fn br(name: &'static str) -> EventDef {
    EventDef {
        detectable: true,
        signal: Some(SignalType::Brief),
        ..ev(name)
    }
}
pub const PACKAGES: &[Package] = &[
    Package {
        name: "L",
        version: 1,
        description: "Line",
        items: &[
            pe("hd"),
            pe("hu"),
            pe("hf"),
            to("dl", 16000),
            to("rg", 180000),
            to("rt", 180000),
            to("bz", 30000),
            to("ro", 30000),
            to("cf", 2000),
            to("wt", 12000),
            oo("vmwi"),
            br("ci"),
            ev("oc"),
            ev("of"),
            ev("ld"),
            ev("mwi"),
        ],
    },
    Package {
        name: "G",
        version: 1,
        description: "Generic",
        items: &[
            to("rt", 180000),
            to("cf", 2000),
            ev("oc"),
            ev("of"),
            ev("mt"),
            ev("ft"),
            ev("ld"),
            to("cg", 30000),
            to("it", 30000),
            to("pt", 30000),
        ],
    },
    Package {
        name: "D",
        version: 1,
        description: "DTMF",
        items: &[
            br("0"),
            br("1"),
            br("2"),
            br("3"),
            br("4"),
            br("5"),
            br("6"),
            br("7"),
            br("8"),
            br("9"),
            br("*"),
            br("#"),
            br("A"),
            br("B"),
            br("C"),
            br("D"),
            ev("T"),
            ev("L"),
            ev("oc"),
            ev("of"),
        ],
    },
    Package {
        name: "R",
        version: 1,
        description: "RTP",
        items: &[
            ev("rto"),
            ev("ma"),
            ev("pl"),
            ev("ji"),
            ev("uc"),
            ev("sr"),
            ev("oc"),
            ev("of"),
        ],
    },
    Package {
        name: "T",
        version: 1,
        description: "Trunk",
        items: &[
            ev("sup"),
            ev("rel"),
            to("co1", 3000),
            to("co2", 3000),
            to("lb", 3000),
            ev("oc"),
            ev("of"),
            to("ro", 30000),
            to("bz", 30000),
        ],
    },
    Package {
        name: "M",
        version: 1,
        description: "MF",
        items: &[
            br("0"),
            br("1"),
            br("2"),
            br("3"),
            br("4"),
            br("5"),
            br("6"),
            br("7"),
            br("8"),
            br("9"),
            ev("T"),
            ev("oc"),
            ev("of"),
        ],
    },
    Package {
        name: "A",
        version: 1,
        description: "Announcement",
        items: &[to("ann", 3600000), ev("oc"), ev("of")],
    },
];
pub fn package(name: &str) -> Option<&'static Package> {
    PACKAGES.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}
impl Package {
    pub fn item(&self, name: &str) -> Option<&'static EventDef> {
        self.items
            .iter()
            .find(|i| i.name.eq_ignore_ascii_case(name))
    }
}
