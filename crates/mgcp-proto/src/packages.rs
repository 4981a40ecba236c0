//! MGCP event packages (RFC 3660, plus RFC 2705's M and N and RFC 3435's base
//! package B): which events a media gateway can detect, which signals it can
//! apply, of what type and with what default time-out, and what each tone
//! sounds like.
//!
//! ```
//! use mgcp_proto::packages::{lookup, package, SignalType, Timeout};
//!
//! let dl = lookup("l", "DL").expect("L/dl");
//! assert_eq!(dl.signal, Some(SignalType::TimeOut { default: Timeout::Millis(16_000) }));
//! let tone = dl.tone.expect("dial tone");
//! assert!(tone.is_continuous());
//! assert_eq!(tone.steps[0].frequencies_hz, [350, 440]);
//!
//! let digit = package("D").and_then(|d| d.item("5")).expect("D/5");
//! assert!(digit.detectable && digit.signal == Some(SignalType::Brief));
//! ```
//!
//! # What is here
//!
//! [`PACKAGES`] holds every package of RFC 3660 ("Basic Media Gateway Control
//! Protocol (MGCP) Packages", December 2003), in the order of its §1.1:
//! Generic Media `G`, DTMF `D`, Trunk `T`, Line `L`, Handset `H`,
//! Supplementary Services Tone `SST`, Digit Map Extension `DM1`, Signal List
//! `SL`, Media Format `FM`, RTP `R`, Resource Reservation `RES`, Announcement
//! Server `A` and `Script`. RFC 3660 §1.3 left two RFC 2705 packages out
//! without withdrawing them ("still valid as are all unversioned (version 0)
//! packages"), so they follow, as RFC 2705 §6.1.3 and §6.1.8 define them: MF
//! `M` and Network Access Server `N`. Last comes the base package `B` of
//! RFC 3435 Appendix B (`enf`, `oef`, `qbo`; its `PR` and `NS` extension
//! parameters and its `MESG` verb are noted in [`Package::extensions`]).
//!
//! The operation complete (`oc`) and operation failure (`of`) events are not
//! global: RFC 3435 §6.6.1 and RFC 3660 §1.2.2 put them in every package that
//! has a time-out signal, and the tables here list them in each such package
//! (so `G/oc`, `L/oc`, `A/of` …), exactly as RFC 3660 prints them.
//!
//! # Design
//!
//! A flat, `'static`, zero-allocation table: a slice of [`Package`]s, each
//! with a slice of [`EventDef`]s, one per symbol of the RFC's table. The
//! RFC's columns map onto fields:
//!
//! | RFC column                 | field                                                   |
//! |----------------------------|---------------------------------------------------------|
//! | Symbol                     | [`EventDef::name`] (parameters in [`EventDef::parameters`]) |
//! | Definition                 | [`EventDef::description`]                               |
//! | R: `x`, `S`, `C`, `P`      | [`EventDef::detectable`], [`EventDef::event_state`], [`EventDef::on_connection`], [`EventDef::persistent`] |
//! | S: `OO`, `TO`, `BR`, `C`   | [`EventDef::signal`] ([`SignalType`]), [`EventDef::on_connection`] |
//! | Duration                   | [`Timeout`] inside [`SignalType::TimeOut`]              |
//!
//! Lookups ([`package`], [`Package::item`], [`lookup`]) are linear scans that
//! compare ASCII case-insensitively, as MGCP names are; the largest package
//! has 41 symbols, so a scan is cheaper than any index. Names are stored as
//! the RFC prints them, without their parameter lists (`sit`, not `sit(#)`).
//! Each of the distinctive ringing signals `r0` … `r7` and alternative call
//! waiting tones `wt1` … `wt4` is its own entry.
//!
//! A [`Tone`] is a list of [`ToneStep`]s (frequencies, on time, off time,
//! repeat count) plus the index from which the list loops. This one shape
//! covers a steady tone (dial tone), a cadence (busy), a cadence that turns
//! steady (message-waiting dial tone), a sequence of different frequencies
//! (special information tones, intercept) and power ringing on an analogue
//! line ([`ToneKind::Ringing`]). A signal's [`Timeout`] bounds how long a
//! looping tone plays: `L/wt` loops a 300 ms burst every 10.3 s and its 12 s
//! time-out lets two bursts through, which is RFC 3660's intent.
//!
//! # Sources
//!
//! - Symbols, definitions, R/S columns, default time-outs, parameters and
//!   package versions: RFC 3660 §2.1-2.13 (tables and text), RFC 2705 §6.1.3
//!   (M) and §6.1.8 (N), RFC 3435 §6.6 and Appendix B (B, `oc`/`of`). All
//!   were read in full (the tex2e rfc-translater copies of the RFC text).
//! - Tones: the North American values RFC 3660 itself quotes from Telcordia
//!   GR-506-CORE §17.2 (dial, ringback, busy, reorder, confirmation, message
//!   waiting, off-hook warning), GR-220 (prompt), GR-586 (ringsplash),
//!   SR-2275 (recorder warning, calling card, SIT codes), GR-317 (continuity
//!   tones), ANSI T1.207 / SR-2275 §8.2.5 (milliwatt and test-line tones).
//!   The special information tone segments (913.8 / 985.2 Hz, 1370.6 /
//!   1428.5 Hz, 1776.7 Hz, 274 / 380 ms) come from published SIT code tables
//!   (SR-2275 §6.21 order: RO', RO'', NC', NC'', IC, VC, IO). Ringing
//!   cadences: GR-506 §14 patterns 1-4 as reproduced by gateway vendors'
//!   manuals (2 s/4 s; 0.8/0.4/0.8/4; 0.4/0.2/0.4/0.2/0.8/4;
//!   0.3/0.2/1/0.2/0.3/4), pattern 5 from the PacketCable signalling MIB
//!   default (one 0.5 s burst). DTMF frequencies: ITU-T Q.23; MF (R1)
//!   frequencies: ITU-T Q.320 / Bell R1. Off-hook warning at 0 dBm0 per
//!   frequency: GR-506 §17.2.8 as commonly quoted.
//!
//! # Choices made here (not found in the sources at hand)
//!
//! - Levels: RFC 3660 quotes GR-506 per-component levels in dBm (dial -13,
//!   ringback -19, busy and reorder -24); they are stored as dBm0 per
//!   component. Where no source gave a level, -13 dBm0 per component (the
//!   dial-tone level) is used: prompt, alerting, recorder warning, call
//!   waiting, special information, intercept, preemption, calling-card,
//!   fax/modem reference tones. DTMF is -10 dBm0 per component (no twist);
//!   R1 MF -7 dBm0; continuity tones -12 dBm0.
//! - DTMF signal timing: 100 ms on, 100 ms off (RFC 3660 §2.2 requires at
//!   least 50 ms on and 45 ms off). MF: KP 100 ms, other digits 68 ms, each
//!   followed by 68 ms of silence (R1 nominal values).
//! - Intercept (`G/it`): alternating 440 Hz / 620 Hz, 250 ms each (the North
//!   American intercept tone); preemption (`G/pt`): steady 440 + 620 Hz.
//!   Both are "country specific" in RFC 3660 and unverified here.
//! - Alerting tone (`L/v`): 2 s of 440 Hz, then 0.5 s every 10 s, the first
//!   burst starting 10 s after the start of the tone.
//! - Distinctive call-waiting tones `wt2` … `wt4` (GR-506 §14.2, not quoted by
//!   RFC 3660): two, three and short-long-short 440 Hz bursts of 100 ms
//!   (300 ms for the long one) with 100 ms gaps, repeated after 10 s, as
//!   common ATA defaults have them; unverified against GR-506.
//! - Calling card service tone (`L/z`): the 200 ms exponential decay of the
//!   dial-tone part is not modelled.
//! - `M/K1` and `M/K2` carry no tone: R1 has no KP variants with settled
//!   frequencies (CCITT No. 5's KP2 collides with R1's ST'').
//! - `persistent` is `false` everywhere, because no RFC 3660 table marks an
//!   event `P`. PacketCable NCS and Cisco gateways (per-gateway
//!   configuration; Cisco VISM's persistent-events table) make `L/hd`, `L/hu`
//!   and `L/hf` persistent; RFC 3435 Appendix B's `B/PR` (PersistentEvents)
//!   is the standard way to ask for that. A gateway merges its own
//!   configuration with this table.
//!
//! # Deliberately absent
//!
//! - The version 0 (RFC 2705) variants of G, D, T, L, H, R, A and Script:
//!   the version 1 definitions supersede them (differences: RFC 2705 had
//!   `L/wt` as TO 30 s, `T/co1` and `T/co2` as OO, no `D/dd`, `L/osi` …).
//! - Packages defined elsewhere: the CAS packages MS, MO, MD, DT, BL
//!   (RFC 3064), the later NAS package, advanced audio AU (RFC 2897), fax
//!   FXR (RFC 5347), redirect and reset (RFC 3991), PacketCable NCS's own
//!   packages and vendor `X-` packages.
//! - Local connection options and digit-map letters are only named (in
//!   [`Package::extensions`]), not modelled: FM's `fmtp`/`o-fmtp`, RES's
//!   `r`/`r-dir`/`r-cnf`/`r-sh`, DM1's letter `P`.
//! - Tone plans other than North America's; the content of caller-id, ADSI
//!   and VMWI data transmissions; the digital test pattern of `T/tp`.
//!
//! Cisco gateways controlled by a Call Agent use the basic packages G, T, L,
//! H, R, D and M (Cisco VISM's package capability table names exactly
//! these), all of which are here; what differs per gateway is which events
//! are persistent, which is configuration, not package data.

/// How long a time-out (TO) signal plays when the Call Agent gives no `to`
/// parameter (RFC 3660 §2, "Duration" column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timeout {
    /// A fixed default, in milliseconds; always positive.
    Millis(u32),
    /// "infinite": the signal plays until stopped (RFC 3660 §2: also the
    /// default when the Duration column is empty). A `to=0` signal
    /// parameter asks for the same (RFC 3435 §2.1.7).
    Infinite,
    /// "variable": the signal ends by itself (announcements, scripts, signal
    /// lists); RFC 3660 §2 does not let the `to` parameter override it.
    Variable,
}

impl Timeout {
    /// The default in milliseconds, if it is a fixed one.
    pub const fn millis(self) -> Option<u32> {
        match self {
            Timeout::Millis(ms) => Some(ms),
            Timeout::Infinite | Timeout::Variable => None,
        }
    }
}

/// How a signal behaves (RFC 3435 §2.3.3; the "S" column of RFC 3660).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignalType {
    /// On/Off (`OO`): stays on until turned off with `(-)`; not stopped by
    /// events.
    OnOff,
    /// Time-Out (`TO`): plays until an event stops it, a new request
    /// replaces it, or the time-out elapses (then `oc` is generated).
    TimeOut {
        /// The default time-out; a `to=<ms>` signal parameter overrides it
        /// unless it is [`Timeout::Variable`].
        default: Timeout,
    },
    /// Brief (`BR`): short, plays to completion.
    Brief,
}

impl SignalType {
    /// The default time-out of a TO signal.
    pub const fn default_timeout(self) -> Option<Timeout> {
        match self {
            SignalType::TimeOut { default } => Some(default),
            SignalType::OnOff | SignalType::Brief => None,
        }
    }

    /// The default time-out of a TO signal in milliseconds, when it is a
    /// fixed one (`None` for OO and BR signals and for infinite or variable
    /// time-outs).
    pub const fn default_timeout_ms(self) -> Option<u32> {
        match self {
            SignalType::TimeOut { default } => default.millis(),
            SignalType::OnOff | SignalType::Brief => None,
        }
    }
}

/// What a tone drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToneKind {
    /// An in-band audio tone, generated into the media stream or the line.
    Audio,
    /// Power ringing on an analogue line (the steps' frequency is the
    /// ringing frequency, 20 Hz in North America; the level does not apply).
    Ringing,
}

/// One element of a tone: `count` times `on_ms` of the summed frequencies
/// followed by `off_ms` of silence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ToneStep {
    /// Frequencies played together during the on time, in Hz (rounded to
    /// the nearest Hz: 1013.8 Hz is 1014, 1776.7 Hz is 1777). Empty means
    /// silence.
    pub frequencies_hz: &'static [u16],
    /// On time, in milliseconds.
    pub on_ms: u16,
    /// Silence after the on time, in milliseconds (0: none).
    pub off_ms: u16,
    /// How many times this on/off pair is played in a row (at least 1).
    pub count: u8,
}

impl ToneStep {
    /// Total duration of this step, repetitions included, in milliseconds.
    pub const fn duration_ms(&self) -> u32 {
        (self.on_ms as u32 + self.off_ms as u32) * self.count as u32
    }
}

/// What a tone sounds like (North American definitions unless noted).
///
/// The steps play in order; then, if [`Tone::repeat_from`] is set, play
/// resumes at that step forever (the signal's time-out or an event stops
/// it). A steady tone is one step with no off time that repeats from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tone {
    /// Audio tone or power ringing.
    pub kind: ToneKind,
    /// The steps, played in order.
    pub steps: &'static [ToneStep],
    /// Index of the step at which play loops after the last step; `None`
    /// plays the steps once.
    pub repeat_from: Option<u8>,
    /// Level of each frequency component, in dBm0 (unused for
    /// [`ToneKind::Ringing`]). See the module documentation for which
    /// levels come from a source and which were chosen.
    pub level_dbm0: i8,
}

impl Tone {
    /// Whether the tone loops until stopped.
    pub const fn repeats(&self) -> bool {
        self.repeat_from.is_some()
    }

    /// Whether the tone is steady: one step, no silence, looping.
    pub const fn is_continuous(&self) -> bool {
        self.steps.len() == 1 && self.steps[0].off_ms == 0 && self.repeats()
    }

    /// Duration of one pass through all the steps, in milliseconds.
    pub const fn first_pass_ms(&self) -> u32 {
        let mut total = 0;
        let mut i = 0;
        while i < self.steps.len() {
            total += self.steps[i].duration_ms();
            i += 1;
        }
        total
    }

    /// Duration of the looping part, in milliseconds (`None` if the tone
    /// plays once).
    pub const fn cycle_ms(&self) -> Option<u32> {
        let Some(from) = self.repeat_from else {
            return None;
        };
        let mut total = 0;
        let mut i = from as usize;
        while i < self.steps.len() {
            total += self.steps[i].duration_ms();
            i += 1;
        }
        Some(total)
    }
}

/// One symbol of a package: an event, a signal, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct EventDef {
    /// The symbol as the RFC prints it, without parameters (`hd`, `sit`,
    /// `0`, `#`, `T`).
    pub name: &'static str,
    /// The RFC's definition, with the essentials of its description.
    pub description: &'static str,
    /// The Call Agent can request it as an event ("R" column `x`, `S`, `C`
    /// or `P`).
    pub detectable: bool,
    /// The Call Agent can request it as a signal, of this type ("S"
    /// column).
    pub signal: Option<SignalType>,
    /// What the tone sounds like, when the signal (or the detected event)
    /// is a tone with a defined sound.
    pub tone: Option<Tone>,
    /// Reported even when not requested ("R" column `P`). No RFC 3660,
    /// RFC 2705 or RFC 3435 package marks one; see the module documentation.
    pub persistent: bool,
    /// The event is an event state that can be audited ("R" column `S`,
    /// e.g. `L/hd`).
    pub event_state: bool,
    /// The event is detected, or the signal applied, on a connection (`C`
    /// in the R or S column; used as `name@connection`).
    pub on_connection: bool,
    /// Another symbol of the same package that this one is an alias of
    /// (`L/nbz` is `L/ro`, `G/rbk(id)` is `G/rt@id`, `T/zz` is `T/sit(2)`).
    pub alias_of: Option<&'static str>,
    /// Short description of its parameters beyond the generic `to=<ms>`
    /// of TO signals and `+`/`-` of OO signals (empty: none).
    pub parameters: &'static str,
}

impl EventDef {
    /// Whether it can be requested as a signal.
    pub const fn is_signal(&self) -> bool {
        self.signal.is_some()
    }

    const fn ev(name: &'static str, description: &'static str) -> Self {
        EventDef {
            name,
            description,
            detectable: true,
            signal: None,
            tone: None,
            persistent: false,
            event_state: false,
            on_connection: false,
            alias_of: None,
            parameters: "",
        }
    }

    const fn sig(name: &'static str, description: &'static str, signal: SignalType) -> Self {
        let mut def = Self::ev(name, description);
        def.detectable = false;
        def.signal = Some(signal);
        def
    }

    const fn both(name: &'static str, description: &'static str, signal: SignalType) -> Self {
        let mut def = Self::ev(name, description);
        def.signal = Some(signal);
        def
    }

    const fn sounds(mut self, tone: Tone) -> Self {
        self.tone = Some(tone);
        self
    }

    const fn params(mut self, parameters: &'static str) -> Self {
        self.parameters = parameters;
        self
    }

    const fn state(mut self) -> Self {
        self.event_state = true;
        self
    }

    const fn conn(mut self) -> Self {
        self.on_connection = true;
        self
    }

    const fn alias(mut self, of: &'static str) -> Self {
        self.alias_of = Some(of);
        self
    }
}

/// An MGCP package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Package {
    /// The package name as the RFC prints it (`G`, `SST`, `DM1`, `Script`).
    pub name: &'static str,
    /// The package version (RFC 2705 packages are version 0).
    pub version: u32,
    /// The package title.
    pub description: &'static str,
    /// Where it is defined.
    pub reference: &'static str,
    /// What the package defines besides events and signals (local
    /// connection options, digit-map letters, extension parameters, verbs,
    /// return codes); empty if nothing.
    pub extensions: &'static str,
    /// Its events and signals, in the order of the RFC's table.
    pub items: &'static [EventDef],
}

impl Package {
    /// The event or signal called `name` (ASCII case-insensitive, without
    /// parameters): `hd`, `HD`, `0`, `#`, `a`, `t`.
    pub fn item(&self, name: &str) -> Option<&'static EventDef> {
        let items: &'static [EventDef] = self.items;
        items.iter().find(|def| def.name.eq_ignore_ascii_case(name))
    }

    /// Whether the package has at least one time-out signal (and therefore
    /// the `oc` and `of` events, RFC 3435 §6.6.1).
    pub fn has_time_out_signals(&self) -> bool {
        self.items
            .iter()
            .any(|def| matches!(def.signal, Some(SignalType::TimeOut { .. })))
    }
}

/// The package called `name` (ASCII case-insensitive: `l`, `L`, `script`,
/// `SCRIPT`, `dm1`).
pub fn package(name: &str) -> Option<&'static Package> {
    let packages: &'static [Package] = PACKAGES;
    packages.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// The event or signal `item` of package `package` (both case-insensitive).
pub fn lookup(package_name: &str, item: &str) -> Option<&'static EventDef> {
    package(package_name)?.item(item)
}

/// The special information tone `sit(n)` for `n` in 1..=7 (`L/sit`,
/// `T/sit`; SR-2275 §6.21.2 order, see [`SIT_TONES`]).
pub fn sit_tone(n: u8) -> Option<&'static Tone> {
    let tones: &'static [Tone] = SIT_TONES;
    tones.get(usize::from(n).checked_sub(1)?)
}

// ---------------------------------------------------------------------------
// Signal types.

const BR: SignalType = SignalType::Brief;
const OO: SignalType = SignalType::OnOff;
const TO_INFINITE: SignalType = SignalType::TimeOut {
    default: Timeout::Infinite,
};
const TO_VARIABLE: SignalType = SignalType::TimeOut {
    default: Timeout::Variable,
};

const fn to(ms: u32) -> SignalType {
    SignalType::TimeOut {
        default: Timeout::Millis(ms),
    }
}

// ---------------------------------------------------------------------------
// Tones.

/// A `ToneStep` literal: `step!(frequencies; on, off)` or
/// `step!(frequencies; on, off; count)`.
macro_rules! step {
    ($f:expr; $on:expr, $off:expr) => {
        ToneStep {
            frequencies_hz: $f,
            on_ms: $on,
            off_ms: $off,
            count: 1,
        }
    };
    ($f:expr; $on:expr, $off:expr; $n:expr) => {
        ToneStep {
            frequencies_hz: $f,
            on_ms: $on,
            off_ms: $off,
            count: $n,
        }
    };
}

/// An audio `Tone` literal: `audio!(level, repeat_from; steps…)`.
macro_rules! audio {
    ($level:expr, $repeat:expr; $($step:expr),+ $(,)?) => {
        Tone {
            kind: ToneKind::Audio,
            steps: &[$($step),+],
            repeat_from: $repeat,
            level_dbm0: $level,
        }
    };
}

/// A power-ringing `Tone` literal at 20 Hz: `ringing!(repeat_from; (on, off)…)`.
macro_rules! ringing {
    ($repeat:expr; $(($on:expr, $off:expr)),+ $(,)?) => {
        Tone {
            kind: ToneKind::Ringing,
            steps: &[$(step!(F_RING; $on, $off)),+],
            repeat_from: $repeat,
            level_dbm0: 0,
        }
    };
}

/// A DTMF digit: low + high group frequency (ITU-T Q.23).
macro_rules! dtmf {
    ($low:expr, $high:expr) => {
        audio!(DTMF_LEVEL, None; step!(&[$low, $high]; 100, 100))
    };
}

/// An R1 MF digit: two frequencies, `on` ms of tone, 68 ms of silence.
macro_rules! mf {
    ($f1:expr, $f2:expr, $on:expr) => {
        audio!(MF_LEVEL, None; step!(&[$f1, $f2]; $on, 68))
    };
}

const F_DIAL: &[u16] = &[350, 440];
const F_RINGBACK: &[u16] = &[440, 480];
const F_BUSY: &[u16] = &[480, 620];
const F_ROH: &[u16] = &[1400, 2060, 2450, 2600];
const F_440: &[u16] = &[440];
const F_RING: &[u16] = &[20];
const F_SIT_LOW1: &[u16] = &[914];
const F_SIT_HIGH1: &[u16] = &[985];
const F_SIT_LOW2: &[u16] = &[1371];
const F_SIT_HIGH2: &[u16] = &[1429];
const F_SIT_3: &[u16] = &[1777];

/// Level chosen where no source gives one: the dial-tone component level.
const DEFAULT_LEVEL: i8 = -13;
const DTMF_LEVEL: i8 = -10;
const MF_LEVEL: i8 = -7;
const CONTINUITY_LEVEL: i8 = -12;

/// Dial tone: 350 + 440 Hz at -13 dBm each, steady (GR-506 §17.2.1).
const DIAL_TONE: Tone = audio!(-13, Some(0); step!(F_DIAL; 1000, 0));
/// Audible ringing (ringback): 440 + 480 Hz at -19 dBm each, 2 s on, 4 s
/// off (GR-506 §17.2.5).
const RINGBACK_TONE: Tone = audio!(-19, Some(0); step!(F_RINGBACK; 2000, 4000));
/// Station busy: 480 + 620 Hz at -24 dBm each, 0.5 s on, 0.5 s off
/// (GR-506 §17.2.6).
const BUSY_TONE: Tone = audio!(-24, Some(0); step!(F_BUSY; 500, 500));
/// Reorder (fast busy, congestion): 480 + 620 Hz at -24 dBm each, 0.25 s on,
/// 0.25 s off (GR-506 §17.2.7).
const REORDER_TONE: Tone = audio!(-24, Some(0); step!(F_BUSY; 250, 250));
/// Confirmation: dial-tone frequencies and levels, 3 × (0.1 s on, 0.1 s
/// off) (GR-506 §17.2.4).
const CONFIRMATION_TONE: Tone = audio!(-13, None; step!(F_DIAL; 100, 100; 3));
/// Message waiting indicator: 10 × (0.1 s on, 0.1 s off) of dial tone, then
/// steady dial tone (GR-506 §17.2.3).
const MESSAGE_WAITING_TONE: Tone =
    audio!(-13, Some(1); step!(F_DIAL; 100, 100; 10), step!(F_DIAL; 1000, 0));
/// Stutter (recall) dial tone: the confirmation tone, then steady dial tone
/// (RFC 3660 `L/sl`, whose `del` parameter delays the dial tone).
const STUTTER_DIAL_TONE: Tone =
    audio!(-13, Some(1); step!(F_DIAL; 100, 100; 3), step!(F_DIAL; 1000, 0));
/// Receiver off-hook (ROH) tone: 1400 + 2060 + 2450 + 2600 Hz, 0.1 s on,
/// 0.1 s off (GR-506 §17.2.8), 0 dBm0 per frequency.
const OFF_HOOK_WARNING_TONE: Tone = audio!(0, Some(0); step!(F_ROH; 100, 100));
/// Call waiting tone: 440 Hz for 300 ms, repeated 10 s later (GR-506 §14.2);
/// the 12 s time-out of `L/wt` lets exactly two bursts through.
const CALL_WAITING_TONE: Tone = audio!(DEFAULT_LEVEL, Some(0); step!(F_440; 300, 10000));
/// Distinctive call waiting tone 2: two 100 ms bursts (unverified).
const CALL_WAITING_TONE_2: Tone =
    audio!(DEFAULT_LEVEL, Some(0); step!(F_440; 100, 100), step!(F_440; 100, 9700));
/// Distinctive call waiting tone 3: three 100 ms bursts (unverified).
const CALL_WAITING_TONE_3: Tone =
    audio!(DEFAULT_LEVEL, Some(0); step!(F_440; 100, 100; 2), step!(F_440; 100, 9500));
/// Distinctive call waiting tone 4: short, long, short (unverified).
const CALL_WAITING_TONE_4: Tone = audio!(DEFAULT_LEVEL, Some(0);
    step!(F_440; 100, 100), step!(F_440; 300, 100), step!(F_440; 100, 9300));
/// Prompt tone: one 300 ms burst of 400 Hz (GR-220 R3-170).
const PROMPT_TONE: Tone = audio!(DEFAULT_LEVEL, None; step!(&[400]; 300, 0));
/// Alerting tone: 440 Hz for 2 s, then 0.5 s every 10 s (RFC 3660 `L/v`).
const ALERTING_TONE: Tone =
    audio!(DEFAULT_LEVEL, Some(1); step!(F_440; 2000, 8000), step!(F_440; 500, 9500));
/// Recorder warning tone: 1400 Hz for 0.5 s every 15 s (SR-2275 §6.20).
const RECORDER_WARNING_TONE: Tone = audio!(DEFAULT_LEVEL, Some(0); step!(&[1400]; 500, 14500));
/// Calling card service tone: 60 ms of 941 + 1477 Hz (DTMF #) then 940 ms of
/// dial tone (SR-2275 §6.20; the exponential decay is not modelled).
const CALLING_CARD_TONE: Tone =
    audio!(DEFAULT_LEVEL, None; step!(&[941, 1477]; 60, 0), step!(F_DIAL; 940, 0));
/// Intercept tone (choice): 440 Hz and 620 Hz alternating, 250 ms each.
const INTERCEPT_TONE: Tone =
    audio!(DEFAULT_LEVEL, Some(0); step!(F_440; 250, 0), step!(&[620]; 250, 0));
/// Preemption tone (choice): steady 440 + 620 Hz.
const PREEMPTION_TONE: Tone = audio!(DEFAULT_LEVEL, Some(0); step!(&[440, 620]; 1000, 0));
/// Modem answer tone, for detection: 2100 Hz steady (V.25 ANS; phase
/// reversals and V.8 ANSam modulation not modelled).
const MODEM_ANSWER_TONE: Tone = audio!(DEFAULT_LEVEL, Some(0); step!(&[2100]; 1000, 0));
/// Fax calling tone, for detection: 1100 Hz, 0.5 s on, 3 s off (T.30 CNG).
const FAX_CALLING_TONE: Tone = audio!(DEFAULT_LEVEL, Some(0); step!(&[1100]; 500, 3000));
/// Continuity tone: 2010 Hz steady (GR-317 §3.1.1.3).
const CONTINUITY_TONE_2010: Tone = audio!(CONTINUITY_LEVEL, Some(0); step!(&[2010]; 1000, 0));
/// Continuity test tone: 1780 Hz steady (GR-317 §3.1.1.3).
const CONTINUITY_TONE_1780: Tone = audio!(CONTINUITY_LEVEL, Some(0); step!(&[1780]; 1000, 0));
/// New milliwatt tone: 1004 Hz at 0 dBm0 (ANSI T1.207, SR-2275 §8.2.5).
const NEW_MILLIWATT_TONE: Tone = audio!(0, Some(0); step!(&[1004]; 1000, 0));
/// Newest milliwatt tone: 1013.8 Hz at 0 dBm0 (ANSI T1.207).
const NEWEST_MILLIWATT_TONE: Tone = audio!(0, Some(0); step!(&[1014]; 1000, 0));
/// Old milliwatt tone: 1000 Hz at 0 dBm0.
const OLD_MILLIWATT_TONE: Tone = audio!(0, Some(0); step!(&[1000]; 1000, 0));
/// 105 test line progress tone: 2225 Hz at -10 dBm0 (SR-2275 §8.2.5).
const TEST_LINE_TONE: Tone = audio!(-10, Some(0); step!(&[2225]; 1000, 0));

/// Normal ringing and distinctive ringing pattern 1: 2 s on, 4 s off
/// (GR-506 §14).
const RINGING: Tone = ringing!(Some(0); (2000, 4000));
/// Distinctive ringing pattern 2: 0.8 s on, 0.4 s off, 0.8 s on, 4 s off.
const RINGING_2: Tone = ringing!(Some(0); (800, 400), (800, 4000));
/// Distinctive ringing pattern 3: 0.4 on, 0.2 off, 0.4 on, 0.2 off, 0.8 on,
/// 4 s off.
const RINGING_3: Tone = ringing!(Some(0); (400, 200), (400, 200), (800, 4000));
/// Distinctive ringing pattern 4: 0.3 on, 0.2 off, 1 on, 0.2 off, 0.3 on,
/// 4 s off.
const RINGING_4: Tone = ringing!(Some(0); (300, 200), (1000, 200), (300, 4000));
/// Distinctive ringing pattern 5: one 0.5 s burst (PacketCable MIB default).
const RINGING_5: Tone = ringing!(None; (500, 0));
/// Ringsplash: one 0.5 s burst of power ringing (GR-586).
const RINGSPLASH: Tone = ringing!(None; (500, 0));

/// `sit(1)`, RO', reorder SIT, intra-LATA: low short, high long, 1777 long.
const SIT_RO1: Tone = audio!(DEFAULT_LEVEL, Some(0);
    step!(F_SIT_LOW1; 274, 0), step!(F_SIT_HIGH2; 380, 0), step!(F_SIT_3; 380, 1000));
/// `sit(2)`, RO'', reorder SIT, inter-LATA: high short, low long, 1777 long.
const SIT_RO2: Tone = audio!(DEFAULT_LEVEL, Some(0);
    step!(F_SIT_HIGH1; 274, 0), step!(F_SIT_LOW2; 380, 0), step!(F_SIT_3; 380, 1000));
/// `sit(3)`, NC', no circuit SIT, intra-LATA: high long, high long.
const SIT_NC1: Tone = audio!(DEFAULT_LEVEL, Some(0);
    step!(F_SIT_HIGH1; 380, 0), step!(F_SIT_HIGH2; 380, 0), step!(F_SIT_3; 380, 1000));
/// `sit(4)`, NC'', no circuit SIT, inter-LATA: low long, low long.
const SIT_NC2: Tone = audio!(DEFAULT_LEVEL, Some(0);
    step!(F_SIT_LOW1; 380, 0), step!(F_SIT_LOW2; 380, 0), step!(F_SIT_3; 380, 1000));
/// `sit(5)`, IC, intercept SIT: low short, low short.
const SIT_IC: Tone = audio!(DEFAULT_LEVEL, Some(0);
    step!(F_SIT_LOW1; 274, 0), step!(F_SIT_LOW2; 274, 0), step!(F_SIT_3; 380, 1000));
/// `sit(6)`, VC, vacant code SIT: high long, low short.
const SIT_VC: Tone = audio!(DEFAULT_LEVEL, Some(0);
    step!(F_SIT_HIGH1; 380, 0), step!(F_SIT_LOW2; 274, 0), step!(F_SIT_3; 380, 1000));
/// `sit(7)`, IO, ineffective other SIT: low long, high short.
const SIT_IO: Tone = audio!(DEFAULT_LEVEL, Some(0);
    step!(F_SIT_LOW1; 380, 0), step!(F_SIT_HIGH2; 274, 0), step!(F_SIT_3; 380, 1000));

/// The seven North American special information tones, `sit(1)` … `sit(7)`
/// in the order of RFC 3660 §2.3 and SR-2275 §6.21.2: RO', RO'', NC', NC'',
/// IC, VC, IO. Each is three 913.8/985.2 Hz, 1370.6/1428.5 Hz and 1776.7 Hz
/// segments of 274 ms (short) or 380 ms (long), then 1 s of silence
/// (RFC 3660: "a silent period of 1 second", about 2 s in all), repeating.
/// Other countries number their own SITs the same way (ITU-T E.180
/// Supplement 2); only North America's are here.
pub const SIT_TONES: &[Tone] = &[SIT_RO1, SIT_RO2, SIT_NC1, SIT_NC2, SIT_IC, SIT_VC, SIT_IO];

// ---------------------------------------------------------------------------
// RFC 3660 §2.1: Generic Media package G, version 1.

const G_ITEMS: &[EventDef] = &[
    EventDef::sig(
        "cf",
        "Confirm tone (ITU-T E.182 positive indication tone); North America: dial-tone \
         frequencies and levels, 3 x (0.1 s on, 0.1 s off) (GR-506 §17.2.4); error 402 if on-hook",
        BR,
    )
    .sounds(CONFIRMATION_TONE),
    EventDef::sig(
        "cg",
        "Congestion tone (ITU-T E.180, E.182); reorder tone in North America (GR-506 §17.2.7)",
        TO_INFINITE,
    )
    .sounds(REORDER_TONE),
    EventDef::ev(
        "ft",
        "Fax tone: a fax call detected by the V.21 fax preamble; SHOULD also be reported on the \
         T.30 CNG tone",
    )
    .sounds(FAX_CALLING_TONE),
    EventDef::sig(
        "it",
        "Intercept tone, country specific (ITU-T E.180 Supplement 2); the tone given is a choice",
        TO_INFINITE,
    )
    .sounds(INTERCEPT_TONE),
    EventDef::ev(
        "ld",
        "Long duration connection: a connection has lasted longer than a provisioned time \
         (default 1 hour); requested on all connections, reported as G/ld@<connection>",
    )
    .conn(),
    EventDef::ev(
        "mt",
        "Modem tone: V.25 answer tone (ANS) or V.8 ANSam, with or without phase reversals",
    )
    .sounds(MODEM_ANSWER_TONE),
    EventDef::ev(
        "oc",
        "Operation complete: a TO signal ended without being stopped by an event \
         (RFC 3435 §6.6.1)",
    )
    .params("reported with the signal that completed, e.g. G/oc(G/rt@0A3F58)"),
    EventDef::ev(
        "of",
        "Operation failure: a TO signal failed before timing out (RFC 3435 §6.6.1)",
    )
    .params("reported with the signal that failed, e.g. G/of(G/rt)"),
    EventDef::both(
        "pat",
        "Pattern detected: a provisioned pattern (needs agreement between Call Agent and \
         gateway; kept for compatibility with version 0)",
        OO,
    )
    .params("###: pattern number 0-999, required; also reported"),
    EventDef::sig(
        "pt",
        "Preemption tone, country specific (ITU-T E.180 Supplement 2); the tone given is a choice",
        TO_INFINITE,
    )
    .sounds(PREEMPTION_TONE),
    EventDef::sig(
        "rbk",
        "Ringback on a connection: alias of rt@<connection>, kept for backwards compatibility; \
         does not take the @connection syntax",
        to(180_000),
    )
    .conn()
    .alias("rt")
    .params("connection id or connection wildcard, required")
    .sounds(RINGBACK_TONE),
    EventDef::sig(
        "rt",
        "Ringback tone (ringing tone, ITU-T E.180/E.182); North America: 440 + 480 Hz at -19 dBm \
         each, 2 s on, 4 s off (GR-506 §17.2.5); on the endpoint error 402 if on-hook, or on a \
         connection as rt@<connection> whatever its mode",
        to(180_000),
    )
    .conn()
    .sounds(RINGBACK_TONE),
];

// ---------------------------------------------------------------------------
// RFC 3660 §2.2: DTMF package D, version 1.

/// A DTMF digit: event and brief signal (GR-506 §15).
const fn dtmf_digit(name: &'static str, description: &'static str, tone: Tone) -> EventDef {
    EventDef::both(name, description, BR).sounds(tone)
}

const D_ITEMS: &[EventDef] = &[
    dtmf_digit("0", "DTMF 0", dtmf!(941, 1336)),
    dtmf_digit("1", "DTMF 1", dtmf!(697, 1209)),
    dtmf_digit("2", "DTMF 2", dtmf!(697, 1336)),
    dtmf_digit("3", "DTMF 3", dtmf!(697, 1477)),
    dtmf_digit("4", "DTMF 4", dtmf!(770, 1209)),
    dtmf_digit("5", "DTMF 5", dtmf!(770, 1336)),
    dtmf_digit("6", "DTMF 6", dtmf!(770, 1477)),
    dtmf_digit("7", "DTMF 7", dtmf!(852, 1209)),
    dtmf_digit("8", "DTMF 8", dtmf!(852, 1336)),
    dtmf_digit("9", "DTMF 9", dtmf!(852, 1477)),
    dtmf_digit("#", "DTMF #", dtmf!(941, 1477)),
    dtmf_digit("*", "DTMF *", dtmf!(941, 1209)),
    dtmf_digit("A", "DTMF A", dtmf!(697, 1633)),
    dtmf_digit("B", "DTMF B", dtmf!(770, 1633)),
    dtmf_digit("C", "DTMF C", dtmf!(852, 1633)),
    dtmf_digit("D", "DTMF D", dtmf!(941, 1633)),
    EventDef::both(
        "dd",
        "DTMF tone duration: as an event, a tone lasted longer than to= (or its full duration); \
         as a signal, a DTMF tone played for to= ms followed by 50 ms of silence",
        to(3000),
    )
    .params(
        "dg=<digit> (X allowed in events), to=<ms> (events 40-60000, signals 50-60000), \
         su=<true|false> (events only: suppress in-band); both dg and to are reported",
    ),
    EventDef::sig("do", "DTMF tone as an on/off signal", OO)
        .params("dg=<digit> required (else 538), + or - (default +)"),
    EventDef::ev(
        "L",
        "Long duration indicator: a DTMF tone lasted more than 2 s (reported 2 s after the digit)",
    ),
    EventDef::ev("oc", "Operation complete (RFC 3435 §6.6.1)")
        .params("reported with the signal that completed"),
    EventDef::ev("of", "Operation failure (RFC 3435 §6.6.1)")
        .params("reported with the signal that failed"),
    EventDef::both(
        "T",
        "Interdigit timer: as an event, a digit input timer (T-partial 16 s, T-critical 4 s by \
         default; restarted per digit when accumulating by digit map); as a signal, a plain TO \
         signal",
        to(16_000),
    ),
    EventDef::ev(
        "X",
        "DTMF wildcard: matches any digit 0-9 when requested; the digit itself is reported",
    ),
];

// ---------------------------------------------------------------------------
// RFC 3660 §2.3: Trunk package T, version 1.

const T_ITEMS: &[EventDef] = &[
    EventDef::both(
        "as",
        "Answer supervision: steady off-hook in answer to a call request (kept for compatibility; \
         the CAS packages' answer event is preferred)",
        BR,
    ),
    EventDef::sig(
        "bl",
        "Blocking: incoming off-hook blocking a one-way CAS trunk (kept for compatibility)",
        BR,
    ),
    EventDef::sig(
        "bz",
        "Busy tone (ITU-T E.180); North America: 480 + 620 Hz at -24 dBm each, 0.5 s on, 0.5 s \
         off (GR-506 §17.2.6)",
        to(30_000),
    )
    .sounds(BUSY_TONE),
    EventDef::both(
        "co1",
        "Continuity tone, 2010 Hz (single tone, or return tone): signal within 8 Hz, event \
         within 30 Hz; reported only once the test has passed (GR-317, ITU-T Q.724)",
        to(3000),
    )
    .sounds(CONTINUITY_TONE_2010),
    EventDef::both(
        "co2",
        "Continuity test tone, 1780 Hz (go tone, or return tone in dual-tone procedures): \
         signal within 20 Hz, event within 30 Hz",
        to(3000),
    )
    .sounds(CONTINUITY_TONE_1780),
    EventDef::sig(
        "ct",
        "Continuity transponder: on detecting tone-in, send tone-out until tone-in stops or the \
         signal is turned off; media is not passed while on (like the conttest mode)",
        OO,
    )
    .params("in=<co1|co2>, out=<co2|co1> (different), + or -; any order"),
    EventDef::sig(
        "lb",
        "Loopback, independent of the connection mode; media is not passed while on",
        OO,
    ),
    EventDef::both(
        "nm",
        "New milliwatt tone: 1004 Hz (ANSI T1.207, SR-2275 §8.2.5)",
        to(3000),
    )
    .sounds(NEW_MILLIWATT_TONE),
    EventDef::both(
        "mm",
        "Newest milliwatt tone: 1013.8 Hz (ANSI T1.207)",
        to(3000),
    )
    .sounds(NEWEST_MILLIWATT_TONE),
    EventDef::ev("oc", "Operation complete (RFC 3435 §6.6.1)")
        .params("reported with the signal that completed, e.g. t/oc(t/co2)"),
    EventDef::ev("of", "Operation failure (RFC 3435 §6.6.1)")
        .params("reported with the signal that failed, e.g. t/of(t/co1)"),
    EventDef::both(
        "om",
        "Old milliwatt tone: 1000 Hz (ANSI T1.207, SR-2275 §8.2.5)",
        to(3000),
    )
    .sounds(OLD_MILLIWATT_TONE),
    EventDef::sig(
        "pst",
        "Permanent signal tone: applied to busy line verification / operator interrupt \
         (GR-531); tone not given",
        TO_INFINITE,
    ),
    EventDef::sig(
        "qt",
        "Quiet termination, used in the 102 trunk test (SR-2275 §6.20.5, ANSI T1.207)",
        TO_INFINITE,
    ),
    EventDef::both(
        "ro",
        "Reorder tone (ITU-T E.182 congestion tone); North America: 480 + 620 Hz at -24 dBm \
         each, 0.25 s on, 0.25 s off (GR-506 §17.2.7)",
        to(30_000),
    )
    .sounds(REORDER_TONE),
    EventDef::both(
        "sit",
        "Special information tone (ITU-T E.180): three tones then 1 s of silence, about 2 s in \
         all; the parameter is required (see sit_tone and SIT_TONES)",
        to(2000),
    )
    .params(
        "#: 1 RO', 2 RO'', 3 NC', 4 NC'', 5 IC, 6 VC, 7 IO (SR-2275 §6.21.2), required as \
         signal and as event; reported",
    ),
    EventDef::both(
        "tl",
        "105 test line progress tone: 2225 Hz at -10 dBm0 (SR-2275 §8.2.5)",
        TO_INFINITE,
    )
    .sounds(TEST_LINE_TONE),
    EventDef::both(
        "tp",
        "Test pattern: the octet inserted continuously into the channel (108 test line, digital \
         loopback); as an event, the pattern came back",
        to(3000),
    )
    .params("###: octet 0-255, default 95; always reported"),
    EventDef::both("zz", "No circuit: alias of sit(2)", to(2000))
        .alias("sit")
        .sounds(SIT_RO2),
];

// ---------------------------------------------------------------------------
// RFC 3660 §2.4: Line package L, version 1.

/// Distinctive ringing `rN` of the line package.
const fn line_ring(name: &'static str, description: &'static str, tone: Tone) -> EventDef {
    EventDef::sig(name, description, to(180_000))
        .sounds(tone)
        .params("rep=<1-255>: ringing cycles, then time out (to= is then ignored)")
}

const L_ITEMS: &[EventDef] = &[
    EventDef::sig(
        "adsi",
        "ADSI display (kept for compatibility; not well defined, use discouraged)",
        BR,
    )
    .params("string"),
    EventDef::both(
        "aw",
        "Answer tone (kept for compatibility; not well defined, use discouraged)",
        OO,
    ),
    EventDef::sig(
        "bz",
        "Busy tone (ITU-T E.180); North America: 480 + 620 Hz at -24 dBm each, 0.5 s on, 0.5 s \
         off (GR-506 §17.2.6); error 402 if on-hook",
        to(30_000),
    )
    .sounds(BUSY_TONE),
    EventDef::sig(
        "ci",
        "Caller id (GR-1188, GR-30-CORE, GR-31): on-hook data transmission",
        BR,
    )
    .params(
        "time \"MM/DD/HH/MM\", number, name: each optional but all commas kept; quoted strings \
         UTF-8; P private, O unavailable",
    ),
    EventDef::sig(
        "dl",
        "Dial tone (ITU-T E.180); North America: 350 + 440 Hz at -13 dBm each, steady \
         (GR-506 §17.2.1); error 402 if on-hook",
        to(16_000),
    )
    .sounds(DIAL_TONE),
    EventDef::both(
        "e",
        "Error tone (kept for compatibility; not well defined, use discouraged)",
        to(2000),
    ),
    EventDef::ev(
        "hd",
        "Off-hook transition (GR-506 §12); requesting it while off-hook is error 401",
    )
    .state(),
    EventDef::ev(
        "hf",
        "Flash hook (GR-506 §12); requesting it while on-hook is error 402",
    ),
    EventDef::sig(
        "ht",
        "Tone on hold: reassures a party placed on hold (ITU-T E.182); tone not given",
        OO,
    ),
    EventDef::ev(
        "hu",
        "On-hook transition (GR-506 §12), timed for flash response unless provisioned \
         otherwise; requesting it while on-hook is error 402",
    )
    .state(),
    EventDef::sig(
        "lsa",
        "Line side answer supervision: reverse loop current feed (RLCF) on the line \
         (GR-506-CORE)",
        OO,
    ),
    EventDef::sig(
        "mwi",
        "Message waiting indicator: dial tone with 10 x (0.1 s on, 0.1 s off), then steady \
         (GR-506 §17.2.3); error 402 if on-hook",
        to(16_000),
    )
    .sounds(MESSAGE_WAITING_TONE),
    EventDef::both(
        "nbz",
        "Network busy: alias of ro, kept for compatibility (new Call Agents should not request \
         the event)",
        TO_INFINITE,
    )
    .alias("ro")
    .sounds(REORDER_TONE),
    EventDef::ev("oc", "Operation complete (RFC 3435 §6.6.1)")
        .params("reported with the signal that completed, e.g. l/oc(l/rg)"),
    EventDef::ev("of", "Operation failure (RFC 3435 §6.6.1)")
        .params("reported with the signal that failed"),
    EventDef::sig(
        "osi",
        "Network disconnect: the far end disconnected; North America: an open switch interval, \
         loop current feed open (GR-505 §4.5.2.1); provisioned per country",
        to(900),
    ),
    EventDef::sig(
        "ot",
        "Off-hook warning tone (receiver off-hook): 1400 + 2060 + 2450 + 2600 Hz, 0.1 s on, \
         0.1 s off (GR-506 §17.2.8); error 402 if on-hook",
        TO_INFINITE,
    )
    .sounds(OFF_HOOK_WARNING_TONE),
    EventDef::both(
        "p",
        "Prompt tone: a 300 ms burst of 400 Hz (GR-220 R3-170)",
        BR,
    )
    .sounds(PROMPT_TONE),
    EventDef::sig(
        "rg",
        "Ringing (GR-506 §14), cadence provisioned, North America 2 s on, 4 s off; error 401 if \
         off-hook",
        to(180_000),
    )
    .sounds(RINGING)
    .params("rep=<1-255>: ringing cycles, then time out (to= is then ignored)"),
    line_ring(
        "r0",
        "Distinctive ringing 0: normal ringing by default (GR-506 §14)",
        RINGING,
    ),
    line_ring(
        "r1",
        "Distinctive ringing 1: GR-506 §14 pattern 1 by default",
        RINGING,
    ),
    line_ring(
        "r2",
        "Distinctive ringing 2: GR-506 §14 pattern 2 by default",
        RINGING_2,
    ),
    line_ring(
        "r3",
        "Distinctive ringing 3: GR-506 §14 pattern 3 by default",
        RINGING_3,
    ),
    line_ring(
        "r4",
        "Distinctive ringing 4: GR-506 §14 pattern 4 by default",
        RINGING_4,
    ),
    line_ring(
        "r5",
        "Distinctive ringing 5: GR-506 §14 pattern 5 by default",
        RINGING_5,
    ),
    line_ring(
        "r6",
        "Distinctive ringing 6: normal ringing by default",
        RINGING,
    ),
    line_ring(
        "r7",
        "Distinctive ringing 7: normal ringing by default",
        RINGING,
    ),
    EventDef::sig(
        "ro",
        "Reorder tone (ITU-T E.182 congestion tone); North America: 480 + 620 Hz at -24 dBm \
         each, 0.25 s on, 0.25 s off",
        to(30_000),
    )
    .sounds(REORDER_TONE),
    EventDef::sig(
        "rs",
        "Ringsplash (reminder ring): a 0.5 s burst of power ringing on an idle forwarding line \
         (GR-586)",
        BR,
    )
    .sounds(RINGSPLASH),
    EventDef::both(
        "s",
        "Distinctive tone pattern: provisioned per parameter value (kept for compatibility)",
        BR,
    )
    .params("###: pattern 0-999, required as an event; reported"),
    EventDef::sig(
        "sit",
        "Special information tone (ITU-T E.180): three tones then 1 s of silence; without a \
         parameter, sit(3) (NC') is played",
        to(2000),
    )
    .sounds(SIT_NC1)
    .params("#: 1 RO', 2 RO'', 3 NC' (default), 4 NC'', 5 IC, 6 VC, 7 IO (SR-2275 §6.21.2)"),
    EventDef::sig(
        "sl",
        "Stutter (recall) dial tone: confirmation then dial tone (GR-506; ITU-T E.182 special \
         dial tone); error 402 if on-hook",
        to(16_000),
    )
    .sounds(STUTTER_DIAL_TONE)
    .params("del=<0-10000>: ms between confirmation and dial tone, rounded to 100 ms"),
    EventDef::sig(
        "v",
        "Alerting tone: 440 Hz for 2 s, then 0.5 s every 10 s (kept for compatibility)",
        OO,
    )
    .sounds(ALERTING_TONE),
    EventDef::sig(
        "vmwi",
        "Visual message waiting indicator: sent to the CPE only while the line is idle \
         (GR-1401, GR-30-CORE §6.6); off after a gateway restart",
        OO,
    ),
    EventDef::sig(
        "wt",
        "Call waiting tone (GR-506 §14.2): 440 Hz for 300 ms, repeated after 10 s; error 402 if \
         on-hook; to=2000 gives a single burst",
        to(12_000),
    )
    .sounds(CALL_WAITING_TONE),
    EventDef::sig("wt1", "Call waiting tone 1: alias of wt", to(12_000))
        .alias("wt")
        .sounds(CALL_WAITING_TONE),
    EventDef::sig(
        "wt2",
        "Alternative (distinctive) call waiting tone 2 (GR-506 §14.2)",
        to(12_000),
    )
    .sounds(CALL_WAITING_TONE_2),
    EventDef::sig(
        "wt3",
        "Alternative (distinctive) call waiting tone 3 (GR-506 §14.2)",
        to(12_000),
    )
    .sounds(CALL_WAITING_TONE_3),
    EventDef::sig(
        "wt4",
        "Alternative (distinctive) call waiting tone 4 (GR-506 §14.2)",
        to(12_000),
    )
    .sounds(CALL_WAITING_TONE_4),
    EventDef::sig(
        "y",
        "Recorder warning tone: 1400 Hz for 0.5 s every 15 s (ITU-T E.180, SR-2275 §6.20)",
        TO_INFINITE,
    )
    .sounds(RECORDER_WARNING_TONE),
    EventDef::sig(
        "z",
        "Calling card service tone: 60 ms of 941 + 1477 Hz then 940 ms of dial tone, decaying \
         (SR-2275 §6.20)",
        BR,
    )
    .sounds(CALLING_CARD_TONE),
];

// ---------------------------------------------------------------------------
// RFC 3660 §2.5: Handset emulation package H, version 1. Same symbols as L,
// but every one can also be detected (the gateway emulates the handset).

const H_RING_PARAMS: &str = "rep=<1-255>: as a signal, ringing cycles; as an event, report after that many rings \
     (then reported)";

/// Distinctive ringing `rN` of the handset package.
const fn handset_ring(name: &'static str, description: &'static str, tone: Tone) -> EventDef {
    EventDef::both(name, description, to(180_000))
        .sounds(tone)
        .params(H_RING_PARAMS)
}

const H_ITEMS: &[EventDef] = &[
    EventDef::both("adsi", "ADSI display (as L/adsi)", BR)
        .params("string; not given when requested as an event, reported"),
    EventDef::both("aw", "Answer tone (as L/aw)", OO),
    EventDef::both("bz", "Busy tone (as L/bz)", to(30_000)).sounds(BUSY_TONE),
    EventDef::both("ci", "Caller id (as L/ci)", BR)
        .params("time, number, name; must not be given when requested as an event, reported"),
    EventDef::both("dl", "Dial tone (as L/dl)", to(16_000)).sounds(DIAL_TONE),
    EventDef::both("e", "Error tone (as L/e)", to(2000)),
    EventDef::both(
        "hd",
        "Off-hook transition; a brief signal when emulating the handset",
        BR,
    )
    .state(),
    EventDef::both(
        "hu",
        "On-hook transition; a brief signal when emulating the handset",
        BR,
    )
    .state(),
    EventDef::both(
        "hf",
        "Flash hook; a brief signal when emulating the handset",
        BR,
    ),
    EventDef::both("ht", "Tone on hold (as L/ht)", OO),
    EventDef::both(
        "lsa",
        "Line side answer supervision (as L/lsa); as an event, RLCF turned on or off",
        OO,
    )
    .params("reported as lsa(+) or lsa(-)"),
    EventDef::both("mwi", "Message waiting indicator (as L/mwi)", to(16_000))
        .sounds(MESSAGE_WAITING_TONE),
    EventDef::both("nbz", "Network busy: alias of ro (as L/nbz)", TO_INFINITE)
        .alias("ro")
        .sounds(REORDER_TONE),
    EventDef::ev("oc", "Operation complete (RFC 3435 §6.6.1)")
        .params("reported with the signal that completed"),
    EventDef::both("ot", "Off-hook warning tone (as L/ot)", TO_INFINITE)
        .sounds(OFF_HOOK_WARNING_TONE),
    EventDef::ev("of", "Operation failure (RFC 3435 §6.6.1)")
        .params("reported with the signal that failed"),
    EventDef::both("osi", "Network disconnect (as L/osi)", to(900)),
    EventDef::both("p", "Prompt tone (as L/p)", BR).sounds(PROMPT_TONE),
    EventDef::both(
        "rg",
        "Ringing (as L/rg); as an event, ringing detected",
        to(180_000),
    )
    .sounds(RINGING)
    .params(H_RING_PARAMS),
    handset_ring("r0", "Distinctive ringing 0 (as L/r0)", RINGING),
    handset_ring("r1", "Distinctive ringing 1 (as L/r1)", RINGING),
    handset_ring("r2", "Distinctive ringing 2 (as L/r2)", RINGING_2),
    handset_ring("r3", "Distinctive ringing 3 (as L/r3)", RINGING_3),
    handset_ring("r4", "Distinctive ringing 4 (as L/r4)", RINGING_4),
    handset_ring("r5", "Distinctive ringing 5 (as L/r5)", RINGING_5),
    handset_ring("r6", "Distinctive ringing 6 (as L/r6)", RINGING),
    handset_ring("r7", "Distinctive ringing 7 (as L/r7)", RINGING),
    EventDef::both("ro", "Reorder tone (as L/ro)", to(30_000)).sounds(REORDER_TONE),
    EventDef::both("rs", "Ringsplash (as L/rs)", BR).sounds(RINGSPLASH),
    EventDef::both("s", "Distinctive tone pattern (as L/s)", BR)
        .params("###: pattern 0-999, required as an event; reported"),
    EventDef::both("sit", "Special information tone (as L/sit)", to(2000))
        .sounds(SIT_NC1)
        .params("#: 1-7 as L/sit, default 3"),
    EventDef::both("sl", "Stutter dial tone (as L/sl)", to(16_000))
        .sounds(STUTTER_DIAL_TONE)
        .params("del=<0-10000> as a signal; must not be given as an event, reported"),
    EventDef::both("v", "Alerting tone (as L/v)", OO).sounds(ALERTING_TONE),
    EventDef::both(
        "vmwi",
        "Visual message waiting indicator (as L/vmwi); as an event, turned on or off",
        OO,
    )
    .params("reported as vmwi(+) or vmwi(-)"),
    EventDef::both("wt", "Call waiting tone (as L/wt)", to(12_000)).sounds(CALL_WAITING_TONE),
    EventDef::both("wt1", "Call waiting tone 1: alias of wt", to(12_000))
        .alias("wt")
        .sounds(CALL_WAITING_TONE),
    EventDef::both(
        "wt2",
        "Alternative call waiting tone 2 (as L/wt2)",
        to(12_000),
    )
    .sounds(CALL_WAITING_TONE_2),
    EventDef::both(
        "wt3",
        "Alternative call waiting tone 3 (as L/wt3)",
        to(12_000),
    )
    .sounds(CALL_WAITING_TONE_3),
    EventDef::both(
        "wt4",
        "Alternative call waiting tone 4 (as L/wt4)",
        to(12_000),
    )
    .sounds(CALL_WAITING_TONE_4),
    EventDef::both("y", "Recorder warning tone (as L/y)", TO_INFINITE)
        .sounds(RECORDER_WARNING_TONE),
    EventDef::both("z", "Calling card service tone (as L/z)", BR).sounds(CALLING_CARD_TONE),
];

// ---------------------------------------------------------------------------
// RFC 3660 §2.6: Supplementary Services Tone package SST, version 0.

const SST_ITEMS: &[EventDef] = &[
    EventDef::sig(
        "cd",
        "Conference depart: a participant left a conference; tone left to the gateway",
        BR,
    ),
    EventDef::sig(
        "cj",
        "Conference join: a party joined a conference; tone left to the gateway",
        BR,
    ),
    EventDef::sig(
        "cm",
        "Comfort tone: the call is being processed, please wait (ITU-T E.182); tone not given",
        TO_INFINITE,
    ),
    EventDef::sig(
        "cw",
        "Caller waiting tone: the busy called station has call waiting active (ITU-T E.182); \
         tone not given",
        to(30_000),
    ),
    EventDef::sig(
        "ht",
        "Tone on hold: reassures a party placed on hold (ITU-T E.182); tone not given",
        OO,
    ),
    EventDef::sig(
        "ni",
        "Negative indication: the service request cannot be accepted (ITU-T E.182); reorder \
         tone in North America (GR-506 §17.2.7)",
        TO_INFINITE,
    )
    .sounds(REORDER_TONE),
    EventDef::sig(
        "nu",
        "Number unobtainable (vacant tone, ITU-T E.180 Supplement 2); reorder tone in North \
         America (GR-506 §17.2.7)",
        TO_INFINITE,
    )
    .sounds(REORDER_TONE),
    EventDef::ev("oc", "Operation complete (RFC 3435 §6.6.1)")
        .params("reported with the signal that completed"),
    EventDef::ev("of", "Operation failure (RFC 3435 §6.6.1)")
        .params("reported with the signal that failed"),
    EventDef::sig(
        "pr",
        "Pay phone recognition: tells an operator the endpoint is a payphone (ITU-T E.182); \
         tone not given",
        BR,
    ),
    EventDef::sig(
        "pt",
        "Pay tone: payment is required (ITU-T E.182); tone not given",
        BR,
    ),
];

// ---------------------------------------------------------------------------
// RFC 3660 §2.8: Signal List package SL, version 0.

const SL_ITEMS: &[EventDef] = &[
    EventDef::ev(
        "oc",
        "Operation complete (RFC 3435 §6.6.1), once the last signal played",
    )
    .params("reported with the list name only: sl/oc(sl/s)"),
    EventDef::ev(
        "of",
        "Operation failure (RFC 3435 §6.6.1): one of the listed signals failed",
    )
    .params("reported with the list name only: sl/of(sl/s)"),
    EventDef::sig(
        "s",
        "Signal list: BR and TO signals played one after the other, left to right; an event \
         stops it (a playing BR signal completes first); OO signals or nested lists are error \
         538",
        TO_VARIABLE,
    )
    .params("comma-separated list of package-qualified BR or TO signals, e.g. s(d/1,d/2)"),
];

// ---------------------------------------------------------------------------
// RFC 3660 §2.10: RTP package R, version 1. Every event is detected on a
// connection (R/uc@<id>, R/uc@*); none on the endpoint itself.

const R_ITEMS: &[EventDef] = &[
    EventDef::both(
        "co1",
        "Continuity tone, 2010 Hz (single or return tone), played over a network connection \
         only (r/co1@<id>); RFC 2833 telephone event 167 may replace it",
        to(3000),
    )
    .conn()
    .sounds(CONTINUITY_TONE_2010),
    EventDef::both(
        "co2",
        "Continuity test tone, 1780 Hz (go tone in dual-tone procedures), over a connection",
        to(3000),
    )
    .conn()
    .sounds(CONTINUITY_TONE_1780),
    EventDef::ev(
        "iu",
        "ICMP unreachable received: that many ICMP unreachable packets arrived for the \
         connection (any media type); one-shot",
    )
    .conn()
    .params("request: count 1-255, default 3; report: (count, ICMP code), e.g. iu@364823(5,3)"),
    EventDef::ev("ji", "Jitter buffer size changed (kept for compatibility)")
        .conn()
        .params("reported as ji(<new size in ms, 1-65536>)"),
    EventDef::ev(
        "ma",
        "Media start: the first valid RTP media packet arrived on the connection",
    )
    .conn(),
    EventDef::ev("oc", "Operation complete (RFC 3435 §6.6.1)")
        .params("reported with the signal that completed"),
    EventDef::ev("of", "Operation failure (RFC 3435 §6.6.1)")
        .params("reported with the signal that failed"),
    EventDef::ev(
        "pl",
        "Packet loss exceeded: more than the given packets per 100,000 were lost; reported once \
         per request",
    )
    .conn()
    .params("threshold 1-100000 per 100,000 packets, required; reported"),
    EventDef::ev(
        "qa",
        "Quality alert: loss, or delay and jitter, exceeded provisioned thresholds",
    )
    .conn(),
    EventDef::ev(
        "rto",
        "RTP/RTCP timeout: no RTP or RTCP packet for the given time; one-shot",
    )
    .conn()
    .params(
        "<timeout s 1-65535, default 60>, st=<im (default) | ra: start after first RTCP>; the \
         timeout is reported",
    ),
    EventDef::ev(
        "sr",
        "Sampling rate changed: the packetization period changed (kept for compatibility)",
    )
    .conn()
    .params("reported as sr(<ms>)"),
    EventDef::ev("uc", "Used codec changed (kept for compatibility)")
        .conn()
        .params("requested without; reported with the hexadecimal payload type, e.g. uc(8)"),
];

// ---------------------------------------------------------------------------
// RFC 3660 §2.11.3: Resource Reservation package RES, version 0.

const RES_ITEMS: &[EventDef] = &[
    EventDef::ev(
        "re",
        "Resource error: an error in an established reservation (permanent or not); requested \
         on the endpoint it covers all present and future connections",
    )
    .conn()
    .params("not requested with; reported (resverr | patherr | other [, \"comment\"])"),
    EventDef::ev("rl", "Resource lost: an established reservation was lost")
        .conn()
        .params("not requested with; reported (resvtear | pathtear | other [, \"comment\"])"),
];

// ---------------------------------------------------------------------------
// RFC 3660 §2.12: Announcement Server package A, version 1.

const A_ITEMS: &[EventDef] = &[
    EventDef::sig(
        "ann",
        "Play an announcement; failures after the response are reported as \
         a/of(a/ann,\"reason\"), the end as a/oc(a/ann)",
        TO_VARIABLE,
    )
    .conn()
    .params("url (file, http, ftp, rtsp) [, proprietary initial parameters]"),
    EventDef::ev("oc", "Operation complete: the announcement was played out")
        .params("reported with the signal, e.g. a/oc(a/ann)"),
    EventDef::ev(
        "of",
        "Operation failure: the announcement could not be played",
    )
    .params("reported with the signal and an optional quoted reason"),
];

// ---------------------------------------------------------------------------
// RFC 3660 §2.13: Script package Script, version 1.

const SCRIPT_PARAMS: &str = "url (file, ftp, http) [, arguments passed to the script]";

const SCRIPT_ITEMS: &[EventDef] = &[
    EventDef::both(
        "ir",
        "Intermediate result/request between a running script and the Call Agent; as a \
         signal the script signal must be repeated; no running script is error 800 /SCRIPT",
        BR,
    )
    .params("name=value list; at least one when signalled"),
    EventDef::sig("java", "Load and run a Java script", TO_VARIABLE).params(SCRIPT_PARAMS),
    EventDef::ev("oc", "Operation complete: the script finished")
        .params("reported as script/oc(script/<lang>,return-status=<success|failure>,name=value…)"),
    EventDef::ev("of", "Operation failure: the script failed")
        .params("reported with the signal and an optional quoted reason"),
    EventDef::sig("perl", "Load and run a Perl script", TO_VARIABLE).params(SCRIPT_PARAMS),
    EventDef::sig("tcl", "Load and run a TCL script", TO_VARIABLE).params(SCRIPT_PARAMS),
    EventDef::sig("vxml", "Load and run a VoiceXML document", TO_VARIABLE).params(SCRIPT_PARAMS),
    EventDef::sig("xml", "Load and run an XML script", TO_VARIABLE).params(SCRIPT_PARAMS),
];

// ---------------------------------------------------------------------------
// RFC 2705 §6.1.3: MF package M, version 0 (R1 multi-frequency, trunks).

/// An MF digit or KP/ST signal: event and brief signal.
const fn mf_digit(name: &'static str, description: &'static str, tone: Tone) -> EventDef {
    EventDef::both(name, description, BR).sounds(tone)
}

const M_ITEMS: &[EventDef] = &[
    mf_digit("0", "MF 0", mf!(1300, 1500, 68)),
    mf_digit("1", "MF 1", mf!(700, 900, 68)),
    mf_digit("2", "MF 2", mf!(700, 1100, 68)),
    mf_digit("3", "MF 3", mf!(900, 1100, 68)),
    mf_digit("4", "MF 4", mf!(700, 1300, 68)),
    mf_digit("5", "MF 5", mf!(900, 1300, 68)),
    mf_digit("6", "MF 6", mf!(1100, 1300, 68)),
    mf_digit("7", "MF 7", mf!(700, 1500, 68)),
    mf_digit("8", "MF 8", mf!(900, 1500, 68)),
    mf_digit("9", "MF 9", mf!(1100, 1500, 68)),
    EventDef::ev("X", "Wildcard: matches any MF digit 0-9"),
    EventDef::ev(
        "T",
        "Interdigit timer (RFC 2705 lists a 4 s duration but no signal type; T-critical)",
    ),
    mf_digit("K0", "MF K0 or KP", mf!(1100, 1700, 100)),
    EventDef::both(
        "K1",
        "MF K1 (frequencies not settled in R1; no tone given)",
        BR,
    ),
    EventDef::both(
        "K2",
        "MF K2 (frequencies not settled in R1; no tone given)",
        BR,
    ),
    mf_digit("S0", "MF S0 or ST", mf!(1500, 1700, 68)),
    mf_digit("S1", "MF S1 (ST')", mf!(900, 1700, 68)),
    mf_digit("S2", "MF S2 (ST'')", mf!(1300, 1700, 68)),
    mf_digit("S3", "MF S3 (ST''')", mf!(700, 1700, 68)),
    EventDef::both(
        "wk",
        "Wink: unseized, seized, unseized within a specified period (seizure typically \
         100-350 ms)",
        BR,
    ),
    EventDef::both(
        "wko",
        "Wink off (operator services trunks): seized, unseized, seized within 100-350 ms",
        BR,
    ),
    EventDef::both(
        "is",
        "Incoming seizure: incoming indication of a call attempt",
        OO,
    ),
    EventDef::both(
        "rs",
        "Return seizure: seizure in response to an outgoing seizure",
        OO,
    ),
    EventDef::both("us", "Unseize circuit: unseizure at the end of a call", OO),
    EventDef::ev("of", "Report failure"),
];

// ---------------------------------------------------------------------------
// RFC 2705 §6.1.8: Network Access Server package N, version 0.

const N_ITEMS: &[EventDef] = &[
    EventDef::ev(
        "pa",
        "Packet arrival: a packet was recently sent to an Internet address the endpoint watches",
    )
    .params("reported with the address, e.g. pa(192.96.41.1)"),
    EventDef::ev(
        "cbk",
        "Call back request made during the initial phase of a data connection",
    )
    .params("reported with the user to call back, e.g. cbk(user25)"),
    EventDef::ev("cl", "Carrier lost"),
    EventDef::ev("au", "Authorization succeeded"),
    EventDef::ev("ax", "Authorization denied"),
    EventDef::ev("of", "Report failure"),
];

// ---------------------------------------------------------------------------
// RFC 3435 Appendix B: Base package B, version 0.

const B_ITEMS: &[EventDef] = &[
    EventDef::ev(
        "enf",
        "Embedded NotificationRequest failure; requested inside the embedded request itself",
    )
    .params("##: not requested with; may be reported with the error code (RFC 3435 §2.4)"),
    EventDef::ev(
        "oef",
        "Observed events full: no more events fit in the ObservedEvents list",
    ),
    EventDef::ev(
        "qbo",
        "Quarantine buffer overflow: one or more events were lost",
    ),
];

// ---------------------------------------------------------------------------
// The table.

/// Every package described here: RFC 3660's thirteen in its §1.1 order, then
/// RFC 2705's `M` and `N` (version 0) and RFC 3435's base package `B`.
pub const PACKAGES: &[Package] = &[
    Package {
        name: "G",
        version: 1,
        description: "Generic Media package: events and signals common to trunk, access and \
                      residential gateway endpoints",
        reference: "RFC 3660 §2.1",
        extensions: "",
        items: G_ITEMS,
    },
    Package {
        name: "D",
        version: 1,
        description: "DTMF package",
        reference: "RFC 3660 §2.2",
        extensions: "",
        items: D_ITEMS,
    },
    Package {
        name: "T",
        version: 1,
        description: "Trunk package",
        reference: "RFC 3660 §2.3",
        extensions: "",
        items: T_ITEMS,
    },
    Package {
        name: "L",
        version: 1,
        description: "Line package (analogue lines)",
        reference: "RFC 3660 §2.4",
        extensions: "",
        items: L_ITEMS,
    },
    Package {
        name: "H",
        version: 1,
        description: "Handset Emulation package: the line package with every symbol also \
                      detectable, and hd, hu, hf as signals",
        reference: "RFC 3660 §2.5",
        extensions: "",
        items: H_ITEMS,
    },
    Package {
        name: "SST",
        version: 0,
        description: "Supplementary Services Tone package",
        reference: "RFC 3660 §2.6",
        extensions: "",
        items: SST_ITEMS,
    },
    Package {
        name: "DM1",
        version: 0,
        description: "Digit Map Extension: no events or signals",
        reference: "RFC 3660 §2.7",
        extensions: "digit-map letter P: at the end of an entry, match it only when the dial \
                     string matches no other entry partially",
        items: &[],
    },
    Package {
        name: "SL",
        version: 0,
        description: "Signal List package",
        reference: "RFC 3660 §2.8",
        extensions: "",
        items: SL_ITEMS,
    },
    Package {
        name: "FM",
        version: 0,
        description: "Media Format Parameter package: no events or signals",
        reference: "RFC 3660 §2.9",
        extensions: "LocalConnectionOptions fmtp:\"<codec>[:<n>] <parameters>\" and o-fmtp \
                     (optional), without package prefix",
        items: &[],
    },
    Package {
        name: "R",
        version: 1,
        description: "RTP package: events on RTP connections",
        reference: "RFC 3660 §2.10",
        extensions: "",
        items: R_ITEMS,
    },
    Package {
        name: "RES",
        version: 0,
        description: "Resource Reservation package (RSVP)",
        reference: "RFC 3660 §2.11",
        extensions: "LocalConnectionOptions r:<g|cl|be>, r-dir:<sendonly|recvonly|sendrecv>, \
                     r-cnf:<none|sendonly|recvonly|sendrecv>, r-sh:<$|connection id|empty>, \
                     without package prefix",
        items: RES_ITEMS,
    },
    Package {
        name: "A",
        version: 1,
        description: "Announcement Server package",
        reference: "RFC 3660 §2.12",
        extensions: "",
        items: A_ITEMS,
    },
    Package {
        name: "Script",
        version: 1,
        description: "Script package",
        reference: "RFC 3660 §2.13",
        extensions: "return code 800 (script not executing), sent as \"800 <tid> /SCRIPT\"",
        items: SCRIPT_ITEMS,
    },
    Package {
        name: "M",
        version: 0,
        description: "MF package (R1 trunks); left out of RFC 3660, still valid, superseded by \
                      the CAS packages of RFC 3064",
        reference: "RFC 2705 §6.1.3",
        extensions: "",
        items: M_ITEMS,
    },
    Package {
        name: "N",
        version: 0,
        description: "Network Access Server package; left out of RFC 3660 as incomplete, still \
                      valid",
        reference: "RFC 2705 §6.1.8",
        extensions: "",
        items: N_ITEMS,
    },
    Package {
        name: "B",
        version: 0,
        description: "Base package: events and extension parameters of general use",
        reference: "RFC 3435 Appendix B",
        extensions: "extension parameter B/PR (PersistentEvents, a RequestedEvents list detected \
                     persistently), RequestedInfo B/NS (NotificationState: ns, ls or o), verb \
                     MESG (Message, gateway to Call Agent)",
        items: B_ITEMS,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn get(package_name: &str, item: &str) -> &'static EventDef {
        lookup(package_name, item).unwrap_or_else(|| panic!("{package_name}/{item} should exist"))
    }

    fn all_items() -> impl Iterator<Item = (&'static Package, &'static EventDef)> {
        PACKAGES
            .iter()
            .flat_map(|p| p.items.iter().map(move |d| (p, d)))
    }

    fn all_tones() -> impl Iterator<Item = (String, &'static Tone)> {
        all_items()
            .filter_map(|(p, d)| {
                d.tone
                    .as_ref()
                    .map(|t| (format!("{}/{}", p.name, d.name), t))
            })
            .chain(
                SIT_TONES
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (format!("sit({})", i + 1), t)),
            )
    }

    #[test]
    fn package_names_are_unique() {
        for (i, a) in PACKAGES.iter().enumerate() {
            for b in &PACKAGES[i + 1..] {
                assert!(
                    !a.name.eq_ignore_ascii_case(b.name),
                    "duplicate package {}",
                    a.name
                );
            }
        }
    }

    #[test]
    fn item_names_are_unique_within_a_package() {
        for p in PACKAGES {
            for (i, a) in p.items.iter().enumerate() {
                for b in &p.items[i + 1..] {
                    assert!(
                        !a.name.eq_ignore_ascii_case(b.name),
                        "duplicate {}/{}",
                        p.name,
                        a.name
                    );
                }
            }
        }
    }

    #[test]
    fn names_are_bare_symbols() {
        for (p, d) in all_items() {
            assert!(
                !d.name.is_empty() && !d.description.is_empty(),
                "{}/{}",
                p.name,
                d.name
            );
            assert!(
                !d.name.contains(['(', ')', '/', '@', ',', ' ']),
                "{}/{} carries parameters",
                p.name,
                d.name
            );
        }
    }

    #[test]
    fn every_item_is_an_event_or_a_signal() {
        for (p, d) in all_items() {
            assert!(d.detectable || d.is_signal(), "{}/{}", p.name, d.name);
            if d.event_state || d.persistent {
                assert!(d.detectable, "{}/{}", p.name, d.name);
            }
        }
    }

    #[test]
    fn package_lookup_is_case_insensitive() {
        assert_eq!(package("l").map(|p| p.name), Some("L"));
        assert_eq!(package("L").map(|p| p.name), Some("L"));
        assert_eq!(package("SCRIPT").map(|p| p.name), Some("Script"));
        assert_eq!(package("script").map(|p| p.name), Some("Script"));
        assert_eq!(package("dm1").map(|p| p.name), Some("DM1"));
        assert_eq!(package("sst").map(|p| p.version), Some(0));
        assert!(package("X-acme").is_none());
        assert!(package("").is_none());
        assert!(package("LL").is_none());
    }

    #[test]
    fn item_lookup_is_case_insensitive() {
        let l = package("L").unwrap();
        assert_eq!(l.item("hd").map(|d| d.name), Some("hd"));
        assert_eq!(l.item("HD").map(|d| d.name), Some("hd"));
        assert_eq!(l.item("Vmwi").map(|d| d.name), Some("vmwi"));
        assert!(l.item("hd(N)").is_none());
        assert!(l.item("nope").is_none());
        let d = package("d").unwrap();
        for name in [
            "0", "5", "9", "*", "#", "A", "a", "d", "D", "T", "t", "L", "X", "DD", "do",
        ] {
            assert!(d.item(name).is_some(), "D/{name}");
        }
        assert_eq!(d.item("t").map(|x| x.name), Some("T"));
        assert_eq!(get("r", "RTO").name, "rto");
        assert!(lookup("nope", "hd").is_none());
    }

    #[test]
    fn versions_follow_the_rfcs() {
        let expected = [
            ("G", 1),
            ("D", 1),
            ("T", 1),
            ("L", 1),
            ("H", 1),
            ("SST", 0),
            ("DM1", 0),
            ("SL", 0),
            ("FM", 0),
            ("R", 1),
            ("RES", 0),
            ("A", 1),
            ("Script", 1),
            ("M", 0),
            ("N", 0),
            ("B", 0),
        ];
        assert_eq!(PACKAGES.len(), expected.len());
        for (p, (name, version)) in PACKAGES.iter().zip(expected) {
            assert_eq!((p.name, p.version), (name, version));
        }
    }

    #[test]
    fn item_counts() {
        let counts: Vec<(&str, usize)> = PACKAGES.iter().map(|p| (p.name, p.items.len())).collect();
        assert_eq!(
            counts,
            [
                ("G", 12),
                ("D", 23),
                ("T", 19),
                ("L", 41),
                ("H", 41),
                ("SST", 11),
                ("DM1", 0),
                ("SL", 3),
                ("FM", 0),
                ("R", 12),
                ("RES", 2),
                ("A", 3),
                ("Script", 8),
                ("M", 25),
                ("N", 6),
                ("B", 3),
            ]
        );
    }

    #[test]
    fn time_out_signals_have_positive_defaults() {
        for (p, d) in all_items() {
            if let Some(SignalType::TimeOut {
                default: Timeout::Millis(ms),
            }) = d.signal
            {
                assert!(ms > 0, "{}/{}", p.name, d.name);
            }
        }
    }

    #[test]
    fn packages_with_time_out_signals_have_oc_and_of() {
        // RFC 3435 §6.6.1, RFC 3660 §1.2.2.
        for p in PACKAGES {
            if p.has_time_out_signals() {
                for name in ["oc", "of"] {
                    let d = p.item(name).unwrap_or_else(|| panic!("{}/{name}", p.name));
                    assert!(d.detectable && !d.is_signal(), "{}/{name}", p.name);
                }
            }
        }
        assert!(!package("M").unwrap().has_time_out_signals());
        assert!(!package("B").unwrap().has_time_out_signals());
        assert!(get("G", "oc").detectable && get("G", "of").detectable);
    }

    #[test]
    fn aliases_point_into_the_same_package() {
        let mut seen = 0;
        for (p, d) in all_items() {
            if let Some(target) = d.alias_of {
                seen += 1;
                let t = p
                    .item(target)
                    .unwrap_or_else(|| panic!("{}/{}", p.name, d.name));
                assert!(
                    t.alias_of.is_none(),
                    "{}/{} aliases an alias",
                    p.name,
                    d.name
                );
            }
        }
        assert_eq!(seen, 6); // G/rbk, T/zz, L/nbz, L/wt1, H/nbz, H/wt1
        assert_eq!(get("L", "nbz").tone, get("L", "ro").tone);
        assert_eq!(get("T", "zz").tone.as_ref(), sit_tone(2));
    }

    #[test]
    fn tones_are_well_formed() {
        for (name, tone) in all_tones() {
            assert!(!tone.steps.is_empty(), "{name}");
            assert!(
                tone.steps.iter().any(|s| !s.frequencies_hz.is_empty()),
                "{name}"
            );
            for s in tone.steps {
                assert!(s.count >= 1 && s.on_ms > 0, "{name}");
                for &f in s.frequencies_hz {
                    match tone.kind {
                        ToneKind::Audio => assert!((300..=3400).contains(&f), "{name}: {f} Hz"),
                        ToneKind::Ringing => assert_eq!(f, 20, "{name}"),
                    }
                }
            }
            if let Some(from) = tone.repeat_from {
                assert!(usize::from(from) < tone.steps.len(), "{name}");
                assert!(tone.cycle_ms().unwrap() > 0, "{name}");
            }
            assert!(tone.level_dbm0 <= 0, "{name}");
        }
    }

    #[test]
    fn dial_tone() {
        let dl = get("L", "dl");
        assert_eq!(
            dl.signal,
            Some(SignalType::TimeOut {
                default: Timeout::Millis(16_000)
            })
        );
        assert!(!dl.detectable);
        let tone = dl.tone.unwrap();
        assert!(tone.is_continuous());
        assert_eq!(tone.steps[0].frequencies_hz, [350, 440]);
        assert_eq!(tone.level_dbm0, -13);
        assert_eq!(get("H", "dl").tone, dl.tone);
        assert!(get("H", "dl").detectable);
    }

    #[test]
    fn ringing() {
        let rg = get("L", "rg");
        assert_eq!(
            rg.signal.and_then(SignalType::default_timeout),
            Some(Timeout::Millis(180_000))
        );
        let tone = rg.tone.unwrap();
        assert_eq!(tone.kind, ToneKind::Ringing);
        assert_eq!((tone.steps[0].on_ms, tone.steps[0].off_ms), (2000, 4000));
        assert_eq!(tone.cycle_ms(), Some(6000));
        assert!(tone.repeats() && !tone.is_continuous());
        for n in 0..8 {
            let name = format!("r{n}");
            let r = get("L", &name);
            assert_eq!(r.signal, rg.signal, "{name}");
            assert!(r.parameters.contains("rep="), "{name}");
        }
        assert_eq!(get("L", "r0").tone, rg.tone);
        assert_eq!(get("L", "r2").tone.unwrap().first_pass_ms(), 6000);
        assert_eq!(get("L", "r3").tone.unwrap().first_pass_ms(), 6000);
        assert_eq!(get("L", "r4").tone.unwrap().first_pass_ms(), 6000);
        assert_eq!(get("L", "rs").signal, Some(SignalType::Brief));
        assert!(!get("L", "rs").tone.unwrap().repeats());
    }

    #[test]
    fn busy_and_reorder() {
        let bz = get("L", "bz").tone.unwrap();
        assert_eq!(bz.steps[0].frequencies_hz, [480, 620]);
        assert_eq!((bz.steps[0].on_ms, bz.steps[0].off_ms), (500, 500));
        assert_eq!(bz.level_dbm0, -24);
        assert_eq!(get("T", "bz").tone, Some(bz));
        let ro = get("L", "ro").tone.unwrap();
        assert_eq!((ro.steps[0].on_ms, ro.steps[0].off_ms), (250, 250));
        assert_eq!(get("G", "cg").tone, Some(ro));
        assert_eq!(
            get("L", "ro").signal,
            Some(SignalType::TimeOut {
                default: Timeout::Millis(30_000)
            })
        );
    }

    #[test]
    fn generic_media() {
        let rt = get("G", "rt");
        assert!(rt.on_connection && !rt.detectable);
        assert_eq!(rt.tone.unwrap().steps[0].frequencies_hz, [440, 480]);
        assert_eq!(rt.tone.unwrap().cycle_ms(), Some(6000));
        let cf = get("G", "cf").tone.unwrap();
        assert!(!cf.repeats());
        assert_eq!(cf.first_pass_ms(), 600);
        assert!(get("G", "ld").detectable && get("G", "ld").on_connection);
        assert_eq!(get("G", "it").signal, Some(TO_INFINITE));
    }

    #[test]
    fn dtmf_digits() {
        let d = package("D").unwrap();
        let low = [697, 770, 852, 941];
        let high = [1209, 1336, 1477, 1633];
        let keypad = ["123A", "456B", "789C", "*0#D"];
        for (row, keys) in keypad.iter().enumerate() {
            for (col, key) in keys.chars().enumerate() {
                let def = d.item(&key.to_string()).unwrap();
                assert!(def.detectable, "D/{key}");
                assert_eq!(def.signal, Some(SignalType::Brief), "D/{key}");
                let tone = def.tone.unwrap();
                assert_eq!(
                    tone.steps[0].frequencies_hz,
                    [low[row], high[col]],
                    "D/{key}"
                );
                assert!(tone.steps[0].on_ms >= 50 && tone.steps[0].off_ms >= 45);
            }
        }
        assert_eq!(
            get("D", "T").signal,
            Some(SignalType::TimeOut {
                default: Timeout::Millis(16_000)
            })
        );
        assert!(get("D", "L").detectable && !get("D", "L").is_signal());
        assert_eq!(get("D", "do").signal, Some(SignalType::OnOff));
        assert_eq!(
            get("D", "dd").signal,
            Some(SignalType::TimeOut {
                default: Timeout::Millis(3000)
            })
        );
    }

    #[test]
    fn line_events() {
        for name in ["hd", "hu"] {
            let d = get("L", name);
            assert!(d.detectable && d.event_state && !d.is_signal() && !d.persistent);
        }
        assert!(get("L", "hf").detectable && !get("L", "hf").event_state);
        assert_eq!(get("L", "ci").signal, Some(SignalType::Brief));
        assert_eq!(get("L", "vmwi").signal, Some(SignalType::OnOff));
        assert_eq!(
            get("L", "osi").signal,
            Some(SignalType::TimeOut {
                default: Timeout::Millis(900)
            })
        );
        assert_eq!(
            get("L", "wt").signal,
            Some(SignalType::TimeOut {
                default: Timeout::Millis(12_000)
            })
        );
        assert_eq!(get("L", "ot").signal, Some(TO_INFINITE));
        assert_eq!(
            get("L", "ot")
                .signal
                .and_then(SignalType::default_timeout_ms),
            None
        );
        assert_eq!(
            get("L", "wt")
                .signal
                .and_then(SignalType::default_timeout_ms),
            Some(12_000)
        );
        assert_eq!(
            get("L", "ot").tone.unwrap().steps[0].frequencies_hz,
            [1400, 2060, 2450, 2600]
        );
        // Two call-waiting bursts fit the default 12 s time-out, not three.
        let wt = get("L", "wt").tone.unwrap();
        let period = wt.cycle_ms().unwrap();
        assert!(period < 12_000 && 2 * period > 12_000);
        let mwi = get("L", "mwi").tone.unwrap();
        assert_eq!(mwi.steps[0].count, 10);
        assert_eq!(mwi.repeat_from, Some(1));
        assert!(get("H", "hd").is_signal() && get("H", "hd").event_state);
    }

    #[test]
    fn special_information_tones() {
        assert_eq!(SIT_TONES.len(), 7);
        assert!(sit_tone(0).is_none() && sit_tone(8).is_none());
        for n in 1..=7 {
            let t = sit_tone(n).unwrap();
            assert_eq!(t.steps.len(), 3);
            assert_eq!(t.steps[2].frequencies_hz, [1777]);
            assert_eq!((t.steps[2].on_ms, t.steps[2].off_ms), (380, 1000));
            for s in &t.steps[..2] {
                assert!(matches!(s.on_ms, 274 | 380));
            }
            // About 2 s in all, which the TO 2 s default covers.
            assert!((1900..=2200).contains(&t.first_pass_ms()), "sit({n})");
        }
        assert_eq!(get("L", "sit").tone.as_ref(), sit_tone(3));
        assert!(get("T", "sit").tone.is_none());
    }

    #[test]
    fn trunk_and_rtp() {
        assert_eq!(
            get("T", "co1").tone.unwrap().steps[0].frequencies_hz,
            [2010]
        );
        assert_eq!(
            get("T", "co2").tone.unwrap().steps[0].frequencies_hz,
            [1780]
        );
        assert_eq!(get("R", "co1").tone, get("T", "co1").tone);
        for (p, d) in package("R").unwrap().items.iter().map(|d| ("R", d)) {
            if d.name != "oc" && d.name != "of" {
                assert!(d.on_connection && d.detectable, "{p}/{}", d.name);
            }
        }
        assert_eq!(get("T", "bl").signal, Some(SignalType::Brief));
        assert!(!get("T", "bl").detectable);
        assert_eq!(get("A", "ann").signal, Some(TO_VARIABLE));
        assert_eq!(
            get("SL", "s").signal.and_then(SignalType::default_timeout),
            Some(Timeout::Variable)
        );
    }

    #[test]
    fn nothing_is_persistent_by_rfc() {
        assert!(all_items().all(|(_, d)| !d.persistent));
    }
}
