//! proptest strategies: patch (being written).
