//! Kubeconfig files as kubectl reads them (kube-rs's `Kubeconfig` types): the admin
//! kubeconfig `kctl server` writes, and merging a cluster's credentials into
//! `~/.kube/config` as kind does.
//!
//! `ConfigAccess` picks the files as kubectl does (`--kubeconfig`, else `$KUBECONFIG`, else
//! `~/.kube/config`); `KubeconfigSet` reads them merged (first definition wins) and writes
//! each change back to the file that defines the entry, keeping fields kctl does not know.

use std::path::{Path, PathBuf};

use base64::Engine;
use kube::config::{AuthInfo, Cluster, Context, Kubeconfig, NamedAuthInfo, NamedCluster, NamedContext};

use crate::machinery::pki::CertifiedKey;
use crate::machinery::yaml;

#[derive(Debug, thiserror::Error)]
pub enum KubeconfigFileError {
    #[error("writing {path}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("reading {path}")]
    Read { path: PathBuf, source: Box<kube::config::KubeconfigError> },
    #[error("encoding kubeconfig: {0}")]
    Encode(#[from] serde_yaml::Error),
    #[error("encoding kubeconfig: {0}")]
    EncodeJson(#[from] serde_json::Error),
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A kubeconfig with one cluster, user and context, all called `name`.
pub fn single(name: &str, server: &str, ca_pem: &str, client: &CertifiedKey) -> Kubeconfig {
    Kubeconfig {
        clusters: vec![NamedCluster {
            name: name.to_string(),
            cluster: Some(Cluster {
                server: Some(server.to_string()),
                certificate_authority_data: Some(b64(ca_pem)),
                ..Default::default()
            }),
        }],
        auth_infos: vec![NamedAuthInfo {
            name: name.to_string(),
            auth_info: Some(AuthInfo {
                client_certificate_data: Some(b64(&client.cert_pem)),
                client_key_data: Some(b64(&client.key_pem).into()),
                ..Default::default()
            }),
        }],
        contexts: vec![NamedContext {
            name: name.to_string(),
            context: Some(Context { cluster: name.to_string(), user: Some(name.to_string()), ..Default::default() }),
        }],
        current_context: Some(name.to_string()),
        api_version: Some("v1".into()),
        kind: Some("Config".into()),
        ..Default::default()
    }
}

/// Writes `config` to `path` (mode 0600: it holds a private key).
pub fn write(path: &Path, config: &Kubeconfig) -> Result<(), KubeconfigFileError> {
    let text = yaml::to_yaml(&serde_json::to_value(config)?);
    let io = |source| KubeconfigFileError::Write { path: path.to_path_buf(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, text).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Kubeconfig file selection, merged reading and writing back, as client-go's clientcmd
// does it (`--kubeconfig`, else `$KUBECONFIG`, else `~/.kube/config`). Files are kept as
// YAML documents, not typed structs, so a write keeps what kctl does not understand.
// ---------------------------------------------------------------------------------------

/// Errors of loading and saving a set of kubeconfig files.
#[derive(Debug, thiserror::Error)]
pub enum KubeconfigSetError {
    // kubectl's messages carry the cause inline, so it is not also a `source`.
    #[error("error loading config file \"{path}\": {error}")]
    Load { path: PathBuf, error: std::io::Error },
    #[error("error loading config file \"{path}\": {error}")]
    Parse { path: PathBuf, error: serde_yaml::Error },
    #[error("open {path}: file exists")]
    Locked { path: PathBuf },
    #[error("error loading config file \"{path}\": not a kubeconfig object")]
    NotAMapping { path: PathBuf },
    #[error("merging kubeconfig files: {0}")]
    Merge(#[source] Box<kube::config::KubeconfigError>),
    #[error("no config found to write context")]
    NoFileForContext,
    #[error(transparent)]
    File(#[from] KubeconfigFileError),
}

/// Which kubeconfig files a command reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigAccess {
    explicit: Option<PathBuf>,
    env_files: Vec<PathBuf>,
    global: PathBuf,
}

impl ConfigAccess {
    /// From the `--kubeconfig` flag, `$KUBECONFIG` and `$HOME`, as kubectl.
    pub fn from_env(explicit: Option<&str>) -> ConfigAccess {
        let env = std::env::var_os("KUBECONFIG");
        let home = dirs::home_dir().unwrap_or_default();
        ConfigAccess::new(explicit, env.as_deref().and_then(|e| e.to_str()), &home)
    }

    pub fn new(explicit: Option<&str>, kubeconfig_env: Option<&str>, home: &Path) -> ConfigAccess {
        let mut env_files: Vec<PathBuf> = Vec::new();
        // `KUBECONFIG` is a path list; empty items are skipped and repeats kept once.
        for item in kubeconfig_env.unwrap_or_default().split(':').filter(|s| !s.is_empty()) {
            let path = PathBuf::from(item);
            if !env_files.contains(&path) {
                env_files.push(path);
            }
        }
        ConfigAccess {
            explicit: explicit.filter(|e| !e.is_empty()).map(PathBuf::from),
            env_files,
            global: home.join(".kube").join("config"),
        }
    }

    pub fn is_explicit(&self) -> bool {
        self.explicit.is_some()
    }

    /// The files read, in precedence order (the first to define a key wins).
    pub fn precedence(&self) -> Vec<PathBuf> {
        match &self.explicit {
            Some(path) => vec![path.clone()],
            None if !self.env_files.is_empty() => self.env_files.clone(),
            None => vec![self.global.clone()],
        }
    }

    /// Where new entries and the current-context go: the explicit file, else the first
    /// `KUBECONFIG` file that exists (the last one if none does), else `~/.kube/config`.
    pub fn default_file(&self) -> PathBuf {
        if let Some(path) = &self.explicit {
            return path.clone();
        }
        match self.env_files.as_slice() {
            [] => self.global.clone(),
            [only] => only.clone(),
            files => files.iter().find(|f| f.exists()).unwrap_or(&files[files.len() - 1]).clone(),
        }
    }

    /// Reads every file in the precedence list; a missing file reads as empty.
    pub fn load(&self) -> Result<KubeconfigSet, KubeconfigSetError> {
        let files = self.precedence().into_iter().map(KubeconfigFile::read).collect::<Result<Vec<_>, _>>()?;
        Ok(KubeconfigSet { access: self.clone(), files })
    }
}

/// The three named lists of a kubeconfig.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Clusters,
    Users,
    Contexts,
}

impl Section {
    /// The list's key in the file.
    pub fn key(self) -> &'static str {
        match self {
            Section::Clusters => "clusters",
            Section::Users => "users",
            Section::Contexts => "contexts",
        }
    }

    /// The key of an item's body next to its `name`.
    pub fn item_key(self) -> &'static str {
        match self {
            Section::Clusters => "cluster",
            Section::Users => "user",
            Section::Contexts => "context",
        }
    }
}

/// One kubeconfig file as a YAML document.
#[derive(Debug, Clone)]
pub struct KubeconfigFile {
    pub path: PathBuf,
    pub doc: serde_yaml::Mapping,
    dirty: bool,
}

impl KubeconfigFile {
    fn read(path: PathBuf) -> Result<KubeconfigFile, KubeconfigSetError> {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            // A file that does not exist yet starts as the skeleton kubectl writes.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => NEW_FILE.to_string(),
            Err(error) => return Err(KubeconfigSetError::Load { path, error }),
        };
        let value: serde_yaml::Value = match serde_yaml::from_str(&text) {
            Ok(value) => value,
            Err(error) => return Err(KubeconfigSetError::Parse { path, error }),
        };
        let doc = match value {
            serde_yaml::Value::Mapping(map) => map,
            serde_yaml::Value::Null => serde_yaml::Mapping::new(),
            _ => return Err(KubeconfigSetError::NotAMapping { path }),
        };
        Ok(KubeconfigFile { path, doc, dirty: false })
    }

    fn items(&self, section: Section) -> impl Iterator<Item = &serde_yaml::Mapping> {
        self.doc.get(section.key()).and_then(|v| v.as_sequence()).into_iter().flatten().filter_map(|v| v.as_mapping())
    }

    fn position(&self, section: Section, name: &str) -> Option<usize> {
        let list = self.doc.get(section.key())?.as_sequence()?;
        list.iter().position(|item| item_name(item) == Some(name))
    }

    fn list_mut(&mut self, section: Section) -> &mut Vec<serde_yaml::Value> {
        let key = serde_yaml::Value::from(section.key());
        let slot = self.doc.entry(key).or_insert(serde_yaml::Value::Null);
        if !slot.is_sequence() {
            *slot = serde_yaml::Value::Sequence(Vec::new());
        }
        match slot {
            serde_yaml::Value::Sequence(list) => list,
            _ => unreachable!("just made a sequence"),
        }
    }

    fn current_context(&self) -> Option<&str> {
        self.doc.get("current-context").and_then(|v| v.as_str()).filter(|s| !s.is_empty())
    }

    fn set_current_context(&mut self, name: &str) {
        self.doc.insert("current-context".into(), name.into());
        self.dirty = true;
    }

    /// Writes the document; a new file gets mode 0600, an existing file keeps its mode.
    fn save(&mut self) -> Result<(), KubeconfigFileError> {
        let io = |source| KubeconfigFileError::Write { path: self.path.clone(), source };
        let text = yaml::to_yaml(&yaml::json_from_yaml(&serde_yaml::Value::Mapping(self.doc.clone())));
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&self.path).map_err(io)?;
        std::io::Write::write_all(&mut file, text.as_bytes()).map_err(io)?;
        self.dirty = false;
        Ok(())
    }
}

/// client-go's kubeconfig lock: `<file>.lock` created exclusively, removed when dropped.
struct FileLock(PathBuf);

impl FileLock {
    fn acquire(file: &Path) -> Result<FileLock, KubeconfigSetError> {
        let mut name = file.as_os_str().to_owned();
        name.push(".lock");
        let lock = PathBuf::from(name);
        if let Some(dir) = lock.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| {
                KubeconfigSetError::from(KubeconfigFileError::Write { path: lock.clone(), source })
            })?;
        }
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&lock) {
            Ok(_) => Ok(FileLock(lock)),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(KubeconfigSetError::Locked { path: lock })
            }
            Err(source) => Err(KubeconfigFileError::Write { path: lock, source }.into()),
        }
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// What kubectl writes into a kubeconfig file it creates.
const NEW_FILE: &str = "apiVersion: v1\nclusters: null\ncontexts: null\ncurrent-context: \"\"\nkind: Config\npreferences: {}\nusers: null\n";

fn item_name(item: &serde_yaml::Value) -> Option<&str> {
    item.get("name").and_then(|n| n.as_str())
}

/// An entry as the merged view sees it: its body and the file it came from.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub name: &'a str,
    pub body: Option<&'a serde_yaml::Value>,
    pub origin: &'a Path,
}

/// The files of one `ConfigAccess`, read together: the first file to define a name wins,
/// and a change goes to the file the changed entry came from (new ones to the default file).
#[derive(Debug, Clone)]
pub struct KubeconfigSet {
    access: ConfigAccess,
    files: Vec<KubeconfigFile>,
}

impl KubeconfigSet {
    pub fn access(&self) -> &ConfigAccess {
        &self.access
    }

    pub fn files(&self) -> &[KubeconfigFile] {
        &self.files
    }

    /// The file kubectl names in its messages: the explicit file, else the default one.
    pub fn display_file(&self) -> PathBuf {
        self.access.default_file()
    }

    /// The first non-empty `current-context` along the precedence list.
    pub fn current_context(&self) -> Option<&str> {
        self.files.iter().find_map(|f| f.current_context())
    }

    /// All entries of a section, first definition of each name winning, sorted by name.
    pub fn entries(&self, section: Section) -> Vec<Entry<'_>> {
        let mut seen = std::collections::BTreeMap::new();
        for file in &self.files {
            for item in file.items(section) {
                let Some(name) = item.get("name").and_then(|n| n.as_str()) else { continue };
                seen.entry(name).or_insert(Entry { name, body: item.get(section.item_key()), origin: &file.path });
            }
        }
        seen.into_values().collect()
    }

    pub fn entry(&self, section: Section, name: &str) -> Option<Entry<'_>> {
        self.files.iter().find_map(|file| {
            let item = file.items(section).find(|item| item.get("name").and_then(|n| n.as_str()) == Some(name))?;
            let name = item.get("name").and_then(|n| n.as_str())?;
            Some(Entry { name, body: item.get(section.item_key()), origin: &file.path })
        })
    }

    pub fn contains(&self, section: Section, name: &str) -> bool {
        self.origin_index(section, name).is_some()
    }

    /// A top-level value (`preferences`, `extensions`) from the first file that sets it.
    pub fn top_level(&self, key: &str) -> Option<&serde_yaml::Value> {
        self.files.iter().find_map(|f| f.doc.get(key).filter(|v| !v.is_null()))
    }

    fn origin_index(&self, section: Section, name: &str) -> Option<usize> {
        self.files.iter().position(|f| f.position(section, name).is_some())
    }

    fn default_index(&self) -> usize {
        let default = self.access.default_file();
        self.files.iter().position(|f| f.path == default).unwrap_or(0)
    }

    /// Changes the body of an entry in the file that defines it, or creates the entry
    /// (with `new_body` as its start) in the default file. Returns whether it existed.
    pub fn upsert(
        &mut self,
        section: Section,
        name: &str,
        new_body: impl FnOnce() -> serde_yaml::Mapping,
        change: impl FnOnce(&mut serde_yaml::Mapping),
    ) -> bool {
        let (index, existed) = match self.origin_index(section, name) {
            Some(index) => (index, true),
            None => (self.default_index(), false),
        };
        let file = &mut self.files[index];
        file.dirty = true;
        let list = file.list_mut(section);
        let position = match list.iter().position(|item| item_name(item) == Some(name)) {
            Some(position) => position,
            None => {
                // Keys in kubectl's (sorted) order: `cluster`/`context`/`user` before `name`.
                let mut item = serde_yaml::Mapping::new();
                item.insert(section.item_key().into(), serde_yaml::Value::Mapping(new_body()));
                item.insert("name".into(), name.into());
                list.push(serde_yaml::Value::Mapping(item));
                list.len() - 1
            }
        };
        let serde_yaml::Value::Mapping(item) = &mut list[position] else { unreachable!("items are mappings") };
        let body = item.entry(section.item_key().into()).or_insert(serde_yaml::Value::Null);
        if !body.is_mapping() {
            *body = serde_yaml::Value::Mapping(serde_yaml::Mapping::new());
        }
        if let serde_yaml::Value::Mapping(body) = body {
            change(body);
            if !existed {
                // A new stanza reads as kubectl would have written it: keys sorted.
                let mut entries: Vec<_> = std::mem::take(body).into_iter().collect();
                entries.sort_by(|(a, _), (b, _)| a.as_str().cmp(&b.as_str()));
                body.extend(entries);
            }
        }
        existed
    }

    /// Removes an entry from the file it came from. Returns whether it existed.
    pub fn remove(&mut self, section: Section, name: &str) -> bool {
        let Some(index) = self.origin_index(section, name) else { return false };
        let file = &mut self.files[index];
        let list = file.list_mut(section);
        if let Some(position) = list.iter().position(|item| item_name(item) == Some(name)) {
            list.remove(position);
        }
        if list.is_empty() {
            // kubectl writes an empty list as null.
            file.doc.insert(section.key().into(), serde_yaml::Value::Null);
        }
        file.dirty = true;
        true
    }

    /// Renames an entry in place, in the file it came from. Returns whether it existed.
    pub fn rename(&mut self, section: Section, old: &str, new: &str) -> bool {
        let Some(index) = self.origin_index(section, old) else { return false };
        let file = &mut self.files[index];
        let list = file.list_mut(section);
        if let Some(serde_yaml::Value::Mapping(item)) = list.iter_mut().find(|item| item_name(item) == Some(old)) {
            item.insert("name".into(), new.into());
        }
        file.dirty = true;
        true
    }

    /// Sets `current-context` where kubectl would: the explicit file, else the default
    /// file; clearing it clears the first file that sets it.
    pub fn set_current_context(&mut self, name: &str) -> Result<(), KubeconfigSetError> {
        if self.current_context().unwrap_or_default() == name {
            return Ok(());
        }
        if self.access.is_explicit() || !name.is_empty() {
            let index = self.default_index();
            self.files[index].set_current_context(name);
            return Ok(());
        }
        let file = self.files.iter_mut().find(|f| f.current_context().is_some() && f.path.exists());
        match file {
            Some(file) => {
                file.set_current_context(name);
                Ok(())
            }
            None => Err(KubeconfigSetError::NoFileForContext),
        }
    }

    /// A top-level key of the default file, for `config set`/`unset` outside the lists.
    pub fn top_level_mut(&mut self, key: &str) -> &mut serde_yaml::Value {
        let index = match self.files.iter().position(|f| f.doc.get(key).is_some_and(|v| !v.is_null())) {
            Some(index) => index,
            None => self.default_index(),
        };
        let file = &mut self.files[index];
        file.dirty = true;
        file.doc.entry(key.into()).or_insert(serde_yaml::Value::Null)
    }

    /// Adds or replaces the clusters, users and contexts of `config` (a new local cluster's
    /// credentials, as kind merges them), each in the file that already defines it or in the
    /// default file; with `make_current`, its current context becomes the current one.
    pub fn merge_in(&mut self, config: &Kubeconfig, make_current: bool) -> Result<(), KubeconfigSetError> {
        let mut put = |section: Section, name: &str, body: serde_yaml::Value| {
            let body = match body {
                serde_yaml::Value::Mapping(map) => map,
                _ => serde_yaml::Mapping::new(),
            };
            self.upsert(section, name, serde_yaml::Mapping::new, |old| *old = body);
        };
        for named in &config.clusters {
            put(
                Section::Clusters,
                &named.name,
                serde_yaml::to_value(&named.cluster).map_err(KubeconfigFileError::from)?,
            );
        }
        for named in &config.auth_infos {
            put(
                Section::Users,
                &named.name,
                serde_yaml::to_value(&named.auth_info).map_err(KubeconfigFileError::from)?,
            );
        }
        for named in &config.contexts {
            put(
                Section::Contexts,
                &named.name,
                serde_yaml::to_value(&named.context).map_err(KubeconfigFileError::from)?,
            );
        }
        match config.current_context.as_deref() {
            Some(current) if make_current && !current.is_empty() => self.set_current_context(current),
            _ => Ok(()),
        }
    }

    /// Removes the cluster, user and context called `name` (what `merge_in` added for a
    /// cluster), clearing the current context if it was that one.
    pub fn remove_named(&mut self, name: &str) -> Result<(), KubeconfigSetError> {
        for section in [Section::Clusters, Section::Users, Section::Contexts] {
            self.remove(section, name);
        }
        if self.current_context() == Some(name) {
            self.set_current_context("")?;
        }
        Ok(())
    }

    /// Writes every file that changed, each under kubectl's `<file>.lock` so a kubectl
    /// changing the same file at the same time fails instead of losing one of the writes.
    pub fn save(&mut self) -> Result<(), KubeconfigSetError> {
        for file in self.files.iter_mut().filter(|f| f.dirty) {
            let _lock = FileLock::acquire(&file.path)?;
            file.save()?;
        }
        Ok(())
    }

    /// The merged configuration as kube-rs types, for clients.
    pub fn to_kube(&self) -> Result<Kubeconfig, KubeconfigSetError> {
        let mut merged = Kubeconfig::default();
        for file in &self.files {
            let config: Kubeconfig = serde_yaml::from_value(serde_yaml::Value::Mapping(file.doc.clone()))
                .map_err(|error| KubeconfigSetError::Parse { path: file.path.clone(), error })?;
            merged = merged.merge(config).map_err(|source| KubeconfigSetError::Merge(Box::new(source)))?;
        }
        Ok(merged)
    }
}

#[cfg(test)]
mod set_tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn env_of(paths: &[&Path]) -> String {
        paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(":")
    }

    const FIRST: &str = "clusters:\n- name: shared\n  cluster: {server: https://first}\ncurrent-context: one\n";
    const SECOND: &str = "clusters:\n- name: shared\n  cluster: {server: https://second}\n- name: only-second\n  cluster: {server: https://2, x-unknown: keep}\n";

    #[test]
    fn default_file_is_the_first_existing_kubeconfig_file_else_the_last() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let access = ConfigAccess::new(None, Some(&env_of(&[&a, &b])), dir.path());
        assert_eq!(access.default_file(), b);
        write(dir.path(), "b", "");
        write(dir.path(), "a", "");
        assert_eq!(access.default_file(), a);
        let explicit = ConfigAccess::new(Some("x.yaml"), Some(&env_of(&[&a, &b])), dir.path());
        assert_eq!(explicit.precedence(), vec![PathBuf::from("x.yaml")]);
        let home = ConfigAccess::new(None, Some(""), dir.path());
        assert_eq!(home.default_file(), dir.path().join(".kube/config"));
    }

    #[test]
    fn the_first_file_wins_and_a_change_goes_to_the_file_that_defines_the_entry() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(dir.path(), "a", FIRST);
        let b = write(dir.path(), "b", SECOND);
        let access = ConfigAccess::new(None, Some(&env_of(&[&a, &b])), dir.path());
        let mut set = access.load().unwrap();
        let shared = set.entry(Section::Clusters, "shared").unwrap();
        assert_eq!(shared.origin, a.as_path());
        assert_eq!(set.entries(Section::Clusters).len(), 2);

        set.upsert(Section::Clusters, "only-second", serde_yaml::Mapping::new, |body| {
            body.insert("server".into(), "https://changed".into());
        });
        set.upsert(Section::Clusters, "new", serde_yaml::Mapping::new, |_| {});
        set.save().unwrap();
        let b_text = std::fs::read_to_string(&b).unwrap();
        assert!(b_text.contains("https://changed") && b_text.contains("x-unknown: keep"), "{b_text}");
        assert!(std::fs::read_to_string(&a).unwrap().contains("name: new"));
    }

    #[test]
    fn clearing_the_current_context_clears_the_file_that_sets_it() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(dir.path(), "a", "clusters: []\n");
        let b = write(dir.path(), "b", "current-context: two\n");
        let mut set = ConfigAccess::new(None, Some(&env_of(&[&a, &b])), dir.path()).load().unwrap();
        assert_eq!(set.current_context(), Some("two"));
        set.set_current_context("").unwrap();
        set.save().unwrap();
        let again = ConfigAccess::new(None, Some(&env_of(&[&a, &b])), dir.path()).load().unwrap();
        assert_eq!(again.current_context(), None);
    }

    #[test]
    fn merge_in_adds_a_clusters_credentials_and_remove_named_takes_them_out() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(dir.path(), "config", FIRST);
        let access = ConfigAccess::new(Some(&a.display().to_string()), None, dir.path());
        let mut set = access.load().unwrap();
        let key = crate::machinery::pki::CertifiedKey { cert_pem: "cert".into(), key_pem: "key".into() };
        set.merge_in(&single("kctl-dev", "https://127.0.0.1:1", "ca", &key), true).unwrap();
        set.save().unwrap();
        let set = access.load().unwrap();
        assert_eq!(set.current_context(), Some("kctl-dev"));
        assert!(set.contains(Section::Users, "kctl-dev") && set.contains(Section::Clusters, "shared"));
        let kube = set.to_kube().unwrap();
        assert_eq!(kube.contexts.len(), 1);

        let mut set = access.load().unwrap();
        set.remove_named("kctl-dev").unwrap();
        set.save().unwrap();
        let set = access.load().unwrap();
        assert!(!set.contains(Section::Clusters, "kctl-dev"));
        assert_eq!(set.current_context(), None);
    }
}
