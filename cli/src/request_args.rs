//! The request flags shared by `tcloud call` and `tcloud sign`, and the one parser that
//! turns them into a [`ParsedRequest`] (then a core [`Request`] or client settings).

use clap::{Args, ValueEnum};
use tencentcloud_core::request::Body;
use tencentcloud_core::{Language, Request};
use tencentcloud_transport_std::HttpMethod;

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
    #[arg(long, value_enum, default_value_t = MethodArg::Post)]
    pub method: MethodArg,
    /// Language of error messages.
    #[arg(long, value_enum)]
    pub language: Option<LanguageArg>,
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

/// `--method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// Parameters flattened into the query.
    #[value(name = "GET")]
    Get,
    /// Parameters as a JSON body.
    #[value(name = "POST")]
    Post,
}

impl From<MethodArg> for HttpMethod {
    fn from(m: MethodArg) -> Self {
        match m {
            MethodArg::Get => HttpMethod::Get,
            MethodArg::Post => HttpMethod::Post,
        }
    }
}

/// `--language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LanguageArg {
    /// Simplified Chinese.
    #[value(name = "zh-CN")]
    ZhCn,
    /// English.
    #[value(name = "en-US")]
    EnUs,
}

impl From<LanguageArg> for Language {
    fn from(l: LanguageArg) -> Self {
        match l {
            LanguageArg::ZhCn => Language::ZhCn,
            LanguageArg::EnUs => Language::EnUs,
        }
    }
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

    /// `scheme://authority`.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }
}

/// The request flags, checked: what `call` and `sign` both work from.
#[derive(Debug)]
pub struct ParsedRequest {
    /// The parameters (a JSON object).
    pub params: serde_json::Value,
    /// The body as signed by `sign`: the JSON text as given (POST) or the flattened query (GET).
    pub payload: String,
    /// Parsed `K:V` headers.
    pub headers: Vec<(String, String)>,
    /// The endpoint, if one was given.
    pub endpoint: Option<Endpoint>,
}

impl RequestArgs {
    /// Parses the JSON parameters, the headers and the endpoint.
    pub fn parse(&self) -> Result<ParsedRequest, String> {
        let text = self.params.as_deref().unwrap_or("{}");
        let params: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("parameters are not valid JSON: {e}"))?;
        if !params.is_object() {
            return Err("parameters must be a JSON object".into());
        }
        let payload = match self.method {
            MethodArg::Get => tencentcloud_core::query::flatten_json(&params),
            MethodArg::Post => text.to_owned(),
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
        Ok(ParsedRequest { params, payload, headers, endpoint })
    }

    /// The core request, borrowing from `self` and `parsed`.
    pub fn request<'a>(
        &'a self,
        parsed: &'a ParsedRequest,
        headers: &'a [(&'a str, &'a str)],
        signed: &'a [&'a str],
    ) -> Request<'a> {
        let body = match self.method {
            MethodArg::Get => Body::Query(&parsed.payload),
            MethodArg::Post => Body::Json(parsed.payload.as_bytes()),
        };
        let mut req = Request::new(&self.service, &self.version, &self.action, body).headers(headers);
        if let Some(region) = &self.region {
            req = req.region(region);
        }
        if let Some(ep) = &parsed.endpoint {
            req = req.host(&ep.authority);
        }
        if let Some(language) = self.language {
            req = req.language(language.into());
        }
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
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        request: RequestArgs,
    }

    fn parse(args: &[&str]) -> Result<ParsedRequest, String> {
        let cli = Cli::try_parse_from([&["tcloud", "cvm", "2017-03-12", "DescribeZones"], args].concat())
            .map_err(|e| e.to_string())?;
        cli.request.parse()
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            Endpoint::parse("http://127.0.0.1:8080/").unwrap(),
            Endpoint { scheme: "http".into(), authority: "127.0.0.1:8080".into() }
        );
        assert_eq!(Endpoint::parse("cvm.tencentcloudapi.com").unwrap().scheme, "https");
        assert_eq!(Endpoint::parse("cvm.tencentcloudapi.com").unwrap().url(), "https://cvm.tencentcloudapi.com");
        assert!(Endpoint::parse("ftp://x").is_err());
        assert!(Endpoint::parse("http://a/b").is_err());
        assert!(Endpoint::parse("http://user@host").is_err());
    }

    #[test]
    fn one_parser_for_every_flag() {
        let p = parse(&[r#"{"Limit": 1}"#, "--header", " X-TC-TraceId : t-1 "]).unwrap();
        assert_eq!(p.payload, r#"{"Limit": 1}"#); // the bytes as given
        assert_eq!(p.params["Limit"], 1);
        assert_eq!(p.headers, [("X-TC-TraceId".to_owned(), "t-1".to_owned())]);
        let p = parse(&[r#"{"Filters": [{"Name": "zone"}]}"#, "--method", "GET"]).unwrap();
        assert_eq!(p.payload, "Filters.0.Name=zone");
        assert_eq!(parse(&[]).unwrap().payload, "{}");

        assert!(parse(&["not json"]).unwrap_err().contains("not valid JSON"));
        assert!(parse(&["[1]"]).unwrap_err().contains("must be a JSON object"));
        assert!(parse(&["--header", "novalue"]).unwrap_err().contains("expected K:V"));
        assert!(parse(&["--header", ":v"]).unwrap_err().contains("expected K:V"));
        assert!(parse(&["--endpoint", "ftp://x"]).unwrap_err().contains("scheme must be http or https"));
        assert!(parse(&["--method", "PUT"]).is_err());
        assert!(parse(&["--language", "fr-FR"]).is_err());
        let cli = Cli::try_parse_from(["tcloud", "cvm", "v", "A", "--language", "en-US", "--method", "GET"]).unwrap();
        assert_eq!((cli.request.language, cli.request.method), (Some(LanguageArg::EnUs), MethodArg::Get));
    }
}
