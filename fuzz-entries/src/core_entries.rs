//! tencentcloud-core's parsers and signer on arbitrary bytes.

use tencentcloud_core::response::{
    self, BodyReader, ChunkedDecoder, Framing, Header, Parsed, SseParser, decode_in_place, envelope, head,
};

/// Splits `data` into a control prefix and a payload: the first byte seeds
/// piece sizes, the rest is the input.
fn split(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((&seed, rest)) => (seed, rest),
        None => (0, &[]),
    }
}

/// Piece sizes 1..=16 derived from a seed and a counter (xorshift).
fn piece_len(state: &mut u32) -> usize {
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    (*state % 16) as usize + 1
}

fn seed_state(seed: u8) -> u32 {
    u32::from(seed).wrapping_mul(0x9E37_79B9) | 1
}

/// Parses an HTTP response head, then collects its body.
pub fn response_head(data: &[u8]) {
    let mut headers = [Header::EMPTY; 16];
    let whole = head::parse_head_limited(data, &mut headers, 4096);
    // Every prefix must be Partial or the same error or a complete parse.
    let short = head::complete_head_len(data.get(..data.len() / 2).unwrap_or(&[]), 16);
    if let (Ok(Parsed::Complete(h)), Ok(Some(n))) = (&whole, short) {
        assert_eq!(h.len, n);
    }
    if let Ok(Parsed::Complete(h)) = whole {
        assert!(h.len <= data.len() && h.headers.len() <= 16);
        let _ = (h.date(), h.content_type(), h.media_type(), h.is_chunked());
        let _ = (h.content_length(), response::check_response(&h));
        if let Ok(framing) = h.framing() {
            let mut out = [0u8; 512];
            if let Ok(mut reader) = BodyReader::new(framing, &mut out) {
                let rest = data.get(h.len..).unwrap_or(&[]);
                if let Ok(n) = reader.feed(rest) {
                    assert!(n <= rest.len());
                }
                let _ = reader.finish();
            }
        }
    }
}

/// Decodes a chunked body whole, in pieces, and in place; the results must agree.
pub fn chunked(data: &[u8]) {
    let (seed, input) = split(data);
    let input = input.get(..2048).unwrap_or(input);

    let mut whole = [0u8; 2048];
    let r1 = ChunkedDecoder::new().decode(input, &mut whole);

    let mut pieces = [0u8; 2048];
    let mut dec = ChunkedDecoder::new();
    let (mut pos, mut written, mut state) = (0usize, 0usize, seed_state(seed));
    let r2 = loop {
        let end = (pos + piece_len(&mut state)).min(input.len());
        let piece = input.get(pos..end).unwrap_or(&[]);
        // Vary the output room too.
        let room = (written + piece_len(&mut state)).min(pieces.len());
        let out = pieces.get_mut(written..room).unwrap_or(&mut []);
        match dec.decode(piece, out) {
            Err(e) => break Err(e),
            Ok(p) => {
                assert!(p.consumed <= piece.len() && p.written <= out.len());
                pos += p.consumed;
                written += p.written;
                if p.done || (pos >= input.len() && p.written == 0) {
                    break Ok(p.done);
                }
            }
        }
    };
    match (r1, r2) {
        (Ok(p), Ok(done)) => {
            assert_eq!(p.done, done);
            assert_eq!(whole.get(..p.written), pieces.get(..written));
        }
        (a, b) => assert_eq!(a.err(), b.err()),
    }

    let mut buf = [0u8; 2048];
    if let Some(dst) = buf.get_mut(..input.len()) {
        dst.copy_from_slice(input);
        if let Ok(n) = decode_in_place(dst) {
            assert!(n <= input.len());
        }
    }

    let mut out = [0u8; 64];
    if let Ok(mut reader) = BodyReader::new(Framing::Chunked, &mut out) {
        let _ = reader.feed(input);
        let _ = reader.finish();
    }
}

/// FNV-1a over a stream of event parts, to compare runs without a heap.
fn fnv(hash: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *hash ^= u64::from(b);
        *hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
}

/// Runs the SSE parser over `input` in seeded pieces; returns a digest of the
/// events and errors.
fn sse_digest(input: &[u8], seed: Option<u8>, buf: &mut [u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    let mut sse = SseParser::new(buf);
    let mut state = seed.map(seed_state);
    let mut pos = 0usize;
    while pos < input.len() {
        let end = match state.as_mut() {
            Some(s) => (pos + piece_len(s)).min(input.len()),
            None => input.len(),
        };
        let mut piece = input.get(pos..end).unwrap_or(&[]);
        while !piece.is_empty() {
            let before = sse.position();
            match sse.feed(piece) {
                Ok((used, ev)) => {
                    assert!(used <= piece.len());
                    assert!(used > 0 || ev.is_some());
                    if let Some(ev) = ev {
                        fnv(&mut hash, ev.event.as_bytes());
                        fnv(&mut hash, &[0xff]);
                        fnv(&mut hash, ev.data.as_bytes());
                        fnv(&mut hash, &[0xfe]);
                        fnv(&mut hash, ev.id.unwrap_or("\u{0}").as_bytes());
                        fnv(&mut hash, &ev.retry.unwrap_or(u32::MAX).to_le_bytes());
                    }
                    piece = piece.get(used..).unwrap_or(&[]);
                }
                Err(e) => {
                    let used = usize::try_from(sse.position() - before).unwrap_or(usize::MAX);
                    assert!(used > 0 && used <= piece.len());
                    let mut tag = [0u8; 8];
                    tag[0] = 0xfd;
                    if let response::ResponseError::SseEventTooLarge { needed } = e {
                        tag[1..5].copy_from_slice(&(needed as u32).to_le_bytes());
                    }
                    fnv(&mut hash, &tag);
                    piece = piece.get(used..).unwrap_or(&[]);
                }
            }
        }
        pos = end;
    }
    fnv(&mut hash, sse.last_event_id().unwrap_or("").as_bytes());
    hash
}

/// Parses an event stream whole and in seeded pieces; the results must agree.
pub fn sse(data: &[u8]) {
    let (seed, input) = split(data);
    let size = usize::from(seed % 64) + 1;
    let mut a = [0u8; 64];
    let mut b = [0u8; 64];
    let whole = sse_digest(input, None, a.get_mut(..size).unwrap_or(&mut []));
    let split = sse_digest(input, Some(seed), b.get_mut(..size).unwrap_or(&mut []));
    assert_eq!(whole, split);
    // Each event's data can also be checked as an envelope.
    let mut buf = [0u8; 256];
    let mut sse = SseParser::new(&mut buf);
    let mut rest = input;
    while let Ok((used, ev)) = sse.feed(rest) {
        if let Some(ev) = ev {
            let _ = envelope::parse_event_data::<Probe<'_>>(ev.data.as_bytes(), &mut [0u8; 64]);
        }
        rest = rest.get(used..).unwrap_or(&[]);
        if rest.is_empty() {
            break;
        }
    }
}

/// A small target type exercising strings, numbers, options, sequences and borrowing.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Probe<'a> {
    #[serde(rename = "Name")]
    name: Option<heapless::String<16>>,
    #[serde(rename = "Raw", borrow)]
    raw: Option<&'a str>,
    #[serde(rename = "Count")]
    count: Option<i64>,
    #[serde(rename = "Ratio")]
    ratio: Option<f32>,
    #[serde(rename = "Flag")]
    flag: Option<bool>,
    #[serde(rename = "Items")]
    items: Option<heapless::Vec<u32, 4>>,
    #[serde(rename = "RequestId")]
    request_id: Option<heapless::String<64>>,
}

/// Parses a body as an envelope, with a small and a large scratch, and in place.
pub fn envelope(data: &[u8]) {
    let _ = envelope::parse_envelope::<Probe<'_>>(data, &mut []);
    let _ = envelope::parse_envelope::<Probe<'_>>(data, &mut [0u8; 512]);
    let _ = envelope::parse_envelope::<()>(data, &mut [0u8; 16]);
    let _ = envelope::parse_event_data::<Probe<'_>>(data, &mut [0u8; 64]);
    let mut buf = [0u8; 4096];
    if let Some(dst) = buf.get_mut(..data.len()) {
        dst.copy_from_slice(data);
        let n = envelope::rewrite_surrogate_escapes(dst);
        assert!(n <= data.len());
        let _ = envelope::parse_envelope::<Probe<'_>>(dst.get(..n).unwrap_or(&[]), &mut [0u8; 64]);
    }
    let _ = envelope::parse_envelope_json::<serde_json::Value>(data);
}

/// Splits `data` at 0xFF bytes into up to `N` fields (missing fields are empty).
fn fields<const N: usize>(data: &[u8]) -> [&[u8]; N] {
    let mut out = [&[][..]; N];
    for (slot, part) in out.iter_mut().zip(data.split(|&b| b == 0xFF)) {
        *slot = part;
    }
    out
}

/// Builds a request from arbitrary fields, signs it (cached and uncached), writes it
/// into a buffer and a counting writer, and checks the invariants that tie them.
pub fn sign(data: &[u8]) {
    use tencentcloud_core::request::Body;
    use tencentcloud_core::{Credential, Error, Request, Signer};

    let (control, rest) = split(data);
    let [service, version, action, region, host, body, id, key, token, hname, hvalue, signed_name, ts] = fields(rest);
    fn text(b: &[u8]) -> &str {
        core::str::from_utf8(b).unwrap_or("")
    }
    let ts = ts.iter().take(8).fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    let kind = match control & 3 {
        0 => Body::Json(body),
        1 => Body::Query(text(body)),
        2 => Body::OctetStream(body),
        _ => Body::Multipart { content_type: "multipart/form-data; boundary=fz", body },
    };
    let headers = [(text(hname), text(hvalue))];
    let signed_names = [text(signed_name)];
    let mut req = Request::new(text(service), text(version), text(action), kind);
    if control & 4 != 0 {
        req = req.region(text(region));
    }
    if control & 8 != 0 {
        req = req.host(text(host));
    }
    if control & 16 != 0 {
        req = req.headers(&headers);
    }
    if control & 32 != 0 {
        req = req.sign_headers(&signed_names);
    }
    req = match control >> 6 {
        1 => req.unsigned_payload(),
        2 => req.skip_sign(),
        _ => req,
    };
    let Ok(cred) = Credential::new(text(id), text(key)).and_then(|c| c.with_token(text(token))) else {
        return;
    };
    let Ok(signed) = tencentcloud_core::sign::sign(&req, &cred, ts) else {
        return;
    };
    let mut signer = Signer::<1>::new();
    for _ in 0..2 {
        if let Ok(again) = signer.sign(&req, &cred, ts) {
            assert_eq!(again.signature(), signed.signature());
        }
    }
    let needed = signed.http1_len();
    let mut buf = [0u8; 2048];
    match signed.write_http1(&mut buf) {
        Ok(n) => assert_eq!(n, needed),
        Err(Error::BufferTooSmall(e)) => assert!(e.needed == needed && needed > buf.len()),
        Err(_) => unreachable!("writing into a slice fails only for size"),
    }
    let mut counter = Counter(0);
    let Ok(n) = signed.write_to(&mut counter);
    assert_eq!((n, counter.0), (needed, needed));
    {
        let params = [("Action", text(action)), ("Region", text(region)), ("Nonce", text(token))];
        let sig = tencentcloud_core::legacy_v1::signature(
            text(key),
            "POST",
            text(host),
            "/",
            &params,
            tencentcloud_core::legacy_v1::SignMethod::HmacSha1,
        )
        .expect("three distinct keys, none of them Signature");
        let mut form = [0u8; 512];
        let len = tencentcloud_core::legacy_v1::form_len(&params, &sig);
        match tencentcloud_core::legacy_v1::write_form(&params, &sig, &mut form) {
            Ok(s) => assert_eq!(s.len(), len),
            Err(e) => assert_eq!(e.needed, len),
        }
    }
}

/// An `embedded_io::Write` that only counts.
struct Counter(usize);

impl embedded_io::ErrorType for Counter {
    type Error = core::convert::Infallible;
}

impl embedded_io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}
