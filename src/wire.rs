//! The connection under the HTTP/1 codec. actix-http answers a request it
//! cannot parse by itself, before any service or middleware sees it, with
//! an empty body: 431 for a head larger than its buffer, 400 for a URI over
//! 64 KB or broken framing, 408 for a head that does not arrive in time.
//! [`ProblemStream`] wraps each accepted socket and gives those answers the
//! problem+json body every other error of the API has.
//!
//! The codec writes such an answer as one head, with `content-length: 0`
//! and no `content-type`, then closes the connection. Every answer the
//! application makes has a `content-type`, so the codec's own answers are
//! told apart by their heads alone, and only on the codec's three statuses.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::{ApiError, ErrorCode};

/// A socket whose codec-made error answers carry a problem document.
pub struct ProblemStream<S> {
    inner: S,
    /// Bytes already accepted from the codec (rewritten) and not yet sent.
    pending: Vec<u8>,
    sent: usize,
}

impl<S> ProblemStream<S> {
    pub fn new(inner: S) -> Self {
        ProblemStream {
            inner,
            pending: Vec::new(),
            sent: 0,
        }
    }
}

impl<S: AsyncWrite + Unpin> ProblemStream<S> {
    /// Sends what a rewrite left pending; ready once all of it is out.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.pending.len() {
            match Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.sent..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => self.sent += n,
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending => return Poll::Pending,
            }
        }
        self.pending.clear();
        self.sent = 0;
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ProblemStream<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ProblemStream<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.poll_pending(cx)?.is_pending() {
            return Poll::Pending;
        }
        match with_problem_bodies(buf) {
            // Taken whole: the codec's next call (or flush) sends it.
            Some(rewritten) => {
                this.pending = rewritten;
                let _ = this.poll_pending(cx)?;
                Poll::Ready(Ok(buf.len()))
            }
            None => Pin::new(&mut this.inner).poll_write(cx, buf),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.poll_pending(cx)?.is_pending() {
            return Poll::Pending;
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.poll_pending(cx)?.is_pending() {
            return Poll::Pending;
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// The statuses the codec answers with by itself.
const CODEC_STATUSES: [&[u8]; 3] = [b"400", b"408", b"431"];

/// The codec's answers and what they mean to a client.
fn codec_answer(status: &[u8]) -> Option<ApiError> {
    let (code, detail) = match status {
        b"400" => (
            ErrorCode::MalformedRequest,
            "The request could not be read as HTTP/1.1: its request line, URI (at most 65,534 bytes), headers or body framing is malformed.",
        ),
        b"408" => (
            ErrorCode::RequestTimeout,
            "The request's head did not arrive in time; send it again.",
        ),
        b"431" => (
            ErrorCode::HeadersTooLarge,
            "The request line and headers are too large; send fewer or shorter headers.",
        ),
        _ => return None,
    };
    Some(ApiError::new(code, detail))
}

/// `bytes` with every codec-made error head given its problem body, or
/// `None` when it holds no such head (the case of every application answer).
fn with_problem_bodies(bytes: &[u8]) -> Option<Vec<u8>> {
    // The codec closes the connection after its answer, so its head is the
    // last thing written, and with no body a write holding one ends with
    // the head's blank line. Every other write (an answer with a body: all
    // but a few) is passed on without being read.
    if !bytes.ends_with(b"\r\n\r\n") {
        return None;
    }
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = memchr::memmem::find(&bytes[from..], b"HTTP/1.") {
        let start = from + found;
        from = start + 1;
        // Every answer's head starts so: look further only at the codec's
        // statuses, so the application's answers cost this one comparison.
        if !bytes
            .get(start + 9..start + 12)
            .is_some_and(|status| CODEC_STATUSES.contains(&status))
        {
            continue;
        }
        let Some(head_len) = memchr::memmem::find(&bytes[start..], b"\r\n\r\n").map(|end| end + 4) else {
            break;
        };
        let head = &bytes[start..start + head_len];
        let Some(rewritten) = rewrite_head(head) else {
            continue;
        };
        let out = out.get_or_insert_with(|| Vec::with_capacity(bytes.len() + 512));
        out.extend_from_slice(&bytes[copied..start]);
        out.extend_from_slice(&rewritten);
        copied = start + head_len;
        from = copied;
    }
    let mut out = out?;
    out.extend_from_slice(&bytes[copied..]);
    Some(out)
}

/// A codec-made error head (`HTTP/1.x 4xx`, `content-length: 0`, no
/// `content-type`) as a head and problem body; `None` for any other head.
fn rewrite_head(head: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next()?;
    let status = status_line.get(9..12)?;
    if !(status_line.starts_with("HTTP/1.0 ") || status_line.starts_with("HTTP/1.1 ")) {
        return None;
    }
    let error = codec_answer(status.as_bytes())?;
    let headers: Vec<&str> = lines.filter(|line| !line.is_empty()).collect();
    let named = |name: &str| {
        headers.iter().any(|line| {
            line.split_once(':')
                .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case(name))
        })
    };
    let empty = headers.iter().any(|line| {
        line.split_once(':')
            .is_some_and(|(n, v)| n.trim().eq_ignore_ascii_case("content-length") && v.trim() == "0")
    });
    if !empty || named("content-type") {
        return None;
    }
    let body = serde_json::to_vec(&error.problem(None)).ok()?;
    let mut out = Vec::with_capacity(head.len() + body.len() + 96);
    out.extend_from_slice(status_line.as_bytes());
    out.extend_from_slice(b"\r\n");
    for line in headers.iter().filter(|line| {
        !line
            .split_once(':')
            .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
    }) {
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("content-type: {}\r\n", crate::error::PROBLEM_CONTENT_TYPE).as_bytes());
    out.extend_from_slice(b"cache-control: no-store\r\n");
    out.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(&body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn split(bytes: &[u8]) -> (String, Value) {
        let end = memchr::memmem::find(bytes, b"\r\n\r\n").unwrap() + 4;
        let head = String::from_utf8(bytes[..end].to_vec()).unwrap();
        (head, serde_json::from_slice(&bytes[end..]).unwrap())
    }

    #[test]
    fn the_codecs_431_gets_a_problem_body_and_a_matching_length() {
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\ndate: Fri, 04 Dec 2026 17:00:00 GMT\r\n\r\n";
        let out = with_problem_bodies(head).expect("rewritten");
        let (head, body) = split(&out);
        assert!(head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(head.contains("connection: close\r\n") && head.contains("date: "));
        assert!(head.contains("content-type: application/problem+json\r\n"));
        let length = serde_json::to_vec(&body).unwrap().len();
        assert!(head.contains(&format!("content-length: {length}\r\n")), "{head}");
        assert_eq!(body["status"], 431);
        assert_eq!(body["code"], "headers_too_large");
    }

    #[test]
    fn the_codecs_400_and_408_get_their_own_codes() {
        for (status, code) in [
            ("400 Bad Request", "malformed_request"),
            ("408 Request Timeout", "request_timeout"),
        ] {
            let head = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let (_, body) = split(&with_problem_bodies(head.as_bytes()).unwrap());
            assert_eq!(body["code"], code);
        }
    }

    #[test]
    fn application_answers_pass_untouched() {
        let answers: [&[u8]; 4] = [
            b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: application/json\r\n\r\n{}",
            b"{\"description\":\"HTTP/1.1 400 Bad Request\\r\\ncontent-length: 0\"}",
        ];
        for answer in answers {
            assert_eq!(with_problem_bodies(answer), None, "{}", String::from_utf8_lossy(answer));
        }
    }

    #[test]
    fn an_error_head_after_an_answer_in_one_write_is_rewritten_in_place() {
        let mut bytes = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}".to_vec();
        bytes.extend_from_slice(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        let out = with_problem_bodies(&bytes).unwrap();
        let first = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
        assert!(out.starts_with(first));
        let (_, body) = split(&out[first.len()..]);
        assert_eq!(body["code"], "malformed_request");
    }
}
