//! The cluster's certificates: a CA made on first start and kept in the data dir, the
//! apiserver's serving certificate, and client certificates whose CN is the user and
//! whose O entries are the groups (how upstream authenticates x509 clients).

use std::fs;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};

#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("reading or writing {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("certificate: {0}")]
    Certificate(#[from] rcgen::Error),
}

/// A certificate and its private key, both PEM.
#[derive(Debug, Clone)]
pub struct CertifiedKey {
    pub cert_pem: String,
    pub key_pem: String,
}

pub struct Pki {
    ca: CertifiedKey,
}

fn read(path: &Path) -> Result<Option<String>, PkiError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(PkiError::Io { path: path.to_path_buf(), source }),
    }
}

fn write(path: &Path, text: &str) -> Result<(), PkiError> {
    let io = |source| PkiError::Io { path: path.to_path_buf(), source };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io)?;
    }
    fs::write(path, text).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    Ok(())
}

/// Valid from a day ago (clock skew between nodes) for ten years.
fn ten_years(params: &mut CertificateParams) {
    use chrono::Datelike;
    let yesterday = chrono::Utc::now() - chrono::TimeDelta::days(1);
    let (year, month, day) = (yesterday.year(), yesterday.month() as u8, yesterday.day() as u8);
    params.not_before = rcgen::date_time_ymd(year, month, day);
    params.not_after = rcgen::date_time_ymd(year + 10, month, day.min(28));
}

impl Pki {
    /// Loads the CA from `dir` (`ca.crt`, `ca.key`), creating it the first time.
    pub fn load_or_create(dir: &Path) -> Result<Pki, PkiError> {
        let (cert_path, key_path) = (dir.join("ca.crt"), dir.join("ca.key"));
        if let (Some(cert_pem), Some(key_pem)) = (read(&cert_path)?, read(&key_path)?) {
            return Ok(Pki { ca: CertifiedKey { cert_pem, key_pem } });
        }
        let pki = Pki::generate()?;
        write(&cert_path, &pki.ca.cert_pem)?;
        write(&key_path, &pki.ca.key_pem)?;
        Ok(pki)
    }

    /// A new CA, kept nowhere (`kctl cluster create` makes one and hands it to the
    /// control-plane node).
    pub fn generate() -> Result<Pki, PkiError> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::default();
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, "kctl-ca");
        params.distinguished_name = name;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages =
            vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        ten_years(&mut params);
        let cert = params.self_signed(&key)?;
        Ok(Pki { ca: CertifiedKey { cert_pem: cert.pem(), key_pem: key.serialize_pem() } })
    }

    /// The CA certificate and key (PEM), to hand to a control plane.
    pub fn ca(&self) -> &CertifiedKey {
        &self.ca
    }

    pub fn ca_cert_pem(&self) -> &str {
        &self.ca.cert_pem
    }

    fn issue(&self, mut params: CertificateParams) -> Result<CertifiedKey, PkiError> {
        let ca_key = KeyPair::from_pem(&self.ca.key_pem)?;
        let issuer = Issuer::from_ca_cert_pem(&self.ca.cert_pem, ca_key)?;
        let key = KeyPair::generate()?;
        ten_years(&mut params);
        let cert = params.signed_by(&key, &issuer)?;
        Ok(CertifiedKey { cert_pem: cert.pem(), key_pem: key.serialize_pem() })
    }

    /// A serving certificate for the apiserver, valid for `hosts` (names or IPs).
    pub fn issue_server(&self, hosts: &[String]) -> Result<CertifiedKey, PkiError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        for host in hosts {
            params.subject_alt_names.push(match host.parse() {
                Ok(ip) => SanType::IpAddress(ip),
                Err(_) => SanType::DnsName(host.clone().try_into()?),
            });
        }
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, "kube-apiserver");
        params.distinguished_name = name;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        self.issue(params)
    }

    /// A client certificate for `user` in `groups` (e.g. `kubernetes-admin`, `system:masters`).
    pub fn issue_client(&self, user: &str, groups: &[&str]) -> Result<CertifiedKey, PkiError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        let mut name = DistinguishedName::new();
        for group in groups {
            name.push(DnType::OrganizationName, *group);
        }
        name.push(DnType::CommonName, user);
        params.distinguished_name = name;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.issue(params)
    }
}

/// The user (CN) and groups (O) of a client certificate, from its DER.
pub fn identity_of(cert_der: &[u8]) -> Option<(String, Vec<String>)> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der).ok()?;
    let subject = cert.subject();
    let user = subject.iter_common_name().next()?.as_str().ok()?.to_string();
    let groups = subject.iter_organization().filter_map(|o| o.as_str().ok().map(str::to_string)).collect();
    Some((user, groups))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_is_kept_and_client_certs_carry_user_and_groups() {
        let dir = tempfile::tempdir().unwrap();
        let pki = Pki::load_or_create(dir.path()).unwrap();
        let again = Pki::load_or_create(dir.path()).unwrap();
        assert_eq!(pki.ca_cert_pem(), again.ca_cert_pem());
        let client = pki.issue_client("kubernetes-admin", &["system:masters"]).unwrap();
        let der = rustls_pemfile_der(&client.cert_pem);
        assert_eq!(identity_of(&der), Some(("kubernetes-admin".into(), vec!["system:masters".into()])));
    }

    fn rustls_pemfile_der(pem: &str) -> Vec<u8> {
        use rustls::pki_types::{pem::PemObject, CertificateDer};
        CertificateDer::from_pem_slice(pem.as_bytes()).unwrap().to_vec()
    }
}
