//! Expected decodings of the wire vectors: for each `tests/vectors/**/*.mgcp`
//! the file beside it, `*.expected`, holds what `mgcp decode` prints (exit
//! status, standard output, standard error). Reviewed by hand when created;
//! after an intended change in rendering, regenerate with
//! `UPDATE_VECTORS=1 cargo test -p mgcp-cli --test vector_decodings` and
//! review the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "mgcp") {
            out.push(path);
        }
    }
}

fn decoding(path: &Path) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_mgcp"))
        .arg("decode")
        .arg(path)
        .output()
        .unwrap();
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn decodings_match_the_expected_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors");
    let mut all = Vec::new();
    files(&root, &mut all);
    all.sort();
    assert!(all.len() > 250);
    let update = std::env::var("UPDATE_VECTORS").as_deref() == Ok("1");
    let mut mismatches = Vec::new();
    for path in &all {
        let got = decoding(path);
        let expected_path = path.with_extension("expected");
        if update {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} has no .expected file", path.display()));
        if got != want {
            mismatches.push(format!(
                "{}:\n--- want\n{want}--- got\n{got}",
                path.display()
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
