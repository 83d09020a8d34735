// Stop signals: the signals (SIGTERM, SIGUSR2, SIGHUP by default — runtime.stop_signals) after
// which fpt_sweep checkpoints every running experiment and exits for a later resume. The handler
// only sets a flag; the trainer polls it once per step, the coordinator once per loop.
#pragma once

#include <string>
#include <vector>

namespace fpt::sweep {

// Installs the handler for each named signal ("TERM", "USR1", "USR2", "HUP", "INT") and restores
// the default action of the others of these five.
void install_stop_signal_handlers(const std::vector<std::string>& names);

// The names as a bit set (to broadcast as one int) and back.
int                      signal_mask(const std::vector<std::string>& names);
std::vector<std::string> signals_from_mask(int mask);

// Whether a stop signal arrived (or request_stop was called), and which ("" if none or by call).
bool        stop_requested();
std::string stop_signal_name();
void        request_stop();

// fpt_sweep's exit status after an orderly stop: everything unfinished is checkpointed
// (EX_TEMPFAIL: "try again later" — batch scripts requeue on it).
inline constexpr int kInterruptedExitCode = 75;

}  // namespace fpt::sweep
