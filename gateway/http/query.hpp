// Reading a request's query string ("since=2026-04-01T00%3A00%3A00Z&limit=50").
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace opcat::http {

// The first value of `name`, percent-decoded ("+" is a space); nullopt when absent or when its
// percent-encoding is broken.
std::optional<std::string> query_param(std::string_view query, std::string_view name);

// `text` made safe as a query value: everything but unreserved characters (RFC 3986: letters,
// digits, "-._~") percent-encoded. query_param reads it back.
std::string percent_encode(std::string_view text);

// The page size in `limit`, within [1, max]; `fallback` when absent, nullopt when it is not a
// number in that range.
std::optional<std::size_t> query_limit(std::string_view query, std::size_t fallback,
                                       std::size_t max);

}  // namespace opcat::http
