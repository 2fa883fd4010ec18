// Building JSON responses, and the one error shape every listener uses:
//   {"error": {"code": "not_found", "message": "..."}}
#pragma once

#include <string>
#include <string_view>

#include "gateway/http/message.hpp"

namespace opcat::http {

// A response carrying `json` (already serialised) with the headers every answer gets.
Response json_response(Status status, std::string json, const Request& request);

// `body` byte for byte (no newline added), with the same headers: for signed content such as a
// receipt, whose signature covers exactly these bytes.
Response bytes_response(Status status, std::string body, std::string_view content_type,
                        const Request& request);

// The error body above; `code` is a stable machine-readable token, `message` is for people.
Response error_response(Status status, std::string_view code, std::string_view message,
                        const Request& request);

// The same when there is no parsed request to answer (a header that could not be parsed).
Response error_response(Status status, std::string_view code, std::string_view message,
                        unsigned http_version = 11);

}  // namespace opcat::http
