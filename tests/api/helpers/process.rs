//! The real binary as a child process: `modelmart serve` on its own port.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::PgPool;

use super::{TestApp, AUDIENCE, ISSUER, TEST_SECRET};

/// `modelmart serve` as a child process on its own port.
pub struct Process {
    pub child: Child,
    pub app: TestApp,
}

impl Drop for Process {
    fn drop(&mut self) {
        // A test that fails midway must not leave the server running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn serve(database_url: &str, extra: &[(&str, &str)]) -> Process {
    serve_logging_to(database_url, extra, None).await
}

/// As [`serve`], with the process's log (stderr) written to `log`.
pub async fn serve_logging_to(database_url: &str, extra: &[(&str, &str)], log: Option<std::fs::File>) -> Process {
    let port = modelmart::embedded_pg::free_port().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_modelmart"));
    command
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", database_url)
        .env("MODELMART_JWT_SECRET", TEST_SECRET)
        .env("MODELMART_JWT_ISSUER", ISSUER)
        .env("MODELMART_JWT_AUDIENCE", AUDIENCE)
        .env("MODELMART_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log.map_or_else(Stdio::null, Stdio::from));
    for (name, value) in extra {
        command.env(name, value);
    }
    let child = command.spawn().expect("start modelmart serve");
    let app = TestApp::at(
        format!("http://127.0.0.1:{port}"),
        PgPool::connect(database_url).await.unwrap(),
        database_url,
    );
    let started = Instant::now();
    loop {
        if let Ok(response) = app.client.get(app.url("/readyz")).send().await {
            if response.status() == 200 {
                break;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the server became ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Process { child, app }
}
