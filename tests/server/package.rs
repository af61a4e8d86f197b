//! The packaged crate's documents: every relative link of the README and of `docs/` points to
//! a file that `cargo package` puts in the crate (so the links resolve on a clone, in the
//! package, and on any viewer of either), and every `#anchor` to a heading of its target.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The files `cargo package` puts in this crate, relative to its root.
fn packaged_files() -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .args(["package", "--list", "--allow-dirty", "-p", "recotap-mock"])
        .current_dir(root())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo package --list failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// The targets of `[text](target)` links in `markdown`, outside code blocks and code spans.
fn link_targets(markdown: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut in_block = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            continue;
        }
        // Code spans may hold `](`: drop them first.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join("");
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            if let Some(end) = rest.find(')') {
                targets.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    targets
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.
fn anchor_of(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut in_block = false;
    let mut found = BTreeSet::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
        } else if !in_block && line.starts_with('#') {
            found.insert(anchor_of(line.trim_start_matches('#')));
        }
    }
    found
}

/// `base/target` with `.` and `..` resolved, as a package path (`docs/api.md`).
fn resolve(base: &Path, target: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for component in base.join(target).components() {
        match component {
            Component::ParentDir => {
                parts.pop();
            }
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

#[test]
fn every_relative_link_of_the_packaged_documents_resolves_inside_the_package() {
    let packaged = packaged_files();
    let documents: Vec<&String> = packaged
        .iter()
        .filter(|path| *path == "README.md" || (path.starts_with("docs/") && path.ends_with(".md")))
        .collect();
    assert!(
        documents.len() >= 4,
        "the package lacks its documents: {documents:?}"
    );
    let mut dead = Vec::new();
    let mut checked = 0;
    for document in documents {
        let text = std::fs::read_to_string(root().join(document)).unwrap();
        let base = Path::new(document).parent().unwrap_or(Path::new(""));
        for target in link_targets(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (file, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let file = if file.is_empty() {
                document.clone()
            } else {
                resolve(base, file)
            };
            let directory = format!("{file}/");
            let in_package = packaged.contains(&file)
                || (!file.is_empty() && packaged.iter().any(|p| p.starts_with(&directory)));
            if !in_package {
                dead.push(format!("{document}: ({target}) is not in the package"));
                continue;
            }
            if !anchor.is_empty() && file.ends_with(".md") {
                let linked = std::fs::read_to_string(root().join(&file)).unwrap();
                if !anchors(&linked).contains(anchor) {
                    dead.push(format!("{document}: ({target}) names no heading of {file}"));
                }
            }
        }
    }
    assert!(
        checked >= 10,
        "only {checked} relative links found: is the parser broken?"
    );
    assert!(dead.is_empty(), "dead links:\n{}", dead.join("\n"));
}

#[test]
fn the_link_parser_skips_code_and_resolves_parents() {
    let text = "see [a](docs/api.md#x) and `[b](nope)`\n```\n[c](no)\n```\n[d](../README.md)";
    assert_eq!(link_targets(text), ["docs/api.md#x", "../README.md"]);
    assert_eq!(resolve(Path::new("docs"), "../README.md"), "README.md");
    assert_eq!(
        anchor_of(" 1.11 Profiles: documented and sandbox"),
        "111-profiles-documented-and-sandbox"
    );
}
