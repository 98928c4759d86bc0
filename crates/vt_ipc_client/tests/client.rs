//! The client against a real Unix socket served by a thread that speaks the protocol frame by frame.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use vt_ipc_client::{Client, ClientError, EnvQuery};
use vt_ipc_protocol::{
    decode_payload, encode_frame, read_frame, ClientHello, HelloReply, NativePath, Outcome,
    Request, RequestKind, Response, PROTOCOL_VERSION,
};

/// A socket in a fresh directory, removed on drop.
struct SocketDir(PathBuf);

impl SocketDir {
    fn new() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "vt-ipc-client-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn socket(&self) -> PathBuf {
        self.0.join("s")
    }
}

impl Drop for SocketDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Accepts one connection and hands it to `script` on a thread.
fn serve(socket: &Path, script: impl FnOnce(UnixStream) + Send + 'static) -> JoinHandle<()> {
    let listener = UnixListener::bind(socket).unwrap();
    thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        script(stream);
    })
}

fn receive<T: vt_ipc_protocol::serde::de::DeserializeOwned>(stream: &mut UnixStream) -> T {
    decode_payload(&read_frame(stream).unwrap()).unwrap()
}

fn send<T: vt_ipc_protocol::serde::Serialize>(stream: &mut UnixStream, message: &T) {
    use std::io::Write;
    stream.write_all(&encode_frame(message).unwrap()).unwrap();
}

fn accept_hello(stream: &mut UnixStream) {
    let hello: ClientHello = receive(stream);
    assert_eq!(
        hello,
        ClientHello {
            v: PROTOCOL_VERSION,
            pid: std::process::id()
        }
    );
    send(
        stream,
        &HelloReply::Accepted {
            v: PROTOCOL_VERSION,
        },
    );
}

const SHORT: Duration = Duration::from_millis(300);

#[test]
fn every_call_sends_its_request_and_returns_the_answer() {
    let dir = SocketDir::new();
    let server = serve(&dir.socket(), |mut stream| {
        accept_hello(&mut stream);
        let mut seen = Vec::new();
        for _ in 0..6 {
            let request: Request = receive(&mut stream);
            let outcome = match &request.kind {
                RequestKind::GetEnv { name, .. } if name == "SET" => {
                    Outcome::Value(Some("yes".into()))
                }
                RequestKind::GetEnv { .. } => Outcome::Value(None),
                RequestKind::GetEnvs { .. } => Outcome::Entries(BTreeMap::from([
                    ("P_A".into(), "a".into()),
                    ("P_B".into(), "b".into()),
                ])),
                _ => Outcome::Ack,
            };
            send(
                &mut stream,
                &Response {
                    id: request.id,
                    outcome,
                },
            );
            seen.push(request);
        }
        let ids: Vec<u64> = seen.iter().map(|r| r.id).collect();
        assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
        let kinds: Vec<RequestKind> = seen.into_iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [
                RequestKind::IgnoreInput {
                    path: NativePath::Str("/abs/in".into())
                },
                RequestKind::IgnoreOutput {
                    path: NativePath::Str("/abs/out".into())
                },
                RequestKind::DisableCache {},
                RequestKind::GetEnv {
                    name: "SET".into(),
                    tracked: true
                },
                RequestKind::GetEnv {
                    name: "UNSET".into(),
                    tracked: false
                },
                RequestKind::GetEnvs {
                    query: EnvQuery::Glob("P_*".into()),
                    tracked: true
                },
            ]
        );
    });
    let mut client = Client::connect(&dir.socket(), SHORT).unwrap();
    client.ignore_input(Path::new("/abs/in")).unwrap();
    client.ignore_output(Path::new("/abs/out")).unwrap();
    client.disable_cache().unwrap();
    assert_eq!(client.get_env("SET", true).unwrap(), Some("yes".into()));
    assert_eq!(client.get_env("UNSET", false).unwrap(), None);
    let entries = client.get_envs(EnvQuery::Glob("P_*".into()), true).unwrap();
    assert_eq!(
        entries.into_iter().collect::<Vec<_>>(),
        [("P_A".into(), "a".into()), ("P_B".into(), "b".into())]
    );
    server.join().unwrap();
}

#[test]
fn an_unsupported_version_answer_fails_the_connect() {
    let dir = SocketDir::new();
    let server = serve(&dir.socket(), |mut stream| {
        let _: ClientHello = receive(&mut stream);
        send(
            &mut stream,
            &HelloReply::Rejected {
                error: "unsupported protocol version 1".into(),
            },
        );
    });
    match Client::connect(&dir.socket(), SHORT) {
        Err(ClientError::Rejected(message)) => {
            assert_eq!(message, "unsupported protocol version 1")
        }
        Err(other) => panic!("expected a rejection, got {other}"),
        Ok(_) => panic!("expected a rejection, got a connection"),
    }
    server.join().unwrap();
}

#[test]
fn connecting_to_a_missing_socket_fails() {
    let dir = SocketDir::new();
    let err = Client::connect(&dir.socket(), SHORT)
        .err()
        .expect("no server listens");
    assert!(err.is_transport(), "{err}");
}

#[test]
fn a_silent_server_times_out_as_a_transport_error() {
    let dir = SocketDir::new();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let server = serve(&dir.socket(), move |mut stream| {
        accept_hello(&mut stream);
        let _: Request = receive(&mut stream);
        let _ = released.recv(); // never answer; keep the socket open until the client gave up
    });
    let mut client = Client::connect(&dir.socket(), SHORT).unwrap();
    let started = Instant::now();
    let err = client.disable_cache().unwrap_err();
    assert!(
        started.elapsed() >= SHORT && started.elapsed() < SHORT * 10,
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(&err, ClientError::Io(_)) && err.is_transport(),
        "{err}"
    );
    release.send(()).unwrap();
    server.join().unwrap();
}

#[test]
fn a_server_that_went_away_is_a_transport_error() {
    let dir = SocketDir::new();
    let server = serve(&dir.socket(), |mut stream| accept_hello(&mut stream));
    let mut client = Client::connect(&dir.socket(), SHORT).unwrap();
    server.join().unwrap();
    let err = client.get_env("X", true).unwrap_err();
    assert!(matches!(&err, ClientError::Io(_)), "{err}");
}

#[test]
fn an_answer_for_another_request_is_a_protocol_error() {
    let dir = SocketDir::new();
    let server = serve(&dir.socket(), |mut stream| {
        accept_hello(&mut stream);
        let request: Request = receive(&mut stream);
        send(
            &mut stream,
            &Response {
                id: request.id + 1,
                outcome: Outcome::Ack,
            },
        );
    });
    let mut client = Client::connect(&dir.socket(), SHORT).unwrap();
    let err = client.disable_cache().unwrap_err();
    assert!(
        matches!(&err, ClientError::Protocol(m) if m.contains("expected the answer to request 1")),
        "{err}"
    );
    server.join().unwrap();
}

#[test]
fn a_refusal_leaves_the_connection_usable() {
    let dir = SocketDir::new();
    let server = serve(&dir.socket(), |mut stream| {
        accept_hello(&mut stream);
        let bad: Request = receive(&mut stream);
        send(
            &mut stream,
            &Response {
                id: bad.id,
                outcome: Outcome::Failed("invalid glob 'A['".into()),
            },
        );
        let good: Request = receive(&mut stream);
        send(
            &mut stream,
            &Response {
                id: good.id,
                outcome: Outcome::Entries(BTreeMap::new()),
            },
        );
    });
    let mut client = Client::connect(&dir.socket(), SHORT).unwrap();
    let err = client
        .get_envs(EnvQuery::Glob("A[".into()), true)
        .unwrap_err();
    assert!(
        matches!(&err, ClientError::Rejected(m) if m == "invalid glob 'A['") && !err.is_transport()
    );
    assert!(client
        .get_envs(EnvQuery::Prefix("A".into()), true)
        .unwrap()
        .is_empty());
    server.join().unwrap();
}

#[test]
fn a_wrong_answer_shape_is_a_protocol_error() {
    let dir = SocketDir::new();
    let server = serve(&dir.socket(), |mut stream| {
        accept_hello(&mut stream);
        let request: Request = receive(&mut stream);
        send(
            &mut stream,
            &Response {
                id: request.id,
                outcome: Outcome::Ack,
            },
        );
    });
    let mut client = Client::connect(&dir.socket(), SHORT).unwrap();
    let err = client.get_env("X", true).unwrap_err();
    assert!(matches!(&err, ClientError::Protocol(_)), "{err}");
    server.join().unwrap();
}

#[test]
fn a_request_over_the_frame_limit_is_not_sent_and_the_connection_stays_usable() {
    let dir = SocketDir::new();
    let server = serve(&dir.socket(), |mut stream| {
        accept_hello(&mut stream);
        let request: Request = receive(&mut stream);
        assert_eq!(
            request.id, 2,
            "the oversize request never reached the server"
        );
        send(
            &mut stream,
            &Response {
                id: request.id,
                outcome: Outcome::Value(None),
            },
        );
    });
    let mut client = Client::connect(&dir.socket(), SHORT).unwrap();
    let huge = "N".repeat(vt_ipc_protocol::MAX_PAYLOAD);
    let err = client.get_env(&huge, true).unwrap_err();
    assert!(
        matches!(&err, ClientError::Unsendable(_)) && !err.is_transport(),
        "{err}"
    );
    assert_eq!(client.get_env("SMALL", true).unwrap(), None);
    server.join().unwrap();
}
