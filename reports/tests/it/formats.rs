//! Snapshots of every format over the fixture, and reading reports back (round trip, version refusal).

use crate::fixture;
use scimlab_reports::model::{ReportError, RunReport};
use scimlab_reports::sinks::{TerminalSink, markdown};
use scimlab_reports::{Event, Sink, render};

#[test]
fn text_snapshot() {
    insta::assert_snapshot!("text", render(&fixture::report(), "text").expect("renders"));
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!("json", render(&fixture::report(), "json").expect("renders"));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!("junit", render(&fixture::report(), "junit").expect("renders"));
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!("markdown", render(&fixture::report(), "md").expect("renders"));
}

#[test]
fn html_snapshot() {
    insta::assert_snapshot!("html", render(&fixture::report(), "html").expect("renders"));
}

#[test]
fn unknown_formats_are_named() {
    let err = render(&fixture::report(), "pdf").expect_err("no pdf");
    assert!(matches!(err, ReportError::Format { .. }));
    assert!(err.to_string().contains("\"pdf\"") && err.to_string().contains("junit"), "{err}");
}

#[test]
fn the_terminal_sink_fed_by_events_prints_what_render_prints() {
    let report = fixture::report();
    let mut sink = TerminalSink::new(Vec::new(), false);
    sink.handle(&Event::RunStarted { target: &report.target, checks: report.checks.len() }).expect("started");
    for c in &report.checks {
        sink.handle(&Event::CheckFinished(c)).expect("check");
    }
    sink.handle(&Event::RunFinished(&report)).expect("finished");
    let text = String::from_utf8(sink.into_inner()).expect("utf-8");
    // A short run prints a line per check as it goes ("[n/m] ..."); the rest is what render prints.
    let (progress, rest): (Vec<&str>, Vec<&str>) = text.lines().partition(|l| l.starts_with('['));
    assert_eq!(progress.len(), report.checks.len(), "{text}");
    let rendered = render(&report, "text").expect("renders");
    assert_eq!(rest, rendered.lines().collect::<Vec<_>>());
}

#[test]
fn colour_is_ansi_and_only_when_asked() {
    let report = fixture::report();
    let mut sink = TerminalSink::new(Vec::new(), true);
    sink.handle(&Event::CheckFinished(&report.checks[2])).expect("check");
    let text = String::from_utf8(sink.into_inner()).expect("utf-8");
    assert!(text.contains("\u{1b}[1m\u{1b}[31mFAIL \u{1b}[0m"), "bold red, then reset: {text:?}");
    assert!(!render(&report, "text").expect("renders").contains('\u{1b}'));
}

#[test]
fn server_text_cannot_drive_the_terminal() {
    let mut report = fixture::report();
    report.checks[2].actual = Some("\u{1b}[2J\u{1b}[Hall clear".into());
    let text = render(&report, "text").expect("renders");
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("\\u{1b}[2J"));
}

#[test]
fn reports_round_trip_through_json() {
    let report = fixture::report();
    let text = render(&report, "json").expect("renders");
    assert_eq!(RunReport::from_json(&text).expect("reads back"), report);
}

#[test]
fn a_newer_report_version_is_refused() {
    let mut v = serde_json::to_value(fixture::report()).expect("serialises");
    v["version"] = serde_json::json!(scimlab_reports::REPORT_VERSION + 1);
    let err = RunReport::from_json(&v.to_string()).expect_err("newer version");
    assert!(matches!(err, ReportError::Version { found: 2, supported: 1 }), "{err:?}");
    assert!(err.to_string().contains("newer"), "{err}");
    let err = RunReport::from_json("{\"checks\": []}").expect_err("not a report");
    assert!(matches!(err, ReportError::Parse(_)), "{err:?}");
}

#[test]
fn markdown_stays_under_the_step_summary_limit() {
    let big = "x".repeat(100_000);
    let checks = (0..3_000)
        .map(|i| {
            let mut c = fixture::report().checks[2].clone();
            c.id = format!("rfc7644/3.5.2.1/generated-{i}");
            c.actual = Some(big.clone());
            c.evidence[1].response.as_mut().expect("response").body = Some(big.clone());
            c
        })
        .collect();
    let report = fixture::report_of(checks);
    let md = render(&report, "markdown").expect("renders");
    assert!(md.len() <= markdown::MAX_BYTES, "{} bytes", md.len());
    assert!(md.contains("Details of ") && md.contains("generated-2999"), "every problem is still listed");
}

/// Regression: the harness leaves every exchange's id at 0, so the JSON report said `"id": 0` for every exchange
/// and the HTML headed hundreds of them `#0`. Reports number a check's evidence 1..n; real numbers (recordings)
/// are kept.
#[test]
fn evidence_is_numbered_within_each_check_unless_it_carries_numbers() {
    let mut report = fixture::report();
    for x in &mut report.checks[2].evidence {
        x.id = 0;
    }
    let kept: Vec<u64> = report.checks[4].evidence.iter().map(|x| x.id).collect();
    assert!(!kept.is_empty() && kept.iter().all(|id| *id != 0));
    let json: serde_json::Value = serde_json::from_str(&render(&report, "json").expect("renders")).expect("json");
    let ids = |i: usize| -> Vec<u64> {
        json["checks"][i]["evidence"].as_array().expect("evidence").iter().filter_map(|x| x["id"].as_u64()).collect()
    };
    assert_eq!(ids(2), (1..=report.checks[2].evidence.len() as u64).collect::<Vec<_>>());
    assert_eq!(ids(4), kept);
    let html = render(&report, "html").expect("renders");
    assert!(!html.contains("<h4>#0 "), "no exchange is headed #0");
    // Reading an old report numbers it too.
    let mut v = serde_json::to_value(&report).expect("serialises");
    v["checks"][2]["evidence"][1]["id"] = serde_json::json!(0);
    let read = RunReport::from_json(&v.to_string()).expect("reads");
    assert!(read.evidence_numbered());
    assert_eq!(read.checks[2].evidence.iter().map(|x| x.id).collect::<Vec<_>>(), [1, 2]);
}

/// GitHub refuses a step summary over 1 MiB. When even the problems-only tables do not fit, the document is cut
/// at a line with a note saying so, and still ends with the result and the readiness lines.
#[test]
fn markdown_too_big_for_a_step_summary_is_cut_with_a_note_and_keeps_its_result() {
    let checks = (0..20_000)
        .map(|i| {
            let mut c = fixture::report().checks[2].clone();
            c.id = format!("rfc7644/3.5.2.1/a-long-generated-check-name-to-fill-the-tables-{i:06}");
            c.section = format!("RFC 7644 3.5.2.{}", i % 50);
            c
        })
        .collect();
    let report = fixture::report_of(checks);
    let md = render(&report, "markdown").expect("renders");
    assert!(md.len() <= markdown::MAX_BYTES && md.len() < 1024 * 1024, "{} bytes", md.len());
    assert!(
        md.contains("(cut here to stay under the step summary size limit; the JSON and HTML reports are complete)")
    );
    let tail = &md[md.len() - 700..];
    assert!(tail.contains("**Result:** FAILED"), "the result ends the document: {tail}");
}

/// Regression: the load section was an untyped JSON member that the Markdown dumped whole (about 50 KB of raw
/// JSON) and the HTML showed as a JSON block. It is typed now, and every sink shows it as tables and lines.
#[test]
fn a_load_section_is_shown_typed_in_every_document_and_newer_formats_are_refused() {
    let mut report = fixture::report();
    report.kind = scimlab_reports::RunKind::Load;
    report.load = Some(fixture::load_section(812));
    let md = render(&report, "md").expect("markdown");
    assert!(md.contains("| read / get | 812 | 812.0 | 2.00 | 4.00 | 5.00 | 5.00 | 5.00 | 1 | 0 |"), "{md}");
    assert!(md.contains("- read / get errors by scimType: 1 without a scimType"), "{md}");
    assert!(!md.contains("```json") && !md.contains("\"histogram\""), "no raw JSON: {md}");
    let html = render(&report, "html").expect("html");
    let html = html.replace("&#x2f;", "/");
    assert!(html.contains("<td>read / get</td><td>812</td>"), "the operations table");
    assert!(html.contains("scenario read, persona entra, run sl0000002a, shards 1/1, window 1.0 s"));
    assert!(html.contains("<li>read / get errors by scimType: 1 without a scimType</li>"));
    assert!(!html.contains("histogram") && !html.contains("lowestUs"), "no raw JSON in the page");
    let json = render(&report, "json").expect("json");
    assert_eq!(RunReport::from_json(&json).expect("reads back").load, report.load);
    let mut v: serde_json::Value = serde_json::from_str(&json).expect("json");
    v["load"]["format"] = serde_json::json!(scimlab_reports::load::LOAD_FORMAT + 1);
    let err = RunReport::from_json(&v.to_string()).expect_err("a newer load format");
    assert!(err.to_string().contains("load results have format 2"), "{err}");
}
