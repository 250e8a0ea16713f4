//! "Did you mean" for a name that matched nothing (a check id, a fault name): the candidates close to what was
//! typed, by edit distance from the `strsim` crate, or that extend it (a prefix typed to list a family).
//!
//! The distance is optimal string alignment (a swap of two neighbours is one edit, so `dorp` is one from `drop`),
//! and a candidate is close when it is at most a third of the typed length away (at least one edit): rustc's rule
//! for its own suggestions. Jaro-Winkler, which clap uses, scores ids that share a long start (`rfc7644-3.5.2-…`)
//! as similar whatever follows, so it would suggest every check of a section.

/// The candidates worth suggesting for `input`, in the order given, at most five: those `input` is a prefix of
/// (ignoring case) or else the closest of those near it (only the closest: `patch-nop` gets `patch-noop`, not
/// also `patch-204`, three edits away). Empty when nothing is close.
pub fn suggest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let typed = input.trim().to_lowercase();
    if typed.is_empty() {
        return Vec::new();
    }
    let limit = (typed.chars().count() / 3).max(1);
    let scored: Vec<(usize, &'a str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let lower = c.to_lowercase();
            let distance = if lower.starts_with(&typed) { 0 } else { strsim::osa_distance(&typed, &lower) };
            (distance <= limit).then_some((distance, c))
        })
        .collect();
    let Some(best) = scored.iter().map(|(distance, _)| *distance).min() else { return Vec::new() };
    let mut near: Vec<&'a str> = scored.into_iter().filter(|(d, _)| *d == best).map(|(_, c)| c).collect();
    near.dedup();
    near.truncate(5);
    near
}

#[cfg(test)]
mod tests {
    use super::suggest;

    const FAULTS: [&str; 6] = ["latency", "drop", "patch-noop", "patch-ignores-path", "data-loss", "reset-under-load"];

    #[test]
    fn typos_transpositions_and_prefixes_are_suggested() {
        assert_eq!(suggest("latncy", FAULTS), ["latency"]);
        assert_eq!(suggest("patch-nop", ["patch-204", "patch-noop", "patch-501"]), ["patch-noop"]);
        assert_eq!(suggest("Patch-Noop", FAULTS)[0], "patch-noop");
        assert_eq!(suggest("dorp", FAULTS), ["drop"]);
        assert_eq!(suggest("patch", FAULTS), ["patch-noop", "patch-ignores-path"]);
        // Not only prefixes: a typo in the middle of a long id still finds it.
        assert_eq!(
            suggest("rfc7644-3.5.2-pacth-add", ["rfc7644-3.5.2-patch-add", "rfc7643-2.1-x"]),
            ["rfc7644-3.5.2-patch-add"]
        );
    }

    #[test]
    fn nothing_close_suggests_nothing() {
        assert!(suggest("teapot", FAULTS).is_empty());
        assert!(suggest("", FAULTS).is_empty());
        assert!(suggest("zzz", Vec::<&str>::new()).is_empty());
    }
}
