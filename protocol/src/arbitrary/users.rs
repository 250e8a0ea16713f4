//! proptest strategies: users (being written).
