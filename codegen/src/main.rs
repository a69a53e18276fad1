//! `tencentcloud-codegen [SPECS_DIR]`: loads the specs and prints what it found.
//!
//! `tencentcloud-codegen schema [--check] [SPECS_DIR] [SCHEMA_DIR]`: writes the schema data of
//! `tencentcloud-schema` (default `specs` and `schema`); `--check` only compares and fails when
//! the committed data is out of date.
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("schema") {
        args.remove(0);
        return schema(args);
    }
    let dir = args.into_iter().next().unwrap_or_else(|| "specs".into());
    match tencentcloud_codegen::spec::load(dir.as_ref()) {
        Ok(specs) => {
            let versions: usize = specs.services.iter().map(|s| s.versions.len()).sum();
            println!("{} services, {versions} versions", specs.services.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tencentcloud-codegen: {e}");
            ExitCode::FAILURE
        }
    }
}

fn schema(mut args: Vec<String>) -> ExitCode {
    let check = args.iter().any(|a| a == "--check");
    args.retain(|a| a != "--check");
    let specs_dir = args.first().cloned().unwrap_or_else(|| "specs".into());
    let schema_dir = args.get(1).cloned().unwrap_or_else(|| "schema".into());
    let result = tencentcloud_codegen::spec::load(specs_dir.as_ref())
        .map_err(|e| e.to_string())
        .and_then(|specs| tencentcloud_codegen::schema::write(&specs, schema_dir.as_ref(), check));
    match result {
        Ok(s) => {
            println!(
                "schema: {} services, {} versions, {} actions ({} with examples), {} examples ({} without readable input, {} dropped: response not JSON), {} bytes compressed{}",
                s.services,
                s.versions,
                s.actions,
                s.actions_with_examples,
                s.examples,
                s.examples_without_input,
                s.examples_dropped,
                s.bytes,
                if check { ", up to date" } else { "" }
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tencentcloud-codegen: {e}");
            ExitCode::FAILURE
        }
    }
}
