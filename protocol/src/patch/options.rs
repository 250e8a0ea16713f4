//! The opt-in leniencies of the PATCH reader and applier, and the record of each one used.
//!
//! RFC 7644 section 3.5.2 is the strict reading. Real identity providers send bodies that break it in a few
//! well-known ways (capitalised `op`, `"False"` for `false`, dotted keys in path-less values, remove with a value
//! list, a bare string for the manager, a replace that expects a missing filtered element to be created). A
//! server that wants to work with them accepts these shapes one by one, and the harness wants to know which were
//! needed: every leniency that changed the reading of a request is recorded as a [`LeniencyUse`].

use std::fmt;

/// Which readings beyond RFC 7644 section 3.5.2 the PATCH reader and applier accept. All off in
/// [`PatchOptions::strict`] (the RFC), all on in [`PatchOptions::lenient`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PatchOptions {
    /// `op` in any case (`"Replace"`, `"ADD"`): Entra ID's default dialect capitalises it.
    pub op_any_case: bool,
    /// The strings `"True"` / `"False"` (any case) where a boolean is expected, including `primary` inside
    /// elements: Entra ID's default `active` PATCH sends them.
    pub string_booleans: bool,
    /// Path-less value objects may use dotted keys (`name.givenName`, `urn:...:User:manager.value`), each read as
    /// a path: Entra ID with the `aadOptscim062020` flag.
    pub dotted_keys: bool,
    /// `remove` with a `value` array on a multi-valued attribute removes the elements whose `value` is listed:
    /// Entra ID's default member removal, and JumpCloud's.
    pub remove_value_list: bool,
    /// A bare scalar where a complex value with a `value` sub-attribute belongs becomes `{"value": scalar}`, and a
    /// one-element array where a singular complex value belongs becomes that element: Entra ID's manager.
    pub scalar_for_complex: bool,
    /// A `replace` whose value filter matches nothing creates the element, as `add` does.
    pub replace_creates_filtered: bool,
}

impl PatchOptions {
    /// RFC 7644 section 3.5.2 as written: no leniency.
    pub fn strict() -> Self {
        PatchOptions::default()
    }

    /// Every leniency on: what a server that wants to serve Entra ID, Okta and JumpCloud accepts.
    pub fn lenient() -> Self {
        PatchOptions {
            op_any_case: true,
            string_booleans: true,
            dotted_keys: true,
            remove_value_list: true,
            scalar_for_complex: true,
            replace_creates_filtered: true,
        }
    }

    /// Whether `leniency` is switched on.
    pub fn allows(&self, leniency: Leniency) -> bool {
        match leniency {
            Leniency::OpCase => self.op_any_case,
            Leniency::StringBoolean => self.string_booleans,
            Leniency::DottedKey => self.dotted_keys,
            Leniency::RemoveValueList => self.remove_value_list,
            Leniency::ScalarForComplex => self.scalar_for_complex,
            Leniency::ReplaceCreatesFiltered => self.replace_creates_filtered,
        }
    }
}

/// One reading beyond the RFC; each corresponds to a field of [`PatchOptions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Leniency {
    /// [`PatchOptions::op_any_case`].
    OpCase,
    /// [`PatchOptions::string_booleans`].
    StringBoolean,
    /// [`PatchOptions::dotted_keys`].
    DottedKey,
    /// [`PatchOptions::remove_value_list`].
    RemoveValueList,
    /// [`PatchOptions::scalar_for_complex`].
    ScalarForComplex,
    /// [`PatchOptions::replace_creates_filtered`].
    ReplaceCreatesFiltered,
}

impl Leniency {
    /// The name of the [`PatchOptions`] field that switches this leniency on.
    pub fn option_name(self) -> &'static str {
        match self {
            Leniency::OpCase => "op_any_case",
            Leniency::StringBoolean => "string_booleans",
            Leniency::DottedKey => "dotted_keys",
            Leniency::RemoveValueList => "remove_value_list",
            Leniency::ScalarForComplex => "scalar_for_complex",
            Leniency::ReplaceCreatesFiltered => "replace_creates_filtered",
        }
    }
}

impl fmt::Display for Leniency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.option_name())
    }
}

/// A leniency that changed how one operation was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeniencyUse {
    /// Which leniency.
    pub leniency: Leniency,
    /// The index of the operation in `Operations`.
    pub operation: usize,
    /// What was read differently, for example `op "Replace" read as "replace"`.
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Leniency; 6] = [
        Leniency::OpCase,
        Leniency::StringBoolean,
        Leniency::DottedKey,
        Leniency::RemoveValueList,
        Leniency::ScalarForComplex,
        Leniency::ReplaceCreatesFiltered,
    ];

    #[test]
    fn strict_allows_nothing_and_lenient_everything() {
        for l in ALL {
            assert!(!PatchOptions::strict().allows(l), "{l}");
            assert!(PatchOptions::lenient().allows(l), "{l}");
        }
    }

    #[test]
    fn each_option_switches_exactly_its_leniency() {
        for l in ALL {
            let mut o = PatchOptions::strict();
            match l {
                Leniency::OpCase => o.op_any_case = true,
                Leniency::StringBoolean => o.string_booleans = true,
                Leniency::DottedKey => o.dotted_keys = true,
                Leniency::RemoveValueList => o.remove_value_list = true,
                Leniency::ScalarForComplex => o.scalar_for_complex = true,
                Leniency::ReplaceCreatesFiltered => o.replace_creates_filtered = true,
            }
            assert_eq!(ALL.iter().filter(|x| o.allows(**x)).collect::<Vec<_>>(), [&l]);
        }
    }
}
