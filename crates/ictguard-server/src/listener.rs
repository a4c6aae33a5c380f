//! Accepting HTTP connections, within limits: at most `max_connections` open at once (the next
//! waits in the kernel's backlog until one closes), and a client that takes longer than
//! `header_timeout` to send a request's headers, or leaves a connection idle that long between
//! requests, is disconnected. `axum::serve` offers neither; this is its loop with them
//! (hyper's HTTP/1 connection with a header-read timer), and a graceful stop on Ctrl-C.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::config::ConnectionLimits;

/// Longest the server waits for open requests to finish once asked to stop.
const DRAIN: Duration = Duration::from_secs(30);

/// Serve `app` on `listener` until `stop` completes, then let open requests finish (for up to
/// 30 s).
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    stop: impl Future<Output = ()>,
) {
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            permit = open.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // a transient failure (out of descriptors, a connection reset before accept):
                // wait a moment rather than spin
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // a connection's error (a client gone, a header timeout) ends only that connection
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
}
