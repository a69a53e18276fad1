//! Proof that tcloud takes tccli's command lines: a corpus recorded once from tccli 3.1.189.1
//! itself, replayed through tcloud.
//!
//! The corpus (`data/tccli-corpus.jsonl.gz`) was written by `corpus/record_tccli.py` (not part
//! of tcloud; its header says how to run it): for up to two documented examples per service,
//! every service of tccli's table, two command lines each, the unfolded form exactly as tccli's
//! help prints it (`--cli-unfold-argument --Filters.0.Name zone ...`) and the plain form
//! (`--Param value`, objects and lists as JSON), each run by the real tccli against a recording
//! HTTPS endpoint, with no `--version` and no `--region` (its profile's region: ap-shanghai).
//! One JSON line per command line: the arguments, tccli's exit status and what it sent (action,
//! version, region, body), or its error.
//!
//! Here each line runs as `tcloud <svc> <Action> <args> --dry-run` with a profile of the same
//! region, and what tcloud would send is compared with what tccli sent: the action, the version
//! (tccli's default), the region and the body (as JSON values). The counts are printed.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn corpus() -> (Value, Vec<Value>) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tccli-corpus.jsonl.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()).read_to_string(&mut text).unwrap();
    let mut lines = text.lines().map(|l| serde_json::from_str::<Value>(l).unwrap());
    let head = lines.next().unwrap();
    (head, lines.collect())
}

/// What `tcloud ... --dry-run` would send: action, version, region, body.
#[derive(Debug, PartialEq)]
struct Sent {
    action: Option<String>,
    version: Option<String>,
    region: Option<String>,
    body: Value,
}

fn dry_run(home: &std::path::Path, args: &[String]) -> Result<Sent, String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tcloud"));
    cmd.args(args).arg("--dry-run").env("HOME", home);
    for (k, _) in std::env::vars() {
        if k.starts_with("TENCENTCLOUD_") || k.starts_with("TKE_") || k.starts_with("TCCLI_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("TENCENTCLOUD_SECRET_ID", "AKIDREPLAY0000000000000000000000000")
        .env("TENCENTCLOUD_SECRET_KEY", "replay-secret-key-00000000000000000");
    let out = cmd.output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or_default().to_owned());
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (head, body) = text.split_once("\n\n").ok_or("no blank line")?;
    let header = |name: &str| {
        head.lines()
            .find_map(|l| l.split_once(": ").filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.to_owned()))
    };
    Ok(Sent {
        action: header("X-TC-Action"),
        version: header("X-TC-Version"),
        region: header("X-TC-Region"),
        body: serde_json::from_str(body).map_err(|e| format!("body: {e}"))?,
    })
}

fn recorded(sent: &Value) -> Sent {
    let s = |k: &str| sent[k].as_str().map(str::to_owned);
    Sent { action: s("action"), version: s("version"), region: s("region"), body: sent["body"].clone() }
}

#[derive(Default, Debug)]
struct Counts {
    lines: usize,
    tccli_sent: usize,
    equal: usize,
    differ: usize,
    tcloud_refused: usize,
    tccli_refused: usize,
    both_refused: usize,
}

#[test]
fn tcclis_command_lines_send_the_same_through_tcloud() {
    let (head, records) = corpus();
    let home: PathBuf = std::env::temp_dir().join(format!("tcloud-corpus-{}", std::process::id()));
    std::fs::create_dir_all(home.join(".tccli")).unwrap();
    let region = head["region"].as_str().unwrap();
    std::fs::write(home.join(".tccli/default.configure"), format!(r#"{{"_sys_param": {{"region": "{region}"}}}}"#))
        .unwrap();

    let results: Vec<(usize, Result<Sent, String>)> = std::thread::scope(|scope| {
        let chunks: Vec<Vec<(usize, &Value)>> = {
            let mut chunks = vec![Vec::new(); 4];
            for (i, r) in records.iter().enumerate() {
                chunks[i % 4].push((i, r));
            }
            chunks
        };
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let home = &home;
                scope.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|(i, r)| {
                            let mut args = vec![
                                r["service"].as_str().unwrap().to_owned(),
                                r["action"].as_str().unwrap().to_owned(),
                            ];
                            args.extend(r["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()));
                            (i, dry_run(home, &args))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<_> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
        all.sort_by_key(|(i, _)| *i);
        all
    });

    let mut counts = [("plain", Counts::default()), ("unfold", Counts::default())];
    let mut differences = Vec::new();
    let mut lenient = Vec::new();
    let mut versions_checked = std::collections::BTreeSet::new();
    for (i, result) in results {
        let r = &records[i];
        let form = r["form"].as_str().unwrap();
        let c = &mut counts.iter_mut().find(|(f, _)| *f == form).unwrap().1;
        c.lines += 1;
        let line = format!("{} {} {}", r["service"].as_str().unwrap(), r["action"].as_str().unwrap(), form);
        match (r["sent"].is_object(), result) {
            (true, Ok(ours)) => {
                c.tccli_sent += 1;
                let theirs = recorded(&r["sent"]);
                versions_checked.insert((r["service"].as_str().unwrap().to_owned(), theirs.version.clone()));
                if ours == theirs {
                    c.equal += 1;
                } else {
                    c.differ += 1;
                    differences.push(format!("{line}: tccli {theirs:?}\n    tcloud {ours:?}"));
                }
            }
            (true, Err(e)) => {
                c.tccli_sent += 1;
                c.tcloud_refused += 1;
                differences.push(format!("{line}: tcloud refused what tccli sent: {e}"));
            }
            (false, Ok(_)) => {
                c.tccli_refused += 1;
                lenient
                    .push(format!("{line}: tccli refused ({}), tcloud sends", r["error"].as_str().unwrap_or_default()));
            }
            (false, Err(_)) => {
                c.tccli_refused += 1;
                c.both_refused += 1;
            }
        }
    }
    let _ = std::fs::remove_dir_all(&home);
    println!("tccli corpus ({} command lines, tccli {}):", records.len(), head["tccli"].as_str().unwrap_or("?"));
    for (form, c) in &counts {
        println!(
            "  {form:<6}: {} lines; tccli sent {}: tcloud sent the same {}, different {}, refused {}; tccli refused {} (tcloud too: {})",
            c.lines, c.tccli_sent, c.equal, c.differ, c.tcloud_refused, c.tccli_refused, c.both_refused
        );
    }
    println!(
        "  services whose version was compared: {}",
        versions_checked.iter().map(|(s, _)| s).collect::<std::collections::BTreeSet<_>>().len()
    );
    for l in &lenient {
        println!("  {l}");
    }
    for d in differences.iter().take(40) {
        println!("  {d}");
    }
    // The services whose tccli default is not their newest version were compared at tccli's.
    for (service, version) in [
        ("antiddos", "2020-03-09"),
        ("es", "2018-04-16"),
        ("monitor", "2018-07-24"),
        ("tke", "2018-05-25"),
        ("vod", "2018-07-17"),
    ] {
        assert!(versions_checked.contains(&(service.to_owned(), Some(version.to_owned()))), "{service} {version}");
    }
    assert!(records.len() >= 600, "a few hundred examples, two forms each");
    assert!(differences.is_empty(), "{} command lines differ (listed above)", differences.len());
}
