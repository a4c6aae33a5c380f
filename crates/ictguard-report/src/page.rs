//! What every HTML report shares: the style sheet and the bar chart (inline SVG with a text
//! alternative), as maud templates.

use maud::{html, Markup, PreEscaped};

/// The style sheet every report page inlines (no network, no script).
pub(crate) const STYLE: &str = r#"
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #d8dce3;padding-bottom:4px}
h3{font-size:16px;margin:18px 0 6px}
.summary{display:flex;gap:18px;align-items:center;background:#fff;border:1px solid #d8dce3;border-radius:8px;padding:16px;margin:12px 0}
.badge{display:inline-block;padding:6px 14px;border-radius:6px;font-weight:700;color:#fff;text-transform:uppercase;letter-spacing:.04em}
.critical{background:#8b1a1a}.high{background:#c2410c}.moderate{background:#a16207}.low{background:#15803d}
.prohibit{background:#8b1a1a}.restrict{background:#a16207}.allow{background:#15803d}
.score{font-size:34px;font-weight:700}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:14px}
figure{background:#fff;border:1px solid #d8dce3;border-radius:8px;margin:0;padding:12px}
figcaption{font-weight:600;margin-bottom:6px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:14px;margin:6px 0}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border:1px solid #d8dce3;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef0f4}
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
.sev-critical,.sev-high{color:#8b1a1a;font-weight:600}.sev-medium{color:#a16207;font-weight:600}
.fa{color:#8b1a1a;font-weight:700}
ul.reasons li{margin:2px 0}
footer{color:#5b6474;font-size:13px;margin-top:28px}
"#;

/// The document type line every page starts with.
pub(crate) fn doctype() -> Markup {
    PreEscaped("<!DOCTYPE html>\n".to_string())
}

/// The style sheet as a `<style>` element (CSS is not HTML text: it must not be escaped).
pub(crate) fn style() -> Markup {
    html! { style { (PreEscaped(STYLE)) } }
}

/// One bar: its label, its value and its colour.
pub(crate) type Bar<'a> = (String, f64, &'a str);

/// A horizontal bar chart as inline SVG, accessible by its label and a text alternative.
pub(crate) fn bar_chart(title: &str, bars: &[Bar<'_>], unit: &str) -> Markup {
    if bars.is_empty() {
        return html! { figure { figcaption { (title) } p { "None." } } };
    }
    let max = bars.iter().map(|b| b.1).fold(0.0, f64::max).max(1.0);
    let row = 26.0;
    let height = row * bars.len() as f64 + 8.0;
    let alt: Vec<String> = bars
        .iter()
        .map(|(l, v, _)| format!("{l}: {v} {unit}"))
        .collect();
    html! {
        figure {
            figcaption { (title) }
            svg role="img" aria-label=(title) viewBox={ "0 0 360 " (height) } width="100%" xmlns="http://www.w3.org/2000/svg" {
                title { (title) }
                @for (i, (label, value, color)) in bars.iter().enumerate() {
                    @let y = 4.0 + i as f64 * row;
                    @let w = (value / max * 150.0).max(2.0);
                    text x="0" y=(y + 14.0) font-size="13" fill="#1d2330" { (truncate(label, 20)) }
                    rect x="140" y=(y) width=(format!("{w:.1}")) height="18" rx="3" fill=(color) {}
                    text x=(format!("{:.1}", 145.0 + w)) y=(y + 14.0) font-size="12" fill="#1d2330" { (value) " " (unit) }
                }
            }
            details { summary { "as text" } p { (alt.join("; ")) } }
        }
    }
}

/// At most `n` characters, the last one an ellipsis when cut.
fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}
