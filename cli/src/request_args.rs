//! The request flags shared by `tcloud call` and `tcloud sign`, and how they become a
//! core [`Request`].

use clap::Args;
use tencentcloud_core::request::Body;
use tencentcloud_core::{Language, Request};

/// What to call and how to shape the request.
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// Service, e.g. `cvm`.
    pub service: String,
    /// API version, e.g. `2017-03-12`.
    pub version: String,
    /// Action, e.g. `DescribeInstances`.
    pub action: String,
    /// Parameters as a JSON object (default `{}`).
    pub params: Option<String>,
    /// Region, e.g. `ap-guangzhou`.
    #[arg(long)]
    pub region: Option<String>,
    /// Send to this URL instead of `https://<service>.tencentcloudapi.com`, e.g. `http://127.0.0.1:8080`.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// HTTP method: POST (JSON body) or GET (flattened query).
    #[arg(long, default_value = "POST", value_parser = ["GET", "POST"])]
    pub method: String,
    /// Language of error messages: `zh-CN` or `en-US`.
    #[arg(long, value_parser = ["zh-CN", "en-US"])]
    pub language: Option<String>,
    /// Also sign this header (repeatable), e.g. `X-TC-Action`.
    #[arg(long = "sign-header", value_name = "NAME")]
    pub sign_headers: Vec<String>,
    /// Send `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` and leave the body out of the signature.
    #[arg(long)]
    pub unsigned_payload: bool,
    /// Extra header `K:V` (repeatable), e.g. `X-TC-TraceId:abc`.
    #[arg(long = "header", value_name = "K:V")]
    pub headers: Vec<String>,
}

/// A URL split into what the signer and the sender need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `http` or `https`.
    pub scheme: String,
    /// `host[:port]`, as sent in the `Host` header.
    pub authority: String,
}

impl Endpoint {
    /// Parses `scheme://host[:port][/]`; a bare host means https.
    pub fn parse(url: &str) -> Result<Self, String> {
        let (scheme, rest) = match url.split_once("://") {
            Some((s, r)) => (s.to_ascii_lowercase(), r),
            None => ("https".to_string(), url),
        };
        if scheme != "http" && scheme != "https" {
            return Err(format!("endpoint {url:?}: scheme must be http or https"));
        }
        let authority = rest.trim_end_matches('/');
        if authority.is_empty() || authority.contains(['/', '?', '#', '@', ' ']) {
            return Err(format!("endpoint {url:?}: expected scheme://host[:port]"));
        }
        Ok(Self { scheme, authority: authority.to_string() })
    }
}

/// The owned pieces a [`Request`] borrows.
#[derive(Debug)]
pub struct Prepared {
    /// JSON body (POST) or query (GET).
    pub payload: String,
    /// Parsed `K:V` headers.
    pub headers: Vec<(String, String)>,
    /// The endpoint, if one was given.
    pub endpoint: Option<Endpoint>,
}

impl RequestArgs {
    /// Parses the JSON parameters and headers.
    pub fn prepare(&self) -> Result<Prepared, String> {
        let params: serde_json::Value = match &self.params {
            Some(text) => serde_json::from_str(text).map_err(|e| format!("parameters are not valid JSON: {e}"))?,
            None => serde_json::json!({}),
        };
        if !params.is_object() {
            return Err("parameters must be a JSON object".into());
        }
        let payload = if self.method == "GET" {
            tencentcloud_core::query::flatten_json(&params)
        } else {
            match &self.params {
                Some(text) => text.clone(),
                None => "{}".into(),
            }
        };
        let headers = self
            .headers
            .iter()
            .map(|h| match h.split_once(':') {
                Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
                _ => Err(format!("header {h:?}: expected K:V")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let endpoint = self.endpoint.as_deref().map(Endpoint::parse).transpose()?;
        Ok(Prepared { payload, headers, endpoint })
    }

    /// The core request, borrowing from `self` and `prepared`.
    pub fn request<'a>(
        &'a self,
        prepared: &'a Prepared,
        headers: &'a [(&'a str, &'a str)],
        signed: &'a [&'a str],
    ) -> Request<'a> {
        let body =
            if self.method == "GET" { Body::Query(&prepared.payload) } else { Body::Json(prepared.payload.as_bytes()) };
        let mut req = Request::new(&self.service, &self.version, &self.action, body).headers(headers);
        if let Some(region) = &self.region {
            req = req.region(region);
        }
        if let Some(ep) = &prepared.endpoint {
            req = req.host(&ep.authority);
        }
        req = match self.language.as_deref() {
            Some("zh-CN") => req.language(Language::ZhCn),
            Some("en-US") => req.language(Language::EnUs),
            _ => req,
        };
        if self.unsigned_payload {
            req = req.unsigned_payload();
        }
        if !signed.is_empty() {
            req = req.sign_headers(signed);
        }
        req
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert_eq!(
            Endpoint::parse("http://127.0.0.1:8080/").unwrap(),
            Endpoint { scheme: "http".into(), authority: "127.0.0.1:8080".into() }
        );
        assert_eq!(Endpoint::parse("cvm.tencentcloudapi.com").unwrap().scheme, "https");
        assert!(Endpoint::parse("ftp://x").is_err());
        assert!(Endpoint::parse("http://a/b").is_err());
        assert!(Endpoint::parse("http://user@host").is_err());
    }
}
