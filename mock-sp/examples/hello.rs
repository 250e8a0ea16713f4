//! A bare axum hello-world, the yardstick for the mock SP's performance budgets: `cargo run --release -p
//! scimlab-mock-sp --example hello -- PORT [WORKERS]` listens on 127.0.0.1:PORT with WORKERS Tokio worker threads
//! (default 1, like `scimlab serve --workers 1`) and answers every method on every path with a short text body.
//! Measuring it beside the mock SP in the same run turns the mock SP's request rates into ratios that do not
//! depend on the machine.

use axum::Router;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = || std::io::Error::new(std::io::ErrorKind::InvalidInput, "usage: hello PORT [WORKERS]");
    let port: u16 = args.next().and_then(|p| p.parse().ok()).ok_or_else(usage)?;
    let workers: usize = match args.next() {
        Some(w) => w.parse().map_err(|_| usage())?,
        None => 1,
    };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(workers.max(1)).enable_all().build()?;
    rt.block_on(async move {
        let app = Router::new().fallback(|| async { "Hello, World!" });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        println!("hello listening on http://{}", listener.local_addr()?);
        axum::serve(listener, app).await
    })
}
