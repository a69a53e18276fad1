//! A small TC3-signing HTTP/1.1 client over one keep-alive connection (independent of the
//! emulator's verifier and of the SDK), shared by the resource tests.

#![allow(dead_code)]

use std::io;
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

fn hex_sha256(b: &[u8]) -> String {
    Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect()
}

fn hmac(key: &[u8], msg: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(msg.as_bytes());
    m.finalize().into_bytes().to_vec()
}

/// `YYYY-MM-DD` of a Unix time (Hinnant's civil-from-days).
fn utc_date(ts: i64) -> String {
    let z = ts.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    format!("{:04}-{m:02}-{d:02}", yoe + era * 400 + i64::from(m <= 2))
}

/// The answer's `Response` object, or its error code and message.
pub type Answer = Result<Value, (String, String)>;

/// One keep-alive connection signing every request with one key.
pub struct Client {
    conn: BufReader<TcpStream>,
    host: String,
    id: String,
    key: String,
}

impl Client {
    pub async fn connect(addr: std::net::SocketAddr, id: &str, key: &str) -> io::Result<Client> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Client { conn: BufReader::new(stream), host: addr.to_string(), id: id.into(), key: key.into() })
    }

    /// Signs and sends one POST, and reads the answer.
    pub async fn call(
        &mut self,
        service: &str,
        version: &str,
        action: &str,
        region: Option<&str>,
        body: &Value,
    ) -> io::Result<Answer> {
        let body = body.to_string();
        let ts = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        let date = utc_date(ts);
        let ct = "application/json; charset=utf-8";
        let canonical = format!(
            "POST\n/\n\ncontent-type:{ct}\nhost:{}\n\ncontent-type;host\n{}",
            self.host,
            hex_sha256(body.as_bytes())
        );
        let scope = format!("{date}/{service}/tc3_request");
        let to_sign = format!("TC3-HMAC-SHA256\n{ts}\n{scope}\n{}", hex_sha256(canonical.as_bytes()));
        let k = hmac(&hmac(&hmac(format!("TC3{}", self.key).as_bytes(), &date), service), "tc3_request");
        let sig: String = hmac(&k, &to_sign).iter().map(|x| format!("{x:02x}")).collect();
        let mut req = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: {ct}\r\nX-TC-Action: {action}\r\nX-TC-Version: {version}\r\nX-TC-Timestamp: {ts}\r\nAuthorization: TC3-HMAC-SHA256 Credential={}/{scope}, SignedHeaders=content-type;host, Signature={sig}\r\nContent-Length: {}\r\n",
            self.host,
            self.id,
            body.len()
        );
        if let Some(r) = region {
            req.push_str(&format!("X-TC-Region: {r}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(&body);
        self.conn.get_mut().write_all(req.as_bytes()).await?;
        let mut len = None;
        let mut line = String::new();
        loop {
            line.clear();
            if self.conn.read_line(&mut line).await? == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed"));
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                len = value.trim().parse::<usize>().ok();
            }
        }
        let mut buf = vec![0u8; len.ok_or_else(|| io::Error::other("no Content-Length"))?];
        self.conn.read_exact(&mut buf).await?;
        let v: Value = serde_json::from_slice(&buf).map_err(io::Error::other)?;
        let resp = v.get("Response").cloned().unwrap_or(Value::Null);
        Ok(match resp.get("Error") {
            Some(e) => {
                Err((e["Code"].as_str().unwrap_or("").to_owned(), e["Message"].as_str().unwrap_or("").to_owned()))
            }
            None => Ok(resp),
        })
    }
}
