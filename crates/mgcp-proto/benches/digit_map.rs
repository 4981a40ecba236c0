//! Digit map benchmarks: compiling a CallManager-sized map, and a gateway
//! stepping a million lines through it one dialled digit at a time.
//!
//! ns per step = time per iteration / the element count criterion shows.

// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mgcp_proto::digit_map::{DigitMap, DigitMapOptions, MatchState, Outcome, Symbol, validate};

/// A North American plan the way a Cisco Call Agent sends it: 30
/// alternatives, overlapping prefixes, ranges, loops and timers.
const CISCO_MAP: &str = "(0T|00T|911|9911|9[2-8]11|*[2-9]x|*[2-9]xx|#[2-9]x|[2-7]xxx\
|8[2-9]xxxxx|91[2-9]xx[2-9]xxxxxx|9[2-9]xxxxxx|1[2-9]xx[2-9]xxxxxx|011x.T|9011x.T\
|101xxxx1[2-9]xx[2-9]xxxxxx|1800[2-9]xxxxxx|1888[2-9]xxxxxx|1877[2-9]xxxxxx\
|1866[2-9]xxxxxx|1900[2-9]xxxxxx|*6[0-9]|*7[0-9]|*8[0-9]|**x|#x.T|A[0-9]x|B[0-9]x|C#|D)";

/// An extension, a local number and a long-distance number; each completes
/// on its last digit.
const NUMBERS: [&str; 3] = ["2345", "8234567", "14085551234"];

const LINES: usize = 1_000_000;

fn symbols(number: &str) -> Vec<Symbol> {
    number
        .chars()
        .map(|c| Symbol::from_char(c).expect("a DTMF digit"))
        .collect()
}

/// Every line dials one digit per round, as events arrive interleaved on a
/// busy gateway; returns how many lines notified.
fn dial_all_lines(map: &DigitMap, numbers: &[Vec<Symbol>], states: &mut [MatchState]) -> usize {
    states.fill(map.start());
    let longest = numbers.iter().map(Vec::len).max().unwrap_or(0);
    let mut notified = 0;
    for round in 0..longest {
        for lines in states.chunks_mut(numbers.len()) {
            for (state, number) in lines.iter_mut().zip(numbers) {
                if let Some(&symbol) = number.get(round) {
                    let (next, outcome) = map.step(*state, symbol);
                    *state = next;
                    notified += usize::from(outcome.is_final());
                }
            }
        }
    }
    notified
}

fn total_steps(numbers: &[Vec<Symbol>]) -> usize {
    (0..LINES)
        .map(|line| numbers[line % numbers.len()].len())
        .sum()
}

fn compile(c: &mut Criterion) {
    let map = DigitMap::parse(CISCO_MAP, &DigitMapOptions::default()).expect("valid map");
    eprintln!(
        "cisco map: {} alternatives, {} bytes, {} states",
        map.alternative_count(),
        CISCO_MAP.len(),
        map.state_count()
    );
    c.bench_function("digit_map/compile_cisco_30", |b| {
        b.iter(|| {
            DigitMap::parse(black_box(CISCO_MAP), &DigitMapOptions::default()).expect("valid map")
        })
    });
    c.bench_function("digit_map/validate_cisco_30", |b| {
        b.iter(|| validate(black_box(CISCO_MAP), &DigitMapOptions::default()))
    });
}

fn dial(c: &mut Criterion) {
    let map = DigitMap::parse(CISCO_MAP, &DigitMapOptions::default()).expect("valid map");
    let numbers: Vec<Vec<Symbol>> = NUMBERS.iter().map(|n| symbols(n)).collect();
    for number in NUMBERS {
        assert_eq!(map.match_str(number), Outcome::Full, "{number}");
    }
    let mut states = vec![map.start(); LINES];
    assert_eq!(dial_all_lines(&map, &numbers, &mut states), LINES);

    let mut group = c.benchmark_group("digit_map");
    group.sample_size(20);
    group.throughput(Throughput::Elements(total_steps(&numbers) as u64));
    group.bench_function("dial_1m_lines_4_7_11_digits", |b| {
        b.iter(|| dial_all_lines(&map, &numbers, black_box(&mut states)))
    });
    group.finish();

    let eleven = symbols(NUMBERS[2]);
    let mut group = c.benchmark_group("digit_map");
    group.throughput(Throughput::Elements(eleven.len() as u64));
    group.bench_function("one_line_11_digits", |b| {
        b.iter(|| {
            let mut state = map.start();
            let mut outcome = state.outcome();
            for &symbol in &eleven {
                (state, outcome) = map.step(state, black_box(symbol));
            }
            outcome
        })
    });
    group.finish();
}

criterion_group!(benches, compile, dial);
criterion_main!(benches);
