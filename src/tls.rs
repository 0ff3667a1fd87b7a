//! Which certificate authorities HTTPS connections trust: [`TlsRoots`] and custom CA
//! certificates ([`ClientBuilder::ca_file`], [`ClientBuilder::ca_pem`]).
//!
//! [`ClientBuilder::ca_file`]: crate::ClientBuilder::ca_file
//! [`ClientBuilder::ca_pem`]: crate::ClientBuilder::ca_pem

use std::path::PathBuf;
use std::sync::Arc;

use ureq::tls::{PemItem, RootCerts};

use crate::error::{Error, Result};

/// The trust store HTTPS connections verify the server against when no custom CA is given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsRoots {
    /// Mozilla's root certificates compiled into the library (the `webpki-roots` set): the same
    /// answer on every machine, unaffected by what the machine trusts. The default.
    #[default]
    WebPki,
    /// The operating system's trust store and verifier (on Linux the system CA bundle, e.g.
    /// `/etc/ssl/certs`; on macOS and Windows the platform verifier), so that a CA installed
    /// on the machine, such as a corporate TLS-inspecting proxy's, is trusted.
    Os,
}

/// One source of custom CA certificates, read when the client is built.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum CaSource {
    /// A PEM file.
    File(PathBuf),
    /// PEM text.
    Pem(Vec<u8>),
}

/// The file's path, or the PEM text's length (not the text: it may be long).
impl std::fmt::Debug for CaSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CaSource::File(path) => f.debug_tuple("File").field(path).finish(),
            CaSource::Pem(pem) => write!(f, "Pem({} bytes)", pem.len()),
        }
    }
}

/// The agent's root certificates: the custom CAs if any were given (they replace `roots`, which
/// must then be the default), else `roots`. A missing or unreadable file, text that holds no
/// PEM certificate, a malformed PEM block, or a certificate whose DER does not parse as X.509
/// (corrupt or truncated) is an [`Error::Config`] naming its source (param `caFile` / `caPem`).
pub(crate) fn root_certs(roots: TlsRoots, ca: &[CaSource]) -> Result<RootCerts> {
    if ca.is_empty() {
        return Ok(match roots {
            TlsRoots::WebPki => RootCerts::WebPki,
            TlsRoots::Os => RootCerts::PlatformVerifier,
        });
    }
    if roots != TlsRoots::WebPki {
        return Err(Error::config_param(
            "tlsTrust",
            "custom ca certificates cannot be combined with the os trust store",
        ));
    }
    let mut certs = Vec::new();
    for source in ca {
        let (pem, name, param) = match source {
            CaSource::File(path) => {
                let name = format!("ca file {}", path.display());
                let pem = std::fs::read(path).map_err(|e| {
                    Error::config_param("caFile", format!("cannot read {name}: {e}"))
                })?;
                (pem, name, "caFile")
            }
            CaSource::Pem(pem) => (pem.clone(), "ca pem".to_owned(), "caPem"),
        };
        let before = certs.len();
        for item in ureq::tls::parse_pem(&pem) {
            match item {
                Ok(PemItem::Certificate(c)) => {
                    check_x509(c.der()).map_err(|e| {
                        Error::config_param(
                            param,
                            format!(
                                "{name}: certificate {} is not a valid x.509 certificate \
                                 (corrupt or truncated): {e}",
                                certs.len() - before + 1
                            ),
                        )
                    })?;
                    certs.push(c)
                }
                Ok(_) => {} // keys and the like are not trust anchors
                Err(e) => {
                    return Err(Error::config_param(
                        param,
                        format!("{name}: invalid pem: {e}"),
                    ));
                }
            }
        }
        if certs.len() == before {
            return Err(Error::config_param(
                param,
                format!("{name}: no pem certificate found (expected -----BEGIN CERTIFICATE-----)"),
            ));
        }
    }
    Ok(RootCerts::Specific(Arc::new(certs)))
}

/// Whether `der` parses as an X.509 certificate usable as a trust anchor: the check rustls
/// makes when it loads the roots for a connection, where a certificate that fails it would be
/// dropped silently and every HTTPS call would then blame the server ("unknown issuer").
fn check_x509(der: &[u8]) -> std::result::Result<(), rustls::Error> {
    let der = rustls::pki_types::CertificateDer::from(der);
    rustls::RootCertStore::empty().add(der)
}

/// How many specific root certificates `roots` holds.
#[cfg(test)]
fn count(roots: &RootCerts) -> usize {
    match roots {
        RootCerts::Specific(c) => c.len(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A self-signed certificate (openssl req -x509 -newkey ec -pkeyopt
    // ec_paramgen_curve:P-256 -subj /CN=test), only parsed here, never used to connect.
    const CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBczCCARmgAwIBAgIUHw4VWyQsflknTlSgW4UcvCFc8jMwCgYIKoZIzj0EAwIw
DzENMAsGA1UEAwwEdGVzdDAeFw0yNjEyMDUxMjM5MTJaFw0zNjEyMDIxMjM5MTJa
MA8xDTALBgNVBAMMBHRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARlekM1
eTSfo/sNYnTsvGcxLFxuEscLAhVCMaBEc16Os09Bq9DRVpQXklj4wDJPj4n8+EeW
+L8hooP5wkOKZQiAo1MwUTAdBgNVHQ4EFgQUtqtMzZ6+vbKlr0cy/QV+YxHroRMw
HwYDVR0jBBgwFoAUtqtMzZ6+vbKlr0cy/QV+YxHroRMwDwYDVR0TAQH/BAUwAwEB
/zAKBggqhkjOPQQDAgNIADBFAiAPT3dlqF52W9Wxk/IbV2fhcdAFVXKhA2lUlye5
xV8bEQIhAJBSyuifV33IKpskJvAvDR6pFL8QfeNs9heUWcu+xfLi
-----END CERTIFICATE-----
";

    #[test]
    fn defaults_and_os_store() {
        assert!(matches!(
            root_certs(TlsRoots::default(), &[]).unwrap(),
            RootCerts::WebPki
        ));
        assert!(matches!(
            root_certs(TlsRoots::Os, &[]).unwrap(),
            RootCerts::PlatformVerifier
        ));
    }

    #[test]
    fn pem_text_and_files() {
        let roots = root_certs(TlsRoots::WebPki, &[CaSource::Pem(CERT.into())]).unwrap();
        assert_eq!(count(&roots), 1);
        let two = format!("{CERT}{CERT}");
        let roots = root_certs(TlsRoots::WebPki, &[CaSource::Pem(two.into())]).unwrap();
        assert_eq!(count(&roots), 2);
        let dir = std::env::temp_dir().join(format!("soku-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("ca.pem");
        std::fs::write(&file, CERT).unwrap();
        let roots = root_certs(
            TlsRoots::WebPki,
            &[CaSource::File(file.clone()), CaSource::Pem(CERT.into())],
        )
        .unwrap();
        assert_eq!(count(&roots), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_sources_are_config_errors_naming_them() {
        let missing = PathBuf::from("/nonexistent/soku/ca.pem");
        let e = root_certs(TlsRoots::WebPki, &[CaSource::File(missing)]).unwrap_err();
        assert!(matches!(e, Error::Config { .. }));
        assert!(
            e.to_string()
                .contains("cannot read ca file /nonexistent/soku/ca.pem"),
            "{e}"
        );
        let e = root_certs(TlsRoots::WebPki, &[CaSource::Pem(b"hello".to_vec())]).unwrap_err();
        assert!(
            e.to_string().contains("ca pem: no pem certificate found"),
            "{e}"
        );
        let broken = CERT.replace("MIIB", "M!IB");
        let e = root_certs(TlsRoots::WebPki, &[CaSource::Pem(broken.into())]).unwrap_err();
        assert!(matches!(e, Error::Config { .. }), "{e}");
        let e = root_certs(TlsRoots::Os, &[CaSource::Pem(CERT.into())]).unwrap_err();
        assert!(e.to_string().contains("os trust store"), "{e}");
    }
}
