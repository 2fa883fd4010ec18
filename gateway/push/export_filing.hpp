// Where an export goes once the gateway has answered for good, in the watch folder DIR:
//
//   DIR/sent/<name>                  the export, accepted
//   DIR/sent/<name>.receipt.json     the receipt, the exact bytes the gateway signed
//   DIR/sent/<name>.receipt.p7s      the detached CMS signature over them (DER)
//   DIR/rejected/<name>              the export, rejected
//   DIR/rejected/<name>.error.json   why (error_report.hpp)
//   DIR/rejected/<name>.receipt.*    for an export rejected as a whole (422): its signed receipt
//
// The receipt and report files are written first, each durably (durable_files.hpp), and the export
// is moved last: after a crash at any point the export is either still in DIR, and is pushed again
// (the gateway answers 200 with the original receipt, nothing is doubled), or it is in sent/ or
// rejected/ with everything that goes with it. Nothing is ever overwritten: a name already taken
// gets a suffix (visits-2.csv).
#pragma once

#include <filesystem>
#include <optional>
#include <stop_token>

#include "gateway/push/file_pusher.hpp"
#include "gateway/push/https_client.hpp"

namespace opcat::push {

inline constexpr std::string_view kSentFolder = "sent";
inline constexpr std::string_view kRejectedFolder = "rejected";

// Moves an accepted export into sent/ with its receipt; returns where it went.
// Throws std::system_error when the disk refuses.
std::filesystem::path file_accepted(const std::filesystem::path& export_file, const FilePush& push);

// Moves a rejected export into rejected/ with its error report (the full error list is fetched
// through `gateway`); returns where it went, or nothing when a stop request came first (the export
// is then left where it was). Throws std::system_error when the disk refuses.
std::optional<std::filesystem::path> file_rejected(const std::filesystem::path& export_file,
                                                   const FilePush& push,
                                                   const HttpsClient& gateway,
                                                   std::stop_token stop = {});

}  // namespace opcat::push
