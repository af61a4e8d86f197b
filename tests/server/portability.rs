//! The crate and its binary build on Windows and macOS as well as Linux. This toolchain has no
//! non-Unix target to `cargo check` against, so this test pins the one thing that breaks such
//! a build: every Unix-only API is used inside a `#[cfg(unix)]` item, with a fallback beside it.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn every_unix_only_api_is_behind_cfg_unix_with_a_fallback() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("cli/src"), &mut files);
    let unix_only = ["::unix::", "os::unix", "std::os::fd"];
    let mut uses = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a readable source");
        let lines: Vec<&str> = text.lines().collect();
        for (at, line) in lines.iter().enumerate() {
            if !unix_only.iter().any(|api| line.contains(api))
                || line.trim_start().starts_with("//")
            {
                continue;
            }
            uses += 1;
            let guard = lines[..at]
                .iter()
                .rev()
                .take(6)
                .find(|earlier| earlier.contains("#[cfg("));
            assert_eq!(
                guard.map(|g| g.trim()),
                Some("#[cfg(unix)]"),
                "{}:{}: a Unix-only API outside #[cfg(unix)]: {line}",
                file.display(),
                at + 1
            );
            assert!(
                text.contains("#[cfg(not(unix))]"),
                "{}: #[cfg(unix)] code without a #[cfg(not(unix))] fallback",
                file.display()
            );
        }
    }
    assert!(
        uses > 0,
        "the binary's SIGTERM handling is found and checked"
    );
}
