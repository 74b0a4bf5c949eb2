//! Secrets through the real OS keyring. On Linux the test starts its own D-Bus
//! session and GNOME Keyring (in a throw-away home), so it never touches the
//! user's keyring and needs no desktop session.

use cadence_core::Secret;
use cadence_engine::{Error, ErrorCode, SecretKind, SecretStore};

#[cfg(target_os = "linux")]
mod private_secret_service {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Child, Command, Stdio};

    /// A session bus and a Secret Service of our own; both stop on drop.
    pub struct PrivateSecretService {
        bus_pid: u32,
        keyring: Child,
        _home: tempfile::TempDir,
    }

    impl PrivateSecretService {
        pub fn start() -> PrivateSecretService {
            let home = tempfile::tempdir().unwrap();
            let mut bus = Command::new("dbus-daemon")
                .args(["--session", "--fork", "--print-address=1", "--print-pid=1"])
                .stdout(Stdio::piped())
                .spawn()
                .expect("dbus-daemon is installed (package dbus, brought by `cargo xtask test`)");
            let mut lines = BufReader::new(bus.stdout.take().unwrap()).lines();
            let address = lines.next().unwrap().unwrap();
            let bus_pid: u32 = lines.next().unwrap().unwrap().trim().parse().unwrap();
            bus.wait().unwrap();
            // SAFETY: this test binary sets the variable before any keyring call and
            // before spawning threads; it is the only test that reads it.
            unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address) };

            let mut keyring = Command::new("gnome-keyring-daemon")
                .args(["--foreground", "--unlock", "--components=secrets"])
                .env("HOME", home.path())
                .env("XDG_DATA_HOME", home.path().join("data"))
                .env("XDG_RUNTIME_DIR", home.path())
                .env("DBUS_SESSION_BUS_ADDRESS", &address)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("gnome-keyring-daemon is installed (package gnome-keyring)");
            // The password that creates and unlocks the throw-away login keyring.
            keyring
                .stdin
                .take()
                .unwrap()
                .write_all(b"cadence-test\n")
                .unwrap();
            wait_for_secret_service(&address);
            PrivateSecretService {
                bus_pid,
                keyring,
                _home: home,
            }
        }
    }

    /// Waits until the Secret Service name is on the bus.
    fn wait_for_secret_service(address: &str) {
        for _ in 0..100 {
            let owned = Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .env("DBUS_SESSION_BUS_ADDRESS", address)
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
                .unwrap_or(false);
            if owned {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("GNOME Keyring did not take the Secret Service name within 5 s");
    }

    impl Drop for PrivateSecretService {
        fn drop(&mut self) {
            let _ = self.keyring.kill();
            let _ = self.keyring.wait();
            let _ = Command::new("kill").arg(self.bus_pid.to_string()).status();
        }
    }
}

#[test]
fn secrets_round_trip_through_the_os_keyring_per_workspace() {
    #[cfg(target_os = "linux")]
    let _service = private_secret_service::PrivateSecretService::start();

    let sandbox = SecretStore::for_workspace("keyring-test-sandbox");
    let live = SecretStore::for_workspace("keyring-test-live");
    for store in [&sandbox, &live] {
        for kind in SecretKind::ALL {
            store.delete(kind).unwrap();
        }
    }

    assert!(
        sandbox.load(SecretKind::AccessToken).unwrap().is_none(),
        "nothing stored yet"
    );
    sandbox
        .save(SecretKind::AccessToken, &Secret::new("EAAG-sandbox-token"))
        .unwrap();
    live.save(SecretKind::AccessToken, &Secret::new("EAAG-live-token"))
        .unwrap();
    live.save(SecretKind::AppSecret, &Secret::new("app-secret-1"))
        .unwrap();

    let token = sandbox
        .load(SecretKind::AccessToken)
        .unwrap()
        .expect("stored token comes back");
    assert_eq!(token.expose(), "EAAG-sandbox-token");
    assert_eq!(
        live.load(SecretKind::AccessToken)
            .unwrap()
            .unwrap()
            .expose(),
        "EAAG-live-token",
        "workspaces never share a token"
    );
    assert!(
        sandbox.load(SecretKind::AppSecret).unwrap().is_none(),
        "kinds are separate entries"
    );

    live.save(SecretKind::AppSecret, &Secret::new("app-secret-2"))
        .unwrap();
    assert_eq!(
        live.load(SecretKind::AppSecret).unwrap().unwrap().expose(),
        "app-secret-2",
        "save replaces"
    );

    live.delete(SecretKind::AppSecret).unwrap();
    assert!(
        live.load(SecretKind::AppSecret).unwrap().is_none(),
        "a deleted secret is gone"
    );
    live.delete(SecretKind::AppSecret).unwrap();

    let empty = sandbox
        .save(SecretKind::AppSecret, &Secret::new(""))
        .unwrap_err();
    assert!(matches!(empty, Error::EmptySecret(SecretKind::AppSecret)));
    assert_eq!(
        empty.code(),
        ErrorCode::InvalidInput,
        "an empty secret is the user's input to fix"
    );

    for store in [&sandbox, &live] {
        for kind in SecretKind::ALL {
            store.delete(kind).unwrap();
        }
    }
}
