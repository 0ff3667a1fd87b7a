//! Every public operation of the Rust library has a form in every language: a C export
//! (include/soku.h), a C++ method (include/soku.hpp), a Python method
//! (bindings/python/src/soku/_client.py) and a CLI command (`soku --help`), or a stated reason
//! why one is absent. The Rust operations are read from the library's source (every `pub fn`
//! of an `impl Client` block that returns `Result<Response<…>>`, its `_with` variant folded
//! in), so a new operation without a row here fails, as does a row naming a form that does not
//! exist.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A form of an operation in one language: its name, or why there is none.
#[derive(Clone, Copy, Debug)]
enum Form {
    Name(&'static str),
    Absent(&'static str),
}
use Form::{Absent, Name};

struct Op {
    rust: &'static str,
    c: Form,
    cpp: Form,
    python: Form,
    cli: Form,
}

const fn op(rust: &'static str, c: Form, cpp: Form, python: Form, cli: Form) -> Op {
    Op {
        rust,
        c,
        cpp,
        python,
        cli,
    }
}

const PLAN_ONLY_RUST: &str = "a plan takes a Rust closure over the client; the other languages \
     have the CLI's --dry-run, which prints the library's plan";

/// The table: one row per public operation.
const OPS: &[Op] = &[
    op(
        "create_post",
        Name("soku_posts_create"),
        Name("posts_create"),
        Name("create_post"),
        Name("post"),
    ),
    op(
        "upload_media",
        Name("soku_media_upload"),
        Name("media_upload"),
        Name("upload_media"),
        Name("media upload"),
    ),
    op(
        "render_template",
        Name("soku_templates_render"),
        Name("templates_render"),
        Name("render_template"),
        Name("template render"),
    ),
    op(
        "render_og",
        Name("soku_templates_render_og"),
        Name("templates_render_og"),
        Name("render_og"),
        Name("template render-og"),
    ),
    op(
        "transcribe",
        Name("soku_ai_transcribe"),
        Name("ai_transcribe"),
        Name("transcribe"),
        Name("transcribe"),
    ),
    op(
        "create_api_key",
        Name("soku_api_keys_create"),
        Name("api_keys_create"),
        Name("create_api_key"),
        Name("keys create"),
    ),
    op(
        "list_api_keys",
        Name("soku_api_keys_list"),
        Name("api_keys_list"),
        Name("list_api_keys"),
        Name("keys list"),
    ),
    op(
        "revoke_api_key",
        Name("soku_api_keys_revoke"),
        Name("api_keys_revoke"),
        Name("revoke_api_key"),
        Name("keys revoke"),
    ),
    op(
        "rotate_api_key",
        Name("soku_api_keys_rotate"),
        Name("api_keys_rotate"),
        Name("rotate_api_key"),
        Name("keys rotate"),
    ),
    op(
        "publish_batch",
        Name("soku_posts_publish_batch"),
        Name("posts_publish_batch"),
        Name("publish_batch"),
        Name("batch"),
    ),
    op(
        "publish_with_media",
        Name("soku_posts_publish_with_media"),
        Name("posts_publish_with_media"),
        Name("publish_with_media"),
        Name("publish-media"),
    ),
    op(
        "publish_with_template",
        Name("soku_posts_publish_with_template"),
        Name("posts_publish_with_template"),
        Name("publish_with_template"),
        Name("publish-template"),
    ),
    op(
        "plan",
        Absent(PLAN_ONLY_RUST),
        Absent(PLAN_ONLY_RUST),
        Absent(PLAN_ONLY_RUST),
        Name("--dry-run"),
    ),
];

/// Whether a form's name exists in that language's source.
type Exists<'a> = &'a dyn Fn(&str) -> bool;

/// C exports that are a variant of a row's export rather than an operation of their own.
const C_VARIANTS: &[(&str, &str)] = &[(
    "soku_posts_publish_batch_with_cancel",
    "soku_posts_publish_batch",
)];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn rust_sources(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if !path.ends_with("ffi") {
                rust_sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// The public operations of `Client`: `pub fn`s of `impl Client` blocks returning
/// `Result<Response<…>>` (not deprecated), with `x_with` folded into `x`.
fn rust_operations() -> BTreeSet<String> {
    let mut sources = Vec::new();
    rust_sources(&root().join("src"), &mut sources);
    let mut ops = BTreeSet::new();
    for src in &sources {
        for block in src.split("\nimpl Client {\n").skip(1) {
            let block = block.split("\n}\n").next().unwrap_or("");
            let mut deprecated = false;
            for (i, line) in block.lines().enumerate() {
                let t = line.trim_start();
                if t.starts_with("#[deprecated") {
                    deprecated = true;
                }
                let Some(rest) = t.strip_prefix("pub fn ") else {
                    continue;
                };
                let name = rest.split(['(', '<']).next().unwrap().to_owned();
                let signature: String = block.lines().skip(i).take(8).collect();
                let signature = signature.split('{').next().unwrap_or("");
                if signature.contains("-> Result<Response<") && !deprecated {
                    let base = name.strip_suffix("_with").unwrap_or(&name).to_owned();
                    ops.insert(base);
                }
                deprecated = false;
            }
        }
    }
    ops
}

/// The operation exports of soku.h: `int32_t soku_x(const struct SokuClient *client, …`.
fn c_operations(header: &str) -> BTreeSet<String> {
    header
        .lines()
        .filter(|l| l.contains("(const struct SokuClient *client,"))
        .filter_map(|l| l.strip_prefix("int32_t "))
        .map(|l| l.split('(').next().unwrap().to_owned())
        .collect()
}

#[test]
fn every_operation_has_every_form_or_a_reason() {
    let header = read("include/soku.h");
    let hpp = read("include/soku.hpp");
    let python = read("bindings/python/src/soku/_client.py");
    let commands = common::commands();
    let help = common::run_with(&[], &["--help"], None).expect(0).stdout;
    assert!(
        header.contains("soku_posts_create(") && hpp.contains("posts_create("),
        "the sources were not read"
    );

    let rust = rust_operations();
    assert!(rust.len() >= 12, "operations found: {rust:?}");
    let rows: BTreeSet<String> = OPS.iter().map(|o| o.rust.to_owned()).collect();
    let missing: Vec<_> = rust.difference(&rows).collect();
    assert!(
        missing.is_empty(),
        "public operations without a parity row (give each language's form or a reason): \
         {missing:?}"
    );

    let mut src = Vec::new();
    rust_sources(&root().join("src"), &mut src);
    let mut gaps = Vec::new();
    for o in OPS {
        let (plain, generic) = (format!("pub fn {}(", o.rust), format!("pub fn {}<", o.rust));
        assert!(
            src.iter()
                .any(|s| s.contains(&plain) || s.contains(&generic)),
            "{}: no such Rust method",
            o.rust
        );
        let checks: [(&str, Form, Exists); 4] = [
            ("C", o.c, &|n| header.contains(&format!("int32_t {n}("))),
            ("C++", o.cpp, &|n| {
                hpp.contains(&format!("std::string {n}("))
            }),
            ("Python", o.python, &|n| {
                python.contains(&format!("    def {n}("))
            }),
            ("CLI", o.cli, &|n| {
                commands.contains(n) || (n.starts_with("--") && help.contains(&format!("{n} ")))
            }),
        ];
        for (language, form, exists) in checks {
            match form {
                Name(n) if exists(n) => {}
                Name(n) => gaps.push(format!("{}: {language} form {n:?} does not exist", o.rust)),
                Absent(reason) if reason.trim().len() >= 20 => {}
                Absent(_) => gaps.push(format!("{}: {language} absent without a reason", o.rust)),
            }
        }
    }
    assert!(gaps.is_empty(), "{gaps:#?}");

    // The other way round: every C operation and every CLI command belongs to a row.
    let named = |f: fn(&Op) -> Form| -> BTreeSet<String> {
        OPS.iter()
            .filter_map(|o| match f(o) {
                Name(n) => Some(n.to_owned()),
                Absent(_) => None,
            })
            .collect()
    };
    let variants: BTreeSet<String> = C_VARIANTS.iter().map(|(v, _)| (*v).to_owned()).collect();
    for (variant, of) in C_VARIANTS {
        assert!(header.contains(&format!("int32_t {variant}(")) && named(|o| o.c).contains(*of));
    }
    let c_rows = named(|o| o.c);
    let c_unlisted: Vec<_> = c_operations(&header)
        .into_iter()
        .filter(|c| !c_rows.contains(c) && !variants.contains(c))
        .collect();
    assert!(
        c_unlisted.is_empty(),
        "C operations without a row: {c_unlisted:?}"
    );
    let cli_rows = named(|o| o.cli);
    let cli_unlisted: Vec<_> = commands.iter().filter(|c| !cli_rows.contains(*c)).collect();
    assert!(
        cli_unlisted.is_empty(),
        "CLI commands without a row: {cli_unlisted:?}"
    );
}
