//! Pause mode (`--pause`, catatonit's `-P`): no child. pidone holds a pod's shared PID
//! namespace open as its PID 1, reaps whatever is re-parented to it, and exits 0 on
//! SIGTERM or SIGINT.

use log::{debug, info, warn};

use crate::exit;
use crate::signals::Signal;
use crate::sigset::{self, SignalSet};
use crate::sys;

/// Pause mode: no child. Reaps whatever is re-parented to pidone — with a warning naming
/// each one under `--warn-on-reap` — and exits 0 on SIGTERM or SIGINT; other signals are
/// ignored, and nothing wakes pidone up in between.
pub fn pause(handled: &SignalSet, warn_on_reap: bool) -> u8 {
    loop {
        let received = match sigset::wait(handled, None) {
            Ok(Some(received)) => received,
            Ok(None) => continue,
            Err(error) => {
                log::error!("cannot wait for signals: {error}");
                return exit::FAILURE;
            }
        };
        match received.signal {
            Signal::CHLD => {
                while let Ok(Some((pid, _))) = sys::next_exit() {
                    if warn_on_reap {
                        warn!("reaped process {pid}");
                    } else {
                        debug!("reaped process {pid}");
                    }
                }
            }
            signal if signal.is_shutdown() => {
                info!("received {signal}: pausing is over");
                return 0;
            }
            signal => debug!("ignoring {signal} while pausing"),
        }
    }
}
