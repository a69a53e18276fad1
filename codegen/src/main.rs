//! `tencentcloud-codegen [SPECS_DIR]`: loads the specs and prints what it found.
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "specs".into());
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
