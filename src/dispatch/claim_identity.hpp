#pragma once
// Who holds a claim: a token naming this host, this process (pid and start time) and a
// random part, so a restarted herald can tell the claims of its dead predecessor on the same
// host and take them over at once instead of waiting for their leases.

#include <string>

namespace herald::dispatch {

/// This machine's host name ('/' replaced), or "unknown-host".
std::string HostName();

/// "d1/HOST/PID.START/RANDOM". Claims are compared as opaque strings everywhere else.
std::string MakeClaimToken();

/// True when `token` names a process of `host` (this host) that no longer runs. Anything
/// unclear (another host, an old token format, an unreadable /proc) counts as alive: its
/// lease decides.
bool ClaimerIsDeadLocalProcess(const std::string& token, const std::string& host);

}  // namespace herald::dispatch
