//! `tencentcloud-codegen [schema | secrets] [--specs DIR] [--specs-intl DIR] [--out DIR] [--check]`
//!
//! Generates `services/`, `umbrella/`, the corpus dispatch and the schema data (`schema/data/`,
//! `schema/src/data.rs`) from the specs (default `specs/`, fetched by `codegen/fetch-specs.sh`)
//! and the international edition's English docs (default `specs-intl/`, fetched with them)
//! into the repository (default: the current directory); with `schema`, the schema data only;
//! with `secrets`, nothing: it prints every member whose `Debug` is redacted, and why.
//! `--check` writes nothing: it regenerates in memory and fails, listing the files, when
//! anything on disk differs (CI runs it).
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tencentcloud_codegen::{emit, english, spec};

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tencentcloud-codegen: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let (mut specs_dir, mut out, mut check, mut only_schema, mut secrets) =
        (PathBuf::from("specs"), PathBuf::from("."), false, false, false);
    let mut intl_dir = PathBuf::from("specs-intl");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--specs" => specs_dir = args.next().ok_or("--specs needs a directory")?.into(),
            "--specs-intl" => intl_dir = args.next().ok_or("--specs-intl needs a directory")?.into(),
            "--out" => out = args.next().ok_or("--out needs a directory")?.into(),
            "--check" => check = true,
            "schema" => only_schema = true,
            "secrets" => secrets = true,
            _ => {
                return Err(format!(
                    "unknown argument {a:?} (usage: [schema | secrets] [--specs DIR] [--specs-intl DIR] [--out DIR] [--check])"
                ));
            }
        }
    }
    let mut specs = spec::load(&specs_dir).map_err(|e| e.to_string())?;
    if secrets {
        print!("{}", tencentcloud_codegen::secret::listing(&specs));
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", tencentcloud_codegen::schema::write(&specs, &out.join("schema"), check)?);
    if only_schema {
        return Ok(ExitCode::SUCCESS);
    }
    let intl = spec::load(&intl_dir).map_err(|e| format!("the international edition's specs: {e}"))?;
    english::overlay(&mut specs, &intl);
    let (files, counts) = emit::generate(&specs)?;
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    println!(
        "English docs (the international edition): {} of {} actions ({:.1}%), {} of {} fields ({:.1}%)",
        counts.actions_en,
        counts.actions,
        pct(counts.actions_en, counts.actions),
        counts.fields_en,
        counts.fields,
        pct(counts.fields_en, counts.fields)
    );
    let bytes: usize = files.iter().map(|f| f.1.len()).sum();
    let lines: usize = files.iter().map(|f| f.1.lines().count()).sum();
    println!(
        "{} services, {} versions, {} actions ({} streamed), {} types, {} fields; {} files, {:.1} MB, {} lines",
        counts.services,
        counts.versions,
        counts.actions,
        counts.streams,
        counts.types,
        counts.fields,
        files.len(),
        bytes as f64 / 1e6,
        lines
    );
    let [offset, page, token] = counts.paged;
    println!(
        "{} paging actions: {offset} by Offset/Limit, {page} by page number/PageSize, {token} by NextToken",
        offset + page + token
    );
    println!(
        "{} waiters: paging actions whose listed item has one state member (State, Status, named after the item)",
        counts.waiters
    );
    let wanted: BTreeSet<PathBuf> = files.iter().map(|f| out.join(&f.0)).collect();
    let stale = stale_files(&out.join("services"), &wanted)?;
    if check {
        let mut differ: Vec<String> = files
            .iter()
            .filter(|(p, text)| std::fs::read_to_string(out.join(p)).ok().as_deref() != Some(text.as_str()))
            .map(|(p, _)| p.clone())
            .collect();
        differ.extend(stale.iter().map(|p| format!("{} (not generated)", p.display())));
        if differ.is_empty() {
            println!("generated files are up to date");
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("{} generated files differ from the specs' output; run tencentcloud-codegen:", differ.len());
        for d in differ.iter().take(20) {
            eprintln!("  {d}");
        }
        return Ok(ExitCode::FAILURE);
    }
    for p in &stale {
        std::fs::remove_file(p).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    for (p, text) in &files {
        let path = out.join(p);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Files under `dir` that generation would not write (a service or version removed).
fn stale_files(dir: &Path, wanted: &BTreeSet<PathBuf>) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries {
            let p = e.map_err(|e| format!("{}: {e}", d.display()))?.path();
            if p.is_dir() {
                stack.push(p);
            } else if !wanted.contains(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}
