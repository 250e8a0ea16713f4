//! Hostile server text in every field the HTML and Markdown reports show must stay text.

use crate::fixture;
use scimlab_reports::render;
use scimlab_reports::sinks::{HtmlSink, Output};

const EVIL: &str = "</script><img src=x onerror=alert(1)><script>alert(2)</script>";

fn hostile() -> scimlab_reports::RunReport {
    let mut report = fixture::report();
    let fail = &mut report.checks[2];
    fail.actual = Some(EVIL.into());
    fail.reason = Some(format!("\"'><{EVIL}"));
    let x = &mut fail.evidence[1];
    x.request.url = format!("{}/Users?filter=\"{EVIL}", fixture::BASE);
    let r = x.response.as_mut().expect("response");
    r.body = Some(format!("{{\"detail\":\"{}\"}}", EVIL.replace('"', "\\\"")));
    r.headers.push(("X-Evil".into(), EVIL.into()));
    report.checks[4].evidence[0].request.body = Some(EVIL.into());
    report.target.url = format!("http://h/{EVIL}");
    report
}

fn assert_inert(html: &str) {
    assert!(!html.contains("<img"), "an img element leaked");
    assert_eq!(html.matches("<script").count(), 1, "only the page's own script");
    assert_eq!(html.matches("</script>").count(), 1, "only the page's own script ends");
    assert!(html.contains("&lt;&#x2f;script&gt;&lt;img") || html.contains("&lt;/script&gt;&lt;img"), "shown as text");
}

#[test]
fn html_escapes_bodies_headers_urls_and_values() {
    let html = render(&hostile(), "html").expect("renders");
    assert_inert(&html);
}

#[test]
fn a_custom_template_is_escaped_too_whatever_its_name() {
    let dir = std::env::temp_dir().join(format!("scimlab-reports-escape-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("mine.txt");
    std::fs::write(&path, "<script>/* mine */</script>{% for s in sections %}{% for c in s.checks %}{{ c.actual }}{% for x in c.evidence %}{{ x.response_body }}{% endfor %}{% endfor %}{% endfor %}")
        .expect("template");
    let sink = HtmlSink::new(Output::Writer(Box::new(Vec::new()))).with_template(&path).expect("reads template");
    let html = sink.render(&hostile()).expect("renders");
    assert_inert(&html);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn template_errors_name_the_template() {
    let err = HtmlSink::new(Output::Stdout).with_template("/nonexistent/report.html").expect_err("missing");
    assert!(err.to_string().contains("/nonexistent/report.html"), "{err}");
    let dir = std::env::temp_dir().join(format!("scimlab-reports-badtemplate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bad.html");
    std::fs::write(&path, "{{ no_such_variable.x }}").expect("template");
    let sink = HtmlSink::new(Output::Stdout).with_template(&path).expect("reads");
    let err = sink.render(&fixture::report()).expect_err("undefined variable");
    assert!(err.to_string().contains("bad.html"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn markdown_keeps_server_text_out_of_markup() {
    let md = render(&hostile(), "markdown").expect("renders");
    let mut fence: Option<usize> = None;
    for line in md.lines() {
        let ticks = line.chars().take_while(|c| *c == '`').count();
        match fence {
            Some(open) if ticks >= open && line.trim_start_matches('`').is_empty() => fence = None,
            Some(_) => {}
            None if ticks >= 3 => fence = Some(ticks),
            None => {
                // Inline code spans (single backticks, as the sink writes them) show their text literally.
                let outside: String = line.split('`').step_by(2).collect();
                assert!(!outside.contains("<img") && !outside.contains("<script"), "markup outside code: {line}");
            }
        }
    }
    assert_eq!(fence, None, "every code block is closed");
    assert!(md.contains("&lt;img"), "the text is still shown");
}
