//! PackageList (`PL:`, RFC 3435 §3.2.2.13): `PL: L:1, G:1, D:0`.

use core::fmt;

use crate::text;

/// A validated list of `package:version` pairs.
#[derive(Debug, Clone, Copy, Eq, Hash)]
pub struct PackageList<'a> {
    raw: &'a str,
}

impl<'a> PackageList<'a> {
    /// Validates the list.
    pub fn parse(raw: &'a str) -> Option<PackageList<'a>> {
        let raw = text::trim_wsp(raw);
        let ok = !raw.is_empty() && raw.split(',').all(|p| parse_item(p).is_some());
        ok.then_some(PackageList { raw })
    }

    /// The `(package, version)` pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, u32)> + use<'a> {
        self.raw.split(',').filter_map(parse_item)
    }
}

fn parse_item(p: &str) -> Option<(&str, u32)> {
    let (name, version) = p.split_once(':')?;
    let name = text::trim_wsp(name);
    let version = text::parse_decimal(text::trim_wsp(version).as_bytes(), 9)?;
    crate::event::is_token(name).then_some((name, version))
}

impl PartialEq for PackageList<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl fmt::Display for PackageList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (n, v)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{n}:{v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let p = PackageList::parse("L:1, G:1,D:0").unwrap();
        assert_eq!(
            p.iter().collect::<Vec<_>>(),
            vec![("L", 1), ("G", 1), ("D", 0)]
        );
        assert!(PackageList::parse("L").is_none());
        assert!(PackageList::parse("L:x").is_none());
    }
}
