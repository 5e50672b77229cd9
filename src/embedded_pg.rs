//! A private PostgreSQL server run from the machine's installed binaries:
//! the default of `serve --demo` without `DATABASE_URL`, and of the tests.
//!
//! `initdb` refuses to run as root, so when this process is root the cluster
//! is created and run as the `postgres` OS user. The server binds 127.0.0.1
//! only, on a port of its own, with no Unix socket, and trusts local
//! connections: it is a development database, never a production one.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::Connection;

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error("PostgreSQL server binaries (initdb, postgres) were not found on PATH or under /usr/lib/postgresql/*/bin; install PostgreSQL or set DATABASE_URL")]
    BinariesNotFound,
    #[error("running as root, but there is no `postgres` OS user to run the cluster as")]
    NoPostgresUser,
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("initdb failed: {0}")]
    Initdb(String),
    #[error("PostgreSQL did not accept connections within {0:?}; see {1}")]
    NotReady(Duration, String),
}

/// A running private server. Dropping it stops the server.
pub struct EmbeddedPostgres {
    pid: u32,
    port: u16,
    data_dir: PathBuf,
}

pub struct EmbeddedOptions {
    pub data_dir: PathBuf,
    pub port: u16,
    /// `false` turns off fsync and friends: fine for throwaway test clusters.
    pub durable: bool,
}

fn find_binaries() -> Result<PathBuf, EmbeddedError> {
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            if dir.join("initdb").is_file() && dir.join("postgres").is_file() {
                return Ok(dir);
            }
        }
    }
    // Debian keeps server binaries out of PATH, one folder per major version.
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("postgres").is_file()).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or(EmbeddedError::BinariesNotFound)
}

/// The uid and gid to run the server as: ours, or `postgres`'s when root.
fn server_identity() -> Result<Option<(u32, u32)>, EmbeddedError> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let name = std::ffi::CString::new("postgres").expect("static name");
    // SAFETY: getpwnam returns a pointer to static storage or null; we copy
    // the two integers out immediately.
    let entry = unsafe { libc::getpwnam(name.as_ptr()) };
    if entry.is_null() {
        return Err(EmbeddedError::NoPostgresUser);
    }
    // SAFETY: checked non-null above.
    let (uid, gid) = unsafe { ((*entry).pw_uid, (*entry).pw_gid) };
    Ok(Some((uid, gid)))
}

fn command_as(program: PathBuf, identity: Option<(u32, u32)>) -> Command {
    let mut command = Command::new(program);
    if let Some((uid, gid)) = identity {
        command.uid(uid).gid(gid);
    }
    command
}

/// Where the cluster lives: `wanted`, unless the server runs as another
/// user (`postgres`, when we are root) who cannot reach it: a checkout
/// under root's 0700 home is such a place, and initdb would fail there with
/// "Permission denied". Then a directory of its own under the system's
/// temporary directory, named for `wanted` so each checkout keeps its own
/// cluster from run to run, and a log line says where.
fn reachable_data_dir(wanted: PathBuf, identity: Option<(u32, u32)>) -> PathBuf {
    let Some((uid, gid)) = identity else {
        return wanted;
    };
    if wanted.ancestors().skip(1).all(|dir| traversable_by(dir, uid, gid)) {
        return wanted;
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(wanted.as_os_str().as_encoded_bytes());
    let elsewhere = std::env::temp_dir().join(format!("modelmart-pg-{}", hex::encode(&digest[..8])));
    tracing::warn!(
        wanted = %wanted.display(),
        using = %elsewhere.display(),
        "the postgres user cannot reach the data directory (a parent is not searchable by it); \
         the embedded PostgreSQL keeps its cluster in a directory of its own instead \
         (set MODELMART_DATA_DIR to a directory it can reach to choose another)"
    );
    elsewhere
}

/// Whether `uid` (with primary group `gid`) may pass through `dir`: a
/// directory that does not exist yet will be created reachable.
fn traversable_by(dir: &Path, uid: u32, gid: u32) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(metadata) = std::fs::metadata(dir) else {
        return true;
    };
    let mode = metadata.mode();
    if metadata.uid() == uid {
        mode & 0o100 != 0
    } else if metadata.gid() == gid {
        mode & 0o010 != 0
    } else {
        mode & 0o001 != 0
    }
}

/// Asks the kernel for a free loopback port.
pub fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl EmbeddedPostgres {
    /// Creates the cluster if `data_dir` is empty, starts the server and
    /// waits until it accepts connections.
    pub async fn start(options: EmbeddedOptions) -> Result<Self, EmbeddedError> {
        let bin = find_binaries()?;
        let identity = server_identity()?;
        let data_dir = reachable_data_dir(absolute(&options.data_dir)?, identity);
        let log_path = data_dir.with_extension("log");
        if !data_dir.join("PG_VERSION").is_file() {
            std::fs::create_dir_all(&data_dir)?;
            std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o700))?;
            if let Some((uid, gid)) = identity {
                std::os::unix::fs::chown(&data_dir, Some(uid), Some(gid))?;
            }
            let output = command_as(bin.join("initdb"), identity)
                .arg("-D")
                .arg(&data_dir)
                .args([
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-instructions",
                ])
                .stdin(Stdio::null())
                .output()?;
            if !output.status.success() {
                return Err(EmbeddedError::Initdb(
                    String::from_utf8_lossy(&output.stderr).into_owned(),
                ));
            }
        }
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&log_path)?;
        if let Some((uid, gid)) = identity {
            std::os::unix::fs::chown(&log_path, Some(uid), Some(gid))?;
        }
        let mut command = command_as(bin.join("postgres"), identity);
        command
            .arg("-D")
            .arg(&data_dir)
            .args(["-p", &options.port.to_string()])
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="])
            .args(["-c", "max_connections=200"])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        if !options.durable {
            command.args([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]);
        }
        // SAFETY: prctl is async-signal-safe. The server gets SIGTERM (a
        // smart shutdown) if the thread that started it ends, so a crashed
        // or killed parent never leaves a stray server behind.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        // The death signal follows the spawning *thread*, so spawn from a
        // thread that lives exactly as long as the server.
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("embedded-postgres".into())
            .spawn(move || match command.spawn() {
                Ok(mut child) => {
                    let _ = sender.send(Ok(child.id()));
                    let _ = child.wait();
                }
                Err(error) => {
                    let _ = sender.send(Err(error));
                }
            })?;
        let pid = receiver
            .recv()
            .map_err(|_| std::io::Error::other("the embedded PostgreSQL thread ended early"))??;
        let server = EmbeddedPostgres {
            pid,
            port: options.port,
            data_dir,
        };
        server.wait_until_ready(Duration::from_secs(60), &log_path).await?;
        Ok(server)
    }

    async fn wait_until_ready(&self, limit: Duration, log_path: &Path) -> Result<(), EmbeddedError> {
        let started = Instant::now();
        loop {
            if sqlx::PgConnection::connect(&self.url("postgres")).await.is_ok() {
                return Ok(());
            }
            if started.elapsed() > limit {
                return Err(EmbeddedError::NotReady(limit, log_path.display().to_string()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// A connection URL for `database` on this server.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Stops the server (fast shutdown) and waits up to `limit` for its
    /// process to exit; whether it did.
    pub async fn stop_and_wait(&self, limit: Duration) -> bool {
        self.stop();
        let started = Instant::now();
        // The thread that spawned the server reaps it, so the /proc entry
        // goes when the process does.
        while Path::new(&format!("/proc/{}", self.pid)).exists() {
            if started.elapsed() > limit {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        true
    }

    /// Asks the server for a fast shutdown (SIGINT): open transactions are
    /// rolled back, the data folder is left consistent.
    pub fn stop(&self) {
        // SAFETY: kill with a pid we spawned; at worst it no longer exists.
        unsafe {
            libc::kill(self.pid as libc::pid_t, libc::SIGINT);
        }
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        self.stop();
    }
}

fn absolute(path: &Path) -> std::io::Result<PathBuf> {
    if path.is_absolute() {
        Ok(path.to_path_buf())
    } else {
        Ok(std::env::current_dir()?.join(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_directory_the_server_user_cannot_reach_is_moved_to_one_it_can() {
        let base = std::env::temp_dir().join(format!("modelmart-reach-{}", std::process::id()));
        let (open, closed) = (base.join("open"), base.join("closed"));
        for (dir, mode) in [(&open, 0o755), (&closed, 0o700)] {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        // A user that owns neither directory, as `postgres` does not own
        // root's home.
        let stranger = Some((65_534, 65_534));
        let wanted = open.join("checkout/.modelmart/pg");
        assert_eq!(reachable_data_dir(wanted.clone(), stranger), wanted);
        let wanted = closed.join("checkout/.modelmart/pg");
        let moved = reachable_data_dir(wanted.clone(), stranger);
        assert_ne!(moved, wanted);
        assert!(moved.starts_with(std::env::temp_dir()));
        assert_eq!(
            moved,
            reachable_data_dir(wanted.clone(), stranger),
            "the same place every run"
        );
        assert_eq!(
            reachable_data_dir(wanted.clone(), None),
            wanted,
            "our own server reaches it"
        );
        std::fs::remove_dir_all(&base).unwrap();
    }
}
