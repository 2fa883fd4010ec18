// Times as the store keeps them: UTC text that sorts lexically in time order.
#pragma once

#include <string>
#include <string_view>

#include "gateway/store/submission.hpp"

namespace opcat::store {

// "2024-05-01T12:34:56.789Z" (milliseconds, always the same width so text order is time order).
std::string format_utc(Clock::time_point time);
// The inverse of format_utc; throws StoreError for anything else.
Clock::time_point parse_utc(std::string_view text);

}  // namespace opcat::store
