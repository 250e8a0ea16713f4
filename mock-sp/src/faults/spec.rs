//! The `--fault` specs: the transport faults (`latency=`, `429=`, `5xx=`, `drop=`) and the names of the
//! [`Deviation`]s, parsed strictly, with errors that name the bad spec and list every valid one.

use super::Deviation;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// One `--fault` spec, parsed.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// `latency=200ms` or `latency=50ms..300ms`: every response waits a duration drawn uniformly from the range.
    Latency {
        /// Shortest delay.
        min: Duration,
        /// Longest delay (equal to `min` for a fixed delay).
        max: Duration,
    },
    /// `429=10%`, `503=2%:retry-after=30`: this share of requests is answered with `status` and a SCIM Error,
    /// without being processed.
    Status {
        /// 429 or a 5xx code.
        status: u16,
        /// Share of requests, 0 to 100.
        percent: f64,
        /// Seconds for the `Retry-After` header (429 defaults to 1; others send none unless given).
        retry_after: Option<u32>,
    },
    /// `drop=1%`: this share of connections is closed without an answer, before the request is processed.
    Drop {
        /// Share of requests, 0 to 100.
        percent: f64,
    },
    /// A named rule broken on purpose.
    Deviation(Deviation),
    /// A deviation that takes a number, given one: `data-loss=500` (requests before the store is forgotten),
    /// `reset-under-load=2` (requests in flight before the next one is dropped). The bare name takes
    /// [`Deviation::default_amount`].
    Tuned(Deviation, u64),
}

/// A `--fault` spec that could not be read: names the spec, what was wrong, and every valid form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault {spec:?}: {problem}\nvalid faults: {}", valid_faults())]
pub struct FaultSpecError {
    /// The spec as given.
    pub spec: String,
    /// What was wrong with it.
    pub problem: String,
}

/// The syntax of the transport faults, one line each, for `--fault list` and error messages.
pub const TRANSPORT_FAULTS: &[(&str, &str)] = &[
    ("latency=DURATION", "delay every response (200ms, 1s, 1m, or a uniform range such as 50ms..300ms)"),
    ("429=P%[:retry-after=S]", "answer P% of requests 429 with Retry-After (default 1 s) and a SCIM Error"),
    ("5xx=P%[:retry-after=S]", "answer P% of requests with that 5xx status (500..599) and a SCIM Error"),
    ("drop=P%", "close P% of connections without any response"),
];

/// Every valid spec form, comma-separated.
pub fn valid_faults() -> String {
    let transport = TRANSPORT_FAULTS.iter().map(|(s, _)| *s);
    transport.chain(Deviation::all().map(Deviation::name)).collect::<Vec<_>>().join(", ")
}

impl FromStr for Fault {
    type Err = FaultSpecError;

    fn from_str(spec: &str) -> Result<Fault, FaultSpecError> {
        let bad = |problem: String| FaultSpecError { spec: spec.to_owned(), problem };
        let s = spec.trim();
        let Some((key, value)) = s.split_once('=') else {
            return Deviation::from_name(s).map(Fault::Deviation).ok_or_else(|| {
                let names = Deviation::all().map(Deviation::name);
                bad(format!("{s:?} is neither a KIND=VALUE fault nor a deviation name{}", did_you_mean(s, names)))
            });
        };
        let (key, value) = (key.trim(), value.trim());
        if let Some(d) = Deviation::from_name(key) {
            if d.default_amount().is_none() {
                return Err(bad(format!("the deviation {:?} takes no value; give its name alone", d.name())));
            }
            return match value.parse::<u64>() {
                Ok(n) if n >= 1 => Ok(Fault::Tuned(d, n)),
                _ => Err(bad(format!("{} needs a whole number from 1 ({}=N)", d.name(), d.name()))),
            };
        }
        if key.eq_ignore_ascii_case("latency") {
            let (min, max) = match value.split_once("..") {
                Some((a, b)) => (parse_duration(a).map_err(&bad)?, parse_duration(b).map_err(&bad)?),
                None => {
                    let d = parse_duration(value).map_err(&bad)?;
                    (d, d)
                }
            };
            if min > max {
                return Err(bad(format!("the range {value:?} ends before it starts")));
            }
            return Ok(Fault::Latency { min, max });
        }
        if key.eq_ignore_ascii_case("drop") {
            return Ok(Fault::Drop { percent: parse_percent(value).map_err(&bad)? });
        }
        let status: u16 = match key.parse() {
            Ok(code) if code == 429 || (500..=599).contains(&code) => code,
            Ok(code) => return Err(bad(format!("status {code} cannot be injected; use 429 or 500..599"))),
            Err(_) => {
                let tuned = Deviation::all().filter(|d| d.default_amount().is_some()).map(Deviation::name);
                let kinds = ["latency", "drop"].into_iter().chain(tuned);
                return Err(bad(format!("unknown fault kind {key:?}{}", did_you_mean(key, kinds))));
            }
        };
        let (share, option) = match value.split_once(':') {
            Some((p, o)) => (p, Some(o.trim())),
            None => (value, None),
        };
        let percent = parse_percent(share).map_err(&bad)?;
        let retry_after = match option {
            None => (status == 429).then_some(1),
            Some(o) => {
                let secs = o
                    .strip_prefix("retry-after=")
                    .ok_or_else(|| bad(format!("unknown option {o:?}; the one option is retry-after=SECONDS")))?;
                Some(
                    secs.trim()
                        .parse::<u32>()
                        .map_err(|_| bad(format!("retry-after {secs:?} is not whole seconds")))?,
                )
            }
        };
        Ok(Fault::Status { status, percent, retry_after })
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Latency { min, max } if min == max => write!(f, "latency={}ms", min.as_millis()),
            Fault::Latency { min, max } => write!(f, "latency={}ms..{}ms", min.as_millis(), max.as_millis()),
            Fault::Status { status, percent, retry_after: Some(r) } => write!(f, "{status}={percent}%:retry-after={r}"),
            Fault::Status { status, percent, retry_after: None } => write!(f, "{status}={percent}%"),
            Fault::Drop { percent } => write!(f, "drop={percent}%"),
            Fault::Deviation(d) => f.write_str(d.name()),
            Fault::Tuned(d, n) => write!(f, "{}={n}", d.name()),
        }
    }
}

/// A latency bound: any duration [`scimlab_protocol::duration`] reads (`200ms`, `1.5s`, `1m`), an hour at most
/// (a longer one is a typo: no client waits that long).
fn parse_duration(text: &str) -> Result<Duration, String> {
    match scimlab_protocol::duration::parse(text) {
        Ok(d) if d <= Duration::from_secs(3600) => Ok(d),
        Ok(_) => Err(format!("duration {:?} is over an hour", text.trim())),
        Err(e) => Err(e.to_string()),
    }
}

/// `; did you mean X?` (or `X or Y`) when some of `names` are close to `typed`, else nothing.
fn did_you_mean<'a>(typed: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    match scimlab_protocol::suggest::suggest(typed, names).as_slice() {
        [] => String::new(),
        near => format!("; did you mean {}?", near.join(" or ")),
    }
}

/// `10%`, `0.5%`: a share from 0 to 100, the `%` required.
fn parse_percent(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let n = t.strip_suffix('%').ok_or_else(|| format!("share {t:?} needs a % sign (10%)"))?;
    match n.trim().parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("share {t:?} is not a percentage from 0% to 100%")),
    }
}

/// Parses every `--fault` spec and checks they fit together: at most one latency, and the shares of the
/// request-answering faults (429, 5xx, drop) add up to 100% at most, since one roll of the dice picks among them.
pub fn parse_faults<S: AsRef<str>>(specs: &[S]) -> Result<Vec<Fault>, FaultSpecError> {
    let faults = specs.iter().map(|s| s.as_ref().parse()).collect::<Result<Vec<Fault>, _>>()?;
    let joined = || specs.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(" ");
    if faults.iter().filter(|f| matches!(f, Fault::Latency { .. })).count() > 1 {
        return Err(FaultSpecError { spec: joined(), problem: "latency is given more than once".into() });
    }
    let total: f64 = faults.iter().filter_map(Fault::share).sum();
    if total > 100.0 {
        return Err(FaultSpecError { spec: joined(), problem: format!("the shares add up to {total}%, over 100%") });
    }
    Ok(faults)
}

impl Fault {
    /// The deviation this spec turns on, if it names one.
    pub fn deviation(&self) -> Option<Deviation> {
        match self {
            Fault::Deviation(d) | Fault::Tuned(d, _) => Some(*d),
            _ => None,
        }
    }

    /// The share of requests a request-answering fault (429, 5xx, drop) takes.
    fn share(&self) -> Option<f64> {
        match self {
            Fault::Status { percent, .. } | Fault::Drop { percent } => Some(*percent),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::transport::Transport;
    use crate::faults::write::Write;

    #[test]
    fn specs_parse_and_print() {
        let f: Fault = "latency=50ms..300ms".parse().expect("range");
        assert_eq!(f, Fault::Latency { min: Duration::from_millis(50), max: Duration::from_millis(300) });
        assert_eq!(f.to_string(), "latency=50ms..300ms");
        assert_eq!(
            "latency=1s".parse::<Fault>(),
            Ok(Fault::Latency { min: Duration::from_secs(1), max: Duration::from_secs(1) })
        );
        // Regression: `latency=1m` was refused, since this parser knew only ms and s while `load` knew m and h.
        assert_eq!(
            "latency=1m".parse::<Fault>(),
            Ok(Fault::Latency { min: Duration::from_secs(60), max: Duration::from_secs(60) })
        );
        assert_eq!("429=10%".parse::<Fault>(), Ok(Fault::Status { status: 429, percent: 10.0, retry_after: Some(1) }));
        assert_eq!(
            "429=10%:retry-after=5".parse::<Fault>(),
            Ok(Fault::Status { status: 429, percent: 10.0, retry_after: Some(5) })
        );
        assert_eq!("503=0.5%".parse::<Fault>(), Ok(Fault::Status { status: 503, percent: 0.5, retry_after: None }));
        assert_eq!("drop=1%".parse::<Fault>(), Ok(Fault::Drop { percent: 1.0 }));
        assert_eq!("Patch-Noop".parse::<Fault>(), Ok(Fault::Deviation(Write::PatchNoop.into())));
        let f: Fault = "data-loss=500".parse().expect("tuned");
        assert_eq!((f.to_string(), f), ("data-loss=500".to_owned(), Fault::Tuned(Transport::DataLoss.into(), 500)));
        assert_eq!("reset-under-load=2".parse::<Fault>(), Ok(Fault::Tuned(Transport::ResetUnderLoad.into(), 2)));
        for d in Deviation::all() {
            assert_eq!(d.to_string().parse::<Fault>(), Ok(Fault::Deviation(d)));
            assert_eq!(Deviation::from_name(d.name()), Some(d));
        }
    }

    #[test]
    fn bad_specs_name_the_spec_and_the_valid_forms() {
        for (spec, problem) in [
            ("bogus", "neither"),
            ("patch-nop", "deviation name; did you mean patch-noop?"),
            ("latncy=1s", "unknown fault kind \"latncy\"; did you mean latency?"),
            ("latency=200", "needs a unit"),
            ("latency=3ms..1ms", "ends before"),
            ("latency=1e9s", "not a duration"),
            ("latency=2h", "over an hour"),
            ("latency=3d", "give hours"),
            ("429=10", "% sign"),
            ("429=101%", "0% to 100%"),
            ("404=1%", "cannot be injected"),
            ("429=1%:wait=3", "unknown option"),
            ("teapot=1%", "unknown fault kind"),
            ("data-loss=0", "whole number from 1"),
            ("reset-under-load=many", "whole number from 1"),
            ("patch-noop=3", "takes no value"),
        ] {
            let e = spec.parse::<Fault>().expect_err(spec);
            let msg = e.to_string();
            assert!(msg.contains(&format!("{spec:?}")) && msg.contains(problem), "{spec}: {msg}");
            assert!(msg.contains("patch-noop") && msg.contains("latency=DURATION"), "{msg}");
        }
        assert!(parse_faults(&["429=60%", "drop=50%"]).is_err());
        assert!(parse_faults(&["latency=1ms", "latency=2ms"]).is_err());
        assert_eq!(parse_faults(&["429=60%", "500=40%"]).map(|v| v.len()), Ok(2));
    }
}
