//! Shell completions: small bash/zsh/fish scripts that ask `tcloud __complete` for the candidates,
//! which come from the schema (services, actions, parameter names, versions).

use tencentcloud_schema::Version;

/// The subcommands that are not services.
pub const COMMANDS: [&str; 6] = ["call", "sign", "mock", "services", "completions", "configure"];

/// The script for `shell` (`bash`, `zsh` or `fish`).
pub fn script(shell: &str) -> Result<&'static str, String> {
    match shell {
        "bash" => Ok(r#"# tcloud completion for bash: source <(tcloud completions bash)
_tcloud() {
    local IFS=$'\n'
    COMPREPLY=($(tcloud __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _tcloud tcloud
"#),
        "zsh" => Ok(r#"#compdef tcloud
# tcloud completion for zsh: source <(tcloud completions zsh)
_tcloud() {
    local -a candidates
    candidates=("${(@f)$(tcloud __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    compadd -a candidates
}
compdef _tcloud tcloud
"#),
        "fish" => Ok(r#"# tcloud completion for fish: tcloud completions fish | source
function __tcloud_complete
    set -l words (commandline -opc) (commandline -ct)
    tcloud __complete -- $words[2..-1] 2>/dev/null
end
complete -c tcloud -f -a '(__tcloud_complete)'
"#),
        other => Err(format!("no completions for shell `{other}`; use bash, zsh or fish")),
    }
}

/// Candidates for the last of `words` (the word being typed; the ones before it are complete).
pub fn candidates(words: &[String]) -> Vec<String> {
    let (current, before) = match words.split_last() {
        Some((c, b)) => (c.as_str(), b),
        None => ("", &[][..]),
    };
    let all: Vec<String> = match before {
        [] => COMMANDS
            .iter()
            .map(|c| (*c).to_owned())
            .chain(tencentcloud_schema::services().iter().map(|e| e.name().to_owned()))
            .collect(),
        [cmd] if cmd == "completions" => ["bash", "zsh", "fish"].map(str::to_owned).to_vec(),
        [cmd] if cmd == "configure" => ["set", "get", "list", "remove", "set-root-domain"].map(str::to_owned).to_vec(),
        [cmd, ..] if COMMANDS.contains(&cmd.as_str()) => Vec::new(),
        [service, rest @ ..] => service_words(service, rest, current),
    };
    all.into_iter().filter(|c| c.starts_with(current)).collect()
}

fn service_words(service: &str, rest: &[String], current: &str) -> Vec<String> {
    let Ok(Some(svc)) = tencentcloud_schema::service(crate::tccli::service_name(service)) else { return Vec::new() };
    if rest.last().is_some_and(|w| w == "--version") {
        return svc.versions.iter().map(|v| v.version.clone()).collect();
    }
    let flag = rest.windows(2).find(|w| w[0] == "--version").map(|w| w[1].as_str());
    let profile = crate::config::Profile::load(None).unwrap_or_default();
    let version: &Version = crate::service::service_version(svc, flag.filter(|v| svc.version(v).is_some()), &profile)
        .unwrap_or_else(|_| svc.latest());
    match rest.first() {
        None if !current.starts_with('-') => version.actions.keys().cloned().collect(),
        Some(action) if !action.starts_with('-') => {
            let given: Vec<&str> = rest.iter().filter_map(|w| w.strip_prefix("--")).collect();
            let params: Vec<String> = version
                .action(action)
                .map(|a| {
                    a.input()
                        .iter()
                        .filter(|m| !given.contains(&m.name.as_str()))
                        .map(|m| format!("--{}", m.name))
                        .collect()
                })
                .unwrap_or_default();
            params.into_iter().chain(crate::service::option_names()).collect()
        }
        _ => crate::service::option_names(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(words: &[&str]) -> Vec<String> {
        candidates(&words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn completes_services_actions_and_parameters() {
        assert!(c(&["cv"]).contains(&"cvm".to_owned()));
        assert!(c(&["se"]).contains(&"services".to_owned()));
        assert!(c(&["cvm", "DescribeInst"]).contains(&"DescribeInstances".to_owned()));
        let params = c(&["cvm", "DescribeInstances", "--"]);
        assert!(params.contains(&"--Filters".to_owned()) && params.contains(&"--output".to_owned()), "{params:?}");
        assert!(!c(&["cvm", "DescribeInstances", "--Limit", "1", "--Li"]).contains(&"--Limit".to_owned()));
        assert_eq!(c(&["cvm", "--version", ""]), vec!["2017-03-12".to_owned()]);
        assert_eq!(c(&["completions", "z"]), vec!["zsh".to_owned()]);
        assert!(c(&["nosuchservice", ""]).is_empty());
        assert!(c(&["autoscaling", "DescribeAutoScalingGr"]).contains(&"DescribeAutoScalingGroups".to_owned()));
        // tccli's default version: es 2018-04-16 (90 actions), not 2025-01-01.
        assert!(c(&["es", "DescribeInstanceL"]).contains(&"DescribeInstanceLogs".to_owned()));
    }
}
