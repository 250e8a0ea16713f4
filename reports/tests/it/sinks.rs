//! `FORMAT=PATH` specs become sinks that write their document when the run finishes.

use crate::fixture;
use scimlab_reports::model::ReportError;
use scimlab_reports::{Event, render, sink_for};

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("scimlab-reports-sinks-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn feed(sink: &mut dyn scimlab_reports::Sink, report: &scimlab_reports::RunReport) {
    sink.handle(&Event::RunStarted { target: &report.target, checks: report.checks.len() }).expect("started");
    for c in &report.checks {
        sink.handle(&Event::CheckFinished(c)).expect("check");
    }
    sink.handle(&Event::RunFinished(report)).expect("finished");
}

#[test]
fn each_format_writes_its_document_at_the_end() {
    let dir = temp("formats");
    let report = fixture::report();
    for (spec_format, render_format, file) in [
        ("json", "json", "r.json"),
        ("junit", "junit", "j/u/junit.xml"),
        ("md", "markdown", "s.md"),
        ("HTML", "html", "r.html"),
        ("text", "text", "r.txt"),
    ] {
        let path = dir.join(file);
        let spec = format!("{spec_format}={}", path.display());
        let mut sink = sink_for(&spec).expect("valid spec");
        assert!(path.parent().expect("parent").is_dir(), "parent directories are created up front");
        sink.handle(&Event::RunStarted { target: &report.target, checks: 5 }).expect("started");
        assert!(!path.exists(), "nothing is written before the run finishes");
        feed(sink.as_mut(), &report);
        let written = std::fs::read_to_string(&path).expect("written");
        assert_eq!(written, render(&report, render_format).expect("renders"), "{spec}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_specs_are_named_with_what_would_be_right() {
    for (spec, hint) in [
        ("junit", "FORMAT=PATH"),
        ("xml=out.xml", "unknown format \"xml\""),
        ("json=", "PATH after '=' is empty"),
        ("json=  ", "PATH after '=' is empty"),
    ] {
        let err = sink_for(spec).err().expect("refused");
        assert!(matches!(err, ReportError::Spec { .. }));
        let message = err.to_string();
        assert!(message.contains(&format!("{spec:?}")) && message.contains(hint), "{message}");
    }
    let dir = temp("isdir");
    std::fs::create_dir_all(&dir).expect("dir");
    let message = sink_for(&format!("json={}", dir.display())).err().expect("a directory").to_string();
    assert!(message.contains("is a directory"), "{message}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stdout_is_a_dash() {
    assert!(sink_for("json=-").is_ok());
}
