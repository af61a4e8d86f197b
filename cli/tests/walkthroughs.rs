//! The README's and `docs/`'s shell walkthroughs, run as a reader runs them: every ` ```sh `
//! block goes to `bash -eo pipefail` in a fresh directory, with the freshly built
//! `recotap-mock` first on `PATH`, and what it prints must match the ` ```text ` block shown
//! right after it. A block that talks to `$M` without starting a mock of its own gets a fresh
//! binary on a free port in `M` (the README says to set `M` to a running mock's address).
//!
//! In an expected block, `…` stands for any text within a line, and a line that is only `…`
//! for any number of lines. A block marked ` ```sh no-run ` (installs, the commands that start
//! a mock for good or run this suite) is only checked by `bash -n`.

mod support;

use std::fs::{self, File};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::listening_url;

/// How long one block may run.
const BLOCK_TIMEOUT: Duration = Duration::from_secs(60);

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The README and every page under `docs/`.
fn documents() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = fs::read_dir(repository().join("docs"))
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    pages.sort();
    pages.insert(0, repository().join("README.md"));
    pages
}

/// A fenced block: its info string, first line (1-based) and text.
struct Block {
    info: String,
    line: usize,
    text: String,
    /// Non-blank lines between the previous block's end and this block's start.
    prose_before: usize,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut prose = 0;
    let mut lines = text.lines().enumerate();
    while let Some((number, line)) = lines.next() {
        let fence = line.trim_start();
        let Some(info) = fence.strip_prefix("```") else {
            prose += usize::from(!line.trim().is_empty());
            continue;
        };
        let indent = line.len() - fence.len();
        let mut body = String::new();
        for (_, inner) in lines.by_ref() {
            if inner.trim_start().starts_with("```") {
                break;
            }
            body.push_str(inner.get(indent..).unwrap_or(inner.trim_start()));
            body.push('\n');
        }
        found.push(Block {
            info: info.trim().to_string(),
            line: number + 1,
            text: body,
            prose_before: prose,
        });
        prose = 0;
    }
    found
}

/// Whether `actual` matches `expected`, where `…` is any text within a line and a line that
/// is only `…` any number of lines.
fn matches(expected: &[&str], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((&"…", rest)) => (0..=actual.len()).any(|skip| matches(rest, &actual[skip..])),
        Some((line, rest)) => actual
            .split_first()
            .is_some_and(|(first, tail)| line_matches(line, first) && matches(rest, tail)),
    }
}

fn line_matches(pattern: &str, line: &str) -> bool {
    let mut parts = pattern.split('…');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = line.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (index, part) in parts.iter().enumerate() {
        let last = index + 1 == parts.len();
        if last {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// A `recotap-mock` on a free port, stopped when dropped.
struct Mock {
    child: Child,
    url: String,
}

impl Mock {
    fn start() -> Mock {
        let mut command = Command::new(env!("CARGO_BIN_EXE_recotap-mock"));
        let mut child = without_the_callers_settings(&mut command)
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let (url, _) = listening_url(child.stdout.take().unwrap(), Duration::from_secs(30));
        Mock { child, url }
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `command` without what the caller's environment could change: the binary's own variables
/// (`RECOTAP_MOCK_*`, which would set a rate limit, a token, a state file) and a `HOME` whose
/// `.curlrc` could change curl's output.
fn without_the_callers_settings(command: &mut Command) -> &mut Command {
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("RECOTAP_MOCK_") {
            command.env_remove(name);
        }
    }
    command
}

/// Runs `script` in `bash -eo pipefail` in a fresh directory, in a process group of its own
/// (killed afterwards, with any mock it started), and returns its exit status and output.
fn run(script: &str, mock_url: Option<&str>) -> (bool, String, String) {
    let directory = tempfile::tempdir().unwrap();
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_recotap-mock"));
    let path = format!(
        "{}:{}",
        binary.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let (stdout, stderr) = (directory.path().join(".out"), directory.path().join(".err"));
    let mut command = Command::new("bash");
    without_the_callers_settings(&mut command)
        .args(["-eo", "pipefail", "-c", script])
        .current_dir(directory.path())
        .env("PATH", path)
        .env("HOME", directory.path())
        .stdin(Stdio::null())
        .stdout(File::create(&stdout).unwrap())
        .stderr(File::create(&stderr).unwrap())
        .process_group(0);
    if let Some(url) = mock_url {
        command.env("M", url);
    }
    let mut child = command.spawn().expect("bash runs");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > BLOCK_TIMEOUT {
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // Whatever the block left running (a mock in the background) goes with its group (bash's
    // own `kill`, so no other tool is needed).
    let _ = Command::new("bash")
        .args(["-c", &format!("kill -KILL -- -{} 2>/dev/null", child.id())])
        .status();
    let _ = child.wait();
    let read = |path: &Path| fs::read_to_string(path).unwrap_or_default();
    let ok = status.is_some_and(|status| status.success());
    (ok, read(&stdout), read(&stderr))
}

/// Whether a block starts a mock of its own (else it is given one in `M`).
fn starts_its_own_mock(script: &str) -> bool {
    script
        .lines()
        .any(|line| line.contains("recotap-mock --port"))
}

#[test]
fn every_shell_block_of_the_readme_and_docs_runs_and_prints_what_is_shown() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for document in documents() {
        let name = document
            .strip_prefix(repository())
            .unwrap()
            .display()
            .to_string();
        let text = fs::read_to_string(&document).unwrap();
        let found = blocks(&text);
        for (index, block) in found.iter().enumerate() {
            let mut words = block.info.split_whitespace();
            if words.next() != Some("sh") {
                continue;
            }
            let place = format!("{name} line {}", block.line);
            if words.any(|word| word == "no-run") {
                let (ok, _, errors) = run(&format!("bash -n <<'EOF'\n{}EOF", block.text), None);
                if !ok {
                    failures.push(format!("{place}: not valid shell: {errors}"));
                }
                continue;
            }
            ran += 1;
            let mock = (!starts_its_own_mock(&block.text)).then(Mock::start);
            let (ok, out, errors) = run(&block.text, mock.as_ref().map(|m| m.url.as_str()));
            drop(mock);
            if !ok {
                failures.push(format!("{place}: failed\n{errors}\n--- printed ---\n{out}"));
                continue;
            }
            let expected = found
                .get(index + 1)
                .filter(|next| next.info == "text" && next.prose_before <= 2);
            let actual: Vec<&str> = out.lines().collect();
            match expected {
                Some(shown) => {
                    let shown_lines: Vec<&str> = shown.text.lines().collect();
                    if !matches(&shown_lines, &actual) {
                        failures.push(format!(
                            "{place}: printed\n{out}--- but line {} shows ---\n{}",
                            shown.line, shown.text
                        ));
                    }
                }
                None if !out.trim().is_empty() => failures.push(format!(
                    "{place}: prints output, but no ```text block after it shows it:\n{out}"
                )),
                None => {}
            }
        }
    }
    assert!(
        ran >= 5,
        "only {ran} shell blocks ran: did the documents lose their fences?"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_expected_output_matcher_treats_the_ellipsis_as_any_text() {
    assert!(matches(&["a…c"], &["abbbc"]));
    assert!(matches(&["{\"id\":…}"], &["{\"id\":\"s-1\"}"]));
    assert!(!matches(&["a…c"], &["abd"]));
    assert!(matches(
        &["first", "…", "last"],
        &["first", "x", "y", "last"]
    ));
    assert!(matches(&["first", "…", "last"], &["first", "last"]));
    assert!(!matches(&["first", "last"], &["first", "x", "last"]));
    assert!(!matches(&["only"], &["only", "more"]));
    assert!(matches(&["…"], &[]));
}
