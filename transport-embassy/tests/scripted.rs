//! The client over scripted connections: what it adopts as the time, what it sends again,
//! and what it reads as an answer, decided byte by byte.

mod script;

use script::*;
use tencentcloud_core::Request;
use tencentcloud_core::policy::MAX_CLOCK_STEP;
use tencentcloud_core::time::parse_http_date;
use tencentcloud_transport_embassy::{CertError, Client, Connection, Error};

fn credential() -> tencentcloud_core::Credential<'static> {
    tencentcloud_core::Credential::new("AKIDEXAMPLE", "secret").unwrap()
}

fn describe() -> Request<'static> {
    Request::post_json("cvm", "2017-03-12", "DescribeInstances", b"{\"Limit\":1}").region("ap-guangzhou")
}

fn client_with(rtc: &mut Rtc) -> Client<'static, &mut Rtc> {
    Client::with_config(credential(), rtc, config())
}

/// `call_raw_on` over `conn`, the body as a string.
#[allow(clippy::result_large_err)] // the client's own `Error`
fn call_on(client: &mut Client<'_, &mut Rtc>, conn: &mut Connection<Script>) -> Result<String, Error> {
    let mut buf = [0u8; 1024];
    block_on(client.call_raw_on(conn, &describe(), &mut buf)).map(|b| String::from_utf8(b.to_vec()).unwrap())
}

#[test]
fn the_test_dates_are_right() {
    for t in [0, T, T + 23 * HOUR, 946_684_800, 253_402_300_799, 1_551_113_065] {
        assert_eq!(parse_http_date(http_date(t).as_bytes()), Ok(t), "{}", http_date(t));
    }
}

// 1. The device clock follows core's rule.

/// A `Date` in 9999 or 1970 neither sets the clock nor makes the client sign again.
#[test]
fn an_absurd_date_sets_no_clock_and_triggers_no_resign() {
    for date in ["Fri, 31 Dec 9999 23:59:59 GMT", "Thu, 01 Jan 1970 00:00:00 GMT"] {
        for device in [None, Some(T)] {
            let log = Log::shared();
            let expired = whole(answer(Some(date), &error_body("AuthFailure.SignatureExpire")));
            let mut conn = Connection::new(Script::new(vec![expired, whole(answer(Some(date), OK_BODY))], &log));
            let mut rtc = Rtc::at(device);
            let mut client = client_with(&mut rtc);
            let err = call_on(&mut client, &mut conn).unwrap_err();
            assert_eq!(err.api_code(), Some("AuthFailure.SignatureExpire"), "{date} {device:?}");
            assert_eq!(client.now(), device, "{date} {device:?}: the time is unchanged");
            assert_eq!(log.borrow().requests.len(), 1, "{date} {device:?}: not signed again with it");
            assert!(rtc.sets.is_empty(), "{date} {device:?}: {:?}", rtc.sets);
        }
    }
}

/// A `Date` further than a day from a device clock that has the time is ignored, for the
/// clock and for the re-sign; a day or less is adopted for signing (the device clock is
/// left as it is: every later `Date` is measured against it).
#[test]
fn a_date_is_adopted_only_within_a_step_of_the_device_clock() {
    for (offset, adopted) in [(30 * DAY, false), (DAY + 1, false), (DAY, true), (HOUR, true)] {
        let log = Log::shared();
        let date = http_date(T + offset);
        let expired = whole(answer(Some(&date), &error_body("AuthFailure.SignatureExpire")));
        let mut conn = Connection::new(Script::new(vec![expired, whole(answer(Some(&date), OK_BODY))], &log));
        let mut rtc = Rtc::at(Some(T));
        let mut client = client_with(&mut rtc);
        let result = call_on(&mut client, &mut conn);
        let now = client.now().unwrap();
        assert_eq!(result.is_ok(), adopted, "{offset}: {result:?}");
        assert_eq!(log.borrow().requests.len(), if adopted { 2 } else { 1 }, "{offset}");
        let want = if adopted { T + offset } else { T };
        assert!(now.abs_diff(want) <= 1, "{offset}: now {now}, want {want}");
        assert!(rtc.sets.is_empty(), "{offset}: {:?}", rtc.sets);
    }
}

/// Answers 23 hours apart cannot walk the time: each is measured against the device clock,
/// not against the time learned from the one before; a right `Date` brings it back.
#[test]
fn a_series_of_dates_cannot_walk_the_clock() {
    let log = Log::shared();
    let dates = [T + 23 * HOUR, T + 46 * HOUR, T + 69 * HOUR, T + 92 * HOUR, T];
    let turns = dates.iter().map(|&d| whole(answer(Some(&http_date(d)), OK_BODY))).collect();
    let mut conn = Connection::new(Script::new(turns, &log));
    let mut rtc = Rtc::at(Some(T));
    let mut client = client_with(&mut rtc);
    for (i, date) in dates.iter().enumerate() {
        call_on(&mut client, &mut conn).unwrap();
        let now = client.now().unwrap();
        assert!(now.abs_diff(T) <= MAX_CLOCK_STEP + 1, "after the Date {date} (answer {i}): {now}");
    }
    assert!(client.now().unwrap().abs_diff(T) <= 1, "the right Date brought it back");
    assert!(rtc.sets.is_empty(), "{:?}", rtc.sets);
}

/// A device clock without a plausible time (none, or a reset RTC in 2000) is set from the
/// first `Date`, and the next ones are measured against it.
#[test]
fn a_clock_without_a_plausible_time_is_set_from_the_server() {
    for device in [None, Some(946_684_800), Some(0)] {
        let log = Log::shared();
        let turns = [T, T + 30 * DAY].iter().map(|&d| whole(answer(Some(&http_date(d)), OK_BODY))).collect();
        let mut conn = Connection::new(Script::new(turns, &log));
        let mut rtc = Rtc::at(device);
        let mut client = client_with(&mut rtc);
        call_on(&mut client, &mut conn).unwrap();
        call_on(&mut client, &mut conn).unwrap();
        assert!(client.now().unwrap().abs_diff(T) <= 1, "{device:?}");
        assert_eq!(rtc.sets, [T], "{device:?}");
    }
}

// 2. A refused server never sets the device clock.

/// The certificate's dates were left for the first `Date` (no clock at the handshake) and
/// fail at it: the answer is refused, and the time it carried is not adopted.
#[test]
fn a_server_refused_at_its_date_never_sets_the_clock() {
    let validity = (1_577_836_800, 1_609_459_200); // 2020-01-01..2021-01-01
    for (device, date) in [(None, T), (Some(946_684_800), T), (None, 1_514_764_800)] {
        let log = Log::shared();
        let script = Script::new(vec![whole(answer(Some(&http_date(date)), OK_BODY))], &log);
        let mut conn = Connection::with_unchecked_validity(script, validity.0, validity.1);
        let mut rtc = Rtc::at(device);
        let mut client = client_with(&mut rtc);
        let err = call_on(&mut client, &mut conn).unwrap_err();
        let want = if date > validity.1 { CertError::Expired } else { CertError::NotYetValid };
        assert_eq!(err, Error::Certificate(want), "{device:?} {date}");
        assert_eq!(client.now(), device, "{device:?} {date}: the time is unchanged");
        assert!(rtc.sets.is_empty(), "{device:?} {date}: {:?}", rtc.sets);
        assert!(!conn.is_reusable());
    }

    // The same through a connector; and a server whose certificate is valid then sets it.
    for (validity, ok) in [(validity, false), ((T - DAY, T + DAY), true)] {
        let log = Log::shared();
        let mut connector = Connector::new(vec![], &log);
        connector.conns.push_back((vec![whole(answer(Some(&http_date(T)), OK_BODY))], Some(validity)));
        let mut rtc = Rtc::at(None);
        let mut client = client_with(&mut rtc);
        let mut buf = [0u8; 1024];
        let result = block_on(client.call_raw(&mut connector, &describe(), &mut buf)).map(<[u8]>::to_vec);
        assert_eq!(result.is_ok(), ok, "{result:?}");
        let now = client.now();
        assert_eq!(rtc.sets, if ok { vec![T] } else { vec![] });
        assert_eq!(now.is_some(), ok);
    }
}

// 4. A write that may have run is not sent again.

const RUN_BODY: &[u8] = br#"{"ImageId":"img-1","InstanceCount":1}"#;

fn run_instances(body: &'static [u8]) -> Request<'static> {
    Request::post_json("cvm", "2017-03-12", "RunInstances", body).region("ap-guangzhou")
}

/// The scenario: `RunInstances` is answered `RequestLimitExceeded` on a kept-alive
/// connection, sent again (the API refused the first: fine), run by the server, and the
/// connection drops before the answer. The call fails; the body went out exactly twice.
#[test]
fn a_write_that_may_have_run_is_not_sent_a_third_time() {
    let log = Log::shared();
    let limited = whole(answer(Some(&http_date(T)), &error_body("RequestLimitExceeded")));
    let mut connector = Connector::new(vec![vec![limited, Turn::Drop], vec![whole(answer(None, OK_BODY))]], &log);
    let mut rtc = Rtc::at(Some(T));
    let mut client = client_with(&mut rtc);
    let mut buf = [0u8; 1024];
    let result = block_on(client.call_raw(&mut connector, &run_instances(RUN_BODY), &mut buf)).map(<[u8]>::to_vec);
    assert_eq!(result, Err(Error::ConnectionClosed));
    let log = log.borrow();
    assert_eq!(log.requests.len(), 2, "sent exactly twice");
    assert!(log.requests.iter().all(|r| r.ends_with(RUN_BODY)));
    assert_eq!(log.connects, 1, "no new connection for a third send");
}

/// The same drop after a call safe to repeat (read-only, or with a `ClientToken`): sent
/// again on a new connection.
#[test]
fn a_call_safe_to_repeat_is_sent_again_after_the_drop() {
    let cases: [(Request<'static>, bool); 8] = [
        (describe(), true),
        (Request::post_json("cvm", "2017-03-12", "InquiryPriceRunInstances", b"{}"), true),
        (run_instances(br#"{"ClientToken":"t-1","InstanceCount":1}"#), true),
        (run_instances(br#"{ "InstanceCount":1, "ClientToken" : "t-1" }"#), true),
        (run_instances(br#"{"ClientToken":"","InstanceCount":1}"#), false),
        (run_instances(br#"{"ClientToken":null}"#), false),
        (run_instances(br#"{"Placement":{"ClientToken":"t-1"}}"#), false),
        (run_instances(br#"{"Name":"\"ClientToken\":\"x\""}"#), false),
    ];
    for (req, repeated) in cases {
        let log = Log::shared();
        let limited = whole(answer(None, &error_body("RequestLimitExceeded")));
        let mut connector = Connector::new(vec![vec![limited, Turn::Drop], vec![whole(answer(None, OK_BODY))]], &log);
        let mut rtc = Rtc::at(Some(T));
        let mut client = client_with(&mut rtc);
        let mut buf = [0u8; 1024];
        let result = block_on(client.call_raw(&mut connector, &req, &mut buf)).map(<[u8]>::to_vec);
        let what = String::from_utf8_lossy(req.body().bytes()).into_owned() + " " + req.action();
        assert_eq!(result.is_ok(), repeated, "{what}: {result:?}");
        assert_eq!(log.borrow().requests.len(), if repeated { 3 } else { 2 }, "{what}");
    }
}

/// A kept-alive connection found closed before any byte of the request left: sent on a new
/// connection, whatever the call.
#[test]
fn a_request_that_never_left_is_sent_on_a_new_connection() {
    let log = Log::shared();
    let limited = whole(answer(None, &error_body("RequestLimitExceeded")));
    let mut connector =
        Connector::new(vec![vec![limited, Turn::RefuseWrite], vec![whole(answer(None, OK_BODY))]], &log);
    let mut rtc = Rtc::at(Some(T));
    let mut client = client_with(&mut rtc);
    let mut buf = [0u8; 1024];
    let result = block_on(client.call_raw(&mut connector, &run_instances(RUN_BODY), &mut buf)).map(<[u8]>::to_vec);
    assert_eq!(result.as_deref(), Ok(OK_BODY.as_bytes()));
    let log = log.borrow();
    assert_eq!((log.requests.len(), log.connects), (2, 2));
}

// 7. Stale bytes never become the next answer.

/// The head, then one read holding the body and a whole forged answer after it (one TLS
/// record): the call succeeds, but the connection is not reused, so the next call never
/// reads the forged answer as its own.
#[test]
fn bytes_past_the_body_in_a_later_read_are_never_the_next_answer() {
    let forged = answer(None, r#"{"Response":{"TotalCount":666,"RequestId":"forged"}}"#);
    for cut in [0, 10, OK_BODY.len() - 1] {
        let full = answer(None, OK_BODY);
        let head_len = full.len() - OK_BODY.len();
        let mut pieces = vec![full[..head_len].to_vec()];
        let mut body = OK_BODY.as_bytes().to_vec();
        if cut > 0 {
            pieces.push(body.drain(..cut).collect());
        }
        body.extend_from_slice(&forged);
        pieces.push(body);
        let log = Log::shared();
        let mut conn = Connection::new(Script::new(vec![Turn::Answer(pieces), whole(answer(None, OK_BODY))], &log));
        let mut rtc = Rtc::at(Some(T));
        let mut client = client_with(&mut rtc);
        assert_eq!(call_on(&mut client, &mut conn).as_deref(), Ok(OK_BODY), "cut {cut}");
        assert!(!conn.is_reusable(), "cut {cut}");
        assert_eq!(call_on(&mut client, &mut conn), Err(Error::NotReusable), "cut {cut}");
        assert_eq!(log.borrow().sent_over_unread, 0);
    }
}

/// A body that arrives exactly, without anything past it, keeps the connection.
#[test]
fn a_clean_answer_keeps_the_connection() {
    let log = Log::shared();
    let full = answer(None, OK_BODY);
    let pieces = full.chunks(7).map(<[u8]>::to_vec).collect();
    let mut conn = Connection::new(Script::new(vec![Turn::Answer(pieces), whole(answer(None, OK_BODY))], &log));
    let mut rtc = Rtc::at(Some(T));
    let mut client = client_with(&mut rtc);
    assert_eq!(call_on(&mut client, &mut conn).as_deref(), Ok(OK_BODY));
    assert!(conn.is_reusable());
    assert_eq!(call_on(&mut client, &mut conn).as_deref(), Ok(OK_BODY));
    assert_eq!(conn.exchanges(), 2);
}
