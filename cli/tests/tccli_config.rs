//! tccli's configuration, shared: `tcloud configure` writes `~/.tccli/<profile>.configure` and
//! `.credential` as tccli does (0600 in a 0700 directory), and calls read them in tccli's order:
//! flags, then the environment (unless `--profile`), then the profile's files, then tcloud's own
//! default chain.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tencentcloud_emulator::{Emulator, Verification};

const ID: &str = "AKIDCLI-TEST-0004";
const KEY: &str = "cli-test-secret-key-000000000004";

struct Home(PathBuf);

impl Home {
    fn new(tag: &str) -> Home {
        let dir = std::env::temp_dir().join(format!("tcloud-cfg-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Home(dir)
    }

    fn tccli(&self, file: &str) -> PathBuf {
        self.0.join(".tccli").join(file)
    }

    fn read(&self, file: &str) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.tccli(file)).unwrap()).unwrap()
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `tcloud` with only `HOME` and `env`: no TENCENTCLOUD_*, TKE_* or TCCLI_* from outside.
fn tcloud(home: &Home, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tcloud"));
    cmd.args(args).env("HOME", &home.0).env_remove("HTTPS_PROXY").env_remove("HTTP_PROXY").env_remove("RUST_LOG");
    for (k, _) in std::env::vars() {
        if k.starts_with("TENCENTCLOUD_") || k.starts_with("TKE_") || k.starts_with("TCCLI_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn configure_writes_tcclis_files() {
    let home = Home::new("write");
    let out = tcloud(
        &home,
        &[
            "configure",
            "set",
            "secretId",
            ID,
            "secretKey",
            KEY,
            "region",
            "ap-beijing",
            "output",
            "table",
            "--profile",
            "dev",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let cred = home.read("dev.credential");
    assert_eq!((cred["secretId"].as_str(), cred["secretKey"].as_str()), (Some(ID), Some(KEY)));
    let conf = home.read("dev.configure");
    assert_eq!(conf["_sys_param"]["region"], "ap-beijing");
    assert_eq!(conf["_sys_param"]["output"], "table");
    assert_eq!(conf["_sys_param"]["arrayCount"], 10, "tccli's initial settings");
    // Every service's section, as tccli writes them (tccli reads its version and endpoint).
    assert_eq!(conf["cvm"]["version"], "2017-03-12");
    assert_eq!(conf["es"]["version"], "2018-04-16");
    assert_eq!(conf["autoscaling"]["endpoint"], "as.tencentcloudapi.com");
    #[cfg(unix)]
    {
        assert_eq!(mode(&home.tccli("dev.credential")), 0o600);
        assert_eq!(mode(&home.tccli("dev.configure")), 0o600);
        assert_eq!(mode(&home.0.join(".tccli")), 0o700);
    }

    // get and list show the secrets masked, never whole.
    let out = tcloud(&home, &["configure", "get", "secretKey", "region", "cvm.version", "--profile", "dev"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "secretKey = ****************{}\nregion = ap-beijing\ncvm.version = 2017-03-12\n",
            &KEY[KEY.len() - 4..]
        )
    );
    let out = tcloud(&home, &["configure", "list"], &[("TCCLI_PROFILE", "dev")]);
    assert!(stdout(&out).starts_with("credential:\nsecretId = ****************"), "{}", stdout(&out));
    assert!(stdout(&out).contains("configure:\nregion = ap-beijing\noutput = table\n"), "{}", stdout(&out));
    assert!(stdout(&out).contains("es.version = 2018-04-16\n"));
    assert!(!stdout(&out).contains(KEY) && !stdout(&out).contains(ID));

    // Refusals as tccli words them (or clearer), with a non-zero exit.
    let out = tcloud(&home, &["configure", "set", "cvm.version", "2001-01-01", "--profile", "dev"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Version: 2001-01-01 is invalid in service: cvm"), "{}", stderr(&out));
    let out = tcloud(&home, &["configure", "get", "nosuch", "--profile", "dev"], &[]);
    assert!(stderr(&out).contains("nosuch in dev.configure not exist") && out.status.code() == Some(2));
    let out = tcloud(&home, &["configure", "set", "region"], &[]);
    assert_eq!(out.status.code(), Some(2));

    // The questions, answered on stdin.
    let mut child = Command::new(env!("CARGO_BIN_EXE_tcloud"))
        .args(["configure", "--profile", "asked"])
        .env("HOME", &home.0)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(format!("{ID}\n{KEY}\n\nyaml\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Configure saved successfully."));
    let conf = home.read("asked.configure");
    assert_eq!(
        (conf["_sys_param"]["region"].as_str(), conf["_sys_param"]["output"].as_str()),
        (Some("ap-guangzhou"), Some("json"))
    );
    assert_eq!(home.read("asked.credential")["secretKey"], KEY);

    let out = tcloud(&home, &["configure", "remove", "--profile", "dev"], &[]);
    assert!(out.status.success());
    assert!(!home.tccli("dev.credential").exists() && !home.tccli("dev.configure").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn calls_read_tcclis_credentials_in_its_order() {
    let emu = Emulator::builder().key(ID, KEY).key("AKIDOTHER", "other-key").start().await.unwrap();
    let ep = emu.endpoint();
    let home = Home::new("read");
    let last = || emu.requests().last().unwrap().verification.clone();
    let verified = |id: &str| Verification::Verified { secret_id: id.into(), temporary: false };
    let call = |args: &[&str], env: &[(&str, &str)]| {
        let out = tcloud(
            &home,
            &[&["cvm", "DescribeRegions", "--endpoint", &ep, "--region", "ap-guangzhou"][..], args].concat(),
            env,
        );
        assert!(out.status.success(), "{args:?} {env:?}: {}", stderr(&out));
    };
    tcloud(&home, &["configure", "set", "secretId", ID, "secretKey", KEY, "--profile", "dev"], &[]);
    tcloud(&home, &["configure", "set", "secretId", "AKIDOTHER", "secretKey", "other-key"], &[]);

    // The profile's files: --profile, TCCLI_PROFILE, default.
    call(&["--profile", "dev"], &[]);
    assert_eq!(last(), verified(ID));
    call(&[], &[("TCCLI_PROFILE", "dev")]);
    assert_eq!(last(), verified(ID));
    call(&[], &[]);
    assert_eq!(last(), verified("AKIDOTHER"));
    // The environment before the default profile's files, not before --profile's.
    let env = [("TENCENTCLOUD_SECRET_ID", ID), ("TENCENTCLOUD_SECRET_KEY", KEY)];
    call(&[], &env);
    assert_eq!(last(), verified(ID));
    let env_other = [("TENCENTCLOUD_SECRET_ID", "AKIDOTHER"), ("TENCENTCLOUD_SECRET_KEY", "other-key")];
    call(&["--profile", "dev"], &env_other);
    assert_eq!(last(), verified(ID));
    // Flags before everything.
    call(&["--secretId", ID, "--secretKey", KEY], &env_other);
    assert_eq!(last(), verified(ID));

    // Neither tccli's flags, environment nor files: tcloud's own chain (~/.tencentcloud/credentials).
    std::fs::remove_dir_all(home.0.join(".tccli")).unwrap();
    std::fs::create_dir_all(home.0.join(".tencentcloud")).unwrap();
    std::fs::write(
        home.0.join(".tencentcloud/credentials"),
        format!("[default]\nsecret_id = {ID}\nsecret_key = {KEY}\n"),
    )
    .unwrap();
    call(&[], &[]);
    assert_eq!(last(), verified(ID));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_and_the_cvm_role_from_the_profile() {
    let emu = Emulator::builder().key(ID, KEY).metadata_role("cli-cvm-role").start().await.unwrap();
    let ep = emu.endpoint();
    let home = Home::new("roles");
    let last_call =
        || emu.requests().into_iter().rev().find(|r| r.action.as_deref() == Some("DescribeRegions")).unwrap();

    // role-arn and role-session-name from the .credential, the STS endpoint from the .configure.
    let set = [
        "configure",
        "set",
        "secretId",
        ID,
        "secretKey",
        KEY,
        "role-arn",
        "qcs::cam::uin/100000000001:roleName/cli",
        "role-session-name",
        "from-profile",
        "sts.endpoint",
        &ep,
    ];
    assert!(tcloud(&home, &set, &[]).status.success());
    let out = tcloud(&home, &["cvm", "DescribeRegions", "--endpoint", &ep, "--region", "ap-guangzhou"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sts = emu.requests().into_iter().find(|r| r.action.as_deref() == Some("AssumeRole")).unwrap();
    assert_eq!(sts.params.unwrap()["RoleSessionName"], "from-profile");
    assert!(matches!(last_call().verification, Verification::Verified { temporary: true, .. }));

    // use-cvm-role true: the instance role, from the metadata service.
    let home = Home::new("cvmrole");
    assert!(tcloud(&home, &["configure", "set", "use-cvm-role", "true"], &[]).status.success());
    assert_eq!(home.read("default.credential")["type"], "cvm-role");
    let out = tcloud(
        &home,
        &["cvm", "DescribeRegions", "--endpoint", &ep, "--region", "ap-guangzhou", "--metadata-endpoint", &ep],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(matches!(last_call().verification, Verification::Verified { temporary: true, .. }));
    emu.shutdown().await;
}
