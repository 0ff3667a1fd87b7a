//! The option table (`soku::options::OPTIONS`) is the source of every restatement of an option:
//! the committed `docs/options.json` (what the Python tests read) and `docs/options.md` are
//! generated from it, and every README's defaults and option names agree with it.
//!
//! After changing the table, regenerate the two committed files with:
//!
//!     SOKU_UPDATE_OPTIONS=1 cargo test -p soku-client --test options_table

use std::path::Path;

use soku::options::{Names, OPTIONS, OptionDefault};

const REGENERATE: &str = "SOKU_UPDATE_OPTIONS=1 cargo test -p soku-client --test options_table";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The Markdown page of the table.
fn markdown() -> String {
    let mut out = String::from(
        "# Client options\n\n\
         Generated from `soku::options::OPTIONS` (src/options.rs) by `tests/options_table.rs`; \
         do not edit by hand. Durations are milliseconds in C (keys ending in `Ms`) and seconds \
         in Python and the CLI. \"per call\": the option may also be given to one call (C \
         options JSON, Python method keyword, Rust `CallOptions`).\n\n\
         | C / JSON key | Rust | Python | CLI | env | default (C) | default (Python) | bound | per call |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    let code = |s: Option<&str>| s.map_or("-".to_owned(), |s| format!("`{s}`"));
    for o in OPTIONS {
        let rust = match (o.client, o.rust) {
            (true, Some(m)) if m != "from_env" => Some(format!("ClientBuilder::{m}")),
            (true, Some(m)) => Some(format!("ClientBuilder::{m}()")),
            (false, Some(m)) => Some(format!("CallOptions::{m}")),
            (_, None) => None,
        };
        out.push_str(&format!(
            "| `{}` | {} | `{}` | {} | {} | {} | {} | {} | {} |\n",
            o.key,
            code(rust.as_deref()),
            o.python,
            code(o.cli),
            code(o.env),
            o.default_in(Names::C),
            o.default_in(Names::Python),
            o.bound,
            if o.per_call { "yes" } else { "no" },
        ));
    }
    out
}

fn check_generated(path: &str, want: &str) {
    let path = root().join(path);
    if std::env::var_os("SOKU_UPDATE_OPTIONS").is_some() {
        std::fs::write(&path, want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is out of date with soku::options::OPTIONS; regenerate it with: {REGENERATE}",
        path.display()
    );
}

#[test]
fn committed_table_files_match_the_table() {
    let json = serde_json::to_string_pretty(&soku::options::to_json()).unwrap() + "\n";
    check_generated("docs/options.json", &json);
    check_generated("docs/options.md", &markdown());
}

/// Every place a README writes `` `name` (default N`` or `` `name` (N`` for a numeric or
/// boolean option, N is the table's default in that interface's units.
fn check_defaults(readme: &str, names: Names) -> usize {
    let text = std::fs::read_to_string(root().join(readme)).unwrap();
    let text = text.replace('\n', " ");
    let mut checked = 0;
    for o in OPTIONS {
        if matches!(o.default, OptionDefault::Unset | OptionDefault::Text(_)) {
            continue;
        }
        let name = match names {
            Names::Rust => o.rust.unwrap_or(o.key),
            Names::C => o.key,
            Names::Python => o.python,
            Names::Cli => continue,
        };
        let needle = format!("`{name}` (");
        for (at, _) in text.match_indices(&needle) {
            let after = &text[at + needle.len()..];
            let segment = &after[..after.find([')', ';']).unwrap_or(after.len())];
            let after = match segment.find("default ") {
                Some(i) => &segment[i + "default ".len()..],
                None => segment,
            };
            let value: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '.')
                .collect();
            let starts_like_a_default = value.starts_with(|c: char| c.is_ascii_digit())
                || ["true", "false", "True", "False"]
                    .iter()
                    .any(|b| value.starts_with(b));
            if !starts_like_a_default {
                continue;
            }
            let want = o.default_in(names);
            assert!(
                value.starts_with(&want)
                    && !value[want.len()..].starts_with(|c: char| c.is_ascii_digit()),
                "{readme}: `{name}` is documented with default {value:?}, the table says {want}"
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn readme_defaults_match_the_table() {
    assert!(check_defaults("README.md", Names::Rust) >= 6);
    assert!(check_defaults("bindings/python/README.md", Names::Python) >= 2);
    assert!(check_defaults("src/ffi/client.rs", Names::C) >= 5);
    // The CLI README's option table: `| `--flag VALUE` | effect | default |`.
    let cli = std::fs::read_to_string(root().join("cli/README.md")).unwrap();
    let mut checked = 0;
    for o in OPTIONS.iter().filter(|o| o.cli.is_some()) {
        let flag = o.cli.unwrap();
        for line in cli.lines().filter(|l| l.starts_with(&format!("| `{flag}"))) {
            let default = line
                .trim_end_matches('|')
                .rsplit('|')
                .next()
                .unwrap()
                .trim();
            if matches!(
                o.default,
                OptionDefault::Millis(_) | OptionDefault::Count(_)
            ) {
                assert_eq!(default, o.default_in(Names::Cli), "cli/README.md: {line}");
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 2,
        "the CLI README documents --timeout and --max-retries"
    );
}

/// The Python README lists every keyword of the table.
#[test]
fn python_readme_lists_every_keyword() {
    let readme = std::fs::read_to_string(root().join("bindings/python/README.md")).unwrap();
    let sig = &readme[readme.find("`soku.Client(api_key").unwrap()..];
    let sig = &sig[..sig.find(")`").unwrap()];
    for o in OPTIONS.iter().filter(|o| o.client) {
        assert!(
            sig.contains(o.python),
            "soku.Client(...) lacks {}",
            o.python
        );
    }
}

/// Every option names itself in every interface that offers it, and names differ by interface
/// only as the table says.
#[test]
fn names_per_interface() {
    let key = soku::options::find("apiKey").unwrap();
    assert_eq!(
        key.name(Names::Rust).as_deref(),
        Some("ClientBuilder::api_key")
    );
    assert_eq!(key.name(Names::C).as_deref(), Some("\"apiKey\""));
    assert_eq!(key.name(Names::Python).as_deref(), Some("api_key="));
    assert_eq!(key.name(Names::Cli).as_deref(), Some("--api-key-file"));
    let t = soku::options::find("timeoutMs").unwrap();
    assert_eq!(
        [Names::Rust, Names::C, Names::Python, Names::Cli].map(|n| t.default_in(n)),
        ["30 s", "30000", "30", "30s"]
    );
    let mut keys: Vec<&str> = OPTIONS.iter().map(|o| o.key).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), OPTIONS.len(), "a key is declared twice");
}
