//! When the serving binary stops: on SIGINT or SIGTERM, and, with `--exit-with-stdin`, when its
//! standard input reaches its end. A parent that starts the mock with a pipe on stdin and never
//! writes to it (the npm package does) thereby takes the mock with it however it dies: the
//! kernel closes the pipe when the parent's last copy of it goes, SIGKILL included.

use tokio::sync::oneshot;

/// Why the binary is stopping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// SIGINT or SIGTERM (Ctrl-C on Windows).
    Signal,
    /// Standard input ended (`--exit-with-stdin`).
    StdinClosed,
}

/// The signals that stop the binary gracefully: Ctrl-C (SIGINT) everywhere, and SIGTERM on Unix
/// (what container runtimes and process managers send), and the end of stdin when asked.
/// Installed before the listening line is printed, so that a signal sent as soon as the line
/// appears is never the default "die now".
pub struct Shutdown {
    runtime: tokio::runtime::Runtime,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    stdin_closed: Option<oneshot::Receiver<()>>,
}

impl Shutdown {
    /// Installs the signal handlers and, with `exit_with_stdin`, starts the thread that reads
    /// stdin to its end.
    pub fn install(exit_with_stdin: bool) -> Self {
        // The mock serves on its own runtime; this small one only waits for signals.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .expect("a runtime to wait for signals on");
        let stdin_closed = exit_with_stdin.then(watch_stdin);
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let _entered = runtime.enter();
            let interrupt = signal(SignalKind::interrupt()).expect("installing a SIGINT handler");
            let terminate = signal(SignalKind::terminate()).expect("installing a SIGTERM handler");
            drop(_entered);
            Shutdown {
                runtime,
                interrupt,
                terminate,
                stdin_closed,
            }
        }
        #[cfg(not(unix))]
        {
            Shutdown {
                runtime,
                stdin_closed,
            }
        }
    }

    /// Blocks until a signal arrives or stdin ends; says which.
    pub fn wait(self) -> Reason {
        let Shutdown {
            runtime,
            #[cfg(unix)]
            mut interrupt,
            #[cfg(unix)]
            mut terminate,
            stdin_closed,
        } = self;
        runtime.block_on(async {
            let stdin_closed = async {
                match stdin_closed {
                    // A dropped sender (the thread could not start) counts as an end too.
                    Some(receiver) => {
                        let _ = receiver.await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            #[cfg(unix)]
            {
                tokio::select! {
                    _ = interrupt.recv() => Reason::Signal,
                    _ = terminate.recv() => Reason::Signal,
                    () = stdin_closed => Reason::StdinClosed,
                }
            }
            #[cfg(not(unix))]
            {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => Reason::Signal,
                    () = stdin_closed => Reason::StdinClosed,
                }
            }
        })
    }
}

/// Reads stdin on a thread of its own until its end (or an error: a closed descriptor is an
/// end too), discarding whatever arrives, then says so.
fn watch_stdin() -> oneshot::Receiver<()> {
    let (ended, receiver) = oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("stdin-watch".into())
        .spawn(move || {
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            let _ = ended.send(());
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "cannot watch stdin: --exit-with-stdin stops the mock now");
    }
    receiver
}
