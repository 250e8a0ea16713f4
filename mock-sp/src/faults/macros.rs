//! The two macros the fault code is declared with: `family!` declares one family of deviations in its own
//! file, `registry!` composes the families into [`super::Deviation`].

/// Declares one family of deviations: an enum with one variant per deviation, each with its command-line name,
/// its one-line description and, for a deviation that takes a number (`data-loss=N`), `(default N)`: the number
/// the bare name means.
///
/// ```text
/// family! {
///     /// What the family bends.
///     pub enum Race {
///         /// Check-then-insert without atomicity.
///         CreateRace = "create-race": "a create looks for the userName, waits 500 ms, then writes ...",
///     }
/// }
/// ```
macro_rules! family {
    (@amount) => {
        None
    };
    (@amount $n:literal) => {
        Some($n)
    };
    (
        $(#[$meta:meta])*
        pub enum $family:ident {
            $($(#[$doc:meta])* $variant:ident = $name:literal $((default $amount:literal))?: $desc:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $family {
            $($(#[$doc])* $variant,)*
        }

        impl $family {
            /// Every deviation of the family, in the order `--fault list` shows them.
            pub const ALL: &[$family] = &[$($family::$variant,)*];

            /// The name used on the command line (`patch-noop`).
            pub fn name(self) -> &'static str {
                match self {
                    $($family::$variant => $name,)*
                }
            }

            /// What the server does wrong, in one line.
            pub fn description(self) -> &'static str {
                match self {
                    $($family::$variant => $desc,)*
                }
            }

            /// For a deviation that takes a number (`data-loss=N`), the number the bare name means; `None` for
            /// the others.
            pub fn default_amount(self) -> Option<u64> {
                match self {
                    $($family::$variant => family!(@amount $($amount)?),)*
                }
            }
        }
    };
}

/// Composes the families (`module::Family`, in `--fault list` order) into [`super::Deviation`], numbers every
/// deviation from 0 (family by family, in declaration order) for [`super::DeviationSet`], and lists them all.
macro_rules! registry {
    ($($module:ident::$family:ident,)*) => {
        $(use super::$module::$family;)*

        /// A rule the mock SP can be told to break (`--fault NAME`), so that the check guarding the rule can be
        /// shown to fail: one deviation of one family. Listed by `scimlab serve --fault list`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Deviation {
            $(
                #[doc = concat!("A deviation of [`", stringify!($module), "`](mod@super::", stringify!($module), ").")]
                $family($family),
            )*
        }

        $(
            impl From<$family> for Deviation {
                fn from(d: $family) -> Deviation {
                    Deviation::$family(d)
                }
            }
        )*

        /// The families, by their place in the registry.
        #[derive(Clone, Copy)]
        enum Slot {
            $($family,)*
        }

        /// How many families there are.
        const FAMILIES: usize = [$(Slot::$family,)*].len();

        /// How many deviations there are.
        pub const COUNT: usize = 0 $(+ $family::ALL.len())*;

        /// The number of each family's first deviation.
        const START: [usize; FAMILIES] = {
            let lengths = [$($family::ALL.len(),)*];
            let mut start = [0; FAMILIES];
            let mut i = 1;
            while i < FAMILIES {
                start[i] = start[i - 1] + lengths[i - 1];
                i += 1;
            }
            start
        };

        impl Deviation {
            /// Every deviation, family by family, in the order `--fault list` shows them.
            pub fn all() -> impl Iterator<Item = Deviation> {
                std::iter::empty()$(.chain($family::ALL.iter().map(|&d| Deviation::$family(d))))*
            }

            /// The deviation's number, from 0 to [`COUNT`] - 1: its place in [`Deviation::all`].
            #[inline]
            pub fn index(self) -> usize {
                match self {
                    $(Deviation::$family(d) => START[Slot::$family as usize] + d as usize,)*
                }
            }

            /// The name used on the command line (`patch-noop`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Deviation::$family(d) => d.name(),)*
                }
            }

            /// What the server does wrong, in one line.
            pub fn description(self) -> &'static str {
                match self {
                    $(Deviation::$family(d) => d.description(),)*
                }
            }

            /// For the deviations that take a number (`data-loss=N`, `reset-under-load=K`), the number the bare
            /// name means; `None` for the others.
            pub fn default_amount(self) -> Option<u64> {
                match self {
                    $(Deviation::$family(d) => d.default_amount(),)*
                }
            }
        }
    };
}
