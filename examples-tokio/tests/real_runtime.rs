//! The same service outside a simulation: `#[tokio::test]` (the facade's, which is tokio's)
//! builds a real tokio runtime, and the sockets are the OS's.

use std::time::Duration;

use simloop_tokio_example::{get, serve, FetchError};
use tokio::net::TcpListener;

// Goal: in production the facade is tokio: real sockets, a real runtime, the same answers.
#[tokio::test]
async fn the_service_runs_on_a_real_tokio_runtime() {
    assert!(!simloop::is_simulating());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    assert!(addr.ip().is_loopback()); // a real address, not a simulated host's
    let server = tokio::spawn(serve(listener));
    let page = get(addr, "/hello", Duration::from_secs(10)).await.unwrap();
    assert_eq!((page.status.as_u16(), page.body.as_str()), (200, "hello"));
    let page = get(addr, "/missing", Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(page.status.as_u16(), 404);
    // tokio's own timeout, on tokio's clock: `/slow` takes 100 ms, the limit is 1 ms.
    let err = get(addr, "/slow", Duration::from_millis(1))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Timeout(_)), "{err}");
    server.abort();
}
