//! Extracts every ` ```rust ` block of the README and of `docs/*.md` (except `docs/rust.md`,
//! which is the library's rustdoc front page and so runs as doctests) into `$OUT_DIR`, one
//! module per group: the Rust blocks under one heading are pasted together, as a reader pastes
//! them into one file of a new crate's `tests/`. `tests/walkthroughs.rs` includes them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("..");
    let mut documents = vec![root.join("README.md")];
    let docs = root.join("docs");
    println!("cargo:rerun-if-changed={}", docs.display());
    let mut pages: Vec<PathBuf> = fs::read_dir(&docs)
        .map(|entries| entries.flatten().map(|entry| entry.path()).collect())
        .unwrap_or_default();
    pages.sort();
    documents.extend(
        pages
            .into_iter()
            .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
            .filter(|path| !path.ends_with("rust.md")),
    );
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let mut modules = String::new();
    for document in &documents {
        println!("cargo:rerun-if-changed={}", document.display());
        let text = fs::read_to_string(document).unwrap();
        let name = module_name(document);
        for (index, group) in rust_groups(&text).into_iter().enumerate() {
            // A block without a test would compile and never run: refuse it here.
            assert!(
                group.code.contains("#[test]"),
                "{} line {}: the Rust blocks under \"{}\" hold no #[test], so nothing runs them",
                document.display(),
                group.line,
                group.heading
            );
            let file = out.join(format!("{name}_{}.rs", index + 1));
            fs::write(&file, &group.code).unwrap();
            let _ = writeln!(
                modules,
                "/// {} line {}: {}\nmod {name}_{} {{\n    include!({:?});\n}}",
                document.file_name().unwrap().to_string_lossy(),
                group.line,
                group.heading,
                index + 1,
                file.display()
            );
        }
    }
    // The README's Rust walkthrough must be there: an empty file would pass with no test.
    assert!(
        modules.contains("mod readme_"),
        "README.md has no ```rust block: did its fences change?"
    );
    fs::write(out.join("walkthroughs.rs"), modules).unwrap();
}

/// `README.md` → `readme`, `docs/control.md` → `docs_control`.
fn module_name(document: &Path) -> String {
    let stem = document
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .to_lowercase();
    let prefix = match document.parent().and_then(Path::file_name) {
        Some(parent) if parent == "docs" => "docs_",
        _ => "",
    };
    format!("{prefix}{}", stem.replace(['-', '.'], "_"))
}

/// The Rust blocks under one heading, pasted together.
struct Group {
    heading: String,
    /// The line of the group's first block.
    line: usize,
    code: String,
}

fn rust_groups(text: &str) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut heading = String::new();
    let mut heading_used = false;
    let mut lines = text.lines().enumerate();
    while let Some((number, line)) = lines.next() {
        if line.starts_with('#') {
            heading = line.trim_start_matches('#').trim().to_string();
            heading_used = false;
            continue;
        }
        let fence = line.trim_start();
        let Some(info) = fence.strip_prefix("```") else {
            continue;
        };
        let indent = line.len() - fence.len();
        let mut code = String::new();
        for (_, inner) in lines.by_ref() {
            if inner.trim_start().starts_with("```") {
                break;
            }
            code.push_str(inner.get(indent..).unwrap_or(inner.trim_start()));
            code.push('\n');
        }
        let info = info.trim();
        // Only plain `rust` blocks run; any other Rust flavour (`rust,ignore`, `rs`) would be
        // a block that silently never runs.
        assert!(
            info == "rust" || !(info.starts_with("rust") || info == "rs"),
            "line {}: a ```{info} block would never run; write ```rust",
            number + 1
        );
        if info != "rust" {
            continue;
        }
        match groups.last_mut() {
            Some(group) if heading_used => group.code.push_str(&code),
            _ => groups.push(Group {
                heading: heading.clone(),
                line: number + 1,
                code,
            }),
        }
        heading_used = true;
    }
    groups
}
