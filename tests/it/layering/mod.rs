//! The layering ARCHITECTURE.md states, checked from the source: each rule is an absence
//! ("no file outside the engine names `Core`"), so a new import that breaks one fails here
//! instead of growing a cycle.
//!
//! The check reads `src/` as text: every `crate::module` path (and `$crate::module` in
//! macros) outside comments and outside `#[cfg(test)] mod tests` blocks is an edge from the
//! file's top-level module to `module`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One source file: its path below `src/`, its top-level module, and its code without comments
/// and unit tests.
struct Source {
    path: String,
    module: String,
    code: String,
}

fn sources() -> Vec<Source> {
    read_tree("src")
        .into_iter()
        .map(|(path, text)| Source {
            module: top_module(&path),
            code: code_of(&text),
            path,
        })
        .collect()
}

/// Every `.rs` file below `dir` (a path from the repository root), sorted: its path below
/// `dir` and its text.
fn read_tree(dir: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let path = file
                .strip_prefix(&root)
                .expect("below the root")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&file).expect("source is readable");
            (path, text)
        })
        .collect()
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

/// `rt/core.rs` → `rt`, `random.rs` → `random`; the files `lib.rs` mounts under another name
/// keep the name they are mounted as.
fn top_module(path: &str) -> String {
    let first = path.split('/').next().unwrap_or(path);
    let name = first.strip_suffix(".rs").unwrap_or(first);
    match name {
        "fuzz_support" => "__fuzz",
        "proptest_support" => "proptest",
        other => other,
    }
    .to_owned()
}

/// The code of a file without comment lines and without its `#[cfg(test)] mod tests` block
/// (which by convention ends the file).
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a piece of code names through `crate::` (or `$crate::`).
fn imports(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.insert(name);
        }
        rest = after;
    }
    found
}

/// Module → the modules it imports (itself left out).
fn graph(sources: &[Source]) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in sources {
        let edges = graph.entry(source.module.clone()).or_default();
        for import in imports(&source.code) {
            if import != source.module {
                edges.insert(import);
            }
        }
    }
    graph
}

/// The files of `module` that import something outside `allowed` (and themselves).
fn violations(sources: &[Source], module: &str, allowed: &[&str]) -> Vec<String> {
    sources
        .iter()
        .filter(|source| source.module == module)
        .flat_map(|source| {
            imports(&source.code)
                .into_iter()
                .filter(|import| import != module && !allowed.contains(&import.as_str()))
                .map(move |import| format!("{} imports crate::{import}", source.path))
        })
        .collect()
}

/// Modules only `#[cfg(test)]` builds contain, and `lib.rs`, which re-exports everything.
const OUTSIDE_THE_LAYERS: [&str; 2] = ["lib", "test_support"];

// Goal: the module graph of `src/` has no cycle (the engine-boundary issue's knot of eight
// modules stays untied).
#[test]
fn the_module_graph_has_no_cycle() {
    let sources = sources();
    let graph = graph(&sources);
    let mut order = Vec::new();
    let mut state: BTreeMap<&str, u8> = BTreeMap::new(); // 1: on the path, 2: done
    fn visit<'a>(
        node: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
        order: &mut Vec<&'a str>,
    ) {
        match state.get(node) {
            Some(2) => return,
            Some(_) => {
                let start = path.iter().position(|&n| n == node).unwrap_or(0);
                panic!("import cycle: {} -> {node}", path[start..].join(" -> "));
            }
            None => {}
        }
        state.insert(node, 1);
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if !OUTSIDE_THE_LAYERS.contains(&next.as_str()) {
                visit(next, graph, state, path, order);
            }
        }
        path.pop();
        state.insert(node, 2);
        order.push(node);
    }
    for node in graph.keys() {
        if !OUTSIDE_THE_LAYERS.contains(&node.as_str()) {
            visit(node, &graph, &mut state, &mut Vec::new(), &mut order);
        }
    }
    assert!(order.len() >= 15, "every module was visited: {order:?}");
}

/// The code (comments removed) of every `.rs` file below `dir`, a path from the repository root.
fn code_below(dir: &str) -> Vec<(String, String)> {
    read_tree(dir)
        .into_iter()
        .map(|(path, text)| (format!("{dir}/{path}"), code_of(&text)))
        .collect()
}

// Goal: the tokio facade is built on simloop's public API only: no hidden item (`__fuzz`,
// `log_line`), so what it does a user's own crate could do.
#[test]
fn the_tokio_facade_uses_only_simloops_public_api() {
    let found: Vec<String> = code_below("tokio/src")
        .into_iter()
        .filter(|(_, code)| code.contains("simloop::__") || code.contains("log_line"))
        .map(|(path, _)| path)
        .collect();
    assert!(found.is_empty(), "hidden simloop items used in: {found:?}");
    assert!(
        code_below("tokio/src").len() >= 10,
        "the facade's sources were read"
    );
}

// Goal: the example user crate's service is plain tokio code: simloop appears only in its tests.
#[test]
fn the_tokio_user_crate_names_simloop_only_in_its_tests() {
    let sources = code_below("examples-tokio/src");
    assert!(!sources.is_empty(), "the user crate's sources were read");
    let found: Vec<String> = sources
        .into_iter()
        .filter(|(_, code)| code.contains("simloop"))
        .map(|(path, _)| path)
        .collect();
    assert!(
        found.is_empty(),
        "simloop named in the service's own code: {found:?}"
    );
}

// Goal: plain data imports nothing from the crate but other plain data.
#[test]
fn plain_data_imports_only_plain_data() {
    let sources = sources();
    let mut found = Vec::new();
    for module in ["id", "instant", "rng"] {
        found.extend(violations(&sources, module, &[]));
    }
    found.extend(violations(&sources, "trace", &["id", "instant"]));
    assert!(found.is_empty(), "plain data imports more: {found:#?}");
}

// Goal: the engine imports only ids, instants, seed streams and the trace.
#[test]
fn the_engine_imports_only_ids_seed_streams_and_the_trace() {
    let found = violations(&sources(), "rt", &["id", "instant", "rng", "trace"]);
    assert!(found.is_empty(), "the engine imports more: {found:#?}");
}

// Goal: no file outside the engine names `Core`, and `Core` keeps its fields to the engine.
#[test]
fn no_file_outside_the_engine_names_core() {
    let sources = sources();
    let named: Vec<&str> = sources
        .iter()
        .filter(|source| source.module != "rt")
        .filter(|source| names_word(&source.code, "Core"))
        .map(|source| source.path.as_str())
        .collect();
    assert!(named.is_empty(), "outside rt/, these name Core: {named:?}");
    let core = sources
        .iter()
        .find(|source| source.path == "rt/core.rs")
        .expect("rt/core.rs exists");
    let fields = struct_body(&core.code, "pub(super) struct Core {");
    assert!(
        !fields.contains("pub(crate)") && !fields.contains("pub "),
        "Core's fields are visible outside the engine:\n{fields}"
    );
}

// Goal: schedulers see the ready view and nothing else of the engine or the crate.
#[test]
fn schedulers_see_only_the_ready_view() {
    let sources = sources();
    let found = violations(&sources, "scheduler", &["id", "rng", "rt"]);
    assert!(found.is_empty(), "the scheduler imports more: {found:#?}");
    for source in sources.iter().filter(|source| source.module == "scheduler") {
        for path in paths_into(&source.code, "rt") {
            assert!(
                path == "ReadyView" || path == "ReadyTask" || path == "{ReadyTask, ReadyView}",
                "{} uses rt::{path}; a scheduler sees only ReadyView and ReadyTask",
                source.path
            );
        }
    }
}

// Goal: facades call the engine, never the driver, the sweeps or each other's internals; the
// simulated world builds on tasks and time.
#[test]
fn facades_call_only_the_engine() {
    let sources = sources();
    let common = ["rt", "id", "instant", "rng", "trace"];
    let mut found = Vec::new();
    for facade in ["task", "time", "sync", "random"] {
        found.extend(violations(&sources, facade, &common));
    }
    let world: Vec<&str> = common
        .iter()
        .copied()
        .chain(["config", "task", "time"])
        .collect();
    found.extend(violations(&sources, "sim", &world));
    assert!(found.is_empty(), "a facade imports more: {found:#?}");
}

// Goal: the driver is the only module that runs the engine under a scheduler; nothing below
// the driver imports it or the sweeps.
#[test]
fn only_the_driver_holds_engine_and_scheduler() {
    let graph = graph(&sources());
    let both: Vec<&String> = graph
        .iter()
        .filter(|(module, edges)| {
            !OUTSIDE_THE_LAYERS.contains(&module.as_str())
                && edges.contains("rt")
                && edges.contains("scheduler")
        })
        .map(|(module, _)| module)
        .collect();
    assert_eq!(both, ["runtime"], "modules importing both rt and scheduler");
    for (module, edges) in &graph {
        let below_the_driver =
            !["runtime", "check", "proptest", "lib", "test_support"].contains(&module.as_str());
        if below_the_driver {
            assert!(
                !edges.contains("runtime") && !edges.contains("check"),
                "{module} imports the driver or the sweeps: {edges:?}"
            );
        }
    }
}

// Goal: performance switches (forced inlining either way, debug-assertion codegen switches)
// live only in the engine and the trace; a facade is plain Rust over the engine's functions.
#[test]
fn performance_switches_live_in_the_engine_and_the_trace() {
    let switches = [
        "inline(always)",
        "inline(never)",
        "cfg_attr(debug_assertions",
    ];
    let found: Vec<String> = sources()
        .iter()
        .filter(|source| source.module != "rt" && source.module != "trace")
        .flat_map(|source| {
            switches
                .iter()
                .filter(|switch| source.code.contains(*switch))
                .map(move |switch| format!("{}: {switch}", source.path))
        })
        .collect();
    assert!(
        found.is_empty(),
        "performance switches outside rt/ and trace/: {found:#?}"
    );
}

// Goal: the checks above can fail: a forbidden import is seen.
#[test]
fn the_checks_see_a_forbidden_import() {
    let source = Source {
        path: "rt/new.rs".to_owned(),
        module: "rt".to_owned(),
        code: code_of("// crate::sim in a comment is not an import\nuse crate::sim::net;\n"),
    };
    assert_eq!(
        violations(&[source], "rt", &["id"]),
        ["rt/new.rs imports crate::sim"]
    );
    assert!(names_word("let core: &Core = x;", "Core"));
    assert!(!names_word("QueueCore::new(core)", "Core"));
}

/// Whether `word` stands in `code` as a whole identifier.
fn names_word(code: &str, word: &str) -> bool {
    code.match_indices(word).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + word.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

/// The body of the struct whose declaration starts with `head`.
fn struct_body<'a>(code: &'a str, head: &str) -> &'a str {
    let start = code.find(head).expect("the struct is declared") + head.len();
    let end = code[start..].find("\n}").expect("the struct ends") + start;
    &code[start..end]
}

/// What follows `crate::{module}::` in each path into `module`, up to the end of the path.
fn paths_into<'a>(code: &'a str, module: &str) -> Vec<&'a str> {
    let prefix = format!("crate::{module}::");
    code.match_indices(&prefix)
        .map(|(at, _)| {
            let rest = &code[at + prefix.len()..];
            let end = if rest.starts_with('{') {
                rest.find('}').map_or(rest.len(), |end| end + 1)
            } else {
                rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len())
            };
            &rest[..end]
        })
        .collect()
}
