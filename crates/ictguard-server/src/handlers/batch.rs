//! The streaming batch: read lines, screen them in chunks off the async workers, commit each
//! chunk's records, then send its answers.
use futures_util::StreamExt as _;
use ictguard_screen::engine::Query;
use ictguard_store::NewRecord;
use serde_json::json;

use crate::config::{MAX_BATCH, MAX_BATCH_LINES};
use crate::state::{screen_record, AppState};

/// Longest a batch waits for more of its body, or for the client to take its answers.
const BATCH_IDLE: std::time::Duration = std::time::Duration::from_secs(60);
/// Longest line accepted.
const MAX_LINE: usize = 64 << 10;
/// Lines screened and committed together, at most.
const CHUNK_LINES: usize = 1024;

type Sender = tokio::sync::mpsc::Sender<axum::body::Bytes>;

fn error_line(code: &str, message: String) -> axum::body::Bytes {
    let mut line = json!({ "error": { "code": code, "message": message } }).to_string();
    line.push('\n');
    line.into()
}

pub(crate) async fn run(s: AppState, actor: String, body: axum::body::Body, tx: Sender) {
    if let Err((code, message)) = pump(&s, &actor, body, &tx).await {
        s.metrics.error();
        let _ = tokio::time::timeout(BATCH_IDLE, tx.send(error_line(code, message))).await;
    }
}

async fn pump(
    s: &AppState,
    actor: &str,
    body: axum::body::Body,
    tx: &Sender,
) -> Result<(), (&'static str, String)> {
    let mut stream = body.into_data_stream();
    let mut pending: Vec<u8> = Vec::new();
    let (mut bytes, mut line_no, mut queries) = (0usize, 0usize, 0usize);
    let mut done = false;
    while !done {
        let next = tokio::time::timeout(BATCH_IDLE, stream.next())
            .await
            .map_err(|_| {
                (
                    "timeout",
                    format!("no more of the body for {} s", BATCH_IDLE.as_secs()),
                )
            })?;
        match next {
            Some(Ok(data)) => {
                bytes += data.len();
                if bytes > MAX_BATCH {
                    return Err((
                        "too_large",
                        format!("the batch is over {MAX_BATCH} bytes; send the rest in another"),
                    ));
                }
                pending.extend_from_slice(&data);
            }
            Some(Err(e)) => return Err(("bad_request", format!("reading the body: {e}"))),
            None => {
                done = true;
                if !pending.is_empty() && !pending.ends_with(b"\n") {
                    pending.push(b'\n');
                }
            }
        }
        // the complete lines received so far, in chunks
        let complete = pending
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        if complete == 0 {
            if pending.len() > MAX_LINE {
                return Err((
                    "line_too_long",
                    format!("line {} is over {MAX_LINE} bytes", line_no + 1),
                ));
            }
            continue;
        }
        let rest = pending.split_off(complete);
        // the complete lines, without the newline that ends the last
        let complete_lines = std::mem::replace(&mut pending, rest);
        let mut lines = complete_lines[..complete - 1].split(|&b| b == b'\n');
        loop {
            // the next chunk's lines, numbered, blank ones skipped (but counted)
            let mut taken = 0;
            let numbered: Vec<(usize, Vec<u8>)> = lines
                .by_ref()
                .take(CHUNK_LINES)
                .inspect(|_| taken += 1)
                .map(|l| {
                    line_no += 1;
                    (line_no, l.to_vec())
                })
                .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
                .collect();
            if taken == 0 {
                break;
            }
            queries += numbered.len();
            if queries > MAX_BATCH_LINES {
                return Err((
                    "too_many_lines",
                    format!("more than {MAX_BATCH_LINES} queries; send the rest in another batch"),
                ));
            }
            if numbered.iter().any(|(_, l)| l.len() > MAX_LINE) {
                return Err(("line_too_long", format!("a line is over {MAX_LINE} bytes")));
            }
            let state = s.clone();
            let actor = actor.to_string();
            let (text, records) =
                tokio::task::spawn_blocking(move || screen_chunk(&state, &actor, &numbered))
                    .await
                    .map_err(|e| ("internal", e.to_string()))?;
            if !records.is_empty() {
                let (done_tx, done_rx) = tokio::sync::oneshot::channel();
                s.writer
                    .append_with(
                        records,
                        Box::new(move |r| {
                            let _ = done_tx.send(r);
                        }),
                    )
                    .map_err(|e| ("internal", e.to_string()))?;
                done_rx
                    .await
                    .map_err(|e| ("internal", e.to_string()))?
                    .map_err(|e| ("internal", format!("writing the audit trail: {e}")))?;
            }
            // a client that went away, or that does not read the answers while it sends
            // (a streaming endpoint needs both at once), ends the batch; what was committed
            // stays committed
            match tokio::time::timeout(BATCH_IDLE, tx.send(text.into())).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => return Ok(()),
            }
        }
    }
    Ok(())
}

/// Screen numbered lines: the answer text and the audit records of the screened ones.
fn screen_chunk(s: &AppState, actor: &str, lines: &[(usize, Vec<u8>)]) -> (String, Vec<NewRecord>) {
    let mut text = String::new();
    let mut records = Vec::new();
    // one screener for the whole chunk, whatever is swapped in meanwhile
    let screener = s.screener.load_full();
    for (n, line) in lines {
        let answer = std::str::from_utf8(line)
            .map_err(|_| "the line is not UTF-8".to_string())
            .and_then(|l| serde_json::from_str::<Query>(l).map_err(|e| e.to_string()))
            .and_then(|q| {
                screener
                    .screen(&q, crate::as_of::today())
                    .map(|r| (q, r))
                    .map_err(|e| e.to_string())
            });
        match answer.and_then(|(q, r)| {
            serde_json::to_value(&r)
                .map(|v| (q, r, v))
                .map_err(|e| e.to_string())
        }) {
            Ok((q, r, body)) => {
                s.metrics.count(r.decision);
                text.push_str(&body.to_string());
                records.push(screen_record(&q, &r, actor.to_string(), body));
            }
            Err(e) => text.push_str(&json!({ "line": n, "error": e }).to_string()),
        }
        text.push('\n');
    }
    (text, records)
}
