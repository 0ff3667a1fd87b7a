//! A test certificate authority for loopback TLS servers: one CA (its PEM is what a client is
//! told to trust) and a server configuration with a certificate it signed for `127.0.0.1` and
//! `localhost`.

use std::sync::Arc;

/// The CA's PEM and a server configuration presenting a certificate the CA signed.
pub struct Pki {
    /// The CA certificate, PEM (for `ClientBuilder::ca_pem` or the C key `caPem`).
    pub ca_pem: String,
    /// A rustls server configuration for 127.0.0.1 and localhost.
    pub server: Arc<rustls::ServerConfig>,
}

/// A fresh CA and server certificate.
pub fn pki() -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // Distinct subjects: OpenSSL (curl) takes a leaf named like its issuer for self-signed.
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "soku test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap(),
        )
        .unwrap();
    Pki {
        ca_pem: ca.pem(),
        server: Arc::new(server),
    }
}
