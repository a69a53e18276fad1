//! Which members hold secrets: their generated `Debug` shows `Some(<redacted>)` instead of
//! the value.
//!
//! A member is secret when it carries text (a string, or a list of strings) and either
//! - its name says so: [`tencentcloud_core::secret::is_secret_name`], the rule the
//!   transports' dumps share (`SecretKey`, `SecretString`, `Plaintext`, `DbPwd`; not
//!   `SecretName`, `NextToken`); or
//! - its documentation says so ([`doc_says_secret`]): the first clause of the (Chinese)
//!   doc ends with password, secret key or private key (`应用密钥`, `设备的私钥`,
//!   `密钥内容`), the member's name not naming an id, a name, a type, a region, a status or a
//!   time (`密钥 ID` is an id, `KmsRegion` a region), the clause not about a public key.
//!
//! An object under a secret name is not hidden: its own members are judged by these rules.
use crate::spec::{Kind, Member, Scalar, Specs};
use std::fmt::Write as _;

/// Why a member is secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Its name ([`tencentcloud_core::secret::is_secret_name`]).
    Name,
    /// Its documentation ([`doc_says_secret`]), the name saying nothing.
    Doc,
}

impl Rule {
    /// `name` or `doc`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Name => "name",
            Rule::Doc => "doc",
        }
    }
}

/// Whether `member` is secret, and by which rule; `None` for an ordinary member.
pub fn secret(member: &Member) -> Option<Rule> {
    if !member.kind().is_some_and(|k| carries_text(&k)) {
        return None;
    }
    if tencentcloud_core::secret::is_secret_name(&member.name) {
        Some(Rule::Name)
    } else if !names_metadata(&member.name) && doc_says_secret(&member.document) {
        Some(Rule::Doc)
    } else {
        None
    }
}

/// A string, or a list of them: what can carry a secret.
fn carries_text(kind: &Kind) -> bool {
    match kind {
        Kind::Scalar(s) => *s == Scalar::String,
        Kind::List(item) => carries_text(item),
        Kind::Object(_) => false,
    }
}

/// Name endings of a member about a secret rather than holding one (`AccessKeyId`,
/// `SecretKeyName`, `KmsRegion`).
const METADATA: &[&str] = &["id", "ids", "name", "names", "type", "types", "region", "status", "time"];

fn names_metadata(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    METADATA.iter().any(|m| n.ends_with(m))
}

/// What a secret is called in the docs: password, secret key, private key, pass phrase.
const DOC_NOUNS: &[&str] = &["密码", "密钥", "秘钥", "私钥", "口令"];

/// What may follow the noun and still name the secret itself: value, content, string,
/// plaintext, information.
const DOC_TAILS: &[&str] = &["", "值", "内容", "字符串", "明文", "信息", "串"];

/// Where a doc's first clause ends.
const CLAUSE_ENDS: &[char] = &['，', '。', '；', ',', ';', ':', '：', '（', '(', '、', '！', '!', '？', '?', '\n'];

/// Whether a member's documentation names a secret: its first clause ends with a secret noun
/// (`数据库密码`, `LoRa应用密钥`, `密钥内容`), not with an id (`密钥 ID`) or anything else
/// (`密码类型`), and it is not about a public key (`SSH密钥公钥字符串`).
pub fn doc_says_secret(doc: &str) -> bool {
    let lines = crate::docs::clean(doc);
    let Some(first) = lines.iter().find(|l| !l.is_empty()) else { return false };
    let clause = first.split(CLAUSE_ENDS).next().unwrap_or_default();
    let clause = clause.split("注意").next().unwrap_or_default().trim();
    !clause.contains("公钥")
        && DOC_NOUNS
            .iter()
            .any(|noun| DOC_TAILS.iter().any(|tail| clause.strip_suffix(tail).is_some_and(|c| c.ends_with(noun))))
}

/// Every secret member of every object in `specs`, one line each (`service version object
/// member rule`), then the totals.
pub fn listing(specs: &Specs) -> String {
    let (mut out, mut by_name, mut by_doc) = (String::new(), 0usize, 0usize);
    for svc in &specs.services {
        for v in &svc.versions {
            for (object, obj) in &v.api.objects {
                for m in &obj.members {
                    let Some(rule) = secret(m) else { continue };
                    match rule {
                        Rule::Name => by_name += 1,
                        Rule::Doc => by_doc += 1,
                    }
                    let _ = writeln!(out, "{} {} {object} {} {}", svc.name, v.module, m.name, rule.as_str());
                }
            }
        }
    }
    let _ = writeln!(out, "total {}: {by_name} by name, {by_doc} by doc only", by_name + by_doc);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, ty: &str, item: &str, doc: &str) -> Member {
        serde_json::from_value(serde_json::json!({"name": name, "type": ty, "member": item, "document": doc})).unwrap()
    }

    fn text(name: &str, doc: &str) -> Member {
        member(name, "string", "string", doc)
    }

    #[test]
    fn names() {
        // ssm GetSecretValue, kms GenerateDataKey, sts, cdb, postgres, a list of passwords.
        for (name, doc) in [
            ("SecretString", "在创建凭据(CreateSecret)时，如果指定的是普通文本明文数据，则此字段返回明文。"),
            (
                "SecretBinary",
                "在创建凭据(CreateSecret)时，如果指定的是二进制数据，则此字段为返回结果，并且使用base64进行编码。",
            ),
            ("Plaintext", "生成的数据密钥DataKey的明文，该明文使用base64编码，用户需要使用base64解码得到明文。"),
            ("TmpSecretKey", "临时证书密钥Key"),
            ("Token", "token"),
            ("ClientSecret", "客户端密钥"),
            ("SecretAccessKey", "访问凭证 Key。"),
            ("DbPwd", ""),
            ("Password", "实例密码"),
        ] {
            assert_eq!(secret(&text(name, doc)), Some(Rule::Name), "{name}");
        }
        assert_eq!(secret(&member("PassWords", "list", "string", "域名转移码数组。")), Some(Rule::Name));
    }

    #[test]
    fn docs() {
        // iotexplorer, iotcloud, cdb, kms, gaap, bmvpc, iotvideo, ssl: no secret word in the name.
        for (name, doc) in [
            ("AppSKey", "LoRaWAN 应用会话密钥"),
            ("ClientKey", "设备的私钥"),
            ("DecryptionKey", "备份文件解密密钥。"),
            ("DecryptKey", "<p>白盒解密密钥，base64编码</p>"),
            ("CertificateKey", "密钥内容。仅当证书类型为SSL证书时，返回该字段。"),
            ("PreShareKey", "预共享密钥。"),
            ("ForwardKey", "第三方推送密钥 注意：此字段可能返回 null，表示取不到有效值。"),
            ("KeyPass", "私钥密码"),
        ] {
            assert_eq!(secret(&text(name, doc)), Some(Rule::Doc), "{name}: {doc}");
        }
    }

    #[test]
    fn ordinary_members() {
        for (name, doc) in [
            // Ids, names, types, regions, times of keys and passwords.
            ("KeyId", "密钥 ID"),
            ("AccessKeyId", "访问密钥 ID"),
            ("SecretKeyId", "密钥id"),
            ("KmsKeyId", "加密所使用的密钥"),
            ("SecretName", "凭据名称"),
            ("KeyName", "密钥对名称"),
            ("KeyType", "密钥类型"),
            ("KmsRegion", "如果密钥来源为指定自定义密钥，则为密钥所在地域"),
            ("PasswordUpdateTime", "账号密码最近一次修改时间"),
            ("PasswordType", "弱口令类型"),
            ("ValidatePasswordPolicy", "密码强度"),
            // Public keys, cursors, idempotency tokens, ciphertext.
            ("SSHKey", "SSH密钥公钥字符串，与Password二选一"),
            ("PublicKey", "密钥对的公钥内容"),
            ("NextToken", "NextToken是每个页面唯一的分页令牌。"),
            ("ClientToken", "用于保证请求幂等性的字符串。"),
            ("CiphertextBlob", "数据密钥的密文"),
            ("Description", "密钥的描述信息"),
        ] {
            assert_eq!(secret(&text(name, doc)), None, "{name}: {doc}");
        }
        // Not text: a flag, a count, an object walked instead.
        assert_eq!(secret(&member("NoSecret", "bool", "bool", "")), None);
        assert_eq!(secret(&member("PasswordLength", "int", "int64", "密码")), None);
        assert_eq!(secret(&member("Credentials", "object", "Credentials", "临时访问凭证")), None);
        assert_eq!(secret(&member("Secrets", "list", "SecretMetadata", "密钥")), None);
    }

    #[test]
    fn doc_clauses() {
        assert!(doc_says_secret("<p>密钥明文</p>"));
        assert!(doc_says_secret("LoRa应用密钥"));
        assert!(!doc_says_secret(""));
        assert!(!doc_says_secret("密钥 ID"));
        assert!(!doc_says_secret("需要修改密码的集群ID"));
        assert!(!doc_says_secret("是否打开密码复杂度"));
    }
}
