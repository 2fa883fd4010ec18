// Whether a recipient's receipt proves this delivery arrived: the signature holds (against the
// recipient's CA) over the receipt's exact bytes, and the receipt names this delivery id and
// this payload's SHA-256. Shared by push (the POST's answer) and pull (the posted receipt).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/store/outbox.hpp"

namespace opcat::delivery {

// nullopt when the receipt is valid; otherwise why not ("receipt signature: content does not
// match the signature", "receipt names delivery dlv_x, not dlv_y").
std::optional<std::string> receipt_problem(std::string_view receipt,
                                           std::string_view signature_der,
                                           const store::Delivery& delivery,
                                           const std::filesystem::path& ca);

}  // namespace opcat::delivery
