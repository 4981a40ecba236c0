//! The dial plan: dialled digits → a line of the directory or a trunk
//! group, and the digit map that lets gateways collect exactly those
//! numbers (RFC 3435 §2.1.5; RFC 2705 §2.1.5 shows a dial plan becoming
//! `(0T|00T|[1-7]xxx|8xxxxxxx|#xxxxxxx|*xx|91xxxxxxxxxx|9011x.T)`).

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use crate::config::AgentConfig;

/// Where dialled digits lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A number of the directory (index into the directory).
    Number(usize),
    /// A trunk group (index into the configuration's groups), with the
    /// digits after the prefix.
    Trunk {
        /// The group.
        group: usize,
        /// The number passed on.
        number: String,
    },
    /// Nothing answers it.
    Unknown,
}

/// The compiled dial plan: a hash lookup for numbers, the routes sorted by
/// prefix length (longest first).
#[derive(Debug, Clone)]
pub struct DialPlan {
    numbers: HashMap<String, usize>,
    routes: Vec<(String, usize, Option<u32>)>,
    digit_map: String,
}

impl DialPlan {
    /// Builds the plan; `Err` names a route to an unknown trunk group.
    pub fn new(config: &AgentConfig) -> Result<DialPlan, String> {
        let mut numbers = HashMap::with_capacity(config.lines.len());
        for (i, l) in config.lines.iter().enumerate() {
            if numbers.insert(l.number.clone(), i).is_some() {
                return Err(format!("number {} is in the directory twice", l.number));
            }
        }
        let mut routes = Vec::new();
        for r in &config.routes {
            let group = config
                .trunk_groups
                .iter()
                .position(|g| g.name == r.group)
                .ok_or_else(|| {
                    format!("route {} names unknown trunk group {}", r.prefix, r.group)
                })?;
            routes.push((r.prefix.clone(), group, r.digits));
        }
        routes.sort_by_key(|(p, _, _)| std::cmp::Reverse(p.len()));
        let digit_map = config
            .digit_map
            .clone()
            .unwrap_or_else(|| generate_digit_map(config));
        Ok(DialPlan {
            numbers,
            routes,
            digit_map,
        })
    }

    /// Where `digits` lead (a trailing `T`, the inter-digit timer, is
    /// ignored).
    pub fn lookup(&self, digits: &str) -> Destination {
        let digits = digits.trim_end_matches(['T', 't']);
        if let Some(&i) = self.numbers.get(digits) {
            return Destination::Number(i);
        }
        for (prefix, group, len) in &self.routes {
            if let Some(rest) = digits.strip_prefix(prefix.as_str()) {
                let fits = len.is_none_or(|n| rest.len() == n as usize);
                if fits && !rest.is_empty() {
                    return Destination::Trunk {
                        group: *group,
                        number: rest.to_string(),
                    };
                }
            }
        }
        Destination::Unknown
    }

    /// The digit map sent to lines.
    pub fn digit_map(&self) -> &str {
        &self.digit_map
    }
}

/// The digit map for a directory and its routes: numbers of one length
/// share an alternative (`[1-4]xxx` style, listing their first digits),
/// each route adds `prefix` + one `x` per digit (or `x.T` when the length
/// varies).
pub fn generate_digit_map(config: &AgentConfig) -> String {
    let mut by_length: BTreeMap<usize, Vec<char>> = BTreeMap::new();
    let mut literal = Vec::new();
    for l in &config.lines {
        let mut chars = l.number.chars();
        match chars.next() {
            Some(c) if c.is_ascii_digit() && chars.all(|c| c.is_ascii_digit()) => {
                let firsts = by_length.entry(l.number.len()).or_default();
                if !firsts.contains(&c) {
                    firsts.push(c);
                }
            }
            Some(_) => literal.push(l.number.clone()),
            None => {}
        }
    }
    let mut alternatives: Vec<String> = Vec::new();
    for (len, mut firsts) in by_length {
        firsts.sort_unstable();
        let head = if firsts.len() == 1 {
            firsts[0].to_string()
        } else {
            format!("[{}]", firsts.iter().collect::<String>())
        };
        alternatives.push(format!("{head}{}", "x".repeat(len - 1)));
    }
    alternatives.extend(literal);
    for r in &config.routes {
        alternatives.push(match r.digits {
            Some(n) => format!("{}{}", r.prefix, "x".repeat(n as usize)),
            None => format!("{}x.T", r.prefix),
        });
    }
    if alternatives.is_empty() {
        alternatives.push("x.T".into());
    }
    format!("({})", alternatives.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{LineEntry, Route, TrunkGroup};

    fn config() -> AgentConfig {
        let line = |n: &str, e: &str| LineEntry {
            number: n.into(),
            endpoint: e.into(),
            call_waiting: true,
        };
        AgentConfig {
            lines: vec![
                line("1001", "aaln/1@a"),
                line("2001", "aaln/2@a"),
                line("4001", "aaln/3@a"),
                line("80000001", "aaln/4@a"),
                line("#1234567", "aaln/5@a"),
            ],
            trunk_groups: vec![TrunkGroup {
                name: "pstn".into(),
                endpoints: "ds/ds1-1/{n}@b".into(),
                count: 2,
                start: 1,
            }],
            routes: vec![
                Route {
                    prefix: "91".into(),
                    group: "pstn".into(),
                    digits: Some(10),
                },
                Route {
                    prefix: "9011".into(),
                    group: "pstn".into(),
                    digits: None,
                },
            ],
            ..AgentConfig::default()
        }
    }

    #[test]
    fn rfc2705_s2_1_5_dial_plan_becomes_a_digit_map() {
        let plan = DialPlan::new(&config()).unwrap();
        assert_eq!(
            plan.digit_map(),
            "([124]xxx|8xxxxxxx|#1234567|91xxxxxxxxxx|9011x.T)"
        );
        // The gateways' own parser accepts it.
        mgcp_proto::digit_map::DigitMap::parse(plan.digit_map(), &Default::default()).unwrap();
    }

    #[test]
    fn numbers_and_prefixes_resolve() {
        let plan = DialPlan::new(&config()).unwrap();
        assert_eq!(plan.lookup("2001"), Destination::Number(1));
        assert_eq!(plan.lookup("#1234567"), Destination::Number(4));
        assert_eq!(
            plan.lookup("914155551212"),
            Destination::Trunk {
                group: 0,
                number: "4155551212".into()
            }
        );
        assert_eq!(
            plan.lookup("901133123T"),
            Destination::Trunk {
                group: 0,
                number: "33123".into()
            }
        );
        assert_eq!(plan.lookup("3001"), Destination::Unknown);
        assert_eq!(plan.lookup("91415"), Destination::Unknown);
    }

    #[test]
    fn the_built_in_plan_is_a_valid_digit_map() {
        let plan = DialPlan::new(&AgentConfig::default()).unwrap();
        assert_eq!(plan.digit_map(), "(1xxx|9xxxxxxx)");
        mgcp_proto::digit_map::DigitMap::parse(plan.digit_map(), &Default::default()).unwrap();
    }

    #[test]
    fn a_route_to_a_missing_group_is_refused() {
        let mut c = config();
        c.routes[0].group = "nope".into();
        assert!(DialPlan::new(&c).unwrap_err().contains("nope"));
    }
}
