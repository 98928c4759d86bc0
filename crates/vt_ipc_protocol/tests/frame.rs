//! Framing edge cases that the vectors cannot express: limits, streams, truncation.

use std::collections::BTreeMap;
use std::io::ErrorKind;

use vt_ipc_protocol::{
    decode_payload, encode_frame, read_frame, EncodeError, EnvQuery, NativePath, Outcome,
    ReadFrameError, Request, RequestKind, Response, HEADER_LEN, MAX_PAYLOAD,
};

#[test]
fn frames_in_a_stream_are_read_one_by_one() {
    let first = Request {
        id: 1,
        kind: RequestKind::DisableCache {},
    };
    let second = Request {
        id: 2,
        kind: RequestKind::GetEnvs {
            query: EnvQuery::Prefix("VITE_".into()),
            tracked: true,
        },
    };
    let mut stream = encode_frame(&first).unwrap();
    stream.extend(encode_frame(&second).unwrap());
    let mut reader = &stream[..];
    assert_eq!(
        decode_payload::<Request>(&read_frame(&mut reader).unwrap()).unwrap(),
        first
    );
    assert_eq!(
        decode_payload::<Request>(&read_frame(&mut reader).unwrap()).unwrap(),
        second
    );
    match read_frame(&mut reader) {
        Err(ReadFrameError::Io(err)) => assert_eq!(err.kind(), ErrorKind::UnexpectedEof),
        other => panic!("expected EOF, got {other:?}"),
    }
}

#[test]
fn a_truncated_payload_is_an_io_error() {
    let frame = encode_frame(&Request {
        id: 7,
        kind: RequestKind::DisableCache {},
    })
    .unwrap();
    let cut = &frame[..frame.len() - 1];
    assert!(
        matches!(read_frame(&mut &cut[..]), Err(ReadFrameError::Io(err)) if err.kind() == ErrorKind::UnexpectedEof)
    );
}

#[test]
fn the_payload_limit_is_inclusive() {
    let mut at_limit = (MAX_PAYLOAD as u32).to_le_bytes().to_vec();
    at_limit.resize(HEADER_LEN + MAX_PAYLOAD, 0xc0);
    assert_eq!(read_frame(&mut &at_limit[..]).unwrap().len(), MAX_PAYLOAD);
    let over = ((MAX_PAYLOAD + 1) as u32).to_le_bytes();
    assert!(
        matches!(read_frame(&mut &over[..]), Err(ReadFrameError::TooLarge { len }) if len as usize == MAX_PAYLOAD + 1)
    );
}

#[test]
fn encoding_refuses_oversize_messages() {
    let huge = "x".repeat(MAX_PAYLOAD);
    let request = Request {
        id: 1,
        kind: RequestKind::GetEnv {
            name: huge,
            tracked: true,
        },
    };
    assert!(
        matches!(encode_frame(&request), Err(EncodeError::TooLarge { len }) if len > MAX_PAYLOAD)
    );
}

#[test]
fn non_utf8_paths_travel_as_bin() {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let path = std::path::Path::new(std::ffi::OsStr::from_bytes(b"/tmp/\xff"));
        let wire = NativePath::from_path(path);
        assert_eq!(wire, NativePath::Bin(b"/tmp/\xff".to_vec()));
        assert_eq!(wire.to_path_buf(), path);
    }
    assert_eq!(
        NativePath::from_path("/tmp/ok".as_ref()),
        NativePath::Str("/tmp/ok".into())
    );
}

#[test]
fn responses_keep_absent_and_nil_values_apart() {
    let nil = Response {
        id: 3,
        outcome: Outcome::Value(None),
    };
    let ack = Response {
        id: 3,
        outcome: Outcome::Ack,
    };
    let entries = Response {
        id: 3,
        outcome: Outcome::Entries(BTreeMap::from([("A".into(), "1".into())])),
    };
    for response in [nil, ack, entries] {
        let frame = encode_frame(&response).unwrap();
        assert_eq!(
            decode_payload::<Response>(&frame[HEADER_LEN..]).unwrap(),
            response
        );
    }
}
