//! OTLP/gRPC over TLS and mutual TLS (rustls), against an in-process collector with
//! certificates made for the test by rcgen.
#![cfg(feature = "otlp")]

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use support::fake_collector::FakeCollector;
use tonic::transport::{Certificate, Identity, ServerTlsConfig};
use walrec::otlp::Agent;
use walrec::otlp::config::{Config, ConfigBuilder};
use walrec::telemetry::Manager;

/// A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files.
struct Pki {
    dir: tempfile::TempDir,
    ca_pem: String,
    server: (String, String),
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

impl Pki {
    fn new() -> Pki {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);

        let leaf = |names: Vec<String>| {
            let key = KeyPair::generate().unwrap();
            let cert = CertificateParams::new(names)
                .unwrap()
                .signed_by(&key, &issuer)
                .unwrap();
            (cert.pem(), key.serialize_pem())
        };
        let server = leaf(vec!["127.0.0.1".to_owned()]);
        let client = leaf(vec!["walrec-client".to_owned()]);
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "ca.pem", &ca_cert.pem());
        write(dir.path(), "client.pem", &client.0);
        write(dir.path(), "client.key", &client.1);
        Pki {
            dir,
            ca_pem: ca_cert.pem(),
            server,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn server_tls(&self, require_client_certificate: bool) -> ServerTlsConfig {
        let tls =
            ServerTlsConfig::new().identity(Identity::from_pem(&self.server.0, &self.server.1));
        if require_client_certificate {
            tls.client_ca_root(Certificate::from_pem(&self.ca_pem))
        } else {
            tls
        }
    }
}

fn export_once(config: Config) -> Result<(), String> {
    let manager = Arc::new(Manager::new());
    manager.updater().record_next_event(0, 1_000);
    let mut agent =
        Agent::start(&config, vec![("tls".into(), manager)]).map_err(|e| e.to_string())?;
    // shutdown: exactly one export (the final one), retried within the bound.
    agent
        .shutdown(Duration::from_secs(2))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn base(collector: &FakeCollector) -> ConfigBuilder<'static> {
    Config::builder()
        .endpoint(&format!("https://{}", collector.addr))
        .interval(Duration::from_secs(3600))
        .timeout(Duration::from_secs(2))
        .export_timeout(Duration::from_secs(2))
}

#[test]
fn tls_with_the_collectors_ca() {
    let pki = Pki::new();
    let collector = FakeCollector::start_tls(pki.server_tls(false));
    let config = base(&collector)
        .ca_certificate(pki.path("ca.pem"))
        .build()
        .unwrap();
    export_once(config).unwrap();
    assert_eq!(collector.accepted().len(), 1);
}

#[test]
fn tls_without_trusting_the_ca_fails() {
    let pki = Pki::new();
    let collector = FakeCollector::start_tls(pki.server_tls(false));
    // System roots only: the test CA is unknown, so the handshake must fail.
    let config = base(&collector).build().unwrap();
    assert!(export_once(config).is_err());
    assert!(collector.accepted().is_empty());
}

#[test]
fn mutual_tls_with_a_client_certificate() {
    let pki = Pki::new();
    let collector = FakeCollector::start_tls(pki.server_tls(true));
    let config = base(&collector)
        .ca_certificate(pki.path("ca.pem"))
        .client_certificate(pki.path("client.pem"))
        .client_key(pki.path("client.key"))
        .build()
        .unwrap();
    export_once(config).unwrap();
    assert_eq!(collector.accepted().len(), 1);
}

#[test]
fn mutual_tls_without_a_client_certificate_is_refused() {
    let pki = Pki::new();
    let collector = FakeCollector::start_tls(pki.server_tls(true));
    let config = base(&collector)
        .ca_certificate(pki.path("ca.pem"))
        .build()
        .unwrap();
    assert!(export_once(config).is_err());
    assert!(collector.accepted().is_empty());
}

/// `Config::uses_tls` is the transports' one rule: an `http` gRPC endpoint with a CA file and
/// `insecure` set is plaintext (the gRPC transport used TLS whenever a certificate was given),
/// and without `insecure` the same endpoint asks for TLS.
#[test]
fn insecure_with_certificates_on_an_http_endpoint_is_plaintext() {
    let pki = Pki::new();
    let plaintext = FakeCollector::start(Vec::new());
    let config = |insecure| {
        base(&plaintext)
            .endpoint(&format!("http://{}", plaintext.addr))
            .ca_certificate(pki.path("ca.pem"))
            .insecure(insecure)
            .build()
            .unwrap()
    };
    assert!(!config(true).uses_tls() && config(false).uses_tls());
    let tls = export_once(config(false));
    assert!(
        tls.is_err(),
        "TLS to a plaintext server: {tls:?}, {} accepted",
        plaintext.accepted().len()
    );
    assert!(plaintext.accepted().is_empty());
    export_once(config(true)).unwrap();
    assert_eq!(plaintext.accepted().len(), 1);
}
