#include "adapters/schema/compiled_schemas.hpp"

namespace opcat::schema::detail {

CompiledSchemas::CompiledSchemas(std::vector<const rapidjson::Value*> sources,
                                 rapidjson::IRemoteSchemaDocumentProvider* provider)
    : sources_(std::move(sources)), provider_(provider) {
  free_.push_back(compile());  // the one a single-threaded caller will use
}

std::unique_ptr<CompiledSchemas::Set> CompiledSchemas::compile() const {
  auto set = std::make_unique<Set>();
  // The provider only looks up documents it compiled at load: safe to share while compiling.
  for (const rapidjson::Value* source : sources_) {
    set->push_back(std::make_unique<rapidjson::SchemaDocument>(*source, provider_));
  }
  return set;
}

CompiledSchemas::Lease CompiledSchemas::borrow() const {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (!free_.empty()) {
      std::unique_ptr<Set> set = std::move(free_.back());
      free_.pop_back();
      return Lease(*this, std::move(set));
    }
  }
  return Lease(*this, compile());
}

void CompiledSchemas::give_back(std::unique_ptr<Set> set) const {
  const std::lock_guard<std::mutex> lock(mutex_);
  free_.push_back(std::move(set));
}

}  // namespace opcat::schema::detail
