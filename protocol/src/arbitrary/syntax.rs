//! proptest strategies: syntax (being written).
