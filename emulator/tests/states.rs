//! The states and references of the hand-written services through the signed front door: a
//! prepaid instance's recycle bin, CBS disks attached to one instance at a time, security
//! groups in use, SSM secrets and their versions, KMS keys and their ciphertexts, CAM users and
//! roles, CLB load balancers and listeners, CDB and Redis instances, TKE clusters, and the
//! state on disk across a restart.

mod common;

use std::time::Duration;

use base64ct::{Base64, Encoding};
use serde_json::{Value, json};
use tencentcloud_emulator::{Emulator, RunningEmulator, default_test_key};

use common::Client;

const GZ: &str = "ap-guangzhou";

async fn client(emu: &RunningEmulator) -> Client {
    let (id, key) = default_test_key();
    Client::connect(emu.addr(), id, key).await.unwrap()
}

/// How long the transitions take in the tests that wait for them.
const DELAY: Duration = Duration::from_millis(300);

/// An emulator keeping resources, its transitions taking [`DELAY`], and a client of it.
async fn delayed() -> (RunningEmulator, Client) {
    let emu = Emulator::builder().resources(true).instance_boot(DELAY).start().await.unwrap();
    let c = client(&emu).await;
    (emu, c)
}

/// One service's calls in ap-guangzhou: `ok` answers the response, `err` the error code.
struct Svc<'c> {
    c: &'c mut Client,
    service: &'static str,
    version: &'static str,
}

impl Svc<'_> {
    async fn ok(&mut self, action: &str, body: Value) -> Value {
        let a = self.c.call(self.service, self.version, action, Some(GZ), &body).await.unwrap();
        a.unwrap_or_else(|e| panic!("{action} {body}: {e:?}"))
    }

    async fn err(&mut self, action: &str, body: Value) -> String {
        let a = self.c.call(self.service, self.version, action, Some(GZ), &body).await.unwrap();
        match a {
            Ok(v) => panic!("{action} {body}: expected an error, got {v}"),
            Err((code, _)) => code,
        }
    }
}

fn cvm(c: &mut Client) -> Svc<'_> {
    Svc { c, service: "cvm", version: "2017-03-12" }
}

fn cbs(c: &mut Client) -> Svc<'_> {
    Svc { c, service: "cbs", version: "2017-03-12" }
}

fn vpc(c: &mut Client) -> Svc<'_> {
    Svc { c, service: "vpc", version: "2017-03-12" }
}

fn ssm(c: &mut Client) -> Svc<'_> {
    Svc { c, service: "ssm", version: "2019-09-23" }
}

fn kms(c: &mut Client) -> Svc<'_> {
    Svc { c, service: "kms", version: "2019-01-18" }
}

async fn run(c: &mut Client, body: Value) -> String {
    cvm(c).ok("RunInstances", body).await["InstanceIdSet"][0].as_str().unwrap().to_owned()
}

async fn instance_state(c: &mut Client, id: &str) -> Option<String> {
    let v = cvm(c).ok("DescribeInstances", json!({"InstanceIds": [id]})).await;
    v["InstanceSet"].get(0).map(|i| i["InstanceState"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_prepaid_instance_goes_to_the_recycle_bin_first() {
    let emu = Emulator::builder().start().await.unwrap();
    let mut c = client(&emu).await;
    let prepaid = run(&mut c, json!({"ImageId": "img-1", "InstanceChargeType": "PREPAID"})).await;
    let postpaid = run(&mut c, json!({"ImageId": "img-1"})).await;
    cvm(&mut c).ok("TerminateInstances", json!({"InstanceIds": [prepaid]})).await;
    assert_eq!(instance_state(&mut c, &prepaid).await.as_deref(), Some("SHUTDOWN"));
    let e = cvm(&mut c).err("StartInstances", json!({"InstanceIds": [prepaid]})).await;
    assert_eq!(e, "UnsupportedOperation.InstanceStateShutdown");
    cvm(&mut c).ok("TerminateInstances", json!({"InstanceIds": [prepaid]})).await;
    assert_eq!(instance_state(&mut c, &prepaid).await, None, "a second terminate destroys it");
    cvm(&mut c).ok("TerminateInstances", json!({"InstanceIds": [postpaid]})).await;
    assert_eq!(instance_state(&mut c, &postpaid).await, None, "no delay configured: gone at once");
    // Protected from termination, as the documented code says.
    let guarded = run(&mut c, json!({"ImageId": "img-1", "DisableApiTermination": true})).await;
    let e = cvm(&mut c).err("TerminateInstances", json!({"InstanceIds": [guarded]})).await;
    assert_eq!(e, "UnsupportedOperation.InstancesProtected");
    assert_eq!(instance_state(&mut c, &guarded).await.as_deref(), Some("RUNNING"));
    emu.shutdown().await;
}

async fn disk(c: &mut Client, zone: &str) -> String {
    let body = json!({"Placement": {"Zone": zone}, "DiskChargeType": "POSTPAID_BY_HOUR",
        "DiskType": "CLOUD_PREMIUM", "DiskSize": 50});
    cbs(c).ok("CreateDisks", body).await["DiskIdSet"][0].as_str().unwrap().to_owned()
}

async fn disk_view(c: &mut Client, id: &str) -> Option<Value> {
    let v = cbs(c).ok("DescribeDisks", json!({"DiskIds": [id]})).await;
    v["DiskSet"].get(0).cloned()
}

#[tokio::test]
async fn a_disk_is_attached_to_one_instance_at_a_time() {
    let (emu, mut c) = delayed().await;
    let a = run(&mut c, json!({"ImageId": "img-1", "Placement": {"Zone": "ap-guangzhou-3"}})).await;
    let b = run(&mut c, json!({"ImageId": "img-1", "Placement": {"Zone": "ap-guangzhou-3"}})).await;
    let d = disk(&mut c, "ap-guangzhou-3").await;
    let far = disk(&mut c, "ap-guangzhou-4").await;
    let view = disk_view(&mut c, &d).await.unwrap();
    assert_eq!((view["DiskState"].as_str(), view["Attached"].as_bool()), (Some("UNATTACHED"), Some(false)));

    let attach = |disk: &str, ins: &str| json!({"DiskIds": [disk], "InstanceId": ins});
    let refused = [
        ("an unknown instance", attach(&d, "ins-00000000"), "InvalidInstanceId.NotFound"),
        ("an instance of another zone", attach(&far, &a), "ResourceUnavailable.ZoneNotMatch"),
        ("an unknown disk", attach("disk-00000000", &a), "InvalidDiskId.NotFound"),
    ];
    for (case, body, code) in refused {
        assert_eq!(cbs(&mut c).err("AttachDisks", body).await, code, "{case}");
    }

    cbs(&mut c).ok("AttachDisks", attach(&d, &a)).await;
    let view = disk_view(&mut c, &d).await.unwrap();
    assert_eq!((view["DiskState"].as_str(), view["InstanceId"].as_str()), (Some("ATTACHING"), Some(a.as_str())));
    assert_eq!(cbs(&mut c).err("AttachDisks", attach(&d, &b)).await, "ResourceBusy");
    tokio::time::sleep(DELAY).await;
    let view = disk_view(&mut c, &d).await.unwrap();
    assert_eq!((view["DiskState"].as_str(), view["Attached"].as_bool()), (Some("ATTACHED"), Some(true)));
    let attached = json!({"Filters": [{"Name": "instance-id", "Values": [a]}]});
    assert_eq!(cbs(&mut c).ok("DescribeDisks", attached).await["TotalCount"], 1);
    // One instance at a time; an attached disk is not terminated.
    assert_eq!(cbs(&mut c).err("AttachDisks", attach(&d, &b)).await, "ResourceUnavailable.Attached");
    let e = cbs(&mut c).err("TerminateDisks", json!({"DiskIds": [d]})).await;
    assert_eq!(e, "ResourceUnavailable.NotSupported");
    let e = cbs(&mut c).err("DetachDisks", json!({"DiskIds": [d], "InstanceId": b})).await;
    assert_eq!(e, "InvalidParameterValue");
    // A batch with one disk that cannot be attached attaches none.
    let fresh = disk(&mut c, "ap-guangzhou-3").await;
    let e = cbs(&mut c).err("AttachDisks", json!({"DiskIds": [fresh, d], "InstanceId": b})).await;
    assert_eq!(e, "ResourceUnavailable.Attached");
    assert_eq!(disk_view(&mut c, &fresh).await.unwrap()["DiskState"], "UNATTACHED");

    cbs(&mut c).ok("DetachDisks", json!({"DiskIds": [d]})).await;
    assert_eq!(disk_view(&mut c, &d).await.unwrap()["DiskState"], "DETACHING");
    tokio::time::sleep(DELAY).await;
    let view = disk_view(&mut c, &d).await.unwrap();
    assert_eq!((view["DiskState"].as_str(), view["InstanceId"].as_str()), (Some("UNATTACHED"), Some("")));
    assert_eq!(view["LastAttachInsId"], a.as_str());
    assert_eq!(cbs(&mut c).err("DetachDisks", json!({"DiskIds": [d]})).await, "ResourceUnavailable.NotSupported");

    // Attached to b, then b terminated: the disk is unattached again; one to be deleted with
    // its instance goes with it.
    tokio::time::sleep(DELAY).await; // b is RUNNING
    cbs(&mut c).ok("AttachDisks", attach(&d, &b)).await;
    cbs(&mut c).ok("AttachDisks", json!({"DiskIds": [fresh], "InstanceId": b, "DeleteWithInstance": true})).await;
    tokio::time::sleep(DELAY).await;
    cvm(&mut c).ok("TerminateInstances", json!({"InstanceIds": [b]})).await;
    assert_eq!(disk_view(&mut c, &d).await.unwrap()["DiskState"], "ATTACHED", "b is only TERMINATING");
    tokio::time::sleep(DELAY).await;
    assert_eq!(disk_view(&mut c, &d).await.unwrap()["DiskState"], "UNATTACHED");
    assert!(disk_view(&mut c, &fresh).await.is_none(), "deleted with its instance");
    cbs(&mut c).ok("TerminateDisks", json!({"DiskIds": [d, far]})).await;
    assert!(disk_view(&mut c, &d).await.is_none());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_security_group_in_use_is_not_deleted() {
    let emu = Emulator::builder().resources(true).start().await.unwrap();
    let mut c = client(&emu).await;
    let sg = vpc(&mut c).ok("CreateSecurityGroup", json!({"GroupName": "web", "GroupDescription": "d"})).await;
    let sg = sg["SecurityGroup"]["SecurityGroupId"].as_str().unwrap().to_owned();
    let ins = run(&mut c, json!({"ImageId": "img-1", "SecurityGroupIds": [sg]})).await;
    let e = vpc(&mut c).err("DeleteSecurityGroup", json!({"SecurityGroupId": sg})).await;
    assert_eq!(e, "ResourceInUse");
    cvm(&mut c).ok("TerminateInstances", json!({"InstanceIds": [ins]})).await;
    vpc(&mut c).ok("DeleteSecurityGroup", json!({"SecurityGroupId": sg})).await;
    let e = vpc(&mut c).err("DeleteSecurityGroup", json!({"SecurityGroupId": sg})).await;
    assert_eq!(e, "InvalidSecurityGroupID.NotFound");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_secret_keeps_its_versions_and_is_deleted_when_disabled() {
    let emu = Emulator::builder().resources(true).start().await.unwrap();
    let mut c = client(&emu).await;
    let made = ssm(&mut c).ok("CreateSecret", json!({"SecretName": "db-pass", "SecretString": "hunter2"})).await;
    assert_eq!((made["SecretName"].as_str(), made["VersionId"].as_str()), (Some("db-pass"), Some("SSM_Current")));
    let refused = [
        ("a name in use", json!({"SecretName": "db-pass", "SecretString": "x"}), "ResourceInUse.SecretExists"),
        ("a bad name", json!({"SecretName": "-bad.name", "SecretString": "x"}), "InvalidParameterValue"),
        (
            "both values",
            json!({"SecretName": "both", "SecretString": "x", "SecretBinary": "eA=="}),
            "InvalidParameterValue",
        ),
    ];
    for (case, body, code) in refused {
        assert_eq!(ssm(&mut c).err("CreateSecret", body).await, code, "{case}");
    }

    let get = |v: &str| json!({"SecretName": "db-pass", "VersionId": v});
    let got = ssm(&mut c).ok("GetSecretValue", get("SSM_Current")).await;
    assert_eq!((got["SecretString"].as_str(), got["VersionId"].as_str()), (Some("hunter2"), Some("SSM_Current")));
    ssm(&mut c)
        .ok("PutSecretValue", json!({"SecretName": "db-pass", "VersionId": "v2", "SecretString": "s3cret"}))
        .await;
    let e = ssm(&mut c)
        .err("PutSecretValue", json!({"SecretName": "db-pass", "VersionId": "v2", "SecretString": "y"}))
        .await;
    assert_eq!(e, "ResourceInUse.VersionIdExists");
    assert_eq!(ssm(&mut c).ok("GetSecretValue", get("v2")).await["SecretString"], "s3cret");
    assert_eq!(ssm(&mut c).ok("GetSecretValue", get("SSM_Current")).await["SecretString"], "hunter2");
    assert_eq!(ssm(&mut c).err("GetSecretValue", get("v9")).await, "ResourceNotFound");
    ssm(&mut c).ok("UpdateSecret", json!({"SecretName": "db-pass", "VersionId": "v2", "SecretString": "n3w"})).await;
    assert_eq!(ssm(&mut c).ok("GetSecretValue", get("v2")).await["SecretString"], "n3w");
    let versions = ssm(&mut c).ok("ListSecretVersionIds", json!({"SecretName": "db-pass"})).await;
    let ids: Vec<&str> =
        versions["Versions"].as_array().unwrap().iter().map(|v| v["VersionId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["SSM_Current", "v2"]);
    let described = ssm(&mut c).ok("DescribeSecret", json!({"SecretName": "db-pass"})).await;
    assert_eq!((described["Status"].as_str(), described["DeleteTime"].as_i64()), (Some("Enabled"), Some(0)));
    assert!(!described.to_string().contains("hunter2"), "the value is never described");

    // Deleting: disabled first, then scheduled, restored, and deleted at once.
    let del = |days: i64| json!({"SecretName": "db-pass", "RecoveryWindowInDays": days});
    assert_eq!(ssm(&mut c).err("DeleteSecret", del(7)).await, "FailedOperation");
    ssm(&mut c).ok("DisableSecret", json!({"SecretName": "db-pass"})).await;
    assert_eq!(ssm(&mut c).err("GetSecretValue", get("v2")).await, "ResourceUnavailable.ResourceDisabled");
    let scheduled = ssm(&mut c).ok("DeleteSecret", del(7)).await;
    let when = scheduled["DeleteTime"].as_i64().unwrap();
    let described = ssm(&mut c).ok("DescribeSecret", json!({"SecretName": "db-pass"})).await;
    assert_eq!((described["Status"].as_str(), described["DeleteTime"].as_i64()), (Some("PendingDelete"), Some(when)));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((when - now - 7 * 86_400).abs() < 60, "{when} vs {now}");
    assert_eq!(ssm(&mut c).err("GetSecretValue", get("v2")).await, "ResourceUnavailable.ResourcePendingDeleted");
    assert_eq!(ssm(&mut c).err("EnableSecret", json!({"SecretName": "db-pass"})).await, "FailedOperation");
    ssm(&mut c).ok("RestoreSecret", json!({"SecretName": "db-pass"})).await;
    assert_eq!(ssm(&mut c).ok("DescribeSecret", json!({"SecretName": "db-pass"})).await["Status"], "Disabled");
    ssm(&mut c).ok("DeleteSecret", del(0)).await;
    assert_eq!(ssm(&mut c).err("DescribeSecret", json!({"SecretName": "db-pass"})).await, "ResourceNotFound");
    // The name is free again.
    ssm(&mut c).ok("CreateSecret", json!({"SecretName": "db-pass", "SecretBinary": "AAE=", "VersionId": "v1"})).await;
    let got = ssm(&mut c).ok("GetSecretValue", get("v1")).await;
    assert_eq!((got["SecretBinary"].as_str(), got["SecretString"].as_str()), (Some("AAE="), Some("")));
    emu.shutdown().await;
}

async fn key(c: &mut Client, alias: &str) -> String {
    let made = kms(c).ok("CreateKey", json!({"Alias": alias})).await;
    assert_eq!(made["KeyState"], "Enabled");
    made["KeyId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn keys_encrypt_decrypt_and_are_scheduled_for_deletion() {
    let emu = Emulator::builder().resources(true).start().await.unwrap();
    let mut c = client(&emu).await;
    let k1 = key(&mut c, "app").await;
    let k2 = key(&mut c, "other").await;
    assert_eq!(kms(&mut c).err("CreateKey", json!({"Alias": "app"})).await, "InvalidParameterValue.AliasAlreadyExists");
    assert_ne!(k1, k2);

    let plain = b"the quick brown fox".to_vec();
    let enc =
        |k: &str, ctx: &str| json!({"KeyId": k, "Plaintext": Base64::encode_string(&plain), "EncryptionContext": ctx});
    let blob =
        kms(&mut c).ok("Encrypt", enc(&k1, "{\"app\":\"a\"}")).await["CiphertextBlob"].as_str().unwrap().to_owned();
    let raw = Base64::decode_vec(&blob).unwrap();
    assert_eq!(raw.len(), 1 + 36 + 12 + plain.len() + 16, "version, key id, nonce, sealed text and tag");
    assert!(!raw.windows(plain.len()).any(|w| w == plain.as_slice()), "the plaintext is not in the blob");
    let again = kms(&mut c).ok("Encrypt", enc(&k1, "{\"app\":\"a\"}")).await["CiphertextBlob"].clone();
    assert_ne!(again, blob.as_str(), "a fresh nonce each time");

    let dec = |b: &str, ctx: &str| json!({"CiphertextBlob": b, "EncryptionContext": ctx});
    let out = kms(&mut c).ok("Decrypt", dec(&blob, "{\"app\":\"a\"}")).await;
    assert_eq!(out["KeyId"], k1.as_str());
    assert_eq!(Base64::decode_vec(out["Plaintext"].as_str().unwrap()).unwrap(), plain);
    // Another context, a flipped bit, or the blob claimed by the other key: refused.
    let mut flipped = raw.clone();
    *flipped.last_mut().unwrap() ^= 1;
    let mut moved = raw.clone();
    moved[1..37].copy_from_slice(k2.as_bytes());
    let refused = [
        ("another context", dec(&blob, "{\"app\":\"b\"}")),
        ("a flipped bit", dec(&Base64::encode_string(&flipped), "{\"app\":\"a\"}")),
        ("the other key's id", dec(&Base64::encode_string(&moved), "{\"app\":\"a\"}")),
        ("not base64", dec("not base64!", "")),
    ];
    for (case, body) in refused {
        assert_eq!(kms(&mut c).err("Decrypt", body).await, "InvalidParameterValue.InvalidCiphertext", "{case}");
    }
    assert_eq!(
        kms(&mut c).err("Encrypt", json!({"KeyId": k1, "Plaintext": "%%"})).await,
        "InvalidParameterValue.InvalidPlaintext"
    );
    let unknown = json!({"KeyId": "00000000-0000-4000-8000-000000000000", "Plaintext": "eA=="});
    assert_eq!(kms(&mut c).err("Encrypt", unknown).await, "ResourceUnavailable.CmkNotFound");

    // Disabled keys neither encrypt nor decrypt; only a disabled key is scheduled for deletion.
    let id = json!({"KeyId": k1});
    let schedule = json!({"KeyId": k1, "PendingWindowInDays": 7});
    assert_eq!(
        kms(&mut c).err("ScheduleKeyDeletion", schedule.clone()).await,
        "ResourceUnavailable.CmkShouldBeDisabled"
    );
    kms(&mut c).ok("DisableKey", id.clone()).await;
    assert_eq!(kms(&mut c).ok("DescribeKey", id.clone()).await["KeyMetadata"]["KeyState"], "Disabled");
    assert_eq!(kms(&mut c).err("Decrypt", dec(&blob, "{\"app\":\"a\"}")).await, "ResourceUnavailable.CmkDisabled");
    let short = json!({"KeyId": k1, "PendingWindowInDays": 3});
    assert_eq!(kms(&mut c).err("ScheduleKeyDeletion", short).await, "InvalidParameter.InvalidPendingWindowInDays");
    let s = kms(&mut c).ok("ScheduleKeyDeletion", schedule).await;
    assert!(s["DeletionDate"].as_i64().unwrap() > 0);
    let meta = kms(&mut c).ok("DescribeKey", id.clone()).await["KeyMetadata"].clone();
    assert_eq!(
        (meta["KeyState"].as_str(), meta["DeletionDate"].clone()),
        (Some("PendingDelete"), s["DeletionDate"].clone())
    );
    assert_eq!(kms(&mut c).err("EnableKey", id.clone()).await, "ResourceUnavailable.CmkStateNotSupport");
    let listed = kms(&mut c).ok("ListKeys", json!({})).await;
    assert_eq!(
        (listed["TotalCount"].as_i64(), listed["Keys"][0]["KeyId"].as_str()),
        (Some(1), Some(k2.as_str())),
        "no PendingDelete key"
    );
    kms(&mut c).ok("CancelKeyDeletion", id.clone()).await;
    assert_eq!(kms(&mut c).err("CancelKeyDeletion", id.clone()).await, "ResourceUnavailable.CmkNotPendingDelete");
    kms(&mut c).ok("EnableKey", id.clone()).await;
    let out = kms(&mut c).ok("Decrypt", dec(&blob, "{\"app\":\"a\"}")).await;
    assert_eq!(Base64::decode_vec(out["Plaintext"].as_str().unwrap()).unwrap(), plain);
    assert_eq!(kms(&mut c).err("DescribeKey", json!({"KeyId": "nope"})).await, "InvalidParameterValue.InvalidKeyId");
    emu.shutdown().await;
}

fn cam(c: &mut Client) -> Svc<'_> {
    Svc { c, service: "cam", version: "2019-01-16" }
}

#[tokio::test]
async fn cam_users_and_roles_are_account_wide() {
    let emu = Emulator::builder().resources(true).start().await.unwrap();
    let mut c = client(&emu).await;
    let made = cam(&mut c).ok("AddUser", json!({"Name": "ci-bot", "UseApi": 1, "Remark": "ci"})).await;
    let (id, key) = (made["SecretId"].as_str().unwrap(), made["SecretKey"].as_str().unwrap());
    assert!(id.starts_with("AKID") && id.len() == 36 && key.len() == 32, "{made}");
    assert!(made["Uin"].as_u64().unwrap() > 100_000_000_000);
    assert_eq!(cam(&mut c).err("AddUser", json!({"Name": "ci-bot"})).await, "InvalidParameter.SubUserNameInUse");
    assert_eq!(cam(&mut c).err("AddUser", json!({"Name": "no spaces"})).await, "InvalidParameter.UserNameIllegal");
    cam(&mut c).ok("AddUser", json!({"Name": "viewer"})).await;
    let got = cam(&mut c).ok("GetUser", json!({"Name": "ci-bot"})).await;
    assert_eq!(
        (got["Name"].as_str(), got["Remark"].as_str(), got["Uin"].clone()),
        (Some("ci-bot"), Some("ci"), made["Uin"].clone())
    );
    assert!(!got.to_string().contains(key), "the secret key is answered once only");
    let names: Vec<String> = cam(&mut c).ok("ListUsers", json!({})).await["Data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["Name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["ci-bot", "viewer"]);
    assert_eq!(cam(&mut c).err("DeleteUser", json!({"Name": "ci-bot"})).await, "OperationDenied.HaveKeys");
    cam(&mut c).ok("DeleteUser", json!({"Name": "ci-bot", "Force": 1})).await;
    cam(&mut c).ok("DeleteUser", json!({"Name": "viewer"})).await;
    assert_eq!(cam(&mut c).err("GetUser", json!({"Name": "viewer"})).await, "ResourceNotFound.UserNotExist");
    assert_eq!(cam(&mut c).err("DeleteUser", json!({"Name": "viewer"})).await, "ResourceNotFound.UserNotExist");

    let policy = r#"{"version":"2.0","statement":[{"action":"name/sts:AssumeRole","effect":"allow","principal":{"service":"cvm.qcloud.com"}}]}"#;
    let role = json!({"RoleName": "cvm-role", "PolicyDocument": policy});
    let role_id = cam(&mut c).ok("CreateRole", role.clone()).await["RoleId"].as_str().unwrap().to_owned();
    let refused = [
        ("a name in use", role, "InvalidParameter.RoleNameInUse"),
        (
            "no JSON policy",
            json!({"RoleName": "r2", "PolicyDocument": "{not json"}),
            "InvalidParameter.PolicyDocumentError",
        ),
        ("a bad name", json!({"RoleName": "bad name", "PolicyDocument": policy}), "InvalidParameter.RoleNameError"),
    ];
    for (case, body, code) in refused {
        assert_eq!(cam(&mut c).err("CreateRole", body).await, code, "{case}");
    }
    // Account-wide: the role is found from another region.
    let other = c
        .call("cam", "2019-01-16", "GetRole", Some("ap-shanghai"), &json!({"RoleId": role_id}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(other["RoleInfo"]["RoleName"], "cvm-role");
    assert!(other["RoleInfo"]["RoleArn"].as_str().unwrap().ends_with(":roleName/cvm-role"));
    let list = cam(&mut c).ok("DescribeRoleList", json!({"Page": 1, "Rp": 20})).await;
    assert_eq!(list["TotalNum"], 1);
    cam(&mut c).ok("DeleteRole", json!({"RoleId": role_id})).await;
    assert_eq!(cam(&mut c).err("GetRole", json!({"RoleId": role_id})).await, "InvalidParameter.RoleNotExist");
    emu.shutdown().await;
}

/// A new VPC, 10.0.0.0/16: its id.
async fn new_vpc(c: &mut Client) -> Value {
    vpc(c).ok("CreateVpc", json!({"VpcName": "v", "CidrBlock": "10.0.0.0/16"})).await["Vpc"]["VpcId"].clone()
}

/// A new subnet of the VPC `v`, 10.0.1.0/24 in ap-guangzhou-3: its id.
async fn subnet(c: &mut Client, v: &Value) -> Value {
    let s = json!({"VpcId": v, "SubnetName": "s", "CidrBlock": "10.0.1.0/24", "Zone": "ap-guangzhou-3"});
    vpc(c).ok("CreateSubnet", s).await["Subnet"]["SubnetId"].clone()
}

fn clb(c: &mut Client) -> Svc<'_> {
    Svc { c, service: "clb", version: "2018-03-17" }
}

#[tokio::test]
async fn load_balancers_live_in_their_vpc_and_listeners_on_free_ports() {
    let (emu, mut c) = delayed().await;
    let v = new_vpc(&mut c).await;
    let s = subnet(&mut c, &v).await;
    let lb =
        |vpc_id: &Value, subnet: &Value| json!({"LoadBalancerType": "INTERNAL", "VpcId": vpc_id, "SubnetId": subnet});
    assert_eq!(clb(&mut c).err("CreateLoadBalancer", lb(&json!("vpc-00000000"), &s)).await, "InvalidParameterValue");
    assert_eq!(clb(&mut c).err("CreateLoadBalancer", lb(&v, &json!("subnet-00000000"))).await, "InvalidParameterValue");
    let id = clb(&mut c).ok("CreateLoadBalancer", lb(&v, &s)).await["LoadBalancerIds"][0].as_str().unwrap().to_owned();
    let status = async |c: &mut Client| {
        clb(c).ok("DescribeLoadBalancers", json!({"LoadBalancerIds": [id]})).await["LoadBalancerSet"][0]["Status"]
            .clone()
    };
    assert_eq!(status(&mut c).await, 0, "creating");
    tokio::time::sleep(DELAY).await;
    assert_eq!(status(&mut c).await, 1, "running");

    // A VPC or subnet with a load balancer in it is not deleted.
    assert_eq!(vpc(&mut c).err("DeleteSubnet", json!({"SubnetId": s})).await, "ResourceInUse");

    let listener = |lb: &str, port: u16, proto: &str| json!({"LoadBalancerId": lb, "Ports": [port], "Protocol": proto, "ListenerNames": ["l"]});
    let e = clb(&mut c).err("CreateListener", listener("lb-00000000", 80, "TCP")).await;
    assert_eq!(e, "InvalidParameter.LBIdNotFound");
    let l80 = clb(&mut c).ok("CreateListener", listener(&id, 80, "HTTP")).await["ListenerIds"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(clb(&mut c).err("CreateListener", listener(&id, 80, "TCP")).await, "InvalidParameter.PortCheckFailed");
    clb(&mut c).ok("CreateListener", listener(&id, 80, "UDP")).await;
    let listed = clb(&mut c).ok("DescribeListeners", json!({"LoadBalancerId": id})).await;
    let set = listed["Listeners"].as_array().unwrap();
    assert_eq!(set.len(), 2);
    assert_eq!(
        (set[0]["ListenerId"].as_str(), set[0]["Port"].as_i64(), set[0]["Protocol"].as_str()),
        (Some(l80.as_str()), Some(80), Some("HTTP"))
    );

    // The load balancer's listeners go with it; then the subnet and VPC may go.
    clb(&mut c).ok("DeleteLoadBalancer", json!({"LoadBalancerIds": [id]})).await;
    assert_eq!(clb(&mut c).ok("DescribeListeners", json!({"LoadBalancerId": id})).await["Listeners"], json!([]));
    assert_eq!(
        clb(&mut c).err("DeleteLoadBalancer", json!({"LoadBalancerIds": [id]})).await,
        "InvalidParameter.LBIdNotFound"
    );
    // An instance in the subnet keeps it too.
    let ins = run(&mut c, json!({"ImageId": "img-1", "VirtualPrivateCloud": {"VpcId": v, "SubnetId": s}})).await;
    assert_eq!(vpc(&mut c).err("DeleteSubnet", json!({"SubnetId": s})).await, "ResourceInUse");
    tokio::time::sleep(DELAY).await;
    cvm(&mut c).ok("TerminateInstances", json!({"InstanceIds": [ins]})).await;
    assert_eq!(
        vpc(&mut c).err("DeleteSubnet", json!({"SubnetId": s})).await,
        "ResourceInUse",
        "TERMINATING still uses it"
    );
    tokio::time::sleep(DELAY).await;
    vpc(&mut c).ok("DeleteSubnet", json!({"SubnetId": s})).await;
    vpc(&mut c).ok("DeleteVpc", json!({"VpcId": v})).await;
    emu.shutdown().await;
}

fn cdb(c: &mut Client) -> Svc<'_> {
    Svc { c, service: "cdb", version: "2017-03-20" }
}

#[tokio::test]
async fn mysql_instances_are_created_isolated_released_and_taken_offline() {
    let (emu, mut c) = delayed().await;
    let v = new_vpc(&mut c).await;
    let s = subnet(&mut c, &v).await;
    let create = |vpc_id: &Value| json!({"GoodsNum": 2, "Memory": 1000, "Volume": 25, "UniqVpcId": vpc_id, "UniqSubnetId": s, "InstanceName": "db"});
    assert_eq!(cdb(&mut c).err("CreateDBInstanceHour", create(&json!("vpc-00000000"))).await, "InvalidParameter");
    let made = cdb(&mut c).ok("CreateDBInstanceHour", create(&v)).await;
    let ids: Vec<String> =
        made["InstanceIds"].as_array().unwrap().iter().map(|i| i.as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.iter().all(|i| i.starts_with("cdb-") && i.len() == 12), "{ids:?}");
    let one = |id: &str| json!({"InstanceIds": [id]});
    let status = async |c: &mut Client, id: &str| {
        let item = cdb(c).ok("DescribeDBInstances", one(id)).await["Items"][0].clone();
        (item["Status"].as_i64().unwrap(), item["TaskStatus"].as_i64().unwrap())
    };
    assert_eq!(status(&mut c, &ids[0]).await, (0, 0), "creating");
    let a = json!({"InstanceId": ids[0]});
    assert_eq!(cdb(&mut c).err("IsolateDBInstance", a.clone()).await, "OperationDenied.WrongStatus");
    tokio::time::sleep(DELAY).await;
    assert_eq!(status(&mut c, &ids[0]).await, (1, 0), "running");
    let listed = cdb(&mut c).ok("DescribeDBInstances", json!({"Status": [1], "InstanceNames": ["db"]})).await;
    assert_eq!(listed["TotalCount"], 2);
    assert_eq!(
        (listed["Items"][0]["InstanceName"].as_str(), listed["Items"][0]["PayType"].as_i64()),
        (Some("db"), Some(1))
    );
    assert_eq!(vpc(&mut c).err("DeleteSubnet", json!({"SubnetId": s})).await, "ResourceInUse");

    cdb(&mut c).ok("RestartDBInstances", one(&ids[1])).await;
    assert_eq!(status(&mut c, &ids[1]).await, (1, 10), "restarting");
    assert_eq!(cdb(&mut c).err("RestartDBInstances", one(&ids[1])).await, "FailedOperation.StatusConflict");

    cdb(&mut c).ok("IsolateDBInstance", a.clone()).await;
    assert_eq!(status(&mut c, &ids[0]).await.0, 4, "isolating");
    assert_eq!(cdb(&mut c).err("OfflineIsolatedInstances", one(&ids[0])).await, "InvalidParameter");
    tokio::time::sleep(DELAY).await;
    assert_eq!(status(&mut c, &ids[0]).await.0, 5, "isolated");
    let released = cdb(&mut c).ok("ReleaseIsolatedDBInstances", one(&ids[0])).await;
    assert_eq!(released["Items"][0]["InstanceId"], ids[0].as_str());
    assert_eq!(status(&mut c, &ids[0]).await.0, 1);
    tokio::time::sleep(DELAY).await;
    for id in &ids {
        cdb(&mut c).ok("IsolateDBInstance", json!({"InstanceId": id})).await;
    }
    tokio::time::sleep(DELAY).await;
    cdb(&mut c).ok("OfflineIsolatedInstances", json!({"InstanceIds": ids})).await;
    assert_eq!(cdb(&mut c).ok("DescribeDBInstances", json!({})).await["TotalCount"], 0);
    assert_eq!(cdb(&mut c).err("IsolateDBInstance", a).await, "InvalidParameter.InstanceNotFound");
    vpc(&mut c).ok("DeleteSubnet", json!({"SubnetId": s})).await;
    emu.shutdown().await;
}

fn redis(c: &mut Client) -> Svc<'_> {
    Svc { c, service: "redis", version: "2018-04-12" }
}

#[tokio::test]
async fn redis_instances_go_to_the_recycle_bin_and_come_back() {
    let (emu, mut c) = delayed().await;
    let v = new_vpc(&mut c).await;
    let s = subnet(&mut c, &v).await;
    let create = |vpc_id: &Value, billing: i64, n: i64| {
        json!({"TypeId": 15, "MemSize": 1024, "GoodsNum": n, "Period": 1, "BillingMode": billing,
            "VpcId": vpc_id, "SubnetId": s, "InstanceName": "cache"})
    };
    let e = redis(&mut c).err("CreateInstances", create(&json!("vpc-00000000"), 0, 1)).await;
    assert_eq!(e, "InvalidParameterValue.UnVpcIdNotExists");
    let e = redis(&mut c).err("CreateInstances", create(&v, 0, 101)).await;
    assert_eq!(e, "LimitExceeded.InvalidParameterGoodsNumNotInRange");
    let post =
        redis(&mut c).ok("CreateInstances", create(&v, 0, 1)).await["InstanceIds"][0].as_str().unwrap().to_owned();
    let pre =
        redis(&mut c).ok("CreateInstances", create(&v, 1, 1)).await["InstanceIds"][0].as_str().unwrap().to_owned();
    assert!(post.starts_with("crs-"), "{post}");
    let status = async |c: &mut Client, id: &str| {
        let v = redis(c).ok("DescribeInstances", json!({"InstanceId": id})).await;
        v["InstanceSet"].get(0).map(|i| i["Status"].as_i64().unwrap())
    };
    assert_eq!(status(&mut c, &post).await, Some(1), "in process");
    let one = |id: &str| json!({"InstanceId": id});
    assert_eq!(
        redis(&mut c).err("DestroyPostpaidInstance", one(&post)).await,
        "ResourceUnavailable.InstanceStatusError"
    );
    tokio::time::sleep(DELAY).await;
    assert_eq!(status(&mut c, &post).await, Some(2), "running");
    let vpcs = json!({"UniqVpcIds": [v], "Status": [2]});
    assert_eq!(redis(&mut c).ok("DescribeInstances", vpcs).await["TotalCount"], 2);
    assert_eq!(vpc(&mut c).err("DeleteSubnet", json!({"SubnetId": s})).await, "ResourceInUse");

    assert_eq!(redis(&mut c).err("DestroyPostpaidInstance", one(&pre)).await, "InvalidParameterValue.UnSupportedType");
    redis(&mut c).ok("DestroyPrepaidInstance", one(&pre)).await;
    assert_eq!(redis(&mut c).err("DestroyPrepaidInstance", one(&pre)).await, "ResourceUnavailable.InstanceIsolated");
    redis(&mut c).ok("DestroyPostpaidInstance", one(&post)).await;
    assert_eq!(status(&mut c, &post).await, Some(-2), "isolated");
    redis(&mut c).ok("StartupInstance", one(&post)).await;
    assert_eq!(status(&mut c, &post).await, Some(2));
    assert_eq!(redis(&mut c).err("CleanUpInstance", one(&post)).await, "ResourceUnavailable.InstanceStatusAbnormal");
    redis(&mut c).ok("DestroyPostpaidInstance", one(&post)).await;
    for id in [&post, &pre] {
        redis(&mut c).ok("CleanUpInstance", one(id)).await;
        assert_eq!(status(&mut c, id).await, None);
    }
    assert_eq!(redis(&mut c).err("StartupInstance", one(&post)).await, "ResourceNotFound.InstanceNotExists");
    vpc(&mut c).ok("DeleteSubnet", json!({"SubnetId": s})).await;
    vpc(&mut c).ok("DeleteVpc", json!({"VpcId": v})).await;
    emu.shutdown().await;
}

fn tke(c: &mut Client) -> Svc<'_> {
    Svc { c, service: "tke", version: "2018-05-25" }
}

#[tokio::test]
async fn clusters_take_clear_cidrs_in_an_existing_vpc() {
    let (emu, mut c) = delayed().await;
    let v = new_vpc(&mut c).await;
    let cluster = |vpc_id: &Value, cidr: &str| {
        json!({"ClusterType": "MANAGED_CLUSTER", "ClusterCIDRSettings": {"ClusterCIDR": cidr},
            "ClusterBasicSettings": {"VpcId": vpc_id, "ClusterName": "k8s"}})
    };
    let err = async |c: &mut Client, body: Value| tke(c).err("CreateCluster", body).await;
    let refused = [
        ("an unknown VPC", cluster(&json!("vpc-00000000"), "172.16.0.0/16"), "FailedOperation.VpcRecodrNotFound"),
        ("no CIDR block", cluster(&v, "172.16.0.0"), "InvalidParameter.CidrInvalid"),
        ("a /28", cluster(&v, "172.16.0.0/28"), "InvalidParameter.CIDRMaskSizeOutOfRange"),
        ("a public block", cluster(&v, "8.8.0.0/16"), "InvalidParameter.InvalidPrivateNetworkCIDR"),
        ("over the VPC's CIDR", cluster(&v, "10.0.0.0/14"), "InvalidParameter.CidrConflictWithVpcCidr"),
    ];
    for (case, body, code) in refused {
        assert_eq!(err(&mut c, body).await, code, "{case}");
    }
    let id =
        tke(&mut c).ok("CreateCluster", cluster(&v, "172.16.0.0/16")).await["ClusterId"].as_str().unwrap().to_owned();
    assert!(id.starts_with("cls-"), "{id}");
    assert_eq!(err(&mut c, cluster(&v, "172.16.128.0/18")).await, "InvalidParameter.CidrConflictWithOtherCluster");
    let state = async |c: &mut Client| {
        let v = tke(c).ok("DescribeClusters", json!({"ClusterIds": [id]})).await;
        v["Clusters"].get(0).map(|c| c["ClusterStatus"].as_str().unwrap().to_owned())
    };
    assert_eq!(state(&mut c).await.as_deref(), Some("Creating"));
    tokio::time::sleep(DELAY).await;
    assert_eq!(state(&mut c).await.as_deref(), Some("Running"));
    let by_vpc =
        json!({"Filters": [{"Name": "vpc-id", "Values": [v]}, {"Name": "ClusterStatus", "Values": ["Running"]}]});
    let listed = tke(&mut c).ok("DescribeClusters", by_vpc).await;
    assert_eq!(
        (listed["TotalCount"].as_i64(), listed["Clusters"][0]["ClusterNetworkSettings"]["ClusterCIDR"].as_str()),
        (Some(1), Some("172.16.0.0/16"))
    );
    assert_eq!(vpc(&mut c).err("DeleteVpc", json!({"VpcId": v})).await, "ResourceInUse");

    let protected = json!({"ClusterType": "MANAGED_CLUSTER", "ClusterCIDRSettings": {"ClusterCIDR": "192.168.0.0/18"},
        "ClusterBasicSettings": {"VpcId": v}, "ClusterAdvancedSettings": {"DeletionProtection": true}});
    let guarded = tke(&mut c).ok("CreateCluster", protected).await["ClusterId"].clone();
    let del = |id: &Value| json!({"ClusterId": id, "InstanceDeleteMode": "terminate"});
    assert_eq!(tke(&mut c).err("DeleteCluster", del(&guarded)).await, "OperationDenied.ClusterInDeletionProtection");
    tke(&mut c).ok("DeleteCluster", del(&json!(id))).await;
    assert_eq!(state(&mut c).await.as_deref(), Some("Deleting"));
    assert_eq!(tke(&mut c).err("DeleteCluster", del(&json!(id))).await, "FailedOperation.ClusterState");
    tokio::time::sleep(DELAY).await;
    assert_eq!(state(&mut c).await, None);
    assert_eq!(tke(&mut c).err("DeleteCluster", del(&json!(id))).await, "ResourceNotFound");
    // The deleted cluster's CIDR is free again.
    tke(&mut c).ok("CreateCluster", cluster(&v, "172.16.0.0/16")).await;
    emu.shutdown().await;
}

#[tokio::test]
async fn keys_secrets_and_attachments_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("tce-states-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let emu = Emulator::builder().state_dir(&dir).start().await.unwrap();
    let mut c = client(&emu).await;
    let k = key(&mut c, "kept").await;
    let plain = Base64::encode_string(b"across restarts");
    let blob = kms(&mut c).ok("Encrypt", json!({"KeyId": k, "Plaintext": plain})).await["CiphertextBlob"].clone();
    ssm(&mut c).ok("CreateSecret", json!({"SecretName": "kept", "SecretString": "v1"})).await;
    ssm(&mut c).ok("DisableSecret", json!({"SecretName": "kept"})).await;
    let ins = run(&mut c, json!({"ImageId": "img-1", "Placement": {"Zone": "ap-guangzhou-3"}})).await;
    let d = disk(&mut c, "ap-guangzhou-3").await;
    cbs(&mut c).ok("AttachDisks", json!({"DiskIds": [d], "InstanceId": ins})).await;
    emu.shutdown().await;

    let emu = Emulator::builder().state_dir(&dir).start().await.unwrap();
    let mut c = client(&emu).await;
    let out = kms(&mut c).ok("Decrypt", json!({"CiphertextBlob": blob})).await;
    assert_eq!(out["Plaintext"], plain.as_str(), "the key's material was kept");
    let got = ssm(&mut c).err("GetSecretValue", json!({"SecretName": "kept", "VersionId": "SSM_Current"})).await;
    assert_eq!(got, "ResourceUnavailable.ResourceDisabled", "and the secret's state");
    assert_eq!(disk_view(&mut c, &d).await.unwrap()["InstanceId"], ins.as_str());
    emu.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
