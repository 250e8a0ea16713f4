//! Plot-ready chart data for the load section (latency by percentile, mean latency and throughput over time):
//! computed by the reports crate from the typed section ([`scimlab_reports::load::charts`]) and re-exported here.

pub use scimlab_reports::load::{Chart, Series, charts, nines};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{Op, Recorder, Slot};
    use std::time::Instant;

    #[test]
    fn nines_place_the_usual_percentiles_on_integers() {
        assert_eq!(nines(0.0), 0.0);
        assert!((nines(0.9) - 1.0).abs() < 1e-9);
        assert!((nines(0.999) - 3.0).abs() < 1e-9);
    }

    #[test]
    fn charts_cover_every_measured_operation() {
        let mut r = Recorder::new(1, Instant::now(), true);
        for v in 1..=2000u64 {
            r.response(Slot { lane: 0, op: Op::Get }, v * 10, 200, None, 0);
        }
        let ops = r.into_ops();
        let docs = crate::report::op_docs(&ops, &[], 1000.0);
        let c = charts(&docs);
        assert_eq!(c.len(), 3);
        let p = &c[0].series[0].points;
        // 2,000 samples resolve p99.9 but not p99.99.
        assert_eq!(p.len(), 9);
        assert!(p.windows(2).all(|w| w[0][1] <= w[1][1]), "latency never falls with the percentile");
        assert_eq!(c[2].series[0].points.iter().map(|p| p[1]).sum::<f64>() * 0.1, 2000.0);
    }
}
