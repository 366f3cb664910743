//! PEM files for configuration tests: the certificate and key settings are checked to hold
//! what they name when the configuration is resolved.

/// A directory with PEM files `ca.pem`, `ca2.pem`, `cert.pem`, `cert2.pem` (a self-signed
/// certificate) and `key.pem`, `key2.pem` (its key): the configuration parses them.
pub fn cert_dir() -> (tempfile::TempDir, impl Fn(&str) -> String) {
    let dir = tempfile::tempdir().unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let certificate = params.self_signed(&key).unwrap().pem();
    for name in ["ca", "ca2", "cert", "cert2"] {
        std::fs::write(dir.path().join(format!("{name}.pem")), &certificate).unwrap();
    }
    for name in ["key", "key2"] {
        std::fs::write(dir.path().join(format!("{name}.pem")), key.serialize_pem()).unwrap();
    }
    let root = dir.path().to_owned();
    let path = move |name: &str| root.join(format!("{name}.pem")).display().to_string();
    (dir, path)
}
