//! An in-process OTLP/HTTP receiver on 127.0.0.1 for `http/json` senders: it keeps every
//! request as it arrived (path, `Content-Type`, whether it was gzip-compressed, its `x-*`
//! headers, the body inflated) and answers each with the next scripted [`Reply`] (`200 {}`,
//! the usual OTLP/HTTP success, when the script is empty).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::Value;

use super::otlp_http_receiver::{Server, plain_body, serve};

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// `Retry-After` in seconds.
    pub retry_after: Option<u64>,
}

impl Reply {
    /// `200` with this JSON body.
    pub fn ok(body: &str) -> Reply {
        Reply::json(200, body)
    }

    /// `status` with this JSON body (`application/json`).
    pub fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            body: body.as_bytes().to_vec(),
            retry_after: None,
        }
    }
}

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    /// When it arrived.
    pub at: Instant,
    pub path: String,
    pub content_type: String,
    pub gzip: bool,
    /// `x-*` headers, name and value.
    pub headers: Vec<(String, String)>,
    /// The body, inflated if it was gzip-compressed.
    pub body: Vec<u8>,
}

impl Received {
    /// The body parsed as JSON (panics if it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            let text = String::from_utf8_lossy(&self.body);
            panic!("{}: the body is not JSON ({e}): {text}", self.path)
        })
    }
}

#[derive(Default)]
struct State {
    script: VecDeque<Reply>,
    received: Vec<Received>,
}

/// A running receiver; stops when dropped.
pub struct OtlpJsonReceiver {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    _server: Server,
}

impl OtlpJsonReceiver {
    /// Starts the receiver on a free loopback port with this script.
    pub fn start(script: Vec<Reply>) -> OtlpJsonReceiver {
        let state = Arc::new(Mutex::new(State {
            script: script.into(),
            received: Vec::new(),
        }));
        let shared = Arc::clone(&state);
        let server = serve(move |request| handle(request, Arc::clone(&shared)));
        OtlpJsonReceiver {
            addr: server.addr,
            state,
            _server: server,
        }
    }

    /// The base endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests received so far, answered or not.
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }
}

async fn handle(
    request: Request<Incoming>,
    state: Arc<Mutex<State>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let header = |name: &str| {
        let value = request.headers().get(name);
        value.and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
    };
    let (content_type, gzip) = (header("content-type"), header("content-encoding") == "gzip");
    let headers = request
        .headers()
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-"))
        .map(|(name, v)| (name.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let (at, path) = (Instant::now(), request.uri().path().to_owned());
    let body = plain_body(request).await.unwrap_or_default();
    let reply = {
        let mut state = state.lock().unwrap();
        state.received.push(Received {
            at,
            path,
            content_type,
            gzip,
            headers,
            body,
        });
        state.script.pop_front().unwrap_or_else(|| Reply::ok("{}"))
    };
    let mut response = Response::new(Full::new(Bytes::from(reply.body)));
    *response.status_mut() = hyper::StatusCode::from_u16(reply.status).unwrap();
    let headers = response.headers_mut();
    headers.insert("content-type", reply.content_type.parse().unwrap());
    if let Some(seconds) = reply.retry_after {
        headers.insert("retry-after", seconds.to_string().parse().unwrap());
    }
    Ok(response)
}

/// Asserts the OTLP JSON spellings over a whole message: no `null` (an absent field is left
/// out) and every member name lowerCamelCase (no `_`).
pub fn assert_otlp_json(value: &Value) {
    match value {
        Value::Null => panic!("a null in an OTLP JSON message"),
        Value::Array(items) => items.iter().for_each(assert_otlp_json),
        Value::Object(members) => {
            for (name, member) in members {
                assert!(!name.contains('_'), "{name} is not lowerCamelCase");
                assert_otlp_json(member);
            }
        }
        _ => {}
    }
}

/// The items reached from `value` through the array members `path` names in turn (e.g.
/// `resourceSpans`, `scopeSpans`, `spans`: every span of a request).
pub fn members(value: &Value, path: &[&str]) -> Vec<Value> {
    let mut level = vec![value.clone()];
    for name in path {
        level = level
            .iter()
            .flat_map(|v| v[*name].as_array().cloned().unwrap_or_default())
            .collect();
    }
    level
}
