//! The load section of a RunReport, typed (see [`section`]), with its histograms ([`histogram`]) and charts
//! ([`charts`]).

pub mod charts;
pub mod histogram;
pub mod section;

pub use charts::{Chart, Series, charts, nines};
pub use histogram::{HIGHEST_US, HistogramDoc, LOWEST_US, SIGFIG, new_histogram};
pub use section::{
    CleanupDoc, CreatedDoc, LOAD_FORMAT, LaneDoc, LoadSection, OpDoc, Percentiles, ShardDoc, TimelineDoc, VerifyDoc,
};
