//! The connection loop: accepts TCP connections and serves HTTP/1.1 on each with
//! hyper, the axum router answering every request.
//!
//! Why not `axum::serve`: a fault must be able to close a connection without any
//! answer, and shutdown must cut requests that are deliberately hanging. Here each
//! connection runs in its own task holding a [`ConnectionCut`] (given to handlers as a
//! request extension); cutting it, or shutting down, drops the connection's future,
//! which closes the socket mid-request, just as a crashed proxy would.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tower_service::Service;

/// Closes the connection a request arrived on, without an answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnectionCut(Arc<Notify>);

impl ConnectionCut {
    pub(crate) fn cut(&self) {
        // `notify_one` keeps a permit when the connection task is not waiting yet.
        self.0.notify_one();
    }
}

/// Serve until `shutdown` turns true; then abort every open connection.
pub(crate) async fn run(listener: TcpListener, router: Router, shutdown: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    let mut stop = shutdown.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(serve_connection(stream, router.clone()));
                }
                Err(error) => {
                    // Out of file descriptors and the like: keep serving the others.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            },
            // Reap finished connections so the set does not grow for ever.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = super::stopped(&mut stop) => break,
        }
    }
    connections.shutdown().await;
}

async fn serve_connection(stream: tokio::net::TcpStream, router: Router) {
    let cut = ConnectionCut::default();
    let on_cut = cut.0.clone();
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(cut.clone());
        let mut router = router.clone();
        async move {
            // A Router is always ready, and its errors are `Infallible`.
            let response = router.call(request.map(axum::body::Body::new)).await;
            Ok::<_, Infallible>(match response {
                Ok(response) => response,
                Err(never) => match never {},
            })
        }
    });
    let connection =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(error) = result {
                tracing::debug!(%error, "connection ended with an error");
            }
        }
        // Dropping the connection future closes the socket with no answer.
        _ = on_cut.notified() => {}
    }
}
