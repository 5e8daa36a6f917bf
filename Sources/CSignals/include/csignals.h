// Stop signals for rank 0: SIGINT and SIGTERM set a flag (async-signal-safe) that the
// coordinator's loop reads between messages, so it can record the trials in flight and exit.
#ifndef HPSEARCH_CSIGNALS_H
#define HPSEARCH_CSIGNALS_H

/// Installs the handler for SIGINT and SIGTERM (SA_RESTART; a second signal of either kind
/// ends the process at once with the default action).
void hps_install_stop_handlers(void);
/// The signal that asked to stop, or 0.
int hps_stop_signal(void);

#endif
