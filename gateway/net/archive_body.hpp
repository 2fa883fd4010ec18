// A Beast body type for uploads: what arrives is written straight into the BodyArchive (a temp
// file, hashed on the way), so a pushed export of any size costs a fixed amount of memory.
#pragma once

#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>

#include <cstdint>
#include <exception>
#include <optional>
#include <string_view>
#include <system_error>

#include "gateway/store/body_archive.hpp"

namespace opcat::net {

struct ArchiveBody {
  struct value_type {
    std::optional<store::BodyWriter> writer;  // set by the session before the body is read
  };

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>&, boost::beast::error_code& ec) {
      ec = body_.writer ? boost::beast::error_code{}
                        : make_error_code(boost::system::errc::bad_file_descriptor);
    }

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
      std::size_t written = 0;
      try {
        for (const auto buffer : boost::beast::buffers_range_ref(buffers)) {
          body_.writer->write({static_cast<const char*>(buffer.data()), buffer.size()});
          written += buffer.size();
        }
        ec = {};
      } catch (const std::system_error& e) {
        // Disk full or I/O error: the parse stops here and the session answers 503.
        ec = boost::beast::error_code(e.code().value(), boost::system::generic_category());
      } catch (const std::exception&) {
        ec = make_error_code(boost::system::errc::io_error);
      }
      return written;
    }

    void finish(boost::beast::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

}  // namespace opcat::net
