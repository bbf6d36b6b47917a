#pragma once
// Turning a failed HTTP exchange into a PublishResult with a sentence a site owner can act
// on, shared by every platform adapter so they classify and word failures alike.

#include <optional>
#include <string>
#include <string_view>

#include "common/time.hpp"
#include "publishers/http_client.hpp"
#include "publishers/publisher.hpp"

namespace herald::publishers {

/// Retry-After as delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT",
/// measured from `now`; a date in the past is zero). nullopt when unparseable.
std::optional<Milliseconds> ParseRetryAfter(std::string_view value, TimePoint now);

/// For a response that is not a success (transport error, 3xx, 4xx, 5xx): transient for
/// transport errors, timeouts, 408/425/429/5xx (with retry_after), permanent otherwise.
/// `target` names the remote in the message ("the endpoint", "WordPress").
PublishResult FailureFromResponse(const HttpResponse& response, std::string_view target,
                                  TimePoint now);

/// Worth trying again later: a transport error (status 0) or a transient status
/// (domain::ClassifyHttpStatus). The one rule every adapter asks.
bool IsTransientResponse(const HttpResponse& response);

/// The outcome of a refusal with this status that is not transient: kSiteRefused for 401/403,
/// kPermanent otherwise (and with no status).
PublishOutcome RefusalOutcome(std::optional<int> http_status);

/// The same wording as a ConnectionCheck (ok=false).
ConnectionCheck FailedCheck(const HttpResponse& response, std::string_view target, TimePoint now);

/// A short, single-line excerpt of an error body (a JSON "message"/"error" when present).
std::string BodyExcerpt(std::string_view body, size_t max_chars = 200);

}  // namespace herald::publishers
