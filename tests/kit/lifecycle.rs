//! Starting and stopping mocks: when the port is closed. A mock on a free port (port 0) is only
//! told to stop when dropped (nobody waits to bind its port again); `stop()`, and dropping a
//! mock on a port of the caller's choosing, return once the port is closed.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use recotap_mock::MockRecotap;

/// One test at a time: a port one test frees could be handed to another test's mock, which
/// would then accept where this one expects a refusal.
fn alone() -> MutexGuard<'static, ()> {
    static PORTS: Mutex<()> = Mutex::new(());
    PORTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    let probe = TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

fn refuses(address: SocketAddr) -> bool {
    TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_err()
}

#[test]
fn a_dropped_mock_on_a_free_port_closes_its_port_shortly_after() {
    let _alone = alone();
    let mock = MockRecotap::start();
    let address = mock.address();
    assert!(!refuses(address), "a started mock accepts connections");
    drop(mock);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !refuses(address) {
        assert!(
            Instant::now() < deadline,
            "{address} still accepts 5 s after the drop"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn stop_closes_the_port_before_it_returns_so_a_new_mock_can_bind_it() {
    let _alone = alone();
    let port = free_port();
    let first = MockRecotap::builder().port(port).start();
    first.stop();
    let second = MockRecotap::builder().port(port).try_start();
    assert!(
        second.is_ok(),
        "port {port} was not free after stop(): {second:?}"
    );
}

#[test]
fn dropping_a_mock_on_a_chosen_port_closes_the_port_before_it_returns() {
    let _alone = alone();
    let port = free_port();
    for round in 0..20 {
        let mock = MockRecotap::builder().port(port).try_start();
        let mock = mock.unwrap_or_else(|error| panic!("round {round}: {error}"));
        drop(mock);
    }
}

#[test]
fn stop_of_a_mock_on_a_free_port_also_waits_for_the_port() {
    let _alone = alone();
    let mock = MockRecotap::start();
    let address = mock.address();
    mock.stop();
    assert!(refuses(address), "{address} still accepts after stop()");
}
