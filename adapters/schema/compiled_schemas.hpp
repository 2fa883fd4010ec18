// Compiled schema documents, lent to one validation at a time.
//
// Why: RapidJSON 1.1.0's regex keeps its match state inside the compiled pattern
// (internal/regex.h, SearchWithAnchoring clears and fills state0_/state1_ from a const method),
// so two threads validating "pattern"s against one SchemaDocument race. Each concurrent
// validation borrows its own compiled copy; the pool grows to the number of threads that
// validate at once, and copies are reused after that.
#pragma once

#include <rapidjson/schema.h>

#include <memory>
#include <mutex>
#include <vector>

namespace opcat::schema::detail {

class CompiledSchemas {
 public:
  // One compiled copy per source, in the same order. The sources and the provider must outlive
  // this object.
  using Set = std::vector<std::unique_ptr<rapidjson::SchemaDocument>>;

  CompiledSchemas(std::vector<const rapidjson::Value*> sources,
                  rapidjson::IRemoteSchemaDocumentProvider* provider);

  class Lease {
   public:
    Lease(const CompiledSchemas& owner, std::unique_ptr<Set> set)
        : owner_(owner), set_(std::move(set)) {}
    ~Lease() { owner_.give_back(std::move(set_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    const rapidjson::SchemaDocument& operator[](std::size_t i) const { return *(*set_)[i]; }

   private:
    const CompiledSchemas& owner_;
    std::unique_ptr<Set> set_;
  };

  Lease borrow() const;

 private:
  std::unique_ptr<Set> compile() const;
  void give_back(std::unique_ptr<Set> set) const;

  std::vector<const rapidjson::Value*> sources_;
  rapidjson::IRemoteSchemaDocumentProvider* provider_;
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<Set>> free_;
};

}  // namespace opcat::schema::detail
