#![allow(dead_code)]
//! Misbehaving collectors on 127.0.0.1, below the OTLP layer: raw TCP for HTTP/1.1 and the
//! connection-level faults, raw HTTP/2 (h2) for gRPC. Each connection handler stops by itself
//! (the client goes away, or [`GIVE_UP_AFTER`] passes), and the server stops when dropped.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// No handler runs longer than this, whatever the client does.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(30);

/// What the server does with each connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hostility {
    /// HTTP 200 with a chunked body that never ends.
    EndlessChunkedBody,
    /// HTTP 200 announcing (and sending) a 500 MB body.
    HugeBody,
    /// HTTP 200 with no length at all, streaming until the client leaves.
    EndlessUnframedBody,
    /// gRPC: a response message announcing 2 GiB, then bytes until the client leaves.
    EndlessGrpcMessage,
    /// Accepts, reads the request, never answers.
    AcceptAndHang,
    /// Accepts, reads a little, then resets the connection (RST).
    Reset,
    /// Accepts and answers with bytes that are neither HTTP/1.1 nor HTTP/2.
    Garbage,
}

/// A running hostile server; dropping it stops it.
pub struct HostileServer {
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl HostileServer {
    /// Starts the server on a free loopback port.
    pub fn start(hostility: Hostility) -> HostileServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&connections);
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(GIVE_UP_AFTER, serve(stream, hostility)).await;
                });
            }
        });
        HostileServer {
            addr,
            connections,
            runtime: Some(runtime),
        }
    }

    /// `http://127.0.0.1:port` (append `/v1/metrics` for OTLP/HTTP).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_millis(100));
        }
    }
}

async fn serve(mut stream: TcpStream, hostility: Hostility) -> std::io::Result<()> {
    if hostility == Hostility::EndlessGrpcMessage {
        return endless_grpc(stream).await;
    }
    read_some(&mut stream).await?;
    match hostility {
        Hostility::EndlessChunkedBody => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\n\
                        transfer-encoding: chunked\r\n\r\n";
            stream.write_all(head.as_bytes()).await?;
            let chunk = [b'x'; 1 << 16];
            loop {
                stream.write_all(b"10000\r\n").await?;
                stream.write_all(&chunk).await?;
                stream.write_all(b"\r\n").await?;
            }
        }
        Hostility::HugeBody => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\n\
                        content-length: 524288000\r\n\r\n";
            stream.write_all(head.as_bytes()).await?;
            write_forever(&mut stream).await
        }
        Hostility::EndlessUnframedBody => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\n\
                        connection: close\r\n\r\n";
            stream.write_all(head.as_bytes()).await?;
            write_forever(&mut stream).await
        }
        Hostility::AcceptAndHang => {
            tokio::time::sleep(GIVE_UP_AFTER).await;
            Ok(())
        }
        Hostility::Reset => {
            stream.set_zero_linger()?;
            drop(stream);
            Ok(())
        }
        Hostility::Garbage => {
            stream.write_all(&garbage()).await?;
            stream.shutdown().await
        }
        Hostility::EndlessGrpcMessage => unreachable!("handled above"),
    }
}

/// Reads what the client sent first (its request, or at least part of it).
async fn read_some(stream: &mut TcpStream) -> std::io::Result<()> {
    let mut buffer = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_millis(500), stream.read(&mut buffer)).await;
    Ok(())
}

async fn write_forever(stream: &mut TcpStream) -> std::io::Result<()> {
    let chunk = [b'x'; 1 << 16];
    let started = Instant::now();
    while started.elapsed() < GIVE_UP_AFTER {
        stream.write_all(&chunk).await?;
    }
    Ok(())
}

/// Bytes no HTTP parser accepts (a fixed pseudo-random pattern, no CR/LF structure).
fn garbage() -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8 | 0x80
        })
        .collect()
}

/// An HTTP/2 server whose every gRPC answer is a message header announcing 2 GiB, followed
/// by data for as long as the client reads.
async fn endless_grpc(stream: TcpStream) -> std::io::Result<()> {
    let mut connection = h2::server::handshake(stream).await.map_err(io)?;
    while let Some(request) = connection.accept().await {
        let (_request, mut respond) = request.map_err(io)?;
        tokio::spawn(async move {
            let response = http::Response::builder()
                .status(200)
                .header("content-type", "application/grpc")
                .body(())
                .unwrap();
            let Ok(mut send) = respond.send_response(response, false) else {
                return;
            };
            let header = bytes::Bytes::from_static(&[0, 0x7f, 0xff, 0xff, 0xff]);
            if send.send_data(header, false).is_err() {
                return;
            }
            let chunk = bytes::Bytes::from(vec![b'x'; 1 << 14]);
            let started = Instant::now();
            while started.elapsed() < GIVE_UP_AFTER {
                send.reserve_capacity(chunk.len());
                let granted = std::future::poll_fn(|cx| send.poll_capacity(cx)).await;
                match granted {
                    Some(Ok(n)) if n > 0 => {
                        if send
                            .send_data(chunk.slice(..n.min(chunk.len())), false)
                            .is_err()
                        {
                            return;
                        }
                    }
                    Some(Ok(_)) => {}
                    _ => return,
                }
            }
        });
    }
    Ok(())
}

fn io(error: h2::Error) -> std::io::Error {
    std::io::Error::other(error)
}

/// The process's peak resident set (VmHWM), in bytes.
pub fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .expect("/proc/self/status has VmHWM");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kib * 1024
}
