// <name>.error.json: why an export was rejected, for the member's people to fix it. It holds the
// gateway's answer and, for an export rejected as a whole (422), the full list of its errors read
// page by page from the receipt's errors.href (the receipt itself only carries the first few).
//
//   {"file":"visits.csv","sha256":"…","http_status":422,"reason":"…",
//    "response":{…the answer's body…},
//    "errors":[{"seq":1,"locator":"row 7","field":…,"code":…,"message":…},…],
//    "errors_complete":true}
//
// "errors_complete" is false, with "errors_note" saying why, when the list was capped or could not
// be read to the end; the report is still written, since the rejection itself is final.
#pragma once

#include <cstddef>
#include <filesystem>
#include <stop_token>

#include "gateway/push/durable_files.hpp"
#include "gateway/push/file_pusher.hpp"
#include "gateway/push/https_client.hpp"

namespace opcat::push {

inline constexpr std::size_t kMaxReportedErrors = 100'000;

// Writes the report for `push` (of `file`) into `out`, fetching the error list through `gateway`.
// False when a stop request cut it short: the caller should then not commit it.
bool write_error_report(NewFile& out, const std::filesystem::path& file, const FilePush& push,
                        const HttpsClient& gateway, std::stop_token stop = {},
                        std::size_t max_errors = kMaxReportedErrors);

}  // namespace opcat::push
