//! Stopping a mock: the server first (drained when there is a state file), then the state
//! file's writer, then the expectations. `stop` and dropping the handle report a failed commit
//! of the run on standard error; `try_stop` returns it, so that the binary can exit 1.

use std::path::PathBuf;

use crate::handle::MockRecotap;

/// Why the final write of the state file failed: the file and the I/O error.
#[derive(Debug)]
pub struct StopError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

impl std::fmt::Display for StopError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot write the state file {}: {}",
            self.path.display(),
            self.source
        )
    }
}

impl std::error::Error for StopError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl MockRecotap {
    /// Stops the server and waits until the port is closed (at most a few seconds), so that a
    /// new mock can bind the same port at once. Dropping the handle does the same for a mock
    /// on a port of its choosing; a mock on a free port (port 0, the default) is only told to
    /// stop when dropped, since no one waits for its port (that wait was most of a drop's
    /// cost). A failed commit of the state file is reported on standard error.
    pub fn stop(mut self) {
        if let Err(error) = self.finish() {
            eprintln!("recotap-mock: {error}");
        }
        drop(self);
    }

    /// Stops like [`stop`](Self::stop), and says whether the state file's final write
    /// succeeded (`Ok` without a state file).
    ///
    /// # Errors
    /// [`StopError`] naming the file, if it could not be written.
    pub fn try_stop(mut self) -> Result<(), StopError> {
        let written = self.finish();
        drop(self);
        written
    }

    /// The server stopped (drained first if there is a state file, so that nothing changes
    /// after), then the state file's writer finished; `Err` if any of its commits failed.
    ///
    /// Once only: a second call (the drop after `stop` or `try_stop`) returns `Ok`, so that a
    /// failure is reported once.
    fn finish(&mut self) -> Result<(), StopError> {
        if std::mem::replace(&mut self.finished, true) {
            return Ok(());
        }
        let Some(writer) = &self.shared.state_file else {
            self.server.stop();
            return Ok(());
        };
        self.server.stop_and_drain();
        writer.finish().map_err(|problem| StopError {
            path: writer.path().to_path_buf(),
            source: std::io::Error::other(problem),
        })
    }
}

impl Drop for MockRecotap {
    fn drop(&mut self) {
        if self.ephemeral_port && self.shared.state_file.is_none() {
            self.server.signal_stop();
        } else if let Err(error) = self.finish() {
            // Drop must not panic (it may run during a panic); say it instead.
            eprintln!("recotap-mock: {error}");
        }
        // Expectations are checked last, once the server is told to stop: a failed one panics
        // (unless the test is already panicking, which would abort).
        if !std::thread::panicking() {
            if let Err(failure) = self.try_verify() {
                panic!("recotap-mock: {failure}");
            }
        }
    }
}
