//! The registry: every family of deviations, in the order `scimlab serve --fault list` shows them, composed into
//! one [`Deviation`] type, and the [`DeviationSet`] a server checks them in.
//!
//! A new family is a file under `faults/` declared with `family!`, its `pub mod` line in `faults.rs`, and one
//! line below.

registry! {
    resource::Resource,
    query::Query,
    write::Write,
    discovery::Discovery,
    http::Http,
    profile::Profile,
    lifecycle::Lifecycle,
    race::Race,
    roles::Roles,
    transport::Transport,
}

impl Deviation {
    /// The deviation with this name, in any case.
    pub fn from_name(name: &str) -> Option<Deviation> {
        Deviation::all().find(|d| d.name().eq_ignore_ascii_case(name.trim()))
    }
}

impl std::fmt::Display for Deviation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How many 64-bit words hold one bit per deviation.
const WORDS: usize = COUNT.div_ceil(64);

/// A set of deviations, one bit per [`Deviation::index`]: a lookup is a load, a shift and a mask, with no lock,
/// hashing or allocation, since the server asks on every request (some thirty thousand a second under load).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviationSet([u64; WORDS]);

impl Default for DeviationSet {
    fn default() -> Self {
        DeviationSet([0; WORDS])
    }
}

impl DeviationSet {
    /// Adds `d`.
    pub fn insert(&mut self, d: Deviation) {
        let i = d.index();
        if let Some(word) = self.0.get_mut(i / 64) {
            *word |= 1 << (i % 64);
        }
    }

    /// Whether `d` is in the set.
    #[inline]
    pub fn contains(&self, d: Deviation) -> bool {
        let i = d.index();
        self.0.get(i / 64).is_some_and(|word| word >> (i % 64) & 1 == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_numbers_follow_the_listing() {
        let mut names: Vec<&str> = Deviation::all().map(Deviation::name).collect();
        assert_eq!(names.len(), COUNT);
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), COUNT, "a name is used twice");
        for (i, d) in Deviation::all().enumerate() {
            assert_eq!(d.index(), i, "{d}");
            assert_eq!(Deviation::from_name(&d.name().to_uppercase()), Some(d));
        }
    }

    #[test]
    fn a_set_holds_exactly_what_was_inserted() {
        let mut set = DeviationSet::default();
        let picked: Vec<Deviation> = Deviation::all().step_by(7).collect();
        for &d in &picked {
            set.insert(d);
        }
        for d in Deviation::all() {
            assert_eq!(set.contains(d), picked.contains(&d), "{d}");
        }
    }
}
