//! No import circle between the modules of `src/` (crate `soku`) and of `sandbox/src/` (crate
//! `soku-sandbox`).
//!
//! Each source file is a module (`src/ffi/json.rs` is `ffi::json`, `src/ffi/mod.rs` is `ffi`).
//! A module depends on another when its code names it: a `crate::…`, `super::…` or `self::…`
//! path, or a `use child::…` of one of its own child modules. A path is resolved to the deepest
//! module it names; a name re-exported by `lib.rs` or a `mod.rs` (`pub use x::Item`) is resolved
//! to the module that defines it. The re-exports themselves and `mod x;` declarations are not
//! dependencies (they publish a module, its code does not use it), and the unit tests at the end
//! of a file (`#[cfg(test)] mod tests`) are not read. The test fails with the circle it found,
//! e.g. `client -> config -> client`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One module: its path (`["ffi", "json"]`, empty for the crate root) and its code.
struct Module {
    path: Vec<String>,
    code: String,
}

/// Where a path starts: `crate::`, `super::` or `self::` (`crate::a::B` is read as `Crate` and
/// the segments `[a, B]`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Base {
    Crate,
    Super,
    SelfMod,
}

/// The modules of the crate whose root is `dir/lib.rs`.
fn modules(dir: &Path) -> Vec<Module> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = p.strip_prefix(dir).unwrap();
            let mut path: Vec<String> = rel
                .iter()
                .map(|s| s.to_string_lossy().trim_end_matches(".rs").to_owned())
                .collect();
            match path.last().map(String::as_str) {
                Some("lib") if path.len() == 1 => path.clear(),
                // A binary target is another crate.
                Some("main") if path.len() == 1 => continue,
                Some("mod") => {
                    path.pop();
                }
                _ => {}
            }
            out.push(Module {
                path,
                code: strip(&std::fs::read_to_string(&p).unwrap()),
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The code without comments, string contents and the trailing unit tests.
fn strip(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                // Skip to the closing quote (escapes honoured); raw strings in this code base
                // hold no `crate::` text that matters, and a stray quote only hides text.
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                out.push_str("\"\"");
            }
            '\'' => {
                // A char literal ('"' included) or a lifetime.
                let rest: String = chars.clone().take(3).collect();
                if let Some(esc) = rest.strip_prefix('\\') {
                    let close = esc.find('\'').map(|i| i + 2).unwrap_or(0);
                    for _ in 0..close {
                        chars.next();
                    }
                } else if rest.chars().nth(1) == Some('\'') {
                    chars.next();
                    chars.next();
                }
                out.push('\'');
            }
            _ => out.push(c),
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Parses a use tree at `s` (after a `::`): `a::b`, `{a, b::{c, d}}`, `*`. Returns the paths
/// and the rest of the text.
fn tree(s: &str) -> (Vec<Vec<String>>, &str) {
    let s = s.trim_start();
    if let Some(mut rest) = s.strip_prefix('{') {
        let mut all = Vec::new();
        loop {
            rest = rest.trim_start();
            if let Some(r) = rest.strip_prefix('}') {
                return (all, r);
            }
            let (paths, r) = tree(rest);
            all.extend(paths);
            rest = r.trim_start();
            rest = rest.strip_prefix(',').unwrap_or(rest);
            if rest.is_empty() {
                return (all, rest);
            }
        }
    }
    let end = s
        .find(|c: char| !is_ident(c) && c != '*')
        .unwrap_or(s.len());
    let (seg, rest) = s.split_at(end);
    if seg.is_empty() {
        return (vec![vec![]], rest);
    }
    if let Some(r) = rest.strip_prefix("::") {
        let (paths, r) = tree(r);
        let paths = paths
            .into_iter()
            .map(|mut p| {
                p.insert(0, seg.to_owned());
                p
            })
            .collect();
        return (paths, r);
    }
    // `x as y`: the alias does not matter.
    let rest = match rest.trim_start().strip_prefix("as ") {
        Some(r) => r.trim_start().trim_start_matches(is_ident),
        None => rest,
    };
    (vec![vec![seg.to_owned()]], rest)
}

/// The paths of `code` that start at `crate`, `super` or `self`, and whether each is part of a
/// re-export (`pub use`, `pub(crate) use`).
fn paths(code: &str) -> Vec<(Base, Vec<String>, bool)> {
    let mut out = Vec::new();
    for (start, base) in [
        ("crate::", Base::Crate),
        ("super::", Base::Super),
        ("self::", Base::SelfMod),
    ] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            if code[..at].ends_with(|c: char| is_ident(c) || c == ':') {
                continue; // `super::super::x` is read from its first `super`
            }
            let mut rest = &code[from..];
            let mut ups = 0;
            if base == Base::Super {
                while let Some(r) = rest.strip_prefix("super::") {
                    rest = r;
                    ups += 1;
                }
            }
            let reexport = is_reexport(&code[..at]);
            for p in tree(rest).0 {
                let mut p = p;
                for _ in 0..ups {
                    p.insert(0, "super".into());
                }
                if base == Base::SelfMod && p.is_empty() {
                    continue;
                }
                out.push((base, p, reexport));
            }
        }
    }
    out
}

/// Whether the statement that ends at the end of `before` is a `pub use`.
fn is_reexport(before: &str) -> bool {
    let stmt_start = before.rfind([';', '}', '{']).map_or(0, |i| i + 1);
    let stmt = before[stmt_start..].trim_start();
    // Attributes before the statement (`#[doc(hidden)]`).
    let stmt = stmt.rsplit(']').next().unwrap_or(stmt).trim_start();
    stmt.starts_with("pub use") || stmt.starts_with("pub(crate) use")
}

/// `use child::…` statements of a module naming its own child modules (2018 paths).
fn child_uses(m: &Module, children: &BTreeSet<String>) -> Vec<(Vec<String>, bool)> {
    let mut out = Vec::new();
    for stmt in m.code.split(';') {
        let s = stmt.trim_start();
        let s = s.rsplit(']').next().unwrap_or(s).trim_start();
        let (rest, reexport) = if let Some(r) = s.strip_prefix("pub use ") {
            (r, true)
        } else if let Some(r) = s.strip_prefix("pub(crate) use ") {
            (r, true)
        } else if let Some(r) = s.strip_prefix("use ") {
            (r, false)
        } else {
            continue;
        };
        for p in tree(rest).0 {
            if p.first().is_some_and(|c| children.contains(c)) {
                out.push((p, reexport));
            }
        }
    }
    out
}

/// The module graph of one crate: module -> the modules its code uses.
fn graph(dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules(dir);
    let known: BTreeSet<Vec<String>> = mods.iter().map(|m| m.path.clone()).collect();
    let children = |of: &[String]| -> BTreeSet<String> {
        known
            .iter()
            .filter(|k| k.len() == of.len() + 1 && k.starts_with(of))
            .map(|k| k.last().unwrap().clone())
            .collect()
    };
    // Absolute paths of every path, with the re-exports kept apart.
    let mut uses: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let mut reexports: BTreeMap<(Vec<String>, String), Vec<String>> = BTreeMap::new();
    for m in &mods {
        let mut all = Vec::new();
        for (base, p, re) in paths(&m.code) {
            let mut abs = match base {
                Base::Crate => Vec::new(),
                Base::SelfMod => m.path.clone(),
                Base::Super => m.path[..m.path.len().saturating_sub(1)].to_vec(),
            };
            let mut p = p.into_iter().peekable();
            while p.peek().is_some_and(|s| s == "super") {
                p.next();
                abs.pop();
            }
            abs.extend(p);
            all.push((abs, re));
        }
        for (p, re) in child_uses(m, &children(&m.path)) {
            let mut abs = m.path.clone();
            abs.extend(p);
            all.push((abs, re));
        }
        for (abs, re) in all {
            if re {
                if let Some(name) = abs.last() {
                    reexports.insert((m.path.clone(), name.clone()), abs.clone());
                }
            } else {
                uses.push((m.path.clone(), abs));
            }
        }
    }
    // The deepest module a path names, through re-exports.
    let resolve = |abs: &[String]| -> Vec<String> {
        let mut path = abs.to_vec();
        for _ in 0..8 {
            let mut n = path.len();
            while n > 0 && !known.contains(&path[..n]) {
                n -= 1;
            }
            let module = path[..n].to_vec();
            match path.get(n) {
                Some(name) => match reexports.get(&(module.clone(), name.clone())) {
                    Some(target) if target != &path[..=n] => {
                        let mut next = target.clone();
                        next.extend_from_slice(&path[n + 1..]);
                        path = next;
                    }
                    _ => return module,
                },
                None => return module,
            }
        }
        path
    };
    let name = |p: &[String]| {
        if p.is_empty() {
            "crate".to_owned()
        } else {
            p.join("::")
        }
    };
    let mut g: BTreeMap<String, BTreeSet<String>> =
        known.iter().map(|k| (name(k), BTreeSet::new())).collect();
    for (from, abs) in uses {
        let to = resolve(&abs);
        if to != from {
            g.get_mut(&name(&from)).unwrap().insert(name(&to));
        }
    }
    g
}

/// A circle of `g`, if it has one.
fn circle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    // 0 = not seen, 1 = on the current path, 2 = done.
    fn visit<'a>(
        g: &'a BTreeMap<String, BTreeSet<String>>,
        n: &'a str,
        state: &mut BTreeMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        state.insert(n, 1);
        stack.push(n);
        for next in g.get(n).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let i = stack.iter().position(|s| s == next).unwrap();
                    let mut c: Vec<String> = stack[i..].iter().map(|s| s.to_string()).collect();
                    c.push(next.clone());
                    return Some(c);
                }
                0 => {
                    if let Some(c) = visit(g, next, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n, 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in g.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(g, n, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn check(dir: &Path) {
    let g = graph(dir);
    // The graph must be read at all: a parser that finds nothing would pass any code.
    let edges: usize = g.values().map(BTreeSet::len).sum();
    assert!(
        g.len() >= 10 && edges >= 2 * g.len() / 3,
        "{}: {} modules, {edges} dependencies read: the parser lost the paths",
        dir.display(),
        g.len()
    );
    if let Some(c) = circle(&g) {
        panic!(
            "import circle in {}: {}\nmodule graph:\n{}",
            dir.display(),
            c.join(" -> "),
            g.iter()
                .map(|(k, v)| format!(
                    "  {k} -> {}",
                    v.iter().cloned().collect::<Vec<_>>().join(", ")
                ))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

#[test]
fn the_library_has_no_import_circle() {
    check(&root().join("src"));
}

#[test]
fn the_sandbox_has_no_import_circle() {
    check(&root().join("sandbox/src"));
}

#[test]
fn the_checker_finds_a_circle_and_resolves_reexports() {
    let dir = std::env::temp_dir().join(format!("soku-module-graph-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("w")).unwrap();
    let write = |p: &str, s: &str| std::fs::write(dir.join(p), s).unwrap();
    write(
        "lib.rs",
        "mod a;\nmod b;\nmod w;\npub use a::A;\npub use w::W;\n",
    );
    write(
        "a.rs",
        "use crate::W; // a -> w::x through two re-exports\npub struct A;\n",
    );
    write("w/mod.rs", "mod x;\npub use x::W;\n");
    write("w/x.rs", "pub struct W(crate::b::B);\n");
    write(
        "b.rs",
        "use std::fmt;\nuse super::{A as _, w::{self}};\npub struct B;\n\
         #[cfg(test)]\nmod tests { use crate::w::x::W; }\n",
    );
    let g = graph(&dir);
    assert_eq!(g["a"], BTreeSet::from(["w::x".to_owned()]));
    assert_eq!(g["b"], BTreeSet::from(["a".to_owned(), "w".to_owned()]));
    assert_eq!(
        circle(&g).unwrap(),
        ["a", "w::x", "b", "a"].map(String::from).to_vec()
    );
    // Without b's use of `A` there is none.
    write(
        "b.rs",
        "// use crate::A;\nconst S: &str = \"crate::a::A\";\npub struct B;\n",
    );
    let g = graph(&dir);
    assert_eq!(circle(&g), None, "{g:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
