//! A webhook receiver on loopback, and the check of its signatures.

use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub type Received = Arc<Mutex<Vec<(String, String, String, Vec<u8>)>>>;

/// A receiver on loopback that fails its first `failures` calls with 500.
pub async fn receiver(failures: usize) -> (String, Received) {
    let received: Received = Arc::new(Mutex::new(Vec::new()));
    let calls = Arc::new(Mutex::new(0usize));
    let state = (received.clone(), calls);
    let server = HttpServer::new(move || {
        let state = state.clone();
        App::new().route(
            "/hook",
            web::post().to(move |req: HttpRequest, body: web::Bytes| {
                let (received, calls) = state.clone();
                async move {
                    let header = |name: &str| {
                        req.headers()
                            .get(name)
                            .map(|v| v.to_str().unwrap().to_owned())
                            .unwrap_or_default()
                    };
                    received.lock().unwrap().push((
                        header("modelmart-signature"),
                        header("modelmart-event-id"),
                        header("modelmart-event-type"),
                        body.to_vec(),
                    ));
                    let mut calls = calls.lock().unwrap();
                    *calls += 1;
                    if *calls <= failures {
                        HttpResponse::InternalServerError().finish()
                    } else {
                        HttpResponse::NoContent().finish()
                    }
                }
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    (format!("http://127.0.0.1:{port}/hook"), received)
}

/// Checks `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn signature_is_valid(secret: &str, signature: &str, body: &[u8]) -> bool {
    let Some((t, v1)) = signature.split_once(',') else {
        return false;
    };
    let (Some(timestamp), Some(given)) = (t.strip_prefix("t="), v1.strip_prefix("v1=")) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    given == hex::encode(mac.finalize().into_bytes())
}
