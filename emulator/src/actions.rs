//! Canned actions and the instance-metadata endpoint.

use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::clock::rfc3339;
use crate::params::{parse_query, unflatten};
use crate::server::State;
use crate::tc3::{find_header, sha256_hex};

const CVM_VERSION: &str = "2017-03-12";
const STS_VERSION: &str = "2018-08-13";
const DEFAULT_STS_SECS: i64 = 7200;
const METADATA_LIFETIME: Duration = Duration::from_secs(7200);
const MAX_OBJECT_BYTES: i64 = 64 * 1024 * 1024;

/// An error answered in the API envelope.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) code: String,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError { code: code.into(), message: message.into() }
    }
}

fn missing(name: &str) -> ApiError {
    ApiError::new("MissingParameter", format!("The request is missing a required parameter `{name}`."))
}

fn invalid_value(name: &str, why: &str) -> ApiError {
    ApiError::new("InvalidParameterValue", format!("The value of parameter `{name}` is invalid: {why}."))
}

/// A verified API request, ready for dispatch.
pub(crate) struct ApiRequest<'a> {
    pub(crate) action: &'a str,
    pub(crate) service: &'a str,
    pub(crate) version: &'a str,
    pub(crate) region: Option<String>,
    pub(crate) params: Value,
    pub(crate) method: &'a str,
    pub(crate) headers: &'a [(String, String)],
    pub(crate) body: &'a [u8],
    pub(crate) now_ms: i64,
    pub(crate) request_id: &'a str,
}

/// A successful answer.
pub(crate) enum Outcome {
    /// The fields of `Response` (RequestId is added by the renderer).
    Json(Map<String, Value>),
    /// `text/event-stream`: each value becomes one `data: {json}\n\n` event.
    Sse { events: Vec<Value>, delay: Duration },
    /// `application/octet-stream`.
    Bytes(Vec<u8>),
}

/// Parameters of a request: the JSON body, or the flattened query string (GET) / form body.
pub(crate) fn parse_params(
    method: &str,
    query: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Value, ApiError> {
    if method == "GET" {
        return Ok(unflatten(&parse_query(query)));
    }
    let ct = find_header(headers, "content-type").unwrap_or("").trim().to_ascii_lowercase();
    if ct.starts_with("application/octet-stream") || ct.starts_with("multipart/") {
        return Ok(Value::Object(Map::new()));
    }
    if ct.starts_with("application/x-www-form-urlencoded") {
        return Ok(unflatten(&parse_query(&String::from_utf8_lossy(body))));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(ApiError::new("InvalidParameter", "The request body must be a JSON object.")),
        Err(e) => Err(ApiError::new("InvalidParameter", format!("The request body is not valid JSON: {e}."))),
    }
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn check_version(req: &ApiRequest<'_>, expected: &str) -> Result<(), ApiError> {
    if req.version == expected {
        Ok(())
    } else {
        Err(ApiError::new(
            "NoSuchVersion",
            format!("The requested version `{}` of service `{}` does not exist.", req.version, req.service),
        ))
    }
}

/// Dispatches on `(service, action)`.
pub(crate) fn dispatch(state: &State, req: &ApiRequest<'_>) -> Result<Outcome, ApiError> {
    match (req.service, req.action) {
        (_, "Echo") => Ok(echo(req)),
        (_, "ChatCompletions") => chat_completions(req),
        (_, "UploadFile") => Ok(upload_file(req)),
        (_, "GetObjectBytes") => get_object_bytes(req),
        ("cvm", "DescribeInstances") => check_version(req, CVM_VERSION).and_then(|()| describe_instances(req)),
        ("cvm", "DescribeRegions") => check_version(req, CVM_VERSION).map(|()| describe_regions()),
        ("cvm", "DescribeZones") => check_version(req, CVM_VERSION).and_then(|()| describe_zones(req)),
        ("sts", "AssumeRole") => check_version(req, STS_VERSION).and_then(|()| assume_role(state, req, false)),
        ("sts", "AssumeRoleWithWebIdentity") => {
            check_version(req, STS_VERSION).and_then(|()| assume_role(state, req, true))
        }
        (service, action) => Err(ApiError::new(
            "InvalidAction",
            format!("The action `{action}` of service `{service}` is not found (tencentcloud-emulator)."),
        )),
    }
}

// ---- parameter helpers ----

fn param_int(params: &Value, name: &str) -> Result<Option<i64>, ApiError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| invalid_value(name, "not an integer")),
        Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| invalid_value(name, "not an integer")),
        Some(_) => Err(invalid_value(name, "not an integer")),
    }
}

fn param_bool(params: &Value, name: &str) -> Result<Option<bool>, ApiError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(invalid_value(name, "not a boolean")),
    }
}

fn param_str<'v>(params: &'v Value, name: &str) -> Result<Option<&'v str>, ApiError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid_value(name, "not a string")),
    }
}

fn require_str<'v>(params: &'v Value, name: &str) -> Result<&'v str, ApiError> {
    param_str(params, name)?.filter(|s| !s.is_empty()).ok_or_else(|| missing(name))
}

fn param_str_list(value: Option<&Value>, name: &str) -> Result<Vec<String>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| invalid_value(name, "not a list of strings")))
            .collect(),
        Some(_) => Err(invalid_value(name, "not a list of strings")),
    }
}

// ---- Echo ----

fn canonical_header_name(lower: &str) -> String {
    if let Some(rest) = lower.strip_prefix("x-tc-") {
        let known = match rest {
            "action" => Some("Action"),
            "version" => Some("Version"),
            "region" => Some("Region"),
            "timestamp" => Some("Timestamp"),
            "token" => Some("Token"),
            "language" => Some("Language"),
            "requestclient" => Some("RequestClient"),
            "traceid" => Some("TraceId"),
            "content-sha256" => Some("Content-SHA256"),
            _ => None,
        };
        return format!("X-TC-{}", known.map_or_else(|| title_case(rest), str::to_owned));
    }
    title_case(lower)
}

fn title_case(s: &str) -> String {
    s.split('-')
        .map(|part| {
            let mut c = part.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn echo(req: &ApiRequest<'_>) -> Outcome {
    let mut headers = Map::new();
    for (k, v) in req.headers {
        let lower = k.to_ascii_lowercase();
        if lower.starts_with("x-tc-") || lower == "content-type" || lower == "user-agent" {
            headers.entry(canonical_header_name(&lower)).or_insert_with(|| Value::String(v.clone()));
        }
    }
    Outcome::Json(obj(json!({
        "Params": req.params,
        "Action": req.action,
        "Service": req.service,
        "Version": req.version,
        "Region": req.region,
        "Method": req.method,
        "Headers": headers,
    })))
}

// ---- cvm ----

struct InstanceSpec {
    id: &'static str,
    name: &'static str,
    state: &'static str,
    zone: u32,
    cpu: u32,
    memory: u32,
    instance_type: &'static str,
    private_ip: &'static str,
    public_ip: &'static str,
}

const INSTANCES: [InstanceSpec; 2] = [
    InstanceSpec {
        id: "ins-emu00001",
        name: "emulator-web-1",
        state: "RUNNING",
        zone: 3,
        cpu: 2,
        memory: 4,
        instance_type: "S5.MEDIUM4",
        private_ip: "10.0.0.11",
        public_ip: "203.0.113.11",
    },
    InstanceSpec {
        id: "ins-emu00002",
        name: "emulator-db-1",
        state: "STOPPED",
        zone: 4,
        cpu: 4,
        memory: 8,
        instance_type: "S5.LARGE8",
        private_ip: "10.0.0.12",
        public_ip: "203.0.113.12",
    },
];

fn instance_json(spec: &InstanceSpec, region: &str) -> Value {
    json!({
        "Placement": {"Zone": format!("{region}-{}", spec.zone), "ProjectId": 0, "HostId": null},
        "InstanceId": spec.id,
        "Uuid": format!("00000000-0000-4000-8000-0000000{}", &spec.id[4..]),
        "InstanceName": spec.name,
        "InstanceState": spec.state,
        "InstanceType": spec.instance_type,
        "CPU": spec.cpu,
        "Memory": spec.memory,
        "RestrictState": "NORMAL",
        "InstanceChargeType": "POSTPAID_BY_HOUR",
        "SystemDisk": {"DiskType": "CLOUD_PREMIUM", "DiskId": format!("disk-{}", &spec.id[4..]), "DiskSize": 50},
        "DataDisks": null,
        "PrivateIpAddresses": [spec.private_ip],
        "PublicIpAddresses": [spec.public_ip],
        "VirtualPrivateCloud": {"VpcId": "vpc-emu00001", "SubnetId": "subnet-emu00001", "AsVpcGateway": false},
        "ImageId": "img-emu00001",
        "OsName": "TencentOS Server 3.1 (TK4)",
        "SecurityGroupIds": ["sg-emu00001"],
        "CreatedTime": "2024-01-15T08:00:00Z",
        "ExpiredTime": null,
        "Tags": [],
        "InstanceChargeTypeName": null,
    })
}

fn describe_instances(req: &ApiRequest<'_>) -> Result<Outcome, ApiError> {
    let region = req.region.as_deref().ok_or_else(|| missing("Region"))?;
    let p = &req.params;
    let ids = param_str_list(p.get("InstanceIds"), "InstanceIds")?;
    let offset = param_int(p, "Offset")?.unwrap_or(0);
    let limit = param_int(p, "Limit")?.unwrap_or(20);
    if offset < 0 {
        return Err(invalid_value("Offset", "must be >= 0"));
    }
    if !(1..=100).contains(&limit) {
        return Err(invalid_value("Limit", "must be between 1 and 100"));
    }
    let mut filters = Vec::new();
    match p.get("Filters") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for f in items {
                let name = require_str(f, "Name")?.to_owned();
                let values = param_str_list(f.get("Values"), "Values")?;
                if !matches!(name.as_str(), "instance-id" | "instance-name" | "zone" | "instance-state") {
                    return Err(ApiError::new("InvalidFilter", format!("The filter `{name}` is not supported.")));
                }
                filters.push((name, values));
            }
        }
        Some(_) => return Err(invalid_value("Filters", "not a list")),
    }
    let matched: Vec<Value> = INSTANCES
        .iter()
        .filter(|spec| ids.is_empty() || ids.iter().any(|i| i == spec.id))
        .filter(|spec| {
            filters.iter().all(|(name, values)| {
                let field = match name.as_str() {
                    "instance-id" => spec.id.to_owned(),
                    "instance-name" => spec.name.to_owned(),
                    "zone" => format!("{region}-{}", spec.zone),
                    _ => spec.state.to_owned(),
                };
                values.contains(&field)
            })
        })
        .map(|spec| instance_json(spec, region))
        .collect();
    let total = matched.len();
    let page: Vec<Value> = matched.into_iter().skip(offset as usize).take(limit as usize).collect();
    Ok(Outcome::Json(obj(json!({"TotalCount": total, "InstanceSet": page}))))
}

const REGIONS: [(&str, &str); 7] = [
    ("ap-guangzhou", "华南地区(广州)"),
    ("ap-shanghai", "华东地区(上海)"),
    ("ap-beijing", "华北地区(北京)"),
    ("ap-chengdu", "西南地区(成都)"),
    ("ap-hongkong", "港澳台地区(中国香港)"),
    ("ap-singapore", "亚太东南(新加坡)"),
    ("na-siliconvalley", "美国西部(硅谷)"),
];

fn describe_regions() -> Outcome {
    let set: Vec<Value> =
        REGIONS.iter().map(|(r, n)| json!({"Region": r, "RegionName": n, "RegionState": "AVAILABLE"})).collect();
    Outcome::Json(obj(json!({"TotalCount": set.len(), "RegionSet": set})))
}

fn describe_zones(req: &ApiRequest<'_>) -> Result<Outcome, ApiError> {
    let region = req.region.as_deref().ok_or_else(|| missing("Region"))?;
    let set: Vec<Value> = [3u32, 4, 6]
        .iter()
        .map(|n| {
            json!({
                "Zone": format!("{region}-{n}"),
                "ZoneName": format!("{region} zone {n}"),
                "ZoneId": format!("{}", 100_000 + n),
                "ZoneState": "AVAILABLE",
            })
        })
        .collect();
    Ok(Outcome::Json(obj(json!({"TotalCount": set.len(), "ZoneSet": set}))))
}

// ---- sts ----

fn assume_role(state: &State, req: &ApiRequest<'_>, web_identity: bool) -> Result<Outcome, ApiError> {
    let p = &req.params;
    if web_identity {
        require_str(p, "ProviderId")?;
        require_str(p, "WebIdentityToken")?;
    }
    require_str(p, "RoleArn")?;
    require_str(p, "RoleSessionName")?;
    let secs = param_int(p, "DurationSeconds")?.unwrap_or(DEFAULT_STS_SECS);
    if !(900..=43_200).contains(&secs) {
        return Err(invalid_value("DurationSeconds", "must be between 900 and 43200"));
    }
    let cred = state.mint(state.lifetime(Duration::from_secs(secs as u64)));
    Ok(Outcome::Json(obj(json!({
        "Credentials": {"Token": cred.token, "TmpSecretId": cred.secret_id, "TmpSecretKey": cred.secret_key},
        "ExpiredTime": cred.expired_time,
        "Expiration": cred.expiration,
    }))))
}

// ---- streaming and binary ----

fn chat_completions(req: &ApiRequest<'_>) -> Result<Outcome, ApiError> {
    let p = &req.params;
    let messages = match p.get("Messages") {
        Some(Value::Array(m)) if !m.is_empty() => m,
        _ => return Err(missing("Messages")),
    };
    let prompt = messages
        .iter()
        .rev()
        .find(|m| m.get("Role").and_then(Value::as_str) == Some("user"))
        .or_else(|| messages.last())
        .and_then(|m| m.get("Content"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let stream = param_bool(p, "Stream")?.unwrap_or(true);
    let delay_ms = param_int(p, "EmulatorEventDelayMs")?.unwrap_or(10).clamp(0, 10_000);
    let reply = format!("Hello from the emulator. You said: {prompt}");
    let created = req.now_ms.div_euclid(1000);
    let prompt_tokens = prompt.split_whitespace().count() + 1;
    let usage = |completion: usize| json!({"PromptTokens": prompt_tokens, "CompletionTokens": completion, "TotalTokens": prompt_tokens + completion});
    if !stream {
        let n = reply.split_whitespace().count();
        return Ok(Outcome::Json(obj(json!({
            "Id": req.request_id,
            "Created": created,
            "Choices": [{"Index": 0, "Message": {"Role": "assistant", "Content": reply}, "FinishReason": "stop"}],
            "Usage": usage(n),
        }))));
    }
    let chunks: Vec<&str> = reply.split_inclusive(' ').collect();
    let last = chunks.len() - 1;
    let events = chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            json!({
                "Id": req.request_id,
                "Created": created,
                "Choices": [{
                    "Index": 0,
                    "Delta": {"Role": "assistant", "Content": chunk},
                    "FinishReason": if i == last { "stop" } else { "" },
                }],
                "Usage": usage(i + 1),
            })
        })
        .collect();
    Ok(Outcome::Sse { events, delay: Duration::from_millis(delay_ms as u64) })
}

fn upload_file(req: &ApiRequest<'_>) -> Outcome {
    let ct = find_header(req.headers, "content-type").unwrap_or("");
    Outcome::Json(obj(json!({
        "Length": req.body.len(),
        "Sha256": sha256_hex(req.body),
        "ContentType": ct,
    })))
}

fn get_object_bytes(req: &ApiRequest<'_>) -> Result<Outcome, ApiError> {
    if let Some(content) = param_str(&req.params, "Content")? {
        return Ok(Outcome::Bytes(content.as_bytes().to_vec()));
    }
    let len = param_int(&req.params, "Length")?.unwrap_or(1024);
    if !(0..=MAX_OBJECT_BYTES).contains(&len) {
        return Err(invalid_value("Length", "must be between 0 and 67108864"));
    }
    Ok(Outcome::Bytes((0..len).map(|i| (i % 256) as u8).collect()))
}

// ---- instance metadata ----

/// Answers `GET /latest/...`: `(status, content type, body)`.
pub(crate) fn metadata(state: &State, path: &str) -> (u16, &'static str, String) {
    const CREDS: &str = "/latest/meta-data/cam/security-credentials";
    let text = |s: &str| (200, "text/plain", s.to_owned());
    match path {
        "/latest/meta-data/placement/region" => text("ap-guangzhou"),
        "/latest/meta-data/placement/zone" => text("ap-guangzhou-3"),
        "/latest/meta-data/instance-id" => text("ins-emu00001"),
        p if p == CREDS || p == format!("{CREDS}/") => text(&state.metadata_role),
        p if p.strip_prefix(CREDS).and_then(|r| r.strip_prefix('/')).map(|r| r.trim_end_matches('/'))
            == Some(state.metadata_role.as_str()) =>
        {
            let cred = state.mint(state.lifetime(METADATA_LIFETIME));
            let body = json!({
                "TmpSecretId": cred.secret_id,
                "TmpSecretKey": cred.secret_key,
                "Token": cred.token,
                "ExpiredTime": cred.expired_time,
                "Expiration": rfc3339(cred.expired_time),
                "Code": "Success",
            });
            (200, "application/json", body.to_string())
        }
        _ => (404, "text/plain", "404 Not Found".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names() {
        assert_eq!(canonical_header_name("x-tc-traceid"), "X-TC-TraceId");
        assert_eq!(canonical_header_name("x-tc-requestclient"), "X-TC-RequestClient");
        assert_eq!(canonical_header_name("x-tc-foo-bar"), "X-TC-Foo-Bar");
        assert_eq!(canonical_header_name("content-type"), "Content-Type");
    }

    #[test]
    fn params_by_content_type() {
        let h = |ct: &str| vec![("content-type".to_owned(), ct.to_owned())];
        assert_eq!(parse_params("POST", "", &h("application/json"), b"").unwrap(), json!({}));
        assert_eq!(parse_params("POST", "", &h("application/json"), br#"{"A":1}"#).unwrap(), json!({"A": 1}));
        assert_eq!(parse_params("POST", "", &h("application/json"), b"[1]").unwrap_err().code, "InvalidParameter");
        assert_eq!(parse_params("POST", "", &h("application/json"), b"{").unwrap_err().code, "InvalidParameter");
        assert_eq!(parse_params("POST", "", &h("application/octet-stream"), b"\xff").unwrap(), json!({}));
        assert_eq!(
            parse_params("POST", "", &h("application/x-www-form-urlencoded"), b"A.0=x").unwrap(),
            json!({"A": ["x"]})
        );
        assert_eq!(parse_params("GET", "Limit=2", &[], b"").unwrap(), json!({"Limit": "2"}));
    }
}
