//! Where a document sink writes: standard output, a file, or any writer (tests, pipes).
//!
//! Files are written whole at the end of a run, through a temporary file in the same directory that is renamed
//! into place, so a reader (a CI step, a browser reloading the HTML) never sees half a report and a crashed run
//! leaves the previous report intact. A path that names something other than a regular file (a device such as
//! `/dev/stdout`, a FIFO) is opened and written in place instead: renaming over it would replace the device with
//! a file (as root, `--report json=/dev/full` once turned `/dev/full` into a regular file and reported success).
//! Every write is flushed and its error kept, so a full disk or a closed pipe is never a silent success.

use crate::model::ReportError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The destination of a document.
pub enum Output {
    /// The process's standard output (`-` in a `FORMAT=PATH` spec).
    Stdout,
    /// A file, replaced atomically when the document is written.
    File(PathBuf),
    /// Any writer.
    Writer(Box<dyn Write + Send>),
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Output {
    /// The output a spec's PATH names: `-` is standard output, anything else a file.
    pub fn from_path(path: &str) -> Output {
        if path == "-" { Output::Stdout } else { Output::File(PathBuf::from(path)) }
    }

    /// How error messages name this output.
    pub fn describe(&self) -> String {
        match self {
            Output::Stdout => "standard output".to_owned(),
            Output::File(p) => p.display().to_string(),
            Output::Writer(_) => "the report writer".to_owned(),
        }
    }

    /// Writes `text` whole.
    pub fn write_document(&mut self, text: &str) -> Result<(), ReportError> {
        let name = self.describe();
        let fail = |reason: String| ReportError::Write { path: name.clone(), reason };
        match self {
            Output::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(|e| fail(e.to_string()))
            }
            Output::File(path) => write_atomically(path, text.as_bytes()).map_err(|e| fail(e.to_string())),
            Output::Writer(w) => w.write_all(text.as_bytes()).and_then(|()| w.flush()).map_err(|e| fail(e.to_string())),
        }
    }
}

/// Writes `bytes` to a temporary sibling of `path`, then renames it over `path`; when `path` exists and is not a
/// regular file (a device, a FIFO), writes into it in place.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
        f.write_all(bytes)?;
        return f.flush();
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "report".to_owned());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&tmp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_replaced_whole() {
        let dir = std::env::temp_dir().join(format!("scimlab-reports-output-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("r.txt");
        std::fs::write(&path, "old and longer").expect("seed file");
        Output::File(path.clone()).write_document("new").expect("writes");
        assert_eq!(std::fs::read_to_string(&path).expect("reads"), "new");
        let leftovers = std::fs::read_dir(&dir).expect("lists").count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
        let err = Output::File(dir.join("missing/r.txt")).write_document("x").expect_err("no such directory");
        assert!(err.to_string().contains("missing/r.txt"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Regression: as root, `--report json=/dev/full` renamed a temporary file over `/dev/full` and exited 0.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_device_is_written_in_place_and_its_error_kept() {
        use std::os::unix::fs::FileTypeExt;
        let full = Path::new("/dev/full");
        if !std::fs::metadata(full).is_ok_and(|m| m.file_type().is_char_device()) {
            return; // no /dev/full on this machine
        }
        let err = Output::File(full.to_path_buf()).write_document("x").expect_err("/dev/full is full");
        let text = err.to_string();
        assert!(text.contains("/dev/full") && text.contains("No space left"), "{text}");
        assert!(std::fs::metadata(full).expect("still there").file_type().is_char_device(), "the device is intact");
    }
}
