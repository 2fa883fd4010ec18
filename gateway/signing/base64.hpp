// Base64 (RFC 4648, standard alphabet, padded) for signatures that travel in HTTP headers, such as
// a receipt's detached CMS signature.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace opcat::signing {

std::string base64_encode(std::string_view bytes);

// The bytes, or nullopt unless `text` is strict padded Base64: a multiple of four characters of
// the standard alphabet, '=' only as the last one or two. No whitespace, no line breaks, no
// URL-safe alphabet: a header value that is anything else was not written by a Base64 encoder.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace opcat::signing
